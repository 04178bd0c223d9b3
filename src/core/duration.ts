import { KsadError } from './errors.js';

const DURATION = /^(?:\d+(?:ms|s|m|h))+$/;
const DURATION_PART = /(\d+)(ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds in a duration such as "500ms", "5s" or "1m30s" (the manifest's `duration` syntax,
 * a subset of Go's `time.ParseDuration` without fractions or signs).
 *
 * @throws KsadError('INVALID') when the text is not a duration.
 */
export function parseDuration(text: string): number {
  if (!DURATION.test(text)) {
    throw new KsadError('INVALID', `"${text}" is not a duration`, {
      suggestions: ['write a duration such as "500ms", "5s" or "1m30s"'],
    });
  }
  let ms = 0;
  for (const m of text.matchAll(DURATION_PART)) {
    ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  }
  return ms;
}

const SIZE = /^(\d+)([kmg])?b?$/i;
const UNIT_BYTES: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * Bytes in a size such as "256m", "1g", "512kb" or "1048576". Units are binary (k = 1024), as in
 * `docker run --memory`, so a limit written for Docker means the same here.
 *
 * @throws KsadError('INVALID') when the text is not a size.
 */
export function parseSize(text: string): number {
  const m = SIZE.exec(text.trim());
  if (m === null) {
    throw new KsadError('INVALID', `"${text}" is not a size`, {
      suggestions: ['write a size such as "256m", "1g" or "512k" (binary units, like Docker)'],
    });
  }
  const bytes = Number(m[1]) * (UNIT_BYTES[(m[2] ?? '').toLowerCase()] ?? 1);
  if (!Number.isSafeInteger(bytes)) {
    throw new KsadError('INVALID', `"${text}" is too large a size`);
  }
  return bytes;
}
