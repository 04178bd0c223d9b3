import { Flags } from '@oclif/core';
import { FsCatalogFiles } from '../../adapters/fs-catalog-files.js';
import { draftManifestFromCompose, type ComposeDraftResult } from '../../app/author.js';
import { catalogCalendar } from '../../app/calendar.js';
import { formatDiagnostic } from '../../core/diagnostics.js';
import { SMART_CITY_DIMENSIONS } from '../../core/schema/index.js';
import { KsadCommand } from '../../ui/base-command.js';
import { imageRegistry, systemClock } from '../../ui/context.js';

export default class ManifestInit extends KsadCommand {
  static override summary = 'Draft a manifest from a Docker Compose file.';
  static override description =
    'Maps each service of a compose file to a manifest service: images are pinned to the digest their registry serves now, variables and credentials become config keys and generated secrets, host ports become port config keys. Whatever ksad does not support is listed as a warning at its line in the compose file (stderr); the draft YAML goes to --out or stdout. Metadata a compose file cannot give comes from flags, OCI labels or --publiccode; what is still missing is listed as a decision.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --from-compose docker-compose.yml --publisher kota-bandung --name antrean-daring --version 2.1.0 --license Apache-2.0 --url https://git.bandung.go.id/antrean --dimension smart-governance',
    '<%= config.bin %> <%= command.id %> --from-compose compose.yaml --publisher kota-bandung --publiccode publiccode.yml --out manifests/kota-bandung/antrean-daring/2.1.0.yaml',
  ];
  static override flags = {
    'from-compose': Flags.string({
      required: true,
      summary: 'Docker Compose file to draft from.',
      helpValue: 'FILE',
    }),
    publisher: Flags.string({
      required: true,
      summary: 'Member slug of the publishing region, e.g. kota-bandung.',
    }),
    name: Flags.string({
      summary: 'App slug; default: the compose "name", else the compose file\'s folder.',
    }),
    version: Flags.string({ summary: 'App version (semver).', default: undefined }),
    title: Flags.string({
      summary: 'Title; default: org.opencontainers.image.title, else from the name.',
    }),
    description: Flags.string({
      summary: 'Short description in Bahasa Indonesia (at most 150 characters).',
    }),
    license: Flags.string({
      summary: 'SPDX license; default: the org.opencontainers.image.licenses label.',
    }),
    url: Flags.string({
      summary: 'Source repository URL; default: the org.opencontainers.image.source label.',
    }),
    dimension: Flags.string({
      multiple: true,
      options: [...SMART_CITY_DIMENSIONS],
      summary: 'Smart City dimension (repeatable).',
    }),
    category: Flags.string({ multiple: true, summary: 'Category slug (repeatable).' }),
    maintenance: Flags.string({
      options: ['internal', 'contract', 'community', 'none'],
      summary: 'Maintenance type; default internal.',
    }),
    publiccode: Flags.string({
      summary: 'publiccode.yml to take title, descriptions, license, url and maintenance from.',
      helpValue: 'FILE',
    }),
    out: Flags.string({
      char: 'o',
      summary: 'Write the draft here instead of stdout.',
      helpValue: 'FILE',
    }),
    force: Flags.boolean({ summary: 'Overwrite --out when it exists.' }),
    offline: Flags.boolean({
      summary: 'Do not contact registries: every tag is reported as still to pin.',
    }),
  };

  async run(): Promise<ComposeDraftResult> {
    const { flags } = await this.parse(ManifestInit);
    const result = await draftManifestFromCompose(
      {
        files: new FsCatalogFiles(process.cwd()),
        registry: flags.offline ? null : imageRegistry(),
      },
      flags['from-compose'],
      {
        meta: {
          publisher: flags.publisher,
          name: flags.name,
          version: flags.version,
          title: flags.title,
          description: flags.description,
          license: flags.license,
          url: flags.url,
          dimensions: flags.dimension,
          categories: flags.category,
          maintenance: flags.maintenance as
            'internal' | 'contract' | 'community' | 'none' | undefined,
          requiresKsad: `>=${this.config.version}`,
        },
        publiccode: flags.publiccode,
        out: flags.out,
        force: flags.force,
        calendar: catalogCalendar(systemClock, null),
      },
    );
    if (!this.jsonEnabled()) {
      if (result.out === null) this.log(result.yaml.trimEnd());
      for (const w of result.warnings) this.note(formatDiagnostic(w));
      if (result.decisions.length > 0) {
        this.note('Still to decide before publishing:');
        for (const d of result.decisions) this.note(`  - ${d}`);
      }
      const errors = result.lint.filter((d) => d.severity === 'error').length;
      this.note(
        `${result.out === null ? 'Draft written to stdout' : `Draft written to ${result.out}`}: ${Object.keys(result.manifest.services as object).length} service(s), ${result.warnings.length} warning(s), ${result.unpinned.length} image(s) to pin; manifest lint: ${errors} error(s)`,
      );
    }
    return result;
  }
}
