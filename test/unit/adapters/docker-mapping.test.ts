import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  demultiplexLogs,
  fromImageInspect,
  fromInspect,
  fromNetwork,
  fromVersion,
  fromVolume,
  labelFilters,
  parseEnv,
  toCreateOptions,
  type RawContainerInspect,
} from '../../../src/adapters/docker-mapping.js';
import type { ContainerSpec } from '../../../src/ports/docker-engine.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`./fixtures/engine-20.10-${name}`, import.meta.url));
const json = <T = RawContainerInspect>(name: string): T =>
  JSON.parse(fixture(`${name}.json`).toString('utf8')) as T;

/** The spec the recorded `inspect-*` payloads were created from. */
const recordedSpec: ContainerSpec = {
  name: 'ksad-cap-web',
  image: 'ksad-test/busybox:contract',
  command: ['httpd', '-f', '-p', '8080', '-h', '/'],
  workingDir: '/',
  user: '0',
  env: { A: '1', EMPTY: '', EQ: 'a=b' },
  labels: { 'ksad.test.session': 'capture' },
  ports: [{ container: 8080, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 18081 }],
  mounts: [{ volume: 'ksad-cap-vol', target: '/data', readOnly: false }],
  network: 'ksad-cap-net',
  aliases: ['web'],
  healthcheck: {
    // Exec form; the adapter adds Docker's "CMD" marker.
    test: ['true'],
    intervalMs: 500,
    timeoutMs: 1000,
    retries: 2,
    startPeriodMs: 0,
  },
  nanoCpus: 500_000_000,
  memoryBytes: 64 * 1024 * 1024,
  restartPolicy: 'unless-stopped',
  init: true,
  readOnlyRootFilesystem: true,
  stopTimeoutSec: 2,
};

describe('toCreateOptions', () => {
  it('maps every spec field onto the create request', () => {
    expect(toCreateOptions(recordedSpec)).toEqual({
      name: 'ksad-cap-web',
      Image: 'ksad-test/busybox:contract',
      Labels: { 'ksad.test.session': 'capture' },
      Env: ['A=1', 'EMPTY=', 'EQ=a=b'],
      Cmd: ['httpd', '-f', '-p', '8080', '-h', '/'],
      WorkingDir: '/',
      User: '0',
      ExposedPorts: { '8080/tcp': {} },
      StopTimeout: 2,
      Healthcheck: {
        Test: ['CMD', 'true'],
        Interval: 500_000_000,
        Timeout: 1_000_000_000,
        Retries: 2,
        StartPeriod: 0,
      },
      HostConfig: {
        PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '18081' }] },
        Mounts: [{ Type: 'volume', Source: 'ksad-cap-vol', Target: '/data', ReadOnly: false }],
        NetworkMode: 'ksad-cap-net',
        RestartPolicy: { Name: 'unless-stopped' },
        Init: true,
        ReadonlyRootfs: true,
        NanoCpus: 500_000_000,
        Memory: 67_108_864,
      },
      NetworkingConfig: { EndpointsConfig: { 'ksad-cap-net': { Aliases: ['web'] } } },
    });
  });

  it('agrees with what the engine stored for that request', () => {
    const options = toCreateOptions(recordedSpec);
    const raw = json<{ Config: Record<string, unknown>; HostConfig: Record<string, unknown> }>(
      'inspect-created',
    );
    expect(raw.Config).toMatchObject({
      Image: options.Image,
      Cmd: options.Cmd,
      WorkingDir: options.WorkingDir,
      User: options.User,
      Labels: options.Labels,
      ExposedPorts: options.ExposedPorts,
      Healthcheck: {
        Test: ['CMD', 'true'],
        Interval: 500_000_000,
        Timeout: 1_000_000_000,
        Retries: 2,
      },
      StopTimeout: 2,
    });
    expect(raw.Config.Env).toEqual(expect.arrayContaining(options.Env ?? []));
    // The engine omits `ReadOnly: false` when it stores a mount.
    const mounts = options.HostConfig?.Mounts?.map(({ ReadOnly, ...rest }) =>
      ReadOnly ? { ...rest, ReadOnly } : rest,
    );
    expect(raw.HostConfig).toMatchObject({ ...options.HostConfig, Mounts: mounts });
  });

  it('omits what the spec leaves to the image, and keeps env order stable', () => {
    const options = toCreateOptions({
      ...recordedSpec,
      command: undefined,
      workingDir: undefined,
      user: undefined,
      healthcheck: undefined,
      nanoCpus: undefined,
      memoryBytes: undefined,
      env: { Z: '1', A: '2' },
    } as unknown as ContainerSpec);
    expect(options).not.toHaveProperty('Cmd');
    expect(options).not.toHaveProperty('Entrypoint');
    expect(options).not.toHaveProperty('WorkingDir');
    expect(options).not.toHaveProperty('User');
    expect(options).not.toHaveProperty('Healthcheck');
    expect(options.HostConfig).not.toHaveProperty('NanoCpus');
    expect(options.HostConfig).not.toHaveProperty('Memory');
    expect(options.Env).toEqual(['A=2', 'Z=1']);
  });

  it('binds one container port to several host addresses, and sets the entrypoint', () => {
    const options = toCreateOptions({
      ...recordedSpec,
      entrypoint: ['/bin/sh', '-c'],
      ports: [
        { container: 53, protocol: 'udp', hostIp: '127.0.0.1', hostPort: 5353 },
        { container: 53, protocol: 'udp', hostIp: '::1', hostPort: 5353 },
      ],
    });
    expect(options.Entrypoint).toEqual(['/bin/sh', '-c']);
    expect(options.ExposedPorts).toEqual({ '53/udp': {} });
    expect(options.HostConfig?.PortBindings).toEqual({
      '53/udp': [
        { HostIp: '127.0.0.1', HostPort: '5353' },
        { HostIp: '::1', HostPort: '5353' },
      ],
    });
  });
});

describe('fromInspect', () => {
  it('maps a created container: no health yet, requested ports, volume, network, bare name', () => {
    expect(fromInspect(json('inspect-created'))).toEqual({
      id: '6b9b836c7e05cab255e8085460b4782f5e5b198ef23373e1480da67ff153066f',
      name: 'ksad-cap-web',
      image: 'ksad-test/busybox:contract',
      imageId: 'sha256:ae195c2a4705c1ac30832262de4df5766dcbbe1fdeefb9ec38d846c82f298862',
      labels: { 'ksad.test.session': 'capture' },
      state: 'created',
      health: 'none',
      healthLog: [],
      exitCode: 0,
      env: {
        A: '1',
        EMPTY: '',
        EQ: 'a=b',
        PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      },
      ports: [{ container: 8080, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 18081 }],
      mounts: [{ volume: 'ksad-cap-vol', target: '/data', readOnly: false }],
      networks: ['ksad-cap-net'],
      createdAt: '2026-11-22T20:59:12.616629688Z',
    });
  });

  it('maps running + healthy', () => {
    expect(fromInspect(json('inspect-running-healthy'))).toMatchObject({
      state: 'running',
      health: 'healthy',
      exitCode: 0,
    });
  });

  it('maps a start that failed: still created, with the exit code the engine recorded', () => {
    expect(fromInspect(json('inspect-start-failed'))).toMatchObject({
      name: 'ksad-cap-web2',
      state: 'created',
      health: 'none',
      exitCode: 128,
    });
  });

  it('maps stopped + unhealthy, and an exited container without a healthcheck', () => {
    expect(fromInspect(json('inspect-unhealthy-stopped'))).toMatchObject({
      state: 'exited',
      health: 'unhealthy',
      // The last three of the four probes the engine kept.
      healthLog: ['exit 1', 'exit 1', 'exit 1'],
      exitCode: 143,
      ports: [],
      mounts: [],
    });
    expect(fromInspect(json('inspect-exited'))).toMatchObject({
      name: 'ksad-cap-logs',
      state: 'exited',
      health: 'none',
      networks: ['bridge'],
    });
  });

  it('fills host ports the engine picked, matching the requested address', () => {
    expect(fromInspect(json('inspect-dynamic-port')).ports).toEqual([
      { container: 53, protocol: 'udp', hostIp: '127.0.0.1', hostPort: 32768 },
      { container: 80, protocol: 'tcp', hostIp: '', hostPort: 32768 },
    ]);
  });

  it('leaves a picked port at 0 while the container is not running', () => {
    const raw = json('inspect-dynamic-port');
    expect(
      fromInspect({ ...raw, NetworkSettings: { ...raw.NetworkSettings, Ports: {} } }).ports.map(
        (p) => p.hostPort,
      ),
    ).toEqual([0, 0]);
  });

  it('reports actual bindings when none were requested (publish-all)', () => {
    const raw = json('inspect-dynamic-port');
    const ports = fromInspect({ ...raw, HostConfig: { PortBindings: null } }).ports;
    expect(ports).toEqual([
      { container: 53, protocol: 'udp', hostIp: '127.0.0.1', hostPort: 32768 },
      { container: 80, protocol: 'tcp', hostIp: '::', hostPort: 32768 },
      { container: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 32768 },
    ]);
  });

  it('survives the nulls the engine sends for empty collections', () => {
    const raw = json('inspect-created');
    const info = fromInspect({
      ...raw,
      Config: { ...raw.Config, Env: null, Labels: null },
      Mounts: null,
      HostConfig: null,
      NetworkSettings: { Ports: null, Networks: null },
      State: { Status: 'something-new', Health: null },
    });
    expect(info).toMatchObject({
      env: {},
      labels: {},
      mounts: [],
      ports: [],
      networks: [],
      state: 'dead',
      health: 'none',
      exitCode: 0,
    });
  });
});

describe('small mappers', () => {
  it('parseEnv splits at the first "=" and keeps bare names', () => {
    expect(parseEnv(['A=1', 'B=x=y', 'C=', 'D'])).toEqual({ A: '1', B: 'x=y', C: '', D: '' });
    expect(parseEnv(null)).toEqual({});
  });

  it('labelFilters uses key=value, and the bare key for any value', () => {
    expect(labelFilters({ 'id.ksad.app': 'web', 'id.ksad.managed': '' })).toEqual([
      'id.ksad.app=web',
      'id.ksad.managed',
    ]);
  });

  it('maps version, image, network and volume payloads', () => {
    expect(fromVersion(json('version'), 'unix:///var/run/docker.sock')).toEqual({
      version: '20.10.24+dfsg1',
      apiVersion: '1.41',
      os: 'linux',
      arch: 'amd64',
      endpoint: 'unix:///var/run/docker.sock',
    });
    expect(fromImageInspect(json('image-inspect'))).toEqual({
      id: 'sha256:ae195c2a4705c1ac30832262de4df5766dcbbe1fdeefb9ec38d846c82f298862',
      repoTags: ['127.0.0.1:5151/ksad-test/busybox:contract', 'ksad-test/busybox:contract'],
      repoDigests: [
        '127.0.0.1:5151/ksad-test/busybox@sha256:5d65562aa2719fb81adbf5dd12f3d8599f62226bb693600be54bd3d28411ac80',
      ],
      layers: [
        'sha256:9ae5b540e0dbd7a3f95fdd568f7c93a6ed856ed6e494315320262c9142001c31',
        'sha256:06355513beb32545b24f046075481394093e9ebae28a68b5bef68db197b36416',
      ],
    });
    const [network] = json<Array<Parameters<typeof fromNetwork>[0]>>('network-list');
    expect(fromNetwork(network!)).toEqual({
      id: 'c9d648886bc4a016222c80080d26560035e2112f97ab597990fa3ad5ca28fe9f',
      name: 'ksad-cap-net',
      labels: { 'ksad.test.session': 'capture' },
    });
    const volume = {
      name: 'ksad-cap-vol',
      labels: { 'ksad.test.session': 'capture' },
      createdAt: '2026-11-22T20:59:12Z',
    };
    expect(fromVolume(json('volume-inspect'))).toEqual(volume);
    expect(
      json<{ Volumes: Array<Parameters<typeof fromVolume>[0]> }>('volume-list').Volumes.map(
        fromVolume,
      ),
    ).toEqual([volume]);
    expect(fromVolume({ Name: 'v', Labels: null })).toEqual({
      name: 'v',
      labels: {},
      createdAt: '',
    });
  });
});

describe('demultiplexLogs', () => {
  it('joins the stdout and stderr frames of a non-TTY container', () => {
    expect(demultiplexLogs(fixture('logs-multiplexed.bin'))).toBe('out1\nout2\nerr1\n');
  });

  it('passes TTY output through untouched', () => {
    expect(demultiplexLogs(fixture('logs-tty.bin'))).toBe('tty-out\r\ntty-err\r\n');
  });

  it('handles an empty body and treats a truncated frame as raw text', () => {
    expect(demultiplexLogs(Buffer.alloc(0))).toBe('');
    const frame = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, 9]), Buffer.from('short')]);
    expect(demultiplexLogs(frame)).toBe(frame.toString('utf8'));
  });
});
