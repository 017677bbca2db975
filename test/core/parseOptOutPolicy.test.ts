import {
  assertNever,
  formatPolicyParseFailure,
  type PolicyParseFailure,
  parseOptOutPolicy,
} from '../../src/core/parseOptOutPolicy';
import {
  SEED_000,
  SEED_001,
  SEED_004_BASIC,
  SEED_004_EXAMPLE_1,
  SEED_004_EXAMPLE_2_CHILD,
  SEED_004_EXAMPLE_3,
  SEED_004_ROOT_EXAMPLE,
} from '../support/policies';

function parsed(content: object | string) {
  const result = parseOptOutPolicy(typeof content === 'string' ? content : JSON.stringify(content));
  if (!result.ok) throw new Error(`expected a document, got ${formatPolicyParseFailure(result.error)}`);
  return result.value;
}

function failure(content: object | string): PolicyParseFailure {
  const result = parseOptOutPolicy(typeof content === 'string' ? content : JSON.stringify(content));
  if (result.ok) throw new Error('expected a parse failure');
  return result.error;
}

describe('parseOptOutPolicy', () => {
  it.each([
    [
      'seed 004 Example 1, locked at every level',
      SEED_004_EXAMPLE_1,
      {
        servicesControl: 'locked',
        statements: [{ key: 'default', entryControl: 'locked', valueControl: 'locked', assign: 'optOut' }],
      },
    ],
    [
      'seed 000, with no lock under services',
      SEED_000,
      {
        servicesControl: 'open',
        statements: [{ key: 'default', entryControl: 'locked', valueControl: 'locked', assign: 'optOut' }],
      },
    ],
    [
      'seeds 001 and 002, with no lock at all',
      SEED_001,
      {
        servicesControl: 'open',
        statements: [{ key: 'default', entryControl: 'open', valueControl: 'open', assign: 'optOut' }],
      },
    ],
    [
      'seed 004 basic syntax',
      SEED_004_BASIC,
      {
        servicesControl: 'open',
        statements: [
          { key: 'rekognition', entryControl: 'open', valueControl: 'open', assign: 'optOut' },
          { key: 'lex', entryControl: 'open', valueControl: 'open', assign: 'optIn' },
        ],
      },
    ],
    [
      'seed 004 root example',
      SEED_004_ROOT_EXAMPLE,
      {
        servicesControl: 'open',
        statements: [
          { key: 'default', entryControl: 'open', valueControl: 'open', assign: 'optOut' },
          { key: 'comprehend', entryControl: 'open', valueControl: 'locked', assign: 'optOut' },
          { key: 'rekognition', entryControl: 'open', valueControl: 'open', assign: 'optIn' },
        ],
      },
    ],
    [
      'seed 004 Example 2 child',
      SEED_004_EXAMPLE_2_CHILD,
      {
        servicesControl: 'open',
        statements: [{ key: 'lex', entryControl: 'open', valueControl: 'open', assign: 'optIn' }],
      },
    ],
    [
      'seed 004 Example 3',
      SEED_004_EXAMPLE_3,
      {
        servicesControl: 'open',
        statements: [{ key: 'rekognition', entryControl: 'open', valueControl: 'locked', assign: 'optOut' }],
      },
    ],
    ['an empty services object', { services: {} }, { servicesControl: 'open', statements: [] }],
  ])('parses %s', (_name, content, expected) => {
    expect(parsed(content)).toEqual(expected);
  });

  it('accepts service keys it has never seen and keeps them exactly as written', () => {
    const document = parsed({
      services: {
        'aiops-2031': { opt_out_policy: { '@@assign': 'optOut' } },
        Lex: { opt_out_policy: { '@@assign': 'optIn' } },
      },
    });
    expect(document.statements.map((s) => s.key)).toEqual(['aiops-2031', 'Lex']);
  });

  it.each([
    ['["@@assign"] as open', ['@@assign'], 'open'],
    ['["@@all"] as open', ['@@all'], 'open'],
    ['["@@assign", "@@append"] as open', ['@@assign', '@@append'], 'open'],
    ['["@@append"] as restricted', ['@@append'], 'restricted'],
    ['["@@remove", "@@append"] as restricted', ['@@remove', '@@append'], 'restricted'],
    ['["@@none"] as locked', ['@@none'], 'locked'],
  ])('reads the child control %s', (_name, operators, expected) => {
    const document = parsed({ services: { '@@operators_allowed_for_child_policies': operators } });
    expect(document.servicesControl).toBe(expected);
  });

  it.each<[string, string | object, PolicyParseFailure]>([
    ['invalid JSON', '{"services": {', { kind: 'invalidJson', detail: expect.stringContaining('JSON') }],
    ['an empty string', '', { kind: 'invalidJson', detail: expect.any(String) }],
    [
      'a key repeated under services',
      '{"services":{"default":{"opt_out_policy":{"@@assign":"optIn"}},"default":{"opt_out_policy":{"@@assign":"optOut"}}}}',
      { kind: 'duplicateKey', path: 'services', key: 'default' },
    ],
    [
      'a key repeated through an escape',
      '{"services":{"default":{"opt_out_policy":{"@@assign":"optIn","\\u0040@assign":"optOut"}}}}',
      { kind: 'duplicateKey', path: 'services.default.opt_out_policy', key: '@@assign' },
    ],
    [
      'a repeated top-level key',
      '{"services":{},"services":{}}',
      { kind: 'duplicateKey', path: '(top level)', key: 'services' },
    ],
    [
      'a key repeated inside an object inside a list',
      '{"services":{"@@operators_allowed_for_child_policies":[{"a":1,"a":2}]}}',
      { kind: 'duplicateKey', path: 'services.@@operators_allowed_for_child_policies', key: 'a' },
    ],
    ['a list at the top', '[]', { kind: 'notAnObject', path: '(top level)' }],
    ['a string at the top', '"optOut"', { kind: 'notAnObject', path: '(top level)' }],
    ['no services object', {}, { kind: 'missingServices' }],
    ['services that is a list', { services: [] }, { kind: 'notAnObject', path: 'services' }],
    [
      'a top-level key other than services',
      { services: {}, version: 1 },
      { kind: 'unexpectedKey', path: '(top level)', key: 'version', allowed: 'services' },
    ],
    [
      '@@enforced_for at the top',
      { services: {}, '@@enforced_for': ['lex'] },
      { kind: 'forbiddenOperator', path: '(top level)', operator: '@@enforced_for' },
    ],
    [
      '@@assign directly under services',
      { services: { '@@assign': 'optOut' } },
      {
        kind: 'unexpectedKey',
        path: 'services',
        key: '@@assign',
        allowed: 'service keys and @@operators_allowed_for_child_policies',
      },
    ],
    [
      '@@append under services',
      { services: { '@@append': {} } },
      { kind: 'forbiddenOperator', path: 'services', operator: '@@append' },
    ],
    ['a service key holding a string', { services: { lex: 'optOut' } }, { kind: 'notAnObject', path: 'services.lex' }],
    [
      'a key other than opt_out_policy under a service key',
      { services: { lex: { opt_out: { '@@assign': 'optOut' } } } },
      {
        kind: 'unexpectedKey',
        path: 'services.lex',
        key: 'opt_out',
        allowed: 'opt_out_policy and @@operators_allowed_for_child_policies',
      },
    ],
    [
      '@@remove under a service key',
      { services: { lex: { '@@remove': 'x', opt_out_policy: { '@@assign': 'optOut' } } } },
      { kind: 'forbiddenOperator', path: 'services.lex', operator: '@@remove' },
    ],
    [
      'a service key with no opt_out_policy',
      { services: { lex: {} } },
      { kind: 'missingOptOutPolicy', path: 'services.lex' },
    ],
    [
      'opt_out_policy given as a bare string',
      { services: { default: { opt_out_policy: 'optOut' } } },
      { kind: 'bareString', path: 'services.default.opt_out_policy', value: '"optOut"' },
    ],
    [
      'opt_out_policy given as a list',
      { services: { default: { opt_out_policy: ['optOut'] } } },
      { kind: 'notAnObject', path: 'services.default.opt_out_policy' },
    ],
    [
      'opt_out_policy with no @@assign',
      { services: { default: { opt_out_policy: {} } } },
      { kind: 'missingAssign', path: 'services.default.opt_out_policy' },
    ],
    [
      'lowercase optout',
      { services: { default: { opt_out_policy: { '@@assign': 'optout' } } } },
      { kind: 'invalidAssign', path: 'services.default.opt_out_policy', value: '"optout"' },
    ],
    [
      'OptOut with a capital O',
      { services: { default: { opt_out_policy: { '@@assign': 'OptOut' } } } },
      { kind: 'invalidAssign', path: 'services.default.opt_out_policy', value: '"OptOut"' },
    ],
    [
      '@@assign given as a list',
      { services: { default: { opt_out_policy: { '@@assign': ['optOut'] } } } },
      { kind: 'invalidAssign', path: 'services.default.opt_out_policy', value: '["optOut"]' },
    ],
    [
      '@@append under opt_out_policy',
      { services: { default: { opt_out_policy: { '@@append': 'optOut' } } } },
      { kind: 'forbiddenOperator', path: 'services.default.opt_out_policy', operator: '@@append' },
    ],
    [
      '@@enforced_for under opt_out_policy',
      { services: { default: { opt_out_policy: { '@@assign': 'optOut', '@@enforced_for': ['lex'] } } } },
      { kind: 'forbiddenOperator', path: 'services.default.opt_out_policy', operator: '@@enforced_for' },
    ],
    [
      'another key under opt_out_policy',
      { services: { default: { opt_out_policy: { '@@assign': 'optOut', comment: 'x' } } } },
      {
        kind: 'unexpectedKey',
        path: 'services.default.opt_out_policy',
        key: 'comment',
        allowed: '@@assign and @@operators_allowed_for_child_policies',
      },
    ],
    [
      'a child control that is a string',
      { services: { '@@operators_allowed_for_child_policies': '@@none' } },
      {
        kind: 'invalidChildControl',
        path: 'services',
        value: '"@@none"',
        problem: 'it must be a list such as ["@@none"]',
      },
    ],
    [
      'a child control that is an empty list',
      {
        services: {
          default: { '@@operators_allowed_for_child_policies': [], opt_out_policy: { '@@assign': 'optOut' } },
        },
      },
      { kind: 'invalidChildControl', path: 'services.default', value: '[]', problem: 'the list is empty' },
    ],
    [
      'a child control with an unknown operator',
      {
        services: {
          default: { opt_out_policy: { '@@assign': 'optOut', '@@operators_allowed_for_child_policies': ['@@None'] } },
        },
      },
      {
        kind: 'invalidChildControl',
        path: 'services.default.opt_out_policy',
        value: '["@@None"]',
        problem: '"@@None" is not one of @@all, @@assign, @@append, @@remove, @@none',
      },
    ],
    [
      'a child control that mixes @@none with another operator',
      { services: { '@@operators_allowed_for_child_policies': ['@@none', '@@assign'] } },
      {
        kind: 'invalidChildControl',
        path: 'services',
        value: '["@@none","@@assign"]',
        problem: '@@none must stand alone',
      },
    ],
    [
      'a long invalid value, shown shortened',
      { services: { default: { opt_out_policy: { '@@assign': 'o'.repeat(60) } } } },
      { kind: 'invalidAssign', path: 'services.default.opt_out_policy', value: `"${'o'.repeat(36)}...` },
    ],
    [
      'an odd service key, quoted in the path',
      { services: { 'le x\n': 'optIn' } },
      { kind: 'notAnObject', path: 'services."le x\\u000a"' },
    ],
  ])('fails on %s', (_name, content, expected) => {
    expect(failure(content)).toEqual(expected);
  });
});

describe('formatPolicyParseFailure', () => {
  it.each<[PolicyParseFailure, string]>([
    [
      { kind: 'invalidJson', detail: 'Unexpected end of JSON input' },
      'the content is not valid JSON (Unexpected end of JSON input)',
    ],
    [
      { kind: 'duplicateKey', path: 'services', key: 'default' },
      'the key default appears twice under services, and AWS documents no rule for which one applies',
    ],
    [{ kind: 'notAnObject', path: 'services.lex' }, 'services.lex must be a JSON object'],
    [{ kind: 'missingServices' }, 'it has no "services" object at the top level'],
    [
      {
        kind: 'unexpectedKey',
        path: 'services.lex',
        key: 'opt_out',
        allowed: 'opt_out_policy and @@operators_allowed_for_child_policies',
      },
      'opt_out is not allowed under services.lex; only opt_out_policy and @@operators_allowed_for_child_policies may stand there',
    ],
    [
      { kind: 'forbiddenOperator', path: 'services', operator: '@@append' },
      '@@append under services is not allowed in AI services opt-out policies',
    ],
    [
      { kind: 'bareString', path: 'services.default.opt_out_policy', value: '"optOut"' },
      'services.default.opt_out_policy is the bare string "optOut"; write {"@@assign": "optOut"}',
    ],
    [{ kind: 'missingOptOutPolicy', path: 'services.lex' }, 'services.lex has no opt_out_policy'],
    [{ kind: 'missingAssign', path: 'services.lex.opt_out_policy' }, 'services.lex.opt_out_policy has no @@assign'],
    [
      { kind: 'invalidAssign', path: 'services.default.opt_out_policy', value: '"optout"' },
      '@@assign under services.default.opt_out_policy is "optout", but only "optOut" or "optIn" work (case-sensitive)',
    ],
    [
      {
        kind: 'invalidChildControl',
        path: 'services',
        value: '"@@none"',
        problem: 'it must be a list such as ["@@none"]',
      },
      '@@operators_allowed_for_child_policies under services is "@@none": it must be a list such as ["@@none"]',
    ],
  ])('describes %o', (failureValue, expected) => {
    expect(formatPolicyParseFailure(failureValue)).toBe(expected);
  });

  it('throws on a failure kind it does not know', () => {
    expect(() => formatPolicyParseFailure({ kind: 'bogus' } as never)).toThrow('Unhandled kind: {"kind":"bogus"}');
  });
});

describe('assertNever', () => {
  it('throws with the value it was given', () => {
    expect(() => assertNever('x' as never)).toThrow('Unhandled kind: "x"');
  });
});
