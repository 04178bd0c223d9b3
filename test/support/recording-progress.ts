import type { Progress } from '../../src/ports/progress.js';

/** A Progress that remembers each step's title and the details it was given, in order. */
export function recordingProgress(): Progress & {
  steps: Array<{ title: string; details: string[] }>;
} {
  const steps: Array<{ title: string; details: string[] }> = [];
  return {
    steps,
    step(title, fn) {
      const step = { title, details: [] as string[] };
      steps.push(step);
      return fn((text) => step.details.push(text));
    },
    note: () => undefined,
  };
}
