import {
  DEFAULT_RULE_PARAMETERS,
  formatRuleParameters,
  parseRuleParameters,
  type RuleParameters,
} from '../../src/core/ruleParameters';

describe('parseRuleParameters', () => {
  it.each<[string, Record<string, unknown>, RuleParameters]>([
    ['no parameters', {}, DEFAULT_RULE_PARAMETERS],
    ['empty values', { RequiredLocks: '', AllowedOptInServices: '' }, DEFAULT_RULE_PARAMETERS],
    ['null values', { RequiredLocks: null }, DEFAULT_RULE_PARAMETERS],
    ['one lock', { RequiredLocks: 'services' }, { requiredLocks: ['services'], allowedOptInServices: [] }],
    [
      'locks in any order, with spaces and repeats',
      { RequiredLocks: ' opt_out_policy , services,services ' },
      { requiredLocks: ['services', 'opt_out_policy'], allowedOptInServices: [] },
    ],
    ['no lock at all', { RequiredLocks: 'none' }, { requiredLocks: [], allowedOptInServices: [] }],
    [
      'allowed opt-in services, with a trailing comma and a repeat',
      { AllowedOptInServices: 'lex, rekognition,lex,' },
      { requiredLocks: ['services', 'default', 'opt_out_policy'], allowedOptInServices: ['lex', 'rekognition'] },
    ],
  ])('reads %s', (_name, raw, expected) => {
    expect(parseRuleParameters(raw)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'an unknown parameter name',
      { RequiredLock: 'services' },
      'Unknown rule parameter "RequiredLock"; valid parameters: RequiredLocks, AllowedOptInServices',
    ],
    [
      'an unknown lock level',
      { RequiredLocks: 'services,Default' },
      'RequiredLocks: "Default" is not a lock level; use a comma-separated list of services, default, opt_out_policy (case-sensitive), or none',
    ],
    [
      'none mixed with a level',
      { RequiredLocks: 'none,services' },
      'RequiredLocks: "none" is not a lock level; use a comma-separated list of services, default, opt_out_policy (case-sensitive), or none',
    ],
    [
      'a value that is not a string',
      { RequiredLocks: ['services'] },
      'RequiredLocks must be a string, got ["services"]',
    ],
    [
      'an allowed list that is not a string',
      { AllowedOptInServices: 3 },
      'AllowedOptInServices must be a string, got 3',
    ],
    [
      'default among the allowed opt-ins',
      { AllowedOptInServices: 'lex,default' },
      'AllowedOptInServices: "default" cannot be allowed to opt in, because it covers every AI service',
    ],
    [
      'an operator among the allowed opt-ins',
      { AllowedOptInServices: '@@assign' },
      'AllowedOptInServices: "@@assign" is an operator, not a service key such as lex or rekognition',
    ],
  ])('rejects %s', (_name, raw, message) => {
    expect(parseRuleParameters(raw)).toEqual({ ok: false, error: message });
  });
});

describe('formatRuleParameters', () => {
  it.each<[RuleParameters, Record<string, string>]>([
    [DEFAULT_RULE_PARAMETERS, { RequiredLocks: 'services,default,opt_out_policy', AllowedOptInServices: '' }],
    [
      { requiredLocks: [], allowedOptInServices: ['lex', 'polly'] },
      { RequiredLocks: 'none', AllowedOptInServices: 'lex,polly' },
    ],
  ])('writes %o back as AWS Config takes it', (parameters, expected) => {
    expect(formatRuleParameters(parameters)).toEqual(expected);
  });
});
