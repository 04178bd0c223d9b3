import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KsadError } from '../../../src/core/errors.js';
import { Label } from '../../../src/core/labels.js';
import { SECRET_MASK } from '../../../src/core/secrets.js';
import {
  buildDesiredState,
  renderDesiredState,
  type DesiredStateInput,
} from '../../../src/core/service-specs.js';
import { antreanManifest, CONFIG, MANIFEST_DIGEST, SECRETS, SUMBAWA } from './fixtures.js';

const input = (patch: Partial<DesiredStateInput> = {}): DesiredStateInput => ({
  manifest: antreanManifest(),
  manifestDigest: MANIFEST_DIGEST,
  config: CONFIG,
  secrets: SECRETS,
  region: SUMBAWA,
  revision: 1,
  ...patch,
});

const service = (state: ReturnType<typeof buildDesiredState>, name: string) => {
  const s = state.services.find((x) => x.service === name);
  if (s === undefined) throw new Error(`no service ${name}`);
  return s;
};

describe('buildDesiredState: web + db + worker', () => {
  const state = buildDesiredState(input());

  it('orders services by dependency level', () => {
    expect(state.levels).toEqual([['db'], ['web', 'worker']]);
    expect(state.services.map((s) => s.service)).toEqual(['db', 'web', 'worker']);
    expect(service(state, 'web').dependsOn).toEqual({ db: 'service_healthy' });
    expect(service(state, 'worker').dependsOn).toEqual({ db: 'service_healthy' });
  });

  it('names and labels the network and volumes', () => {
    expect(state.app).toEqual({
      name: 'antrean-daring',
      publisher: 'kota-bandung',
      version: '1.2.0',
      revision: 1,
      manifestDigest: MANIFEST_DIGEST,
    });
    expect(state.network).toEqual({
      name: 'ksad-antrean-daring',
      labels: {
        [Label.managed]: 'true',
        [Label.kind]: 'network',
        [Label.app]: 'antrean-daring',
        [Label.publisher]: 'kota-bandung',
      },
    });
    expect(state.volumes).toEqual([
      {
        name: 'ksad-antrean-daring-pgdata',
        volume: 'pgdata',
        labels: {
          [Label.managed]: 'true',
          [Label.kind]: 'volume',
          [Label.app]: 'antrean-daring',
          [Label.publisher]: 'kota-bandung',
          [Label.volume]: 'pgdata',
        },
      },
    ]);
  });

  it('builds the web container spec', () => {
    const web = service(state, 'web');
    expect(web.healthcheck).toBe(true);
    expect(web.secretEnv).toEqual(['DATABASE_URL']);
    expect(web.spec).toEqual({
      name: 'ksad-antrean-daring-web',
      image: `ghcr.io/kota-bandung/antrean-web@sha256:${'a'.repeat(64)}`,
      env: {
        DATABASE_URL: `postgres://antrean:${SECRETS.DB_PASSWORD}@db:5432/antrean`,
        LITERAL: 'price ${NOT_A_REF}',
        REGION_CODE: '52.04',
        REGION_NAME: 'Sumbawa',
      },
      labels: {
        [Label.managed]: 'true',
        [Label.kind]: 'container',
        [Label.app]: 'antrean-daring',
        [Label.publisher]: 'kota-bandung',
        [Label.service]: 'web',
        [Label.version]: '1.2.0',
        [Label.revision]: '1',
        [Label.manifestDigest]: MANIFEST_DIGEST,
        [Label.configHash]: web.configHash,
      },
      ports: [{ container: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 }],
      mounts: [],
      network: 'ksad-antrean-daring',
      aliases: ['web'],
      healthcheck: {
        test: ['wget', '-qO-', 'http://localhost/health'],
        intervalMs: 5000,
        timeoutMs: 2000,
        retries: 3,
        startPeriodMs: 90_000,
      },
      nanoCpus: 500_000_000,
      memoryBytes: 256 * 1024 * 1024,
      restartPolicy: 'unless-stopped',
      init: false,
      readOnlyRootFilesystem: false,
      stopTimeoutSec: 15,
    });
    expect(web.configHash).toMatch(/^[a-f0-9]{64}$/);
  });

  it('builds the db and worker specs', () => {
    const db = service(state, 'db');
    expect(db.spec.env).toEqual({ POSTGRES_DB: 'antrean', POSTGRES_PASSWORD: SECRETS.DB_PASSWORD });
    expect(db.spec.mounts).toEqual([
      { volume: 'ksad-antrean-daring-pgdata', target: '/var/lib/postgresql/data', readOnly: false },
    ]);
    expect(db.spec.init).toBe(true);
    expect(db.spec.ports).toEqual([]);
    expect(db.spec).not.toHaveProperty('nanoCpus');
    expect(db.spec).not.toHaveProperty('memoryBytes');
    const worker = service(state, 'worker');
    expect(worker.healthcheck).toBe(false);
    expect(worker.spec).not.toHaveProperty('healthcheck');
    expect(worker.spec.command).toEqual(['worker', '--threads', '2', '--app', 'antrean-daring']);
    expect(worker.spec.env).toEqual({ DB_HOST: 'db', SMTP_PASSWORD: SECRETS.SMTP_PASSWORD });
    expect(worker.spec.restartPolicy).toBe('on-failure');
    expect(worker.spec.readOnlyRootFilesystem).toBe(true);
    expect(worker.spec.stopTimeoutSec).toBe(10);
  });

  it('publishes on the host policy bind address and the configured port', () => {
    const web = service(
      buildDesiredState(input({ bindAddress: '0.0.0.0', config: { ...CONFIG, HTTP_PORT: 9090 } })),
      'web',
    );
    expect(web.spec.ports).toEqual([
      { container: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 9090 },
    ]);
  });

  it('layers overlay resources and environment over the manifest', () => {
    const web = service(
      buildDesiredState(
        input({
          serviceOverrides: {
            web: {
              resources: { memory: '1g' },
              environment: { TZ: 'Asia/Makassar', LITERAL: null, REGION_NAME: '${region.name}' },
            },
          },
        }),
      ),
      'web',
    );
    expect(web.spec.memoryBytes).toBe(1024 ** 3);
    expect(web.spec.nanoCpus).toBe(500_000_000);
    expect(web.spec.env).toEqual({
      DATABASE_URL: `postgres://antrean:${SECRETS.DB_PASSWORD}@db:5432/antrean`,
      REGION_CODE: '52.04',
      REGION_NAME: 'Kabupaten Sumbawa',
      TZ: 'Asia/Makassar',
    });
  });
});

describe('buildDesiredState: an overlay null removes a resource limit', () => {
  it('drops the manifest limit that the overlay sets to null, keeps the other', () => {
    const web = service(
      buildDesiredState(input({ serviceOverrides: { web: { resources: { memory: null } } } })),
      'web',
    );
    expect(web.spec.memoryBytes).toBeUndefined();
    expect(web.spec.nanoCpus).toBe(500_000_000);
    const noCpu = service(
      buildDesiredState(input({ serviceOverrides: { web: { resources: { cpus: null } } } })),
      'web',
    );
    expect(noCpu.spec.nanoCpus).toBeUndefined();
    expect(noCpu.spec.memoryBytes).toBe(256 * 1024 ** 2);
  });
});

describe('buildDesiredState: config hash', () => {
  const hashes = (patch: Partial<DesiredStateInput> = {}) =>
    Object.fromEntries(
      buildDesiredState(input(patch)).services.map((s) => [s.service, s.configHash]),
    );
  const base = hashes();

  it('is the same for the same input', () => {
    expect(hashes()).toEqual(base);
  });

  it.each<[string, Partial<DesiredStateInput>]>([
    ['a new revision', { revision: 7 }],
    ['a new manifest digest', { manifestDigest: `sha256:${'e'.repeat(64)}` }],
    [
      'a version bump with the same images',
      { manifest: antreanManifest((m) => (m.version = '1.2.1')) },
    ],
    ['another key order', { config: Object.fromEntries(Object.entries(CONFIG).reverse()) }],
  ])('does not change for %s', (_name, patch) => {
    expect(hashes(patch)).toEqual(base);
  });

  it('changes only for the services that use a rotated secret', () => {
    const rotated = hashes({ secrets: { ...SECRETS, SMTP_PASSWORD: 'rotated-smtp-password' } });
    expect(rotated.worker).not.toBe(base.worker);
    expect(rotated.web).toBe(base.web);
    expect(rotated.db).toBe(base.db);
  });

  it.each<[string, Partial<DesiredStateInput>, string[]]>([
    [
      'a config value in the environment',
      { config: { ...CONFIG, REGION_NAME: 'Sumbawa Barat' } },
      ['web'],
    ],
    ['the published port', { config: { ...CONFIG, HTTP_PORT: 9090 } }, ['web']],
    ['the bind address', { bindAddress: '0.0.0.0' }, ['web']],
    ['a command argument', { config: { ...CONFIG, WORKERS: 3 } }, ['worker']],
    [
      'the database password',
      { secrets: { ...SECRETS, DB_PASSWORD: 'another-password-123' } },
      ['db', 'web'],
    ],
    ['a resource limit', { serviceOverrides: { db: { resources: { memory: '2g' } } } }, ['db']],
    ['the region', { region: { code: '52.07', name: 'Kabupaten Sumbawa Barat' } }, ['web']],
  ])('changes for %s', (_name, patch, changed) => {
    const after = hashes(patch);
    expect(
      Object.keys(base)
        .filter((s) => after[s] !== base[s])
        .sort(),
    ).toEqual(changed);
  });

  it('never carries a secret in labels, and the hash is not the hash of a secret', () => {
    const state = buildDesiredState(input());
    for (const s of state.services) {
      const labels = JSON.stringify(s.spec.labels);
      for (const secret of Object.values(SECRETS)) {
        expect(labels).not.toContain(secret);
        expect(s.configHash).not.toBe(createHash('sha256').update(secret).digest('hex'));
      }
    }
  });
});

describe('renderDesiredState', () => {
  it('masks every secret value and nothing else', () => {
    const state = buildDesiredState(input());
    const rendered = renderDesiredState(state, SECRETS);
    const text = JSON.stringify(rendered);
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    const web = rendered.services.find((s) => s.service === 'web')!;
    expect(web.spec.env.DATABASE_URL).toBe(`postgres://antrean:${SECRET_MASK}@db:5432/antrean`);
    expect(web.spec.env.REGION_NAME).toBe('Sumbawa');
    expect(web.configHash).toBe(state.services.find((s) => s.service === 'web')!.configHash);
    // The input is left intact for the executor.
    expect(JSON.stringify(state)).toContain(SECRETS.DB_PASSWORD);
  });
});

describe('buildDesiredState: problems', () => {
  const fails = (patch: Partial<DesiredStateInput>): KsadError => {
    try {
      buildDesiredState(input(patch));
    } catch (e) {
      if (e instanceof KsadError) return e;
      throw e;
    }
    throw new Error('expected a KsadError');
  };

  it.each<[string, Partial<DesiredStateInput>, string]>([
    [
      'a secret without a value',
      { secrets: { DB_PASSWORD: 'x' } },
      'services.worker.environment.SMTP_PASSWORD: ${secret.SMTP_PASSWORD}: secret SMTP_PASSWORD has no value; supply it (KSAD_SECRET_SMTP_PASSWORD)',
    ],
    [
      'an undeclared config key',
      { manifest: antreanManifest((m) => (m.services.web!.environment = { X: '${config.NOPE}' })) },
      'services.web.environment.X: ${config.NOPE}: there is no config key "NOPE"',
    ],
    [
      'an unknown service',
      {
        manifest: antreanManifest(
          (m) => (m.services.web!.environment = { X: '${service.cache.host}' }),
        ),
      },
      '${service.cache.host}',
    ],
    [
      'a malformed reference',
      { manifest: antreanManifest((m) => (m.services.web!.environment = { X: '${env.HOME}' })) },
      'unknown reference "${env.HOME}"',
    ],
    [
      'a misspelt secret',
      {
        manifest: antreanManifest(
          (m) => (m.services.web!.environment = { X: '${secret.DB_PASWORD} ${env.HOME}' }),
        ),
      },
      'services.web.environment.X: ${secret.DB_PASWORD}: there is no secret "DB_PASWORD"; did you mean "DB_PASSWORD"?\nservices.web.environment.X: ${env.HOME}: unknown reference',
    ],
    [
      'a port key without a value',
      { config: { REGION_NAME: 'x' } },
      'services.web.ports[0].host: ${config.HTTP_PORT} has no value',
    ],
    [
      'a host path volume',
      {
        manifest: antreanManifest(
          (m) =>
            (m.services.db!.volumes = [
              { source: '/var/run/docker.sock', path: '/var/run/docker.sock' },
            ]),
        ),
      },
      'services.db.volumes.0.source: mounts the Docker socket (/var/run/docker.sock)',
    ],
    [
      'service_healthy on a service without healthcheck',
      {
        manifest: antreanManifest(
          (m) => (m.services.web!.dependsOn = { worker: { condition: 'service_healthy' } }),
        ),
      },
      'services.web.dependsOn.worker.condition: waits for "worker" to be healthy (the default condition) but "worker" has no healthcheck',
    ],
    [
      'an override for an unknown service',
      { serviceOverrides: { wbe: { resources: { memory: '1g' } } } },
      'services.wbe: antrean-daring has no service "wbe"',
    ],
  ])('%s', (_name, patch, detail) => {
    const error = fails(patch);
    expect(error.code).toBe('INVALID');
    expect(error.details.join('\n')).toContain(detail);
  });

  it('names a dependency cycle', () => {
    const error = fails({
      manifest: antreanManifest(
        (m) => (m.services.db!.dependsOn = { worker: { condition: 'service_started' } }),
      ),
    });
    expect(error.message).toContain('db → worker → db');
  });
});
