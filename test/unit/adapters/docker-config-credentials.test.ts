import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerConfigCredentials } from '../../../src/adapters/docker-config-credentials.js';
import { rejection } from '../../support/rejection.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * A DOCKER_CONFIG folder holding `config` (or nothing), and a PATH that finds the given
 * `docker-credential-<name>` helpers (shell scripts) before anything else.
 */
function setup(config: unknown, helpers: Record<string, string> = {}): DockerConfigCredentials {
  const dir = mkdtempSync(join(tmpdir(), 'ksad-docker-config-'));
  dirs.push(dir);
  if (config !== undefined)
    writeFileSync(
      join(dir, 'config.json'),
      typeof config === 'string' ? config : JSON.stringify(config),
    );
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const [name, script] of Object.entries(helpers)) {
    const file = join(bin, `docker-credential-${name}`);
    writeFileSync(file, `#!/bin/sh\n${script}\n`);
    chmodSync(file, 0o755);
  }
  return new DockerConfigCredentials({
    DOCKER_CONFIG: dir,
    PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
  });
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('DockerConfigCredentials', () => {
  it('goes anonymous without a config file or an entry for the registry', async () => {
    expect(await setup(undefined).forRegistry('registry.example')).toBeUndefined();
    const creds = setup({ auths: { 'other.example': { auth: b64('a:b') } } });
    expect(await creds.forRegistry('registry.example')).toBeUndefined();
  });

  it('reads what docker login stored inline, under any spelling of the registry', async () => {
    const creds = setup({
      auths: {
        'https://registry.bandung.go.id:5000/v2/': { auth: b64('diskominfo:rahasia:dengan:titik') },
        'https://index.docker.io/v1/': { username: 'hub-user', password: 'hub-pass' },
        'ghcr.io': { identitytoken: 'refresh-me' },
      },
    });
    expect(await creds.forRegistry('registry.bandung.go.id:5000')).toEqual({
      username: 'diskominfo',
      password: 'rahasia:dengan:titik',
    });
    expect(await creds.forRegistry('docker.io')).toEqual({
      username: 'hub-user',
      password: 'hub-pass',
    });
    expect(await creds.forRegistry('ghcr.io')).toEqual({ identityToken: 'refresh-me' });
  });

  it('asks the credential helper for its registry, and the store for the rest', async () => {
    const creds = setup(
      {
        credsStore: 'store',
        credHelpers: { 'registry.example': 'one' },
        auths: { 'inline.example': { auth: b64('i:p') } },
      },
      {
        // A helper reads the registry on stdin and answers {ServerURL, Username, Secret}.
        one: 'read host; echo "{\\"ServerURL\\":\\"$host\\",\\"Username\\":\\"u-$host\\",\\"Secret\\":\\"s\\"}"',
        store:
          'read host; case "$host" in token.example) echo \'{"Username":"<token>","Secret":"t"}\';; *) echo "credentials not found in native keychain"; exit 1;; esac',
      },
    );
    expect(await creds.forRegistry('registry.example')).toEqual({
      username: 'u-registry.example',
      password: 's',
    });
    expect(await creds.forRegistry('token.example')).toEqual({ identityToken: 't' });
    expect(await creds.forRegistry('inline.example')).toEqual({ username: 'i', password: 'p' });
    expect(await creds.forRegistry('nowhere.example')).toBeUndefined();
  });

  it('names the helper and the config file when the helper is missing', async () => {
    const creds = setup({ credHelpers: { 'registry.example': 'ksad-no-such-helper' } });
    const error = await rejection(creds.forRegistry('registry.example'));
    expect(error.code).toBe('USAGE');
    expect(error.message).toMatch(
      /docker-credential-ksad-no-such-helper, which .*config\.json names: it is not on PATH/,
    );
  });

  it('says what to do when a helper answers nonsense or an inline entry is not user:password', async () => {
    const creds = setup(
      {
        credHelpers: { 'registry.example': 'odd' },
        auths: { 'inline.example': { auth: b64('no-colon') } },
      },
      { odd: 'echo "not json"' },
    );
    const odd = await rejection(creds.forRegistry('registry.example'));
    expect(odd.code).toBe('USAGE');
    expect(odd.message).toBe(
      'docker-credential-odd answered something other than JSON for registry.example',
    );
    expect(odd.suggestions).toEqual(['run `docker login registry.example` again']);
    const inline = await rejection(creds.forRegistry('inline.example'));
    expect(inline.message).toMatch(
      /config\.json: the "auth" entry for inline\.example is not base64 of user:password$/,
    );
    expect(inline.suggestions[0]).toMatch(
      /^fix or remove .*config\.json, then run `docker login` again$/,
    );
  });

  it('refuses a config file that is not JSON without quoting it', async () => {
    const creds = setup('{"auths": {"r.example": {"auth": "c2VjcmV0OnNlY3JldA=="}}');
    const error = await rejection(creds.forRegistry('r.example'));
    expect(error.code).toBe('USAGE');
    expect(error.message).toMatch(/config\.json: it is not valid JSON$/);
    expect(JSON.stringify(error)).not.toContain('c2VjcmV0');
  });
});
