import type { LoadedManifest } from '../catalog-model.js';
import { settingsDrift } from '../container-drift.js';
import type { ContainerInfo, PublishedPort, VolumeMount } from '../engine-model.js';
import { Label, names } from '../labels.js';
import type { ReleaseRecord } from '../release.js';
import type { DesiredService } from '../service-specs.js';
import type { Add } from './finding.js';
import type { Rebuilt } from './rebuild.js';
import type {
  AuditInput,
  AuditService,
  FindingCode,
  FindingSeverity,
  ServiceDrift,
} from './report-model.js';

function portText(p: PublishedPort): string {
  return `${p.hostIp}:${p.hostPort}->${p.container}/${p.protocol}`;
}

function mountText(m: VolumeMount): string {
  return `${m.volume}:${m.target}${m.readOnly ? ':ro' : ''}`;
}

function setText(items: readonly string[]): string {
  return items.length === 0 ? 'none' : [...new Set(items)].sort().join(', ');
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return setText(a) === setText(b);
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

type RecordedService = NonNullable<ReleaseRecord['services'][string]>;

export function auditServices(
  input: AuditInput,
  record: ReleaseRecord,
  loaded: LoadedManifest | undefined,
  rebuilt: Rebuilt | undefined,
  add: Add,
): AuditService[] {
  const app = record.app;
  const out: AuditService[] = [];
  missingResources(input, app, rebuilt, add);

  for (const service of Object.keys(record.services).sort()) {
    const rec = record.services[service];
    if (rec === undefined) continue;
    const subject = `service ${service} (${rec.containerName})`;
    const base = { service, container: rec.containerName, image: rec.image };
    const manifestImage = loaded?.manifest.services[service]?.image;
    if (loaded && manifestImage === undefined) {
      add(
        'integrity',
        'error',
        'image-not-in-manifest',
        subject,
        `the manifest has no service ${service}, but the release runs it`,
      );
    } else if (manifestImage !== undefined && manifestImage !== rec.image) {
      add(
        'integrity',
        'error',
        'image-not-in-manifest',
        subject,
        `the release runs ${rec.image}, but the manifest pins ${manifestImage}`,
      );
    }

    const c = input.containers.find(
      (x) => x.name === rec.containerName && x.labels[Label.app] === app,
    );
    if (!c) {
      out.push(absentService(input, rec, base, subject, add));
      continue;
    }

    const differences: string[] = [];
    const modified = (what: string, message: string): void => {
      differences.push(what);
      add('drift', 'error', 'container-modified', subject, `modified: ${message}`);
    };
    // Loaded from a bundle: the container was created from the image id the signed manifest names.
    const loadedAs = record.catalog.bundle?.images?.[rec.image];
    if (c.image !== rec.image && c.image !== loadedAs)
      modified('image', `image differs (runs ${c.image}, the release pins ${rec.image})`);
    if (c.labels[Label.configHash] !== rec.configHash) {
      modified(
        'labels',
        `config-hash label differs from the release record (container from another deploy or made by hand)`,
      );
    }
    const desired = rebuilt?.desired.services.find((s) => s.service === service);
    if (desired) {
      compareSpec(
        desired.spec,
        rebuilt?.verified.has(service) ?? false,
        c,
        subject,
        differences,
        modified,
        add,
      );
    }

    imageIntegrity(input, rec, c, loadedAs, subject, add);

    let drift: ServiceDrift = differences.length > 0 ? 'modified' : 'in-sync';
    const state = stateProblem(c, record.stopped?.[service]);
    if (state) {
      add('drift', state.severity, state.code, subject, state.message);
      if (drift === 'in-sync')
        drift = state.code === 'container-unhealthy' ? 'unhealthy' : 'stopped';
    }
    out.push({ ...base, state: c.state, health: c.health, drift, differences });
  }
  return out;
}

/** The release's network and data volumes, which exist once per app, not per service. */
function missingResources(
  input: AuditInput,
  app: string,
  rebuilt: Rebuilt | undefined,
  add: Add,
): void {
  const network = names.network(app);
  const hasNetwork = input.networks.some(
    (n) => n.name === network && n.labels[Label.kind] === 'network' && n.labels[Label.app] === app,
  );
  if (!hasNetwork)
    add(
      'drift',
      'error',
      'network-missing',
      `network ${network}`,
      `missing: network ${network} does not exist`,
    );
  for (const v of rebuilt?.desired.volumes ?? []) {
    const ok = input.volumes.some(
      (x) => x.name === v.name && x.labels[Label.kind] === 'volume' && x.labels[Label.app] === app,
    );
    if (!ok)
      add(
        'drift',
        'error',
        'volume-missing',
        `volume ${v.name}`,
        `missing: data volume ${v.name} does not exist or lost ksad's labels`,
      );
  }
}

/** A recorded container that does not exist, or exists without ksad's labels. */
function absentService(
  input: AuditInput,
  rec: RecordedService,
  base: Pick<AuditService, 'service' | 'container' | 'image'>,
  subject: string,
  add: Add,
): AuditService {
  const stray = input.unlabelled[rec.containerName];
  if (stray) {
    add(
      'drift',
      'error',
      'container-modified',
      subject,
      `modified: container ${rec.containerName} exists without ksad's labels (recreated outside ksad)`,
    );
    return {
      ...base,
      state: stray.state,
      health: stray.health,
      drift: 'modified',
      differences: ['labels'],
    };
  } else {
    add(
      'drift',
      'error',
      'container-missing',
      subject,
      `missing: container ${rec.containerName} does not exist`,
    );
    return {
      ...base,
      state: 'missing',
      health: 'missing',
      drift: 'missing',
      differences: [],
    };
  }
}

/** The live container against the spec rebuilt from the release. */
function compareSpec(
  spec: DesiredService['spec'],
  verified: boolean,
  c: ContainerInfo,
  subject: string,
  differences: string[],
  modified: (what: string, message: string) => void,
  add: Add,
): void {
  if (verified) {
    // Variables baked into the image appear on the container too: only desired ones are compared.
    const changed = Object.keys(spec.env)
      .filter((k) => c.env[k] !== spec.env[k])
      .sort();
    if (changed.length > 0) {
      differences.push(...changed.map((k) => `environment ${k}`));
      add(
        'drift',
        'error',
        'container-modified',
        subject,
        `modified: environment ${changed.join(', ')} ${changed.length === 1 ? 'differs' : 'differ'}`,
      );
    }
  }
  const want = spec.ports.map(portText);
  const have = c.ports.map(portText);
  if (!sameSet(want, have))
    modified('ports', `published ports differ (release: ${setText(want)}; live: ${setText(have)})`);
  const wantM = spec.mounts.map(mountText);
  const haveM = c.mounts.map(mountText);
  if (!sameSet(wantM, haveM))
    modified('mounts', `mounts differ (release: ${setText(wantM)}; live: ${setText(haveM)})`);
  if (!c.networks.includes(spec.network)) {
    modified(
      'network',
      `not attached to network ${spec.network} (attached to ${setText(c.networks)})`,
    );
  }
  // Changed by `docker update` or on a container made by hand, the hash label stays the same.
  if (verified) for (const d of settingsDrift(spec, c)) modified(d.what, d.message);
}

function imageIntegrity(
  input: AuditInput,
  rec: RecordedService,
  c: ContainerInfo,
  loadedAs: string | undefined,
  subject: string,
  add: Add,
): void {
  // Integrity: the running image is the one the pinned reference names on this host.
  const pinned = input.images[rec.image];
  const digest = rec.image.includes('@') ? rec.image.slice(rec.image.indexOf('@') + 1) : null;
  if (pinned === null || pinned === undefined) {
    add(
      'integrity',
      'warning',
      'image-unverified',
      subject,
      `the pinned image ${rec.image} is not on the host, so the running image ${shortId(c.imageId)} cannot be checked against it`,
    );
  } else if (loadedAs !== undefined && pinned.id !== loadedAs) {
    add(
      'integrity',
      'error',
      'image-digest-mismatch',
      subject,
      `the image loaded from a bundle for ${rec.image} is ${shortId(pinned.id)}, not the config ${shortId(loadedAs)} its manifest names`,
    );
  } else if (
    loadedAs === undefined &&
    digest !== null &&
    !pinned.repoDigests.some((d) => d.endsWith(`@${digest}`))
  ) {
    add(
      'integrity',
      'error',
      'image-digest-mismatch',
      subject,
      `the image the host holds for ${rec.image} does not carry that digest (repo digests: ${setText(pinned.repoDigests)})`,
    );
  } else if (pinned.id !== c.imageId) {
    add(
      'integrity',
      'error',
      'image-digest-mismatch',
      subject,
      `runs image ${shortId(c.imageId)}, not ${shortId(pinned.id)} pinned by ${rec.image}`,
    );
  }
}

/**
 * What a container's state says. A service an operator stopped with `ksad stop` (recorded with the
 * release) is a deliberate state, told apart from one stopped outside ksad.
 */
function stateProblem(
  c: ContainerInfo,
  stoppedBy?: { by: string; at: string },
): { severity: FindingSeverity; code: FindingCode; message: string } | undefined {
  if (stoppedBy !== undefined && c.state !== 'running' && c.state !== 'restarting') {
    return {
      severity: 'info',
      code: 'container-stopped-by-operator',
      message: `stopped by an operator with ksad (${stoppedBy.by}, ${stoppedBy.at}); ksad start brings it back`,
    };
  }
  switch (c.state) {
    case 'running':
      return c.health === 'unhealthy'
        ? {
            severity: 'warning',
            code: 'container-unhealthy',
            message: 'unhealthy: its health check fails',
          }
        : undefined;
    case 'exited':
      return {
        severity: 'error',
        code: 'container-stopped',
        message: `stopped outside ksad: container exited with code ${c.exitCode}`,
      };
    case 'dead':
      return {
        severity: 'error',
        code: 'container-stopped',
        message: `stopped: container is dead (exit code ${c.exitCode})`,
      };
    case 'created':
      return {
        severity: 'error',
        code: 'container-stopped',
        message: 'stopped: container was created but never started',
      };
    case 'paused':
      return {
        severity: 'error',
        code: 'container-stopped',
        message: 'stopped: container is paused',
      };
    case 'restarting':
      return {
        severity: 'warning',
        code: 'container-unhealthy',
        message: `restarting: last exit code ${c.exitCode}`,
      };
    case 'removing':
      return {
        severity: 'error',
        code: 'container-stopped',
        message: 'stopped: container is being removed',
      };
  }
}
