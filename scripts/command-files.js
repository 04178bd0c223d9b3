// ksad's commands as oclif ids, from the files under src/commands (a command's path is its id):
// scripts/bundle.js bundles them, bin/dev.js imports them from the sources.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

function sources(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return sources(path);
      return name.endsWith('.ts') ? [path] : [];
    });
}

/** Every command under `<root>/src/commands`: `{ id: 'catalog:lint', file: '/…/catalog/lint.ts' }`. */
export function commandFiles(root) {
  const commandsRoot = join(root, 'src/commands');
  return sources(commandsRoot).map((file) => ({
    id: relative(commandsRoot, file).replace(/\.ts$/, '').split(sep).join(':'),
    file,
  }));
}
