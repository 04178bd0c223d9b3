/**
 * Publishing on real git repositories, as a new pioneer does it, without a registry or an engine:
 * `keys generate --catalog` leaves the member file with the new key uncommitted, and `publish
 * --push` commits it with the version and checks a fresh clone of the remote before it reports
 * success; a remote that does not keep what was pushed fails the publish.
 */
import { execFileSync } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FsCatalogFiles } from '../../src/adapters/fs-catalog-files.js';
import { FsKeyStore } from '../../src/adapters/fs-key-store.js';
import { JsonCatalogRegistry } from '../../src/adapters/json-catalog-registry.js';
import { JsonPublishedLedgerStore } from '../../src/adapters/json-published-ledger-store.js';
import { ksadDirs } from '../../src/adapters/paths.js';
import { SimpleGitRepository } from '../../src/adapters/simple-git-repository.js';
import { addCatalog, openCatalog, type CatalogContext } from '../../src/app/catalogs.js';
import { generateKey } from '../../src/app/keys.js';
import { publishManifest, type PublishContext } from '../../src/app/publish.js';
import { verifyManifest } from '../../src/app/verify.js';
import type { ImageRegistry } from '../../src/ports/image-registry.js';
import { catalogFixtureFiles, manifestYaml, writeFiles } from '../support/catalog-fixture.js';
import { tempDir } from '../support/git-fixture.js';
import { rejection } from '../support/rejection.js';

const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const MEMBER = 'catalog/members/kota-bandung.yaml';
const V21 = 'manifests/kota-bandung/antrean-daring/2.1.0.yaml';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

/** A bare remote holding the fixture catalog, a pioneer's clone of it, and ksad's contexts. */
async function pioneer() {
  const base = await tempDir('ksad-pioneer-');
  const remote = join(base, 'remote.git');
  const work = join(base, 'work');
  git(base, 'init', '--quiet', '--bare', '--initial-branch=main', remote);
  git(base, 'clone', '--quiet', remote, work);
  for (const [k, v] of [
    ['user.name', 'Diskominfo Bandung'],
    ['user.email', 'aptika@bandung.example.org'],
    ['commit.gpgSign', 'false'],
    ['tag.gpgSign', 'false'],
  ] as const)
    git(work, 'config', k, v);
  git(work, 'checkout', '--quiet', '-B', 'main');
  await writeFiles(work, catalogFixtureFiles());
  git(work, 'add', '--all');
  git(work, 'commit', '--quiet', '-m', 'catalog');
  git(work, 'push', '--quiet', 'origin', 'main');

  const env = { ...GIT_ENV, KSAD_HOME: join(base, 'home') };
  const dirs = ksadDirs(env);
  const files = new FsCatalogFiles(base);
  const catalog: CatalogContext = {
    files,
    git: new SimpleGitRepository(env),
    registry: new JsonCatalogRegistry(dirs),
    published: new JsonPublishedLedgerStore(dirs),
    clock: { now: () => new Date('2025-06-01T00:00:00Z') },
    sampleRoot: join(base, 'no-sample'),
  };
  const keys = new FsKeyStore(env, base);
  const registry: ImageRegistry = {
    imageExists: () => Promise.resolve(true),
    resolveDigest: () => Promise.reject(new Error('not used by publish')),
  };
  const ctx: PublishContext = { catalog, git: new SimpleGitRepository(env), keys, registry };
  const key = await generateKey(
    { keys, files, clock: catalog.clock },
    { publisher: 'kota-bandung', id: 'kota-bandung-baru', catalog: work },
  );
  const draft = join(base, '2.1.0.yaml');
  await writeFile(draft, manifestYaml('antrean-daring', '2.1.0'));
  const request = {
    manifest: draft,
    catalog: work,
    key: key.privateKeyFile,
    push: true,
    skipRegistryCheck: true,
    today: '2025-06-01',
  };
  return { base, remote, work, ctx, catalog, request };
}

describe('publish on real git repositories', () => {
  it('commits the uncommitted member key with the version and verifies the push from a fresh clone', async () => {
    const { remote, work, ctx, catalog, request } = await pioneer();
    expect(git(work, 'status', '--porcelain')).toBe(`M ${MEMBER}`);

    const result = await publishManifest(ctx, request);
    expect(result).toMatchObject({
      file: V21,
      pushed: true,
      committed: [V21, `${V21}.sig`, MEMBER],
    });
    expect(result.verifiedClone).toContain('remote.git');
    expect(git(work, 'status', '--porcelain')).toBe('');
    expect(git(remote, 'rev-parse', 'main')).toBe(result.commit);
    expect(git(remote, 'show', '--name-only', '--format=', 'main').split('\n').sort()).toEqual(
      [MEMBER, V21, `${V21}.sig`].sort(),
    );

    // A recipient adding the remote now verifies the version.
    await addCatalog(catalog, 'penerima', pathToFileURL(remote).href);
    const recipient = await openCatalog(catalog, 'penerima');
    const loaded = recipient.manifests.find((m) => m.file === V21);
    expect(loaded).toBeDefined();
    expect(verifyManifest(recipient, loaded!, { allowUnsigned: false })).toEqual({
      status: 'verified',
      keyId: 'kota-bandung-baru',
    });
  });

  it('fails a pushed publish that a fresh clone of the remote does not show', async () => {
    const { remote, ctx, request } = await pioneer();
    // A remote that takes the push and then puts its branch back.
    const hook = join(remote, 'hooks', 'post-receive');
    await writeFile(
      hook,
      '#!/bin/sh\nwhile read old new ref; do\n  [ "$ref" = refs/heads/main ] && git update-ref refs/heads/main "$old"\ndone\nexit 0\n',
    );
    await chmod(hook, 0o755);
    const refused = await rejection(publishManifest(ctx, request));
    expect(refused.code).toBe('INTEGRITY');
    expect(refused.message).toMatch(
      new RegExp(
        `^pushed to .*remote\\.git, but a fresh clone of main does not verify: ${V21} is not there`,
      ),
    );
  });
});
