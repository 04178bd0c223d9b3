import type { Catalog } from '../core/catalog-model.js';
import type { ConfigValue } from '../core/config.js';
import { KsadError } from '../core/errors.js';
import { rememberedValues } from '../core/remembered-values.js';
import type { Overlay } from '../core/schema/overlay.js';
import type { ReleaseStore } from '../ports/release-store.js';

/** What `ksad values` shows: the values one revision was deployed with, secrets masked. */
export interface AppValues {
  app: string;
  revision: number;
  version: string;
  status: string;
  /** The values given (or, with `all`, every resolved value, defaults included). */
  config: Record<string, ConfigValue>;
  services: NonNullable<Overlay['services']>;
  /** Each secret the revision used, by name; the value is never shown. */
  secrets: Record<string, '********'>;
  /** True when the revision was recorded before values were remembered (see RememberedValues). */
  derived: boolean;
  all: boolean;
}

export const MASK = '********';

/**
 * The values of `app`'s running revision, or of `revision`: the config keys the engineer set and
 * the service overrides, which `-f` takes back as an overlay. `catalog` finds the manifest of a
 * revision recorded before values were remembered, to leave its defaults out.
 */
export async function appValues(
  store: ReleaseStore,
  catalog: Catalog | undefined,
  app: string,
  opts: { revision?: number; all?: boolean } = {},
): Promise<AppValues> {
  const records = await store.releases(app);
  if (records.length === 0) {
    throw new KsadError('NOT_FOUND', `${app} has no release history on this host`, {
      suggestions: ['list what is deployed: ksad list'],
    });
  }
  const record =
    opts.revision === undefined
      ? ([...records].reverse().find((r) => r.status === 'deployed') ?? records.at(-1))
      : records.find((r) => r.revision === opts.revision);
  if (record === undefined) {
    throw new KsadError('NOT_FOUND', `${app} has no revision ${String(opts.revision)}`, {
      suggestions: [
        `revisions kept: ${records.map((r) => r.revision).join(', ')} (ksad history ${app})`,
      ],
    });
  }
  const recorded = catalog?.manifests.find((m) => m.digest === record.manifestDigest)?.manifest;
  const values = rememberedValues(record, recorded);
  return {
    app,
    revision: record.revision,
    version: record.version,
    status: record.status,
    config: opts.all === true ? { ...record.config } : values.config,
    services: values.services,
    secrets: Object.fromEntries(values.secretNames.map((n) => [n, MASK])),
    derived: values.derived,
    all: opts.all === true,
  };
}
