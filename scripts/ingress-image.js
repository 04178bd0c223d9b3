#!/usr/bin/env node
// Builds ksad's host ingress image: Debian's caddy 2.6 with the two libraries it links (libc and
// libzstd) on the busybox base of the sample images, reproducibly (the same package files give
// the same manifest digest), and pushes it to a registry so a host pulls it by digest, offline.
//
// Usage: node scripts/ingress-image.js [--registry HOST:PORT] [--no-push] [--out FILE]
//                                      [--check FILE] [--write-pins FILE]
// Environment: KSAD_CADDY (a caddy binary to use instead of the one from `apt-get download caddy`),
// KSAD_INGRESS_CACHE (where the downloaded package is kept; default ~/.cache/ksad/ingress).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_REGISTRY, buildImage, pushImage, sha256 } from './build-images.js';

export const INGRESS_REPOSITORY = 'ksad-system/ingress';
export const INGRESS_PINS = fileURLToPath(new URL('images/ingress.json', import.meta.url));

/** The shared libraries caddy is linked to, as Debian ships them (`ldd /usr/bin/caddy`). */
const LIBRARIES = [
  { path: 'lib64/ld-linux-x86-64.so.2', from: '/lib64/ld-linux-x86-64.so.2', pkg: 'libc6' },
  { path: 'lib/x86_64-linux-gnu/libc.so.6', from: '/lib/x86_64-linux-gnu/libc.so.6', pkg: 'libc6' },
  {
    path: 'lib/x86_64-linux-gnu/libzstd.so.1',
    from: '/lib/x86_64-linux-gnu/libzstd.so.1',
    pkg: 'libzstd1',
  },
];

function packageVersion(pkg) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

/** The caddy binary: KSAD_CADDY, else Debian's package downloaded (not installed) and unpacked. */
export function caddyBinary() {
  if (process.env.KSAD_CADDY) return { path: process.env.KSAD_CADDY, version: 'KSAD_CADDY' };
  const cache = process.env.KSAD_INGRESS_CACHE || join(homedir(), '.cache', 'ksad', 'ingress');
  const unpacked = join(cache, 'root', 'usr', 'bin', 'caddy');
  mkdirSync(cache, { recursive: true });
  let deb = readdirSync(cache).find((f) => /^caddy_.*\.deb$/.test(f));
  if (!deb) {
    // A download, not an install: no service, user or systemd unit appears on the machine.
    execFileSync('apt-get', ['download', 'caddy'], {
      cwd: cache,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    deb = readdirSync(cache).find((f) => /^caddy_.*\.deb$/.test(f));
    if (!deb) throw new Error(`apt-get download caddy left no caddy_*.deb in ${cache}`);
  }
  if (!existsSync(unpacked))
    execFileSync('dpkg-deb', ['-x', join(cache, deb), join(cache, 'root')]);
  return { path: unpacked, version: deb.replace(/^caddy_/, '').replace(/\.deb$/, '') };
}

export function buildIngressImage() {
  const caddy = caddyBinary();
  const binary = readFileSync(caddy.path);
  const files = { 'bin/caddy': { content: binary, mode: 0o755 } };
  const inputs = { caddy: { package: `caddy ${caddy.version}`, sha256: sha256(binary) } };
  for (const lib of LIBRARIES) {
    const content = readFileSync(realpathSync(lib.from));
    files[lib.path] = { content, mode: 0o755 };
    inputs[lib.path] = {
      package: `${lib.pkg} ${packageVersion(lib.pkg)}`,
      sha256: sha256(content),
    };
  }
  files['etc/ksad-ingress'] = 'ksad host ingress: caddy with its admin API on localhost only\n';
  const image = buildImage({
    name: 'ingress',
    description: 'ksad host ingress: Debian caddy 2.6 (reverse proxy, TLS, JSON admin API)',
    files,
    env: { XDG_DATA_HOME: '/data', XDG_CONFIG_HOME: '/data/config', HOME: '/data' },
    entrypoint: ['/bin/caddy'],
    cmd: ['run', '--config', '/data/ksad/caddy.json'],
    exposedPorts: ['80/tcp', '443/tcp'],
  });
  return { image, inputs };
}

function parseArgs(argv) {
  const opts = { registry: process.env.KSAD_REGISTRY || DEFAULT_REGISTRY, push: true };
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
    else throw new Error(`unknown option ${arg}`);
  }
  return opts;
}

async function main(argv) {
  const opts = parseArgs(argv);
  const { image, inputs } = buildIngressImage();
  if (opts.check) {
    const pins = JSON.parse(readFileSync(opts.check, 'utf8'));
    if (pins.digest !== image.digest) {
      const changed = Object.entries(inputs)
        .filter(([name, v]) => pins.inputs?.[name]?.sha256 !== v.sha256)
        .map(
          ([name, v]) => `${name} (${v.package}, pinned ${pins.inputs?.[name]?.package ?? 'none'})`,
        );
      process.stderr.write(
        `ingress-image: built ${image.digest}, pinned ${pins.digest} in ${opts.check}; ` +
          `inputs that differ: ${changed.join(', ') || 'none (scripts changed)'}\n`,
      );
      return 1;
    }
  }
  const ref = opts.push
    ? await pushImage(image, {
        registry: opts.registry,
        repository: INGRESS_REPOSITORY,
        tag: 'caddy-2.6',
      })
    : `${opts.registry}/${INGRESS_REPOSITORY}@${image.digest}`;
  if (opts.out) writeFileSync(opts.out, `${ref}\n`);
  if (opts.writePins) {
    const pins = {
      comment:
        'Manifest digest of the ksad ingress image built by scripts/ingress-image.js from these Debian files; regenerate with --write-pins after a package update.',
      digest: image.digest,
      inputs,
    };
    writeFileSync(opts.writePins, `${JSON.stringify(pins, null, 2)}\n`);
  }
  process.stdout.write(`${ref}\n`);
  return 0;
}

if (
  process.argv[1] &&
  realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`ingress-image: ${error.message}\n`);
      process.exit(1);
    },
  );
}
