import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { KsadError } from '../core/errors.js';

/**
 * The largest file ksad reads as input (manifest, catalog file, overlay, Compose file,
 * publiccode.yml, signature, key, secret). A real manifest is a few KiB; the limit keeps the
 * parser's node tree of a hostile file well below 200 MB.
 */
export const MAX_INPUT_BYTES = 512 * 1024;

/** Why a file could not be taken as input. */
export type InputProblem =
  | { kind: 'missing'; message: string }
  | { kind: 'not-regular'; message: string }
  | { kind: 'too-large'; message: string }
  | { kind: 'encoding'; message: string; line: number; col: number }
  | { kind: 'unreadable'; message: string };

export type InputRead = { ok: true; text: string } | { ok: false; problem: InputProblem };

/**
 * Reads one input file as UTF-8 text, refusing what is not a regular file (a folder, a FIFO, a
 * device such as /dev/zero, a socket, a symlink loop) before reading a byte, and a file larger than
 * `maxBytes` or not valid UTF-8. The file is opened non-blocking, so a FIFO with no writer cannot
 * hang the open; the size is checked on the open descriptor, so a file that grows after the check
 * is still cut at the limit. A byte-order mark is kept, so digests cover the bytes as stored.
 * With `follow: false` a symbolic link is refused rather than followed (catalog files); with
 * `noNul` a NUL byte is refused too (a secret or a key, which no process could be handed).
 */
export function readInputFile(
  path: string,
  maxBytes: number = MAX_INPUT_BYTES,
  opts: { follow?: boolean; noNul?: boolean } = {},
): InputRead {
  let fd: number;
  const flags =
    constants.O_RDONLY | constants.O_NONBLOCK | (opts.follow === false ? constants.O_NOFOLLOW : 0);
  try {
    fd = openSync(path, flags);
  } catch (error) {
    return { ok: false, problem: openProblem(error) };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      return {
        ok: false,
        problem: { kind: 'not-regular', message: `is ${describeType(stats)}, not a regular file` },
      };
    }
    if (stats.size > maxBytes) return { ok: false, problem: tooLarge(stats.size, maxBytes) };
    const bytes = readAtMost(fd, stats.size, maxBytes + 1);
    if (bytes.length > maxBytes) return { ok: false, problem: tooLarge(bytes.length, maxBytes) };
    if (!isUtf8(bytes)) return { ok: false, problem: encodingProblem(bytes) };
    const nul = opts.noNul === true ? bytes.indexOf(0) : -1;
    if (nul >= 0) return { ok: false, problem: nulProblem(bytes, nul) };
    return { ok: true, text: bytes.toString('utf8') };
  } catch (error) {
    return {
      ok: false,
      problem: { kind: 'unreadable', message: `cannot be read (${code(error)})` },
    };
  } finally {
    closeSync(fd);
  }
}

/**
 * As `readInputFile`, throwing a `KsadError` that names the file (`what` says which input it
 * is, e.g. `overlay`): NOT_FOUND for a missing file unless `missing` says otherwise, INVALID for a
 * file whose content is refused, USAGE for what is not a readable regular file.
 */
export function readInputText(
  path: string,
  what: string,
  opts: {
    shown?: string;
    maxBytes?: number;
    missing?: 'NOT_FOUND' | 'USAGE';
    noNul?: boolean;
  } = {},
): string {
  const read = readInputFile(path, opts.maxBytes, { noNul: opts.noNul === true });
  if (read.ok) return read.text;
  throw inputError(opts.shown ?? path, what, read.problem, opts.missing ?? 'NOT_FOUND');
}

/** The `KsadError` for an input file ksad refused. */
export function inputError(
  shown: string,
  what: string,
  problem: InputProblem,
  missing: 'NOT_FOUND' | 'USAGE' = 'NOT_FOUND',
): KsadError {
  const where =
    problem.kind === 'encoding' ? `${shown}:${problem.line}:${problem.col}` : `${shown}`;
  const prefix = what === '' ? '' : `${what}: `;
  switch (problem.kind) {
    case 'missing':
      return new KsadError(missing, `${prefix}${where} ${problem.message}`, {
        suggestions: ['check the path'],
      });
    case 'too-large':
    case 'encoding':
      return new KsadError('INVALID', `${prefix}${where} ${problem.message}`, {
        details: [`${where}: error: ${problem.message}`],
        suggestions: ['name a text file (YAML, UTF-8)'],
      });
    default:
      return new KsadError('USAGE', `${prefix}${where} ${problem.message}`, {
        suggestions: ['name a regular file (not a folder, FIFO, device or socket)'],
      });
  }
}

/**
 * Up to `limit` bytes of `fd`: one read into a buffer one byte larger than the size `fstat` gave
 * (so a file that grew shows it), growing it only for a file that keeps growing.
 */
function readAtMost(fd: number, size: number, limit: number): Buffer {
  let buffer = Buffer.allocUnsafe(Math.max(1, Math.min(size + 1, limit)));
  let total = 0;
  for (;;) {
    if (total === buffer.length) {
      if (buffer.length >= limit) break;
      const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, limit));
      buffer.copy(bigger, 0, 0, total);
      buffer = bigger;
    }
    const n = readSync(fd, buffer, total, buffer.length - total, null);
    if (n === 0) break;
    total += n;
  }
  return buffer.subarray(0, total);
}

function tooLarge(size: number, maxBytes: number): InputProblem {
  return {
    kind: 'too-large',
    message: `is too large (${size > maxBytes ? `more than ${maxBytes}` : size} bytes; the limit is ${maxBytes} bytes)`,
  };
}

function openProblem(error: unknown): InputProblem {
  switch (code(error)) {
    case 'ENOENT':
    case 'ENOTDIR':
      return { kind: 'missing', message: 'does not exist' };
    case 'ELOOP':
      // O_NOFOLLOW on a link also fails with ELOOP.
      return {
        kind: 'not-regular',
        message: 'is a symbolic link loop, or a link where none is followed',
      };
    case 'ENXIO':
      // Opening a socket file fails so on Linux.
      return {
        kind: 'not-regular',
        message: 'is a socket (or a device with nothing behind it), not a regular file',
      };
    case 'EISDIR':
      return { kind: 'not-regular', message: 'is a folder, not a regular file' };
    case 'EACCES':
    case 'EPERM':
      return { kind: 'unreadable', message: 'cannot be read (permission denied)' };
    default:
      return { kind: 'unreadable', message: `cannot be opened (${code(error)})` };
  }
}

/** What a non-regular file is, for a message. */
export function describeType(
  stats: Pick<
    Stats,
    'isDirectory' | 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket' | 'isSymbolicLink'
  >,
): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** Where `bytes` (valid UTF-8) holds its first NUL. */
function nulProblem(bytes: Buffer, offset: number): InputProblem {
  const { line, col } = positionOf(bytes, offset);
  return { kind: 'encoding', line, col, message: 'holds a NUL byte (is it a binary file?)' };
}

/** Line and column (in characters) of byte `offset`. */
function positionOf(bytes: Buffer, offset: number): { line: number; col: number } {
  const lines = bytes.subarray(0, offset).toString('utf8').split('\n');
  return { line: lines.length, col: [...(lines[lines.length - 1] ?? '')].length + 1 };
}

/** Where the first byte that is not UTF-8 sits: line and column (in characters) before it. */
function encodingProblem(bytes: Buffer): InputProblem {
  const offset = firstInvalidUtf8(bytes);
  const { line, col } = positionOf(bytes, offset);
  const byte = bytes[offset] ?? 0;
  return {
    kind: 'encoding',
    line,
    col,
    message: `is not valid UTF-8 (byte 0x${byte.toString(16).padStart(2, '0')} at offset ${offset}); save it as UTF-8 text`,
  };
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const [length, min, max] =
      b < 0x80
        ? [1, 0, 0]
        : b >= 0xc2 && b <= 0xdf
          ? [2, 0x80, 0xbf]
          : b === 0xe0
            ? [3, 0xa0, 0xbf]
            : b === 0xed
              ? [3, 0x80, 0x9f]
              : b >= 0xe1 && b <= 0xef
                ? [3, 0x80, 0xbf]
                : b === 0xf0
                  ? [4, 0x90, 0xbf]
                  : b >= 0xf1 && b <= 0xf3
                    ? [4, 0x80, 0xbf]
                    : b === 0xf4
                      ? [4, 0x80, 0x8f]
                      : [0, 0, 0];
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      const [lo, hi] = k === 1 ? [min, max] : [0x80, 0xbf];
      if (c === undefined || c < lo || c > hi) return i;
    }
    i += length;
  }
  return bytes.length;
}

function code(error: unknown): string {
  const c = (error as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : 'error';
}
