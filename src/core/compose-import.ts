import { sortDiagnostics } from './diagnostics.js';
import type { Diagnostic } from './diagnostics.js';
import { SLUG_PATTERN, SMART_CITY_DIMENSIONS } from './schema/index.js';
import { diagnosticAt, parseYaml } from './yaml-doc.js';
import type { YamlDoc, YamlPath } from './yaml-doc.js';
import {
  collectEnv,
  commandLike,
  environment as mapEnvironment,
  registerCredentials,
} from './compose/environment.js';
import { CredentialPool } from './compose/credentials.js';
import { literalOf } from './compose/interpolation.js';
import {
  convertDuration,
  envFileItems,
  isRecord,
  resolveMerges,
  scalarString,
  titleOf,
  toSlug,
} from './compose/parsers.js';
import { ports as mapPorts } from './compose/ports.js';
import { malformedTemplates } from './compose/templates.js';
import { resolveExtends, type ExtendsFiles } from './compose/extends.js';
import {
  dependsOn as mapDependsOn,
  healthcheck as mapHealthcheck,
  labels as mapLabels,
  resources as mapResources,
  restart as mapRestart,
} from './compose/settings.js';
import type {
  ComposeDraft,
  ComposeInput,
  ConfigEntry,
  DraftSecret,
  ImageToPin,
  ImportContext,
} from './compose/types.js';
import { volumes as mapVolumes } from './compose/volumes.js';

export {
  interpolationDefault,
  literalOf,
  parseInterpolation,
  type InterpolationModifier,
  type InterpolationPart,
} from './compose/interpolation.js';
export { convertDuration, convertMemory, parseEnvFile, shellSplit } from './compose/parsers.js';
export { looksSecret } from './compose/credentials.js';
export { extendsFilesOf } from './compose/extends.js';
export type { ComposeDraft, ComposeInput, DraftMetadata, ImageToPin } from './compose/types.js';

/** The env_file paths a compose file names, so the caller can read them before importing. */
export function composeEnvFiles(text: string, extendsFiles: ExtendsFiles = {}): string[] {
  const yaml = parseYaml('compose', text, { foreign: true });
  const value = resolveMerges(yaml.value);
  const raw = isRecord(value) && isRecord(value.services) ? value.services : {};
  const { services } = resolveExtends(yaml, raw, extendsFiles);
  const paths = new Set<string>();
  for (const s of Object.values(services)) {
    if (!isRecord(s)) continue;
    for (const { file } of envFileItems(s.env_file)) paths.add(file);
  }
  return [...paths];
}

const SERVICE_KEYS_HANDLED = new Set([
  'image',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'ports',
  'volumes',
  'depends_on',
  'healthcheck',
  'restart',
  'deploy',
  'mem_limit',
  'cpus',
  'working_dir',
  'user',
  'init',
  'read_only',
  'stop_grace_period',
  'labels',
  'build',
]);

/** Settings that widen a container's hold on the host, with why they are left out. */
const UNSAFE: Record<string, string> = {
  privileged:
    "a privileged container has full control of the recipient's host; ksad manifests do not carry it, so it was left out",
  cap_add: 'added Linux capabilities widen what the container can do to the host; left out',
  devices: 'host devices are not given to containers by ksad; left out',
  pid: "sharing the host's process table is not supported; left out",
  ipc: "sharing the host's IPC namespace is not supported; left out",
  network_mode: "ksad runs every service on the release's own network; network_mode was left out",
  userns_mode: 'the host user namespace is not supported; left out',
  security_opt: 'security options (e.g. seccomp/apparmor unconfined) are not supported; left out',
};

const NOT_NEEDED: Record<string, string> = {
  links: 'links are not needed: services reach each other by name (${service.NAME.host}); left out',
  external_links: 'external links reach outside the release, which ksad does not support; left out',
  networks:
    'ksad puts every service of a release on one network of its own; networks were left out',
  container_name: 'ksad names containers after the release itself; left out',
  hostname:
    "a service's hostname is its name on the release network (${service.NAME.host}); left out",
  expose: 'expose is not needed: services of one release reach each other on every port; left out',
  profiles:
    'profiles are not supported: every service of a manifest is deployed; the service was kept, remove it from the draft if it is optional',
  secrets:
    'Compose secrets are not supported: declare the secret under "secrets" and pass it through environment as ${secret.NAME}; left out',
  configs:
    'Compose configs are not supported: put the setting in environment (${config.KEY}) or in the image; left out',
  extra_hosts: 'extra host entries are not supported; left out',
  tmpfs: 'tmpfs mounts are not supported; left out',
  cap_drop: 'cap_drop is not supported by the manifest; left out',
};

/** Pure: a compose file → a manifest draft, with every setting that did not carry over reported. */
export function importCompose(input: ComposeInput): ComposeDraft {
  const yaml = parseYaml(input.file, input.text, { foreign: true });
  const diagnostics: Diagnostic[] = [...yaml.diagnostics];
  const empty = (): ComposeDraft => ({ manifest: {}, diagnostics, images: [], decisions: [] });
  if (diagnostics.some((d) => d.severity === 'error')) return empty();
  const root = resolveMerges(yaml.value);
  if (!isRecord(root) || !isRecord(root.services) || Object.keys(root.services).length === 0) {
    diagnostics.push(
      diagnosticAt(
        yaml,
        ['services'],
        'error',
        'compose',
        'a compose file needs a "services" map with at least one service',
      ),
    );
    return empty();
  }
  const extended = resolveExtends(yaml, root.services, input.extendsFiles ?? {});
  diagnostics.push(...extended.diagnostics);
  root.services = extended.services;
  const malformed = malformedTemplates(yaml, root);
  if (malformed.length > 0) {
    diagnostics.push(...malformed);
    return { ...empty(), diagnostics: sortDiagnostics(diagnostics) };
  }
  return new ComposeImporter(yaml, root, input, diagnostics, extended.unresolved).run();
}

class ComposeImporter implements ImportContext {
  readonly config = new Map<string, ConfigEntry>();
  readonly secrets = new Map<string, DraftSecret>();
  readonly credentials = new CredentialPool();
  private readonly services: Record<string, Record<string, unknown>> = {};
  readonly images: ImageToPin[] = [];
  readonly decisions: string[] = [];
  /** Compose service name → manifest service name (a slug). */
  readonly names = new Map<string, string>();
  readonly env: Readonly<Record<string, string>>;
  readonly labels: ImportContext['labels'] = {};

  constructor(
    readonly yaml: YamlDoc,
    readonly root: Record<string, unknown>,
    readonly input: ComposeInput,
    private readonly diagnostics: Diagnostic[],
    /** Services whose `extends` could not be resolved. */
    private readonly unresolvedExtends: ReadonlySet<string> = new Set(),
  ) {
    this.env = input.dotenv ?? {};
  }

  warn(path: YamlPath, rule: string, message: string): void {
    this.diagnostics.push(diagnosticAt(this.yaml, path, 'warning', rule, message, { at: 'key' }));
  }

  warnValue(path: YamlPath, rule: string, message: string): void {
    this.diagnostics.push(diagnosticAt(this.yaml, path, 'warning', rule, message));
  }

  run(): ComposeDraft {
    const services = this.root.services as Record<string, unknown>;
    this.topLevel();
    // Names first: environment values may point at any service by its hostname.
    for (const [name, s] of Object.entries(services)) {
      if (!isRecord(s)) {
        this.warn(['services', name], 'compose-unsupported', 'is not a map of settings; left out');
        continue;
      }
      if (s.image === undefined) {
        this.warn(
          ['services', name],
          'compose-unsupported',
          s.build === undefined
            ? this.unresolvedExtends.has(name)
              ? 'has no image, since what it extends could not be read (see its extends); left out'
              : 'has no image; left out'
            : 'has only "build" and no image: ksad deploys published images only; build and push it, then add the service with its image; left out',
        );
        continue;
      }
      const slug = toSlug(name);
      if (!SLUG_PATTERN.test(slug) || [...this.names.values()].includes(slug)) {
        this.warn(
          ['services', name],
          'compose-unsupported',
          `cannot be named as a ksad service (lower-case letters, digits, dashes); left out`,
        );
        continue;
      }
      if (slug !== name)
        this.warn(
          ['services', name],
          'compose-changed',
          `renamed to "${slug}": ksad service names are lower-case letters, digits and dashes`,
        );
      this.names.set(name, slug);
    }
    // Credentials next: one used by several services must become one secret before any is written.
    for (const name of this.names.keys()) {
      const s = services[name] as Record<string, unknown>;
      const entries = collectEnv(this, name, s, () => undefined);
      registerCredentials(
        this.credentials,
        this.env,
        literalOf(scalarString(s.image) ?? '', this.env),
        entries,
      );
    }
    this.credentials.seal();
    for (const [name, slug] of this.names)
      this.services[slug] = this.service(name, services[name] as Record<string, unknown>);
    return this.finish();
  }

  private topLevel(): void {
    for (const [key, value] of Object.entries(this.root)) {
      if (key === 'services' || key === 'name' || key.startsWith('x-')) continue;
      if (key === 'version') continue; // obsolete in compose-spec; it changes nothing
      if (key === 'volumes') {
        if (!isRecord(value)) continue;
        for (const [vol, spec] of Object.entries(value)) {
          if (!isRecord(spec)) continue;
          for (const k of Object.keys(spec)) {
            const what =
              k === 'external'
                ? 'an external volume is not created by the release: the release makes and owns its own volume, so data already in it is not carried over'
                : `volume ${k} is not supported: the release's volumes use the engine's default local driver`;
            this.warn(['volumes', vol, k], 'compose-unsupported', `${what}; left out`);
          }
        }
        continue;
      }
      const message =
        key === 'networks'
          ? 'ksad puts every service of a release on one network of its own; networks were left out'
          : key === 'secrets' || key === 'configs'
            ? `top-level ${key} are not supported: declare secrets under "secrets" and settings under "config" of the manifest; left out`
            : key === 'include'
              ? 'include is not supported: merge the included files into this one first (docker compose config); left out'
              : `"${key}" is not supported by ksad; left out`;
      this.warn([key], 'compose-unsupported', message);
    }
  }

  // -- one service ------------------------------------------------------------------------------

  private service(name: string, s: Record<string, unknown>): Record<string, unknown> {
    const at = (...rest: Array<string | number>): YamlPath => ['services', name, ...rest];
    const out: Record<string, unknown> = {};
    out.image = this.image(name, s.image);
    const command = commandLike(this, name, 'command', s.command);
    if (command) out.command = command;
    const entrypoint = commandLike(this, name, 'entrypoint', s.entrypoint);
    if (entrypoint) out.entrypoint = entrypoint;
    if (s.working_dir !== undefined) out.workingDir = this.plain(at('working_dir'), s.working_dir);
    if (s.user !== undefined) out.user = this.plain(at('user'), s.user);
    const environment = mapEnvironment(this, name, s, String(out.image));
    if (Object.keys(environment).length > 0) out.environment = environment;
    const ports = mapPorts(this, name, s.ports);
    if (ports.length > 0) out.ports = ports;
    const volumes = mapVolumes(this, name, s.volumes);
    if (volumes.length > 0) out.volumes = volumes;
    const healthcheck = mapHealthcheck(this, name, s.healthcheck);
    if (healthcheck) out.healthcheck = healthcheck;
    const dependsOn = mapDependsOn(this, name, s.depends_on);
    if (Object.keys(dependsOn).length > 0) out.dependsOn = dependsOn;
    const resources = mapResources(this, name, s);
    if (Object.keys(resources).length > 0) out.resources = resources;
    const restart = mapRestart(this, name, s);
    if (restart !== undefined) out.restart = restart;
    if (s.init === true) out.init = true;
    if (s.read_only === true) out.readOnlyRootFilesystem = true;
    if (s.stop_grace_period !== undefined) {
      const raw = scalarString(s.stop_grace_period) ?? '';
      const d = convertDuration(literalOf(raw, this.env));
      if (d === undefined)
        this.warnValue(
          at('stop_grace_period'),
          'compose-unsupported',
          `${JSON.stringify(s.stop_grace_period)} is not a duration; left out`,
        );
      else out.stopGracePeriod = d;
    }
    mapLabels(this, name, s.labels);
    if (s.build !== undefined)
      this.warn(
        at('build'),
        'compose-unsupported',
        'build is ignored: the draft deploys the published image',
      );
    for (const key of Object.keys(s)) {
      if (SERVICE_KEYS_HANDLED.has(key) || key.startsWith('x-')) continue;
      if (key === 'init' || key === 'read_only') continue;
      const message =
        UNSAFE[key] ?? NOT_NEEDED[key] ?? `"${key}" is not supported by ksad; left out`;
      this.warn(at(key), 'compose-unsupported', message);
    }
    return out;
  }

  private image(name: string, raw: unknown): string {
    const path: YamlPath = ['services', name, 'image'];
    let image = scalarString(raw) ?? '';
    if (image.includes('$')) {
      const resolved = literalOf(image, this.env);
      this.warnValue(
        path,
        'compose-interpolation',
        `"${image}" uses variables; a manifest names one image, so it became "${resolved}"`,
      );
      image = resolved;
    }
    if (!/@sha256:[a-f0-9]{64}$/.test(image)) {
      const { line, col } = diagnosticAt(this.yaml, path, 'warning', '', '');
      this.images.push({ service: this.names.get(name) ?? name, image, line, col });
    }
    return image;
  }

  /** A value where a manifest takes no references: variables become their defaults. */
  private plain(path: YamlPath, raw: unknown): string {
    const s = scalarString(raw) ?? '';
    const resolved = s.includes('$') ? literalOf(s, this.env) : s;
    if (resolved !== s)
      this.warnValue(
        path,
        'compose-interpolation',
        `"${s}" uses variables, which this field cannot reference; it became "${resolved}"`,
      );
    // This field cannot name a secret: a credential's literal stays, and will not match it.
    const held = this.credentials.literalValues().find(({ value }) => resolved.includes(value));
    if (held !== undefined)
      this.warnValue(
        path,
        'compose-secret',
        `holds the literal value of the credential \${secret.${held.secret}}, which this field cannot reference and which is generated at install: remove it from here`,
      );
    return resolved;
  }

  // -- the manifest -----------------------------------------------------------------------------

  /** Decisions about joined credentials and config keys every region must set. */
  private sharedAndRequired(): void {
    for (const j of this.credentials.joined()) {
      if (!this.secrets.has(j.secret)) continue;
      this.decisions.push(
        `secrets.${j.secret}: one credential, joined from ${j.uses.join(', ')} (${j.reasons.join('; ')}): generated once at install and given to each of them`,
      );
      const secret = this.secrets.get(j.secret);
      if (secret) secret.description = `${secret.description} Shared by ${j.uses.join(', ')}.`;
    }
    for (const [key, c] of this.config) {
      if (c.required === true)
        this.decisions.push(
          `config.${key} has no default: each region must set it (add a default if one fits every region)`,
        );
    }
  }

  private finish(): ComposeDraft {
    const meta = this.input.meta;
    const composeName = typeof this.root.name === 'string' ? toSlug(this.root.name) : undefined;
    const name = meta.name ?? composeName ?? (toSlug(this.input.fallbackName ?? '') || 'app');
    const title = meta.title ?? this.labels.title ?? titleOf(name);
    const serviceNames = Object.keys(this.services);
    const short =
      meta.description ??
      this.labels.description ??
      `${title}: aplikasi ${serviceNames.length} layanan (${serviceNames.join(', ')}) yang dipasang dengan ksad.`.slice(
        0,
        150,
      );
    if (meta.description === undefined && this.labels.description === undefined) {
      this.decisions.push(
        'description.id.shortDescription was drafted from the title and services: say what the app does for a region (--description)',
      );
    }
    const license = meta.license ?? this.labels.license;
    const url = meta.url ?? this.labels.url;
    const dimensions = meta.dimensions ?? [];
    if (license === undefined)
      this.decisions.push(
        'license: no --license and no org.opencontainers.image.licenses label; choose the SPDX license the app is granted under',
      );
    if (url === undefined)
      this.decisions.push(
        'url: no --url and no org.opencontainers.image.source label; give the source repository recipients can read',
      );
    if (dimensions.length === 0)
      this.decisions.push(
        `dimensions: choose the Smart City dimensions the app serves (--dimension ${SMART_CITY_DIMENSIONS.join('|')})`,
      );
    this.sharedAndRequired();

    const manifest: Record<string, unknown> = {
      schemaVersion: 1,
      name,
      version: meta.version ?? '0.1.0',
      publisher: meta.publisher,
      title,
      description: { id: { shortDescription: short } },
    };
    if (dimensions.length > 0) manifest.dimensions = [...dimensions];
    if (meta.categories !== undefined && meta.categories.length > 0)
      manifest.categories = [...meta.categories];
    if (license !== undefined) manifest.license = license;
    if (url !== undefined) manifest.url = url;
    if (meta.releaseDate !== undefined) manifest.releaseDate = meta.releaseDate;
    manifest.maintenance = {
      type: meta.maintenance ?? 'internal',
      ...(meta.contacts && meta.contacts.length > 0
        ? { contacts: meta.contacts.map((c) => ({ ...c })) }
        : {}),
    };
    if (meta.requiresKsad !== undefined) manifest.requires = { ksad: meta.requiresKsad };
    if (this.config.size > 0) manifest.config = Object.fromEntries(this.config);
    if (this.secrets.size > 0) {
      manifest.secrets = Object.fromEntries(
        [...this.secrets].map(([k, v]) => [k, { description: v.description, source: 'generate' }]),
      );
    }
    manifest.services = this.services;
    return {
      manifest,
      diagnostics: sortDiagnostics(this.diagnostics),
      images: this.images,
      decisions: this.decisions,
    };
  }
}

/**
 * Pins the draft's images with the digests found (`service → repository@sha256:…`); every image
 * left on a tag is reported as a warning at its place in the compose file, and listed.
 */
export function pinImages(
  draft: ComposeDraft,
  file: string,
  resolved: Readonly<Record<string, string>>,
  failures: Readonly<Record<string, string>>,
): { draft: ComposeDraft; unpinned: Array<{ service: string; image: string; reason: string }> } {
  const services = draft.manifest.services as Record<string, Record<string, unknown>>;
  const unpinned: Array<{ service: string; image: string; reason: string }> = [];
  const diagnostics = [...draft.diagnostics];
  const decisions = [...draft.decisions];
  for (const img of draft.images) {
    const service = services[img.service];
    if (!service) continue;
    const pinned = resolved[img.service];
    if (pinned !== undefined) {
      service.image = pinned;
      continue;
    }
    const reason = failures[img.service] ?? 'not resolved';
    unpinned.push({ service: img.service, image: img.image, reason });
    diagnostics.push({
      file,
      line: img.line,
      col: img.col,
      severity: 'warning',
      path: `services.${img.service}.image`,
      message: `"${img.image}" is still to pin (${reason}): the draft keeps the tag, which manifest lint rejects; pin it as repository@sha256:<digest>`,
      rule: 'image-not-pinned',
    });
    decisions.push(`services.${img.service}.image: pin "${img.image}" by digest`);
  }
  return { draft: { ...draft, diagnostics, decisions }, unpinned };
}
