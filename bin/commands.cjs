// oclif's command target (package.json `oclif.commands`, explicit discovery): ksad's command classes
// by id. The entry that started ksad hands them over before oclif asks: bin/run.js those of the
// bundle it ran with its code cache, bin/dev.js those of the TypeScript sources. Anything else that
// asks (`oclif manifest` at build time, a test) gets the bundle's, loaded by require() as usual.
// It is also the target of ksad's one oclif hook, command_not_found (package.json `oclif.hooks`),
// handed over the same way.
'use strict';

let commands;
let hooks;

/** Called once by the entry, before oclif runs. */
exports.provideCommands = (classes, hookFunctions) => {
  commands = classes;
  hooks = hookFunctions;
};

Object.defineProperty(exports, 'COMMANDS', {
  enumerable: true,
  get: () => (commands ??= require('../dist/ksad.cjs').COMMANDS),
});

Object.defineProperty(exports, 'COMMAND_NOT_FOUND', {
  enumerable: true,
  get: () => (hooks ??= require('../dist/ksad.cjs').HOOKS).commandNotFound,
});
