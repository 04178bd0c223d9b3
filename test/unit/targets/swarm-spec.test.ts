import { describe, expect, it } from 'vitest';
import {
  fromService,
  toServiceSpec,
  type RawService,
} from '../../../src/adapters/swarm-mapping.js';
import { swarmVolumeWarnings } from '../../../src/core/lint/swarm.js';
import { Label, names } from '../../../src/core/labels.js';
import { buildDesiredState, type DesiredState } from '../../../src/core/service-specs.js';
import {
  asKsadLeftIt,
  STOPPED_REPLICAS_LABEL,
  secretObjects,
  swarmServiceSpec,
} from '../../../src/targets/swarm/service-spec.js';
import type { ContainerInfo } from '../../../src/core/engine-model.js';
import type { SwarmServiceInfo } from '../../../src/core/swarm-model.js';
import { portHoldings, recordedReplicas } from '../../../src/targets/swarm/operate.js';
import { antreanManifest } from '../deploy/fixtures.js';

const image = `127.0.0.1:5151/ksad-test/busybox@sha256:${'b'.repeat(64)}`;

function desired(
  overrides: Parameters<typeof buildDesiredState>[0]['serviceOverrides'] = {},
): DesiredState {
  const manifest = antreanManifest((m) => {
    m.name = 'antre';
    m.config = {};
    m.secrets = {
      DB_PASSWORD: { source: 'generate', length: 24, description: 'db password' },
    };
    m.services = {
      db: {
        image,
        environment: { DB_PASSWORD: '${secret.DB_PASSWORD}' },
        volumes: [{ name: 'data', path: '/data' }],
        healthcheck: { test: ['true'], interval: '1s', retries: 1 },
      },
      web: { image, ports: [{ name: 'http', container: 8080, host: 18080 }] },
    };
  });
  return buildDesiredState({
    manifest,
    manifestDigest: `sha256:${'e'.repeat(64)}`,
    config: {},
    secrets: { DB_PASSWORD: 'hunter2-hunter2' },
    region: { code: '52.04', name: 'Kabupaten Sumbawa' },
    revision: 1,
    bindAddress: '0.0.0.0',
    serviceName: names.swarmService,
    serviceOverrides: overrides,
  });
}

const service = (d: DesiredState, name: string) => {
  const s = d.services.find((x) => x.service === name);
  if (!s) throw new Error(`no ${name}`);
  return s;
};

describe('swarm service specs', () => {
  it('names services as a stack does and mounts the secrets a service uses as files', () => {
    const d = desired();
    const db = service(d, 'db');
    expect(db.spec.name).toBe('antre_db');
    expect(db.secretNames).toEqual(['DB_PASSWORD']);
    const secrets = secretObjects('antre', db, { DB_PASSWORD: 'hunter2-hunter2' });
    expect(secrets).toEqual([
      {
        name: expect.stringMatching(/^ksad-antre-db_password-[0-9a-f]{12}$/),
        secret: 'DB_PASSWORD',
        value: 'hunter2-hunter2',
      },
    ]);
    const spec = swarmServiceSpec('antre', db, { secrets, monitorMs: 2000, force: 3 });
    expect(spec.labels[Label.stackNamespace]).toBe('antre');
    expect(spec.update.order).toBe('start-first');
    const body = toServiceSpec(spec, { [secrets[0]?.name ?? '']: 'id-1' }) as {
      TaskTemplate: { ContainerSpec: { Secrets: unknown[] }; ForceUpdate: number };
      UpdateConfig: { FailureAction: string; Order: string; Monitor: number };
      EndpointSpec: { Mode: string };
    };
    expect(body.TaskTemplate.ContainerSpec.Secrets).toEqual([
      {
        SecretName: secrets[0]?.name,
        SecretID: 'id-1',
        File: { Name: 'DB_PASSWORD', UID: '0', GID: '0', Mode: 0o444 },
      },
    ]);
    expect(body.TaskTemplate.ForceUpdate).toBe(3);
    expect(body.UpdateConfig).toMatchObject({
      FailureAction: 'rollback',
      Order: 'start-first',
      Monitor: 2e9,
    });
    expect(body.EndpointSpec.Mode).toBe('dnsrr');
  });

  it('updates a service that publishes a host port stop-first, in host mode', () => {
    const web = service(desired(), 'web');
    const spec = swarmServiceSpec('antre', web, { secrets: [], monitorMs: 0, force: 0 });
    expect(spec.update.order).toBe('stop-first');
    const body = toServiceSpec(spec, {}) as { EndpointSpec: { Ports: unknown[] } };
    expect(body.EndpointSpec.Ports).toEqual([
      { Protocol: 'tcp', TargetPort: 8080, PublishedPort: 18080, PublishMode: 'host' },
    ]);
  });

  it('reads back what it wrote, and tells a service changed by hand', () => {
    const db = service(
      desired({ db: { replicas: 1, placement: { constraints: ['node.hostname==a'] } } }),
      'db',
    );
    const spec = swarmServiceSpec('antre', db, { secrets: [], monitorMs: 0, force: 0 });
    const raw = {
      ID: 'x',
      Version: { Index: 7 },
      Spec: toServiceSpec(spec, {}),
    } as unknown as RawService;
    const info = fromService(raw);
    expect(info.container).toMatchObject({
      image,
      env: db.spec.env,
      mounts: db.spec.mounts,
      placement: ['node.hostname==a'],
      healthcheck: db.spec.healthcheck,
    });
    expect(asKsadLeftIt(info)).toBe(true);
    expect(asKsadLeftIt({ ...info, replicas: 0 })).toBe(false);
    // Stopped by ksad: judged at the replica count it keeps for its start.
    const stopped = {
      ...info,
      replicas: 0,
      labels: { ...info.labels, [STOPPED_REPLICAS_LABEL]: '1' },
    };
    expect(asKsadLeftIt(stopped)).toBe(true);
    expect(
      asKsadLeftIt({ ...stopped, labels: { ...stopped.labels, [STOPPED_REPLICAS_LABEL]: '3' } }),
    ).toBe(false);
    expect(asKsadLeftIt({ ...stopped, replicas: 2 })).toBe(false);
    expect(
      asKsadLeftIt({
        ...info,
        container: { ...info.container, env: { ...info.container.env, X: '1' } },
      }),
    ).toBe(false);
  });
});

describe('swarm port holders', () => {
  const port = { container: 80, protocol: 'tcp' as const, hostIp: '127.0.0.1', hostPort: 18080 };
  const ksad = (app: string, name: string, replicas: number): SwarmServiceInfo => {
    const raw = {
      ID: name,
      Spec: {
        Name: name,
        Labels: { [Label.managed]: 'true', [Label.kind]: 'container', [Label.app]: app },
        Mode: { Replicated: { Replicas: replicas } },
        EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: 8080, PublishedPort: 18080 }] },
      },
    } as unknown as RawService;
    return fromService(raw);
  };
  const plain = (name: string, labels: Record<string, string>, state = 'running') =>
    ({
      name: `/${name}`,
      labels,
      state,
      ports: [{ ...port, hostIp: '0.0.0.0' }],
    }) as unknown as ContainerInfo;

  it('names another release’s service, stopped or not, and not the app’s own', () => {
    // The app's own port is neither held nor for a probe of the host.
    expect(portHoldings('antre', [port], [ksad('antre', 'antre_web', 1)], [])).toEqual({
      held: [],
      unheld: [],
    });
    expect(portHoldings('other', [port], [ksad('antre', 'antre_web', 0)], []).held).toEqual([
      { port, holder: { kind: 'release', app: 'antre', container: 'antre_web' } },
    ]);
    // A task's container is its service's, found as the service.
    const task = plain('antre_web.1.x', { 'com.docker.swarm.task.id': 'x' });
    expect(portHoldings('antre', [port], [ksad('antre', 'antre_web', 1)], [task]).held).toEqual([]);
    expect(
      portHoldings('antre', [{ ...port, protocol: 'udp' }], [ksad('x', 'x_web', 1)], []).held,
    ).toEqual([]);
  });

  it('names a service outside ksad by its published Endpoint port, and running plain containers', () => {
    const assigned = fromService({
      ID: 'm',
      Spec: { Name: 'monitor' },
      Endpoint: { Ports: [{ Protocol: 'tcp', TargetPort: 9100, PublishedPort: 18080 }] },
    });
    expect(portHoldings('antre', [port], [assigned], []).held).toEqual([
      { port, holder: { kind: 'container', container: 'monitor' } },
    ]);
    expect(portHoldings('antre', [port], [], [plain('proxy', {})]).held).toEqual([
      { port, holder: { kind: 'container', container: 'proxy' } },
    ]);
    expect(portHoldings('antre', [port], [], [plain('proxy', {}, 'exited')])).toEqual({
      held: [],
      unheld: [port],
    });
    const hostRelease = plain('ksad-kiosk-web', {
      [Label.managed]: 'true',
      [Label.kind]: 'container',
      [Label.app]: 'kiosk',
    });
    expect(portHoldings('antre', [port], [], [hostRelease]).held).toEqual([
      { port, holder: { kind: 'release', app: 'kiosk', container: 'ksad-kiosk-web' } },
    ]);
  });

  it('starts a stopped service at the replica count it kept, else one task', () => {
    const s = ksad('antre', 'antre_web', 0);
    expect(recordedReplicas({ ...s, labels: { [STOPPED_REPLICAS_LABEL]: '3' } })).toBe(3);
    expect(recordedReplicas(s)).toBe(1);
    expect(recordedReplicas({ ...s, labels: { [STOPPED_REPLICAS_LABEL]: 'x' } })).toBe(1);
  });
});

describe('swarm lint', () => {
  it('warns of a named volume on more than one replica or without a pinned node', () => {
    expect(swarmVolumeWarnings(desired({ db: { replicas: 2 } }), '0.0.0.0')).toEqual([
      expect.stringMatching(
        /^services\.db\.replicas: 2 tasks share the named volume ksad-antre-data/,
      ),
      expect.stringMatching(
        /^services\.db\.placement: db mounts the named volume ksad-antre-data but may run on any node/,
      ),
    ]);
    const pinned = desired({ db: { placement: { constraints: ['node.labels.data==yes'] } } });
    expect(swarmVolumeWarnings(pinned, '0.0.0.0')).toEqual([]);
    const byRole = desired({ db: { placement: { constraints: ['node.role==manager'] } } });
    expect(swarmVolumeWarnings(byRole, '0.0.0.0')).toHaveLength(1);
  });

  it('warns that a swarm cannot keep a bind address other than every address', () => {
    const pinned = desired({ db: { placement: { constraints: ['node.hostname==a'] } } });
    expect(swarmVolumeWarnings(pinned, '127.0.0.1')).toEqual([
      expect.stringMatching(
        /^policy\.bindAddress: a swarm publishes the ports of web on every address/,
      ),
    ]);
  });
});
