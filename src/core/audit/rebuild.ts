import type { LoadedManifest } from '../catalog-model.js';
import { isKsadError } from '../errors.js';
import { parseRouteLabel, resolveRoute } from '../ingress.js';
import { Label } from '../labels.js';
import type { ReleaseRecord } from '../release.js';
import { buildDesiredState, type DesiredState } from '../service-specs.js';
import type { Add } from './finding.js';
import type { AuditInput } from './report-model.js';

/** The route a record's overlay gave, with the certificate its container carries. */
function recordedRoute(
  input: AuditInput,
  record: ReleaseRecord,
  loaded: LoadedManifest,
): { route?: NonNullable<ReturnType<typeof resolveRoute>['route']> } {
  if (record.ingress === undefined) return {};
  const certificate = input.containers
    .filter((c) => c.labels[Label.app] === record.app)
    .map((c) => parseRouteLabel(c.labels[Label.route])?.certificate)
    .find((c) => c !== undefined);
  const { route } = resolveRoute(loaded.manifest, record.ingress, new Map(), certificate);
  return route !== undefined ? { route } : {};
}

export interface Rebuilt {
  desired: DesiredState;
  /** Services whose rebuilt config hash equals the recorded one: their environment is comparable. */
  verified: Set<string>;
}

export function rebuild(
  input: AuditInput,
  record: ReleaseRecord,
  loaded: LoadedManifest | undefined,
  stored: Record<string, string> | null | undefined,
  add: Add,
): Rebuilt | undefined {
  const secrets = stored ?? {};
  if (stored === null) {
    add(
      'integrity',
      'error',
      'record-damaged',
      `secrets of ${record.app}`,
      `the secrets record of ${record.app} is damaged or was edited by hand; its values cannot be read`,
    );
  }
  const missing = record.secretNames.filter((n) => !Object.hasOwn(secrets, n) || secrets[n] === '');
  if (missing.length > 0) {
    add(
      'drift',
      'info',
      'secrets-missing',
      `secrets of ${record.app}`,
      `secret${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not stored on the host; the next deploy must supply ${missing.length === 1 ? 'it' : 'them'}`,
    );
  }
  if (!loaded) {
    add(
      'drift',
      'info',
      'drift-unverified',
      'configuration',
      'the manifest is not in the catalog, so only container state, image and labels were compared',
    );
    return undefined;
  }
  // A placeholder stands in for a secret that is not stored: the spec still builds, its hash will
  // not match, and the environment is then not compared.
  const withPlaceholders: Record<string, string> = { ...secrets };
  for (const n of missing) withPlaceholders[n] = '\u0000missing';
  let desired: DesiredState;
  try {
    desired = buildDesiredState({
      manifest: loaded.manifest,
      manifestDigest: loaded.digest,
      config: record.config,
      secrets: withPlaceholders,
      region: input.profile.region,
      revision: record.revision,
      bindAddress: input.profile.policy.bindAddress,
      ...(input.serviceName === undefined ? {} : { serviceName: input.serviceName }),
      ...(record.serviceOverrides === undefined
        ? {}
        : { serviceOverrides: record.serviceOverrides }),
      ...recordedRoute(input, record, loaded),
    });
  } catch (error) {
    if (!isKsadError(error)) throw error;
    add(
      'drift',
      'info',
      'drift-unverified',
      'configuration',
      `the release's container specs cannot be rebuilt from the catalog (${error.message}); only container state, image and labels were compared`,
    );
    return undefined;
  }
  const verified = new Set<string>();
  const unverified: string[] = [];
  for (const s of desired.services) {
    if (record.services[s.service]?.configHash === s.configHash) verified.add(s.service);
    else if (record.services[s.service] !== undefined) unverified.push(s.service);
  }
  if (unverified.length > 0) {
    add(
      'drift',
      'info',
      'drift-unverified',
      `service ${unverified.join(', ')}`,
      'the environment was not compared: the recorded configuration does not rebuild the recorded spec (a release recorded before ksad kept service overrides, a secret is not stored, or the host profile changed)',
    );
  }
  return { desired, verified };
}
