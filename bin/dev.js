#!/usr/bin/env node
// Runs ksad from its TypeScript sources, for contributors: no bundle and no build (`npm ci` is
// enough), at the price of a slower start, as tsx compiles each module when it is first loaded.
// What ships is bin/run.js over the bundle `npm run build` makes.
'use strict';
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

async function main() {
  const { register } = await import('tsx/esm/api');
  register();
  const root = join(__dirname, '..');
  const { commandFiles } = await import('../scripts/command-files.js');
  const { Plugin, execute, settings } = require('@oclif/core');

  // Every command, as the bundle's entry lists them (scripts/bundle.js), handed to oclif through
  // its command target, bin/commands.cjs.
  const COMMANDS = {};
  for (const { id, file } of commandFiles(root))
    COMMANDS[id] = (await import(pathToFileURL(file).href)).default;
  const { commandNotFound } = await import(pathToFileURL(join(root, 'src/ui/not-found.ts')).href);
  require('./commands.cjs').provideCommands(COMMANDS, { commandNotFound });
  // tsx is registered above for every module: oclif need not map paths to the sources itself.
  settings.enableAutoTranspile = false;

  // Ids, flags and help from the classes themselves, not from an oclif.manifest.json an earlier
  // build left behind.
  const plugin = new Plugin({ root, isRoot: true, ignoreManifest: true });
  await plugin.load();
  await execute({ loadOptions: { root, plugins: new Map([[plugin.name, plugin]]) } });
}

void main();
