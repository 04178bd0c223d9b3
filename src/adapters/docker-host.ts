import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { KsadError } from '../core/errors.js';

/** The socket the docker CLI talks to when neither `--docker-host` nor DOCKER_HOST is set. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/**
 * Connection options for `new Dockerode(...)`. Every key docker-modem would otherwise fill in from
 * `process.env` is set explicitly (possibly to `undefined`), because docker-modem merges its own
 * DOCKER_HOST reading underneath the options it is given: a `--docker-host` flag must win over it.
 */
export type DockerConnectionOptions = Dockerode.DockerOptions & {
  socketPath: string | undefined;
  host: string | undefined;
  port: number | undefined;
  protocol: 'http' | 'https' | 'ssh';
};

/** Where and how to reach the engine. */
export interface ResolvedDockerHost {
  /** What to show the user, e.g. `unix:///var/run/docker.sock`, `tcp://10.0.0.5:2376`, `ssh://ops@host`. */
  endpoint: string;
  /** Where the value came from, for error messages. */
  source: '--docker-host' | 'DOCKER_HOST' | 'default';
  options: DockerConnectionOptions;
}

export interface DockerHostInput {
  /** Value of `--docker-host`, which wins over DOCKER_HOST. */
  flag?: string | undefined;
  /** The environment (`process.env` in the CLI); only DOCKER_* , SSH_AUTH_SOCK and HOME are read. */
  env: Readonly<Record<string, string | undefined>>;
  /** Reads a TLS file, or returns undefined when it does not exist. Injected so tests need no files. */
  readFile?: (path: string) => Buffer | undefined;
}

const readIfExists = (path: string): Buffer | undefined =>
  existsSync(path) ? readFileSync(path) : undefined;

/**
 * Resolves the engine endpoint as the docker CLI does: `--docker-host`, else DOCKER_HOST, else the
 * default socket. `unix://` and `npipe://` use a socket path; `tcp://` (or a bare `host:port`) uses
 * HTTP, or HTTPS when DOCKER_TLS_VERIFY is non-empty, with `ca.pem`/`cert.pem`/`key.pem` from
 * DOCKER_CERT_PATH (default `~/.docker`) when they exist; `ssh://[user@]host[:port]` runs
 * `docker system dial-stdio` on the remote host through the SSH agent in SSH_AUTH_SOCK.
 * DOCKER_API_VERSION pins the API version. Docker contexts (`docker context use`) are not read.
 *
 * @throws KsadError USAGE when the value is not a Docker host address, or TLS files are unreadable.
 */
export function resolveDockerHost(input: DockerHostInput): ResolvedDockerHost {
  const { env } = input;
  const readFile = input.readFile ?? readIfExists;
  const flag = input.flag?.trim();
  const fromEnv = env.DOCKER_HOST?.trim();
  const source: ResolvedDockerHost['source'] = flag
    ? '--docker-host'
    : fromEnv
      ? 'DOCKER_HOST'
      : 'default';
  const raw = flag || fromEnv || `unix://${DEFAULT_DOCKER_SOCKET}`;
  const version = env.DOCKER_API_VERSION?.trim()
    ? `v${env.DOCKER_API_VERSION.trim().replace(/^v/, '')}`
    : undefined;

  const base = {
    version,
    ca: undefined,
    cert: undefined,
    key: undefined,
    username: undefined,
    sshOptions: undefined,
  };
  const invalid = (why: string): KsadError =>
    new KsadError('USAGE', `${source} "${raw}" is not a Docker host address: ${why}`, {
      suggestions: [
        'use unix:///path/to/docker.sock, tcp://HOST:PORT or ssh://USER@HOST, as with `docker -H`',
        source === '--docker-host' ? 'fix the --docker-host value' : 'fix or unset DOCKER_HOST',
      ],
    });

  const schemeAt = raw.indexOf('://');
  const scheme = schemeAt < 0 ? 'tcp' : raw.slice(0, schemeAt).toLowerCase();
  const rest = schemeAt < 0 ? raw : raw.slice(schemeAt + 3);

  switch (scheme) {
    case 'unix':
    case 'npipe': {
      const socketPath =
        rest || (scheme === 'unix' ? DEFAULT_DOCKER_SOCKET : '//./pipe/docker_engine');
      return {
        endpoint: `${scheme}://${socketPath}`,
        source,
        options: { ...base, socketPath, host: undefined, port: undefined, protocol: 'http' },
      };
    }
    case 'tcp': {
      const tls = (env.DOCKER_TLS_VERIFY ?? '') !== '';
      const url = parseUrl(`tcp://${rest}`, invalid);
      if (url.pathname !== '/' && url.pathname !== '') throw invalid('a tcp address takes no path');
      const host = stripBrackets(url.hostname) || 'localhost';
      const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
      const options: DockerConnectionOptions = {
        ...base,
        socketPath: undefined,
        host,
        port,
        protocol: tls ? 'https' : 'http',
      };
      if (tls) {
        const certDir = env.DOCKER_CERT_PATH?.trim() || join(env.HOME ?? homedir(), '.docker');
        const read = (file: string): Buffer | undefined => {
          const path = join(certDir, file);
          try {
            return readFile(path);
          } catch (cause) {
            throw new KsadError('USAGE', `cannot read the TLS file ${path} for ${raw}`, {
              cause,
              suggestions: ['check DOCKER_CERT_PATH and the file permissions'],
            });
          }
        };
        const ca = read('ca.pem');
        const cert = read('cert.pem');
        const key = read('key.pem');
        if ((cert === undefined) !== (key === undefined)) {
          throw new KsadError(
            'USAGE',
            `TLS client certificate and key must come together: ${certDir} has only ${cert ? 'cert.pem' : 'key.pem'}`,
            {
              suggestions: ['put both cert.pem and key.pem in DOCKER_CERT_PATH, or neither'],
            },
          );
        }
        if (ca) options.ca = ca;
        if (cert) options.cert = cert;
        if (key) options.key = key;
      }
      return { endpoint: `tcp://${formatHost(host)}:${port}`, source, options };
    }
    case 'ssh': {
      const url = parseUrl(raw, invalid);
      const host = stripBrackets(url.hostname);
      if (!host) throw invalid('an ssh address needs a host');
      if (url.pathname !== '/' && url.pathname !== '')
        throw invalid('an ssh address takes no path');
      const username = url.username ? decodeURIComponent(url.username) : undefined;
      const port = url.port ? Number(url.port) : 22;
      const agent = env.SSH_AUTH_SOCK?.trim();
      return {
        endpoint: `ssh://${username ? `${username}@` : ''}${formatHost(host)}${url.port ? `:${port}` : ''}`,
        source,
        options: {
          ...base,
          socketPath: undefined,
          host,
          port,
          protocol: 'ssh',
          username,
          sshOptions: agent ? { agent } : {},
        },
      };
    }
    default:
      throw invalid(`unsupported scheme "${scheme}://"`);
  }
}

function parseUrl(value: string, invalid: (why: string) => KsadError): URL {
  try {
    return new URL(value);
  } catch {
    throw invalid('it cannot be parsed as an address');
  }
}

// URL keeps IPv6 literals bracketed; sockets want them bare.
const stripBrackets = (host: string): string => host.replace(/^\[(.*)\]$/, '$1');
const formatHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);
