import { parseSize } from './duration.js';

/** Docker refuses a memory limit below 6 MiB ("Minimum memory limit allowed is 6MB"). */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;

/**
 * What is wrong with a memory limit the schema's pattern accepts, in the words lint, plan and
 * deploy share; undefined when the engine takes it.
 */
export function memoryLimitProblem(text: string): string | undefined {
  let bytes: number;
  try {
    bytes = parseSize(text);
  } catch {
    return `"${text}" is too large a size to be exact`;
  }
  if (bytes < MIN_MEMORY_BYTES)
    return `"${text}" is below 6m (${MIN_MEMORY_BYTES} bytes), the smallest memory limit Docker accepts`;
  return undefined;
}
