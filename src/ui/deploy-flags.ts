import { Args, Flags } from '@oclif/core';
import type { DeployRequest } from '../app/prepare.js';
import { dockerHostFlag, readText, suppliedSecrets } from './engine-context.js';
import { catalogFlag, noDefaultHelp } from './flags.js';

/** `APP[@RANGE]`, shared by render, plan and deploy. */
export const appRefArg = Args.string({
  required: true,
  description:
    'app to deploy: NAME, NAME@RANGE (semver, e.g. antrean-daring@^1) or PUBLISHER/NAME@RANGE',
});

/** The flags render, plan and deploy share, so the three always agree on what is deployed. */
export const configFlags = {
  file: Flags.string({
    char: 'f',
    summary:
      'Overlay file (YAML); repeat to layer them left to right: maps merge, lists replace, null deletes.',
    multiple: true,
    // `plan -f a.yaml APP` (flags first, as Helm users type) takes APP as the app, not a file.
    multipleNonGreedy: true,
    default: [],
    defaultHelp: noDefaultHelp,
  }),
  set: Flags.string({
    summary:
      'Set one value after the overlays, e.g. config.HTTP_PORT=8081 or services.web.resources.memory=256m.',
    multiple: true,
    multipleNonGreedy: true,
    default: [],
    defaultHelp: noDefaultHelp,
  }),
  'reset-values': Flags.boolean({
    summary:
      "Start from the manifest's defaults instead of the running revision's values (which are otherwise reused, with -f and --set on top).",
    default: false,
  }),
  secret: Flags.string({
    summary: 'Supply a secret: NAME=@FILE (or set KSAD_SECRET_<NAME> in the environment).',
    multiple: true,
    multipleNonGreedy: true,
    default: [],
    defaultHelp: noDefaultHelp,
  }),
  'override-mou': Flags.string({
    summary:
      'Deploy although no active MoU covers the app; the reason is recorded with the release.',
    helpValue: 'REASON',
  }),
  'tls-cert': Flags.string({
    summary:
      "The region's certificate (PEM, with its chain) for the app's ingress route (`ingress.tls: provided`); kept on the host.",
    helpValue: 'FILE',
    dependsOn: ['tls-key'],
  }),
  'tls-key': Flags.string({
    summary: 'The private key of --tls-cert (PEM); kept on the host beside it, never printed.',
    helpValue: 'FILE',
    dependsOn: ['tls-cert'],
  }),
  catalog: catalogFlag,
  'docker-host': dockerHostFlag,
};

export function deployRequest(
  ref: string,
  flags: {
    file: string[];
    set: string[];
    secret: string[];
    'override-mou'?: string | undefined;
    'tls-cert'?: string | undefined;
    'tls-key'?: string | undefined;
    'reset-values'?: boolean;
  },
): DeployRequest {
  const overlays = flags.file.map((file) => ({ file, text: readText(file, 'overlay') }));
  const req: DeployRequest = {
    ref,
    overlays,
    sets: flags.set,
    suppliedSecrets: suppliedSecrets(flags.secret),
    secretFlags: flags.secret.map((f) => f.slice(0, Math.max(0, f.indexOf('=')))),
  };
  if (flags['override-mou'] !== undefined) req.overrideReason = flags['override-mou'];
  if (flags['tls-cert'] !== undefined && flags['tls-key'] !== undefined) {
    req.tls = {
      certificate: readText(flags['tls-cert'], '--tls-cert'),
      key: readText(flags['tls-key'], '--tls-key', 64 * 1024),
    };
  }
  if (flags['reset-values'] === true) req.resetValues = true;
  return req;
}
