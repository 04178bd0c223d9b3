import { Flags } from '@oclif/core';
import { FsCatalogFiles } from '../../adapters/fs-catalog-files.js';
import { FsKeyStore } from '../../adapters/fs-key-store.js';
import { generateKey, type GeneratedKey } from '../../app/keys.js';
import { KsadCommand } from '../../ui/base-command.js';
import { systemClock } from '../../ui/context.js';

export default class KeysGenerate extends KsadCommand {
  static override summary = "Make an ed25519 signing key for a publisher's manifests.";
  static override description =
    'Writes the private key (mode 0600) outside every git working copy, by default under $KSAD_HOME/keys or ~/.config/ksad/keys, and prints the public key entry for catalog/members/<publisher>.yaml. With --catalog the entry is added to that member file.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --publisher kota-bandung',
    '<%= config.bin %> <%= command.id %> --publisher kota-bandung --id kota-bandung-2025 --catalog ./ksad-catalog',
  ];
  static override flags = {
    publisher: Flags.string({
      summary: 'Member slug of the publishing region, e.g. kota-bandung.',
      required: true,
    }),
    out: Flags.string({
      summary: 'Folder for the private key (never inside a git working copy).',
      helpValue: 'DIR',
    }),
    id: Flags.string({
      summary: 'Key id written into signatures (default <publisher>-<YYYYMMDD>).',
      helpValue: 'KEYID',
    }),
    catalog: Flags.string({
      summary: 'Catalog folder whose catalog/members/<publisher>.yaml gets the public key.',
      helpValue: 'PATH',
    }),
  };

  async run(): Promise<GeneratedKey> {
    const { flags } = await this.parse(KeysGenerate);
    const result = await generateKey(
      {
        keys: new FsKeyStore(process.env),
        files: new FsCatalogFiles(process.cwd()),
        clock: systemClock,
      },
      { publisher: flags.publisher, out: flags.out, id: flags.id, catalog: flags.catalog },
    );
    this.note(`Private key: ${result.privateKeyFile} (mode 0600; keep it secret, never commit it)`);
    if (result.memberFile !== null) {
      this.note(
        `Added key ${result.keyId} to ${result.memberFile}; commit that file so recipients trust the key.`,
      );
    } else {
      this.note(`Add this entry to catalog/members/${result.publisher}.yaml:`);
    }
    this.log(result.snippet);
    return result;
  }
}
