import { KsadError } from '../core/errors.js';
import { routeText, routeUrl } from '../core/ingress.js';
import type { IngressControl, IngressState } from '../ports/ingress.js';
import type { Progress } from '../ports/progress.js';
import type { ReleaseStore } from '../ports/release-store.js';

export interface IngressContext {
  store: ReleaseStore;
  ingress: IngressControl;
  progress: Progress;
}

export interface InstallIngressOptions {
  /** The proxy image, pinned by digest (`repo@sha256:…`). */
  image: string | undefined;
  httpPort: number;
  httpsPort: number;
  /** Default: the host profile's bind address. */
  bindAddress?: string | undefined;
}

/** What `ingress status` and `ingress install` report. */
export interface IngressReport {
  installed: boolean;
  container: string | null;
  image: string | null;
  state: string | null;
  health: string | null;
  httpPort: number | null;
  httpsPort: number | null;
  bindAddress: string | null;
  routes: Array<{
    app: string;
    service: string;
    hosts: string[];
    path: string;
    tls: string;
    upstream: string;
    urls: string[];
  }>;
}

export function ingressReport(state: IngressState | null): IngressReport {
  if (!state) {
    return {
      installed: false,
      container: null,
      image: null,
      state: null,
      health: null,
      httpPort: null,
      httpsPort: null,
      bindAddress: null,
      routes: [],
    };
  }
  return {
    installed: true,
    container: state.container,
    image: state.image,
    state: state.state,
    health: state.health,
    httpPort: state.httpPort,
    httpsPort: state.httpsPort,
    bindAddress: state.bindAddress,
    routes: state.routes.map(({ route, upstream }) => ({
      app: route.app,
      service: route.service,
      hosts: route.hosts,
      path: route.path,
      tls: route.tls,
      upstream,
      urls: route.hosts.map((h) => routeUrl(route, h, state)),
    })),
  };
}

/**
 * Installs the host ingress, or upgrades it to another image or other ports; unchanged when it
 * already runs as asked. The image must be pinned by digest (it is pulled and checked as an
 * app's images are).
 */
export async function installIngress(
  ctx: IngressContext,
  opts: InstallIngressOptions,
): Promise<IngressReport & { outcome: 'installed' | 'upgraded' | 'unchanged' }> {
  if (opts.image === undefined || !/@sha256:[0-9a-f]{64}$/.test(opts.image)) {
    throw new KsadError(
      'USAGE',
      opts.image === undefined
        ? 'no ingress image: pass --image REPO@sha256:… (or set KSAD_INGRESS_IMAGE)'
        : `the ingress image must be pinned by digest (REPO@sha256:…), got ${opts.image}`,
      {
        suggestions: [
          'build and push it with: node scripts/ingress-image.js --registry HOST:PORT (prints the reference)',
        ],
      },
    );
  }
  if (opts.httpPort === opts.httpsPort)
    throw new KsadError('USAGE', '--http-port and --https-port must differ');
  const profile = await ctx.store.requireProfile();
  const { outcome, state } = await ctx.ingress.install(
    {
      image: opts.image,
      httpPort: opts.httpPort,
      httpsPort: opts.httpsPort,
      bindAddress: opts.bindAddress ?? profile.policy.bindAddress,
    },
    ctx.progress,
  );
  return { outcome, ...ingressReport(state) };
}

/** The internal CA's root certificate, for the region's clients to trust. */
export async function ingressCaRoot(ingress: IngressControl): Promise<string> {
  const state = await ingress.state();
  if (!state) {
    throw new KsadError('NOT_FOUND', 'this host has no ingress', {
      suggestions: ['install it: ksad ingress install'],
    });
  }
  const root = await ingress.caRoot();
  if (root === null) {
    throw new KsadError('NOT_FOUND', 'the ingress has not made its internal CA yet', {
      suggestions: [
        'deploy an app with `ingress.tls: internal` (the default); the CA is made with its first certificate',
      ],
    });
  }
  return root;
}

/** One line per route, for text output. */
export function routeLines(report: IngressReport): string[] {
  return report.routes.map(
    (r) =>
      `${r.app}\t${routeText(r)}\t→ ${r.service} (${r.upstream})\ttls ${r.tls}\t${r.urls.join(' ')}`,
  );
}
