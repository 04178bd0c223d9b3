import {
  checkServiceOverrides,
  problemsToDiagnostics,
  resolveConfig,
  type ConfigValue,
  type Problem,
} from '../core/config.js';
import { catalogYamlDoc } from '../core/catalog-build.js';
import type { Catalog, LoadedManifest, LoadedMou } from '../core/catalog-model.js';
import {
  formatDiagnostic,
  hasErrors,
  sortDiagnostics,
  type Diagnostic,
} from '../core/diagnostics.js';
import type { EngineInfo } from '../core/engine-model.js';
import { KsadError } from '../core/errors.js';
import { deployabilityErrors } from '../core/lint/index.js';
import { coverage } from '../core/mou-rules.js';
import {
  checkProvidedCertificate,
  parseRouteLabel,
  resolveRoute,
  routeConflicts,
  type Route,
} from '../core/ingress.js';
import { Label } from '../core/labels.js';
import {
  applySets,
  mergeOverlays,
  pathKey,
  type MergeResult,
  type OverlayLayer,
  type OverlayPath,
} from '../core/overlay-merge.js';
import {
  carryOver,
  rememberedValues,
  suppliedConfig,
  withoutDefaults,
  type DroppedValue,
} from '../core/remembered-values.js';
import { planDeploy, type ActualState, type Plan } from '../core/plan.js';
import type { HostProfile, ReleaseRecord } from '../core/release.js';
import { parseAppRef, resolveVersion } from '../core/resolve.js';
import { overlaySchema, type Overlay, type OverlayIngress } from '../core/schema/overlay.js';
import { planSecrets, type SecretPlan } from '../core/secrets.js';
import { buildDesiredState, type DesiredState } from '../core/service-specs.js';
import { swarmVolumeWarnings } from '../core/lint/swarm.js';
import {
  diagnosticAt,
  locate,
  locateKey,
  parseYaml,
  zodIssuesToDiagnostics,
} from '../core/yaml-doc.js';
import type { Clock } from '../ports/clock.js';
import type { DeployTarget } from '../ports/deploy-target.js';
import type { ReleaseStore } from '../ports/release-store.js';
import { calendarOf } from './calendar.js';
import { findPortConflicts, type PortConflict } from './port-conflicts.js';
import { refuseUnpublished } from './published-digest.js';
import { verifyManifest, type SignatureRecord } from './verify.js';

/** An overlay file as the user named it, with its text. */
export interface OverlayFile {
  file: string;
  text: string;
}

/** What the engineer asked for: the same for `render`, `plan` and `deploy`. */
export interface DeployRequest {
  /** `APP`, `APP@RANGE` or `PUBLISHER/APP@RANGE`. */
  ref: string;
  overlays: OverlayFile[];
  sets: string[];
  /** Secret values given for this run (from `KSAD_SECRET_<NAME>` or `--secret NAME=@file`). */
  suppliedSecrets: Record<string, string>;
  /**
   * The secrets named by `--secret` (not by `KSAD_SECRET_*`, which may be meant for another app):
   * one the manifest does not declare is a usage error rather than silently ignored.
   */
  secretFlags?: string[];
  /** Deploy although no active MoU covers the app; the reason is recorded with the release. */
  overrideReason?: string;
  /** The region's certificate and key for the app's route (`ingress.tls: provided`). */
  tls?: { certificate: string; key: string };
  /**
   * Re-create a recorded revision exactly (a rollback): the manifest with this digest and these
   * configuration values and service overrides, instead of resolving `ref` and layering overlays.
   */
  pinned?: PinnedRelease;
  /**
   * Start from the manifest's defaults instead of the running revision's values (which a deploy
   * otherwise reuses, with the overlays and `--set` on top).
   */
  resetValues?: boolean;
}

/** What a release record holds to re-create its revision. */
export interface PinnedRelease {
  manifestDigest: string;
  /** The recorded file, named in the error when the catalog no longer has the digest. */
  manifestFile: string;
  config: Record<string, ConfigValue>;
  serviceOverrides?: Overlay['services'];
  ingress?: OverlayIngress;
  /** The values the engineer gave for that revision (absent in older records). */
  suppliedConfig?: Record<string, ConfigValue>;
}

export interface DeployContext {
  /** Where the host's profile, records, secrets and locks are kept. */
  store: ReleaseStore;
  /** Where releases run. */
  target: DeployTarget;
  catalog: Catalog;
  clock: Clock;
  /** Makes a random secret of `length` characters. */
  randomSecret: (length: number) => string;
}

export type MouGrant =
  | { kind: 'mou'; slug: string; number: string; validUntil: string }
  | { kind: 'override'; reason: string };

/** A deploy worked out against the catalog and the host, before anything changes. */
export interface Prepared {
  engine: EngineInfo;
  profile: HostProfile;
  loaded: LoadedManifest;
  grant: MouGrant;
  /** How the manifest's signature was checked (see verifyManifest). */
  signature: SignatureRecord;
  config: Record<string, ConfigValue>;
  /** Per-service overrides from the overlays (resources, environment), recorded to re-create. */
  serviceOverrides: NonNullable<Overlay['services']>;
  /** The overlays' `ingress` section, recorded so a rollback serves the same route. */
  ingress?: OverlayIngress;
  /** The region's certificate and key given with this deploy. */
  tls?: { certificate: string; key: string };
  /** The config values the engineer gave, reused ones included (no defaults): recorded. */
  suppliedConfig: Record<string, ConfigValue>;
  /** The revision whose values this deploy started from (null: the manifest's defaults). */
  valuesFrom: number | null;
  /** Reused values the version no longer declares. */
  droppedValues: DroppedValue[];
  secrets: SecretPlan;
  /** The secret values stored on the host before this change. */
  storedSecrets: Record<string, string>;
  desired: DesiredState;
  actual: ActualState;
  plan: Plan;
  /** Host ports the release wants that something else holds: plan and deploy refuse them. */
  portConflicts: PortConflict[];
  /** The running release, if any. */
  current: ReleaseRecord | null;
  history: ReleaseRecord[];
  /** The manifest's image references that the engine already has. */
  imagesPresent: Set<string>;
  /** What the target warns about this release (a swarm: volumes that do not follow a task). */
  warnings: string[];
}

/** The manifest whose file has `digest`, or INTEGRITY naming the recorded file. */
export function manifestByDigest(
  catalog: Catalog,
  pinned: Pick<PinnedRelease, 'manifestDigest' | 'manifestFile'>,
): LoadedManifest {
  const found = catalog.manifests.find((m) => m.digest === pinned.manifestDigest);
  if (found) return found;
  throw new KsadError(
    'INTEGRITY',
    `catalog "${catalog.name}" has no manifest with digest ${pinned.manifestDigest} (recorded as ${pinned.manifestFile})`,
    {
      suggestions: [
        'manifests are immutable: the file was changed or removed since that revision was deployed',
        'use the catalog (or commit) that revision came from: --catalog NAME|PATH',
      ],
    },
  );
}

/** Checks that an active MoU grants `loaded` to the host's region (or records the override). */
export function grantFor(
  catalog: Catalog,
  loaded: LoadedManifest,
  profile: HostProfile,
  day: string,
  overrideReason: string | undefined,
): { loaded: LoadedManifest; grant: MouGrant } {
  const { covering, inactive } = coverage(catalog, loaded, profile.region.code, day);
  const best = [...covering].sort((a, b) => b.mou.validUntil.localeCompare(a.mou.validUntil))[0];
  if (best) return { loaded, grant: grantOf(best) };
  if (overrideReason !== undefined && overrideReason.trim() !== '') {
    return { loaded, grant: { kind: 'override', reason: overrideReason.trim() } };
  }
  const { name, version } = loaded.manifest;
  throw new KsadError(
    'NOT_COVERED',
    `no active MoU grants ${name}@${version} to ${profile.region.name} (${profile.region.code})`,
    {
      details: inactive.map(({ mou, reason }) => `${mou.file}: ${mou.mou.number}: ${reason}`),
      suggestions: [
        inactive.length > 0
          ? 'renew the MoU with the publisher, or pick a version it covers (ksad show ' + name + ')'
          : `ask the publisher for an MoU covering ${name}; see: ksad mou list --region ${profile.region.code}`,
        'to deploy anyway, record why: --override-mou "<reason>"',
        ...(hasErrors(catalog.diagnostics)
          ? ['some catalog files do not parse, so their MoUs are left out: ksad catalog lint']
          : []),
      ],
    },
  );
}

function grantOf(m: LoadedMou): MouGrant {
  return { kind: 'mou', slug: m.slug, number: m.mou.number, validUntil: m.mou.validUntil };
}

/** Parses and checks every overlay; all problems are reported at once as `file:line:col`. */
export function loadOverlays(files: readonly OverlayFile[], app: string): OverlayLayer[] {
  const diagnostics: Diagnostic[] = [];
  const layers: OverlayLayer[] = [];
  for (const { file, text } of files) {
    const yaml = parseYaml(file, text);
    if (yaml.diagnostics.length > 0) {
      diagnostics.push(...yaml.diagnostics);
      continue;
    }
    const parsed = overlaySchema.safeParse(yaml.value ?? {});
    if (!parsed.success) {
      diagnostics.push(...zodIssuesToDiagnostics(yaml, parsed.error.issues, overlaySchema));
      continue;
    }
    if (parsed.data.app !== undefined && parsed.data.app !== app) {
      diagnostics.push(
        diagnosticAt(
          yaml,
          ['app'],
          'error',
          'overlay-app',
          `this overlay is for "${parsed.data.app}", not "${app}"`,
        ),
      );
      continue;
    }
    layers.push({ source: file, overlay: parsed.data, locate: (path) => locate(yaml, path) });
  }
  if (diagnostics.length > 0) throw invalid('overlay', diagnostics);
  return layers;
}

/**
 * Refuses a manifest that lint rejects for a host (privileged, host namespaces, capabilities,
 * devices, host paths, unmet dependencies), with lint's diagnostics at their file:line:col.
 */
function refuseUndeployable(catalog: Catalog, loaded: LoadedManifest): void {
  const unit = { file: loaded.file, manifest: loaded.manifest };
  // The rules run on the manifest's data first: its node tree, for the positions, is parsed only
  // when there is something to report (on every deploy it would be most of a no-op's work).
  if (deployabilityErrors(unit, undefined).length === 0) return;
  const errors = deployabilityErrors(unit, catalogYamlDoc(catalog, loaded.file));
  const { name, version } = loaded.manifest;
  throw new KsadError(
    'INVALID',
    `${name}@${version} cannot be deployed: its manifest asks for what a host must not give (${errors.length} problem${errors.length === 1 ? '' : 's'})`,
    {
      details: sortDiagnostics(errors).map(formatDiagnostic),
      suggestions: [
        `ask the publisher for a version without these settings; \`ksad catalog lint\` reports the same lines`,
        'nothing was changed on the host',
      ],
    },
  );
}

/**
 * A secret an earlier revision used must still be on the host: a new value would not open what
 * the old one made (a database keeps the password it was created with), so ksad stops rather than
 * generate one, unless the value is supplied again.
 */
function refuseLostSecrets(
  manifest: LoadedManifest['manifest'],
  history: readonly ReleaseRecord[],
  stored: Readonly<Record<string, string>>,
  supplied: Readonly<Record<string, string>>,
): void {
  const lost = Object.keys(manifest.secrets)
    .filter((name) => !stored[name] && !supplied[name])
    .map((name) => ({ name, by: history.filter((r) => r.secretNames.includes(name)).at(-1) }))
    .filter((l): l is { name: string; by: ReleaseRecord } => l.by !== undefined);
  if (lost.length === 0) return;
  const app = manifest.name;
  throw new KsadError(
    'INTEGRITY',
    `${app} used ${lost.map((l) => `${l.name} (revision ${l.by.revision})`).join(', ')}, but ${lost.length === 1 ? 'that secret is' : 'those secrets are'} gone from the host; ksad will not make a new value that the app's data would not accept`,
    {
      suggestions: [
        `restore the secrets vault of ${app} from a backup of the host, or`,
        ...lost.map(
          (l) => `supply the value it had: --secret ${l.name}=@FILE (or KSAD_SECRET_${l.name})`,
        ),
        'nothing was changed on the host',
      ],
    },
  );
}

function refuseUndeclaredSecrets(
  manifest: LoadedManifest['manifest'],
  named: readonly string[],
): void {
  const declared = Object.keys(manifest.secrets);
  const unknown = named.filter((n) => !Object.hasOwn(manifest.secrets, n));
  if (unknown.length === 0) return;
  throw new KsadError(
    'USAGE',
    `${manifest.name} ${manifest.version} declares no secret ${unknown.join(', ')} (--secret)`,
    {
      suggestions: [
        declared.length > 0
          ? `its secrets: ${declared.join(', ')}`
          : `${manifest.name} ${manifest.version} takes no secrets: drop --secret`,
        'nothing was changed on the host',
      ],
    },
  );
}

function invalid(what: string, diagnostics: Diagnostic[]): KsadError {
  const lines = sortDiagnostics(diagnostics).map(formatDiagnostic);
  return new KsadError(
    'INVALID',
    `the ${what} has ${lines.length} problem${lines.length === 1 ? '' : 's'}`,
    {
      details: lines,
      suggestions: ['fix the lines above and run the command again; nothing was changed'],
    },
  );
}

/**
 * Works a request out against the catalog and the host: version, MoU, configuration, secrets,
 * desired state and plan. Reads only; nothing on the host changes.
 */
export async function prepareDeploy(
  ctx: DeployContext,
  req: DeployRequest,
  host: Promise<HostFacts> = readHostFacts(ctx),
): Promise<Prepared> {
  // Whatever fails first is reported; the other reads must not turn into unhandled rejections.
  host.catch(() => undefined);
  // The manifest comes from the catalog alone, so the app's state on the host is read while the
  // engine's facts and the profile (which the MoU check needs) arrive.
  const chosen = req.pinned
    ? manifestByDigest(ctx.catalog, req.pinned)
    : resolveVersion(ctx.catalog, parseAppRef(req.ref));
  const images = [...new Set(Object.values(chosen.manifest.services).map((s) => s.image))];
  const reads = Promise.all([
    ctx.store.releases(chosen.manifest.name),
    ctx.store.secrets(chosen.manifest.name),
    ctx.target.actual(chosen.manifest.name),
    ctx.target.imagesPresent(images),
  ]);
  reads.catch(() => undefined);
  const { engine: engineInfo, profile } = await host;
  const { loaded, grant } = grantFor(
    ctx.catalog,
    chosen,
    profile,
    calendarOf(ctx.clock, { host: profile }).date,
    req.overrideReason,
  );
  const { manifest } = loaded;
  refuseUndeployable(ctx.catalog, loaded);
  const signature = verifyManifest(ctx.catalog, loaded, profile.policy);
  refuseUnpublished(ctx.catalog, loaded);
  checkDockerApi(manifest.requires.dockerApi, engineInfo);

  refuseUndeclaredSecrets(manifest, req.secretFlags ?? []);
  const layers = loadOverlays(req.overlays, manifest.name);
  const [history, existingSecrets, actual, present] = await reads;
  const current = [...history].reverse().find((r) => r.status === 'deployed') ?? null;
  const revision = (history.at(-1)?.revision ?? 0) + 1;
  const { values, resolved } = configuration(ctx.catalog, req, loaded, layers, current);
  const { merged } = values;

  refuseLostSecrets(manifest, history, existingSecrets, req.suppliedSecrets);
  const secrets = planSecrets(manifest, {
    existing: existingSecrets,
    supplied: req.suppliedSecrets,
    generate: ctx.randomSecret,
  });
  if (secrets.missing.length > 0) {
    throw new KsadError(
      'INVALID',
      `${manifest.name} needs secrets that were not supplied: ${secrets.missing.join(', ')}`,
      {
        suggestions: secrets.missing.map(
          (n) => `set KSAD_SECRET_${n} in the environment, or pass --secret ${n}=@FILE`,
        ),
      },
    );
  }

  const route = await routeFor(ctx, manifest, merged, layers, actual, req.tls);
  const desired = buildDesiredState({
    manifest,
    manifestDigest: loaded.digest,
    config: resolved.values,
    secrets: secrets.values,
    region: profile.region,
    revision,
    bindAddress: profile.policy.bindAddress,
    serviceOverrides: merged.merged.services,
    serviceName: ctx.target.serviceName,
    ...(route !== undefined ? { route } : {}),
  });
  const plan = planDeploy(desired, actual);
  const portConflicts = await findPortConflicts(ctx.target, manifest, desired, actual);
  return {
    engine: engineInfo,
    profile,
    loaded,
    grant,
    signature,
    config: resolved.values,
    serviceOverrides: merged.merged.services ?? {},
    ...(merged.merged.ingress !== undefined ? { ingress: merged.merged.ingress } : {}),
    ...(req.tls !== undefined && route?.tls === 'provided' ? { tls: req.tls } : {}),
    suppliedConfig:
      req.pinned === undefined
        ? suppliedConfig(merged.merged.config, resolved.values)
        : (req.pinned.suppliedConfig ?? withoutDefaults(req.pinned.config, manifest)),
    valuesFrom: values.from,
    droppedValues: values.dropped,
    secrets,
    storedSecrets: existingSecrets,
    desired,
    actual,
    plan,
    portConflicts,
    current,
    history,
    imagesPresent: present,
    warnings:
      ctx.target.kind === 'swarm' ? swarmVolumeWarnings(desired, profile.policy.bindAddress) : [],
  };
}

/**
 * The app's route through the ingress, checked: a service with an HTTP port, the region's
 * certificate when the overlay says `tls: provided` (given now, or kept from an earlier deploy),
 * and no other app on the host serving the same host name and path.
 */
async function routeFor(
  ctx: Pick<DeployContext, 'target'>,
  manifest: LoadedManifest['manifest'],
  merged: MergeResult,
  layers: readonly OverlayLayer[],
  actual: ActualState,
  tls: DeployRequest['tls'],
): Promise<Route | undefined> {
  const ingress = merged.merged.ingress;
  if (ingress === undefined) return undefined;
  const tlsPath = ['ingress', 'tls'];
  const source = (path: string[]): string =>
    merged.origins.get(pathKey(path)) ?? merged.origins.get('ingress.hosts') ?? '';
  let certificate: string | undefined;
  const problems: Problem[] = [];
  if ((ingress.tls ?? 'internal') === 'provided') {
    if (tls !== undefined) {
      const checked = checkProvidedCertificate(tls, ingress.hosts ?? []);
      certificate = checked.sha256;
      for (const message of checked.problems)
        problems.push({ source: source(tlsPath), path: tlsPath, rule: 'ingress-tls', message });
    } else {
      certificate = actual.containers
        .map((c) => parseRouteLabel(c.labels[Label.route])?.certificate)
        .find((c) => c !== undefined);
      if (certificate === undefined)
        problems.push({
          source: source(tlsPath),
          path: tlsPath,
          rule: 'ingress-tls',
          message:
            'tls is "provided" but no certificate is kept for this app: pass --tls-cert FILE --tls-key FILE',
        });
    }
  }
  const resolved = resolveRoute(manifest, ingress, merged.origins, certificate);
  problems.push(...resolved.problems);
  if (resolved.route !== undefined) {
    const others = (await ctx.target.inventory()).containers
      .map((c) => parseRouteLabel(c.labels[Label.route]))
      .filter((r): r is Route => r !== undefined && r.app !== manifest.name);
    problems.push(...routeConflicts(resolved.route, others, merged.origins));
  }
  if (problems.length > 0) throw invalid('configuration', problemsToDiagnostics(problems, layers));
  return resolved.route;
}

/** What a deploy needs of the host beyond the app: the engine and the host's profile. */
export interface HostFacts {
  engine: EngineInfo;
  profile: HostProfile;
}

/**
 * Reads the engine's facts and the host profile. Neither belongs to an app, so a deploy reads
 * them while it takes the app's lock.
 */
export async function readHostFacts(
  ctx: Pick<DeployContext, 'store' | 'target'>,
): Promise<HostFacts> {
  const [info, profile] = await Promise.all([ctx.target.facts(), ctx.store.requireProfile()]);
  return { engine: info, profile };
}

/**
 * The configuration of this deploy: the values it starts from with the overlays on top, resolved
 * against the manifest's schema; every problem at once (INVALID), a required key without a value
 * at the manifest line that declares it.
 */
function configuration(
  catalog: Catalog,
  req: DeployRequest,
  loaded: LoadedManifest,
  layers: OverlayLayer[],
  current: ReleaseRecord | null,
): { values: ReturnType<typeof layeredValues>; resolved: ReturnType<typeof resolveConfig> } {
  const { manifest } = loaded;
  const values = layeredValues(catalog, req, loaded, layers, current);
  const { merged } = values;
  const resolved = resolveConfig(manifest, merged.merged.config, merged.origins, {
    missingSource: loaded.file,
  });
  const problems = [
    ...resolved.problems,
    ...checkServiceOverrides(manifest, merged.merged.services, merged.origins),
  ];
  if (problems.length > 0) {
    const doc = catalogYamlDoc(catalog, loaded.file);
    const declared = {
      source: loaded.file,
      locate: (path: OverlayPath) => doc && locateKey(doc, path),
    };
    throw invalid('configuration', problemsToDiagnostics(problems, [...layers, declared]));
  }
  return { values, resolved };
}

/**
 * The overlays merged over the values this deploy starts from: a pinned revision's, the running
 * revision's (unless reset), or none on a first install.
 */
function layeredValues(
  catalog: Catalog,
  req: DeployRequest,
  loaded: LoadedManifest,
  layers: OverlayLayer[],
  current: ReleaseRecord | null,
): { merged: MergeResult; from: number | null; dropped: DroppedValue[] } {
  if (req.pinned) {
    const merged = mergeOverlays([
      { source: 'release record', overlay: pinnedOverlay(req.pinned) },
    ]);
    return { merged, from: null, dropped: [] };
  }
  if (current === null || req.resetValues === true) {
    return { merged: applySets(mergeOverlays(layers), req.sets), from: null, dropped: [] };
  }
  const recorded = catalog.manifests.find((m) => m.digest === current.manifestDigest)?.manifest;
  const reused = carryOver(rememberedValues(current, recorded), loaded.manifest, recorded);
  const base: OverlayLayer = {
    source: `values of revision ${current.revision}`,
    overlay: reused.overlay,
  };
  return {
    merged: applySets(mergeOverlays([base, ...layers]), req.sets),
    from: current.revision,
    dropped: reused.dropped,
  };
}

function pinnedOverlay(pinned: PinnedRelease): Overlay {
  const overlay: Overlay = { config: { ...pinned.config } };
  if (pinned.serviceOverrides !== undefined) overlay.services = pinned.serviceOverrides;
  if (pinned.ingress !== undefined) overlay.ingress = pinned.ingress;
  return overlay;
}

function checkDockerApi(required: string | undefined, engine: EngineInfo): void {
  if (required === undefined) return;
  const [reqMajor = 0, reqMinor = 0] = required.split('.').map(Number);
  const [major = 0, minor = 0] = engine.apiVersion.split('.').map(Number);
  if (major > reqMajor || (major === reqMajor && minor >= reqMinor)) return;
  throw new KsadError(
    'ENGINE_UNAVAILABLE',
    `the app needs Docker API ${required} but the engine at ${engine.endpoint} speaks ${engine.apiVersion}`,
    { suggestions: ['upgrade the Docker engine on this host'] },
  );
}
