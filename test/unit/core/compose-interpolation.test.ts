import { describe, expect, it } from 'vitest';
import {
  literalOf,
  parseInterpolation,
  substitute,
} from '../../../src/core/compose/interpolation.js';

/**
 * The compose-spec's interpolation rules, case by case, with the environment compose-go's own
 * template tests use: FOO is set to "first", BAR is set but empty, anything else is unset.
 */
const ENV = { FOO: 'first', BAR: '' };

describe('compose interpolation: the compose-spec table', () => {
  it.each([
    // plain and escaped
    ['foo', 'foo'],
    ['$${foo}', '${foo}'],
    ['$$FOO', '$FOO'],
    ['a $ string', 'a $ string'],
    ['^REGEX$', '^REGEX$'],
    ['$}', '$}'],
    ['$', '$'],
    ['$FOO-bar', 'first-bar'],
    ['This ${missing} var', 'This  var'],
    ['This ${BAR} var', 'This  var'],
    ['This $FOO var', 'This first var'],
    ['This ${FOO} var', 'This first var'],
    // :- (unset or empty) and - (unset only)
    ['ok ${missing:-def}', 'ok def'],
    ['ok ${missing-def}', 'ok def'],
    ['ok ${BAR:-def}', 'ok def'],
    ['ok ${FOO:-def}', 'ok first'],
    ['ok ${BAR-def}', 'ok '],
    // :+ (set and non-empty) and + (set)
    ['ok ${UNSET_VAR:+presence_value}', 'ok '],
    ['ok ${UNSET_VAR+presence_value}', 'ok '],
    ['ok ${FOO:+presence_value}', 'ok presence_value'],
    ['ok ${FOO+presence_value}', 'ok presence_value'],
    ['ok ${BAR+presence_value}', 'ok presence_value'],
    ['ok ${BAR:+presence_value}', 'ok '],
    // defaults that hold operators, braces and nested references
    ['ok ${BAR:-/non:-alphanumeric}', 'ok /non:-alphanumeric'],
    ['+ok ${UNSET:-${BAR-defaultValue}}', '+ok '],
    [':-ok ${UNSET-defaultValue}', ':-ok defaultValue'],
    ['ok ${UNSET_VAR-$FOO}', 'ok first'],
    ['ok ${UNSET_VAR-${FOO}}', 'ok first'],
    ['ok ${UNSET_VAR-${FOO} ${FOO}}', 'ok first first'],
    ['ok ${BAR:-${FOO} ${FOO}}', 'ok first first'],
    ['ok ${BAR+$FOO ${FOO:+second}}', 'ok first second'],
    ['${A:-{"k":1}}', '{"k":1}'],
    ['${A:-x}y}', 'xy}'],
    // ? and :? with a value
    ['ok ${FOO:?err}', 'ok first'],
    ['ok ${FOO?err}', 'ok first'],
    ['ok ${BAR?err}', 'ok '],
    // the first operator after the name decides
    ['${UNSET_VAR-myerror?msg}', 'myerror?msg'],
    ['${FOO?bar-baz}', 'first'],
  ])('%s → %j', (template, expected) => {
    expect(substitute(template, ENV)).toEqual({ value: expected });
  });

  it.each([
    [
      'not ok ${UNSET_VAR:?Mandatory Variable Unset}',
      'required variable UNSET_VAR is missing a value: Mandatory Variable Unset',
    ],
    [
      'not ok ${BAR:?Mandatory Variable Empty}',
      'required variable BAR is missing a value: Mandatory Variable Empty',
    ],
    ['not ok ${UNSET_VAR:?}', 'required variable UNSET_VAR is missing a value'],
    [
      'not ok ${UNSET_VAR?Mandatory Variable Unset}',
      'required variable UNSET_VAR is missing a value: Mandatory Variable Unset',
    ],
    ['not ok ${UNSET_VAR?}', 'required variable UNSET_VAR is missing a value'],
    [
      'not ok ${UNSET_VAR:?Mandatory Variable ${FOO}}',
      'required variable UNSET_VAR is missing a value: Mandatory Variable first',
    ],
    ['${UNSET_VAR?bar-baz}', 'required variable UNSET_VAR is missing a value: bar-baz'],
  ])('%s fails: %s', (template, error) => {
    expect(substitute(template, ENV)).toEqual({ error });
  });

  it.each(['${', '${}', '${ }', '${ foo}', '${foo }', '${foo!}', 'x ${FOO:-${BAR}'])(
    '%s is a malformed template',
    (template) => {
      const result = substitute(template, ENV);
      expect(result).toHaveProperty('error');
      expect((result as { error: string }).error).toMatch(/^invalid template: /);
      expect(parseInterpolation(template).error).toBeDefined();
    },
  );

  it('literalOf gives what a draft default is: the value, or empty when Compose has none', () => {
    expect(literalOf('${UNSET_VAR:?need it}', ENV)).toBe('');
    expect(literalOf('${BAR:+alt}', ENV)).toBe('');
    expect(literalOf('${BAR+alt}', ENV)).toBe('alt');
  });
});
