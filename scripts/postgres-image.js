#!/usr/bin/env node
// Builds a PostgreSQL image from Debian's own packages and pushes it to the loopback registry,
// for tests whose database must really check its password (the sample `db` accepts any).
//
//   1. `debootstrap --variant=minbase --include=postgresql bookworm ROOTFS` (about a minute; needs
//      root and Debian's mirror), then `tar -C ROOTFS -c .` without package caches, documentation,
//      translations, device nodes and the JIT compiler (about 300 MB instead of 630). The tar is
//      cached under KSAD_IMAGE_CACHE (default ~/.cache/ksad/test-images), named by a hash of the
//      recipe (scripts/test-images/postgres/recipe.json and the trim list below), so a second
//      run, or a second engine, skips this step.
//   2. The image is that tar as its first layer plus one layer of scripts/test-images/postgres/
//      rootfs/ (entry points, a CGI page) and the static busybox (its httpd), assembled and pushed
//      over the Registry HTTP API like the sample images, so no Dockerfile build or gzip is
//      needed. The same cached tar always gives the same digest.
//
// Usage: node scripts/postgres-image.js [--registry HOST:PORT]   prints the pushed reference
// Environment: KSAD_REGISTRY, KSAD_IMAGE_CACHE, KSAD_BUSYBOX.
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLayer,
  DEFAULT_BUSYBOX,
  DEFAULT_REGISTRY,
  MEDIA_TYPES,
  pushImage,
  sha256,
} from './build-images.js';

const here = dirname(fileURLToPath(import.meta.url));
export const RECIPE_DIR = join(here, 'test-images', 'postgres');
export const REPOSITORY = 'ksad-test/postgres';

/** Left out of the root file system's tar: nothing the database or its scripts run needs. */
const TRIM = [
  './dev/*',
  './proc/*',
  './sys/*',
  './debootstrap',
  './var/cache/apt/*',
  './var/lib/apt/lists/*',
  './usr/share/doc/*',
  './usr/share/man/*',
  './usr/share/info/*',
  './usr/share/locale/*',
  './usr/lib/x86_64-linux-gnu/libLLVM*',
  './usr/lib/postgresql/*/lib/llvmjit*',
  './usr/lib/postgresql/*/lib/bitcode',
];

function log(message) {
  process.stderr.write(`postgres-image: ${message}\n`);
}

export function cacheDir() {
  return (
    process.env.KSAD_IMAGE_CACHE ||
    join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ksad', 'test-images')
  );
}

/** The recipe and the cache key of its root file system. */
export function recipe() {
  const spec = JSON.parse(readFileSync(join(RECIPE_DIR, 'recipe.json'), 'utf8')).debootstrap;
  const key = createHash('sha256')
    .update(JSON.stringify({ spec, trim: TRIM }))
    .digest('hex')
    .slice(0, 16);
  return { spec, key };
}

function run(command, args, what) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.error || result.status !== 0) {
    const detail = result.error?.message ?? result.stderr.toString().trim().split('\n').slice(-5);
    throw new Error(`${what} failed: ${[detail].flat().join('\n')}`);
  }
}

function ensureDebootstrap() {
  const found = spawnSync('sh', ['-c', 'command -v debootstrap'], { stdio: 'ignore' });
  if (found.status === 0) return;
  if (process.getuid?.() !== 0) throw new Error('debootstrap is missing; install it as root');
  log('installing debootstrap (apt-get)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['install', '-y', '-q', 'debootstrap'], { env, stdio: 'ignore' });
}

/** The cached root file system tar, made first when absent; written under a new name, then renamed. */
export function rootfsTar() {
  const { spec, key } = recipe();
  const dir = cacheDir();
  const file = join(dir, `postgres-rootfs-${key}.tar`);
  if (existsSync(file)) return { file, built: false };
  if (process.getuid?.() !== 0) throw new Error(`building ${file} needs root (debootstrap)`);
  ensureDebootstrap();
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(dir, `postgres-${key}-`));
  try {
    const root = join(work, 'rootfs');
    const started = Date.now();
    log(`debootstrap ${spec.suite} (${spec.variant}, ${spec.include.join(',')}) into ${root}`);
    run(
      'debootstrap',
      [
        `--variant=${spec.variant}`,
        `--include=${spec.include.join(',')}`,
        spec.suite,
        root,
        spec.mirror,
      ],
      'debootstrap',
    );
    const partial = join(work, 'rootfs.tar');
    run(
      'tar',
      ['-C', root, '--numeric-owner', ...TRIM.map((t) => `--exclude=${t}`), '-cf', partial, '.'],
      'tar of the root file system',
    );
    renameSync(partial, file);
    log(
      `cached ${file} (${Math.round(statSync(file).size / 2 ** 20)} MB) in ${Math.round((Date.now() - started) / 1000)} s`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { file, built: true };
}

function layerFiles(busyboxPath) {
  const root = join(RECIPE_DIR, 'rootfs');
  const entries = [{ path: 'ksad/busybox', mode: 0o755, content: readFileSync(busyboxPath) }];
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const path = relative(root, full).split(sep).join('/');
        const mode = statSync(full).mode & 0o111 ? 0o755 : 0o644;
        entries.push({ path, mode, content: readFileSync(full) });
      }
    }
  };
  walk(root);
  return entries;
}

/** The image (manifest, config and both layers) from the cached tar and the recipe's files. */
export function buildPostgresImage(tarFile, busyboxPath = DEFAULT_BUSYBOX) {
  const layers = [readFileSync(tarFile), createLayer(layerFiles(busyboxPath))];
  const diffIds = layers.map((layer) => sha256(layer));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8'],
        Cmd: ['/ksad/db.sh'],
        ExposedPorts: { '5432/tcp': {}, '8080/tcp': {} },
        WorkingDir: '/',
        Labels: { 'org.opencontainers.image.title': 'ksad test postgres' },
      },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [
        { created_by: `ksad postgres-image: debootstrap ${recipe().key}` },
        { created_by: 'ksad postgres-image: scripts/test-images/postgres/rootfs' },
      ],
    }),
  );
  const blobs = [
    { mediaType: MEDIA_TYPES.config, digest: sha256(config), data: config },
    ...layers.map((data, i) => ({ mediaType: MEDIA_TYPES.layer, digest: diffIds[i], data })),
  ];
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.manifest,
      config: { mediaType: MEDIA_TYPES.config, size: config.length, digest: blobs[0].digest },
      layers: blobs
        .slice(1)
        .map((b) => ({ mediaType: b.mediaType, size: b.data.length, digest: b.digest })),
    }),
  );
  return { name: 'postgres', manifest, digest: sha256(manifest), config, blobs };
}

/** Builds (or reuses the cached root file system) and pushes; returns `registry/repo@digest`. */
export async function postgresImage({ registry = DEFAULT_REGISTRY } = {}) {
  const { file } = rootfsTar();
  const image = buildPostgresImage(file, process.env.KSAD_BUSYBOX || DEFAULT_BUSYBOX);
  return pushImage(image, { registry, repository: REPOSITORY, tag: recipe().key });
}

if (
  process.argv[1] &&
  realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--registry');
  const registry = at >= 0 ? args[at + 1] : process.env.KSAD_REGISTRY || DEFAULT_REGISTRY;
  postgresImage({ registry }).then(
    (reference) => {
      process.stdout.write(`${reference}\n`);
    },
    (error) => {
      process.stderr.write(`postgres-image: ${error.message}\n`);
      process.exit(1);
    },
  );
}
