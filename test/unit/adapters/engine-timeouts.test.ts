import { describe, expect, it } from 'vitest';
import { engineTimeouts, formatLimit } from '../../../src/adapters/engine-timeouts.js';
import { rejection } from '../../support/rejection.js';

describe('engineTimeouts', () => {
  it('reads KSAD_ENGINE_TIMEOUT and KSAD_PULL_TIMEOUT in seconds, and refuses nonsense', async () => {
    expect(engineTimeouts({})).toEqual({ readMs: 10_000, writeMs: 30_000, pullStallMs: 120_000 });
    expect(engineTimeouts({ KSAD_ENGINE_TIMEOUT: '2.5', KSAD_PULL_TIMEOUT: '600' })).toEqual({
      readMs: 2500,
      writeMs: 2500,
      pullStallMs: 600_000,
    });
    for (const bad of ['0', '-1', 'ten', '1e3']) {
      const error = await rejection(
        Promise.resolve().then(() => engineTimeouts({ KSAD_ENGINE_TIMEOUT: bad })),
      );
      expect(error.code).toBe('USAGE');
      expect(error.message).toBe(`KSAD_ENGINE_TIMEOUT="${bad}" is not a number of seconds`);
    }
  });
});

describe('formatLimit', () => {
  it.each([
    [1000, '1 s'],
    [1500, '1.5 s'],
    [30_000, '30 s'],
    [90_000, '90 s'],
    [120_000, '2 min'],
  ])('%d ms → %s', (ms, text) => expect(formatLimit(ms)).toBe(text));
});
