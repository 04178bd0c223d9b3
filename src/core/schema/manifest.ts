import { z } from 'zod';
import { contact, dimension, isoDate, semverRange, semverString, slug } from './common.js';

/**
 * A duration such as "500ms", "2s", "1m30s". Parsed by `parseDuration` in core/duration.ts.
 */
export const duration = z
  .string()
  .regex(/^(?:\d+(?:ms|s|m|h))+$/, 'must be a duration such as "500ms", "5s" or "1m30s"');

/** `${config.KEY}`, `${secret.NAME}`, `${service.NAME.host}`, `${release.name}`, `${region.code}` … */
export const REFERENCE_PATTERN = /\$\{([^}]*)\}/g;

/** A host port: a number, or a reference to an integer/port config key (`${config.HTTP_PORT}`). */
export const hostPort = z.union([
  z.number().int().min(1).max(65535),
  z
    .string()
    .regex(/^\$\{config\.[A-Za-z_][A-Za-z0-9_]*\}$/, 'must be a port number or "${config.KEY}"'),
]);

export const portSchema = z.strictObject({
  /** Name for humans and `ksad status`, e.g. "http". */
  name: slug.optional(),
  container: z.number().int().min(1).max(65535),
  /** Published port on the host; unpublished when absent. */
  host: hostPort.optional(),
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
  /**
   * The port speaks HTTP and may be routed by the host ingress (by host name and path, over
   * HTTPS); `health` is the path the ingress asks before it sends a new container any request.
   */
  http: z
    .strictObject({
      health: z
        .string()
        .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, 'must be a URL path such as "/healthz"'),
    })
    .optional(),
});
export type PortSpec = z.infer<typeof portSchema>;

export const volumeMountSchema = z.strictObject({
  /** Named volume owned by the release (survives upgrades, rollbacks, uninstall without --purge-data). */
  name: slug.optional(),
  /** A host path or the Docker socket: accepted by the schema so lint can name it as unsafe. */
  source: z.string().optional(),
  path: z.string().startsWith('/', 'must be an absolute path inside the container'),
  readOnly: z.boolean().default(false),
});
export type VolumeMountSpec = z.infer<typeof volumeMountSchema>;

export const healthcheckSchema = z.strictObject({
  /** Exec form run inside the container; healthy when it exits 0. */
  test: z.array(z.string()).min(1),
  interval: duration.default('2s'),
  timeout: duration.default('2s'),
  retries: z.number().int().min(1).max(100).default(3),
  startPeriod: duration.default('0s'),
});
export type HealthcheckSpec = z.infer<typeof healthcheckSchema>;

export const dependsOnSchema = z.strictObject({
  condition: z.enum(['service_started', 'service_healthy']).default('service_healthy'),
});

export const resourcesSchema = z.strictObject({
  /** CPU share in cores, e.g. 0.5. */
  cpus: z.number().positive().max(256).optional(),
  /** Memory limit such as "256m", "1g"; lint and deploy also want at least 6m (core/memory-limit.ts). */
  memory: z
    .string()
    .regex(/^\d+(?:[kmg]b?|b)?$/i, 'must be a size such as "256m" or "1g"')
    .optional(),
});

/**
 * An environment variable's name as Docker passes it (`NAME=value`): not empty, no `=` (the
 * first one ends the name) and no NUL.
 */
export const envName = z
  .string()
  .regex(/^[^=\0]+$/, 'must be a variable name: not empty, without "=" or NUL');
/** An environment variable's value: any text but a NUL, which cannot reach a process. */
export const envValue = z.string().regex(/^[^\0]*$/, 'must not contain a NUL character');
export type ResourcesSpec = z.infer<typeof resourcesSchema>;

export const serviceSchema = z.strictObject({
  /** Image pinned by digest: `repository@sha256:<64 hex>`. */
  image: z.string().min(1),
  command: z.array(z.string()).optional(),
  entrypoint: z.array(z.string()).optional(),
  workingDir: z.string().optional(),
  user: z.string().optional(),
  environment: z.record(envName, envValue).default({}),
  ports: z.array(portSchema).default([]),
  volumes: z.array(volumeMountSchema).default([]),
  healthcheck: healthcheckSchema.optional(),
  dependsOn: z.record(slug, dependsOnSchema).default({}),
  resources: resourcesSchema.default({}),
  restart: z.enum(['no', 'always', 'unless-stopped', 'on-failure']).default('unless-stopped'),
  /** Run an init as PID 1 so signals reach the process. */
  init: z.boolean().default(false),
  readOnlyRootFilesystem: z.boolean().default(false),
  stopGracePeriod: duration.default('10s'),
  // Unsafe settings: the schema accepts them so lint reports them with their location.
  privileged: z.boolean().optional(),
  networkMode: z.string().optional(),
  pid: z.string().optional(),
  ipc: z.string().optional(),
  capAdd: z.array(z.string()).optional(),
  devices: z.array(z.string()).optional(),
});
export type ServiceSpec = z.infer<typeof serviceSchema>;

export const configKeySchema = z.strictObject({
  type: z.enum(['string', 'integer', 'number', 'boolean', 'port', 'url', 'email']),
  description: z.string().min(1),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  required: z.boolean().default(false),
  /** Allowed values. */
  enum: z.array(z.union([z.string(), z.number()])).optional(),
  /** Regular expression a string value must match. */
  pattern: z.string().optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
});
export type ConfigKeySpec = z.infer<typeof configKeySchema>;

export const secretSchema = z.strictObject({
  description: z.string().min(1),
  /**
   * `generate`: made at first install and kept on the host across upgrades.
   * `supplied`: given by the engineer from the environment (`KSAD_SECRET_<NAME>`) or a file.
   */
  source: z.enum(['generate', 'supplied']).default('generate'),
  length: z.number().int().min(16).max(256).default(32),
});
export type SecretSpec = z.infer<typeof secretSchema>;

export const localisedDescription = z.strictObject({
  shortDescription: z.string().min(1).max(150),
  longDescription: z.string().optional(),
  features: z.array(z.string()).default([]),
});

export const CONFIG_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const configKeyName = z.string().regex(CONFIG_KEY_PATTERN, 'must be a name such as HTTP_PORT');

/** `manifests/<publisher>/<name>/<version>.yaml`: one immutable app version. */
export const manifestSchema = z.strictObject({
  schemaVersion: z.literal(1),
  name: slug,
  version: semverString,
  /** Member slug of the publishing region (its file in `catalog/members/`). */
  publisher: slug,
  title: z.string().min(1),
  /** Descriptions by language; `id` (Bahasa Indonesia) is required, `en` recommended. */
  // partialRecord: zod 4's z.record with an enum key requires every key, which would make `en` mandatory.
  description: z
    .partialRecord(z.enum(['id', 'en']), localisedDescription)
    .refine((d) => d.id !== undefined, { message: 'must have an "id" (Bahasa Indonesia) entry' }),
  dimensions: z.array(dimension).min(1),
  categories: z.array(slug).default([]),
  /** SPDX license expression (publiccode.yml legal.license). */
  license: z.string().min(1),
  /** Source repository (publiccode.yml url). */
  url: z.url(),
  releaseDate: isoDate.optional(),
  maintenance: z.strictObject({
    type: z.enum(['internal', 'contract', 'community', 'none']),
    contacts: z.array(contact).default([]),
  }),
  requires: z
    .strictObject({
      ksad: semverRange.optional(),
      dockerApi: z
        .string()
        .regex(/^\d+\.\d+$/, 'must be a Docker API version such as "1.41"')
        .optional(),
    })
    .default({}),
  config: z.record(configKeyName, configKeySchema).default({}),
  secrets: z.record(configKeyName, secretSchema).default({}),
  services: z
    .record(slug, serviceSchema)
    .refine((s) => Object.keys(s).length > 0, { message: 'must declare at least one service' }),
});
export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestInput = z.input<typeof manifestSchema>;
