/**
 * Bounded engine calls, against the real engine behind a fault-injecting proxy
 * (test/support/engine-proxy.ts): an engine that takes a request and never answers, or stops in
 * the middle of an answer, gives ENGINE_UNAVAILABLE naming the call within its deadline; one that
 * drops the connection or goes away gives a message about the engine, not the socket's error.
 */
import { request, Agent } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DockerodeEngine } from '../../src/adapters/dockerode-engine.js';
import type { EngineTimeouts } from '../../src/adapters/engine-timeouts.js';
import { sampleImage } from '../support/deploy-fixture.js';
import {
  afterRequests,
  onRequests,
  startEngineProxy,
  type EngineProxy,
} from '../support/engine-proxy.js';
import { requireEngine, type Engine } from '../support/engine.js';
import { rejection } from '../support/rejection.js';

const FAST: EngineTimeouts = { readMs: 1000, writeMs: 1500, pullStallMs: 1500 };
const labels = { 'id.ksad.test-session': 'engine-timeouts' };

let engine: Engine;
let proxy: EngineProxy;
let subject: DockerodeEngine;

beforeAll(async () => {
  engine = await requireEngine();
  if (!engine.dockerHost.startsWith('unix://'))
    throw new Error(
      `the engine proxy needs a unix:// engine, got DOCKER_HOST=${engine.dockerHost}`,
    );
  proxy = await startEngineProxy({ upstream: engine.dockerHost });
});
afterAll(async () => {
  await proxy?.close();
});
afterEach(() => {
  subject?.close();
  proxy.decide(() => 'forward');
});

function open(timeouts: EngineTimeouts = FAST): DockerodeEngine {
  subject = DockerodeEngine.fromEnvironment({ flag: proxy.dockerHost, env: {} }, { timeouts });
  return subject;
}

/** Runs `call`, returning what it threw and how long it took. */
async function timed(
  call: Promise<unknown>,
): Promise<{ error: Awaited<ReturnType<typeof rejection>>; ms: number }> {
  const started = Date.now();
  const error = await rejection(call);
  return { error, ms: Date.now() - started };
}

describe('the engine proxy', () => {
  it('passes requests through and counts each one, also several on one keep-alive connection', async () => {
    const before = proxy.requests.length;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, path: string, body?: string, chunked = false) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            socketPath: proxy.socketPath,
            agent,
            method,
            path,
            headers: body === undefined ? {} : { 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        if (body !== undefined && chunked) {
          req.write(body.slice(0, 3));
          req.write(body.slice(3));
        } else if (body !== undefined) {
          req.setHeader('content-length', Buffer.byteLength(body));
          req.write(body);
        }
        req.end();
      });
    try {
      expect(await send('GET', '/_ping')).toBe(200);
      // A body the engine refuses (400) still has to be framed right for the next request to parse.
      expect(await send('POST', '/containers/create?name=%2F', '{"Image":""}')).toBe(400);
      expect(await send('POST', '/containers/create?name=%2F', '{"Image":""}', true)).toBe(400);
      expect(await send('GET', '/version')).toBe(200);
    } finally {
      agent.destroy();
    }
    const seen = proxy.requests.slice(before);
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /_ping',
      'POST /containers/create?name=%2F',
      'POST /containers/create?name=%2F',
      'GET /version',
    ]);
    expect(new Set(seen.map((r) => r.connection)).size).toBe(1);
    expect(seen.map((r) => r.n)).toEqual([before + 1, before + 2, before + 3, before + 4]);
  });

  it('answers an injected status without the engine', async () => {
    proxy.decide(
      onRequests((r) => r.path.includes('/networks'), { status: 500, message: 'disk on fire' }),
    );
    const error = await rejection(open().listNetworks(labels));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.message).toBe(
      `the Docker engine at ${proxy.dockerHost} refused to list networks: disk on fire (HTTP 500)`,
    );
  });
});

describe('an engine that never answers', () => {
  it('a stalled `version` fails within the read deadline, naming the call', async () => {
    proxy.decide(() => 'stall');
    const { error, ms } = await timed(open().info());
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.reason).toBe('timeout');
    expect(error.message).toBe(
      `the Docker engine at ${proxy.dockerHost} did not answer \`version\` within 1 s`,
    );
    expect(error.suggestions.join('\n')).toContain('KSAD_ENGINE_TIMEOUT=SECONDS');
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(3000);
  });

  it('a list that stops after the answer’s headers fails within the deadline', async () => {
    proxy.decide(onRequests((r) => r.path.includes('/containers/json'), 'stall-answer'));
    const { error, ms } = await timed(open().listContainers(labels));
    expect(error.message).toBe(
      `the Docker engine at ${proxy.dockerHost} did not answer \`list containers\` within 1 s`,
    );
    expect(ms).toBeLessThan(3000);
  });

  it('writes have their own deadline', async () => {
    proxy.decide(
      onRequests((r) => r.method === 'POST' && r.path.includes('/volumes/create'), 'stall'),
    );
    const { error, ms } = await timed(open().createVolume('ksad-uji-timeout-never', labels));
    expect(error.message).toBe(
      `the Docker engine at ${proxy.dockerHost} did not answer \`create volume "ksad-uji-timeout-never"\` within 1.5 s`,
    );
    expect(ms).toBeGreaterThanOrEqual(1450);
    expect(ms).toBeLessThan(3500);
    expect(
      await engine.docker
        .getVolume('ksad-uji-timeout-never')
        .inspect()
        .catch(() => null),
    ).toBeNull();
  });

  it('a pull that makes no progress fails after its stall limit', async () => {
    proxy.decide(onRequests((r) => r.path.includes('/images/create'), 'stall-answer'));
    const ref = sampleImage('web').replace(/^127\.0\.0\.1:\d+/, engine.registry);
    const { error, ms } = await timed(open().pullImage(ref));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.message).toBe(
      `the Docker engine at ${proxy.dockerHost} made no progress on \`pull image "${ref}"\` for 1.5 s`,
    );
    expect(error.suggestions.join('\n')).toContain('KSAD_PULL_TIMEOUT=SECONDS');
    expect(ms).toBeLessThan(4000);
  });

  it('the next call on the same engine works again', async () => {
    const subject = open();
    proxy.decide(afterRequests(proxy.requests.length, 'stall'));
    await rejection(subject.info());
    proxy.decide(() => 'forward');
    await expect(subject.info()).resolves.toMatchObject({ endpoint: proxy.dockerHost });
  });
});

describe('an engine that goes away', () => {
  it('a dropped connection is named as the engine stopping during the call', async () => {
    const subject = open();
    await subject.info();
    proxy.decide(onRequests((r) => r.path.includes('/volumes'), 'drop'));
    const error = await rejection(subject.listVolumes(labels));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.reason).toBe('lost');
    expect(error.message).toBe(
      `the Docker engine at ${proxy.dockerHost} stopped answering during \`list volumes\``,
    );
    expect(error.message).not.toMatch(/ECONNRESET|hang up|EPIPE|ENOENT/);
    expect(error.suggestions.join('\n')).toContain('run the command again once it is back');
  });

  it('a socket that vanishes after the engine answered is the engine stopping, not a wrong address', async () => {
    const gone = await startEngineProxy({ upstream: engine.dockerHost });
    const subject = DockerodeEngine.fromEnvironment(
      { flag: gone.dockerHost, env: {} },
      { timeouts: FAST },
    );
    try {
      await subject.info();
      await gone.die();
      const error = await rejection(subject.inspectContainer('ksad-uji-nope'));
      expect(error.reason).toBe('lost');
      expect(error.message).toBe(
        `the Docker engine at ${gone.dockerHost} stopped answering during \`inspect container "ksad-uji-nope"\``,
      );
      expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
      expect([error.message, ...error.details].join('\n')).not.toContain('ENOENT');
    } finally {
      subject.close();
      await gone.close();
    }
  });
});
