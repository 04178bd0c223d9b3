import { memoryLimitProblem } from '../memory-limit.js';
import type { ManifestUnit, Reporter } from './context.js';

/** `memory-limit`: a memory limit the engine would refuse (below 6m) fails here, not at deploy. */
export function lintResources(unit: ManifestUnit, r: Reporter): void {
  for (const [name, s] of Object.entries(unit.manifest.services)) {
    const memory = s.resources.memory;
    const problem = memory === undefined ? undefined : memoryLimitProblem(memory);
    if (problem !== undefined)
      r.error(unit.file, ['services', name, 'resources', 'memory'], 'memory-limit', problem);
  }
}
