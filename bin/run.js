#!/usr/bin/env node
// Runs the CLI bundled in dist/ksad.cjs with the V8 code cache made for it at build time: compiling
// the bundle would otherwise be a good part of a short command. V8 checks that the cache fits this
// Node and this bundle and compiles as usual when it does not (or when the cache is missing).
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script, constants } from 'node:vm';

const file = fileURLToPath(new URL('../dist/ksad.cjs', import.meta.url));
let cachedData;
try {
  cachedData = readFileSync(`${file}.cache`);
} catch {
  cachedData = undefined;
}
const script = new Script(Module.wrap(readFileSync(file, 'utf8')), {
  filename: file,
  cachedData,
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
// Registered as a loaded module, so oclif's require() of the same file (the commands' target in
// package.json) returns these exports instead of loading the bundle a second time.
const mod = new Module(file);
mod.filename = file;
mod.paths = Module._nodeModulePaths(dirname(file));
Module._cache[file] = mod;
script.runInThisContext()(mod.exports, createRequire(file), mod, file, dirname(file));
mod.loaded = true;

await mod.exports.execute({ dir: import.meta.url });
