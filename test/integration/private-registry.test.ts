/**
 * A private registry that wants a login (the CNCF registry with htpasswd auth, on loopback): ksad
 * pulls from it through the real engine, and checks images in it over HTTP, with the login
 * `docker login` stored, and says how to log in when there is none.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerConfigCredentials } from '../../src/adapters/docker-config-credentials.js';
import { DockerodeEngine } from '../../src/adapters/dockerode-engine.js';
import { RegistryHttpClient } from '../../src/adapters/registry-http.js';
import { RegistryError } from '../../src/ports/image-registry.js';
import { buildBusyboxImage } from '../support/busybox-engine.js';
import { requireEngine, waitFor } from '../support/engine.js';
import { rejection } from '../support/rejection.js';

const USER = 'diskominfo';
const PASSWORD = 'rahasia-uji-registry';

let dir: string;
let registry: ChildProcess | undefined;
let host: string;
let image: string;
/** DOCKER_CONFIG folders: one where `docker login` stored the login, one with none. */
let loggedIn: string;
let anonymous: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function docker(config: string, args: string[], input?: string): string {
  return execFileSync('docker', ['--config', config, ...args], {
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

beforeAll(async () => {
  await requireEngine();
  dir = mkdtempSync(join(tmpdir(), 'ksad-private-registry-'));
  host = `127.0.0.1:${await freePort()}`;
  writeFileSync(join(dir, 'htpasswd'), `${USER}:${bcrypt.hashSync(PASSWORD, 10)}\n`);
  writeFileSync(
    join(dir, 'registry.yml'),
    `version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${join(dir, 'storage')}
http:
  addr: ${host}
auth:
  htpasswd:
    realm: ksad-test
    path: ${join(dir, 'htpasswd')}
`,
  );
  registry = spawn('docker-registry', ['serve', join(dir, 'registry.yml')], { stdio: 'ignore' });
  await waitFor(`the private registry on ${host}`, async () => {
    const res = await fetch(`http://${host}/v2/`).catch(() => undefined);
    return res?.status === 401 ? true : undefined;
  });

  loggedIn = join(dir, 'logged-in');
  anonymous = join(dir, 'anonymous');
  docker(loggedIn, ['login', '--username', USER, '--password-stdin', host], PASSWORD);
  const tag = `${host}/ksad-test/private:1`;
  buildBusyboxImage(tag);
  docker(loggedIn, ['push', tag]);
  const [pushed] = JSON.parse(
    docker(loggedIn, ['image', 'inspect', '--format', '{{json .RepoDigests}}', tag]),
  ) as string[];
  if (!pushed) throw new Error(`no digest for ${tag} after the push`);
  image = pushed;
  // Gone from the engine, so that a pull has to fetch it.
  docker(loggedIn, ['image', 'rm', '--force', tag, image]);
}, 120_000);

afterAll(() => {
  try {
    if (image) execFileSync('docker', ['image', 'rm', '--force', image], { stdio: 'ignore' });
  } catch {
    // Not pulled: nothing to remove.
  }
  registry?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a private registry', () => {
  it('refuses an anonymous pull, saying how to log in', async () => {
    const anon = DockerodeEngine.fromEnvironment(
      { env: process.env },
      { credentials: new DockerConfigCredentials({ DOCKER_CONFIG: anonymous }) },
    );
    try {
      const error = await rejection(anon.pullImage(image));
      expect(error.code).toBe('DEPLOY_FAILED');
      expect(error.suggestions.join('\n')).toContain(`docker login ${host}`);
      expect(await anon.inspectImage(image)).toBeNull();
    } finally {
      anon.close();
    }
  });

  it('refuses a pull with a wrong login, saying which login was sent', async () => {
    const wrong = join(dir, 'wrong-login');
    mkdirSync(wrong);
    writeFileSync(
      join(wrong, 'config.json'),
      JSON.stringify({
        auths: { [host]: { auth: Buffer.from(`${USER}:salah`).toString('base64') } },
      }),
    );
    const engine = DockerodeEngine.fromEnvironment(
      { env: process.env },
      { credentials: new DockerConfigCredentials({ DOCKER_CONFIG: wrong }) },
    );
    try {
      const error = await rejection(engine.pullImage(image));
      expect(error.code).toBe('DEPLOY_FAILED');
      expect(error.suggestions.join('\n')).toContain(
        `ksad sent the docker CLI's login for ${host}: check it with \`docker login ${host}\``,
      );
      expect([error.message, ...error.suggestions, ...error.details].join('\n')).not.toContain(
        'salah',
      );
    } finally {
      engine.close();
    }
  });

  it('pulls with the login docker stored, sent to the engine with the pull', async () => {
    const withLogin = DockerodeEngine.fromEnvironment(
      { env: process.env },
      { credentials: new DockerConfigCredentials({ DOCKER_CONFIG: loggedIn }) },
    );
    try {
      await withLogin.pullImage(image);
      expect(await withLogin.inspectImage(image)).not.toBeNull();
    } finally {
      withLogin.close();
    }
  });

  it('checks and resolves images over HTTP with the login, and names docker login without', async () => {
    const client = new RegistryHttpClient({
      timeoutMs: 5000,
      credentials: new DockerConfigCredentials({ DOCKER_CONFIG: loggedIn }),
    });
    expect(await client.imageExists(image)).toBe(true);
    expect((await client.resolveDigest(`${host}/ksad-test/private:1`)).pinned).toBe(image);

    const anon = new RegistryHttpClient({
      timeoutMs: 5000,
      credentials: new DockerConfigCredentials({ DOCKER_CONFIG: anonymous }),
    });
    const error = await anon.imageExists(image).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).message).toContain(`docker login ${host}`);
  });
});
