import { createHash } from 'node:crypto';
import type { SourceFile } from './catalog-model.js';

/** The sha256 of a text's UTF-8 bytes, as lowercase hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Identifies a catalog's content: its root and every file's path and text. */
export function contentKey(root: string, files: readonly SourceFile[]): string {
  const hash = createHash('sha256').update(root).update('\0');
  for (const f of files) {
    hash.update(f.path).update('\0').update(f.text).update('\0');
    if (f.problem) hash.update(JSON.stringify(f.problem)).update('\0');
  }
  return hash.digest('hex');
}
