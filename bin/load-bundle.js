// Runs the CLI bundled in dist/ksad.cjs as Node runs a CommonJS module (the same five parameters,
// `this` bound to its exports), but compiled by a vm.Script, which takes (and can make) a V8 code
// cache: Node 20's require() has no public way to hand V8 one. bin/run.js runs it with the cache
// made at build time; scripts/bundle.js makes that cache. Both compile the same wrapped source,
// which the cache must match.
'use strict';
const { isAscii } = require('node:buffer');
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname } = require('node:path');
const { Script, constants } = require('node:vm');

// The head on the bundle's first line, so that every line keeps its number (stack traces, the
// source map); the tail on a line of its own, so that the `//` comment ending the bundle cannot
// swallow the closing brace.
const HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const TAIL = '\n})';

/**
 * Compiles `file` (with `cachedData` when given), runs it and returns its exports with the script,
 * whose `cachedDataRejected` tells whether V8 took the cache. The bundle is not in require()'s
 * cache: a later require() of it would load a second copy, so oclif gets the command classes from
 * bin/commands.cjs instead.
 */
exports.loadBundle = function loadBundle(file, cachedData) {
  const bytes = readFileSync(file);
  // scripts/bundle.js makes the bundle ASCII: as a one-byte string it is read several times faster.
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const script = new Script(HEAD + source + TAIL, {
    filename: file,
    cachedData,
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script
    .runInThisContext()
    .call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { script, exports: module.exports };
};
