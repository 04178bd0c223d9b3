#!/usr/bin/env node
// Bundles the whole CLI (after tsc has type-checked and emitted dist/) into one file, dist/ksad.cjs:
// start-up is most of a short command such as a no-op deploy, and one file loads far faster than
// the hundreds of modules of the commands and their dependencies. Two parts of dockerode ksad never
// uses are kept out of the start-up path:
// - its BuildKit support (gRPC and protobuf), used only by image builds: replaced by a module that
//   says so if it is ever called;
// - ssh2, used only for ssh:// engines: loaded when the first SSH connection is made.
// And one line of docker-modem's is changed: it formats every request's options for its debug log
// (util.inspect with hidden properties, the HTTP agent and its sockets included) even when that
// log is off, which cost ~1 ms per call and far more with a keep-alive agent; the formatting now
// happens only when DEBUG enables the log.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { loadBundle } from '../bin/load-bundle.js';
import { commandFiles } from './command-files.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @type {import('esbuild').Plugin} */
const trimDockerode = {
  name: 'trim-dockerode',
  setup(b) {
    b.onResolve({ filter: /^\.\/(session|buildkit)$/ }, (args) =>
      args.importer.includes('dockerode/lib/')
        ? { path: 'dockerode-session', namespace: 'ksad-stub' }
        : undefined,
    );
    b.onResolve({ filter: /^ssh2$/ }, (args) =>
      args.importer.includes('docker-modem')
        ? { path: 'ssh2-lazy', namespace: 'ksad-stub' }
        : undefined,
    );
    b.onLoad({ filter: /^dockerode-session$/, namespace: 'ksad-stub' }, () => ({
      contents: `function notInKsad() {
  throw new Error('BuildKit is not part of ksad: it never builds images');
}
module.exports = notInKsad;
module.exports.followProgress = notInKsad;`,
      loader: 'js',
    }));
    b.onLoad({ filter: /^ssh2-lazy$/, namespace: 'ksad-stub' }, () => ({
      contents: `module.exports = {
  Client: function Client(...args) {
    const Real = require('ssh2').Client;
    return new Real(...args);
  },
};`,
      loader: 'js',
    }));
    b.onLoad({ filter: /docker-modem[\\/]lib[\\/]modem\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const eager = "debug('Sending: %s', util.inspect(options, {";
      if (!source.includes(eager)) {
        throw new Error(`${args.path}: the debug line to make lazy is gone; see trimDockerode`);
      }
      return { contents: source.replace(eager, `if (debug.enabled) ${eager}`), loader: 'js' };
    });
  },
};

// One entry for the whole CLI: every command class under its oclif id (which bin/run.js hands to
// oclif's "explicit" command discovery through bin/commands.cjs, package.json) and oclif's own
// `execute` and `settings`, so bin/run.js and the commands share one copy of @oclif/core and a run
// loads a single file instead of hundreds of modules.
const commands = commandFiles(root);
// Each command's module is initialised when oclif first asks for its class, so a run pays only
// for the command it runs (oclif takes ids, flags and help from oclif.manifest.json).
const entry = [
  "export { execute, settings } from '@oclif/core';",
  'export const COMMANDS = {};',
  // oclif's command_not_found hook (package.json `oclif.hooks`), loaded only when a command is not.
  "export const HOOKS = { get commandNotFound() { return require('./src/ui/not-found.ts').commandNotFound; } };",
  ...commands.map(
    (c) =>
      `Object.defineProperty(COMMANDS, ${JSON.stringify(c.id)}, { enumerable: true, get: () => require(${JSON.stringify(c.file)}).default });`,
  ),
].join('\n');

// Names this build in ksad's caches (catalog indexes): a digest of every source file and of the
// locked dependencies, so a cache entry is only ever read by the code that wrote it.
function sourceFiles(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? sourceFiles(path) : [path];
    });
}
const buildHash = createHash('sha256');
for (const file of [...sourceFiles(join(root, 'src')), join(root, 'package-lock.json')]) {
  buildHash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
}
const buildId = buildHash.digest('hex').slice(0, 16);

const outfile = join(root, 'dist/ksad.cjs');
/** @type {import('esbuild').BuildOptions} */
const options = {
  bundle: true,
  // CommonJS, because Node 20 can load a CommonJS script with a V8 code cache (below) but not a module.
  format: 'cjs',
  // Whitespace and syntax only: a third less source to read and compile, while names (in stack
  // traces and error classes) stay as written. The source map serves `node --enable-source-maps`.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  platform: 'node',
  target: 'node20',
  // typescript: oclif asks for it only to read a tsconfig when run from TypeScript sources.
  external: ['ssh2', 'cpu-features', 'typescript'],
  define: { 'import.meta.url': '__ksadModuleUrl', KSAD_BUILD_ID: JSON.stringify(buildId) },
  banner: { js: "const __ksadModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [trimDockerode],
  logLevel: 'warning',
};
await build({
  ...options,
  stdin: { contents: entry, resolveDir: root, sourcefile: 'ksad-entry.js', loader: 'js' },
  outfile,
});
// esbuild escapes non-ASCII characters in strings and names but leaves a few in regular expression
// literals (ansis's, compose-import's `µs`). Escaped there too, the bundle is ASCII, which
// bin/load-bundle.js reads as a one-byte string several milliseconds faster than it decodes UTF-8.
// `\uXXXX` means the same character in a string, a regular expression and a name, and nothing in a
// comment; a backslash before the character (an identity escape) gives way to the new escape. A
// changed line's later columns move in the source map, by five per character.
writeFileSync(
  outfile,
  readFileSync(outfile, 'utf8').replace(
    /(\\*)([^\x00-\x7f])/g,
    (_, slashes, char) =>
      `${slashes.length % 2 === 1 ? slashes.slice(1) : slashes}\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  ),
);
// The worker threads that check a large catalog's manifests in parallel (`catalog lint`) start
// from their own, much smaller entry.
await build({
  ...options,
  entryPoints: [join(root, 'src/adapters/manifest-check-worker.ts')],
  outfile: join(root, 'dist/ksad-worker.cjs'),
});

// V8's code cache for the bundle, made after its top level has run so that every function compiled
// then is in it. bin/run.js hands it to V8, which checks that it fits this Node and this bundle and
// otherwise compiles as usual.
const { script, exports } = loadBundle(outfile);
// Every command's module too: they are initialised on demand, and the cache should hold them all.
Object.values(exports.COMMANDS);
writeFileSync(`${outfile}.cache`, script.createCachedData());
