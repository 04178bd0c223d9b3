import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  RegistryHttpClient,
  parseImageReference,
  registryBaseUrl,
} from '../../src/adapters/registry-http.js';
import { formatDiagnostic, type Diagnostic } from '../../src/core/diagnostics.js';
import { RegistryError } from '../../src/ports/image-registry.js';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { requireEngine } from '../support/engine.js';
import { tempDir } from '../support/git-fixture.js';

const TAG = 'ksad-test/compose-web:1.0';

function docker(args: string[], dockerHost: string): string {
  return execFileSync('docker', args, {
    env: { ...process.env, DOCKER_HOST: dockerHost },
    encoding: 'utf8',
  });
}

/** The digest the registry serves for a tag, read straight from the API. */
async function registryDigest(registry: string, repo: string, tag: string): Promise<string> {
  const res = await fetch(`http://${registry}/v2/${repo}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      Accept:
        'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json',
    },
  });
  return res.headers.get('docker-content-digest') ?? '';
}

const compose = (registry: string) => `name: portal
services:
  web:
    image: ${registry}/${TAG}
    environment:
      DB_HOST: db
      DB_PASSWORD: \${DB_PASSWORD:-devpass}
    ports:
      - "8080:80"
    labels:
      org.opencontainers.image.licenses: EUPL-1.2
    depends_on: [db]
  db:
    image: 127.0.0.1:1/ksad-test/compose-db:1.0
    privileged: true
`;

describe('manifest init --from-compose against the real registry', () => {
  let registry: string;
  let dockerHost: string;
  let pushedDigest: string;

  beforeAll(async () => {
    ({ registry, dockerHost } = await requireEngine());
    expect(existsSync(join(REPO_ROOT, 'dist', 'ksad.cjs')), 'run `npm run build` first').toBe(true);
    docker(
      [
        'tag',
        `${registry}/ksad-samples/web@${await registryDigest(registry, 'ksad-samples/web', 'latest')}`,
        `${registry}/${TAG}`,
      ],
      dockerHost,
    );
    docker(['push', `${registry}/${TAG}`], dockerHost);
    pushedDigest = await registryDigest(registry, 'ksad-test/compose-web', '1.0');
    expect(pushedDigest).toMatch(/^sha256:[a-f0-9]{64}$/);
  });

  it('the adapter resolves a tag to the digest the registry serves, and checks existence', async () => {
    const client = new RegistryHttpClient({ timeoutMs: 3000 });
    const resolved = await client.resolveDigest(`${registry}/${TAG}`);
    expect(resolved).toMatchObject({
      digest: pushedDigest,
      repository: `${registry}/ksad-test/compose-web`,
      pinned: `${registry}/ksad-test/compose-web@${pushedDigest}`,
    });
    expect(await client.imageExists(resolved.pinned)).toBe(true);
    expect(
      await client.imageExists(`${registry}/ksad-test/compose-web@sha256:${'0'.repeat(64)}`),
    ).toBe(false);
    await expect(
      client.resolveDigest(`${registry}/ksad-test/compose-web:no-such-tag`),
    ).rejects.toMatchObject({ kind: 'not-found', status: 404 });
    const unreachable = await client.resolveDigest('127.0.0.1:1/x/y:1').catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(RegistryError);
    expect((unreachable as RegistryError).kind).toBe('unreachable');
  });

  it('parses references the way Docker does', () => {
    expect(parseImageReference('postgres:16')).toMatchObject({
      registry: 'docker.io',
      path: 'library/postgres',
      tag: '16',
    });
    expect(parseImageReference('ghcr.io/org/app')).toMatchObject({
      registry: 'ghcr.io',
      path: 'org/app',
      tag: undefined,
    });
    expect(parseImageReference('localhost:5000/a/b:2')).toMatchObject({
      registry: 'localhost:5000',
      path: 'a/b',
      tag: '2',
    });
    expect(registryBaseUrl('127.0.0.1:5151')).toBe('http://127.0.0.1:5151');
    expect(registryBaseUrl('docker.io')).toBe('https://registry-1.docker.io');
    expect(registryBaseUrl('ghcr.io')).toBe('https://ghcr.io');
  });

  it('pins what the registry has, reports the unreachable one as still to pin, and the draft lints clean but for it', async () => {
    const home = await tempDir('ksad-home-');
    const dir = await tempDir('ksad-compose-');
    await writeFile(join(dir, 'compose.yaml'), compose(registry));
    const out = join(dir, 'manifest.yaml');
    const r = runCli(
      [
        'manifest',
        'init',
        '--from-compose',
        join(dir, 'compose.yaml'),
        '--publisher',
        'kota-bandung',
        '--version',
        '1.0.0',
        '--url',
        'https://git.bandung.go.id/portal',
        '--dimension',
        'smart-governance',
        '--out',
        out,
        '--json',
      ],
      { home },
    );
    expect(r.status, r.stderr).toBe(0);
    const { manifest, warnings, unpinned, decisions, lint } = r.json;
    expect(manifest.services.web.image).toBe(`${registry}/ksad-test/compose-web@${pushedDigest}`);
    expect(manifest.license).toBe('EUPL-1.2');
    expect(manifest.services.web.environment).toEqual({
      DB_HOST: '${service.db.host}',
      DB_PASSWORD: '${secret.DB_PASSWORD}',
    });
    expect(manifest.services.web.ports).toEqual([{ container: 80, host: '${config.WEB_PORT}' }]);
    expect(manifest.config.WEB_PORT).toMatchObject({ type: 'port', default: 8080 });
    expect(unpinned).toEqual([
      {
        service: 'db',
        image: '127.0.0.1:1/ksad-test/compose-db:1.0',
        reason: expect.stringContaining('cannot reach 127.0.0.1:1'),
      },
    ]);
    const lines = (warnings as Diagnostic[]).map(formatDiagnostic);
    expect(lines).toContain(
      `${join(dir, 'compose.yaml')}:14:12: warning: services.db.image: "127.0.0.1:1/ksad-test/compose-db:1.0" is still to pin (${unpinned[0].reason}): the draft keeps the tag, which manifest lint rejects; pin it as repository@sha256:<digest>`,
    );
    expect(lines).toContain(
      `${join(dir, 'compose.yaml')}:15:5: warning: services.db.privileged: a privileged container has full control of the recipient's host; ksad manifests do not carry it, so it was left out`,
    );
    expect(decisions).toContain(
      'services.db.image: pin "127.0.0.1:1/ksad-test/compose-db:1.0" by digest',
    );
    expect((lint as Diagnostic[]).map((d) => `${d.rule} ${d.path}`)).toEqual([
      'image-not-pinned services.db.image',
    ]);
    expect(readFileSync(out, 'utf8')).toContain(
      `image: ${registry}/ksad-test/compose-web@${pushedDigest}`,
    );

    // The written draft goes through `ksad manifest lint` with just that one finding.
    const linted = runCli(['manifest', 'lint', out, '--catalog', 'sample', '--json'], { home });
    expect(linted.status).toBe(3);
    expect(linted.json.error.details).toEqual([
      expect.stringContaining(
        'services.db.image: image "127.0.0.1:1/ksad-test/compose-db:1.0" is not pinned by digest',
      ),
    ]);

    // --out refuses to overwrite without --force.
    const again = runCli(
      [
        'manifest',
        'init',
        '--from-compose',
        join(dir, 'compose.yaml'),
        '--publisher',
        'kota-bandung',
        '--out',
        out,
        '--offline',
        '--json',
      ],
      { home },
    );
    expect(again.status).toBe(2);
    expect(again.json.error.message).toContain('already exists');
  });

  it('reads the files extends names, and their env files, and joins one credential into one secret', async () => {
    const home = await tempDir('ksad-home-');
    const dir = await tempDir('ksad-compose-');
    await mkdir(join(dir, 'common'));
    await writeFile(
      join(dir, 'common', 'services.yml'),
      `services:\n  app:\n    image: ${registry}/${TAG}\n    env_file: app.env\n`,
    );
    await writeFile(join(dir, 'common', 'app.env'), 'APP_NAME=Portal\nDB_PASSWORD=rahasia-dev\n');
    await writeFile(
      join(dir, 'compose.yaml'),
      `services:\n  web:\n    extends:\n      file: common/services.yml\n      service: app\n    environment:\n      DATABASE_URL: postgres://portal:rahasia-dev@db:5432/portal\n  db:\n    image: ${registry}/${TAG}\n    environment:\n      POSTGRES_PASSWORD: \${DB_PASSWORD}\n`,
    );
    const r = runCli(
      [
        'manifest',
        'init',
        '--from-compose',
        join(dir, 'compose.yaml'),
        '--publisher',
        'kota-bandung',
        '--json',
      ],
      { home },
    );
    expect(r.status, r.stderr).toBe(0);
    const { manifest, decisions } = r.json;
    expect(manifest.services.web.image).toBe(`${registry}/ksad-test/compose-web@${pushedDigest}`);
    expect(manifest.services.web.environment).toEqual({
      APP_NAME: 'Portal',
      DB_PASSWORD: '${secret.DB_PASSWORD}',
      DATABASE_URL: 'postgres://portal:${secret.DB_PASSWORD}@${service.db.host}:5432/portal',
    });
    expect(manifest.services.db.environment).toEqual({
      POSTGRES_PASSWORD: '${secret.DB_PASSWORD}',
    });
    expect(Object.keys(manifest.secrets as object)).toEqual(['DB_PASSWORD']);
    expect(decisions).toContainEqual(
      expect.stringMatching(/^secrets\.DB_PASSWORD: one credential/),
    );
  });

  it('text mode: YAML on stdout, warnings on stderr', async () => {
    const home = await tempDir('ksad-home-');
    const r = runCli(
      [
        'manifest',
        'init',
        '--from-compose',
        'test/fixtures/compose/unsupported.yml',
        '--publisher',
        'kota-bandung',
        '--offline',
      ],
      { home },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^schemaVersion: 1\n/);
    expect(r.stderr).toContain(
      'test/fixtures/compose/unsupported.yml:4:5: warning: services.app.privileged:',
    );
    expect(r.stderr).toContain('Still to decide before publishing:');
  });

  it('import-publiccode and export-publiccode answer --json', async () => {
    const home = await tempDir('ksad-home-');
    const imported = runCli(
      [
        'manifest',
        'import-publiccode',
        'test/fixtures/publiccode/publiccode.yml',
        '--publisher',
        'kota-bandung',
        '--json',
      ],
      { home },
    );
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.json.manifest).toMatchObject({
      name: 'antrean-daring',
      version: '2.1.0',
      license: 'Apache-2.0',
    });
    expect(imported.json.warnings.length).toBeGreaterThan(0);
    expect(imported.json.decisions[0]).toContain('services');
    const exported = runCli(
      [
        'manifest',
        'export-publiccode',
        'manifests/kota-bandung/antrean-daring/2.0.0.yaml',
        '--json',
      ],
      { home },
    );
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.json.publiccode).toMatchObject({
      publiccodeYmlVersion: '0.4',
      name: 'Antrean Daring',
      softwareVersion: '2.0.0',
    });
    const bad = runCli(
      ['manifest', 'export-publiccode', 'test/fixtures/compose/full.yml', '--json'],
      { home },
    );
    expect(bad.status).toBe(3);
  });
});
