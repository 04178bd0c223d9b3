import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  ContainerInfo,
  ContainerSpec,
  DockerEngine,
  HealthState,
  PullProgress,
} from '../../src/ports/docker-engine.js';
import { BLOCK, encodeHeader, padding } from '../../src/adapters/ustar.js';
import { rejection } from '../support/rejection.js';

function tarOf(files: ReadonlyArray<[string, Buffer]>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, bytes] of files)
    parts.push(encodeHeader(name, bytes.length), bytes, Buffer.alloc(padding(bytes.length)));
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

/**
 * A one-layer image as `docker save` writes it (the same bytes every run, so nothing piles up on
 * the engine), and one whose config names a wrong diff id for the same layer.
 */
export function loadArchive(): {
  good: Buffer;
  bad: Buffer;
  id: string;
  badId: string;
  diffId: string;
} {
  const layer = tarOf([['ksad-contract.txt', Buffer.from('loaded by the engine contract\n')]]);
  const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  const archive = (diffId: string, tag: string) => {
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {},
        rootfs: { type: 'layers', diff_ids: [diffId] },
      }),
    );
    const manifest = Buffer.from(
      JSON.stringify([{ Config: 'config.json', RepoTags: [tag], Layers: ['layer.tar'] }]),
    );
    return {
      tar: tarOf([
        ['config.json', config],
        ['layer.tar', layer],
        ['manifest.json', manifest],
      ]),
      id: sha(config),
    };
  };
  const good = archive(sha(layer), 'ksad-contract/load:1');
  const bad = archive(`sha256:${'0'.repeat(64)}`, 'ksad-contract/load:bad');
  return { good: good.tar, bad: bad.tar, id: good.id, badId: bad.id, diffId: sha(layer) };
}

/** A container that sleeps on the default bridge, labelled `labels`, with no ports or mounts. */
export function sleeperSpec(
  name: string,
  image: string,
  labels: Record<string, string>,
  overrides: Partial<ContainerSpec> = {},
): ContainerSpec {
  return {
    name,
    image,
    command: ['sleep', '300'],
    env: {},
    labels: { ...labels },
    ports: [],
    mounts: [],
    network: 'bridge',
    aliases: [],
    restartPolicy: 'no',
    // busybox as PID 1 ignores SIGTERM; an init makes stop prompt.
    init: true,
    readOnlyRootFilesystem: false,
    stopTimeoutSec: 1,
    ...overrides,
  };
}

/** What the contract needs from an engine under test. */
export interface ContractSubject {
  engine: DockerEngine;
  /**
   * An image already on the host whose reference names a registry the engine can reach, so a
   * digest that does not exist under the same repository fails to pull with "not found". It must
   * provide busybox `sh`, `httpd`, `sleep`, `true` and `echo`.
   */
  image: string;
  cleanup(): Promise<void>;
}

/** The label every resource the contract creates carries; the value is unique per run. */
export const CONTRACT_SESSION_LABEL = 'id.ksad.test-session';

/** What the logs scenario prints (stdout then stderr); a fake is told to print the same. */
export const CONTRACT_LOG_LINES = ['contract-out', 'contract-err'] as const;
/** The healthcheck that always fails; a fake is told to treat containers using it as unhealthy. */
export const FAILING_HEALTHCHECK = ['sh', '-c', 'echo probe says no; exit 1'];
/** What FAILING_HEALTHCHECK prints. */
export const FAILING_HEALTHCHECK_OUTPUT = 'probe says no';

/** A free TCP port on 127.0.0.1, as the kernel hands it out. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The behaviour every DockerEngine must show, run against the in-memory fake (unit project) and
 * the real engine (integration project) so the fake cannot drift from what Docker does.
 */
export function dockerEngineContract(
  name: string,
  makeEngine: () => Promise<ContractSubject>,
): void {
  describe(`DockerEngine contract: ${name}`, () => {
    const session = randomBytes(6).toString('hex');
    const sessionLabels = { [CONTRACT_SESSION_LABEL]: session };
    let subject: ContractSubject | undefined;
    let counter = 0;

    const engine = (): DockerEngine => {
      if (!subject) throw new Error('makeEngine() failed; see the beforeAll error');
      return subject.engine;
    };
    const unique = (what: string): string => `ksad-contract-${session}-${what}-${(counter += 1)}`;

    const spec = (overrides: Partial<ContainerSpec> = {}): ContainerSpec =>
      sleeperSpec(unique('c'), subject?.image ?? '', sessionLabels, overrides);

    /** Removes everything this run created, whatever state the test left it in. */
    const sweep = async (): Promise<void> => {
      if (!subject) return;
      const e = subject.engine;
      for (const c of await e.listContainers(sessionLabels))
        await e.removeContainer(c.id, { force: true });
      for (const n of await e.listNetworks(sessionLabels)) await e.removeNetwork(n.id);
      for (const v of await e.listVolumes(sessionLabels)) await e.removeVolume(v.name);
    };

    beforeAll(async () => {
      subject = await makeEngine();
    });
    afterEach(sweep);
    afterAll(async () => {
      try {
        await sweep();
      } finally {
        await subject?.cleanup();
      }
    });

    it('loads a docker-archive: the image id is its config digest, with its layer diff ids; a wrong diff id is refused', async () => {
      const archive = loadArchive();
      await engine().loadImage(
        (async function* () {
          await Promise.resolve();
          yield archive.good;
        })(),
      );
      const info = await engine().inspectImage(archive.id);
      expect(info).toMatchObject({ id: archive.id, layers: [archive.diffId] });
      expect((await engine().listImages()).some((i) => i.id === archive.id)).toBe(true);
      const refused = await rejection(
        engine().loadImage(
          (async function* () {
            await Promise.resolve();
            yield archive.bad;
          })(),
        ),
      );
      expect(refused.code).toBe('DEPLOY_FAILED');
      expect(await engine().inspectImage(archive.badId)).toBeNull();
    });

    it('reports the engine version and where it is', async () => {
      const info = await engine().info();
      expect(info.version).toMatch(/^\d+\.\d+/);
      expect(info.apiVersion).toMatch(/^\d+\.\d+$/);
      expect(info.os).toBe('linux');
      expect(info.endpoint).not.toBe('');
    });

    it('creates, starts, inspects, stops and removes a container, keeping its volume', async () => {
      const e = engine();
      const network = unique('net');
      const volume = unique('vol');
      await e.createNetwork(network, { ...sessionLabels });
      await e.createVolume(volume, { ...sessionLabels });
      const hostPort = await freePort();
      const s = spec({
        command: ['httpd', '-f', '-p', '8080', '-h', '/'],
        env: { GREETING: 'halo', EMPTY: '', WITH_EQUALS: 'a=b' },
        labels: { ...sessionLabels, 'id.ksad.service': 'web' },
        ports: [{ container: 8080, protocol: 'tcp', hostIp: '127.0.0.1', hostPort }],
        mounts: [{ volume, target: '/data', readOnly: false }],
        network,
        aliases: ['web'],
        workingDir: '/data',
        memoryBytes: 64 * 1024 * 1024,
        nanoCpus: 500_000_000,
        restartPolicy: 'unless-stopped',
      });

      const id = await e.createContainer(s);
      expect(id).toMatch(/^[0-9a-f]{64}$/);
      const created = await e.inspectContainer(id);
      expect(created).toMatchObject<Partial<ContainerInfo>>({
        id,
        name: s.name,
        image: s.image,
        state: 'created',
        health: 'none',
        labels: s.labels,
        ports: [{ container: 8080, protocol: 'tcp', hostIp: '127.0.0.1', hostPort }],
        mounts: [{ volume, target: '/data', readOnly: false }],
        networks: [network],
      });
      expect(created?.env).toMatchObject(s.env);
      expect(created?.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(Number.isNaN(Date.parse(created?.createdAt ?? ''))).toBe(false);
      expect(await e.inspectContainer(s.name)).toMatchObject({ id });

      await e.startContainer(id);
      await e.startContainer(id); // starting a running container is not an error
      expect(await e.inspectContainer(id)).toMatchObject({
        state: 'running',
        health: 'none',
        ports: created?.ports,
      });

      await e.stopContainer(id, 1);
      await e.stopContainer(id, 1); // nor is stopping a stopped one
      expect(await e.inspectContainer(id)).toMatchObject({ state: 'exited' });

      await e.removeContainer(id);
      expect(await e.inspectContainer(id)).toBeNull();
      expect(await e.inspectVolume(volume)).toMatchObject({ name: volume, labels: sessionLabels });
    });

    it('runs a command in a running container, and attaches it to a second network and detaches it', async () => {
      const e = engine();
      const home = unique('net');
      const extra = unique('net');
      await e.createNetwork(home, { ...sessionLabels });
      await e.createNetwork(extra, { ...sessionLabels });
      const id = await e.createContainer(spec({ network: home }));
      await e.startContainer(id);
      expect((await e.execOutput(id, ['true'])).exitCode).toBe(0);
      await e.connectNetwork(extra, id);
      await e.connectNetwork(extra, id); // attached already: left as it is
      expect((await e.inspectContainer(id))?.networks.sort()).toEqual([home, extra].sort());
      await e.disconnectNetwork(extra, id);
      await e.disconnectNetwork(extra, id); // not attached: not an error
      expect((await e.inspectContainer(id))?.networks).toEqual([home]);
      await e.disconnectNetwork(extra, unique('gone'));
    });

    it('refuses a second container with the same name, and a rename onto a taken name', async () => {
      const e = engine();
      const first = spec();
      await e.createContainer(first);
      const conflict = await rejection(e.createContainer(spec({ name: first.name })));
      expect(conflict.code).toBe('ENGINE_UNAVAILABLE');
      expect(conflict.message).toContain(first.name);

      const second = await e.createContainer(spec());
      const renameConflict = await rejection(e.renameContainer(second, first.name));
      expect(renameConflict.message).toContain(first.name);

      const newName = unique('renamed');
      await e.renameContainer(second, newName);
      expect(await e.inspectContainer(newName)).toMatchObject({ id: second, name: newName });
    });

    it('refuses to remove a running container unless forced', async () => {
      const e = engine();
      const id = await e.createContainer(spec());
      await e.startContainer(id);
      const refused = await rejection(e.removeContainer(id));
      expect(refused.code).toBe('ENGINE_UNAVAILABLE');
      await e.removeContainer(id, { force: true });
      expect(await e.inspectContainer(id)).toBeNull();
    });

    it('lists containers carrying every given label, running or not', async () => {
      const e = engine();
      const a = await e.createContainer(
        spec({ labels: { ...sessionLabels, 'id.ksad.service': 'a' } }),
      );
      const b = await e.createContainer(
        spec({ labels: { ...sessionLabels, 'id.ksad.service': 'b' } }),
      );
      await e.startContainer(b);

      const ids = async (labels: Record<string, string>): Promise<string[]> =>
        (await e.listContainers(labels)).map((c) => c.id).sort();
      expect(await ids(sessionLabels)).toEqual([a, b].sort());
      expect(await ids({ ...sessionLabels, 'id.ksad.service': 'a' })).toEqual([a]);
      expect(await ids({ ...sessionLabels, 'id.ksad.service': '' })).toEqual([a, b].sort());
      expect(await ids({ [CONTRACT_SESSION_LABEL]: `${session}-other` })).toEqual([]);

      const listed = await e.listContainers({ ...sessionLabels, 'id.ksad.service': 'b' });
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({
        id: b,
        state: 'running',
        labels: { 'id.ksad.service': 'b' },
      });
    });

    it('creates, lists, refuses to duplicate and removes networks', async () => {
      const e = engine();
      const name = unique('net');
      const created = await e.createNetwork(name, { ...sessionLabels, 'id.ksad.app': 'x' });
      expect(created).toMatchObject({ name, labels: { 'id.ksad.app': 'x' } });
      expect(created.id).toMatch(/^[0-9a-f]{64}$/);

      expect(await e.listNetworks({ ...sessionLabels, 'id.ksad.app': 'x' })).toEqual([created]);
      expect(await e.listNetworks({ ...sessionLabels, 'id.ksad.app': 'y' })).toEqual([]);

      const duplicate = await rejection(e.createNetwork(name, { ...sessionLabels }));
      expect(duplicate.code).toBe('ENGINE_UNAVAILABLE');
      expect(duplicate.message).toContain(name);

      await e.removeNetwork(name);
      expect(await e.listNetworks(sessionLabels)).toEqual([]);
      await e.removeNetwork(name); // already gone: not an error
    });

    it('creates a never-started marker atomically: a taken name is LOCKED, and it can be read and removed', async () => {
      const e = engine();
      const name = unique('lock');
      await e.createMarker(name, { ...sessionLabels, 'id.ksad.record': '{"user":"budi"}' });
      const again = await rejection(e.createMarker(name, { ...sessionLabels }));
      expect(again.code).toBe('LOCKED');

      const marker = await e.inspectContainer(name);
      expect(marker).toMatchObject({ name, state: 'created' });
      expect(marker?.labels['id.ksad.record']).toBe('{"user":"budi"}');

      await e.removeContainer(name, { force: true });
      expect(await e.inspectContainer(name)).toBeNull();
      await e.createMarker(name, { ...sessionLabels }); // free again
    });

    it("writes files into a never-started marker's volume and reads them back, from another marker too", async () => {
      const e = engine();
      const volume = unique('vault');
      await e.createVolume(volume, { ...sessionLabels });
      const first = unique('vault-c');
      await e.createMarker(first, { ...sessionLabels }, [
        { volume, target: '/vault', readOnly: false },
      ]);
      expect(await e.readFiles(first, '/vault')).toEqual({});
      await e.putFiles(first, '/vault', [
        { name: 'a.json', content: Buffer.from('{"x":1}'), mode: 0o600 },
        { name: 'b.json', content: Buffer.from('two'), mode: 0o600 },
      ]);
      await e.putFiles(first, '/vault', [
        { name: 'b.json', content: Buffer.from('2'), mode: 0o600 },
      ]);
      const read = await e.readFiles(first, '/vault');
      expect(
        Object.fromEntries(Object.entries(read ?? {}).map(([k, v]) => [k, v.toString()])),
      ).toEqual({ 'a.json': '{"x":1}', 'b.json': '2' });
      await e.removeContainer(first, { force: true });
      const second = unique('vault-c');
      await e.createMarker(second, { ...sessionLabels }, [
        { volume, target: '/vault', readOnly: false },
      ]);
      expect((await e.readFiles(second, '/vault'))?.['a.json']?.toString()).toBe('{"x":1}');
      expect(await e.readFiles(unique('no-such'), '/vault')).toBeNull();
      expect((await e.inspectVolume(volume))?.labels).toEqual(sessionLabels);
      await e.removeContainer(second, { force: true });
      await e.removeVolume(volume);
    });

    it('creates, lists, inspects and removes volumes; creating an existing one returns it unchanged', async () => {
      const e = engine();
      const name = unique('vol');
      const created = await e.createVolume(name, { ...sessionLabels, 'id.ksad.volume': 'data' });
      expect(created).toMatchObject({
        name,
        labels: { ...sessionLabels, 'id.ksad.volume': 'data' },
      });
      expect(Number.isNaN(Date.parse(created.createdAt))).toBe(false);

      expect(await e.listVolumes({ ...sessionLabels, 'id.ksad.volume': 'data' })).toEqual([
        created,
      ]);
      expect(await e.inspectVolume(name)).toEqual(created);
      expect(await e.createVolume(name, { ...sessionLabels, other: 'label' })).toEqual(created);

      const id = await e.createContainer(
        spec({ mounts: [{ volume: name, target: '/data', readOnly: true }] }),
      );
      const inUse = await rejection(e.removeVolume(name));
      expect(inUse.message).toContain(name);
      await e.removeContainer(id);

      await e.removeVolume(name);
      expect(await e.inspectVolume(name)).toBeNull();
      await e.removeVolume(name); // already gone: not an error
    });

    it('reports health starting, then healthy for a passing healthcheck and unhealthy for a failing one', async () => {
      const e = engine();
      // The first probe runs one interval after start: long enough to see 'starting' reliably.
      const healthcheck = { intervalMs: 1000, timeoutMs: 2000, retries: 1, startPeriodMs: 0 };
      const passing = await e.createContainer(
        spec({ healthcheck: { test: ['true'], ...healthcheck } }),
      );
      const failing = await e.createContainer(
        spec({ healthcheck: { test: FAILING_HEALTHCHECK, ...healthcheck } }),
      );
      expect(await e.inspectContainer(passing)).toMatchObject({ health: 'none', state: 'created' });
      await e.startContainer(passing);
      expect((await e.inspectContainer(passing))?.health).toBe('starting');
      await e.startContainer(failing);

      const settled = (id: string, want: HealthState) =>
        eventually(`${id} to be ${want}`, async () =>
          (await e.inspectContainer(id))?.health === want ? want : undefined,
        );
      await settled(passing, 'healthy');
      await settled(failing, 'unhealthy');
      // The probe's own words, as ksad reports them when a service never becomes healthy.
      expect((await e.inspectContainer(failing))?.healthLog.at(-1)).toBe(
        `exit 1: ${FAILING_HEALTHCHECK_OUTPUT}`,
      );
      expect((await e.inspectContainer(passing))?.healthLog.at(-1)).toBe('exit 0');
    });

    it('returns the last lines of stdout and stderr, demultiplexed', async () => {
      const e = engine();
      const [out, err] = CONTRACT_LOG_LINES;
      const id = await e.createContainer(
        spec({ command: ['sh', '-c', `echo ${out}; echo ${err} >&2; exec sleep 300`] }),
      );
      await e.startContainer(id);
      const logs = await eventually('both log lines', async () => {
        const text = await e.containerLogs(id, 100);
        return text.includes(out) && text.includes(err) ? text : undefined;
      });
      expect(logs.split('\n').filter(Boolean).sort()).toEqual([err, out]);
      // No 8-byte frame headers left in the text (their first byte is 0, 1 or 2).
      expect([...logs].some((ch) => ch.charCodeAt(0) <= 2)).toBe(false);
      expect((await e.containerLogs(id, 1)).split('\n').filter(Boolean)).toHaveLength(1);
    });

    it('streams logs (tail, follow until the container stops) and runs commands in it', async () => {
      const e = engine();
      const [out, err] = CONTRACT_LOG_LINES;
      const id = await e.createContainer(
        spec({ command: ['sh', '-c', `echo ${out}; echo ${err} >&2; exec sleep 300`] }),
      );
      await e.startContainer(id);
      await eventually('both log lines', async () => {
        const text = await e.containerLogs(id, 100);
        return text.includes(out) && text.includes(err) ? text : undefined;
      });
      const read = async (opts: { tail?: number; follow?: boolean }): Promise<string[]> => {
        const chunks: string[] = [];
        await e.streamLogs(id, { follow: false, ...opts }, (_stream, data) =>
          chunks.push(Buffer.from(data).toString()),
        );
        return chunks.join('').split('\n').filter(Boolean);
      };
      expect((await read({})).sort()).toEqual([err, out]);
      expect(await read({ tail: 1 })).toHaveLength(1);

      const said: string[] = [];
      const io = {
        tty: false,
        stdout: (d: Uint8Array) => said.push(`out:${Buffer.from(d).toString()}`),
        stderr: (d: Uint8Array) => said.push(`err:${Buffer.from(d).toString()}`),
      };
      expect(await e.exec(id, ['echo', 'halo'], io)).toBe(0);
      expect(await e.exec(id, ['sh', '-c', 'exit 4'], io)).toBe(4);
      expect(said).toEqual(['out:halo\n']);

      // A followed log ends when the container stops.
      const followed = e.streamLogs(id, { follow: true }, () => undefined);
      await e.stopContainer(id, 1);
      await followed;
      const stopped = await rejection(e.exec(id, ['true'], io));
      expect(stopped.code).toBe('USAGE');
    });

    it('refuses to start a container whose host port is already allocated, naming the port', async () => {
      const e = engine();
      const hostPort = await freePort();
      const ports = [{ container: 8080, protocol: 'tcp' as const, hostIp: '127.0.0.1', hostPort }];
      const holder = await e.createContainer(
        spec({ command: ['httpd', '-f', '-p', '8080', '-h', '/'], ports }),
      );
      await e.startContainer(holder);
      const second = await e.createContainer(spec({ ports }));
      const refused = await rejection(e.startContainer(second));
      expect(refused.code).toBe('DEPLOY_FAILED');
      expect(refused.message).toContain(String(hostPort));
      expect(await e.inspectContainer(second)).toMatchObject({ state: 'created' });
    });

    it('answers null or NOT_FOUND for a missing container, and ignores removing it', async () => {
      const e = engine();
      const missing = unique('missing');
      expect(await e.inspectContainer(missing)).toBeNull();
      await e.removeContainer(missing);
      expect((await rejection(e.startContainer(missing))).code).toBe('NOT_FOUND');
      expect((await rejection(e.stopContainer(missing, 1))).code).toBe('NOT_FOUND');
      expect((await rejection(e.containerLogs(missing, 10))).code).toBe('NOT_FOUND');
      expect(await e.inspectVolume(unique('missing-volume'))).toBeNull();
    });

    it('pulls an image with progress, inspects it, and fails clearly on a digest that does not exist', async () => {
      const e = engine();
      const image = subject?.image ?? '';
      const progress: PullProgress[] = [];
      await e.pullImage(image, (p) => progress.push(p));
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.every((p) => typeof p.status === 'string')).toBe(true);

      const info = await e.inspectImage(image);
      expect(info?.id).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(info?.repoTags).toContain(image);
      const digestRef = info?.repoDigests[0];
      expect(digestRef).toMatch(/@sha256:[0-9a-f]{64}$/);
      expect((await e.inspectImage(digestRef ?? ''))?.id).toBe(info?.id);
      expect(await e.inspectImage(`${unique('absent')}:1`)).toBeNull();

      const repository = image.slice(0, image.lastIndexOf(':'));
      const missing = `${repository}@sha256:${'0'.repeat(64)}`;
      const failed = await rejection(e.pullImage(missing));
      expect(failed.code).toBe('DEPLOY_FAILED');
      expect(failed.message).toContain(missing);
    });
  });
}

/** An engine under test that can be made to go away mid-operation. */
export interface LossSubject {
  engine: DockerEngine;
  /** The engine stops answering: its connections drop and new ones fail. */
  stopAnswering(): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * What callers rely on when the engine goes away after it has answered: every call fails with
 * ENGINE_UNAVAILABLE, reason `lost`, naming the engine and the call, never the socket's error.
 */
export function dockerEngineLossContract(name: string, make: () => Promise<LossSubject>): void {
  describe(`DockerEngine contract, engine loss: ${name}`, () => {
    let subject: LossSubject;
    beforeAll(async () => {
      subject = await make();
    });
    afterAll(async () => subject?.cleanup());

    it('after an answer, a call to an engine that went away is ENGINE_UNAVAILABLE (lost), naming the call', async () => {
      await subject.engine.info();
      await subject.stopAnswering();
      for (const call of [
        subject.engine.listContainers({ [CONTRACT_SESSION_LABEL]: 'loss' }),
        subject.engine.inspectVolume('ksad-contract-loss'),
        subject.engine.removeContainer('ksad-contract-loss'),
      ]) {
        const error = await rejection(call);
        expect(error.code).toBe('ENGINE_UNAVAILABLE');
        expect(error.reason).toBe('lost');
        expect(error.message).toMatch(
          /^the Docker engine at \S+ stopped answering during `[^`]+`$/,
        );
        expect(error.suggestions.join('\n')).toContain('run the command again once it is back');
      }
    });
  });
}
