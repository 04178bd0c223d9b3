#!/usr/bin/env node
// Runs the CLI bundled in dist/ksad.cjs with the V8 code cache made for it at build time: compiling
// the bundle would otherwise be a good part of a short command. V8 checks that the cache fits this
// Node and this bundle and compiles as usual when it does not (or when the cache is missing).
//
// CommonJS, as everything in bin/ (bin/package.json): Node then runs ksad without setting up its
// ES module loader, which a run does not need, about 10 ms of every start.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { loadBundle } = require('./load-bundle.js');

const root = join(__dirname, '..');
const file = join(root, 'dist', 'ksad.cjs');
let cachedData;
try {
  cachedData = readFileSync(`${file}.cache`);
} catch {
  cachedData = undefined;
}
const { execute, settings, COMMANDS, HOOKS } = loadBundle(file, cachedData).exports;
// oclif finds the commands through bin/commands.cjs (its explicit discovery), which require()
// returns to it as the same module: it hands oclif this bundle's classes (and its hook), not a
// second copy.
require('./commands.cjs').provideCommands(COMMANDS, HOOKS);
// This entry runs the bundle whatever NODE_ENV says: oclif must not look for TypeScript sources
// to transpile (it does outside production when it finds tsx or ts-node).
settings.enableAutoTranspile = false;
// The package root rather than this file, from which oclif would take bin/package.json for ksad's.
void execute({ dir: root });
