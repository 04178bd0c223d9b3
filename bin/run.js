#!/usr/bin/env node
// Runs the CLI bundled in dist/ksad.cjs with the V8 code cache made for it at build time: compiling
// the bundle would otherwise be a good part of a short command. V8 checks that the cache fits this
// Node and this bundle and compiles as usual when it does not (or when the cache is missing).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBundle } from './load-bundle.js';

const file = fileURLToPath(new URL('../dist/ksad.cjs', import.meta.url));
let cachedData;
try {
  cachedData = readFileSync(`${file}.cache`);
} catch {
  cachedData = undefined;
}
await loadBundle(file, cachedData).exports.execute({ dir: import.meta.url });
