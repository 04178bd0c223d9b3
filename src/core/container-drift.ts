/**
 * What runs against what ksad would set, setting by setting, for the settings a hand can change
 * without touching ksad's labels (a container recreated with the labels copied, `docker update`,
 * `docker network disconnect`, `docker rename`): plan names each difference and deploy recreates
 * the container; audit reports the same. Environment variables are named, never shown.
 */
import type { ContainerInfo, ContainerSpec, PublishedPort, VolumeMount } from './engine-model.js';

/** One difference: a short name (`memory`, `environment DB_HOST` …) and what it is, for humans. */
export interface Drift {
  what: string;
  message: string;
}

export function portText(p: PublishedPort): string {
  return `${p.hostIp}:${p.hostPort}→${p.container}/${p.protocol}`;
}

export function mountText(m: VolumeMount): string {
  return `${m.volume}:${m.target}${m.readOnly ? ':ro' : ''}`;
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = [...new Set(a)].sort();
  const sb = [...new Set(b)].sort();
  return sa.length === sb.length && sa.every((v, i) => v === sb[i]);
}

export function listOrNone(items: readonly string[]): string {
  return items.length === 0 ? 'none' : [...items].sort().join(', ');
}

const MIB = 1024 * 1024;
const memoryText = (bytes: number): string =>
  bytes === 0 ? 'none' : bytes % MIB === 0 ? `${bytes / MIB}m` : `${bytes} bytes`;
const cpusText = (nanos: number): string => (nanos === 0 ? 'none' : `${nanos / 1e9}`);

/**
 * The host settings (`HostConfig`) ksad sets, compared with the live ones. Empty when the engine
 * did not report them (`actual.settings` absent).
 */
export function settingsDrift(spec: ContainerSpec, actual: ContainerInfo): Drift[] {
  const live = actual.settings;
  if (live === undefined) return [];
  const out: Drift[] = [];
  const memory = spec.memoryBytes ?? 0;
  if (live.memoryBytes !== memory)
    out.push({
      what: 'memory',
      message: `memory limit ${memoryText(live.memoryBytes)}, want ${memoryText(memory)}`,
    });
  const cpus = spec.nanoCpus ?? 0;
  if (live.nanoCpus !== cpus)
    out.push({ what: 'cpus', message: `cpus ${cpusText(live.nanoCpus)}, want ${cpusText(cpus)}` });
  if (live.restartPolicy !== spec.restartPolicy)
    out.push({
      what: 'restart',
      message: `restart policy ${live.restartPolicy}, want ${spec.restartPolicy}`,
    });
  if (live.capAdd.length > 0)
    out.push({
      what: 'capabilities',
      message: `capabilities added: ${listOrNone(live.capAdd)} (ksad adds none)`,
    });
  if (live.privileged) out.push({ what: 'privileged', message: 'runs privileged' });
  if (live.init !== spec.init)
    out.push({
      what: 'init',
      message: `init ${live.init ? 'on' : 'off'}, want ${spec.init ? 'on' : 'off'}`,
    });
  if (live.readOnlyRootFilesystem !== spec.readOnlyRootFilesystem)
    out.push({
      what: 'read-only root',
      message: `read-only root file system ${live.readOnlyRootFilesystem ? 'on' : 'off'}, want ${spec.readOnlyRootFilesystem ? 'on' : 'off'}`,
    });
  return out;
}

/**
 * Every difference between a container and its spec that the engine shows: name, image, the
 * desired environment variables (image defaults appear on the container too, so only the desired
 * ones count), ports, volumes, network and the host settings.
 */
export function containerDrift(spec: ContainerSpec, actual: ContainerInfo): Drift[] {
  const out: Drift[] = [];
  if (actual.name.replace(/^\//, '') !== spec.name)
    out.push({
      what: 'name',
      message: `renamed to ${actual.name.replace(/^\//, '')} (want ${spec.name})`,
    });
  if (actual.image !== spec.image)
    out.push({ what: 'image', message: `image ${actual.image}, want ${spec.image}` });
  const env = Object.keys(spec.env)
    .filter((k) => actual.env[k] !== spec.env[k])
    .sort();
  for (const k of env) out.push({ what: `environment ${k}`, message: `environment.${k} differs` });
  const wantPorts = spec.ports.map(portText);
  const havePorts = actual.ports.map(portText);
  if (!sameSet(wantPorts, havePorts))
    out.push({
      what: 'ports',
      message: `ports ${listOrNone(havePorts)}, want ${listOrNone(wantPorts)}`,
    });
  const wantMounts = spec.mounts.map(mountText);
  const haveMounts = actual.mounts.map(mountText);
  if (!sameSet(wantMounts, haveMounts))
    out.push({
      what: 'mounts',
      message: `volumes ${listOrNone(haveMounts)}, want ${listOrNone(wantMounts)}`,
    });
  if (!actual.networks.includes(spec.network))
    out.push({
      what: 'network',
      message: `not on network ${spec.network} (on ${listOrNone(actual.networks)})`,
    });
  return [...out, ...settingsDrift(spec, actual)];
}
