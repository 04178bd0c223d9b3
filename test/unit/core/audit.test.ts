import { describe, expect, it } from 'vitest';
import { auditHost as judge, type AuditInput } from '../../../src/core/audit/index.js';
import type {
  Catalog,
  LoadedManifest,
  LoadedMember,
  LoadedMou,
} from '../../../src/core/catalog-model.js';
import type { ContainerInfo, ImageInfo, VolumeInfo } from '../../../src/core/engine-model.js';
import { Label, managedLabels, names } from '../../../src/core/labels.js';
import { overallHash } from '../../../src/core/release-hash.js';
import type { HostProfile, ReleaseRecord } from '../../../src/core/release.js';
import type { Member, Mou } from '../../../src/core/schema/index.js';
import { buildDesiredState } from '../../../src/core/service-specs.js';
import {
  appKey,
  decodeLockHolder,
  decodeRelease,
  decodeSecrets,
  newestByKey,
  releaseKey,
} from '../../../src/targets/docker-host/record-labels.js';
import { antreanManifest, CONFIG, SECRETS, SUMBAWA } from '../deploy/fixtures.js';

/** What a Docker host shows: the release store's volumes and lock among the app's resources. */
type HostView = Omit<AuditInput, 'records' | 'secrets' | 'locks'>;

/** Audits `view` as the Docker host's store and target read it (the same label codec). */
function auditHost(view: HostView): ReturnType<typeof judge> {
  const kindOf = (r: { labels: Record<string, string> }): string => r.labels[Label.kind] ?? '';
  const store = new Set(['release', 'host', 'secrets', 'lock']);
  const ofKind = (kind: string) => view.volumes.filter((v) => kindOf(v) === kind);
  return judge({
    ...view,
    records: newestByKey(ofKind('release'), releaseKey).map(decodeRelease),
    secrets: newestByKey(ofKind('secrets'), appKey).map(decodeSecrets),
    locks: view.containers
      .filter((c) => kindOf(c) === 'lock')
      .map((c) => ({
        app: c.labels[Label.app] ?? '',
        where: `container ${c.name}`,
        holder: decodeLockHolder(c.labels),
      })),
    volumes: view.volumes.filter((v) => !store.has(kindOf(v))),
    containers: view.containers.filter((c) => !store.has(kindOf(c))),
  });
}

/*
 * The audit is a pure function of what the host and the catalog hold: each case starts from a
 * clean deploy of antrean-daring 1.2.0 on Kabupaten Sumbawa's host, changes one thing, and states
 * the findings an auditor must see.
 */

const APP = 'antrean-daring';
const FILE = 'manifests/kota-bandung/antrean-daring/1.2.0.yaml';
const DIGEST = `sha256:${'d'.repeat(64)}`;
const IMAGE_ID = (c: string) => `sha256:${c.repeat(64)}`;
const MOU_NUMBER = '119/2391/KSAD-KBB/2025';

const manifest = antreanManifest();
const loaded: LoadedManifest = { file: FILE, manifest, digest: DIGEST };
const newer = (version: string, digest: string): LoadedManifest => ({
  file: `manifests/kota-bandung/antrean-daring/${version}.yaml`,
  manifest: antreanManifest((m) => {
    m.version = version;
  }),
  digest,
});

const bandung: LoadedMember = {
  slug: 'kota-bandung',
  file: 'catalog/members/kota-bandung.yaml',
  member: { code: '32.73', name: 'Kota Bandung' } as Member,
};
const mouOf = (patch: Partial<Mou> = {}): LoadedMou => ({
  slug: 'bandung-sumbawa-2025',
  file: 'catalog/mous/bandung-sumbawa-2025.yaml',
  mou: {
    number: MOU_NUMBER,
    title: 'Hibah',
    grantor: '32.73',
    grantees: ['52.04'],
    apps: [{ name: APP, versions: '>=1.0.0 <3.0.0' }],
    validFrom: '2025-03-01',
    validUntil: '2028-02-29',
    document: { sha256: 'a'.repeat(64) },
    ...patch,
  },
});

const catalogOf = (patch: Partial<Catalog> = {}): Catalog => ({
  name: 'sample',
  root: '/catalog',
  commit: 'c0ffee'.repeat(6) + 'abcd',
  info: null,
  members: [bandung],
  mous: [mouOf()],
  manifests: [loaded],
  diagnostics: [],
  ...patch,
});

const profile: HostProfile = {
  region: SUMBAWA,
  name: 'Diskominfotik Kabupaten Sumbawa',
  target: 'docker',
  policy: { bindAddress: '127.0.0.1', allowUnsigned: true, historyLimit: 10 },
  initializedAt: '2025-01-01T00:00:00Z',
  initializedBy: 'root@host',
};

const desired = buildDesiredState({
  manifest,
  manifestDigest: DIGEST,
  config: CONFIG,
  secrets: SECRETS,
  region: SUMBAWA,
  revision: 3,
});

const record: ReleaseRecord = {
  app: APP,
  publisher: 'kota-bandung',
  version: '1.2.0',
  revision: 3,
  manifestDigest: DIGEST,
  manifestFile: FILE,
  catalog: { name: 'sample', commit: 'c0ffee' },
  configHash: overallHash(desired.services),
  services: Object.fromEntries(
    desired.services.map((s) => [
      s.service,
      { configHash: s.configHash, image: s.spec.image, containerName: s.spec.name },
    ]),
  ),
  levels: desired.levels,
  config: CONFIG,
  secretNames: ['DB_PASSWORD', 'SMTP_PASSWORD'],
  mou: { kind: 'mou', slug: 'bandung-sumbawa-2025', number: MOU_NUMBER, validUntil: '2028-02-29' },
  deployedBy: 'diskominfo@sumbawa-1',
  deployedAt: '2026-02-01T03:04:05.000Z',
  status: 'deployed',
  description: 'install 1.2.0',
};

const volume = (name: string, labels: Record<string, string>): VolumeInfo => ({
  name,
  labels,
  createdAt: '2026-02-01T00:00:00Z',
});
const recordVolume = (r: ReleaseRecord): VolumeInfo =>
  volume(
    names.releaseRecord(r.app, r.revision),
    managedLabels('release', {
      [Label.app]: r.app,
      [Label.revision]: String(r.revision),
      [Label.record]: JSON.stringify(r),
    }),
  );
const secretsVolume = (values: Record<string, string>): VolumeInfo =>
  volume(
    names.secrets(APP),
    managedLabels('secrets', { [Label.app]: APP, [Label.record]: JSON.stringify(values) }),
  );

const containers = (): ContainerInfo[] =>
  desired.services.map((s) => ({
    id: `id-${s.service}`,
    name: s.spec.name,
    image: s.spec.image,
    imageId: IMAGE_ID(s.service[0] ?? 'x'),
    labels: { ...s.spec.labels },
    state: 'running',
    health: s.healthcheck ? 'healthy' : 'none',
    healthLog: [],
    exitCode: 0,
    env: { PATH: '/usr/bin', ...s.spec.env },
    ports: s.spec.ports.map((p) => ({ ...p })),
    mounts: s.spec.mounts.map((m) => ({ ...m })),
    networks: [s.spec.network],
    createdAt: '2026-02-01T03:04:06Z',
  }));

const images = (): Record<string, ImageInfo | null> =>
  Object.fromEntries(
    desired.services.map((s) => [
      s.spec.image,
      { id: IMAGE_ID(s.service[0] ?? 'x'), repoDigests: [s.spec.image], repoTags: [] },
    ]),
  );

/** A clean deploy: what the host holds right after `ksad deploy antrean-daring`. */
function cleanHost(): HostView {
  return {
    profile,
    engine: { endpoint: 'unix:///var/run/docker.sock', version: '20.10.24' },
    catalog: catalogOf(),
    volumes: [
      volume(names.hostProfile, managedLabels('host', { [Label.record]: JSON.stringify(profile) })),
      recordVolume({ ...record, revision: 1, status: 'superseded' }),
      recordVolume({ ...record, revision: 2, status: 'superseded' }),
      recordVolume(record),
      secretsVolume(SECRETS),
      ...desired.volumes.map((v) => volume(v.name, v.labels)),
    ],
    containers: containers(),
    networks: [{ id: 'n1', name: desired.network.name, labels: desired.network.labels }],
    unlabelled: {},
    images: images(),
    today: '2026-06-01',
    generatedAt: '2026-06-01T08:00:00.000Z',
  };
}

const withContainer = (
  input: HostView,
  service: string,
  patch: (c: ContainerInfo) => ContainerInfo,
): HostView => ({
  ...input,
  containers: input.containers.map((c) => (c.labels[Label.service] === service ? patch(c) : c)),
});

type Expected = Array<[severity: string, code: string, subject: string, message: string]>;

const WEB = 'service web (ksad-antrean-daring-web)';
const WORKER = 'service worker (ksad-antrean-daring-worker)';

const cases: Array<{ name: string; input: () => HostView; findings: Expected }> = [
  { name: 'a clean deploy has no findings', input: cleanHost, findings: [] },
  {
    name: 'MoU ending within 90 days is expiring',
    input: () => ({ ...cleanHost(), today: '2027-12-31' }),
    findings: [
      [
        'warning',
        'mou-expiring',
        `MoU ${MOU_NUMBER}`,
        `MoU ${MOU_NUMBER} expires on 2028-02-29 (in 60 days); start the renewal`,
      ],
    ],
  },
  {
    name: 'MoU past validUntil is expired',
    input: () => ({ ...cleanHost(), today: '2028-03-10' }),
    findings: [
      [
        'error',
        'mou-expired',
        `MoU ${MOU_NUMBER}`,
        `MoU ${MOU_NUMBER} expired on 2028-02-29 (10 days ago)`,
      ],
    ],
  },
  {
    name: 'the recorded MoU is judged on the catalog as it is now: shortened there, it expired',
    input: () => ({
      ...cleanHost(),
      catalog: catalogOf({ mous: [mouOf({ validUntil: '2026-05-01' })] }),
    }),
    findings: [
      [
        'error',
        'mou-expired',
        `MoU ${MOU_NUMBER}`,
        `MoU ${MOU_NUMBER} expired on 2026-05-01 (31 days ago)`,
      ],
      [
        'info',
        'mou-changed',
        `MoU ${MOU_NUMBER}`,
        'MoU validity changed in catalog: valid until 2026-05-01 (recorded at deploy: 2028-02-29)',
      ],
    ],
  },
  {
    name: 'an MoU removed from the catalog is missing',
    input: () => ({ ...cleanHost(), catalog: catalogOf({ mous: [] }) }),
    findings: [
      [
        'error',
        'mou-missing',
        `MoU ${MOU_NUMBER}`,
        `MoU ${MOU_NUMBER} (bandung-sumbawa-2025) is missing from catalog "sample"; recorded valid until 2028-02-29`,
      ],
    ],
  },
  {
    name: 'an MoU amended to drop the version no longer covers it',
    input: () => ({
      ...cleanHost(),
      catalog: catalogOf({ mous: [mouOf({ apps: [{ name: APP, versions: '^2.0.0' }] })] }),
    }),
    findings: [
      [
        'error',
        'mou-no-longer-covers',
        `MoU ${MOU_NUMBER}`,
        `MoU ${MOU_NUMBER} no longer grants antrean-daring@1.2.0 to Kabupaten Sumbawa (52.04): it covers versions ^2.0.0 only, not 1.2.0`,
      ],
    ],
  },
  {
    name: 'an override is reported with its reason',
    input: () => ({
      ...cleanHost(),
      volumes: cleanHost().volumes.map((v) =>
        v.name === names.releaseRecord(APP, 3)
          ? recordVolume({
              ...record,
              mou: { kind: 'override', reason: 'MoU renewal in signature' },
            })
          : v,
      ),
    }),
    findings: [
      [
        'warning',
        'mou-overridden',
        'MoU',
        `deployed without an MoU (overridden; reason: "MoU renewal in signature"); MoU ${MOU_NUMBER} now grants it`,
      ],
    ],
  },
  {
    name: 'a stopped container',
    input: () =>
      withContainer(cleanHost(), 'worker', (c) => ({ ...c, state: 'exited', exitCode: 137 })),
    findings: [
      [
        'error',
        'container-stopped',
        WORKER,
        'stopped outside ksad: container exited with code 137',
      ],
    ],
  },
  {
    name: 'a removed container is missing',
    input: () => ({
      ...cleanHost(),
      containers: cleanHost().containers.filter((c) => c.labels[Label.service] !== 'worker'),
    }),
    findings: [
      [
        'error',
        'container-missing',
        WORKER,
        'missing: container ksad-antrean-daring-worker does not exist',
      ],
    ],
  },
  {
    name: 'a container recreated by hand without labels',
    input: () => {
      const base = cleanHost();
      const worker = base.containers.find((c) => c.labels[Label.service] === 'worker');
      return {
        ...base,
        containers: base.containers.filter((c) => c !== worker),
        unlabelled: worker ? { [worker.name]: { ...worker, labels: {} } } : {},
      };
    },
    findings: [
      [
        'error',
        'container-modified',
        WORKER,
        "modified: container ksad-antrean-daring-worker exists without ksad's labels (recreated outside ksad)",
      ],
    ],
  },
  {
    name: 'an environment changed by hand (labels copied) is named, never valued',
    input: () =>
      withContainer(cleanHost(), 'web', (c) => ({
        ...c,
        env: { ...c.env, REGION_NAME: 'Elsewhere', DATABASE_URL: 'postgres://x:leaked@db/x' },
      })),
    findings: [
      [
        'error',
        'container-modified',
        WEB,
        'modified: environment DATABASE_URL, REGION_NAME differ',
      ],
    ],
  },
  {
    name: 'image, ports, mounts and network changed by hand',
    input: () =>
      withContainer(cleanHost(), 'db', (c) => ({
        ...c,
        image: 'docker.io/library/postgres:16',
        ports: [{ container: 5432, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 5432 }],
        mounts: [],
        networks: ['bridge'],
      })),
    findings: [
      [
        'error',
        'container-modified',
        'service db (ksad-antrean-daring-db)',
        'modified: image differs (runs docker.io/library/postgres:16, the release pins docker.io/library/postgres@sha256:' +
          'b'.repeat(64) +
          ')',
      ],
      [
        'error',
        'container-modified',
        'service db (ksad-antrean-daring-db)',
        'modified: mounts differ (release: ksad-antrean-daring-pgdata:/var/lib/postgresql/data; live: none)',
      ],
      [
        'error',
        'container-modified',
        'service db (ksad-antrean-daring-db)',
        'modified: not attached to network ksad-antrean-daring (attached to bridge)',
      ],
      [
        'error',
        'container-modified',
        'service db (ksad-antrean-daring-db)',
        'modified: published ports differ (release: none; live: 0.0.0.0:5432->5432/tcp)',
      ],
    ],
  },
  {
    name: 'a running image that is not the one the pinned reference names',
    input: () => withContainer(cleanHost(), 'web', (c) => ({ ...c, imageId: IMAGE_ID('e') })),
    findings: [
      [
        'error',
        'image-digest-mismatch',
        WEB,
        `runs image ${'e'.repeat(12)}, not ${'w'.repeat(12)} pinned by ${record.services.web?.image ?? ''}`,
      ],
    ],
  },
  {
    name: 'a pinned image missing from the host cannot be verified',
    input: () => ({
      ...cleanHost(),
      images: { ...images(), [record.services.web?.image ?? '']: null },
    }),
    findings: [
      [
        'warning',
        'image-unverified',
        WEB,
        `the pinned image ${record.services.web?.image ?? ''} is not on the host, so the running image ${'w'.repeat(12)} cannot be checked against it`,
      ],
    ],
  },
  {
    name: 'the manifest file changed in the catalog after the deploy',
    input: () => ({
      ...cleanHost(),
      catalog: catalogOf({ manifests: [{ ...loaded, digest: `sha256:${'9'.repeat(64)}` }] }),
    }),
    findings: [
      [
        'error',
        'manifest-changed',
        `manifest ${FILE}`,
        `manifest changed in catalog: ${FILE} now has digest sha256:${'9'.repeat(64)}; the release was deployed from ${DIGEST}`,
      ],
      [
        'info',
        'drift-unverified',
        'configuration',
        'the manifest is not in the catalog, so only container state, image and labels were compared',
      ],
    ],
  },
  {
    name: 'an overlay service override (not recorded) makes the environment unverifiable, not drifted',
    input: () => {
      const base = cleanHost();
      const hashes = {
        ...record.services,
        web: { ...record.services.web!, configHash: 'f'.repeat(64) },
      };
      return {
        ...withContainer(base, 'web', (c) => ({
          ...c,
          labels: { ...c.labels, [Label.configHash]: 'f'.repeat(64) },
        })),
        volumes: base.volumes.map((v) =>
          v.name === names.releaseRecord(APP, 3)
            ? recordVolume({ ...record, services: hashes })
            : v,
        ),
      };
    },
    findings: [
      [
        'info',
        'drift-unverified',
        'service web',
        'the environment was not compared: the recorded configuration does not rebuild the recorded spec (a release recorded before ksad kept service overrides, a secret is not stored, or the host profile changed)',
      ],
    ],
  },
  {
    name: 'newer versions: the newest one an active MoU grants, and the newest in the catalog',
    input: () => ({
      ...cleanHost(),
      catalog: catalogOf({
        manifests: [
          loaded,
          newer('1.2.1', 'sha256:1'),
          newer('2.4.0', 'sha256:2'),
          newer('3.0.0', 'sha256:3'),
        ],
      }),
    }),
    findings: [
      [
        'warning',
        'newer-version',
        'version 1.2.0',
        `newer version 2.4.0 (major) is available under MoU ${MOU_NUMBER}`,
      ],
      [
        'info',
        'newer-version-uncovered',
        'version 1.2.0',
        'version 3.0.0 is in the catalog but no active MoU grants it to Kabupaten Sumbawa (52.04)',
      ],
    ],
  },
  {
    name: 'resources that belong to no release are orphans',
    input: () => {
      const base = cleanHost();
      const ghost = { ...base.containers[0]!, id: 'ghost', name: 'ksad-antrean-daring-web-r2-old' };
      return {
        ...base,
        containers: [...base.containers, ghost],
        networks: [
          ...base.networks,
          {
            id: 'n2',
            name: 'ksad-sakip-online',
            labels: managedLabels('network', { [Label.app]: 'sakip-online' }),
          },
        ],
        volumes: [
          ...base.volumes,
          volume(
            'ksad-sakip-online-data',
            managedLabels('volume', { [Label.app]: 'sakip-online' }),
          ),
          volume('stray', { [Label.managed]: 'true' }),
        ],
      };
    },
    findings: [
      [
        'warning',
        'orphan-container',
        'container ksad-antrean-daring-web-r2-old',
        'orphan: left by an interrupted deploy; the next deploy of antrean-daring recovers or removes it',
      ],
      [
        'warning',
        'orphan-volume',
        'volume stray',
        'orphan: volume carries ksad\'s labels with kind ""',
      ],
      [
        'warning',
        'orphan-network',
        'network ksad-sakip-online',
        'orphan: sakip-online has no release record on this host',
      ],
      [
        'warning',
        'orphan-volume',
        'volume ksad-sakip-online-data',
        'orphan: sakip-online has no release record on this host',
      ],
    ],
  },
  {
    name: 'a damaged release record is an integrity error, not a crash',
    input: () => ({
      ...cleanHost(),
      volumes: [
        ...cleanHost().volumes,
        volume(
          'ksad-release-antrean-daring-r9',
          managedLabels('release', { [Label.app]: APP, [Label.record]: '{"app":' }),
        ),
      ],
    }),
    findings: [
      [
        'error',
        'record-damaged',
        'volume ksad-release-antrean-daring-r9',
        'the release record on volume ksad-release-antrean-daring-r9 is damaged or was edited by hand',
      ],
    ],
  },
  {
    name: 'a revision missing from a history shorter than the limit is an integrity error',
    input: () => ({
      ...cleanHost(),
      volumes: cleanHost().volumes.filter((v) => v.name !== names.releaseRecord(APP, 2)),
    }),
    findings: [
      [
        'error',
        'history-gap',
        `history of ${APP}`,
        `revision 2 of ${APP} is missing from the host's history (2 kept, limit 10): a record was lost or removed by hand`,
      ],
    ],
  },
  {
    name: 'revisions dropped by the history limit are no gap',
    input: () => ({
      ...cleanHost(),
      profile: { ...profile, policy: { ...profile.policy, historyLimit: 2 } },
      volumes: cleanHost().volumes.filter((v) => v.name !== names.releaseRecord(APP, 1)),
    }),
    findings: [],
  },
];

describe('auditHost', () => {
  it.each(cases)('$name', ({ input, findings }) => {
    const report = auditHost(input());
    const all = [...report.apps.flatMap((a) => a.findings), ...report.hostFindings];
    expect(all.map((f) => [f.severity, f.code, f.subject, f.message])).toEqual(findings);
    // Whatever happens, no secret value reaches the report.
    const text = JSON.stringify(report);
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    expect(text).not.toContain('leaked');
  });

  it('summarises a clean host: one app, in sync, active MoU, no update', () => {
    const report = auditHost(cleanHost());
    expect(report).toMatchObject({
      schemaVersion: 1,
      asOf: '2026-06-01',
      host: { name: profile.name, region: SUMBAWA },
      catalog: { name: 'sample' },
      scope: null,
      summary: { apps: 1, findings: 0, actionable: 0 },
      hostFindings: [],
    });
    expect(report.apps).toEqual([
      expect.objectContaining({
        app: APP,
        version: '1.2.0',
        revision: 3,
        drift: 'in-sync',
        manifest: { file: FILE, digest: DIGEST, status: 'present' },
        mou: {
          kind: 'mou',
          status: 'active',
          number: MOU_NUMBER,
          slug: 'bandung-sumbawa-2025',
          validUntil: '2028-02-29',
          daysLeft: 638,
          covers: true,
          reason: null,
        },
        updates: { latestCovered: null, change: null, newestInCatalog: null },
      }),
    ]);
    expect(report.apps[0]?.services.map((s) => [s.service, s.drift])).toEqual([
      ['db', 'in-sync'],
      ['web', 'in-sync'],
      ['worker', 'in-sync'],
    ]);
  });

  it('counts findings by severity and category; only error and warning are actionable', () => {
    const input = withContainer({ ...cleanHost(), today: '2027-12-31' }, 'worker', (c) => ({
      ...c,
      state: 'exited',
    }));
    const { summary } = auditHost({
      ...input,
      catalog: catalogOf({ manifests: [loaded, newer('3.0.0', 'sha256:3')] }),
    });
    expect(summary).toEqual({
      apps: 1,
      findings: 3,
      actionable: 2,
      bySeverity: { error: 1, warning: 1, info: 1 },
      byCategory: { mou: 1, drift: 1, integrity: 0, outdated: 1, orphan: 0, ingress: 0 },
    });
  });

  it('scoped to one app, leaves other apps and their orphans out', () => {
    const base = cleanHost();
    const report = auditHost({
      ...base,
      app: 'sakip-online',
      volumes: [
        ...base.volumes,
        volume('ksad-sakip-online-data', managedLabels('volume', { [Label.app]: 'sakip-online' })),
      ],
    });
    expect(report.apps).toEqual([]);
    expect(report.hostFindings.map((f) => [f.app, f.code])).toEqual([
      ['sakip-online', 'orphan-volume'],
    ]);
  });

  it('data kept after an uninstall is context, not an orphan', () => {
    const base = cleanHost();
    const report = auditHost({
      ...base,
      containers: [],
      networks: [],
      volumes: base.volumes.map((v) =>
        v.name === names.releaseRecord(APP, 3)
          ? recordVolume({ ...record, status: 'uninstalled' })
          : v,
      ),
    });
    expect(report.apps).toEqual([]);
    expect(report.hostFindings.map((f) => [f.severity, f.code, f.subject])).toEqual([
      ['info', 'kept-data', 'volume ksad-antrean-daring-pgdata'],
    ]);
  });
});

describe('the Docker host record codec, as the audit reads it', () => {
  it('keeps damaged records as such, with their app', () => {
    const entries = newestByKey(
      [
        recordVolume(record),
        volume(
          'ksad-release-x-r1',
          managedLabels('release', { [Label.app]: 'x', [Label.record]: '{}' }),
        ),
      ],
      releaseKey,
    ).map(decodeRelease);
    expect(entries).toEqual([
      { where: `volume ${names.releaseRecord(APP, 3)}`, record },
      { where: 'volume ksad-release-x-r1', damaged: true, app: 'x' },
    ]);
  });
});
