/**
 * How long work reports progress. The terminal UI renders steps with listr2, plain lines when not
 * on a terminal, and nothing with --json; use-cases only see this interface.
 */
export interface Progress {
  /** Runs `fn` as one visible step; `detail` updates the step's current line. */
  step<T>(title: string, fn: (detail: (text: string) => void) => Promise<T>): Promise<T>;
  /** A one-line message that is not a step (a warning, a note). */
  note(text: string): void;
}

export const silentProgress: Progress = {
  step: (_title, fn) => fn(() => undefined),
  note: () => undefined,
};
