import type { Diagnostic } from '../diagnostics.js';
import type { YamlDoc, YamlPath } from '../yaml-doc.js';
import type { CredentialPool } from './credentials.js';

/** Metadata a compose file cannot give; each absent one is drafted or listed as a decision. */
export interface DraftMetadata {
  publisher: string;
  name?: string | undefined;
  version?: string | undefined;
  title?: string | undefined;
  description?: string | undefined;
  license?: string | undefined;
  url?: string | undefined;
  dimensions?: readonly string[] | undefined;
  categories?: readonly string[] | undefined;
  maintenance?: 'internal' | 'contract' | 'community' | 'none' | undefined;
  contacts?: ReadonlyArray<{ name: string; email?: string }> | undefined;
  releaseDate?: string | undefined;
  /** `requires.ksad`, e.g. ">=0.1.0". */
  requiresKsad?: string | undefined;
}

export interface ComposeInput {
  /** The compose file's path as shown in diagnostics. */
  file: string;
  text: string;
  /** Env files named by `env_file`, by the path as written there; null when the file is missing. */
  envFiles?: Readonly<Record<string, string | null>>;
  /**
   * Other compose files that `extends.file` names, by their path relative to this file's folder
   * (`common/base.yml`); null when one cannot be read.
   */
  extendsFiles?: Readonly<Record<string, string | null>>;
  /** Variables from the project's `.env`: defaults for `${VAR}`, as Compose reads them. */
  dotenv?: Readonly<Record<string, string>>;
  /** App name when neither --name nor the compose `name:` gives one (e.g. the folder name). */
  fallbackName?: string;
  meta: DraftMetadata;
}

/** An image still to be pinned, with where the compose file names it. */
export interface ImageToPin {
  service: string;
  image: string;
  line: number;
  col: number;
}

export interface ComposeDraft {
  /** The manifest draft, keys in the order a manifest is written. */
  manifest: Record<string, unknown>;
  /** Errors (the compose file cannot be read) and warnings (what did not carry over), by location. */
  diagnostics: Diagnostic[];
  /** Images named by tag, to resolve to digests. */
  images: ImageToPin[];
  /** What the publisher must still decide before `manifest lint` passes or the draft is publishable. */
  decisions: string[];
}

export interface ConfigEntry {
  type: 'string' | 'integer' | 'boolean' | 'port';
  description: string;
  default?: string | number | boolean;
  required?: boolean;
}

/** A secret of the draft, generated at install. */
export interface DraftSecret {
  description: string;
  value: string | undefined;
}

/** What the import of one compose file shares between its steps (ports, volumes, environment …). */
export interface ImportContext {
  readonly yaml: YamlDoc;
  readonly root: Record<string, unknown>;
  readonly input: ComposeInput;
  /** Variables from `.env`, as Compose reads them for interpolation. */
  readonly env: Readonly<Record<string, string>>;
  readonly config: Map<string, ConfigEntry>;
  readonly secrets: Map<string, DraftSecret>;
  /** The credentials of the whole file, joined into one secret each. */
  readonly credentials: CredentialPool;
  /** Compose service name → manifest service name (a slug). */
  readonly names: Map<string, string>;
  readonly images: ImageToPin[];
  readonly decisions: string[];
  /** OCI labels that fill manifest metadata (the first service that has one wins). */
  readonly labels: { license?: string; url?: string; title?: string; description?: string };
  /** A warning at the key of `path`. */
  warn(path: YamlPath, rule: string, message: string): void;
  /** A warning at the value of `path`. */
  warnValue(path: YamlPath, rule: string, message: string): void;
}

export interface ParsedPort {
  container: number;
  /** Host port; null when it comes from a variable without a default; undefined: unpublished. */
  host: number | null | undefined;
  hostVar: string | undefined;
  protocol: string;
  name: string | undefined;
}
