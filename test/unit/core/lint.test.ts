import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { buildCatalog, isCatalogManifest } from '../../../src/core/catalog-build.js';
import type { SourceFile } from '../../../src/core/catalog-model.js';
import { formatDiagnostic } from '../../../src/core/diagnostics.js';
import type { Diagnostic } from '../../../src/core/diagnostics.js';
import { Reporter } from '../../../src/core/lint/context.js';
import type { ManifestEntry } from '../../../src/core/lint/context.js';
import {
  checkCatalogManifest,
  lintCatalog,
  lintCatalogFiles,
  lintManifestFiles,
  type ManifestCheck,
} from '../../../src/core/lint/index.js';
import { lintDuplicateVersions } from '../../../src/core/lint/layout.js';
import {
  baseCatalog,
  benchManifest,
  manifest,
  member,
  mou,
  PINNED,
  withFiles,
} from './fixtures.js';

const TODAY = '2025-06-01';
const M = 'manifests/kota-bandung/antrean-daring/1.0.0.yaml';

function lint(files: SourceFile[]): string[] {
  const catalog = buildCatalog({ name: 'test', root: '/catalog', files });
  return lintCatalog(catalog, { today: TODAY }).map(formatDiagnostic);
}

function lintRule(files: SourceFile[], rule: string): string[] {
  const catalog = buildCatalog({ name: 'test', root: '/catalog', files });
  return lintCatalog(catalog, { today: TODAY })
    .filter((d) => d.rule === rule)
    .map(formatDiagnostic);
}

/** A manifest at M whose `services:` block is `services`, with optional top-level `extra` lines. */
const svc = (services: string[], extra: string[] = []): SourceFile => manifest({ services, extra });

interface Row {
  rule: string;
  files: SourceFile[];
  expected: string[];
}

const withLicense = (license: string): SourceFile => {
  const m = manifest();
  return { ...m, text: m.text.replace('license: Apache-2.0', `license: ${license}`) };
};

const rows: Row[] = [
  {
    rule: 'license-spdx',
    files: [withLicense('"Apache 2"')],
    expected: [
      `${M}:10:10: error: license: "Apache 2" is not an SPDX licence expression: did you mean "Apache-2.0"?`,
    ],
  },
  {
    rule: 'license-spdx',
    files: [withLicense('Proprietary')],
    expected: [
      `${M}:10:10: error: license: "Proprietary" is not an SPDX licence expression (see https://spdx.org/licenses/)`,
    ],
  },
  {
    rule: 'license-spdx',
    files: [withLicense('GPL-3.0+')],
    expected: [
      `${M}:10:10: warning: license: "GPL-3.0+" is a deprecated SPDX identifier: write "GPL-3.0-or-later"`,
    ],
  },
  {
    rule: 'license-spdx',
    files: [withLicense('"(Apache-2.0 OR MIT) AND LicenseRef-Kota-Bandung"')],
    expected: [],
  },
  {
    rule: 'path-mismatch',
    files: [manifest({ version: '1.0.1', path: M })],
    expected: [
      `${M}:3:10: error: version: "1.0.1" does not match the file name "1.0.0": move the file to manifests/kota-bandung/antrean-daring/1.0.1.yaml`,
    ],
  },
  {
    rule: 'unknown-publisher',
    files: [manifest({ publisher: 'kota-bandungg' })],
    expected: [
      'manifests/kota-bandungg/antrean-daring/1.0.0.yaml:4:12: error: publisher: unknown publisher "kota-bandungg": there is no catalog/members/kota-bandungg.yaml (did you mean "kota-bandung"?)',
    ],
  },
  {
    rule: 'unknown-publisher',
    files: [manifest({ publisher: 'kab-sumbawa' })],
    expected: [
      'manifests/kab-sumbawa/antrean-daring/1.0.0.yaml:4:12: error: publisher: member "kab-sumbawa" is not a publisher: set "publisher: true" in catalog/members/kab-sumbawa.yaml',
    ],
  },
  {
    rule: 'duplicate-version',
    files: [manifest({ path: 'manifests/kota-bandung/antrean-daring/1.0.0-copy.yaml' })],
    expected: [
      'manifests/kota-bandung/antrean-daring/1.0.0.yaml:3:10: error: version: version 1.0.0 of kota-bandung/antrean-daring is already published in manifests/kota-bandung/antrean-daring/1.0.0-copy.yaml; manifests are immutable, publish a new version',
    ],
  },
  {
    rule: 'duplicate-member',
    files: [member({ slug: 'kota-bandung-lama', code: '32.73', publisher: true })],
    expected: [
      'catalog/members/kota-bandung.yaml:1:7: error: code: region code 32.73 is already used by catalog/members/kota-bandung-lama.yaml',
    ],
  },
  {
    rule: 'image-not-pinned',
    files: [svc(['  web:', '    image: nginx:1.25'])],
    expected: [
      `${M}:16:12: error: services.web.image: image "nginx:1.25" is not pinned by digest: write it as repository@sha256:<64 hex> (docker buildx imagetools inspect nginx:1.25 shows the digest)`,
    ],
  },
  {
    rule: 'unsafe-privileged',
    files: [svc(['  web:', `    image: ${PINNED('r/web')}`, '    privileged: true'])],
    expected: [
      `${M}:17:17: error: services.web.privileged: a privileged container has full control of the host: remove "privileged: true"`,
    ],
  },
  {
    rule: 'unsafe-host-namespace',
    files: [
      svc(['  web:', `    image: ${PINNED('r/web')}`, '    networkMode: host', '    pid: host']),
    ],
    expected: [
      `${M}:17:18: error: services.web.networkMode: networkMode: host shares the host's network stack with the container: remove it`,
      `${M}:18:10: error: services.web.pid: pid: host shares the host's process table with the container: remove it`,
    ],
  },
  {
    rule: 'unsafe-capabilities',
    files: [svc(['  web:', `    image: ${PINNED('r/web')}`, '    capAdd: [NET_ADMIN, SYS_ADMIN]'])],
    expected: [
      `${M}:17:13: error: services.web.capAdd: adds Linux capabilities (NET_ADMIN, SYS_ADMIN) that widen what the container can do to the host: remove capAdd`,
    ],
  },
  {
    rule: 'unsafe-devices',
    files: [svc(['  web:', `    image: ${PINNED('r/web')}`, '    devices: [/dev/ttyUSB0]'])],
    expected: [
      `${M}:17:14: error: services.web.devices: gives the container host devices (/dev/ttyUSB0): remove devices`,
    ],
  },
  {
    rule: 'unsafe-bind-mount',
    files: [
      svc([
        '  web:',
        `    image: ${PINNED('r/web')}`,
        '    volumes:',
        '      - source: /srv/antrean',
        '        path: /data',
      ]),
    ],
    expected: [
      `${M}:18:17: error: services.web.volumes.0.source: mounts the host path /srv/antrean into the container: use a named volume ("name: …") so the release owns its data`,
    ],
  },
  {
    rule: 'unsafe-docker-socket',
    files: [
      svc([
        '  web:',
        `    image: ${PINNED('r/web')}`,
        '    volumes:',
        '      - source: /var/run/docker.sock',
        '        path: /var/run/docker.sock',
      ]),
    ],
    expected: [
      `${M}:18:17: error: services.web.volumes.0.source: mounts the Docker socket (/var/run/docker.sock): whoever controls the container controls every container on the host, and the host itself; remove this volume`,
    ],
  },
  {
    rule: 'invalid-volume',
    files: [
      svc([
        '  web:',
        `    image: ${PINNED('r/web')}`,
        '    volumes:',
        '      - name: data',
        '        source: /srv/data',
        '        path: /data',
      ]),
    ],
    expected: [
      `${M}:18:9: error: services.web.volumes.0: a volume has either "name" or "source", not both`,
    ],
  },
  {
    rule: 'dangling-reference',
    files: [
      svc(
        [
          '  web:',
          `    image: ${PINNED('r/web')}`,
          '    environment:',
          '      DB_HOST: ${config.DB_HOSTT}',
          '      PASSWORD: ${secret.NOPE}',
          '      SELF: ${service.web.host}',
          '      BAD: ${foo}',
          '    command: [serve, "${service.cache.host}"]',
          '    dependsOn:',
          '      queue: {}',
        ],
        ['config:', '  DB_HOST:', '    type: string', '    description: Database host'],
      ),
    ],
    expected: [
      `${M}:22:16: error: services.web.environment.DB_HOST: \${config.DB_HOSTT} names no key under "config" (did you mean "DB_HOST"?)`,
      `${M}:23:17: error: services.web.environment.PASSWORD: \${secret.NOPE} names no entry under "secrets"`,
      `${M}:24:13: error: services.web.environment.SELF: \${service.web.host} is the service itself: use "localhost"`,
      `${M}:25:12: error: services.web.environment.BAD: unknown reference "\${foo}": use \${config.KEY}, \${secret.NAME}, \${service.NAME.host}, \${release.name}, \${region.code} or \${region.name}`,
      `${M}:26:22: error: services.web.command.1: \${service.cache.host} names no service of this app`,
      `${M}:28:7: error: services.web.dependsOn.queue: depends on unknown service "queue"`,
    ],
  },
  {
    rule: 'dependency-cycle',
    files: [
      svc([
        '  api:',
        `    image: ${PINNED('r/api')}`,
        '    healthcheck: { test: [CMD, "true"] }',
        '    dependsOn: { worker: { condition: service_started } }',
        '  worker:',
        `    image: ${PINNED('r/worker')}`,
        '    healthcheck: { test: [CMD, "true"] }',
        '    dependsOn:',
        '      api: {}',
      ]),
    ],
    expected: [
      `${M}:23:7: error: services.worker.dependsOn.api: dependency cycle: api -> worker -> api`,
    ],
  },
  {
    rule: 'dependency-without-healthcheck',
    files: [
      svc([
        '  web:',
        `    image: ${PINNED('r/web')}`,
        '    dependsOn:',
        '      db: {}',
        '  db:',
        `    image: ${PINNED('r/db')}`,
      ]),
    ],
    expected: [
      `${M}:18:7: error: services.web.dependsOn.db.condition: waits for "db" to be healthy (the default condition) but "db" has no healthcheck: add one to "db" or use "condition: service_started"`,
    ],
  },
  {
    rule: 'duplicate-host-port',
    files: [
      svc(
        [
          '  web:',
          `    image: ${PINNED('r/web')}`,
          '    ports:',
          '      - { container: 80, host: "${config.HTTP_PORT}" }',
          '  admin:',
          `    image: ${PINNED('r/admin')}`,
          '    ports:',
          '      - container: 8081',
          '        host: 8080',
        ],
        ['config:', '  HTTP_PORT: { type: port, description: Web port, default: 8080 }'],
      ),
    ],
    expected: [
      `${M}:25:15: error: services.admin.ports.0.host: host port 8080/tcp is already published by services.web.ports.0`,
    ],
  },
  {
    rule: 'host-port-type',
    files: [
      svc(
        [
          '  web:',
          `    image: ${PINNED('r/web')}`,
          '    ports:',
          '      - container: 80',
          '        host: ${config.DOMAIN}',
        ],
        ['config:', '  DOMAIN: { type: string, description: Domain }'],
      ),
    ],
    expected: [
      `${M}:21:15: error: services.web.ports.0.host: \${config.DOMAIN} is of type string; a host port needs a config key of type port or integer`,
    ],
  },
  {
    rule: 'config-default',
    files: [
      manifest({
        extra: [
          'config:',
          '  WORKERS:',
          '    type: integer',
          '    description: Worker count',
          '    default: "four"',
        ],
      }),
    ],
    expected: [`${M}:18:14: error: config.WORKERS.default: default "four" is not an integer`],
  },
  {
    rule: 'config-required-default',
    files: [
      manifest({
        extra: [
          'config:',
          '  TITLE:',
          '    type: string',
          '    description: Title',
          '    default: Antrean',
          '    required: true',
        ],
      }),
    ],
    expected: [
      `${M}:19:15: warning: config.TITLE.required: required has no effect when a default is given: drop the default to make the region choose, or drop required`,
    ],
  },
  {
    rule: 'requires-ksad',
    files: [manifest({ extra: ['requires:', '  ksad: ">2.0.0 <1.0.0"'] })],
    expected: [`${M}:15:9: error: requires.ksad: range ">2.0.0 <1.0.0" matches no version of ksad`],
  },
  {
    rule: 'docker-api-version',
    files: [manifest({ extra: ['requires:', '  dockerApi: "2.1"'] })],
    expected: [
      `${M}:15:14: error: requires.dockerApi: "2.1" is not a Docker Engine API version: they are written 1.<minor>, e.g. "1.41"`,
    ],
  },
  {
    rule: 'unknown-member',
    files: [
      mou({
        slug: 'bandung-sumbawa',
        grantor: '32.73',
        grantees: ['52.04', '52.99'],
        apps: [{ name: 'antrean-daring' }],
      }),
    ],
    expected: [
      'catalog/mous/bandung-sumbawa.yaml:6:5: error: grantees.1: grantee 52.99 is not a member: add catalog/members/<slug>.yaml with code "52.99"',
    ],
  },
  {
    rule: 'grantor-not-publisher',
    files: [
      mou({
        slug: 'sumbawa-wonosobo',
        grantor: '52.04',
        grantees: ['33.07'],
        apps: [{ name: 'antrean-daring' }],
      }),
    ],
    expected: [
      'catalog/mous/sumbawa-wonosobo.yaml:3:10: error: grantor: grantor 52.04 (catalog/members/kab-sumbawa.yaml) is not a publisher: set "publisher: true" there',
    ],
  },
  {
    rule: 'unknown-app',
    files: [
      mou({
        slug: 'bandung-sumbawa',
        grantor: '32.73',
        grantees: ['52.04'],
        apps: [{ name: 'antrean-darin' }],
      }),
    ],
    expected: [
      'catalog/mous/bandung-sumbawa.yaml:7:11: error: apps.0.name: app "antrean-darin" is not published by kota-bandung (32.73) (did you mean "antrean-daring"?)',
    ],
  },
  {
    rule: 'no-matching-version',
    files: [
      mou({
        slug: 'bandung-sumbawa',
        grantor: '32.73',
        grantees: ['52.04'],
        apps: [{ name: 'antrean-daring', versions: '^5.0.0' }],
      }),
    ],
    expected: [
      'catalog/mous/bandung-sumbawa.yaml:8:15: warning: apps.0.versions: "^5.0.0" matches no published version of kota-bandung/antrean-daring (published: 2.0.0-beta.1, 1.2.0, 1.0.0)',
    ],
  },
  {
    rule: 'invalid-validity',
    files: [
      mou({
        slug: 'bandung-sumbawa',
        grantor: '32.73',
        grantees: ['52.04'],
        apps: [{ name: 'antrean-daring' }],
        validFrom: '2025-01-01',
        validUntil: '2024-12-31',
      }),
    ],
    expected: [
      'catalog/mous/bandung-sumbawa.yaml:9:13: error: validUntil: validUntil 2024-12-31 is before validFrom 2025-01-01',
    ],
  },
  {
    rule: 'mou-expired',
    files: [
      mou({
        slug: 'bandung-sumbawa',
        grantor: '32.73',
        grantees: ['52.04'],
        apps: [{ name: 'antrean-daring' }],
        validUntil: '2025-05-31',
      }),
    ],
    expected: [
      'catalog/mous/bandung-sumbawa.yaml:9:13: warning: validUntil: expired on 2025-05-31: renew the agreement, or deploys under it are refused',
    ],
  },
  {
    rule: 'overlapping-mou',
    files: [
      mou({
        slug: 'bandung-sumbawa-2',
        grantor: '32.73',
        grantees: ['33.07', '52.04'],
        apps: [{ name: 'antrean-daring', versions: '>=1.2.0' }],
        validFrom: '2025-01-01',
      }),
    ],
    expected: [
      'catalog/mous/bandung-sumbawa.yaml:7:11: warning: apps.0.name: overlaps catalog/mous/bandung-sumbawa-2.yaml for antrean-daring and grantee 52.04 from 2025-01-01 to 2028-12-31',
    ],
  },
  {
    rule: 'layout',
    files: [
      { ...member({ slug: 'kab-bojonegoro', code: '35.22' }), path: 'catalog/kab-bojonegoro.yaml' },
    ],
    expected: [
      'catalog/kab-bojonegoro.yaml:0:0: warning: file in the wrong place: it is not read; move it to catalog/members/kab-bojonegoro.yaml',
    ],
  },
  {
    rule: 'orphan-signature',
    files: [{ path: 'manifests/kota-bandung/antrean-daring/9.9.9.yaml.sig', text: 'sig' }],
    expected: [
      'manifests/kota-bandung/antrean-daring/9.9.9.yaml.sig:0:0: warning: signature without a manifest: manifests/kota-bandung/antrean-daring/9.9.9.yaml does not exist',
    ],
  },
];

describe('lintCatalog', () => {
  it('finds nothing in the base catalog', () => {
    expect(lint(baseCatalog())).toEqual([]);
  });

  it.each(rows.map((r, i) => ({ ...r, name: `${r.rule} #${i}` })))(
    '$name',
    ({ rule, files, expected }) => {
      expect(lintRule(withFiles(baseCatalog(), ...files), rule)).toEqual(expected);
    },
  );

  it('keeps schema diagnostics of excluded files, sorted by position', () => {
    const files = withFiles(baseCatalog(), {
      path: 'catalog/members/kota-bandung.yaml',
      text: 'code: 32\n',
    });
    const out = lint(files).filter((l) => l.startsWith('catalog/members/kota-bandung.yaml'));
    expect(out).toEqual([
      'catalog/members/kota-bandung.yaml:1:1: error: contacts: is required',
      'catalog/members/kota-bandung.yaml:1:1: error: kind: is required: one of "kota", "kabupaten", "provinsi"',
      'catalog/members/kota-bandung.yaml:1:1: error: name: is required',
      'catalog/members/kota-bandung.yaml:1:7: error: code: must be a string, not number 32',
    ]);
    // The member is left out, so the manifests it published now name an unknown publisher.
    expect(lintRule(files, 'unknown-publisher')).toHaveLength(3);
  });
});

describe('lintManifestFiles', () => {
  it('checks a loose manifest with and without a catalog', () => {
    const loose = manifest({
      publisher: 'kota-tangerang',
      version: '3.0.0',
      services: ['  web:', '    image: nginx'],
    });
    const alone = lintManifestFiles([{ ...loose, path: 'draft.yaml' }], null, { today: TODAY }).map(
      formatDiagnostic,
    );
    expect(alone).toEqual([
      'draft.yaml:16:12: error: services.web.image: image "nginx" is not pinned by digest: write it as repository@sha256:<64 hex> (docker buildx imagetools inspect nginx shows the digest)',
    ]);
    const catalog = buildCatalog({ name: 't', root: '/c', files: baseCatalog() });
    const moved = lintManifestFiles(
      [{ ...loose, path: '/home/me/cat/manifests/kota-bandung/antrean-daring/3.0.0.yaml' }],
      catalog,
      { today: TODAY },
    );
    expect(moved.map((d) => d.rule)).toEqual(['path-mismatch', 'image-not-pinned']);
  });

  it('accepts an unchanged catalog file and refuses a changed one', () => {
    const catalog = buildCatalog({ name: 't', root: '/c', files: baseCatalog() });
    const same = manifest({ version: '1.0.0' });
    expect(lintManifestFiles([same], catalog, { today: TODAY })).toEqual([]);
    const changed = { ...same, text: same.text.replace('Antrean Daring', 'Antrean Daring v2') };
    expect(lintManifestFiles([changed], catalog, { today: TODAY }).map(formatDiagnostic)).toEqual([
      expect.stringMatching(
        /^manifests\/kota-bandung\/antrean-daring\/1\.0\.0\.yaml:1:1: error: manifests\/kota-bandung\/antrean-daring\/1\.0\.0\.yaml is already published with other content \(sha256:[a-f0-9]{64}\); manifests are immutable, publish a new version instead$/,
      ),
    ]);
  });

  it('reports schema errors of loose files with positions', () => {
    const bad = { path: 'draft.yaml', text: 'schemaVersion: 1\nname: Antrean\n' };
    const out = lintManifestFiles([bad], null, { today: TODAY }).map(formatDiagnostic);
    expect(out).toContain(
      'draft.yaml:2:7: error: name: must be lower-case letters, digits and dashes, e.g. "antrean-daring"',
    );
  });
});

/** Lints `files` the way `catalog lint` does: each manifest checked on its own, as on a worker thread. */
function lintChecked(files: SourceFile[]): ReturnType<typeof lintCatalogFiles> {
  const checks = new Map<string, ManifestCheck>();
  // Checked in reverse and cloned, as results come back from other threads in any order.
  for (const f of [...files].reverse()) {
    if (isCatalogManifest(f.path))
      checks.set(f.path, structuredClone(checkCatalogManifest(f, { today: TODAY })));
  }
  return lintCatalogFiles(files, checks, { today: TODAY });
}

/** Every row's files at once, with broken files of every kind; one file per path, as on disk. */
function everything(): SourceFile[] {
  const files = withFiles(
    baseCatalog(),
    // Each row's manifest and MoU under a path of its own (most rows use the same ones): the
    // manifest copies then also disagree with their paths and duplicate each other's versions.
    ...rows.flatMap((r, i) =>
      r.files.map((f) =>
        isCatalogManifest(f.path) || f.path.startsWith('catalog/mous/')
          ? { ...f, path: f.path.replace(/\/([^/]+)\.yaml$/, `/$1-row${i}.yaml`) }
          : f,
      ),
    ),
    { path: 'manifests/kota-bandung/rusak/1.0.0.yaml', text: 'name: [unclosed\n' },
    { path: 'manifests/kota-bandung/kosong/1.0.0.yaml', text: '' },
    { path: 'manifests/kota-bandung/ganda/1.0.0.yaml', text: 'name: a\nname: b\n' },
    {
      ...manifest({ version: 'v1.3.0' }),
      path: 'manifests/kota-bandung/antrean-daring/1.3.0.yaml',
    },
    { path: 'manifests/kota-bandung/ganda/1.0.0.yaml.sig', text: 'sig' },
    { path: 'manifests/kota-bandung/antrean-daring/1.2.0.yaml.sig', text: 'sig' },
    { path: 'manifests/kota-bandung/antrean-daring/notes.yaml', text: 'services: {}\n' },
    benchManifest('kota-bandung', 'e-budgeting', '3.0.0'),
    benchManifest('kota-tangerang', 'e-budgeting', '3.0.0'),
    {
      ...benchManifest('kota-bandung', 'e-budgeting', '3.0.0'),
      path: 'manifests/kota-bandung/e-budgeting/3.0.0-copy.yaml',
    },
  );
  return [...new Map(files.map((f) => [f.path, f])).values()];
}

describe('lintCatalogFiles', () => {
  const cases = [
    { name: 'base catalog', files: baseCatalog() },
    { name: 'every rule and broken file at once', files: everything() },
    { name: 'without catalog.yaml', files: everything().slice(1) },
    ...rows.map((r, i) => ({
      name: `${r.rule} #${i}`,
      files: withFiles(baseCatalog(), ...r.files),
    })),
  ];

  it.each(cases)('reports what lintCatalog over buildCatalog reports: $name', ({ files }) => {
    const catalog = buildCatalog({ name: 'test', root: '/catalog', files });
    const { index, diagnostics } = lintChecked(files);
    expect(index.diagnostics).toEqual(catalog.diagnostics);
    expect(diagnostics).toEqual(lintCatalog(catalog, { today: TODAY }));
    expect(index.info).toEqual(catalog.info);
    expect(index.members).toEqual(catalog.members);
    expect(index.mous).toEqual(catalog.mous);
    expect(index.manifests.map((m) => [m.file, m.manifest, m.signature])).toEqual(
      catalog.manifests.map((m) => [
        m.file,
        {
          publisher: m.manifest.publisher,
          name: m.manifest.name,
          version: m.manifest.version,
        },
        m.signature,
      ]),
    );
  });

  it('has findings to compare in the combined catalog', () => {
    const rules = new Set(lintChecked(everything()).diagnostics.map((d) => d.rule));
    for (const r of rows) expect(rules).toContain(r.rule);
    expect(rules).toContain('yaml');
    expect(rules).toContain('duplicate-key');
    expect(rules).toContain('duplicate-version');
  });

  it('checks a manifest missing from the checks itself', () => {
    const files = everything();
    const catalog = buildCatalog({ name: 'test', root: '/catalog', files });
    const { diagnostics } = lintCatalogFiles(files, new Map(), { today: TODAY });
    expect(diagnostics).toEqual(lintCatalog(catalog, { today: TODAY }));
  });
});

describe('lintDuplicateVersions', () => {
  /** The rule as first written: every earlier file of the app compared with semver.eq. */
  function pairwise(units: ManifestEntry[], published: ManifestEntry[]): Diagnostic[] {
    const r = new Reporter(() => undefined);
    const seen = new Map<string, ManifestEntry[]>();
    const key = (u: ManifestEntry) => `${u.manifest.publisher}/${u.manifest.name}`;
    const sameFile = (a: ManifestEntry, b: ManifestEntry) =>
      a.file === b.file || a.file.endsWith(`/${b.file}`) || b.file.endsWith(`/${a.file}`);
    for (const u of published) seen.set(key(u), [...(seen.get(key(u)) ?? []), u]);
    for (const u of [...units].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
      const list = seen.get(key(u)) ?? [];
      const twin = list.find(
        (o) => !sameFile(o, u) && semver.eq(o.manifest.version, u.manifest.version),
      );
      if (twin) {
        const written =
          twin.manifest.version === u.manifest.version
            ? ''
            : ` (written "${twin.manifest.version}" there)`;
        r.error(
          u.file,
          ['version'],
          'duplicate-version',
          `version ${u.manifest.version} of ${key(u)} is already published in ${twin.file}${written}; manifests are immutable, publish a new version`,
        );
      }
      list.push(u);
      seen.set(key(u), list);
    }
    return r.diagnostics;
  }

  it('finds the twins that comparing every pair with semver.eq finds', () => {
    const versions = [
      '1.0.0',
      '1.0.0+build.1',
      '1.0.0+build.2',
      '1.0.0-rc.1',
      '1.0.0-rc.1+x',
      '1.0.0-rc.01a',
      '1.0.0-1',
      '1.0.0-01a',
      '1.0.1',
      '2.0.0',
      '2.0.0-beta',
      '10.0.0',
      '1.10.0',
    ];
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 50; round++) {
      const entry = (i: number): ManifestEntry => {
        const name = ['a', 'b'][random(2)] ?? 'a';
        const version = versions[random(versions.length)] ?? '1.0.0';
        const base = `manifests/p/${name}/${version}${i % 5 === 0 ? '' : `-${i}`}.yaml`;
        return {
          file: random(4) === 0 ? `/home/me/${base}` : base,
          manifest: { publisher: 'p', name, version },
        };
      };
      const units = Array.from({ length: 30 }, (_, i) => entry(i));
      const published = Array.from({ length: random(10) }, (_, i) => entry(100 + i));
      const r = new Reporter(() => undefined);
      lintDuplicateVersions(units, r, published);
      expect(r.diagnostics).toEqual(pairwise(units, published));
    }
  });
});

describe('references across manifests', () => {
  it('judges the same value by each manifest’s own declarations', () => {
    const web = (env: string) => [
      '  web:',
      `    image: ${PINNED('r/web')}`,
      '    environment:',
      `      TITLE: ${env}`,
    ];
    const declared = manifest({
      version: '1.0.0',
      services: web('${config.TITLE}'),
      extra: ['config:', '  TITLE:', '    type: string', '    description: Judul'],
    });
    const undeclared = manifest({ version: '1.2.0', services: web('${config.TITLE}') });
    const out = lintRule(withFiles(baseCatalog(), declared, undeclared), 'dangling-reference');
    expect(out).toEqual([
      'manifests/kota-bandung/antrean-daring/1.2.0.yaml:18:14: error: services.web.environment.TITLE: ${config.TITLE} names no key under "config"',
    ]);
  });
});
