/**
 * The values a revision was deployed with, as an engineer gave them: config keys set by overlays
 * and `--set` (never the manifest's defaults, so an upgrade gets the new version's defaults for
 * what was never set), service overrides, and the names of its secrets. A deploy without
 * `--reset-values` starts from the running revision's values and layers `-f`/`--set` on top, as
 * Helm's `--reset-then-reuse-values` does.
 */
import type { ConfigValue } from './config.js';
import type { ReleaseRecord } from './release.js';
import type { Manifest } from './schema/manifest.js';
import type { Overlay } from './schema/overlay.js';
import { nearest } from './suggest.js';

export interface RememberedValues {
  app: string;
  revision: number;
  version: string;
  config: Record<string, ConfigValue>;
  services: NonNullable<Overlay['services']>;
  /** The overlays' `ingress` section (host names, path, TLS), when the app was routed. */
  ingress?: Overlay['ingress'];
  secretNames: string[];
  /**
   * True for a record written before ksad remembered the values given: its resolved config is
   * used, without the keys that equal the recorded manifest's defaults when that manifest is known.
   */
  derived: boolean;
}

/** A remembered value the new version has no place for: reported, not carried over. */
export interface DroppedValue {
  /** `config.KEY` or `services.NAME`. */
  path: string;
  /** The config value (never a secret); absent for a service. */
  value?: ConfigValue;
  /** A new key of that version with a close name, which may be its new name. */
  renamedTo?: string;
}

/** The values `record` was deployed with; `recorded` is its manifest, when the catalog has it. */
export function rememberedValues(record: ReleaseRecord, recorded?: Manifest): RememberedValues {
  const derived = record.suppliedConfig === undefined;
  const config = record.suppliedConfig ?? withoutDefaults(record.config, recorded);
  return {
    app: record.app,
    revision: record.revision,
    version: record.version,
    config: { ...config },
    services: structuredClone(record.serviceOverrides ?? {}),
    ...(record.ingress != null ? { ingress: structuredClone(record.ingress) } : {}),
    secretNames: [...record.secretNames],
    derived,
  };
}

/** `config` without the keys whose value is `manifest`'s default (all of it without a manifest). */
export function withoutDefaults(
  config: Record<string, ConfigValue>,
  manifest: Manifest | undefined,
): Record<string, ConfigValue> {
  if (manifest === undefined) return config;
  return Object.fromEntries(
    Object.entries(config).filter(([key, value]) => manifest.config[key]?.default !== value),
  );
}

/**
 * The remembered values as the first overlay layer for `manifest`, without what it no longer
 * declares (each such value is listed in `dropped`).
 */
export function carryOver(
  values: RememberedValues,
  manifest: Manifest,
  recorded?: Manifest,
): { overlay: Overlay; dropped: DroppedValue[] } {
  const dropped: DroppedValue[] = [];
  const config: Record<string, ConfigValue> = {};
  for (const [key, value] of Object.entries(values.config)) {
    if (Object.hasOwn(manifest.config, key)) {
      config[key] = value;
      continue;
    }
    const renamedTo = renameOf(key, values, manifest, recorded);
    dropped.push({ path: `config.${key}`, value, ...(renamedTo ? { renamedTo } : {}) });
  }
  const services: NonNullable<Overlay['services']> = {};
  const declared = Object.keys(manifest.services);
  for (const [name, override] of Object.entries(values.services)) {
    if (Object.hasOwn(manifest.services, name)) {
      services[name] = override;
      continue;
    }
    const renamedTo = nearest(
      name,
      declared.filter((s) => !Object.hasOwn(values.services, s)),
    );
    dropped.push({ path: `services.${name}`, ...(renamedTo ? { renamedTo } : {}) });
  }
  const overlay: Overlay = { config };
  if (Object.keys(services).length > 0) overlay.services = services;
  // The route is the app's, not the version's: it carries over as the values do.
  if (values.ingress != null) overlay.ingress = values.ingress;
  return { overlay, dropped };
}

/**
 * A key of the new version that may be `key` renamed: among the keys the recorded version did not
 * have (or, without it, that have no value), the closest name, else the one key of the same type.
 */
function renameOf(
  key: string,
  values: RememberedValues,
  manifest: Manifest,
  recorded: Manifest | undefined,
): string | undefined {
  const added = Object.keys(manifest.config).filter((k) =>
    recorded ? !Object.hasOwn(recorded.config, k) : !Object.hasOwn(values.config, k),
  );
  const close = nearest(key, added);
  if (close !== undefined) return close;
  const type = recorded?.config[key]?.type;
  const sameType = added.filter((k) => manifest.config[k]?.type === type);
  return type !== undefined && sameType.length === 1 ? sameType[0] : undefined;
}

/**
 * The config keys an engineer set, from the merged overlays, with their resolved (typed) values:
 * a `null` (back to the default) is not a value.
 */
export function suppliedConfig(
  merged: Overlay['config'],
  resolved: Readonly<Record<string, ConfigValue>>,
): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  for (const [key, value] of Object.entries(merged ?? {})) {
    const typed = resolved[key];
    if (value !== null && typed !== undefined) out[key] = typed;
  }
  return out;
}

/** One line per dropped value, for deploy's text output and warnings. */
export function droppedText(d: DroppedValue, version: string): string {
  const what =
    d.value !== undefined ? `${d.path} (${JSON.stringify(d.value)})` : `${d.path} (its overrides)`;
  const renamed = d.renamedTo !== undefined ? `; renamed to ${d.renamedTo}?` : '';
  return `${what} is not in ${version} and was not carried over${renamed}`;
}
