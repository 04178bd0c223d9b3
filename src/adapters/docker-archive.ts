import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { ArchiveFile } from '../ports/docker-engine.js';

/**
 * The tar archives the Engine API's `/containers/{id}/archive` speaks: a pack of files to upload
 * into a folder, and the regular files of a downloaded folder (tar-stream, which dockerode's own
 * tar-fs is built on).
 */
export async function packFiles(files: readonly ArchiveFile[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const f of files) {
    await new Promise<void>((resolve, reject) => {
      pack.entry(
        { name: f.name, mode: f.mode, mtime: new Date(0), uid: 0, gid: 0 },
        f.content,
        (error) => (error ? reject(error) : resolve()),
      );
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** The regular files directly inside the archived folder, by base name. */
export function unpackFiles(stream: Readable): Promise<Record<string, Buffer>> {
  const extract = tar.extract();
  const files: Record<string, Buffer> = {};
  return new Promise((resolve, reject) => {
    extract.on('entry', (header, entry, next) => {
      const parts = posix.normalize(header.name).split('/').filter(Boolean);
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => {
        // The archive of `dir` holds `dir/` and `dir/<file>`: only files one level down count.
        if (header.type === 'file' && parts.length === 2 && parts[1] !== undefined)
          files[parts[1]] = Buffer.concat(chunks);
        next();
      });
      entry.on('error', reject);
    });
    extract.on('finish', () => resolve(files));
    extract.on('error', reject);
    stream.on('error', reject);
    stream.pipe(extract);
  });
}
