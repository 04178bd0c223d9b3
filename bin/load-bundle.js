// Loads the CLI bundled in dist/ksad.cjs the way Node loads a CommonJS module, but through a
// vm.Script that takes (and can make) a V8 code cache. bin/run.js runs it with the cache made at
// build time; scripts/bundle.js makes that cache. Both compile the same wrapped source, which the
// cache must match.
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script, constants } from 'node:vm';

/**
 * Compiles and runs `file` (with `cachedData` when given) and registers it as a loaded module, so
 * a later require() of the same file (oclif's, for the commands) returns these exports instead of
 * loading the bundle a second time.
 */
export function loadBundle(file, cachedData) {
  const script = new Script(Module.wrap(readFileSync(file, 'utf8')), {
    filename: file,
    cachedData,
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dirname(file));
  Module._cache[file] = mod;
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  return { script, exports: mod.exports };
}
