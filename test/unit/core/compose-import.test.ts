import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  convertDuration,
  convertMemory,
  importCompose,
  literalOf,
  looksSecret,
  parseInterpolation,
  pinImages,
  shellSplit,
  type ComposeDraft,
} from '../../../src/core/compose-import.js';
import { formatDiagnostic } from '../../../src/core/diagnostics.js';
import { lintManifestFiles } from '../../../src/core/lint/index.js';
import { manifestSchema } from '../../../src/core/schema/index.js';
import { REPO_ROOT } from '../../support/cli.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'compose');
const read = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const DIGEST = `sha256:${'a'.repeat(64)}`;
const META = {
  publisher: 'kota-bandung',
  version: '2.1.0',
  license: 'Apache-2.0',
  url: 'https://git.bandung.go.id/antrean',
  dimensions: ['smart-governance'],
  requiresKsad: '>=0.1.0',
};

function draftOf(name: string, meta: Partial<typeof META> = META): ComposeDraft {
  const file = `test/fixtures/compose/${name}`;
  return importCompose({
    file,
    text: read(name),
    envFiles: { 'web.env': read('web.env') },
    meta: { publisher: 'kota-bandung', ...meta },
  });
}

/** Every image pinned to a made-up digest, as the registry would. */
function pinAll(draft: ComposeDraft): ComposeDraft {
  const resolved = Object.fromEntries(
    draft.images.map((i) => [i.service, `${i.image.replace(/:[^:/]+$/, '')}@${DIGEST}`]),
  );
  return pinImages(draft, 'compose.yml', resolved, {}).draft;
}

function lint(manifest: unknown): string[] {
  return lintManifestFiles([{ path: 'draft.yaml', text: stringify(manifest) }], null, {
    today: '2026-03-01',
  }).map(formatDiagnostic);
}

describe('compose interpolation', () => {
  it.each([
    ['plain', 'plain', []],
    ['$$HOME', '$HOME', []],
    ['${A}', '', [{ name: 'A', modifier: null, argument: '' }]],
    ['$A/x', '/x', [{ name: 'A', modifier: null, argument: '' }]],
    ['${A:-dflt}', 'dflt', [{ name: 'A', modifier: ':-', argument: 'dflt' }]],
    ['${A-dflt}', 'dflt', [{ name: 'A', modifier: '-', argument: 'dflt' }]],
    ['${A:?need A}', '', [{ name: 'A', modifier: ':?', argument: 'need A' }]],
    ['${A?need A}', '', [{ name: 'A', modifier: '?', argument: 'need A' }]],
    ['${A:+alt}', '', [{ name: 'A', modifier: ':+', argument: 'alt' }]],
    [
      'http://${H:-db}:${P:-5432}/x',
      'http://db:5432/x',
      [
        { name: 'H', modifier: ':-', argument: 'db' },
        { name: 'P', modifier: ':-', argument: '5432' },
      ],
    ],
    ['${A:-${B:-inner}}', 'inner', [{ name: 'A', modifier: ':-', argument: '${B:-inner}' }]],
    ['cost $ 5', 'cost $ 5', []],
  ])('%s → default %j', (input, literal, vars) => {
    const { parts, error } = parseInterpolation(input);
    expect(error).toBeUndefined();
    expect(parts.filter((p) => p.kind === 'var').map(({ kind: _k, ...v }) => v)).toEqual(vars);
    expect(literalOf(input)).toBe(literal);
  });

  it('uses .env values over defaults, and :+ only when set', () => {
    expect(literalOf('${A:-x}', { A: 'fromenv' })).toBe('fromenv');
    expect(literalOf('${A:-x}', { A: '' })).toBe('x');
    expect(literalOf('${A-x}', { A: '' })).toBe('');
    expect(literalOf('${A:+alt}', { A: 'y' })).toBe('alt');
  });

  it.each([
    ['${A', 'unterminated'],
    ['${1A}', 'does not start with a variable name'],
    ['${A!x}', 'unknown modifier'],
  ])('rejects %s', (input, message) => {
    expect(parseInterpolation(input).error).toContain(message);
  });
});

describe('small parsers', () => {
  it.each([
    ['a b  c', ['a', 'b', 'c']],
    [`sh -c 'echo "hi there"'`, ['sh', '-c', 'echo "hi there"']],
    ['echo "a \\"b\\" $x"', ['echo', 'a "b" $x']],
    ['one\\ word', ['one word']],
    ['""', ['']],
  ])('shell-splits %s', (input, args) => expect(shellSplit(input)).toEqual({ args }));
  it('reports an unterminated quote', () =>
    expect(shellSplit('echo "oops')).toEqual({
      error: expect.stringContaining('unterminated double quote'),
    }));

  it.each([
    ['30s', '30s'],
    ['1m30s', '1m30s'],
    ['1.5s', '1s500ms'],
    ['90s', '1m30s'],
    ['500ms', '500ms'],
    ['0s', '0s'],
    ['10', undefined],
  ])('duration %s → %s', (i, o) => expect(convertDuration(i)).toBe(o));
  it.each([
    ['256M', '256m'],
    ['1g', '1g'],
    ['1.5g', '1536m'],
    ['512mb', '512m'],
    [1073741824, '1024m'],
    ['lots', undefined],
  ] as const)('memory %s → %s', (i, o) => expect(convertMemory(i)).toBe(o));
  it.each([
    ['DB_PASSWORD', true],
    ['API_TOKEN', true],
    ['APP_SECRET_KEY', true],
    ['APIKEY', true],
    ['KEYCLOAK_URL', false],
    ['DB_HOST', false],
    ['DB_PASSWORD_FILE', false],
  ])('looksSecret(%s) = %s', (n, s) => expect(looksSecret(n)).toBe(s));
});

describe('importCompose: supported features', () => {
  const draft = draftOf('full.yml');
  const m = draft.manifest as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('maps services, commands, entrypoint strings and env in both forms', () => {
    expect(Object.keys(m.services as object)).toEqual(['web', 'db', 'migrate']);
    expect(m.name).toBe('antrean-kota');
    expect(m.services.web.command).toEqual(['serve', '--port', '8080']);
    expect(m.services.web.entrypoint).toEqual(['/ksad/entrypoint.sh', '--verbose', 'two words']);
    expect(m.services.migrate.command).toEqual(['migrate', '--once']);
    expect(m.services.db.environment).toEqual({
      DB_PASSWORD: '${secret.DB_PASSWORD}',
      PGDATA: '/data/pg',
    });
  });

  it('turns variables into typed config keys, credentials into generated secrets, hostnames into service references', () => {
    expect(m.services.web.environment).toEqual({
      LOG_LEVEL: 'info',
      API_TOKEN: '${secret.API_TOKEN}',
      APP_TITLE: 'Antrean Kota',
      DB_HOST: '${service.db.host}',
      DB_PASSWORD: '${secret.DB_PASSWORD}',
      DATABASE_URL: 'http://${service.db.host}:5432/records',
      WELCOME: '${config.WELCOME_MESSAGE}',
      QUEUE_SIZE: '${config.QUEUE_SIZE}',
      DEBUG: '${config.DEBUG}',
      REGION: '${config.REGION_NAME}',
      PRICE: '$5',
    });
    expect(m.config.WELCOME_MESSAGE).toMatchObject({ type: 'string', default: 'Selamat datang' });
    expect(m.config.QUEUE_SIZE).toMatchObject({ type: 'integer', default: 50 });
    expect(m.config.DEBUG).toMatchObject({ type: 'boolean', default: false });
    expect(m.config.REGION_NAME).toMatchObject({ type: 'string', required: true });
    expect(m.config.REGION_NAME.description).toContain('set the region name');
    expect(m.secrets).toEqual({
      API_TOKEN: { description: expect.any(String), source: 'generate' },
      DB_PASSWORD: { description: expect.any(String), source: 'generate' },
    });
  });

  it('maps host ports to port config keys, long syntax and udp', () => {
    expect(m.services.web.ports).toEqual([
      { container: 8080, host: '${config.WEB_PORT}' },
      { container: 9090, host: '${config.WEB_9090_PORT}', protocol: 'udp' },
      { name: 'https', container: 9443, host: '${config.WEB_9443_PORT}' },
    ]);
    expect(m.config.WEB_PORT).toMatchObject({ type: 'port', default: 8080 });
    expect(m.config.WEB_9090_PORT).toMatchObject({ type: 'port', default: 9090 });
  });

  it('maps volumes, healthchecks, depends_on, resources and restart', () => {
    expect(m.services.web.volumes).toEqual([{ name: 'uploads', path: '/uploads' }]);
    expect(m.services.db.volumes).toEqual([{ name: 'db-data', path: '/data' }]);
    expect(m.services.web.healthcheck).toEqual({
      test: ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/healthz'],
      interval: '5s',
      timeout: '1s500ms',
      startPeriod: '1m30s',
      retries: 5,
    });
    expect(m.services.db.healthcheck).toEqual({
      test: ['sh', '-c', 'wget -q -O /dev/null http://127.0.0.1:5432/records || exit 1'],
      interval: '30s',
      timeout: '30s',
      startPeriod: '0s',
      retries: 3,
    });
    expect(m.services.web.dependsOn).toEqual({
      db: { condition: 'service_healthy' },
      migrate: { condition: 'service_started' },
    });
    expect(m.services.migrate.dependsOn).toEqual({ db: { condition: 'service_started' } });
    expect(m.services.web.resources).toEqual({ cpus: 0.5, memory: '256m' });
    expect(m.services.db.resources).toEqual({ cpus: 0.25, memory: '1536m' });
    expect([m.services.web.restart, m.services.db.restart, m.services.migrate.restart]).toEqual([
      'always',
      'on-failure',
      'no',
    ]);
  });

  it('reports what changed on the way, at its line and column', () => {
    expect(draft.diagnostics.map(formatDiagnostic)).toEqual([
      'test/fixtures/compose/full.yml:10:20: warning: services.web.environment.DB_PASSWORD: the literal value of DB_PASSWORD is a credential: it became ${secret.DB_PASSWORD}, generated at install',
      'test/fixtures/compose/full.yml:17:15: warning: services.web.env_file: the literal value of API_TOKEN is a credential: it became ${secret.API_TOKEN}, generated at install',
      "test/fixtures/compose/full.yml:20:9: warning: services.web.ports.1: the bind address 127.0.0.1 was dropped: the recipient's host profile decides which address ports are published on",
      'test/fixtures/compose/full.yml:30:7: warning: services.web.depends_on.migrate: waits for "migrate" to complete successfully, which ksad cannot express: it became service_started; make "migrate" idempotent or run it as part of the app\'s own start-up',
      'test/fixtures/compose/full.yml:47:9: warning: services.db.environment.0: the literal value of DB_PASSWORD is a credential: it became ${secret.DB_PASSWORD}, generated at install',
      'test/fixtures/compose/full.yml:50:9: warning: services.db.volumes.0: volume "db_data" was renamed "db-data": ksad volume names are lower-case letters, digits and dashes',
      "test/fixtures/compose/full.yml:57:14: warning: services.db.restart: the retry limit 3 was dropped: ksad's on-failure retries without a limit",
    ]);
  });

  it('lists every tag still to pin, where it stands', () => {
    expect(draft.images).toEqual([
      { service: 'web', image: '127.0.0.1:5151/ksad-samples/web:latest', line: 4, col: 12 },
      { service: 'db', image: '127.0.0.1:5151/ksad-samples/db:latest', line: 45, col: 12 },
      { service: 'migrate', image: '127.0.0.1:5151/ksad-samples/worker:latest', line: 59, col: 12 },
    ]);
  });

  it('once pinned, passes the manifest schema and every lint rule', () => {
    const pinned = pinAll(draft);
    expect(manifestSchema.safeParse(pinned.manifest).error?.issues).toBeUndefined();
    expect(lint(pinned.manifest)).toEqual([]);
    expect(pinned.decisions).toEqual([
      'description.id.shortDescription was drafted from the title and services: say what the app does for a region (--description)',
      'secrets.DB_PASSWORD: one credential, joined from services.web.environment.DB_PASSWORD, services.db.environment.0 (the same value): generated once at install and given to each of them',
      'config.REGION_NAME has no default: each region must set it (add a default if one fits every region)',
    ]);
  });

  it('left unpinned, fails lint only on what it lists as decisions', () => {
    const { draft: d, unpinned } = pinImages(
      draftOf('full.yml', {}),
      'full.yml',
      {},
      { web: 'cannot reach 127.0.0.1:1' },
    );
    expect(unpinned.map((u) => u.service)).toEqual(['web', 'db', 'migrate']);
    expect(unpinned[0]?.reason).toBe('cannot reach 127.0.0.1:1');
    expect(
      d.diagnostics.filter((x) => x.rule === 'image-not-pinned').map(formatDiagnostic)[0],
    ).toBe(
      'full.yml:4:12: warning: services.web.image: "127.0.0.1:5151/ksad-samples/web:latest" is still to pin (cannot reach 127.0.0.1:1): the draft keeps the tag, which manifest lint rejects; pin it as repository@sha256:<digest>',
    );
    const errors = lint(d.manifest);
    expect(errors).toEqual([
      'draft.yaml:1:1: error: dimensions: is required',
      'draft.yaml:1:1: error: license: is required',
      'draft.yaml:1:1: error: url: is required',
    ]);
    expect(
      d.decisions.filter((x) => /^(license|url|dimensions|services\.\w+\.image):/.test(x)),
    ).toHaveLength(6);
    // With the metadata given, only the image pins remain.
    const withMeta = pinImages(draftOf('full.yml'), 'full.yml', {}, {}).draft;
    expect(
      lint(withMeta.manifest).map(
        (l) => l.replace(/^draft\.yaml:\d+:\d+: /, '').split(': image ')[0],
      ),
    ).toEqual([
      'error: services.web.image',
      'error: services.db.image',
      'error: services.migrate.image',
    ]);
  });
});

describe('importCompose: unsupported features', () => {
  it('warns about each, with the compose line and column, and never drops one silently', () => {
    const draft = draftOf('unsupported.yml');
    expect(draft.diagnostics.map(formatDiagnostic)).toEqual([
      "test/fixtures/compose/unsupported.yml:4:5: warning: services.app.privileged: a privileged container has full control of the recipient's host; ksad manifests do not carry it, so it was left out",
      "test/fixtures/compose/unsupported.yml:5:5: warning: services.app.network_mode: ksad runs every service on the release's own network; network_mode was left out",
      'test/fixtures/compose/unsupported.yml:6:5: warning: services.app.cap_add: added Linux capabilities widen what the container can do to the host; left out',
      'test/fixtures/compose/unsupported.yml:8:5: warning: services.app.devices: host devices are not given to containers by ksad; left out',
      "test/fixtures/compose/unsupported.yml:10:5: warning: services.app.pid: sharing the host's process table is not supported; left out",
      'test/fixtures/compose/unsupported.yml:12:9: warning: services.app.volumes.0: bind mount of the host path ./config is not supported: a release owns its data in named volumes; put the files in the image, or use a named volume; left out',
      "test/fixtures/compose/unsupported.yml:13:9: warning: services.app.volumes.1: mounts the Docker socket (/var/run/docker.sock): whoever controls the container would control the recipient's host; left out",
      'test/fixtures/compose/unsupported.yml:14:5: warning: services.app.links: links are not needed: services reach each other by name (${service.NAME.host}); left out',
      'test/fixtures/compose/unsupported.yml:16:5: warning: services.app.profiles: profiles are not supported: every service of a manifest is deployed; the service was kept, remove it from the draft if it is optional',
      'test/fixtures/compose/unsupported.yml:17:5: warning: services.app.extends: extends service "base", which does not exist; its settings are missing from this service',
      'test/fixtures/compose/unsupported.yml:19:3: warning: services.builder: has only "build" and no image: ksad deploys published images only; build and push it, then add the service with its image; left out',
      'test/fixtures/compose/unsupported.yml:21:1: warning: secrets: top-level secrets are not supported: declare secrets under "secrets" and settings under "config" of the manifest; left out',
    ]);
    const m = draft.manifest as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(Object.keys(m.services as object)).toEqual(['app']);
    expect(m.services.app).toEqual({ image: '127.0.0.1:5151/ksad-samples/web:latest' });
    expect(lint(pinAll(draft).manifest)).toEqual([]);
  });

  it('reports a file that is not a compose file as an error', () => {
    const d = importCompose({
      file: 'x.yml',
      text: 'version: "3"\n',
      meta: { publisher: 'kota-bandung' },
    });
    expect(d.diagnostics.map(formatDiagnostic)).toEqual([
      'x.yml:1:1: error: services: a compose file needs a "services" map with at least one service',
    ]);
  });
});

describe('importCompose: interpolation in place', () => {
  it('maps variables in env (list form), ports and image, with .env defaults', () => {
    const d = importCompose({
      file: 'i.yml',
      text: read('interpolation.yml'),
      dotenv: { TAG: '1.0', ADMIN_EMAIL: 'admin@bandung.go.id' },
      meta: META,
    });
    const m = d.manifest as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(m.services.api.image).toBe('127.0.0.1:5151/ksad-samples/web:1.0');
    expect(m.services.api.environment).toEqual({
      PUBLIC_URL: 'https://${config.DOMAIN}/antrean',
      HTTP_PORT: '${config.HTTP_PORT}',
      ADMIN_EMAIL: '${config.ADMIN_EMAIL}',
      JWT_SECRET: '${secret.JWT_SECRET}',
      LITERAL: '$${NOT_A_VAR}',
    });
    expect(m.services.api.ports).toEqual([{ container: 8080, host: '${config.HTTP_PORT}' }]);
    expect(m.config).toEqual({
      DOMAIN: { type: 'string', description: expect.any(String), default: 'example.go.id' },
      HTTP_PORT: { type: 'port', description: expect.any(String), default: 8080 },
      ADMIN_EMAIL: {
        type: 'string',
        description: expect.any(String),
        default: 'admin@bandung.go.id',
      },
    });
    expect(d.diagnostics.map(formatDiagnostic)).toEqual([
      'i.yml:3:12: warning: services.api.image: "127.0.0.1:5151/ksad-samples/web:${TAG:-latest}" uses variables; a manifest names one image, so it became "127.0.0.1:5151/ksad-samples/web:1.0"',
      'i.yml:8:9: warning: services.api.environment.3: ${JWT_SECRET} is a credential: it became ${secret.JWT_SECRET}, generated at install; its default value was dropped',
    ]);
    expect(lint(pinAll(d).manifest)).toEqual([]);
  });
});
