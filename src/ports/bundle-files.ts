/**
 * Bundle files on disk: reading one back entry by entry (every byte hashed, nothing kept but the
 * small metadata entries) and writing one, streamed. Implemented by `adapters/bundle-file.ts`.
 */
import type { BundlePart, IndexEntry } from '../core/bundle/format.js';

export interface ScannedEntry extends IndexEntry {
  /** Where its content starts in the bundle's bytes (all parts as one). */
  offset: number;
}

/** Everything read from a bundle's bytes, before any of it is trusted. */
export interface ScannedBundle {
  /** The name the user gave. */
  file: string;
  /** The files that make it up, in order (one, or its numbered parts). */
  files: string[];
  /** Every tar entry, in order, the index and its signature included. */
  entries: ScannedEntry[];
  /** Bytes of the small entries (catalog files, OCI metadata, the index and its signature). */
  metadata: Map<string, Uint8Array>;
  /** Each part as found (name, size, sha256), when the bundle is split. */
  parts: BundlePart[];
}

export interface BundleWriter {
  /** Adds a small entry. */
  file(path: string, bytes: Uint8Array): Promise<IndexEntry>;
  /**
   * Adds an entry streamed from `source`, which must be `size` bytes with sha256 `sha256`:
   * anything else throws INTEGRITY naming `what`, and the bundle is not written.
   */
  stream(
    path: string,
    size: number,
    sha256: string,
    source: AsyncIterable<Uint8Array>,
    what: string,
  ): Promise<IndexEntry>;
  /** Ends the data: with a split, closes the last data part. Returns the parts written so far. */
  closeData(): Promise<BundlePart[]>;
  /** Writes the index and its signature (alone in the last part when split); returns the files. */
  finish(index: Uint8Array, signature: Uint8Array): Promise<string[]>;
  /** Removes what was written. */
  abort(): Promise<void>;
}

export interface BundleFiles {
  /**
   * Reads the whole bundle once: tar structure, every entry's sha256, each part's checksum.
   * Throws INTEGRITY naming the entry or the part for anything that is not a well-formed bundle
   * (a missing or truncated part, a link, a folder, an unsafe path, an oversized metadata entry).
   */
  scan(file: string, detail?: (text: string) => void): Promise<ScannedBundle>;
  /** The bytes of one entry (small ones: image manifests and configs). */
  read(bundle: ScannedBundle, path: string): Promise<Uint8Array>;
  /** One entry's content, streamed. */
  stream(bundle: ScannedBundle, path: string): AsyncIterable<Uint8Array>;
  /** A new bundle at `out` (split into parts of `splitBytes` when given); nothing is visible until `finish`. */
  create(out: string, splitBytes: number | null): Promise<BundleWriter>;
}
