// Types for scripts/build-images.js, which stays plain JavaScript so it runs with no build step.

export const IMAGES_DIR: string;
export const PINS_FILE: string;
export const SAMPLE_NAMESPACE: string;
export const DEFAULT_REGISTRY: string;
export const DEFAULT_BUSYBOX: string;
export const MEDIA_TYPES: Readonly<{ manifest: string; config: string; layer: string }>;

export interface LayerEntry {
  path: string;
  type?: 'file' | 'dir' | 'symlink';
  mode?: number;
  content?: string | Buffer;
  target?: string;
}

export type ImageFile = string | Buffer | { content: string | Buffer; mode?: number };

export interface BuildImageOptions {
  name: string;
  /** Path in the image → content. A string or Buffer starting with "#!" is made executable. */
  files?: Record<string, ImageFile>;
  entrypoint?: string[];
  cmd?: string[];
  /** Added after PATH=/bin. */
  env?: Record<string, string>;
  /** "8080/tcp" or "8080". */
  exposedPorts?: string[];
  labels?: Record<string, string>;
  workingDir?: string;
  description?: string;
  busyboxPath?: string;
}

export interface Blob {
  mediaType: string;
  digest: string;
  data: Buffer;
}

export interface BuiltImage {
  name: string;
  manifest: Buffer;
  /** `sha256:<hex>` of the manifest bytes: what a reference pins. */
  digest: string;
  config: Buffer;
  blobs: Blob[];
  busyboxDigest: string;
}

export interface PushOptions {
  registry?: string;
  repository: string;
  tag?: string;
}

export interface Pins {
  busybox?: { path?: string; package?: string; sha256?: string };
  images?: Record<string, string>;
}

export function sha256(data: string | Buffer): string;
export function createLayer(entries: LayerEntry[]): Buffer;
export function baseLayer(busyboxPath?: string): { data: Buffer; busyboxDigest: string };
export function buildImage(options: BuildImageOptions): BuiltImage;
export function sampleNames(imagesDir?: string): string[];
export function loadSample(name: string, imagesDir?: string): BuildImageOptions;
export function buildSampleImages(options?: {
  names?: string[];
  imagesDir?: string;
  busyboxPath?: string;
}): BuiltImage[];
export function sampleReference(registry: string, name: string, digest: string): string;
/** Returns `registry/repository@sha256:…`. */
export function pushImage(image: BuiltImage, options: PushOptions): Promise<string>;
export function readPins(file?: string): Pins;
export function compareWithPins(images: BuiltImage[], pins: Pins): string[];
