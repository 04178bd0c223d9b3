import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize } from '../../../src/core/duration.js';
import { KsadError } from '../../../src/core/errors.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1h2m3s4ms', 3_723_004],
    ['0s', 0],
  ])('%s → %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '5', '1.5s', '-1s', '5 s', '1d', 's'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(KsadError);
  });
});

describe('parseSize', () => {
  it.each([
    ['1048576', 1_048_576],
    ['1b', 1],
    ['512k', 512 * 1024],
    ['512kb', 512 * 1024],
    ['256m', 256 * 1024 ** 2],
    ['256MB', 256 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['2G', 2 * 1024 ** 3],
  ])('%s → %i bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['', 'm', '1.5g', '1t', '-1m', '1 gb'])('rejects %j', (text) => {
    expect(() => parseSize(text)).toThrow(KsadError);
  });
});
