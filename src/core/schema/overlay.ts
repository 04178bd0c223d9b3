import { z } from 'zod';
import { resourcesSchema } from './manifest.js';

/**
 * A recipient's configuration for one app, layered left to right with `-f`:
 * maps merge, lists replace, `null` deletes a key.
 */
export const overlaySchema = z.strictObject({
  /** The app this overlay is for; checked when present. */
  app: z.string().optional(),
  config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  services: z
    .record(
      z.string(),
      z.strictObject({
        resources: resourcesSchema.optional(),
        environment: z.record(z.string(), z.union([z.string(), z.null()])).optional(),
      }),
    )
    .optional(),
});
export type Overlay = z.infer<typeof overlaySchema>;
