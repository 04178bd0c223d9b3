/**
 * Writes a release's output as it comes: one service's output as it is; several services' output
 * line by line, each line headed by its service (as `docker compose logs` does), so lines of two
 * services never mix.
 */
export function logPrinter(
  prefixed: boolean,
  /** `line` is the line without its head (prefixed output only). */
  write: (
    stream: 'stdout' | 'stderr',
    text: string,
    line?: { service: string; text: string },
  ) => void,
): {
  push(service: string, stream: 'stdout' | 'stderr', data: Uint8Array): void;
  flush(): void;
} {
  const pending = new Map<string, string>();
  const width = { value: 0 };
  const head = (service: string): string => `${service.padEnd(width.value)} | `;
  return {
    push(service, stream, data) {
      const text = Buffer.from(data).toString('utf8');
      if (!prefixed) return write(stream, text);
      width.value = Math.max(width.value, service.length);
      const key = `${service}\u0000${stream}`;
      const lines = ((pending.get(key) ?? '') + text).split('\n');
      pending.set(key, lines.pop() ?? '');
      for (const line of lines) write(stream, `${head(service)}${line}\n`, { service, text: line });
    },
    flush() {
      for (const [key, rest] of pending) {
        const [service = '', stream] = key.split('\u0000');
        if (rest === '') continue;
        const out = stream === 'stderr' ? 'stderr' : 'stdout';
        write(out, `${head(service)}${rest}\n`, { service, text: rest });
      }
      pending.clear();
    },
  };
}
