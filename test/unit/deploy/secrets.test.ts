import { describe, expect, it } from 'vitest';
import { maskSecrets, planSecrets, SECRET_MASK } from '../../../src/core/secrets.js';
import { antreanManifest } from './fixtures.js';

const manifest = antreanManifest();
const generator = () => {
  const calls: number[] = [];
  return {
    calls,
    generate: (length: number) => (calls.push(length), `g${'x'.repeat(length - 1)}`),
  };
};

describe('planSecrets', () => {
  it.each<
    [
      string,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
      string[],
      string[],
    ]
  >([
    // name, existing, supplied, values, generated, missing
    [
      'first install: generate made, supplied missing',
      {},
      {},
      { DB_PASSWORD: `g${'x'.repeat(31)}` },
      ['DB_PASSWORD'],
      ['SMTP_PASSWORD'],
    ],
    [
      'first install with supplied',
      {},
      { SMTP_PASSWORD: 's1' },
      { DB_PASSWORD: `g${'x'.repeat(31)}`, SMTP_PASSWORD: 's1' },
      ['DB_PASSWORD'],
      [],
    ],
    [
      'upgrade reuses both',
      { DB_PASSWORD: 'old', SMTP_PASSWORD: 'smtp' },
      {},
      { DB_PASSWORD: 'old', SMTP_PASSWORD: 'smtp' },
      [],
      [],
    ],
    [
      'supplied value rotates a stored one',
      { DB_PASSWORD: 'old', SMTP_PASSWORD: 'smtp' },
      { DB_PASSWORD: 'new' },
      { DB_PASSWORD: 'new', SMTP_PASSWORD: 'smtp' },
      [],
      [],
    ],
    [
      'empty values count as absent',
      { DB_PASSWORD: '' },
      { SMTP_PASSWORD: '' },
      { DB_PASSWORD: `g${'x'.repeat(31)}` },
      ['DB_PASSWORD'],
      ['SMTP_PASSWORD'],
    ],
    [
      'stored secrets the manifest dropped are not carried',
      { DB_PASSWORD: 'a', SMTP_PASSWORD: 'b', OLD: 'c' },
      {},
      { DB_PASSWORD: 'a', SMTP_PASSWORD: 'b' },
      [],
      [],
    ],
  ])('%s', (_name, existing, supplied, values, generated, missing) => {
    const g = generator();
    const plan = planSecrets(manifest, { existing, supplied, generate: g.generate });
    expect(plan.values).toEqual(values);
    expect(plan.generated).toEqual(generated);
    expect(plan.missing).toEqual(missing);
    expect(g.calls).toEqual(generated.map(() => 32));
  });

  it('generates once: the stored value is reused on the next deploy', () => {
    const g = generator();
    const first = planSecrets(manifest, {
      existing: {},
      supplied: { SMTP_PASSWORD: 's' },
      generate: g.generate,
    });
    const second = planSecrets(manifest, {
      existing: first.values,
      supplied: {},
      generate: g.generate,
    });
    expect(second.values).toEqual(first.values);
    expect(second.generated).toEqual([]);
    expect(g.calls).toHaveLength(1);
  });

  it('uses the declared length', () => {
    const m = antreanManifest((i) => {
      i.secrets = { API_KEY: { description: 'key', length: 64 } };
    });
    const g = generator();
    planSecrets(m, { existing: {}, supplied: {}, generate: g.generate });
    expect(g.calls).toEqual([64]);
  });

  it('lists supplied names the manifest does not declare', () => {
    const plan = planSecrets(manifest, {
      existing: {},
      supplied: { SMTP_PASSWORD: 's', SMTP_PASSWROD: 't' },
      generate: generator().generate,
    });
    expect(plan.unused).toEqual(['SMTP_PASSWROD']);
  });
});

describe('maskSecrets', () => {
  it.each<[string, string, string[] | Record<string, string>, string]>([
    [
      'every occurrence',
      'pw=hunter2 again hunter2',
      ['hunter2'],
      `pw=${SECRET_MASK} again ${SECRET_MASK}`,
    ],
    [
      'from a record',
      'a=s3cret b=t0ken',
      { A: 's3cret', B: 't0ken' },
      `a=${SECRET_MASK} b=${SECRET_MASK}`,
    ],
    ['longest first', 'abcdef', ['abc', 'abcdef'], SECRET_MASK],
    ['inside a URL', 'postgres://u:p4ss@db:5432', ['p4ss'], `postgres://u:${SECRET_MASK}@db:5432`],
    ['empty secrets are ignored', 'text', ['', 'zzz'], 'text'],
    ['regex characters are literal', 'a.b*c a-b-c', ['a.b*c'], `${SECRET_MASK} a-b-c`],
  ])('%s', (_name, text, secrets, expected) => {
    expect(maskSecrets(text, secrets)).toBe(expected);
  });
});
