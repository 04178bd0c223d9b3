import { z } from 'zod';
import { envName, envValue, resourcesSchema } from './manifest.js';

/**
 * A service's resources in an overlay: each limit as in the manifest, or `null` to delete it (an
 * earlier layer's value and the manifest's own limit alike), as Helm deletes a key with `null`.
 */
const overlayResourcesSchema = z.strictObject({
  cpus: z.union([resourcesSchema.shape.cpus.unwrap(), z.null()]).optional(),
  memory: z.union([resourcesSchema.shape.memory.unwrap(), z.null()]).optional(),
});

/**
 * One Swarm placement constraint on a node attribute ksad supports: `node.labels.KEY`,
 * `node.role`, `node.hostname`, `node.id` or `node.platform.os|arch`, `==` or `!=` a value.
 */
export const placementConstraint = z
  .string()
  .regex(
    /^node\.(labels\.[A-Za-z0-9_.-]+|role|hostname|id|platform\.(os|arch))\s*(==|!=)\s*[^\s=!]+$/,
    'a constraint is node.labels.KEY, node.role, node.hostname, node.id or node.platform.os|arch, then == or !=, then a value (e.g. node.role==manager)',
  );

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
        resources: overlayResourcesSchema.optional(),
        environment: z.record(envName, z.union([envValue, z.null()])).optional(),
        /** Swarm: how many tasks run the service (default 1); a Docker host runs one container. */
        replicas: z.union([z.number().int().min(0).max(100), z.null()]).optional(),
        /** Swarm: where tasks may run, as `docker service create --constraint` takes them. */
        placement: z
          .union([z.strictObject({ constraints: z.array(placementConstraint).max(20) }), z.null()])
          .optional(),
      }),
    )
    .optional(),
});
export type Overlay = z.infer<typeof overlaySchema>;
