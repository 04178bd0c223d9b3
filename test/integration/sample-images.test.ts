import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import {
  buildSampleImages,
  pushImage,
  readPins,
  sampleReference,
  SAMPLE_NAMESPACE,
} from '../../scripts/build-images.js';
import {
  buildTestImage,
  cleanupByLabel,
  pullImage,
  requireEngine,
  sessionLabel,
  waitFor,
  type Engine,
} from '../support/engine.js';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer`)));
    req.on('error', reject);
    req.end();
  });
}

async function publishedPort(container: Docker.Container, port: string): Promise<number> {
  const info = await container.inspect();
  const binding = info.NetworkSettings.Ports[port]?.[0];
  if (!binding) throw new Error(`${port} is not published`);
  // Only ever the loopback binding: the container's bridge address is out of bounds here.
  expect(binding.HostIp).toBe('127.0.0.1');
  return Number(binding.HostPort);
}

async function execText(container: Docker.Container, cmd: string[]): Promise<string> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  // The raw stream is multiplexed: 8-byte frame headers before each chunk of output.
  const raw = Buffer.concat(chunks);
  const out: Buffer[] = [];
  for (let i = 0; i + 8 <= raw.length;) {
    const size = raw.readUInt32BE(i + 4);
    out.push(raw.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(out).toString('utf8');
}

describe('sample images', () => {
  let engine: Engine;
  const refs: Record<string, string> = {};
  const label = sessionLabel;

  beforeAll(async () => {
    engine = await requireEngine();
    for (const image of buildSampleImages()) {
      refs[image.name] = await pushImage(image, {
        registry: engine.registry,
        repository: `${SAMPLE_NAMESPACE}/${image.name}`,
      });
    }
  });

  afterAll(async () => {
    if (engine) await cleanupByLabel(label);
  });

  it('builds byte for byte the same images, with the pinned digests', () => {
    const first = buildSampleImages();
    const second = buildSampleImages();
    expect(second.map((i) => i.digest)).toEqual(first.map((i) => i.digest));
    for (const [i, image] of first.entries()) {
      const again = second[i]!;
      expect(again.manifest.equals(image.manifest)).toBe(true);
      expect(again.blobs.map((b) => b.digest)).toEqual(image.blobs.map((b) => b.digest));
      image.blobs.forEach((blob, j) => expect(again.blobs[j]!.data.equals(blob.data)).toBe(true));
    }
    const pins = readPins();
    const built = Object.fromEntries(
      first.map((i) => [i.name, sampleReference('127.0.0.1:5151', i.name, i.digest)]),
    );
    expect(built).toEqual(pins.images);
    expect(Object.keys(built).sort()).toEqual(['db', 'web', 'worker']);
  });

  it('pushes references whose digests the registry confirms', async () => {
    for (const [name, ref] of Object.entries(refs)) {
      const digest = ref.slice(ref.indexOf('@') + 1);
      const res = await fetch(
        `http://${engine.registry}/v2/${SAMPLE_NAMESPACE}/${name}/manifests/${digest}`,
        {
          method: 'HEAD',
          headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
        },
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('docker-content-digest')).toBe(digest);
    }
  });

  it('runs web pulled by digest, serving the environment (escaped) and the database records', async () => {
    const { docker } = engine;
    await pullImage(refs.web!);
    await pullImage(refs.db!);
    const network = await docker.createNetwork({
      Name: `ksad-test-${label.value}`,
      Labels: label.labels,
    });
    const db = await docker.createContainer({
      name: `ksad-test-db-${label.value}`,
      Image: refs.db!,
      Labels: label.labels,
      Env: ['DB_PASSWORD=hunter2-secret-value'],
      HostConfig: { NetworkMode: network.id },
      NetworkingConfig: { EndpointsConfig: { [network.id]: { Aliases: ['db'] } } },
    });
    await db.start();
    const web = await docker.createContainer({
      name: `ksad-test-web-${label.value}`,
      Image: refs.web!,
      Labels: label.labels,
      Env: [
        'APP_TITLE=Antrean <Daring> & "Co"',
        'APP_VERSION=1.2.3',
        'REGION_NAME=Kabupaten Sumbawa',
        'REGION_CODE=52.04',
        "WELCOME_MESSAGE=Selamat datang di Sumbawa's layanan",
        'DB_HOST=db',
        'DB_PASSWORD=hunter2-secret-value',
        'API_TOKEN=tok-should-not-show',
      ],
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: {
        NetworkMode: network.id,
        PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
      },
    });
    await web.start();
    const port = await publishedPort(web, '8080/tcp');

    const health = await waitFor('web /healthz', async () => {
      const res = await get(`http://127.0.0.1:${port}/healthz`);
      return res.status === 200 ? res : undefined;
    });
    expect(health.body).toBe('ok');

    const page = await waitFor('web / with database records', async () => {
      const res = await get(`http://127.0.0.1:${port}/`);
      return res.status === 200 && res.body.includes('id="records"') ? res.body : undefined;
    });
    expect(page).toContain('<td id="APP_TITLE">Antrean &lt;Daring&gt; &amp; &quot;Co&quot;</td>');
    expect(page).toContain('<td id="APP_VERSION">1.2.3</td>');
    expect(page).toContain('<td id="REGION_NAME">Kabupaten Sumbawa</td>');
    expect(page).toContain('<td id="REGION_CODE">52.04</td>');
    expect(page).toContain('Selamat datang di Sumbawa&#39;s layanan');
    expect(page).toMatch(/<pre id="records">started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/pre>/);
    expect(page).toContain('API_TOKEN DB_PASSWORD');
    expect(page).not.toContain('hunter2');
    expect(page).not.toContain('tok-should-not-show');

    // SIGTERM is handled, so a stop takes far less than the 10 s grace period.
    const started = Date.now();
    await Promise.all([web.stop({ t: 10 }), db.stop({ t: 10 })]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('keeps db records in a named volume across a container re-create', async () => {
    const { docker } = engine;
    await pullImage(refs.db!);
    const volume = `ksad-test-data-${label.value}`;
    await docker.createVolume({ Name: volume, Labels: label.labels });
    const create = () =>
      docker.createContainer({
        Image: refs.db!,
        Labels: label.labels,
        HostConfig: {
          NetworkMode: 'none',
          Mounts: [{ Type: 'volume', Source: volume, Target: '/data' }],
        },
      });
    const records = (c: Docker.Container) =>
      waitFor('records written', async () => {
        const text = await execText(c, ['cat', '/data/records']);
        return text.trim() === '' ? undefined : text;
      });

    const first = await create();
    await first.start();
    expect((await records(first)).trim().split('\n')).toHaveLength(1);
    await first.remove({ force: true });

    const second = await create();
    await second.start();
    const lines = (await records(second)).trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await second.remove({ force: true });
  });

  it('refuses to start db with an empty DB_PASSWORD', async () => {
    const { docker } = engine;
    const c = await docker.createContainer({
      Image: refs.db!,
      Labels: label.labels,
      Env: ['DB_PASSWORD='],
      HostConfig: { NetworkMode: 'none' },
    });
    await c.start();
    const result = (await c.wait()) as { StatusCode: number };
    expect(result.StatusCode).toBe(1);
    const logs = (await c.logs({ stdout: true, stderr: true })).toString('utf8');
    expect(logs).toContain('DB_PASSWORD is set but empty');
  });

  it('runs worker, which writes heartbeats and stops promptly on SIGTERM', async () => {
    const { docker } = engine;
    await pullImage(refs.worker!);
    const c = await docker.createContainer({
      Image: refs.worker!,
      Labels: label.labels,
      Env: ['INTERVAL=1'],
      HostConfig: { NetworkMode: 'none' },
    });
    await c.start();
    await waitFor('two heartbeats', async () => {
      const text = await execText(c, ['cat', '/data/worker.log']);
      return text.trim().split('\n').length >= 2 ? text : undefined;
    });
    const started = Date.now();
    await c.stop({ t: 10 });
    expect(Date.now() - started).toBeLessThan(3000);
    const logs = (await c.logs({ stdout: true, stderr: true })).toString('utf8');
    expect(logs).toMatch(/heartbeat 1 /);
    expect(logs).toContain('worker: stopping');
  });

  it('builds and pushes a custom test image with buildTestImage()', async () => {
    const { docker } = engine;
    const ref = await buildTestImage(
      'hello',
      {
        'ksad/entrypoint.sh': '#!/bin/sh\necho "hello $GREETING from $(cat /ksad/region)"\n',
        'ksad/region': '52.04',
      },
      { env: { GREETING: 'selamat pagi' } },
    );
    expect(ref).toMatch(
      new RegExp(`^${engine.registry.replace(/\./g, '\\.')}/ksad-test/hello@sha256:[0-9a-f]{64}$`),
    );
    await pullImage(ref);
    const c = await docker.createContainer({
      Image: ref,
      Labels: label.labels,
      HostConfig: { NetworkMode: 'none' },
    });
    await c.start();
    expect(((await c.wait()) as { StatusCode: number }).StatusCode).toBe(0);
    const logs = (await c.logs({ stdout: true, stderr: true })).toString('utf8');
    expect(logs).toContain('hello selamat pagi from 52.04');
  });
});
