import { z } from 'zod';
import { duration, envName, envValue, resourcesSchema } from './manifest.js';

/**
 * A service's resources in an overlay: each limit as in the manifest, or `null` to delete it (an
 * earlier layer's value and the manifest's own limit alike), as Helm deletes a key with `null`.
 */
const overlayResourcesSchema = z.strictObject({
  cpus: z.union([resourcesSchema.shape.cpus.unwrap(), z.null()]).optional(),
  memory: z.union([resourcesSchema.shape.memory.unwrap(), z.null()]).optional(),
});

/** A DNS host name the ingress answers for (lower case; a leading `*.` matches one label). */
export const ingressHost = z
  .string()
  .max(253)
  .regex(
    /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    'must be a lower-case DNS name such as "antrean.sumbawakab.go.id"',
  );

/**
 * How the ingress serves an app: its host names and path prefix, the HTTP service behind it,
 * the certificate, and how long old containers drain after a switch.
 */
export const overlayIngressSchema = z.strictObject({
  /** Required once the layers are merged; a later layer may set only `tls` or `drain`. */
  hosts: z.array(ingressHost).min(1).optional(),
  /** Path prefix the app is served under (default `/`); passed to the app unchanged. */
  path: z
    .string()
    .regex(/^\/(?:[A-Za-z0-9._~-]+\/?)*$/, 'must be a path prefix such as "/" or "/antrean"')
    .optional(),
  /** The service whose HTTP port is routed; needed only when several services have one. */
  service: z.string().optional(),
  /**
   * `internal` (default): a certificate from the ingress's internal CA, kept on the host;
   * `provided`: the region's certificate and key (`deploy --tls-cert FILE --tls-key FILE`);
   * `none`: plain HTTP only.
   */
  tls: z.enum(['internal', 'provided', 'none']).optional(),
  /** How long the old containers keep serving requests already sent to them (default 5s). */
  drain: duration.optional(),
});
export type OverlayIngress = z.infer<typeof overlayIngressSchema>;

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
  /** Serve the app through the host ingress (`ksad ingress install`) by host name and path. */
  ingress: overlayIngressSchema.optional(),
});
export type Overlay = z.infer<typeof overlaySchema>;
