import { describe, expect, it } from 'vitest';
import { RegistryHttpClient } from '../../../src/adapters/registry-http.js';
import { RegistryError } from '../../../src/ports/image-registry.js';
import type { RegistryCredential } from '../../../src/ports/registry-credentials.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const IMAGE = 'registry.example/diskominfo/antrean-daring:2.0.0';

interface Seen {
  url: string;
  method: string;
  authorization: string | null;
  body: string | null;
}

/**
 * A registry that wants `challenge` answered: the manifest is served to a request whose
 * Authorization header equals `accepts`; `tokens` answers the realm's token requests.
 */
function registry(options: {
  challenge: string;
  accepts: string;
  tokens?: (seen: Seen) => string | undefined;
}): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fake = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    const request: Seen = {
      url: input instanceof Request ? input.url : input.toString(),
      method: init?.method ?? 'GET',
      authorization: headers.get('authorization'),
      body: typeof init?.body === 'string' ? init.body : null,
    };
    seen.push(request);
    if (request.url.startsWith('https://auth.example/token')) {
      const token = options.tokens?.(request);
      return Promise.resolve(
        token === undefined
          ? new Response('denied', { status: 401 })
          : new Response(JSON.stringify({ token }), { status: 200 }),
      );
    }
    if (request.authorization === options.accepts)
      return Promise.resolve(
        new Response(null, { status: 200, headers: { 'docker-content-digest': DIGEST } }),
      );
    return Promise.resolve(
      new Response(null, { status: 401, headers: { 'www-authenticate': options.challenge } }),
    );
  };
  return { fetch: fake, seen };
}

const login = (credential: RegistryCredential | undefined) => ({
  forRegistry: (host: string) =>
    Promise.resolve(host === 'registry.example' ? credential : undefined),
});
const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const BEARER = 'Bearer realm="https://auth.example/token",service="registry.example"';

describe('RegistryHttpClient and registry logins', () => {
  it('answers a Basic challenge with the login docker keeps for the registry', async () => {
    const { fetch, seen } = registry({
      challenge: 'Basic realm="Registry Realm"',
      accepts: basic('diskominfo', 'rahasia'),
    });
    const client = new RegistryHttpClient({
      fetch,
      credentials: login({ username: 'diskominfo', password: 'rahasia' }),
    });
    expect((await client.resolveDigest(IMAGE)).pinned).toBe(
      `registry.example/diskominfo/antrean-daring@${DIGEST}`,
    );
    expect(seen.map((s) => s.authorization)).toEqual([null, basic('diskominfo', 'rahasia')]);
    // The header that worked is sent straight away next time.
    expect(await client.imageExists(IMAGE)).toBe(true);
    expect(seen.at(-1)?.authorization).toBe(basic('diskominfo', 'rahasia'));
  });

  it('fetches a Bearer token with the user and password, or with an identity token', async () => {
    const withPassword = registry({
      challenge: BEARER,
      accepts: 'Bearer t-1',
      tokens: (s) => (s.authorization === basic('u', 'p') ? 't-1' : undefined),
    });
    const client = new RegistryHttpClient({
      fetch: withPassword.fetch,
      credentials: login({ username: 'u', password: 'p' }),
    });
    expect(await client.imageExists(IMAGE)).toBe(true);
    const tokenUrl = new URL(withPassword.seen[1]?.url ?? '');
    expect(tokenUrl.searchParams.get('scope')).toBe('repository:diskominfo/antrean-daring:pull');
    expect(tokenUrl.searchParams.get('service')).toBe('registry.example');

    const withToken = registry({
      challenge: BEARER,
      accepts: 'Bearer t-2',
      tokens: (s) =>
        s.method === 'POST' && new URLSearchParams(s.body ?? '').get('refresh_token') === 'r'
          ? 't-2'
          : undefined,
    });
    const tokenClient = new RegistryHttpClient({
      fetch: withToken.fetch,
      credentials: login({ identityToken: 'r' }),
    });
    expect(await tokenClient.imageExists(IMAGE)).toBe(true);
    expect(new URLSearchParams(withToken.seen[1]?.body ?? '').get('grant_type')).toBe(
      'refresh_token',
    );
  });

  it('says to log in when anonymous access is refused, and when the login is', async () => {
    const refusing = registry({ challenge: 'Basic realm="r"', accepts: 'never' });
    const anonymous = new RegistryHttpClient({
      fetch: refusing.fetch,
      credentials: login(undefined),
    });
    const error = await anonymous.imageExists(IMAGE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).kind).toBe('unauthorized');
    expect((error as RegistryError).message).toContain('`docker login registry.example`');

    const wrong = new RegistryHttpClient({
      fetch: refusing.fetch,
      credentials: login({ username: 'u', password: 'salah' }),
    });
    const refused = (await wrong.imageExists(IMAGE).catch((e: unknown) => e)) as RegistryError;
    expect(refused.kind).toBe('unauthorized');
    expect(refused.message).toContain('refused the login for registry.example (HTTP 401)');
    expect(refused.message).not.toContain('salah');
  });
});
