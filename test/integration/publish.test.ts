/**
 * Publisher to recipient on real git repositories, the real registry and a real Docker engine: a key
 * is made and listed in the catalog, a manifest published (signed, committed, tagged, pushed) to
 * a bare "remote", a recipient adds and syncs the catalog and deploys the app with the signature
 * verified. A changed byte, a republished version, an unsigned manifest (per the host's policy),
 * a rolled-back branch and an edited published version are each refused.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { REPO_ROOT } from '../support/cli.js';
import {
  appManifest,
  grantFile,
  guardHostProfile,
  KsadCli,
  uniqueName,
} from '../support/deploy-fixture.js';
import { cleanupByLabel, requireEngine, type Engine } from '../support/engine.js';
import { writeFiles } from '../support/catalog-fixture.js';

const APP = uniqueName('uji-terbit');
const PORT = 19311;
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

let engine: Engine;
let base: string;
let remote: string;
let work: string;
let cli: KsadCli;
let restoreProfile: () => Promise<void> = () => Promise.resolve();
let allowUnsigned = false;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

const manifestPath = (version: string): string => `manifests/kota-bandung/${APP}/${version}.yaml`;
const deployArgs = (range: string): string[] => [
  'deploy',
  `kota-bandung/${APP}@${range}`,
  '--catalog',
  'penerima',
  '--set',
  'config.REGION_NAME=Kabupaten Sumbawa',
  '--set',
  `config.HTTP_PORT=${PORT}`,
  '--json',
];

async function draft(version: string, text = appManifest({ name: APP, version })): Promise<string> {
  const file = join(base, 'out', `${version}.yaml`);
  await writeFiles(join(base, 'out'), { [`${version}.yaml`]: text });
  return file;
}

interface StoredRecord {
  revision: number;
  version: string;
  signature?: { status: string; keyId?: string };
}

async function releaseRecords(): Promise<StoredRecord[]> {
  const { Volumes } = await engine.docker.listVolumes({
    filters: { label: [`id.ksad.app=${APP}`, 'id.ksad.kind=release'] },
  });
  return (Volumes ?? [])
    .map((v) => JSON.parse(v.Labels['id.ksad.record'] ?? '{}') as StoredRecord)
    .sort((a, b) => a.revision - b.revision);
}

beforeAll(async () => {
  engine = await requireEngine();
  base = await mkdtemp(join(tmpdir(), 'ksad-terbit-'));
  remote = join(base, 'remote.git');
  work = join(base, 'work');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote], {
    env: GIT_ENV,
  });
  execFileSync('git', ['clone', '--quiet', remote, work], { env: GIT_ENV, stdio: 'ignore' });
  git(work, 'config', 'user.name', 'Diskominfo Bandung');
  git(work, 'config', 'user.email', 'aptika@bandung.example.org');
  git(work, 'config', 'commit.gpgSign', 'false');
  git(work, 'config', 'tag.gpgSign', 'false');
  git(work, 'checkout', '--quiet', '-B', 'main');
  await cp(join(REPO_ROOT, 'catalog'), join(work, 'catalog'), { recursive: true });
  await cp(join(REPO_ROOT, 'manifests'), join(work, 'manifests'), { recursive: true });
  await writeFiles(
    work,
    grantFile('uji-terbit-sumbawa', {
      number: 'UJI/TERBIT/2026',
      grantees: ['52.04'],
      apps: [APP],
    }),
  );
  git(work, 'add', '--all');
  git(work, 'commit', '--quiet', '-m', 'catalog');
  git(work, 'push', '--quiet', 'origin', 'main');

  cli = new KsadCli({ home: join(base, 'home'), dockerHost: engine.dockerHost, cwd: base });
  const guard = await guardHostProfile(engine.docker);
  restoreProfile = () => guard.restore();
  // Other test files set the profile too: set the region, keep whatever policy is there.
  const init = await cli.run(['host', 'init', '--region', '52.04', '--catalog', work, '--json']);
  expect(init.status, init.said).toBe(ExitCode.OK);
  guard.wrote(init.json.profile);
  allowUnsigned = init.json.profile.policy.allowUnsigned === true;
});

afterAll(async () => {
  try {
    if (engine) await cleanupByLabel(`id.ksad.app=${APP}`);
  } finally {
    await restoreProfile();
    if (base) await rm(base, { recursive: true, force: true });
  }
});

describe('sign, publish, verify', () => {
  let keyFile = '';

  it('makes a key outside any working copy, 0600, and lists it in the member file', async () => {
    const inside = await cli.run([
      'keys',
      'generate',
      '--publisher',
      'kota-bandung',
      '--out',
      join(work, 'keys'),
      '--json',
    ]);
    expect(inside.status, inside.said).toBe(ExitCode.USAGE);
    expect(inside.json.error.message).toContain('inside the git working copy');

    const made = await cli.run([
      'keys',
      'generate',
      '--publisher',
      'kota-bandung',
      '--id',
      'kota-bandung-uji',
      '--catalog',
      work,
      '--json',
    ]);
    expect(made.status, made.said).toBe(ExitCode.OK);
    keyFile = made.json.privateKeyFile;
    expect(keyFile).toBe(join(base, 'home', 'keys', 'kota-bandung-uji.key'));
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(join(work, 'catalog/members/kota-bandung.yaml'), 'utf8')).toContain(
      made.json.entry.publicKey,
    );
    git(work, 'commit', '--quiet', '-am', 'kota-bandung: signing key kota-bandung-uji');
  });

  it('publishes: registry checked, signed, committed, tagged and pushed', async () => {
    const result = await cli.run([
      'publish',
      await draft('1.0.0'),
      '--catalog',
      work,
      '--key',
      keyFile,
      '--push',
      '--json',
    ]);
    expect(result.status, result.said).toBe(ExitCode.OK);
    expect(result.json).toMatchObject({
      file: manifestPath('1.0.0'),
      keyId: 'kota-bandung-uji',
      tag: `kota-bandung/${APP}/1.0.0`,
      pushed: true,
      branch: 'main',
    });
    expect((result.json.images as Array<{ status: string }>).map((i) => i.status)).toEqual([
      'present',
      'present',
      'present',
    ]);
    expect(git(remote, 'rev-parse', 'main')).toBe(result.json.commit);
    expect(git(remote, 'tag', '--list')).toContain(`kota-bandung/${APP}/1.0.0`);
    expect(git(remote, 'show', `main:${manifestPath('1.0.0')}.sig`)).toContain(
      'canonical: ksad-c14n-v1',
    );
  });

  it('refuses a republished version, an older one, and images missing from the registry', async () => {
    const again = await cli.run([
      'publish',
      await draft('1.0.0'),
      '--catalog',
      work,
      '--key',
      keyFile,
      '--json',
    ]);
    expect(again.status, again.said).toBe(ExitCode.INVALID);
    expect(again.json.error.message).toContain('is already published');

    const missing = appManifest({ name: APP, version: '1.0.1' }).replace(
      /(web@sha256:)[a-f0-9]{64}/,
      `$1${'0'.repeat(64)}`,
    );
    const gone = await cli.run([
      'publish',
      await draft('1.0.1', missing),
      '--catalog',
      work,
      '--key',
      keyFile,
      '--json',
    ]);
    expect(gone.status, gone.said).toBe(ExitCode.INVALID);
    expect(gone.json.error.details[0]).toMatch(
      /^missing: 127\.0\.0\.1:5151\/ksad-samples\/web@sha256:0{64}$/,
    );
    expect(git(work, 'status', '--porcelain')).toBe('');
  });

  it('the recipient adds the catalog and deploys with the signature verified', async () => {
    const added = await cli.run([
      'catalog',
      'add',
      'penerima',
      pathToFileURL(remote).href,
      '--json',
    ]);
    expect(added.status, added.said).toBe(ExitCode.OK);
    const verify = await cli.run(['manifest', 'verify', '--catalog', 'penerima', '--json']);
    expect(verify.status, verify.said).toBe(ExitCode.OK);
    expect(verify.json.invalid + verify.json.unsigned).toBe(0);

    const deployed = await cli.run(deployArgs('1.0.0'));
    expect(deployed.status, deployed.said).toBe(ExitCode.OK);
    expect(deployed.json).toMatchObject({ app: APP, version: '1.0.0', outcome: 'installed' });
    const [record] = await releaseRecords();
    expect(record).toMatchObject({
      version: '1.0.0',
      signature: { status: 'verified', keyId: 'kota-bandung-uji' },
      catalog: { name: 'penerima', commit: added.json.commit },
    });
  });

  it('show and status report the signature as verified, from verification and the record', async () => {
    const shown = await cli.run([
      'show',
      `kota-bandung/${APP}@1.0.0`,
      '--catalog',
      'penerima',
      '--json',
    ]);
    expect(shown.status, shown.said).toBe(ExitCode.OK);
    expect(shown.json).toMatchObject({
      signed: true,
      signature: 'verified',
      signatureMessage: null,
    });
    const status = await cli.run(['status', APP, '--json']);
    expect(status.status, status.said).toBe(ExitCode.OK);
    expect(status.json[0]).toMatchObject({
      version: '1.0.0',
      signature: 'verified',
      signatureKeyId: 'kota-bandung-uji',
    });
  });

  it('refuses a manifest with one byte changed, naming the file and the key', async () => {
    const clone = join(base, 'home', 'cache', 'catalogs', 'penerima');
    const file = join(clone, manifestPath('1.0.0'));
    const original = await readFile(file, 'utf8');
    await writeFile(
      file,
      original
        .replace(`HTTP_PORT`, `HTTP_PORX`)
        .replace('HTTP_PORX', 'HTTP_PORT')
        .replace('retries: 30', 'retries: 31'),
    );
    try {
      const refused = await cli.run(deployArgs('1.0.0'));
      expect(refused.status, refused.said).toBe(ExitCode.INTEGRITY);
      expect(refused.json.error.message).toContain(manifestPath('1.0.0'));
      expect(refused.json.error.message).toContain('"kota-bandung-uji"');
    } finally {
      await writeFile(file, original);
    }
  });

  it('refuses a changed manifest re-signed with the publisher’s key: not the published bytes', async () => {
    const clone = join(base, 'home', 'cache', 'catalogs', 'penerima');
    const file = join(clone, manifestPath('1.0.0'));
    const [original, originalSig] = await Promise.all([
      readFile(file, 'utf8'),
      readFile(`${file}.sig`, 'utf8'),
    ]);
    await writeFile(file, original.replace('retries: 30', 'retries: 31'));
    try {
      const signed = await cli.run(['manifest', 'sign', file, '--key', keyFile, '--json']);
      expect(signed.status, signed.said).toBe(ExitCode.OK);
      const refused = await cli.run(deployArgs('1.0.0'));
      expect(refused.status, refused.said).toBe(ExitCode.INTEGRITY);
      expect(refused.json.error.message).toMatch(
        /^refusing manifests\/kota-bandung\/.*\/1\.0\.0\.yaml: its digest sha256:[0-9a-f]{64} differs from sha256:[0-9a-f]{64}, recorded as published at [0-9a-f]{12}$/,
      );
    } finally {
      await writeFile(file, original);
      await writeFile(`${file}.sig`, originalSig);
    }
  });

  it('an unsigned manifest deploys only when the host policy allows it', async () => {
    await writeFiles(work, {
      [manifestPath('1.1.0')]: appManifest({ name: APP, version: '1.1.0' }),
    });
    git(work, 'add', '--all');
    git(work, 'commit', '--quiet', '-m', 'unsigned 1.1.0, pushed past ksad publish');
    git(work, 'push', '--quiet', 'origin', 'main');
    const synced = await cli.run(['catalog', 'sync', 'penerima', '--json']);
    expect(synced.status, synced.said).toBe(ExitCode.OK);
    const result = await cli.run(deployArgs('1.1.0'));
    if (allowUnsigned) {
      expect(result.status, result.said).toBe(ExitCode.OK);
      expect((await releaseRecords()).at(-1)).toMatchObject({
        version: '1.1.0',
        signature: { status: 'unsigned-allowed' },
      });
    } else {
      expect(result.status, result.said).toBe(ExitCode.INTEGRITY);
      expect(result.json.error.message).toContain(`${manifestPath('1.1.0')}.sig is missing`);
    }
  });

  it('catalog lint finds a published version edited in the history', async () => {
    const clean = await cli.run(['catalog', 'lint', '--catalog', work, '--json']);
    expect(clean.stdout).not.toContain('published versions are immutable');
    const file = join(work, manifestPath('1.0.0'));
    await writeFile(file, (await readFile(file, 'utf8')).replace('retries: 30', 'retries: 5'));
    git(work, 'commit', '--quiet', '-am', 'tweak a published version');
    const lint = await cli.run(['catalog', 'lint', '--catalog', work, '--json']);
    expect(lint.status, lint.said).toBe(ExitCode.INVALID);
    // In --json mode the formatted findings ride along as the error's details.
    const found = (lint.json.error.details as string[]).filter((d) =>
      d.includes('published versions are immutable'),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      new RegExp(
        `^${manifestPath('1.0.0').replaceAll('.', '\\.')}:0:0: error: .*"tweak a published version"`,
      ),
    );
    git(work, 'reset', '--quiet', '--hard', 'HEAD~1');
  });

  it('refuses a catalog rolled back to an older commit', async () => {
    const before = git(remote, 'rev-parse', 'main');
    git(work, 'push', '--quiet', '--force', 'origin', `${before}~1:refs/heads/main`);
    expect(git(remote, 'rev-parse', 'main')).not.toBe(before);
    const sync = await cli.run(['catalog', 'sync', 'penerima', '--json']);
    expect(sync.status, sync.said).toBe(ExitCode.INTEGRITY);
    expect(sync.json.error.message).toMatch(
      /was rolled back: .* now points at [0-9a-f]{12}, an older commit than [0-9a-f]{12}/,
    );
    const list = await cli.run(['catalog', 'list', '--json']);
    expect(
      (list.json as Array<{ name: string; commit: string }>).find((c) => c.name === 'penerima')
        ?.commit,
    ).toBe(before);
    const clone = join(base, 'home', 'cache', 'catalogs', 'penerima');
    expect(git(clone, 'rev-parse', 'HEAD')).toBe(before);
  });
});
