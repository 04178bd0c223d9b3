import { z } from 'zod';
import { hostTimeZone } from './calendar.js';
import { regionCode, timeZone } from './schema/common.js';
import { overlaySchema } from './schema/overlay.js';

/** The kinds of deploy target a host profile can name: one Docker Engine, or a Docker Swarm. */
export const TARGET_KINDS = ['docker', 'swarm'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/**
 * The host profile, kept on the host itself: what kind of deploy target it is, which region owns it, the zone whose calendar
 * its MoUs run by, and its policy. A profile written before zones were recorded gets its
 * region's zone when read.
 */
export const hostProfileSchema = z
  .strictObject({
    region: z.strictObject({ code: regionCode, name: z.string() }),
    /** WIB, WITA or WIT; `host init` derives it from the region's province unless told. */
    timeZone: timeZone.optional(),
    name: z.string(),
    /** How ksad deploys to this host; profiles written before it was recorded are Docker hosts. */
    target: z.enum(TARGET_KINDS).default('docker'),
    policy: z.strictObject({
      /** Address published ports bind to. */
      bindAddress: z.string().default('127.0.0.1'),
      /** Deploy manifests without a valid signature (recorded with the release). */
      allowUnsigned: z.boolean().default(false),
      /** Release records kept per app (the running one is never dropped). */
      historyLimit: z.number().int().min(1).max(1000).default(10),
    }),
    initializedAt: z.string(),
    initializedBy: z.string(),
    /**
     * Regions this host belonged to before (`host init --force` for another region while apps ran
     * on it), oldest first: the host's record of having changed hands.
     */
    formerRegions: z
      .array(
        z.strictObject({
          region: z.strictObject({ code: regionCode, name: z.string() }),
          name: z.string(),
          initializedAt: z.string(),
          initializedBy: z.string(),
          replacedAt: z.string(),
          replacedBy: z.string(),
          /** The apps that were deployed when it changed hands. */
          apps: z.array(z.string()),
        }),
      )
      .optional(),
  })
  .transform(({ region, timeZone: recorded, ...rest }) => {
    // Absent only when the province has no known zone; calendarFor then says what to run.
    const zone = hostTimeZone({ region, timeZone: recorded });
    return { region, ...(zone === undefined ? {} : { timeZone: zone }), ...rest };
  });
export type HostProfile = z.infer<typeof hostProfileSchema>;

export const releaseStatus = z.enum([
  'deployed',
  'superseded',
  'failed',
  'rolled-back',
  'uninstalled',
]);
export type ReleaseStatus = z.infer<typeof releaseStatus>;

/** One revision of one app on a host. Never holds a secret value. */
export const releaseRecordSchema = z.strictObject({
  app: z.string(),
  publisher: z.string(),
  version: z.string(),
  revision: z.number().int().min(1),
  manifestDigest: z.string(),
  manifestFile: z.string(),
  catalog: z.strictObject({
    name: z.string(),
    commit: z.string().optional(),
    /** Installed from an offline bundle: when it was made and its index's digest. */
    bundle: z
      .strictObject({
        createdAt: z.string(),
        index: z.string(),
        /** Pinned reference → the image id (config digest) it was loaded as. */
        images: z.record(z.string(), z.string()).optional(),
      })
      .optional(),
  }),
  /** Hash over all service config hashes. */
  configHash: z.string(),
  services: z.record(
    z.string(),
    z.strictObject({ configHash: z.string(), image: z.string(), containerName: z.string() }),
  ),
  /** Start order along dependsOn; services stop in reverse. */
  levels: z.array(z.array(z.string())),
  /** Non-secret configuration values after overlays. */
  config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** Per-service overrides from the overlays (resources, environment), so a rollback re-creates them. */
  serviceOverrides: overlaySchema.shape.services,
  /** The overlays' `ingress` section (host names, path, TLS), so a rollback serves the same route. */
  ingress: overlaySchema.shape.ingress,
  /**
   * The config values the engineer gave (overlays and `--set`, typed), without the manifest's
   * defaults: what the next deploy reuses. Absent in records written before values were remembered.
   */
  suppliedConfig: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  secretNames: z.array(z.string()),
  mou: z.union([
    z.strictObject({
      kind: z.literal('mou'),
      slug: z.string(),
      number: z.string(),
      validUntil: z.string(),
    }),
    z.strictObject({ kind: z.literal('override'), reason: z.string() }),
  ]),
  /** How the manifest was trusted; absent in records written before signatures were checked. */
  signature: z
    .strictObject({
      status: z.enum(['verified', 'unsigned-allowed']),
      keyId: z.string().optional(),
    })
    .optional(),
  deployedBy: z.string(),
  deployedAt: z.string(),
  /**
   * Services of the revision an operator stopped with `ksad stop`, by whom and when; `ksad start`
   * clears them. A stopped container not listed here was stopped outside ksad.
   */
  stopped: z.record(z.string(), z.strictObject({ by: z.string(), at: z.string() })).optional(),
  status: releaseStatus,
  description: z.string(),
});
export type ReleaseRecord = z.infer<typeof releaseRecordSchema>;

/**
 * What the host keeps of an app after `ksad uninstall`: which revisions ran, when and by whom it
 * was removed, and whether its data went with it. It outlives `--purge-data` (which removes the
 * release records), so `history` and `audit` still tell that the app ran here. One per app: the
 * latest removal, carrying the revisions of earlier ones too. Never a secret, only names.
 */
export const removalRecordSchema = z.strictObject({
  app: z.string(),
  removedAt: z.string(),
  removedBy: z.string(),
  command: z.string(),
  purgedData: z.boolean(),
  /** Data volumes removed with `--purge-data` (empty without it). */
  volumesRemoved: z.array(z.string()),
  /** Every revision the host recorded, oldest first. */
  revisions: z.array(
    z.strictObject({
      revision: z.number().int().positive(),
      version: z.string(),
      status: releaseStatus,
      deployedBy: z.string(),
      deployedAt: z.string(),
    }),
  ),
});
export type RemovalRecord = z.infer<typeof removalRecordSchema>;
