import type { DesiredState } from '../service-specs.js';

/** A constraint that names one node: by hostname or id, or by a node label an operator sets. */
const PINS_ONE_NODE = /^node\.(hostname|id|labels\.[A-Za-z0-9_.-]+)\s*==\s*\S+$/;

/**
 * Warnings for a release bound for a Docker Swarm: a named volume is local to the node a task runs
 * on, so a service that mounts one and runs more than one task, or may be placed on any node, can
 * find its data missing (another node's empty volume) after a reschedule. Each names the overlay
 * path that fixes it. A bind address other than every address cannot be kept on a swarm either.
 */
export function swarmVolumeWarnings(desired: DesiredState, bindAddress: string): string[] {
  const out: string[] = [];
  const publishes = desired.services.filter((s) => s.spec.ports.length > 0).map((s) => s.service);
  if (publishes.length > 0 && bindAddress !== '0.0.0.0') {
    out.push(
      `policy.bindAddress: a swarm publishes the ports of ${publishes.join(', ')} on every address of the node it runs on, not only ${bindAddress} (the Swarm API takes no host address); close them with the node's firewall, or record it: ksad host init --bind-address 0.0.0.0 --target swarm`,
    );
  }
  for (const s of desired.services) {
    if (s.spec.mounts.length === 0) continue;
    const volumes = s.spec.mounts.map((m) => m.volume).join(', ');
    const replicas = s.spec.replicas ?? 1;
    if (replicas > 1) {
      out.push(
        `services.${s.service}.replicas: ${replicas} tasks share the named volume ${volumes}, which is local to each node: every task gets its own copy; run one replica`,
      );
    }
    if (!(s.spec.placement ?? []).some((c) => PINS_ONE_NODE.test(c))) {
      out.push(
        `services.${s.service}.placement: ${s.service} mounts the named volume ${volumes} but may run on any node, where that volume is empty; pin it with a constraint such as node.hostname==<NODE> or node.labels.<KEY>==<VALUE>`,
      );
    }
  }
  return out;
}
