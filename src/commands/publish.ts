import { Args, Flags } from '@oclif/core';
import { FsKeyStore } from '../adapters/fs-key-store.js';
import { SimpleGitRepository } from '../adapters/simple-git-repository.js';
import { publishManifest, type PublishResult } from '../app/publish.js';
import { KsadCommand } from '../ui/base-command.js';
import { catalogContext, imageRegistry } from '../ui/context.js';

export default class Publish extends KsadCommand {
  static override summary = "Publish a signed manifest into a catalog's git working copy.";
  static override description =
    'Lints the manifest against the catalog, checks that its version is newer than every published one and that its images exist in their registries (HEAD by digest), signs it with --key (or uses the .sig beside it), copies both to manifests/<publisher>/<app>/<version>.yaml, commits them (with the publisher member file when it has uncommitted changes, such as a key added by keys generate --catalog), tags <publisher>/<app>/<version> and, with --push, pushes and checks the version in a fresh clone of the remote. Published versions are immutable.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> out/antrean-daring-2.1.0.yaml --catalog ./ksad-catalog --key ~/.config/ksad/keys/kota-bandung-2025.key --push',
    '<%= config.bin %> <%= command.id %> out/antrean-daring-2.1.0.yaml --catalog ./ksad-catalog --skip-registry-check',
  ];
  static override args = {
    manifest: Args.string({ required: true, description: 'manifest file to publish' }),
  };
  static override flags = {
    catalog: Flags.string({
      summary: "Folder of the catalog's git working copy.",
      required: true,
      helpValue: 'PATH',
    }),
    key: Flags.string({
      summary: 'Private key file to sign with (else the .sig beside the manifest is used).',
      helpValue: 'FILE',
    }),
    'key-id': Flags.string({
      summary: 'Key id to record, when the key file does not name one.',
      helpValue: 'KEYID',
    }),
    push: Flags.boolean({ summary: 'Push the branch and the tag to origin.', default: false }),
    'skip-registry-check': Flags.boolean({
      summary: 'Do not ask the registries whether the images exist (offline publishing).',
      default: false,
    }),
  };

  async run(): Promise<PublishResult> {
    const { args, flags } = await this.parse(Publish);
    const result = await publishManifest(
      {
        catalog: catalogContext(),
        git: new SimpleGitRepository(process.env),
        keys: new FsKeyStore(process.env),
        registry: imageRegistry(),
      },
      {
        manifest: args.manifest,
        catalog: flags.catalog,
        key: flags.key,
        keyId: flags['key-id'],
        push: flags.push,
        skipRegistryCheck: flags['skip-registry-check'],
      },
    );
    const alsoCommitted = result.committed.filter(
      (f) => f !== result.file && f !== result.signatureFile,
    );
    this.log(
      `Published ${result.publisher}/${result.app} ${result.version} as ${result.file} (signed by ${result.keyId}), commit ${result.commit.slice(0, 12)}, tag ${result.tag}${result.pushed ? ', pushed' : ''}`,
    );
    if (alsoCommitted.length > 0)
      this.log(`Committed with it, as the version needs them: ${alsoCommitted.join(', ')}`);
    if (result.verifiedClone !== null)
      this.log(`Verified in a fresh clone of ${result.verifiedClone}`);
    return result;
  }
}
