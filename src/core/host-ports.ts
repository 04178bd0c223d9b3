/**
 * Host ports as the kernel shares them: two bindings clash when protocol and port agree and their
 * addresses overlap (the same address, or either one is a wildcard).
 */
import type { PublishedPort } from './engine-model.js';

const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]']);

export function bindingsClash(a: PublishedPort, b: PublishedPort): boolean {
  return (
    a.hostPort === b.hostPort &&
    a.protocol === b.protocol &&
    (a.hostIp === b.hostIp || WILDCARDS.has(a.hostIp) || WILDCARDS.has(b.hostIp))
  );
}

/** `127.0.0.1:18080/tcp`. */
export function bindingText(p: PublishedPort): string {
  const ip = p.hostIp === '' ? '0.0.0.0' : p.hostIp;
  return `${ip}:${p.hostPort}/${p.protocol}`;
}

/** The config key a manifest's `host: ${config.KEY}` takes its port from, if it is one. */
export function portConfigKey(host: string | number | undefined): string | undefined {
  if (typeof host !== 'string') return undefined;
  return /^\$\{config\.([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(host.trim())?.[1];
}
