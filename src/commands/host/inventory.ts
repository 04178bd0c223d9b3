import { writeFileSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { hostInventory } from '../../app/host-inventory.js';
import type { HostInventory } from '../../app/bundle-create.js';
import { systemClock } from '../../adapters/system.js';
import { KsadCommand } from '../../ui/base-command.js';
import { dockerHostFlag, openEngine } from '../../ui/engine-context.js';
import { DockerHostReleaseStore } from '../../targets/docker-host/release-store.js';

export default class HostInventoryCommand extends KsadCommand {
  static override summary =
    'Write what images and layers the Docker host already has, for a differential bundle.';
  static override description =
    'Carry the file to where bundles are made: ksad bundle create … --for-host FILE leaves out every layer this host has, so an upgrade bundle is about the size of what changed.';
  static override flags = {
    out: Flags.string({ summary: 'File to write (default: stdout).', helpValue: 'FILE' }),
    'docker-host': dockerHostFlag,
  };

  async run(): Promise<HostInventory> {
    const { flags } = await this.parse(HostInventoryCommand);
    const engine = openEngine(flags['docker-host']);
    try {
      const inventory = await hostInventory(
        engine,
        new DockerHostReleaseStore(engine),
        systemClock,
      );
      const text = `${JSON.stringify(inventory, null, 1)}\n`;
      if (flags.out !== undefined) {
        writeFileSync(flags.out, text);
        this.log(`Wrote ${flags.out}: ${inventory.images.length} image(s)`);
      } else if (!this.jsonEnabled()) {
        process.stdout.write(text);
      }
      return inventory;
    } finally {
      engine.close();
    }
  }
}
