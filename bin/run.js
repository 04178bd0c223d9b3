#!/usr/bin/env node
// Runs the CLI bundled in dist/ksad.cjs with the V8 code cache made for it at build time: compiling
// the bundle would otherwise be a good part of a short command. V8 checks that the cache fits this
// Node and this bundle and compiles as usual when it does not (or when the cache is missing).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadBundle } from './load-bundle.js';

const file = fileURLToPath(new URL('../dist/ksad.cjs', import.meta.url));
let cachedData;
try {
  cachedData = readFileSync(`${file}.cache`);
} catch {
  cachedData = undefined;
}
const { execute, settings, COMMANDS } = loadBundle(file, cachedData).exports;
// oclif finds the commands through bin/commands.cjs (its explicit discovery), which require()
// returns to it as the same module: it hands oclif this bundle's classes, not a second copy.
createRequire(import.meta.url)('./commands.cjs').provideCommands(COMMANDS);
// This entry runs the bundle whatever NODE_ENV says: oclif must not look for TypeScript sources
// to transpile (it does outside production when it finds tsx or ts-node).
settings.enableAutoTranspile = false;
await execute({ dir: import.meta.url });
