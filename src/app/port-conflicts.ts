import type { PublishedPort } from '../core/engine-model.js';
import { KsadError } from '../core/errors.js';
import { bindingsClash, bindingText, portConfigKey } from '../core/host-ports.js';
import type { Manifest } from '../core/schema/manifest.js';
import type { ActualState } from '../core/plan.js';
import type { DesiredState } from '../core/service-specs.js';
import type { DeployTarget, PortHolder } from '../ports/deploy-target.js';

/** A host port the release wants that something else holds. */
export interface PortConflict {
  service: string;
  port: PublishedPort;
  holder: PortHolder;
  /** The config key that sets the port, when the manifest takes it from one. */
  configKey?: string;
  /** A nearby port nothing holds, for the `--set` that moves the service there. */
  free?: number;
}

/** How far above a taken port a free one is looked for. */
const SEARCH = 20;

/**
 * The host ports of `desired` that something other than the app holds, each with the config key
 * that sets it and a free port nearby. Ports the app's own running containers already publish are
 * not asked about: they are the app's, and a no-op deploy costs no extra read.
 */
export async function findPortConflicts(
  target: DeployTarget,
  manifest: Manifest,
  desired: DesiredState,
  actual: ActualState,
): Promise<PortConflict[]> {
  const own = actual.containers
    .filter((c) => c.state === 'running' || c.state === 'restarting')
    .flatMap((c) => c.ports);
  const wanted = desired.services.flatMap((s) =>
    s.spec.ports.map((port) => ({ service: s.service, port })),
  );
  const asked = wanted.filter((w) => !own.some((p) => bindingsClash(p, w.port)));
  if (asked.length === 0) return [];
  const held = await target.portHolders(
    desired.app.name,
    asked.map((w) => w.port),
  );
  const conflicts: PortConflict[] = [];
  for (const { port, holder } of held) {
    const service = asked.find((w) => w.port === port)?.service ?? '';
    const declared = manifest.services[service]?.ports.find((d) => d.container === port.container);
    const configKey = portConfigKey(declared?.host);
    conflicts.push({ service, port, holder, ...(configKey ? { configKey } : {}) });
  }
  await suggestFree(target, desired, conflicts);
  return conflicts;
}

/** Fills `free` for each conflict a config key can move: the first port above it nothing holds. */
async function suggestFree(
  target: DeployTarget,
  desired: DesiredState,
  conflicts: PortConflict[],
): Promise<void> {
  const movable = conflicts.filter((c) => c.configKey !== undefined);
  if (movable.length === 0) return;
  const taken = new Set(desired.services.flatMap((s) => s.spec.ports.map((p) => p.hostPort)));
  const candidates = movable.flatMap((c) =>
    Array.from({ length: SEARCH }, (_, i) => ({
      ...c.port,
      hostPort: c.port.hostPort + i + 1,
    })).filter((p) => p.hostPort <= 65535 && !taken.has(p.hostPort)),
  );
  const held = await target.portHolders(desired.app.name, candidates);
  for (const c of movable) {
    const free = candidates.find(
      (p) =>
        p.hostPort > c.port.hostPort &&
        p.hostPort <= c.port.hostPort + SEARCH &&
        p.container === c.port.container &&
        !held.some((h) => bindingsClash(h.port, p)) &&
        !movable.some((m) => m !== c && m.free === p.hostPort),
    );
    if (free) c.free = free.hostPort;
  }
}

function holderText(h: PortHolder): string {
  switch (h.kind) {
    case 'release':
      return `ksad app ${h.app} (container ${h.container})`;
    case 'container':
      return `container ${h.container}, not made by ksad`;
    case 'process':
      return 'a process on the host outside Docker (found by binding the port)';
  }
}

/** Refuses a change whose host ports are taken, before anything on the host changes. */
export function refusePortConflicts(app: string, conflicts: readonly PortConflict[]): void {
  if (conflicts.length === 0) return;
  const first = conflicts[0] as PortConflict;
  const details = conflicts.map(
    (c) => `port ${bindingText(c.port)} of service ${c.service} is held by ${holderText(c.holder)}`,
  );
  const suggestions = conflicts.map((c) =>
    c.configKey === undefined
      ? `the manifest fixes port ${c.port.hostPort} of ${c.service}: free it (stop what holds it), or ask the publisher for a version that takes it from the config`
      : `publish ${c.service} on another port: --set config.${c.configKey}=${c.free ?? '<PORT>'}`,
  );
  throw new KsadError(
    'DEPLOY_FAILED',
    `${app} cannot publish ${
      conflicts.length === 1
        ? `port ${first.port.hostPort}: it is held by ${holderText(first.holder)}`
        : `${conflicts.length} of its host ports: they are held already`
    }`,
    { details, suggestions: [...suggestions, 'nothing was changed on the host'] },
  );
}
