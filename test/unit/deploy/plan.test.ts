import { describe, expect, it } from 'vitest';
import { Label } from '../../../src/core/labels.js';
import { planDeploy, type ActualState } from '../../../src/core/plan.js';
import {
  buildDesiredState,
  type DesiredState,
  type DesiredStateInput,
} from '../../../src/core/service-specs.js';
import type { ContainerInfo, NetworkInfo, VolumeInfo } from '../../../src/core/engine-model.js';
import { antreanManifest, CONFIG, MANIFEST_DIGEST, SECRETS, SUMBAWA } from './fixtures.js';

const desiredFor = (patch: Partial<DesiredStateInput> = {}): DesiredState =>
  buildDesiredState({
    manifest: antreanManifest(),
    manifestDigest: MANIFEST_DIGEST,
    config: CONFIG,
    secrets: SECRETS,
    region: SUMBAWA,
    revision: 1,
    ...patch,
  });

/** What the engine would report after deploying `state`, with per-container overrides. */
function deployed(
  state: DesiredState,
  overrides: Record<string, Partial<ContainerInfo>> = {},
): ActualState {
  const containers: ContainerInfo[] = state.services.map((s) => ({
    id: `id-${s.service}`,
    name: `/${s.spec.name}`,
    image: s.spec.image,
    imageId: `sha256:${'f'.repeat(64)}`,
    labels: { ...s.spec.labels },
    state: 'running',
    health: s.healthcheck ? 'healthy' : 'none',
    healthLog: [],
    exitCode: 0,
    // The image adds its own variables; they must not count as changes.
    env: { PATH: '/usr/local/bin:/usr/bin', ...s.spec.env },
    ports: s.spec.ports.map((p) => ({ ...p })),
    mounts: s.spec.mounts.map((m) => ({ ...m })),
    networks: [s.spec.network],
    createdAt: '2025-01-01T00:00:00Z',
    settings: {
      memoryBytes: s.spec.memoryBytes ?? 0,
      nanoCpus: s.spec.nanoCpus ?? 0,
      restartPolicy: s.spec.restartPolicy,
      capAdd: [],
      privileged: false,
      init: s.spec.init,
      readOnlyRootFilesystem: s.spec.readOnlyRootFilesystem,
    },
    ...overrides[s.service],
  }));
  const networks: NetworkInfo[] = [
    { id: 'net-1', name: state.network.name, labels: state.network.labels },
  ];
  const volumes: VolumeInfo[] = state.volumes.map((v) => ({
    name: v.name,
    labels: v.labels,
    createdAt: '2025-01-01T00:00:00Z',
  }));
  return { containers, networks, volumes };
}

const actions = (plan: ReturnType<typeof planDeploy>) =>
  Object.fromEntries(plan.services.map((s) => [s.service, s.action]));
const reasonOf = (plan: ReturnType<typeof planDeploy>, service: string) =>
  plan.services.find((s) => s.service === service)?.reason;

describe('planDeploy', () => {
  const desired = desiredFor();

  it('fresh install: everything is created', () => {
    const plan = planDeploy(desired, { containers: [], networks: [], volumes: [] });
    expect(plan.network).toEqual({
      name: 'ksad-antrean-daring',
      action: 'create',
      reason: 'network missing',
    });
    expect(plan.volumes).toEqual([
      {
        name: 'ksad-antrean-daring-pgdata',
        volume: 'pgdata',
        action: 'create',
        reason: 'volume missing',
        inUse: true,
      },
    ]);
    expect(plan.services).toEqual(
      desired.services.map((s) => ({
        service: s.service,
        container: s.spec.name,
        configHash: s.configHash,
        action: 'create',
        reason: 'container missing',
        switch: 'start',
      })),
    );
    expect(plan.levels).toEqual([['db'], ['web', 'worker']]);
    expect(plan.changes).toBe(true);
    expect(plan.summary).toEqual({ create: 5, recreate: 0, keep: 0, remove: 0 });
    expect(plan.conflicts).toEqual([]);
  });

  it('no-op: everything is kept and nothing changes', () => {
    const plan = planDeploy(desired, deployed(desired));
    expect(actions(plan)).toEqual({ db: 'keep', web: 'keep', worker: 'keep' });
    expect(
      plan.services.every((s) => s.reason === 'up to date' && s.containerId === `id-${s.service}`),
    ).toBe(true);
    expect(plan.network.action).toBe('keep');
    expect(plan.changes).toBe(false);
    expect(plan.summary).toEqual({ create: 0, recreate: 0, keep: 5, remove: 0 });
  });

  it('a new revision with nothing else changed keeps every container', () => {
    const plan = planDeploy(
      desiredFor({ revision: 2, manifestDigest: `sha256:${'9'.repeat(64)}` }),
      deployed(desired),
    );
    expect(plan.changes).toBe(false);
    expect(plan.revision).toBe(2);
  });

  it('one service env change: only that service is recreated, naming the variable', () => {
    const next = desiredFor({ config: { ...CONFIG, REGION_NAME: 'Sumbawa Barat' } });
    const plan = planDeploy(next, deployed(desired));
    expect(actions(plan)).toEqual({ db: 'keep', web: 'recreate', worker: 'keep' });
    expect(reasonOf(plan, 'web')).toBe('config changed: environment.REGION_NAME');
    expect(plan.summary).toEqual({ create: 0, recreate: 1, keep: 4, remove: 0 });
    expect(plan.changes).toBe(true);
  });

  it('a recreated service_healthy dependency does not recreate its dependents', () => {
    const next = desiredFor({ serviceOverrides: { db: { resources: { memory: '2g' } } } });
    const plan = planDeploy(next, deployed(desired));
    expect(actions(plan)).toEqual({ db: 'recreate', web: 'keep', worker: 'keep' });
    expect(reasonOf(plan, 'db')).toBe('memory limit none, want 2048m');
  });

  it('a rotated secret names the variable, never its value', () => {
    const next = desiredFor({ secrets: { ...SECRETS, DB_PASSWORD: 'rotated-password-xyz' } });
    const plan = planDeploy(next, deployed(desired));
    expect(actions(plan)).toEqual({ db: 'recreate', web: 'recreate', worker: 'keep' });
    expect(reasonOf(plan, 'db')).toBe('config changed: environment.POSTGRES_PASSWORD');
    expect(reasonOf(plan, 'web')).toBe('config changed: environment.DATABASE_URL');
    const text = JSON.stringify(plan);
    expect(text).not.toContain('rotated-password-xyz');
    expect(text).not.toContain(SECRETS.DB_PASSWORD);
  });

  it('an image change names both images', () => {
    const next = desiredFor({
      manifest: antreanManifest(
        (m) =>
          (m.services.worker!.image = `ghcr.io/kota-bandung/antrean-worker@sha256:${'1'.repeat(64)}`),
      ),
    });
    const plan = planDeploy(next, deployed(desired));
    expect(actions(plan)).toEqual({ db: 'keep', web: 'keep', worker: 'recreate' });
    expect(reasonOf(plan, 'worker')).toBe(
      `image changed: ghcr.io/kota-bandung/antrean-worker@sha256:${'c'.repeat(64)} → ghcr.io/kota-bandung/antrean-worker@sha256:${'1'.repeat(64)}`,
    );
  });

  it('a port change names the ports', () => {
    const plan = planDeploy(
      desiredFor({ config: { ...CONFIG, HTTP_PORT: 9090 } }),
      deployed(desired),
    );
    expect(actions(plan)).toEqual({ db: 'keep', web: 'recreate', worker: 'keep' });
    expect(reasonOf(plan, 'web')).toBe(
      'ports changed: 127.0.0.1:9090→80/tcp (was 127.0.0.1:8080→80/tcp)',
    );
  });

  it('a removed service is removed; its volume is kept', () => {
    const next = desiredFor({
      manifest: antreanManifest((m) => {
        delete m.services.db;
        m.services.web!.dependsOn = {};
        m.services.worker!.dependsOn = {};
        m.services.web!.environment = { REGION_NAME: '${config.REGION_NAME}' };
        m.services.worker!.environment = {};
      }),
    });
    const plan = planDeploy(next, deployed(desired));
    const db = plan.services.find((s) => s.service === 'db');
    expect(db).toEqual({
      service: 'db',
      container: 'ksad-antrean-daring-db',
      containerId: 'id-db',
      action: 'remove',
      reason: 'service no longer in manifest',
    });
    expect(plan.volumes).toEqual([
      {
        name: 'ksad-antrean-daring-pgdata',
        volume: 'pgdata',
        action: 'keep',
        reason: 'no longer mounted by any service; its data is kept (plans never remove volumes)',
        inUse: false,
      },
    ]);
    expect(plan.summary.remove).toBe(1);
    expect(plan.changes).toBe(true);
    // Removals come after the desired services, which stay in start order.
    expect(plan.services.map((s) => s.service)).toEqual(['web', 'worker', 'db']);
  });

  it.each<[string, Partial<ContainerInfo>, string]>([
    ['stopped', { state: 'exited', exitCode: 1 }, 'container stopped (exited 1)'],
    ['dead', { state: 'dead', exitCode: 137 }, 'container dead (exit code 137)'],
    ['never started', { state: 'created' }, 'container created but never started'],
    [
      'crash looping',
      { state: 'restarting', exitCode: 2 },
      'container restarting (last exit code 2)',
    ],
    ['paused', { state: 'paused' }, 'container paused'],
    ['unhealthy', { health: 'unhealthy' }, 'container unhealthy'],
  ])('a %s container is recreated', (_name, override, reason) => {
    const plan = planDeploy(desired, deployed(desired, { web: override }));
    expect(actions(plan)).toEqual({ db: 'keep', web: 'recreate', worker: 'keep' });
    expect(reasonOf(plan, 'web')).toBe(reason);
  });

  it('a missing container is created while the others are kept', () => {
    const actual = deployed(desired);
    const plan = planDeploy(desired, {
      ...actual,
      containers: actual.containers.filter((c) => !c.name.endsWith('-worker')),
    });
    expect(actions(plan)).toEqual({ db: 'keep', web: 'keep', worker: 'create' });
    expect(reasonOf(plan, 'worker')).toBe('container missing');
  });

  it('a container without a config hash is recreated', () => {
    const web = desired.services.find((s) => s.service === 'web')!;
    const labels = Object.fromEntries(
      Object.entries(web.spec.labels).filter(([k]) => k !== Label.configHash),
    );
    const plan = planDeploy(desired, deployed(desired, { web: { labels } }));
    expect(reasonOf(plan, 'web')).toBe(
      'container has no config hash (made by another tool or an older ksad)',
    );
  });

  it('removes a duplicate container of a desired service', () => {
    const actual = deployed(desired);
    const web = actual.containers.find((c) => c.name === '/ksad-antrean-daring-web')!;
    const plan = planDeploy(desired, {
      ...actual,
      containers: [
        ...actual.containers,
        { ...web, id: 'id-web-old', name: '/ksad-antrean-daring-web-old' },
      ],
    });
    expect(plan.services.filter((s) => s.action === 'remove')).toEqual([
      {
        service: 'web',
        container: 'ksad-antrean-daring-web-old',
        containerId: 'id-web-old',
        action: 'remove',
        reason: 'another container of service web',
      },
    ]);
    expect(reasonOf(plan, 'web')).toBe('up to date');
  });

  it('ignores containers, networks and volumes of other apps and ksad records', () => {
    const other = desiredFor({ manifest: antreanManifest((m) => (m.name = 'sakip')) });
    const mine = deployed(desired);
    const theirs = deployed(other);
    const record: ContainerInfo = {
      ...mine.containers[0]!,
      id: 'rec',
      name: '/ksad-release-antrean-daring-r1',
      labels: { [Label.managed]: 'true', [Label.kind]: 'release', [Label.app]: 'antrean-daring' },
    };
    const plan = planDeploy(desired, {
      containers: [...mine.containers, ...theirs.containers, record],
      networks: [...mine.networks, ...theirs.networks],
      volumes: [...mine.volumes, ...theirs.volumes],
    });
    expect(plan.changes).toBe(false);
    expect(plan.services).toHaveLength(3);
    expect(plan.volumes).toHaveLength(1);
  });

  it('reports resources with ksad names that ksad does not own as conflicts', () => {
    const plan = planDeploy(desired, {
      containers: [],
      networks: [{ id: 'n', name: 'ksad-antrean-daring', labels: {} }],
      volumes: [
        { name: 'ksad-antrean-daring-pgdata', labels: {}, createdAt: '2025-01-01T00:00:00Z' },
      ],
    });
    expect(plan.conflicts).toEqual([
      'network ksad-antrean-daring exists but is not managed by ksad for antrean-daring',
      'volume ksad-antrean-daring-pgdata exists but is not managed by ksad for antrean-daring; ksad will not mount data it does not own',
    ]);
  });

  describe('drift behind an unchanged config hash (labels copied, docker update, rename)', () => {
    const web = desired.services.find((x) => x.service === 'web')!;
    const live = deployed(desired).containers.find((c) => c.labels[Label.service] === 'web')!;
    const settings = live.settings!;
    const drifted = (override: Partial<ContainerInfo>) =>
      planDeploy(desired, deployed(desired, { web: override }));
    const cases: Array<[string, Partial<ContainerInfo>, string]> = [
      [
        'a container recreated by hand with another image',
        { image: 'registry.example/other@sha256:' + 'e'.repeat(64) },
        `image registry.example/other@sha256:${'e'.repeat(64)}, want ${web.spec.image}`,
      ],
      [
        'another environment',
        { env: { ...live.env, REGION_NAME: 'Kabupaten Lain' } },
        'environment.REGION_NAME differs',
      ],
      [
        'added capabilities',
        { settings: { ...settings, capAdd: ['NET_ADMIN', 'SYS_ADMIN'] } },
        'capabilities added: NET_ADMIN, SYS_ADMIN (ksad adds none)',
      ],
      ['privileged', { settings: { ...settings, privileged: true } }, 'runs privileged'],
      [
        'a disconnected network',
        { networks: ['bridge'] },
        `not on network ${web.spec.network} (on bridge)`,
      ],
      ['a renamed container', { name: '/web-lama' }, `renamed to web-lama (want ${web.spec.name})`],
      [
        'docker update --memory',
        { settings: { ...settings, memoryBytes: 512 * 1024 * 1024 } },
        `memory limit 512m, want ${web.spec.memoryBytes === undefined ? 'none' : `${web.spec.memoryBytes / 1048576}m`}`,
      ],
      [
        'docker update --cpus',
        { settings: { ...settings, nanoCpus: 2_000_000_000 } },
        `cpus 2, want ${web.spec.nanoCpus === undefined ? 'none' : web.spec.nanoCpus / 1e9}`,
      ],
      [
        'docker update --restart',
        { settings: { ...settings, restartPolicy: 'no' } },
        `restart policy no, want ${web.spec.restartPolicy}`,
      ],
    ];
    for (const [what, override, message] of cases) {
      it(`${what}: recreated, the difference named`, () => {
        const plan = drifted(override);
        expect(actions(plan)).toEqual({ db: 'keep', web: 'recreate', worker: 'keep' });
        expect(reasonOf(plan, 'web')).toBe(`drifted: ${message}`);
        expect(plan.changes).toBe(true);
      });
    }

    it('names every difference at once, environment by name only', () => {
      const plan = drifted({
        env: { ...live.env, REGION_NAME: 'diubah-tangan' },
        settings: { ...settings, restartPolicy: 'always', capAdd: ['NET_RAW'] },
      });
      expect(reasonOf(plan, 'web')).toBe(
        'drifted: environment.REGION_NAME differs, restart policy always, want unless-stopped, capabilities added: NET_RAW (ksad adds none)',
      );
      expect(JSON.stringify(plan)).not.toContain('diubah-tangan');
    });

    it('a container whose engine reports no host settings is judged on the rest', () => {
      const actual = deployed(desired, { web: { networks: [web.spec.network] } });
      const containers = actual.containers.map(({ settings: _settings, ...bare }) => bare);
      expect(actions(planDeploy(desired, { ...actual, containers }))).toEqual({
        db: 'keep',
        web: 'keep',
        worker: 'keep',
      });
    });
  });
});
