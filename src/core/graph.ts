import { KsadError } from './errors.js';

/** Anything that names the services it depends on (a manifest service, a desired service). */
export interface DependencyNode {
  dependsOn: Readonly<Record<string, unknown>>;
}

/**
 * Services in start order, grouped in levels: a level holds services whose dependencies are all in
 * earlier levels, so a level can start in parallel (as Docker Compose does). Stop with the levels
 * reversed (`stopLevels`). Names in a level are sorted, so plans print the same every time.
 *
 * @throws KsadError('INVALID') naming an unknown dependency or a dependency cycle.
 */
export function dependencyLevels(services: Readonly<Record<string, DependencyNode>>): string[][] {
  const names = Object.keys(services).sort();
  for (const name of names) {
    for (const dep of Object.keys(services[name]?.dependsOn ?? {})) {
      if (!Object.hasOwn(services, dep)) {
        throw new KsadError(
          'INVALID',
          `services.${name}.dependsOn.${dep}: there is no service "${dep}"`,
          {
            suggestions: [`depend on one of: ${names.filter((n) => n !== name).join(', ')}`],
          },
        );
      }
    }
  }
  const placed = new Set<string>();
  const levels: string[][] = [];
  while (placed.size < names.length) {
    const level = names.filter(
      (n) =>
        !placed.has(n) && Object.keys(services[n]?.dependsOn ?? {}).every((d) => placed.has(d)),
    );
    if (level.length === 0) {
      const cycle = findCycle(
        services,
        names.filter((n) => !placed.has(n)),
      );
      throw new KsadError(
        'INVALID',
        `services depend on each other in a cycle: ${cycle.join(' → ')}`,
        {
          suggestions: ['remove one dependsOn entry of the cycle'],
        },
      );
    }
    level.forEach((n) => placed.add(n));
    levels.push(level);
  }
  return levels;
}

/** Levels in the order to stop services: dependents before what they depend on. */
export function stopLevels(services: Readonly<Record<string, DependencyNode>>): string[][] {
  return dependencyLevels(services).reverse();
}

/** One cycle among services that could not be placed, as `a → b → a`. */
function findCycle(
  services: Readonly<Record<string, DependencyNode>>,
  remaining: string[],
): string[] {
  const left = new Set(remaining);
  const start = remaining[0] ?? '';
  // Every remaining service depends on another remaining one, so walking always closes a cycle.
  const path: string[] = [];
  let at = start;
  while (!path.includes(at)) {
    path.push(at);
    const next = Object.keys(services[at]?.dependsOn ?? {})
      .sort()
      .find((d) => left.has(d));
    if (next === undefined) break;
    at = next;
  }
  return [...path.slice(path.indexOf(at)), at];
}
