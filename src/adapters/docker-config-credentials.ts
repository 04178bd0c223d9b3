import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KsadError } from '../core/errors.js';
import type { RegistryCredential, RegistryCredentials } from '../ports/registry-credentials.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The key `docker login` files Docker Hub under. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
/** A credential helper's user name that says its secret is an identity token. */
const TOKEN_USER = '<token>';

interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
}

interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credsStore?: unknown;
  credHelpers?: Record<string, unknown>;
}

/** `https://host:5000/v1/` → `host:5000`; Docker Hub's own key → `docker.io`. */
function hostOf(key: string): string {
  if (key === DOCKER_HUB_KEY || key === 'index.docker.io' || key === 'registry-1.docker.io')
    return 'docker.io';
  const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0] ?? key;
  return host === 'index.docker.io' ? 'docker.io' : host;
}

/**
 * Registry credentials the way the docker CLI keeps them: `config.json` in `$DOCKER_CONFIG` (else
 * `~/.docker`), with `credHelpers` for one registry, inline `auths` entries, then `credsStore` for
 * the rest; a helper is the `docker-credential-<name>` program on PATH, asked with `get`. What
 * the file does not name is pulled anonymously, as docker does. Answers are kept for the run.
 */
export class DockerConfigCredentials implements RegistryCredentials {
  readonly file: string;
  private config: Promise<DockerConfig> | undefined;
  private readonly answers = new Map<string, Promise<RegistryCredential | undefined>>();

  constructor(private readonly env: Env = process.env) {
    const dir = env.DOCKER_CONFIG?.trim() ? env.DOCKER_CONFIG : join(homedir(), '.docker');
    this.file = join(dir, 'config.json');
  }

  forRegistry(registry: string): Promise<RegistryCredential | undefined> {
    const host = hostOf(registry);
    let answer = this.answers.get(host);
    if (!answer) {
      answer = this.lookup(host);
      this.answers.set(host, answer);
    }
    return answer;
  }

  private async lookup(host: string): Promise<RegistryCredential | undefined> {
    const config = await (this.config ??= this.read());
    const helperFor = Object.entries(config.credHelpers ?? {}).find(([k]) => hostOf(k) === host);
    if (helperFor && typeof helperFor[1] === 'string') return this.ask(helperFor[1], host);
    const entry = Object.entries(config.auths ?? {}).find(([k]) => hostOf(k) === host)?.[1];
    const inline = entry === undefined ? undefined : this.fromEntry(entry, host);
    if (inline !== undefined) return inline;
    return typeof config.credsStore === 'string' && config.credsStore !== ''
      ? this.ask(config.credsStore, host)
      : undefined;
  }

  private async read(): Promise<DockerConfig> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return {};
      throw this.unreadable((error as Error).message);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // Not JSON.parse's own message: it quotes the text, and the text holds credentials.
      throw this.unreadable('it is not valid JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw this.unreadable('it is not a JSON object');
    return value;
  }

  private fromEntry(entry: AuthEntry, host: string): RegistryCredential | undefined {
    if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '')
      return { identityToken: entry.identitytoken };
    if (typeof entry.username === 'string' && typeof entry.password === 'string')
      return { username: entry.username, password: entry.password };
    if (typeof entry.auth !== 'string' || entry.auth === '') return undefined;
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0)
      throw this.unreadable(`the "auth" entry for ${host} is not base64 of user:password`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }

  /** Asks `docker-credential-<helper> get`; its "not found" answer means anonymous. */
  private ask(helper: string, host: string): Promise<RegistryCredential | undefined> {
    const program = `docker-credential-${helper}`;
    return new Promise((resolve, reject) => {
      const child = execFile(
        program,
        ['get'],
        { env: { ...this.env }, timeout: 30_000, maxBuffer: 1 << 20 },
        (error, stdout, stderr) => {
          if (error) {
            const said = `${stdout}${stderr}`.trim();
            if (/credentials not found/i.test(said)) {
              resolve(undefined);
              return;
            }
            const why =
              (error as { code?: unknown }).code === 'ENOENT'
                ? 'it is not on PATH'
                : said || error.message;
            reject(
              new KsadError(
                'USAGE',
                `Cannot get the credentials for ${host} from ${program}, which ${this.file} names: ${why}`,
                {
                  suggestions: [
                    `install ${program}, or remove it from ${this.file} and run \`docker login ${host}\` again`,
                  ],
                },
              ),
            );
            return;
          }
          try {
            const answer = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
            if (typeof answer.Secret !== 'string' || answer.Secret === '') resolve(undefined);
            else if (answer.Username === TOKEN_USER) resolve({ identityToken: answer.Secret });
            else
              resolve({
                username: typeof answer.Username === 'string' ? answer.Username : '',
                password: answer.Secret,
              });
          } catch {
            reject(
              new KsadError('USAGE', `${program} answered something other than JSON for ${host}`, {
                suggestions: [`run \`docker login ${host}\` again`],
              }),
            );
          }
        },
      );
      // A helper that exits without reading its input closes the pipe: what it said, or its exit,
      // is the answer (above), not the failed write.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(host === 'docker.io' ? DOCKER_HUB_KEY : host);
    });
  }

  private unreadable(why: string): KsadError {
    return new KsadError(
      'USAGE',
      `Cannot read the docker CLI's registry credentials in ${this.file}: ${why}`,
      {
        suggestions: [`fix or remove ${this.file}, then run \`docker login\` again`],
      },
    );
  }
}
