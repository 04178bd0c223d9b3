/**
 * The one tar dialect a bundle is written in: POSIX ustar headers for regular files, names split
 * into prefix and name as ustar allows, sizes in octal (base-256 past 8 GiB). Reading takes the
 * same dialect and nothing else, so a link, a folder, a device or an extension header is refused
 * by its kind instead of being interpreted. (tar-stream, which the engine archives use, would
 * follow pax and GNU extensions; a bundle reader must not.)
 */
export const BLOCK = 512;

export interface TarHeader {
  name: string;
  size: number;
  /** `file`, or what else the header declares (refused by the reader). */
  kind: string;
}

const KINDS: Record<string, string> = {
  '0': 'file',
  '\0': 'file',
  '1': 'hard link',
  '2': 'symbolic link',
  '3': 'character device',
  '4': 'block device',
  '5': 'directory',
  '6': 'FIFO',
  '7': 'contiguous file',
  x: 'pax extended header',
  g: 'pax global header',
  L: 'GNU long name',
  K: 'GNU long link name',
};

function writeString(block: Buffer, offset: number, length: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > length) throw new Error(`"${text}" does not fit a ustar field of ${length}`);
  bytes.copy(block, offset);
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  const digits = value.toString(8);
  if (digits.length < length) {
    writeString(block, offset, length, `${digits.padStart(length - 1, '0')}\0`);
    return;
  }
  // base-256: the high bit of the first byte set, the value big-endian in the rest.
  block.fill(0, offset, offset + length);
  block[offset] = 0x80;
  let v = BigInt(value);
  for (let i = offset + length - 1; i > offset; i--) {
    block[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** The 512-byte ustar header of a regular file. */
export function encodeHeader(name: string, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  let base = name;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0) throw new Error(`entry name too long for ustar: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  writeString(block, 0, 100, base);
  writeOctal(block, 100, 8, 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, 0);
  block.fill(0x20, 148, 156);
  block[156] = 0x30;
  writeString(block, 257, 6, 'ustar\0');
  writeString(block, 263, 2, '00');
  writeString(block, 345, 155, prefix);
  let sum = 0;
  for (const b of block) sum += b;
  writeString(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** Zero bytes that pad `size` up to a whole block. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function readString(block: Buffer, offset: number, length: number): string {
  const end = block.indexOf(0, offset);
  return block.toString(
    'utf8',
    offset,
    end === -1 || end > offset + length ? offset + length : end,
  );
}

function readNumber(block: Buffer, offset: number, length: number): number | null {
  if ((block[offset] ?? 0) & 0x80) {
    let v = 0n;
    for (let i = offset + 1; i < offset + length; i++) v = (v << 8n) | BigInt(block[i] ?? 0);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null;
  }
  const text = readString(block, offset, length).trim();
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : null;
}

/** True for the zero blocks that end an archive. */
export function isZeroBlock(block: Buffer): boolean {
  for (const b of block) if (b !== 0) return false;
  return true;
}

/** A header block read back, or why it is not a ustar header this reader takes. */
export function decodeHeader(block: Buffer): TarHeader | { problem: string; name: string } {
  const base = readString(block, 0, 100);
  const prefix = readString(block, 345, 155);
  const name = prefix === '' ? base : `${prefix}/${base}`;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  const stored = readNumber(block, 148, 8);
  if (stored !== sum) return { problem: 'a tar header with a wrong checksum', name };
  if (block.toString('latin1', 257, 263) !== 'ustar\0')
    return { problem: 'a tar header that is not POSIX ustar', name };
  const size = readNumber(block, 124, 12);
  if (size === null) return { problem: 'a tar header with an unreadable size', name };
  const flag = String.fromCharCode(block[156] ?? 0);
  return { name, size, kind: KINDS[flag] ?? `entry of tar type "${flag}"` };
}
