import { Args, Flags } from '@oclif/core';
import { FsCatalogFiles } from '../../adapters/fs-catalog-files.js';
import { FsKeyStore } from '../../adapters/fs-key-store.js';
import { signManifestFile, type SignedManifest } from '../../app/publish.js';
import { KsadCommand } from '../../ui/base-command.js';

export default class ManifestSign extends KsadCommand {
  static override summary = 'Sign a manifest: writes <version>.yaml.sig beside it.';
  static override description =
    'The detached ed25519 signature covers the canonical form ksad-c14n-v1 of the manifest (its content as canonical JSON, defaults not applied): reformatting, comments and key order do not break it, any change of content does.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> manifests/kota-bandung/antrean-daring/2.1.0.yaml --key ~/.config/ksad/keys/kota-bandung-2025.key',
  ];
  static override args = {
    manifest: Args.string({ required: true, description: 'manifest file to sign' }),
  };
  static override flags = {
    key: Flags.string({
      summary: 'Private key file made by "ksad keys generate".',
      required: true,
      helpValue: 'FILE',
    }),
    'key-id': Flags.string({
      summary: 'Key id to record, when the key file does not name one.',
      helpValue: 'KEYID',
    }),
  };

  async run(): Promise<SignedManifest> {
    const { args, flags } = await this.parse(ManifestSign);
    const result = await signManifestFile(
      { files: new FsCatalogFiles(process.cwd()), keys: new FsKeyStore(process.env) },
      { manifest: args.manifest, key: flags.key, keyId: flags['key-id'] },
    );
    this.log(`Signed ${result.file} with key ${result.keyId}: ${result.signatureFile}`);
    return result;
  }
}
