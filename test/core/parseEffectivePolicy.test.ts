import {
  type EffectivePolicyParseFailure,
  formatEffectivePolicyParseFailure,
  parseEffectivePolicy,
} from '../../src/core/parseEffectivePolicy';

function text(content: object | string): string {
  return typeof content === 'string' ? content : JSON.stringify(content);
}

describe('parseEffectivePolicy', () => {
  it.each<[string, object | string, [string, string][]]>([
    [
      "AWS's example, default out and lex in",
      { services: { default: { opt_out_policy: 'optOut' }, lex: { opt_out_policy: 'optIn' } } },
      [
        ['default', 'optOut'],
        ['lex', 'optIn'],
      ],
    ],
    ['no service at all', { services: {} }, []],
    [
      'a key AWS added after this rule was written',
      { services: { newai2031: { opt_out_policy: 'optOut' } } },
      [['newai2031', 'optOut']],
    ],
    ['a key with a character to escape', '{"services":{"le\\u0078 ":{"opt_out_policy":"optIn"}}}', [['lex ', 'optIn']]],
  ])('reads %s', (_name, content, expected) => {
    expect(parseEffectivePolicy(text(content))).toEqual({ ok: true, value: new Map(expected) });
  });

  it.each<[string, object | string, EffectivePolicyParseFailure, string]>([
    [
      'text that is not JSON',
      '{"services":',
      { kind: 'invalidJson', detail: expect.any(String) },
      'it is not valid JSON (',
    ],
    [
      'a repeated service key',
      '{"services":{"lex":{"opt_out_policy":"optOut"},"lex":{"opt_out_policy":"optIn"}}}',
      { kind: 'duplicateKey', path: 'services', key: 'lex' },
      'the key lex appears twice under services',
    ],
    ['a list', [], { kind: 'notAnObject', path: '(top level)' }, '(top level) is not a JSON object'],
    [
      'an empty object',
      {},
      { kind: 'missingKey', path: '(top level)', key: 'services' },
      '(top level) has no services',
    ],
    [
      'a key beside services',
      { services: {}, version: 1 },
      { kind: 'unexpectedKey', path: '(top level)', key: 'version' },
      'it has version under (top level)',
    ],
    [
      'services that is a list',
      { services: [] },
      { kind: 'notAnObject', path: 'services' },
      'services is not a JSON object',
    ],
    [
      'an operator left in',
      { services: { '@@operators_allowed_for_child_policies': ['@@none'] } },
      { kind: 'notAnObject', path: 'services.@@operators_allowed_for_child_policies' },
      'services.@@operators_allowed_for_child_policies is not a JSON object',
    ],
    [
      'the value written as a policy writes it',
      { services: { default: { opt_out_policy: { '@@assign': 'optOut' } } } },
      { kind: 'invalidValue', path: 'services.default.opt_out_policy', value: '{"@@assign":"optOut"}' },
      'services.default.opt_out_policy is {"@@assign":"optOut"}, not "optOut" or "optIn"',
    ],
    [
      'a value in the wrong case',
      { services: { default: { opt_out_policy: 'optout' } } },
      { kind: 'invalidValue', path: 'services.default.opt_out_policy', value: '"optout"' },
      'services.default.opt_out_policy is "optout", not "optOut" or "optIn"',
    ],
    [
      'an entry without opt_out_policy',
      { services: { lex: {} } },
      { kind: 'missingKey', path: 'services.lex', key: 'opt_out_policy' },
      'services.lex has no opt_out_policy',
    ],
    [
      'an entry with another key',
      { services: { lex: { opt_out_policy: 'optOut', '@@operators_allowed_for_child_policies': ['@@none'] } } },
      { kind: 'unexpectedKey', path: 'services.lex', key: '@@operators_allowed_for_child_policies' },
      'it has @@operators_allowed_for_child_policies under services.lex',
    ],
  ])('refuses %s', (_name, content, failure, message) => {
    const result = parseEffectivePolicy(text(content));
    expect(result).toEqual({ ok: false, error: failure });
    expect(result.ok ? '' : formatEffectivePolicyParseFailure(result.error)).toContain(message);
  });

  it('throws on a failure of a kind it does not know', () => {
    expect(() => formatEffectivePolicyParseFailure(JSON.parse('{"kind":"other"}'))).toThrow('Unhandled kind');
  });
});
