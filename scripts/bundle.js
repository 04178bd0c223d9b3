#!/usr/bin/env node
// Bundles every command (after tsc has type-checked and emitted dist/) into dist/bundle with shared chunks, so a
// command loads a handful of files instead of hundreds of modules: start-up is most of a no-op
// deploy. @oclif/core stays external (oclif itself loads the commands and they must share its
// classes). Two parts of dockerode ksad never uses are kept out of the start-up path:
// - its BuildKit session support (gRPC and protobuf), used only by image builds: replaced by a
//   module that says so if it is ever called;
// - ssh2, used only for ssh:// engines: loaded when the first SSH connection is made.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function commandSources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return commandSources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** @type {import('esbuild').Plugin} */
const trimDockerode = {
  name: 'trim-dockerode',
  setup(b) {
    b.onResolve({ filter: /^\.\/session$/ }, (args) =>
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
      contents: `module.exports = function withSession() {
  throw new Error('BuildKit sessions are not part of ksad: it never builds images');
};`,
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
  },
};

await build({
  entryPoints: commandSources(join(root, 'src/commands')),
  // oclif reads commands from dist/bundle/commands (package.json); the shared chunks sit beside
  // that folder so oclif does not take them for commands.
  outdir: join(root, 'dist/bundle'),
  outbase: join(root, 'src'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['@oclif/core', 'ssh2', 'cpu-features'],
  // Bundled CommonJS dependencies call require(); ESM output needs one made for it.
  banner: {
    js: "import { createRequire as __ksadRequire } from 'node:module'; const require = __ksadRequire(import.meta.url);",
  },
  plugins: [trimDockerode],
  logLevel: 'warning',
});
