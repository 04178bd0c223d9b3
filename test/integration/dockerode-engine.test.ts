import { randomBytes } from 'node:crypto';
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DockerodeEngine } from '../../src/adapters/dockerode-engine.js';
import type { ContainerSpec } from '../../src/ports/docker-engine.js';
import { sleeperSpec } from '../contract/docker-engine.contract.js';
import { buildBusyboxImage, reachableEngine } from '../support/busybox-engine.js';
import { rejection } from '../support/rejection.js';

const SESSION_KEY = 'id.ksad.test-session';
const session = randomBytes(6).toString('hex');
const sessionLabels = { [SESSION_KEY]: session };
const image = 'ksad-test/busybox:contract';

async function listen<S extends Server | HttpServer>(
  server: S,
): Promise<{ server: S; port: number; close: () => Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('DockerodeEngine: an engine that cannot be reached', () => {
  it.each(['unix:///tmp/ksad-nonexistent-engine.sock', 'tcp://127.0.0.1:1'])(
    '%s → ENGINE_UNAVAILABLE naming the endpoint',
    async (dockerHost) => {
      const engine = DockerodeEngine.fromEnvironment({ flag: dockerHost, env: {} });
      try {
        for (const call of [
          engine.info(),
          engine.listContainers(sessionLabels),
          engine.inspectContainer('x'),
        ]) {
          const error = await rejection(call);
          expect(error.code).toBe('ENGINE_UNAVAILABLE');
          expect(error.message).toContain(`cannot reach the Docker engine at ${dockerHost}`);
          expect(error.suggestions.join(' ')).toMatch(/DOCKER_HOST/);
        }
      } finally {
        engine.close();
      }
    },
  );
});

describe('DockerodeEngine: answers from an engine, over HTTP', () => {
  let fake: { port: number; close: () => Promise<void> } | undefined;
  const routes = new Map<string, (res: ServerResponse) => void>();

  beforeAll(async () => {
    fake = await listen(
      createHttpServer((req, res) => {
        const path = (req.url ?? '').split('?')[0] ?? '';
        const route = routes.get(`${req.method} ${path}`);
        if (route) route(res);
        else
          res
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ message: `no route ${req.method} ${path}` }));
      }),
    );
  });
  afterAll(async () => fake?.close());
  afterEach(() => routes.clear());

  it('fails a pull on an error inside the progress stream, after reporting progress', async () => {
    routes.set('POST /images/create', (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ status: 'Pulling from ksad/web', id: '1.0' })}\n`);
      res.write(
        `${JSON.stringify({ status: 'Downloading', id: 'abc', progressDetail: { current: 10, total: 20 } })}\n`,
      );
      res.end(
        `${JSON.stringify({ errorDetail: { message: 'unexpected EOF' }, error: 'unexpected EOF' })}\n`,
      );
    });
    const engine = DockerodeEngine.fromEnvironment({
      flag: `tcp://127.0.0.1:${fake?.port}`,
      env: {},
    });
    const seen: unknown[] = [];
    try {
      const error = await rejection(
        engine.pullImage('registry.example/ksad/web:1.0', (p) => seen.push(p)),
      );
      expect(error.code).toBe('DEPLOY_FAILED');
      expect(error.message).toBe(
        'cannot pull image "registry.example/ksad/web:1.0": unexpected EOF',
      );
      expect(seen).toEqual([
        { status: 'Pulling from ksad/web', id: '1.0' },
        { status: 'Downloading', id: 'abc', current: 10, total: 20 },
      ]);
    } finally {
      engine.close();
    }
  });

  it('classifies by status code: 409 on create names the container, other refusals name the action', async () => {
    routes.set('POST /containers/create', (res) =>
      res
        .writeHead(409, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: 'Conflict. whatever the engine says' })),
    );
    routes.set('GET /networks', (res) =>
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: 'disk on fire' })),
    );
    const engine = DockerodeEngine.fromEnvironment({
      flag: `tcp://127.0.0.1:${fake?.port}`,
      env: {},
    });
    try {
      const conflict = await rejection(
        engine.createContainer(sleeperSpec('ksad-demo-web', image, sessionLabels)),
      );
      expect(conflict.code).toBe('ENGINE_UNAVAILABLE');
      expect(conflict.message).toContain('container name "ksad-demo-web" is already in use');
      const refused = await rejection(engine.listNetworks({}));
      expect(refused.message).toBe(
        `the Docker engine at tcp://127.0.0.1:${fake?.port} refused to list networks: disk on fire (HTTP 500)`,
      );
    } finally {
      engine.close();
    }
  });
});

describe('DockerodeEngine on DOCKER_HOST', () => {
  let engine: DockerodeEngine;
  const name = (what: string): string => `ksad-it-${session}-${what}`;
  const spec = (n: string, overrides: Partial<ContainerSpec> = {}): ContainerSpec =>
    sleeperSpec(n, image, sessionLabels, overrides);

  beforeAll(async () => {
    engine = await reachableEngine();
    if (!(await engine.inspectImage(image))) buildBusyboxImage(image);
  });

  afterEach(async () => {
    for (const c of await engine.listContainers(sessionLabels))
      await engine.removeContainer(c.id, { force: true });
    for (const n of await engine.listNetworks(sessionLabels)) await engine.removeNetwork(n.id);
    for (const v of await engine.listVolumes(sessionLabels)) await engine.removeVolume(v.name);
  });
  // Unset when the engine could not be reached.
  afterAll(() => (engine as DockerodeEngine | undefined)?.close());

  it('fails a start with DEPLOY_FAILED naming the port when another program holds it', async () => {
    const holder = await listen(createServer());
    try {
      const id = await engine.createContainer(
        spec(name('port'), {
          ports: [{ container: 8080, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: holder.port }],
        }),
      );
      const error = await rejection(engine.startContainer(id));
      expect(error.code).toBe('DEPLOY_FAILED');
      expect(error.message).toContain(`cannot start container "${name('port')}"`);
      expect(error.message).toContain(`127.0.0.1:${holder.port}/tcp`);
    } finally {
      await holder.close();
    }
  });

  it('names the container holding the port when it is another container', async () => {
    const probe = await listen(createServer());
    const hostPort = probe.port;
    await probe.close();
    const ports = [{ container: 8080, protocol: 'tcp' as const, hostIp: '127.0.0.1', hostPort }];
    const first = await engine.createContainer(spec(name('first'), { ports }));
    await engine.startContainer(first);
    const second = await engine.createContainer(
      spec(name('second'), { ports: [{ ...ports[0]!, hostIp: '0.0.0.0' }] }),
    );
    const error = await rejection(engine.startContainer(second));
    expect(error.message).toBe(
      `cannot start container "${name('second')}": host port 0.0.0.0:${hostPort}/tcp is already allocated by container "${name('first')}"`,
    );
  });

  it('serves on the published 127.0.0.1 port and answers to its alias on the network', async () => {
    const network = name('net');
    await engine.createNetwork(network, sessionLabels);
    const probe = await listen(createServer());
    const hostPort = probe.port;
    await probe.close();
    const web = await engine.createContainer(
      spec(name('web'), {
        command: [
          'sh',
          '-c',
          'mkdir -p /www && echo halo > /www/index.html && exec httpd -f -p 8080 -h /www',
        ],
        network,
        aliases: ['web'],
        ports: [{ container: 8080, protocol: 'tcp', hostIp: '127.0.0.1', hostPort }],
      }),
    );
    await engine.startContainer(web);

    let body = '';
    for (let attempt = 0; attempt < 50 && body === ''; attempt += 1) {
      body = await fetch(`http://127.0.0.1:${hostPort}/index.html`).then(
        (r) => r.text(),
        () => new Promise<string>((r) => setTimeout(() => r(''), 100)),
      );
    }
    expect(body).toBe('halo\n');

    const client = await engine.createContainer(
      spec(name('client'), {
        network,
        command: ['sh', '-c', 'wget -q -O - http://web:8080/index.html'],
      }),
    );
    await engine.startContainer(client);
    let exited = await engine.inspectContainer(client);
    for (let attempt = 0; attempt < 100 && exited?.state !== 'exited'; attempt += 1) {
      await new Promise((r) => setTimeout(r, 100));
      exited = await engine.inspectContainer(client);
    }
    expect(exited).toMatchObject({ state: 'exited', exitCode: 0 });
    expect(await engine.containerLogs(client, 10)).toBe('halo\n');

    const inUse = await rejection(engine.removeNetwork(network));
    expect(inUse.message).toContain(`cannot remove network "${network}"`);
  });

  it('reports NOT_FOUND when a container is started on a network that is gone', async () => {
    const id = await engine.createContainer(
      spec(name('nonet'), { network: name('no-such-network') }),
    );
    const error = await rejection(engine.startContainer(id));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain(name('no-such-network'));
  });
});
