#!/usr/bin/env node
// Runs ksad from its TypeScript sources, for contributors: no bundle and no build (`npm ci` is
// enough), at the price of a slower start, as tsx compiles each module when it is first loaded.
// What ships is bin/run.js over the bundle `npm run build` makes.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';
import { commandFiles } from '../scripts/command-files.js';

register();
const root = fileURLToPath(new URL('..', import.meta.url));
const { Plugin, execute, settings } = await import('@oclif/core');

// Every command, as the bundle's entry lists them (scripts/bundle.js), handed to oclif through
// its command target, bin/commands.cjs.
const COMMANDS = {};
for (const { id, file } of commandFiles(root))
  COMMANDS[id] = (await import(pathToFileURL(file).href)).default;
createRequire(import.meta.url)('./commands.cjs').provideCommands(COMMANDS);
// tsx is registered above for every module: oclif need not map paths to the sources itself.
settings.enableAutoTranspile = false;

// Ids, flags and help from the classes themselves, not from an oclif.manifest.json an earlier
// build left behind.
const plugin = new Plugin({ root, isRoot: true, ignoreManifest: true });
await plugin.load();
await execute({ loadOptions: { root, plugins: new Map([[plugin.name, plugin]]) } });
