import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  BLOB_PREFIX,
  entryPathProblem,
  FILES_PREFIX,
  INDEX_PATH,
  MAX_ENTRIES,
  METADATA_ENTRY_LIMIT,
  OCI_INDEX_PATH,
  OCI_LAYOUT_PATH,
  partName,
  SIGNATURE_PATH,
  type BundlePart,
  type IndexEntry,
} from '../core/bundle/format.js';
import { KsadError } from '../core/errors.js';
import type {
  BundleFiles,
  BundleWriter,
  ScannedBundle,
  ScannedEntry,
} from '../ports/bundle-files.js';
import { BLOCK, decodeHeader, encodeHeader, isZeroBlock, padding } from './ustar.js';

const CHUNK = 1024 * 1024;
/** All metadata entries together stay under this, whatever a hostile bundle lists. */
const METADATA_TOTAL_LIMIT = 32 * 1024 * 1024;

function refuse(file: string, message: string, suggestion?: string): KsadError {
  return new KsadError('INTEGRITY', `${file}: ${message}`, {
    suggestions: [
      suggestion ?? 'the bundle is damaged or was altered: copy it again from the original',
      'nothing was loaded and the engine was not touched',
    ],
  });
}

function isMetadata(path: string): boolean {
  return (
    path.startsWith(FILES_PREFIX) ||
    path.startsWith('ksad-bundle/') ||
    path === OCI_LAYOUT_PATH ||
    path === OCI_INDEX_PATH
  );
}

/** The files a bundle name stands for: the file itself, or its numbered parts `NAME.001` …. */
async function bundleFiles(named: string): Promise<string[]> {
  // A part named for the bundle (`NAME.001`) stands for the whole bundle.
  const part = /^(.*)\.\d{3,}$/.exec(named)?.[1];
  const file = part !== undefined && (await lstat(`${part}.001`).catch(() => null)) ? part : named;
  const single = await lstat(file).catch(() => null);
  if (single?.isFile()) return [file];
  if (single !== null)
    throw new KsadError('USAGE', `${file} is not a regular file`, {
      suggestions: ['name the bundle file, or the common name of its parts (without .001)'],
    });
  const dir = dirname(file);
  const base = basename(file);
  const names = await readdir(dir).catch(() => [] as string[]);
  const parts = names
    .filter((n) => n.startsWith(`${base}.`) && /^\d{3,}$/.test(n.slice(base.length + 1)))
    .sort((a, b) => Number(a.slice(base.length + 1)) - Number(b.slice(base.length + 1)));
  if (parts.length === 0)
    throw new KsadError('NOT_FOUND', `No such bundle: ${file} (nor its parts ${file}.001 …)`);
  return parts.map((n) => join(dir, n));
}

/** Chunks of `file` from `start` (inclusive) to `end` (exclusive). */
async function* readRange(file: string, start = 0, end?: number): AsyncGenerator<Buffer> {
  if (end !== undefined && end <= start) return;
  const stream = createReadStream(file, {
    start,
    ...(end === undefined ? {} : { end: end - 1 }),
    highWaterMark: CHUNK,
  });
  for await (const chunk of stream) yield chunk as Buffer;
}

/** The tar of the last part alone: the index's expected parts, before the whole bundle is read. */
async function expectedParts(last: string): Promise<BundlePart[] | null> {
  const buffers: Buffer[] = [];
  for await (const c of readRange(last, 0, METADATA_ENTRY_LIMIT * 2)) buffers.push(c);
  const bytes = Buffer.concat(buffers);
  const header = decodeHeader(bytes.subarray(0, BLOCK));
  if ('problem' in header || header.name !== INDEX_PATH) return null;
  try {
    const index = JSON.parse(bytes.toString('utf8', BLOCK, BLOCK + header.size)) as {
      parts?: BundlePart[];
    };
    return Array.isArray(index.parts) ? index.parts : null;
  } catch {
    return null;
  }
}

/** Refuses a split bundle with a missing, truncated or extra part, naming it. */
async function checkPartsPresent(file: string, files: string[]): Promise<void> {
  const last = files.at(-1)!;
  const expected = await expectedParts(last);
  if (expected === null) {
    throw refuse(
      last,
      'this last part does not start with the bundle index: the last part is missing, or the parts are not of one bundle',
      `copy every part ${basename(file)}.001 … and the last one (which holds the index)`,
    );
  }
  const present = new Map(files.slice(0, -1).map((f) => [basename(f), f]));
  const missing = expected.filter((p) => !present.has(p.name)).map((p) => p.name);
  if (missing.length > 0)
    throw refuse(
      file,
      `part${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`,
      'copy the missing parts beside the others',
    );
  const extra = [...present.keys()].filter((n) => !expected.some((p) => p.name === n));
  if (extra.length > 0) throw refuse(file, `${extra.join(', ')} is not a part of this bundle`);
  for (const p of expected) {
    const size = (await lstat(present.get(p.name)!)).size;
    if (size < p.size)
      throw refuse(p.name, `part truncated: ${size} bytes of ${p.size}`, 'copy this part again');
    if (size > p.size)
      throw refuse(p.name, `part longer than the index says (${size} bytes, not ${p.size})`);
  }
}

/** Reads a bundle's bytes through once (see `BundleFiles.scan`). */
class Scanner {
  readonly entries: ScannedEntry[] = [];
  readonly metadata = new Map<string, Uint8Array>();
  private kept = 0;
  private offset = 0;
  private pending = Buffer.alloc(0);
  private current: {
    entry: ScannedEntry;
    left: number;
    pad: number;
    hash: ReturnType<typeof createHash>;
    keep: Buffer[] | null;
  } | null = null;
  private zeros = 0;
  ended = false;

  constructor(private readonly file: string) {}

  push(chunk: Buffer): void {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length > 0) {
      if (this.current) {
        const c = this.current;
        if (c.left > 0) {
          const take = data.subarray(0, Math.min(c.left, data.length));
          c.hash.update(take);
          c.keep?.push(Buffer.from(take));
          c.left -= take.length;
          this.offset += take.length;
          data = data.subarray(take.length);
          continue;
        }
        const skip = Math.min(c.pad, data.length);
        c.pad -= skip;
        this.offset += skip;
        data = data.subarray(skip);
        if (c.pad === 0) this.close();
        continue;
      }
      if (data.length < BLOCK) {
        this.pending = Buffer.from(data);
        return;
      }
      this.header(data.subarray(0, BLOCK));
      this.offset += BLOCK;
      data = data.subarray(BLOCK);
    }
    if (this.current?.left === 0 && this.current.pad === 0) this.close();
  }

  private header(block: Buffer): void {
    if (this.ended) {
      if (!isZeroBlock(block)) throw refuse(this.file, 'bytes after the end of the archive');
      return;
    }
    if (isZeroBlock(block)) {
      this.zeros += 1;
      if (this.zeros === 2) this.ended = true;
      return;
    }
    if (this.zeros > 0) throw refuse(this.file, 'a lone zero block inside the archive');
    const h = decodeHeader(block);
    const at = `entry "${h.name}"`;
    if ('problem' in h) throw refuse(this.file, `${at}: ${h.problem}`);
    if (h.kind !== 'file')
      throw refuse(this.file, `${at} is a ${h.kind}: a bundle holds only regular files`);
    const problem = entryPathProblem(h.name);
    if (problem !== null) throw refuse(this.file, `${at}: ${problem}`);
    if (this.entries.some((e) => e.path === h.name)) throw refuse(this.file, `${at} appears twice`);
    if (this.entries.length >= MAX_ENTRIES)
      throw refuse(this.file, `more than ${MAX_ENTRIES} entries`);
    const metadata = isMetadata(h.name);
    if (metadata && h.size > METADATA_ENTRY_LIMIT)
      throw refuse(
        this.file,
        `${at} is ${h.size} bytes, over the ${METADATA_ENTRY_LIMIT}-byte limit for metadata`,
      );
    if (metadata) this.kept += h.size;
    if (this.kept > METADATA_TOTAL_LIMIT)
      throw refuse(this.file, `${at}: the metadata entries exceed ${METADATA_TOTAL_LIMIT} bytes`);
    const entry: ScannedEntry = {
      path: h.name,
      size: h.size,
      sha256: '',
      offset: this.offset + BLOCK,
    };
    this.current = {
      entry,
      left: h.size,
      pad: padding(h.size),
      hash: createHash('sha256'),
      keep: metadata ? [] : null,
    };
    if (h.size === 0) this.close();
  }

  private close(): void {
    const c = this.current!;
    c.entry.sha256 = c.hash.digest('hex');
    if (c.keep) this.metadata.set(c.entry.path, Buffer.concat(c.keep));
    this.entries.push(c.entry);
    this.current = null;
  }

  end(): void {
    if (this.current !== null)
      throw refuse(
        this.file,
        `truncated inside entry "${this.current.entry.path}"`,
        'copy the bundle again: it is shorter than it was written',
      );
    if (this.pending.length > 0 || !this.ended)
      throw refuse(
        this.file,
        'truncated: the archive does not end where a tar ends',
        'copy the bundle again: it is shorter than it was written',
      );
  }
}

export class FsBundleFiles implements BundleFiles {
  async scan(
    file: string,
    detail: (text: string) => void = () => undefined,
  ): Promise<ScannedBundle> {
    const files = await bundleFiles(file);
    if (files.length > 1) await checkPartsPresent(file, files);
    const scanner = new Scanner(file);
    const parts: BundlePart[] = [];
    let read = 0;
    const split = files.length > 1;
    for (const [i, part] of files.entries()) {
      // A part's own checksum only when there are parts: one file is covered by its entries'.
      const hash = split ? createHash('sha256') : null;
      let size = 0;
      for await (const chunk of readRange(part)) {
        hash?.update(chunk);
        size += chunk.length;
        scanner.push(chunk);
        read += chunk.length;
        if (read % (64 * CHUNK) < chunk.length) detail(`${Math.round(read / CHUNK)} MiB checked`);
      }
      if (hash && i < files.length - 1)
        parts.push({ name: basename(part), size, sha256: hash.digest('hex') });
    }
    scanner.end();
    return { file, files, entries: scanner.entries, metadata: scanner.metadata, parts };
  }

  async read(bundle: ScannedBundle, path: string): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    for await (const c of this.stream(bundle, path)) chunks.push(c);
    return Buffer.concat(chunks);
  }

  async *stream(bundle: ScannedBundle, path: string): AsyncGenerator<Uint8Array> {
    const entry = bundle.entries.find((e) => e.path === path);
    if (!entry) throw refuse(bundle.file, `no entry "${path}"`);
    let start = entry.offset;
    let left = entry.size;
    for (const f of bundle.files) {
      if (left === 0) return;
      const size = (await lstat(f)).size;
      if (start >= size) {
        start -= size;
        continue;
      }
      const end = Math.min(size, start + left);
      yield* readRange(f, start, end);
      left -= end - start;
      start = 0;
    }
    if (left > 0) throw refuse(bundle.file, `entry "${path}" ends past the bundle's last byte`);
  }

  async create(out: string, splitBytes: number | null): Promise<BundleWriter> {
    const writer = new FileBundleWriter(out, splitBytes);
    await writer.start();
    return writer;
  }
}

/** Writes a bundle under `.partial` names and renames them only once it is complete. */
class FileBundleWriter implements BundleWriter {
  private handle: FileHandle | null = null;
  private written = 0;
  private partHash = createHash('sha256');
  private readonly files: Array<{ partial: string; final: string }> = [];
  private readonly parts: BundlePart[] = [];
  /** Writing the last part (the index): it is never cut, whatever its size. */
  private last = false;

  constructor(
    private readonly out: string,
    private readonly splitBytes: number | null,
  ) {}

  async start(): Promise<void> {
    await this.openPart();
  }

  private async openPart(): Promise<void> {
    const final = this.splitBytes === null ? this.out : partName(this.out, this.files.length + 1);
    const partial = `${final}.partial`;
    this.handle = await open(partial, 'w', 0o644);
    this.files.push({ partial, final });
    this.written = 0;
    this.partHash = createHash('sha256');
  }

  private async closePart(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
    const f = this.files.at(-1)!;
    if (this.splitBytes !== null)
      this.parts.push({
        name: basename(f.final),
        size: this.written,
        sha256: this.partHash.digest('hex'),
      });
  }

  private async write(bytes: Uint8Array): Promise<void> {
    let data = bytes;
    while (data.length > 0) {
      if (this.splitBytes !== null && !this.last && this.written >= this.splitBytes) {
        await this.closePart();
        await this.openPart();
      }
      const room = this.splitBytes === null ? data.length : this.splitBytes - this.written;
      const take = data.subarray(0, Math.min(room, data.length));
      await this.handle!.write(take);
      this.partHash.update(take);
      this.written += take.length;
      data = data.subarray(take.length);
    }
  }

  async file(path: string, bytes: Uint8Array): Promise<IndexEntry> {
    await this.write(encodeHeader(path, bytes.length));
    await this.write(bytes);
    await this.write(Buffer.alloc(padding(bytes.length)));
    return { path, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  async stream(
    path: string,
    size: number,
    sha256: string,
    source: AsyncIterable<Uint8Array>,
    what: string,
  ): Promise<IndexEntry> {
    await this.write(encodeHeader(path, size));
    const hash = createHash('sha256');
    let seen = 0;
    for await (const chunk of source) {
      seen += chunk.length;
      if (seen > size)
        throw new KsadError(
          'INTEGRITY',
          `${what} is longer than the ${size} bytes its manifest says`,
        );
      hash.update(chunk);
      await this.write(chunk);
    }
    const actual = hash.digest('hex');
    if (seen !== size || actual !== sha256)
      throw new KsadError(
        'INTEGRITY',
        `${what} is not the content its digest names (got ${seen} bytes, sha256:${actual})`,
        {
          suggestions: [
            'the registry serves different content than the image manifest names; no bundle was written',
          ],
        },
      );
    await this.write(Buffer.alloc(padding(size)));
    return { path, size, sha256 };
  }

  async closeData(): Promise<BundlePart[]> {
    if (this.splitBytes !== null) {
      await this.closePart();
      await this.openPart();
    }
    return [...this.parts];
  }

  async finish(index: Uint8Array, signature: Uint8Array): Promise<string[]> {
    this.last = true;
    await this.file(INDEX_PATH, index);
    await this.file(SIGNATURE_PATH, signature);
    await this.write(Buffer.alloc(BLOCK * 2));
    await this.handle!.sync();
    await this.handle!.close();
    this.handle = null;
    // The parts first, the index's part last: a kill in between leaves no complete-looking bundle.
    for (const f of this.files) await rename(f.partial, f.final);
    return this.files.map((f) => f.final);
  }

  async abort(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    await Promise.all(this.files.map((f) => rm(f.partial, { force: true })));
  }
}

/** The blob paths of a scanned bundle, by digest. */
export function blobEntries(bundle: ScannedBundle): Set<string> {
  return new Set(
    bundle.entries
      .filter((e) => e.path.startsWith(BLOB_PREFIX))
      .map((e) => `sha256:${e.path.slice(BLOB_PREFIX.length)}`),
  );
}
