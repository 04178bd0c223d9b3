#!/usr/bin/env node
// Builds the ksad sample images (and small test images) without a Dockerfile or a daemon:
// the layers are tar files written here byte for byte, so the same busybox binary and the same
// files always give the same manifest digest, which the sample manifests pin. Images are pushed
// straight to a registry over the Registry HTTP API v2.
//
// Usage: node scripts/build-images.js [--registry HOST:PORT] [--no-push] [--out FILE]
//                                     [--check FILE] [--write-pins FILE] [NAME...]
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const IMAGES_DIR = join(here, 'images');
export const PINS_FILE = join(IMAGES_DIR, 'digests.json');
export const SAMPLE_NAMESPACE = 'ksad-samples';
export const DEFAULT_REGISTRY = '127.0.0.1:5151';
export const DEFAULT_BUSYBOX = '/bin/busybox';

export const MEDIA_TYPES = Object.freeze({
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  // Uncompressed on purpose: gzip output depends on the zlib build, a plain tar does not.
  layer: 'application/vnd.docker.image.rootfs.diff.tar',
});

const BLOCK = 512;

export function sha256(data) {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function octal(value, width) {
  const text = value.toString(8);
  if (text.length > width - 1) throw new Error(`tar: value ${value} does not fit ${width} bytes`);
  return text.padStart(width - 1, '0') + '\0';
}

function splitName(name) {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  // ustar keeps long paths as prefix + "/" + name, split on a slash.
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/') continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '') {
      return { name: rest, prefix };
    }
  }
  throw new Error(`tar: path too long for ustar: ${name}`);
}

function header(entry, size) {
  const h = Buffer.alloc(BLOCK, 0);
  const path = entry.type === 'dir' ? `${entry.path}/` : entry.path;
  const { name, prefix } = splitName(path);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(entry.mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii'); // uid
  h.write(octal(0, 8), 116, 'ascii'); // gid
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii'); // mtime: the epoch, for reproducibility
  h.write('        ', 148, 'ascii'); // checksum is computed with this field as spaces
  h.write(entry.type === 'dir' ? '5' : entry.type === 'symlink' ? '2' : '0', 156, 'ascii');
  if (entry.type === 'symlink') {
    if (Buffer.byteLength(entry.target) > 100)
      throw new Error(`tar: link target too long: ${entry.target}`);
    h.write(entry.target, 157, 100, 'utf8');
  }
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  h.write(octal(0, 8), 329, 'ascii');
  h.write(octal(0, 8), 337, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function normalisePath(path) {
  const clean = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (
    clean === '' ||
    clean.split('/').some((part) => part === '' || part === '.' || part === '..')
  ) {
    throw new Error(`invalid path in image: "${path}"`);
  }
  return clean;
}

/**
 * A layer tar from entries { path, type: 'file'|'dir'|'symlink', mode?, content?, target? }.
 * Parent directories are added (0755) when missing; entries are sorted by path so a parent
 * always precedes its children; every header has mtime 0 and uid/gid 0.
 */
export function createLayer(entries) {
  const byPath = new Map();
  for (const raw of entries) {
    const path = normalisePath(raw.path);
    const type = raw.type ?? 'file';
    const mode = raw.mode ?? (type === 'dir' ? 0o755 : type === 'symlink' ? 0o777 : 0o644);
    const entry = { path, type, mode };
    if (type === 'file') entry.content = Buffer.from(raw.content ?? '');
    else if (type === 'symlink') entry.target = raw.target;
    else if (type !== 'dir') throw new Error(`unknown entry type "${type}" for ${path}`);
    byPath.set(path, entry);
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (!byPath.has(parent)) byPath.set(parent, { path: parent, type: 'dir', mode: 0o755 });
    }
  }
  const sorted = [...byPath.values()].sort((a, b) =>
    Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)),
  );
  const chunks = [];
  for (const entry of sorted) {
    const size = entry.type === 'file' ? entry.content.length : 0;
    chunks.push(header(entry, size));
    if (size > 0) {
      chunks.push(entry.content);
      const pad = (BLOCK - (size % BLOCK)) % BLOCK;
      if (pad > 0) chunks.push(Buffer.alloc(pad, 0));
    }
  }
  chunks.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(chunks);
}

const baseCache = new Map();

/**
 * The shared base layer: static busybox, one /bin symlink per applet, /tmp (1777), /data,
 * /etc/passwd and /etc/group. The applet list comes from the binary itself, so it is as
 * reproducible as the binary.
 */
export function baseLayer(busyboxPath = DEFAULT_BUSYBOX) {
  const cached = baseCache.get(busyboxPath);
  if (cached) return cached;
  let binary;
  let applets;
  try {
    binary = readFileSync(busyboxPath);
    applets = execFileSync(busyboxPath, ['--list'], { encoding: 'utf8', argv0: 'busybox' })
      .split('\n')
      .map((line) => line.trim())
      .filter((name) => name !== '' && name !== 'busybox' && !name.includes('/'));
  } catch (error) {
    throw new Error(
      `cannot use ${busyboxPath} as the static busybox (${error.message}); ` +
        'install it with `apt-get install busybox-static` or set KSAD_BUSYBOX',
    );
  }
  const entries = [
    { path: 'bin/busybox', mode: 0o755, content: binary },
    ...applets.map((name) => ({ path: `bin/${name}`, type: 'symlink', target: '/bin/busybox' })),
    { path: 'tmp', type: 'dir', mode: 0o1777 },
    { path: 'data', type: 'dir', mode: 0o755 },
    {
      path: 'etc/passwd',
      content:
        'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
    },
    { path: 'etc/group', content: 'root:x:0:\nnogroup:x:65534:\n' },
    { path: 'root', type: 'dir', mode: 0o700 },
  ];
  const layer = { data: createLayer(entries), busyboxDigest: sha256(binary) };
  baseCache.set(busyboxPath, layer);
  return layer;
}

function fileEntries(files) {
  return Object.entries(files).map(([path, value]) => {
    if (typeof value === 'string' || Buffer.isBuffer(value)) {
      // A script is the usual reason to add a file, so a shebang makes it executable.
      const content = Buffer.from(value);
      const executable = content.subarray(0, 2).toString('latin1') === '#!';
      return { path, content, mode: executable ? 0o755 : 0o644 };
    }
    return { path, content: Buffer.from(value.content), mode: value.mode ?? 0o644 };
  });
}

/**
 * Builds an image in memory: the busybox base layer plus one layer of `files`
 * (path in the image → content, or { content, mode }). Returns the manifest bytes, its digest
 * and every blob to push.
 */
export function buildImage(options) {
  const {
    name,
    files = {},
    entrypoint,
    cmd,
    env = {},
    exposedPorts = [],
    labels = {},
    workingDir = '/',
    description,
    busyboxPath = DEFAULT_BUSYBOX,
  } = options;
  const base = baseLayer(busyboxPath);
  const app = createLayer(fileEntries(files));
  const layers = [base.data, app];
  const diffIds = layers.map((layer) => sha256(layer));

  const containerConfig = {
    Env: ['PATH=/bin', ...Object.entries(env).map(([k, v]) => `${k}=${v}`)],
    WorkingDir: workingDir,
  };
  if (entrypoint) containerConfig.Entrypoint = entrypoint;
  if (cmd) containerConfig.Cmd = cmd;
  if (exposedPorts.length > 0) {
    containerConfig.ExposedPorts = Object.fromEntries(
      [...exposedPorts].sort().map((port) => [port.includes('/') ? port : `${port}/tcp`, {}]),
    );
  }
  const allLabels = { 'org.opencontainers.image.title': name, ...labels };
  if (description) allLabels['org.opencontainers.image.description'] = description;
  containerConfig.Labels = Object.fromEntries(
    Object.entries(allLabels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );

  // No "created" anywhere: a timestamp would make every build a new digest.
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: containerConfig,
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [
        { created_by: `ksad build-images: busybox ${base.busyboxDigest}` },
        { created_by: `ksad build-images: ${name} files` },
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
  return {
    name,
    manifest,
    digest: sha256(manifest),
    config,
    blobs,
    busyboxDigest: base.busyboxDigest,
  };
}

function listFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(full);
      else throw new Error(`${full}: only regular files are supported in an image rootfs`);
    }
  };
  walk(root);
  return out;
}

export function sampleNames(imagesDir = IMAGES_DIR) {
  return readdirSync(imagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** Reads scripts/images/<name>/image.json and rootfs/ into buildImage() options. */
export function loadSample(name, imagesDir = IMAGES_DIR) {
  const dir = join(imagesDir, name);
  let spec;
  try {
    spec = JSON.parse(readFileSync(join(dir, 'image.json'), 'utf8'));
  } catch (error) {
    throw new Error(
      `sample image "${name}": cannot read ${join(dir, 'image.json')}: ${error.message}`,
    );
  }
  const rootfs = join(dir, 'rootfs');
  const files = {};
  for (const full of listFiles(rootfs)) {
    const path = relative(rootfs, full).split(sep).join('/');
    // Git keeps only the executable bit, so that is all a checkout can reproduce.
    const mode = statSync(full).mode & 0o111 ? 0o755 : 0o644;
    files[path] = { content: readFileSync(full), mode };
  }
  return { ...spec, name, files };
}

export function buildSampleImages({
  names,
  imagesDir = IMAGES_DIR,
  busyboxPath = DEFAULT_BUSYBOX,
} = {}) {
  const wanted = names && names.length > 0 ? names : sampleNames(imagesDir);
  return wanted.map((name) => buildImage({ ...loadSample(name, imagesDir), busyboxPath }));
}

export function sampleReference(registry, name, digest) {
  return `${registry}/${SAMPLE_NAMESPACE}/${name}@${digest}`;
}

async function request(url, init, what) {
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new Error(`${what}: cannot reach ${url}: ${error.cause?.message ?? error.message}`);
  }
  return response;
}

async function failure(response, what) {
  const body = await response.text().catch(() => '');
  return new Error(`${what}: HTTP ${response.status} ${response.statusText} ${body.trim()}`.trim());
}

/**
 * Pushes every blob (skipping those the registry already has), then the manifest under `tag`.
 * Returns `registry/repository@digest`, after checking the registry computed the same digest.
 */
export async function pushImage(
  image,
  { registry = DEFAULT_REGISTRY, repository, tag = 'latest' },
) {
  if (!repository) throw new Error('pushImage: repository is required');
  const base = `http://${registry}/v2/${repository}`;
  for (const blob of image.blobs) {
    const what = `push ${repository} blob ${blob.digest}`;
    const head = await request(`${base}/blobs/${blob.digest}`, { method: 'HEAD' }, what);
    if (head.ok) continue;
    const start = await request(`${base}/blobs/uploads/`, { method: 'POST' }, what);
    if (start.status !== 202) throw await failure(start, what);
    const location = start.headers.get('location');
    if (!location) throw new Error(`${what}: registry gave no upload location`);
    const upload = new URL(location, `http://${registry}`);
    upload.searchParams.set('digest', blob.digest);
    const put = await request(
      upload,
      {
        method: 'PUT',
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(blob.data.length),
        },
        body: blob.data,
      },
      what,
    );
    if (put.status !== 201) throw await failure(put, what);
  }
  const what = `push ${repository}:${tag} manifest`;
  const put = await request(
    `${base}/manifests/${tag}`,
    { method: 'PUT', headers: { 'content-type': MEDIA_TYPES.manifest }, body: image.manifest },
    what,
  );
  if (put.status !== 201) throw await failure(put, what);
  const returned = put.headers.get('docker-content-digest');
  if (returned && returned !== image.digest) {
    throw new Error(`${what}: registry stored digest ${returned}, expected ${image.digest}`);
  }
  return `${registry}/${repository}@${image.digest}`;
}

export function readPins(file = PINS_FILE) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function digestOf(reference) {
  const at = reference.lastIndexOf('@');
  return at === -1 ? '' : reference.slice(at + 1);
}

/** Differences between built images and the pinned references (digest part only). */
export function compareWithPins(images, pins) {
  const problems = [];
  for (const image of images) {
    const pinned = pins.images?.[image.name];
    if (!pinned) problems.push(`${image.name}: not pinned`);
    else if (digestOf(pinned) !== image.digest) {
      problems.push(`${image.name}: built ${image.digest}, pinned ${digestOf(pinned)}`);
    }
  }
  if (
    problems.length > 0 &&
    pins.busybox?.sha256 &&
    images[0]?.busyboxDigest !== `sha256:${pins.busybox.sha256}`
  ) {
    problems.push(
      `the busybox binary differs: ${images[0]?.busyboxDigest} here, sha256:${pins.busybox.sha256} pinned ` +
        `(${pins.busybox.package ?? 'busybox-static'}); install that busybox-static or set KSAD_BUSYBOX to that binary`,
    );
  }
  return problems;
}

function pinsFor(images, registry, busyboxPath) {
  let pkg = 'busybox-static';
  try {
    const version = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'busybox-static'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (version) pkg = `busybox-static ${version} (Debian 12, amd64)`;
  } catch {
    // dpkg-query is missing outside Debian: the binary's hash below is what matters anyway.
  }
  return {
    comment:
      'Manifest digests of the sample images built by scripts/build-images.js. They depend only on the busybox binary and scripts/images/; regenerate with --write-pins after changing either.',
    busybox: {
      path: busyboxPath,
      package: pkg,
      sha256: images[0]?.busyboxDigest.slice('sha256:'.length),
    },
    images: Object.fromEntries(
      images.map((image) => [image.name, sampleReference(registry, image.name, image.digest)]),
    ),
  };
}

function parseArgs(argv) {
  const opts = { registry: process.env.KSAD_REGISTRY || DEFAULT_REGISTRY, push: true, names: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--registry') opts.registry = value();
    else if (arg === '--no-push') opts.push = false;
    else if (arg === '--out') opts.out = value();
    else if (arg === '--check') opts.check = value();
    else if (arg === '--write-pins') opts.writePins = value();
    else if (arg === '--help' || arg === '-h') opts.help = true;
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
    else opts.names.push(arg);
  }
  return opts;
}

const USAGE = `usage: node scripts/build-images.js [options] [NAME...]
  --registry HOST:PORT  registry to push to (default: $KSAD_REGISTRY or ${DEFAULT_REGISTRY})
  --no-push             build only; print the references without pushing
  --out FILE            also write the name -> reference JSON map to FILE
  --check FILE          fail unless the digests equal the pinned ones in FILE (e.g. scripts/images/digests.json)
  --write-pins FILE     write FILE with the current digests (registry host ${DEFAULT_REGISTRY})
environment: KSAD_REGISTRY, KSAD_BUSYBOX (static busybox binary, default ${DEFAULT_BUSYBOX})`;

async function main(argv) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`build-images: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const busyboxPath = process.env.KSAD_BUSYBOX || DEFAULT_BUSYBOX;
  const images = buildSampleImages({ names: opts.names, busyboxPath });
  if (opts.check) {
    const problems = compareWithPins(images, readPins(opts.check));
    if (problems.length > 0) {
      process.stderr.write(
        `build-images: the sample images are not the pinned ones in ${opts.check}:\n` +
          problems.map((p) => `  - ${p}\n`).join('') +
          'The sample manifests pin these digests, so deployments would not find their images.\n',
      );
      return 1;
    }
    process.stderr.write(`build-images: digests match ${opts.check}\n`);
  }
  const map = {};
  for (const image of images) {
    if (opts.push) {
      map[image.name] = await pushImage(image, {
        registry: opts.registry,
        repository: `${SAMPLE_NAMESPACE}/${image.name}`,
      });
      process.stderr.write(`build-images: pushed ${map[image.name]}\n`);
    } else {
      map[image.name] = sampleReference(opts.registry, image.name, image.digest);
    }
  }
  const json = `${JSON.stringify(map, null, 2)}\n`;
  if (opts.out) writeFileSync(opts.out, json);
  if (opts.writePins) {
    writeFileSync(
      opts.writePins,
      `${JSON.stringify(pinsFor(images, DEFAULT_REGISTRY, busyboxPath), null, 2)}\n`,
    );
    process.stderr.write(`build-images: wrote ${opts.writePins}\n`);
  }
  process.stdout.write(json);
  return 0;
}

if (
  process.argv[1] &&
  realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`build-images: ${error.message}\n`);
      process.exit(1);
    },
  );
}
