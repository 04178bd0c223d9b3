import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { semverRange, semverString } from '../../../src/core/schema/common.js';

describe('semverString', () => {
  it('accepts what semver.valid and semver.clean together accept, nothing more', () => {
    const inputs = [
      '1.2.3',
      '0.0.0',
      '1.2.3-rc.1',
      '1.2.3-0',
      '1.2.3-alpha.01',
      '1.2.3-01',
      '1.2.3+build',
      '1.2.3-rc.1+build.5',
      'v1.2.3',
      '=1.2.3',
      'v=1.2.3',
      ' 1.2.3',
      '1.2.3 ',
      '01.2.3',
      '1.2',
      '1',
      '',
      'latest',
      '1.2.3.4',
      '99999999999999999999.0.0',
      '1.2.3-99999999999999999999',
      '1.2.3-',
      '1.2.3-a..b',
    ];
    for (const v of inputs) {
      const before = semver.valid(v) !== null && semver.clean(v) === v;
      expect(semverString.safeParse(v).success, v).toBe(before);
    }
  });
});

describe('semverRange', () => {
  it('gives the same answer for a range the first time and every time after', () => {
    const inputs = ['>=1.0.0 <2.0.0', '^1.2', '*', '', 'x', '1.2.3 - 2', 'latest', '>=1.0.0 <'];
    for (const round of [1, 2]) {
      for (const v of inputs) {
        expect(semverRange.safeParse(v).success, `${v} (round ${round})`).toBe(
          semver.validRange(v) !== null,
        );
      }
    }
  });
});
