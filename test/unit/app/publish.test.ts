import { describe, expect, it } from 'vitest';
import type { CatalogContext } from '../../../src/app/catalogs.js';
import { generateKey } from '../../../src/app/keys.js';
import {
  publishedVersionsChanged,
  publishManifest,
  signManifestFile,
  type PublishContext,
  type PublishRequest,
} from '../../../src/app/publish.js';
import { KsadError } from '../../../src/core/errors.js';
import type {
  GitRepository,
  GitWorkingCopy,
  HistoryCommit,
  ScratchClone,
} from '../../../src/ports/git-repository.js';
import { RegistryError, type ImageRegistry } from '../../../src/ports/image-registry.js';
import type { KeyStore } from '../../../src/ports/key-store.js';
import { MemoryCatalogFiles } from '../../fakes/memory-catalog-files.js';
import { MemoryCatalogRegistry } from '../../fakes/memory-catalog-registry.js';
import { MemoryGitRepository } from '../../fakes/memory-git-repository.js';
import { catalogFixtureFiles, manifestYaml } from '../../support/catalog-fixture.js';
import { rejection } from '../../support/rejection.js';

const ROOT = '/home/dev/ksad-catalog';
const clock = { now: () => new Date('2025-06-01T00:00:00Z') };

/** Private keys in memory; `/home/dev/ksad-catalog` is the one git working copy there is. */
class MemoryKeyStore implements KeyStore {
  readonly written = new Map<string, string>();
  defaultDir = (): string => '/home/dev/.config/ksad/keys';
  resolvePath = (p: string): string => (p.startsWith('/') ? p : `/home/dev/${p}`);
  workTreeOf = (p: string): Promise<string | null> =>
    Promise.resolve(this.resolvePath(p).startsWith(ROOT) ? ROOT : null);
  writePrivateKey = (dir: string, name: string, text: string): Promise<string> => {
    const path = `${dir}/${name}`;
    this.written.set(path, text);
    return Promise.resolve(path);
  };
  readPrivateKey = (p: string): Promise<string> => {
    const text = this.written.get(this.resolvePath(p));
    return text === undefined
      ? Promise.reject(new KsadError('NOT_FOUND', `No such key file: ${p}`))
      : Promise.resolve(text);
  };
}

/** Records what publish asked git to do. */
class RecordingWorkingCopy implements GitWorkingCopy {
  readonly calls: string[] = [];
  tags = new Set<string>();
  branch: string | null = 'main';
  commitPaths(_dir: string, paths: readonly string[], message: string): Promise<string> {
    this.calls.push(`commit ${paths.join(' ')}: ${message}`);
    return Promise.resolve('c0ffee'.padEnd(40, '0'));
  }
  tagExists(_dir: string, tag: string): Promise<boolean> {
    return Promise.resolve(this.tags.has(tag));
  }
  tag(_dir: string, tag: string, commit: string): Promise<void> {
    this.calls.push(`tag ${tag} ${commit.slice(0, 6)}`);
    this.tags.add(tag);
    return Promise.resolve();
  }
  currentBranch(): Promise<string | null> {
    return Promise.resolve(this.branch);
  }
  push(_dir: string, branch: string, tag: string): Promise<void> {
    this.calls.push(`push ${branch} ${tag}`);
    return Promise.resolve();
  }
  /** Paths `uncommitted` reports (all clean unless a test says otherwise). */
  dirty: string[] = [];
  uncommitted(_dir: string, paths: readonly string[]): Promise<string[]> {
    return Promise.resolve(paths.filter((p) => this.dirty.includes(p)));
  }
  /** The fresh clone a pushed publish is checked in: the working copy itself unless replaced. */
  remoteTree: string = ROOT;
  cloneOrigin(): Promise<ScratchClone> {
    return Promise.resolve({
      dir: this.remoteTree,
      url: 'file:///remote',
      dispose: () => Promise.resolve(),
    });
  }
}

class MapRegistry implements ImageRegistry {
  present = new Set<string>();
  unreachable = false;
  resolveDigest(): never {
    throw new Error('not used by publish');
  }
  imageExists(image: string): Promise<boolean> {
    if (this.unreachable)
      return Promise.reject(
        new RegistryError('unreachable', 'cannot reach 127.0.0.1:5151 (ECONNREFUSED)'),
      );
    return Promise.resolve(this.present.has(image));
  }
}

async function setup() {
  const files = new MemoryCatalogFiles('/home/dev');
  files.putTree(ROOT, {
    ...catalogFixtureFiles(),
    '.git/fake-state.json': JSON.stringify({ url: 'file:///remote', commit: 'a'.repeat(40) }),
  });
  const catalogCtx: CatalogContext = {
    files,
    git: new MemoryGitRepository(files),
    registry: new MemoryCatalogRegistry(files),
    clock,
    sampleRoot: '/nowhere',
  };
  const keys = new MemoryKeyStore();
  const generated = await generateKey(
    { keys, files, clock },
    { publisher: 'kota-bandung', id: 'kota-bandung-2025', catalog: ROOT },
  );
  const git = new RecordingWorkingCopy();
  const registry = new MapRegistry();
  const ctx: PublishContext = { catalog: catalogCtx, git, keys, registry };
  const draft = (version: string): string => {
    const text = manifestYaml('antrean-daring', version);
    void files.writeTextFile(`/home/dev/out/${version}.yaml`, text);
    for (const m of text.matchAll(/image: (\S+)/g)) registry.present.add(m[1]!);
    return `out/${version}.yaml`;
  };
  const request = (manifest: string, extra: Partial<PublishRequest> = {}): PublishRequest => ({
    manifest,
    catalog: ROOT,
    key: generated.privateKeyFile,
    push: false,
    skipRegistryCheck: false,
    today: '2025-06-01',
    ...extra,
  });
  return { files, ctx, git, registry, keys, generated, draft, request };
}

describe('keys generate', () => {
  it('writes the private key outside the catalog and adds the public key to the member file', async () => {
    const { files, keys, generated } = await setup();
    expect(generated.privateKeyFile).toBe('/home/dev/.config/ksad/keys/kota-bandung-2025.key');
    expect(keys.written.get(generated.privateKeyFile)).toContain('-----BEGIN PRIVATE KEY-----');
    const member = files.files.get(`${ROOT}/catalog/members/kota-bandung.yaml`) ?? '';
    expect(member).toContain(`publicKey: ${generated.entry.publicKey}`);
    expect(member).toContain('publisher: true');
    expect(generated.snippet).toContain('  - id: kota-bandung-2025');
  });

  it('refuses to write a private key inside a git working copy, and a publisher that is not one', async () => {
    const { files, keys } = await setup();
    const inside = await rejection(
      generateKey({ keys, files, clock }, { publisher: 'kota-bandung', out: `${ROOT}/keys` }),
    );
    expect(inside.message).toMatch(/inside the git working copy \/home\/dev\/ksad-catalog/);
    expect(keys.written.size).toBe(1);
    const notPublisher = await rejection(
      generateKey({ keys, files, clock }, { publisher: 'kabupaten-sumbawa', catalog: ROOT }),
    );
    expect(notPublisher.message).toContain('is not a publisher');
  });
});

describe('publish', () => {
  it('signs, copies, commits, tags and pushes a new version', async () => {
    const { ctx, git, files, draft, request } = await setup();
    const result = await publishManifest(ctx, request(draft('2.1.0'), { push: true }));
    expect(result).toMatchObject({
      publisher: 'kota-bandung',
      app: 'antrean-daring',
      version: '2.1.0',
      file: 'manifests/kota-bandung/antrean-daring/2.1.0.yaml',
      signatureFile: 'manifests/kota-bandung/antrean-daring/2.1.0.yaml.sig',
      keyId: 'kota-bandung-2025',
      tag: 'kota-bandung/antrean-daring/2.1.0',
      pushed: true,
      branch: 'main',
      previousVersions: ['2.0.0', '1.1.0', '1.0.0'],
    });
    expect(result.images.every((i) => i.status === 'present')).toBe(true);
    expect(files.files.get(`${ROOT}/${result.file}`)).toBe(manifestYaml('antrean-daring', '2.1.0'));
    expect(files.files.get(`${ROOT}/${result.signatureFile}`)).toContain('canonical: ksad-c14n-v1');
    expect(git.calls).toEqual([
      'commit manifests/kota-bandung/antrean-daring/2.1.0.yaml manifests/kota-bandung/antrean-daring/2.1.0.yaml.sig: publish kota-bandung/antrean-daring 2.1.0',
      'tag kota-bandung/antrean-daring/2.1.0 c0ffee',
      'push main kota-bandung/antrean-daring/2.1.0',
    ]);
  });

  it('uses a .sig made beforehand by manifest sign', async () => {
    const { ctx, files, keys, draft, request, generated } = await setup();
    const path = draft('2.1.0');
    const signed = await signManifestFile(
      { files, keys },
      { manifest: path, key: generated.privateKeyFile },
    );
    expect(signed).toMatchObject({
      signatureFile: `${path}.sig`,
      keyId: 'kota-bandung-2025',
      canonical: 'ksad-c14n-v1',
    });
    const result = await publishManifest(ctx, request(path, { key: undefined }));
    expect(result.keyId).toBe('kota-bandung-2025');
  });

  it('refuses a version that is published, not newer, or already tagged', async () => {
    const { ctx, git, files, draft, request } = await setup();
    const again = await rejection(publishManifest(ctx, request(draft('2.0.0'))));
    expect(again.code).toBe('INVALID');
    expect(again.message).toMatch(
      /2\.0\.0\.yaml is already published with other content .*immutable/,
    );
    const older = await rejection(publishManifest(ctx, request(draft('1.5.0'))));
    expect(older.message).toContain('1.5.0 is not newer than the newest published version 2.0.0');
    git.tags.add('kota-bandung/antrean-daring/2.2.0');
    const tagged = await rejection(publishManifest(ctx, request(draft('2.2.0'))));
    expect(tagged.message).toContain('was published before');
    expect(git.calls).toEqual([]);
    expect(files.files.has(`${ROOT}/manifests/kota-bandung/antrean-daring/2.2.0.yaml`)).toBe(false);
  });

  it('refuses images missing from the registry, says so when it cannot be reached, and can skip the check', async () => {
    const { ctx, registry, draft, request } = await setup();
    const path = draft('2.1.0');
    const [first] = [...registry.present];
    registry.present.delete(first!);
    const missing = await rejection(publishManifest(ctx, request(path)));
    expect(missing.code).toBe('INVALID');
    expect(missing.details).toEqual([`missing: ${first}`]);

    registry.unreachable = true;
    const offline = await rejection(publishManifest(ctx, request(path)));
    expect(offline.code).toBe('CATALOG_UNAVAILABLE');
    expect(offline.message).toContain('cannot reach 127.0.0.1:5151');
    expect(offline.suggestions.join(' ')).toContain('--skip-registry-check');

    const skipped = await publishManifest(ctx, request(path, { skipRegistryCheck: true }));
    expect(skipped.images.map((i) => i.status)).toEqual(['not-checked', 'not-checked']);
  });

  it('refuses a key the catalog does not list for the publisher, and lint errors', async () => {
    const { ctx, keys, files, draft, request } = await setup();
    const stray = await generateKey(
      { keys, files, clock },
      { publisher: 'kota-bandung', id: 'laptop-key' },
    );
    const unlisted = await rejection(
      publishManifest(ctx, request(draft('2.1.0'), { key: stray.privateKeyFile })),
    );
    expect(unlisted.code).toBe('INTEGRITY');
    expect(unlisted.message).toContain('"laptop-key", which is not among the keys of kota-bandung');

    await files.writeTextFile(
      '/home/dev/out/bad.yaml',
      manifestYaml('antrean-daring', '2.1.0').replace(/@sha256:[a-f0-9]+/, ':latest'),
    );
    const lint = await rejection(publishManifest(ctx, request('out/bad.yaml')));
    expect(lint.code).toBe('INVALID');
    expect(lint.details.join('\n')).toContain('is not pinned by digest');
  });
});

describe('publish depends on committed catalog files', () => {
  const MEMBER = 'catalog/members/kota-bandung.yaml';

  it('commits the publisher’s uncommitted member file with the version', async () => {
    const { ctx, git, draft, request } = await setup();
    git.dirty = [MEMBER, 'catalog/members/kabupaten-sumbawa.yaml'];
    const result = await publishManifest(ctx, request(draft('2.1.0')));
    expect(result.committed).toEqual([result.file, result.signatureFile, MEMBER]);
    expect(result.verifiedClone).toBeNull();
    expect(git.calls[0]).toBe(
      `commit ${result.file} ${result.signatureFile} ${MEMBER}: publish kota-bandung/antrean-daring 2.1.0\n\nwith ${MEMBER}, which it needs`,
    );
  });

  it('fails a push whose fresh clone lacks the signing key, and reports the clone it checked', async () => {
    const { ctx, git, files, draft, request } = await setup();
    git.cloneOrigin = () => {
      // The remote as a recipient gets it: the version pushed, the member file as it was.
      files.putTree('/remote-clone', {
        ...files.tree(ROOT),
        [MEMBER]: catalogFixtureFiles()[MEMBER] ?? '',
      });
      return Promise.resolve({
        dir: '/remote-clone',
        url: 'file:///remote',
        dispose: () => Promise.resolve(),
      });
    };
    const refused = await rejection(publishManifest(ctx, request(draft('2.1.0'), { push: true })));
    expect(refused.code).toBe('INTEGRITY');
    expect(refused.message).toMatch(
      /^pushed to file:\/\/\/remote, but a fresh clone of main does not verify: refusing kota-bandung\/antrean-daring@2\.1\.0: .*kota-bandung-2025/,
    );
    expect(git.calls.at(-1)).toBe('push main kota-bandung/antrean-daring/2.1.0');

    git.cloneOrigin = RecordingWorkingCopy.prototype.cloneOrigin.bind(git);
    const ok = await publishManifest(ctx, request(draft('2.2.0'), { push: true }));
    expect(ok.verifiedClone).toBe('file:///remote');
  });
});

describe('publishedVersionsChanged', () => {
  it('reports every commit that modified or deleted a manifest after it was added', async () => {
    const history: HistoryCommit[] = [
      {
        commit: 'a'.repeat(40),
        subject: 'publish 1.0.0',
        files: [{ path: 'manifests/p/app/1.0.0.yaml', status: 'added' }],
      },
      {
        commit: 'b'.repeat(40),
        subject: 'sign',
        files: [{ path: 'manifests/p/app/1.0.0.yaml.sig', status: 'added' }],
      },
      {
        commit: 'c'.repeat(40),
        subject: 'quick fix',
        files: [{ path: 'manifests/p/app/1.0.0.yaml', status: 'modified' }],
      },
      {
        commit: 'd'.repeat(40),
        subject: 'drop it',
        files: [{ path: 'manifests/p/app/1.0.0.yaml', status: 'deleted' }],
      },
    ];
    const git = { history: () => Promise.resolve(history) } as unknown as GitRepository;
    const findings = await publishedVersionsChanged(git, '/catalog');
    expect(findings.map((f) => [f.file, f.rule, f.severity])).toEqual([
      ['manifests/p/app/1.0.0.yaml', 'immutable-version', 'error'],
      ['manifests/p/app/1.0.0.yaml', 'immutable-version', 'error'],
    ]);
    expect(findings[0]?.message).toMatch(
      /modified in commit cccccccccccc \("quick fix"\) after it was published in aaaaaaaaaaaa/,
    );
    expect(findings[1]?.message).toContain('deleted in commit dddddddddddd');
  });
});
