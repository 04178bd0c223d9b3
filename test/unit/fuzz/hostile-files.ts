import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { FsCatalogFiles } from '../../../src/adapters/fs-catalog-files.js';
import { FsKeyStore } from '../../../src/adapters/fs-key-store.js';
import { MAX_INPUT_BYTES } from '../../../src/adapters/input-file.js';
import type { CatalogContext } from '../../../src/app/catalogs.js';
import { lintManifestsUseCase } from '../../../src/app/lint.js';
import { loadOverlays } from '../../../src/app/prepare.js';
import { lintCatalogFiles } from '../../../src/core/lint/index.js';
import { parsePrivateKeyFile } from '../../../src/core/signing.js';
import { readText, suppliedSecrets } from '../../../src/ui/engine-context.js';
import { MemoryCatalogFiles } from '../../fakes/memory-catalog-files.js';
import { MemoryCatalogRegistry } from '../../fakes/memory-catalog-registry.js';
import { MemoryGitRepository } from '../../fakes/memory-git-repository.js';
import { writeCatalogFixture } from '../../support/catalog-fixture.js';
import { TODAY, type Reported } from './entry-points.js';

/** The readers that take a path from the user, and the catalog walk. */
export type FileTarget = 'manifest-lint' | 'overlay' | 'secret' | 'key' | 'catalog';

export interface FileCase {
  id: string;
  target: FileTarget;
  /** `either`: a documented acceptance (a hidden catalog file is a warning, not an error). */
  expect?: 'either';
  /** Makes the hostile entry below `dir`; returns the path the reader is given. */
  make: (dir: string) => Promise<string>;
}

/** Servers listening on socket files, closed after the corpus. */
export const sockets: Server[] = [];

const kinds: Array<[string, (path: string, dir: string) => Promise<string>]> = [
  ['fifo', (path) => Promise.resolve((execFileSync('mkfifo', [path]), path))],
  ['symlink-loop', async (path) => (await symlink(path, path), path)],
  [
    'symlink-cycle',
    async (path) => (await symlink(`${path}.b`, path), await symlink(path, `${path}.b`), path),
  ],
  ['dev-zero', async (path) => (await symlink('/dev/zero', path), path)],
  ['dev-urandom', async (path) => (await symlink('/dev/urandom', path), path)],
  ['dev-null', async (path) => (await symlink('/dev/null', path), path)],
  ['directory', async (path) => (await mkdir(path), path)],
  ['dangling-link', async (path) => (await symlink('/nonexistent/ksad', path), path)],
  ['huge', async (path) => (await writeFile(path, `a: "${'x'.repeat(MAX_INPUT_BYTES)}"\n`), path)],
  [
    'invalid-utf8',
    async (path) => (
      await writeFile(path, Buffer.from([0x61, 0x3a, 0x20, 0xc3, 0x28, 0x0a])),
      path
    ),
  ],
  [
    'overlong-utf8',
    async (path) => (
      await writeFile(path, Buffer.from([0x61, 0x3a, 0x20, 0xc0, 0xaf, 0x0a])),
      path
    ),
  ],
  ['utf16', async (path) => (await writeFile(path, Buffer.from('\ufeffa: 1\n', 'utf16le')), path)],
  ['nul-bytes', async (path) => (await writeFile(path, 'a: x\0y\n'), path)],
  [
    'binary',
    async (path) => (
      await writeFile(path, Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 97) % 256))),
      path
    ),
  ],
  [
    'socket',
    (path) =>
      new Promise((resolve, reject) => {
        const server = createServer();
        sockets.push(server);
        server.on('error', reject);
        server.listen(path, () => resolve(path));
      }),
  ],
];

/** Every odd kind of file for every reader that takes a path. */
export function fileCases(): FileCase[] {
  const targets: FileTarget[] = ['manifest-lint', 'overlay', 'secret', 'key'];
  const out: FileCase[] = [];
  for (const target of targets) {
    for (const [kind, make] of kinds) {
      out.push({
        id: `file/${target}/${kind}`,
        target,
        make: (dir) => make(join(dir, 'input.yaml'), dir),
      });
    }
  }
  return out;
}

/** Odd entries inside a catalog, each of which lint must name instead of skipping. */
export function catalogCases(): FileCase[] {
  const at =
    (rel: string, make: (path: string, dir: string) => Promise<unknown>): FileCase['make'] =>
    async (dir) => {
      const root = join(dir, 'cat');
      await writeCatalogFixture(root);
      await make(join(root, ...rel.split('/')), root);
      return rel;
    };
  const mouText =
    'number: "X"\ntitle: t\ngrantor: "32.73"\ngrantees: ["52.04"]\napps: [{name: antrean-daring}]\nvalidFrom: 2024-01-01\nvalidUntil: 2028-12-31\ndocument: {sha256: ' +
    'b'.repeat(64) +
    '}\n';
  const cases: Array<[string, string, (path: string, dir: string) => Promise<unknown>]> = [
    ['link-outside', 'catalog/mous/outside.yaml', (p) => symlink('/etc/hostname', p)],
    [
      'link-inside',
      'catalog/mous/inside.yaml',
      (p, root) => symlink(join(root, 'catalog', 'catalog.yaml'), p),
    ],
    ['link-loop', 'catalog/mous/loop.yaml', (p) => symlink(p, p)],
    ['link-dir', 'catalog/mous/linked', (p) => symlink('/etc', p)],
    ['folder-named-yaml', 'catalog/mous/foo.yaml', (p) => mkdir(p)],
    ['folder-named-sig', 'manifests/kota-bandung/antrean-daring/1.0.0.yaml.sig', (p) => mkdir(p)],
    ['yml-extension', 'catalog/mous/bandung-bogor.yml', (p) => writeFile(p, mouText)],
    ['upper-extension', 'catalog/mous/bandung-bogor.YAML', (p) => writeFile(p, mouText)],
    ['upper-name', 'catalog/mous/Bandung-Bogor.yaml', (p) => writeFile(p, mouText)],
    ['space-name', 'catalog/mous/bandung bogor.yaml', (p) => writeFile(p, mouText)],
    ['hidden-file', 'catalog/mous/.bandung-bogor.yaml', (p) => writeFile(p, mouText)],
    ['fifo', 'catalog/mous/fifo.yaml', (p) => Promise.resolve(execFileSync('mkfifo', [p]))],
    [
      'huge',
      'catalog/mous/huge.yaml',
      (p) => writeFile(p, `notes: "${'x'.repeat(MAX_INPUT_BYTES)}"\n`),
    ],
    [
      'invalid-utf8',
      'catalog/mous/latin1.yaml',
      (p) => writeFile(p, Buffer.from(`${mouText}notes: caf\xe9\n`, 'latin1')),
    ],
    ['yml-member', 'catalog/members/kota-bogor.yml', (p) => writeFile(p, 'code: "32.71"\n')],
    [
      'yml-manifest',
      'manifests/kota-bandung/antrean-daring/9.0.0.yml',
      (p) => writeFile(p, 'a: 1\n'),
    ],
    [
      'corrupt-sig',
      'manifests/kota-bandung/antrean-daring/1.0.0.yaml.sig',
      (p) => writeFile(p, 'sig\n'),
    ],
  ];
  return cases.map(([id, rel, make]) => ({
    id: `catalog/${id}`,
    target: 'catalog',
    make: at(rel, make),
    ...(id === 'hidden-file' ? { expect: 'either' as const } : {}),
  }));
}

/** `manifest lint` as the command runs it, with no catalog to check against. */
function lintContext(dir: string): CatalogContext {
  const memory = new MemoryCatalogFiles('/nowhere');
  return {
    files: new FsCatalogFiles(dir),
    git: new MemoryGitRepository(memory),
    registry: new MemoryCatalogRegistry(memory),
    clock: { now: () => new Date(`${TODAY}T00:00:00Z`) },
    sampleRoot: join(dir, 'no-sample'),
  };
}

/** Feeds the path to the target's real reader and the entry point behind it. */
export async function runFile(target: FileTarget, path: string, dir: string): Promise<Reported> {
  switch (target) {
    case 'manifest-lint': {
      const report = await lintManifestsUseCase(lintContext(dir), [path], { today: TODAY });
      return { diagnostics: report.diagnostics };
    }
    case 'overlay':
      loadOverlays([{ file: path, text: readText(path, 'overlay') }], 'antrean-daring');
      return { accepted: true };
    case 'secret':
      suppliedSecrets([`DB_PASSWORD=@${path}`]);
      return { accepted: true };
    case 'key':
      parsePrivateKeyFile(path, await new FsKeyStore({}, dir).readPrivateKey(path));
      return { accepted: true };
    case 'catalog': {
      const files = await new FsCatalogFiles(join(dir, 'cat')).readCatalogFiles('.');
      const { diagnostics } = lintCatalogFiles(files, new Map(), { today: TODAY });
      return { diagnostics: diagnostics.filter((d) => d.file === path) };
    }
  }
}
