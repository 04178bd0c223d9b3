import type { DockerEngine } from '../../src/ports/docker-engine.js';

/** Thrown by a DyingEngine for every call after its last: the ksad process is gone. */
export class Killed extends Error {
  constructor(readonly atCall: number) {
    super(`killed after engine call ${atCall}`);
  }
}

/**
 * An engine that lets `calls` calls through and then dies, as ksad killed right after its N-th
 * Engine API call: every later call throws Killed without reaching the engine. `count()` tells how
 * many calls an operation makes when it is let through whole (`calls` = Infinity).
 */
export function dyingEngine(
  engine: DockerEngine,
  calls: number,
): DockerEngine & { count(): number } {
  let made = 0;
  return new Proxy(engine, {
    get(target, prop, receiver) {
      if (prop === 'count') return () => made;
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (made >= calls) return Promise.reject(new Killed(made));
        made += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as DockerEngine & { count(): number };
}
