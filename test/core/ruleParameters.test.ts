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
    ['one lock', { RequiredLocks: 'services' }, { ...DEFAULT_RULE_PARAMETERS, requiredLocks: ['services'] }],
    [
      'locks in any order, with spaces and repeats',
      { RequiredLocks: ' opt_out_policy , services,services ' },
      { ...DEFAULT_RULE_PARAMETERS, requiredLocks: ['services', 'opt_out_policy'] },
    ],
    ['no lock at all', { RequiredLocks: 'none' }, { ...DEFAULT_RULE_PARAMETERS, requiredLocks: [] }],
    ['no lock at all, said twice', { RequiredLocks: 'none, none' }, { ...DEFAULT_RULE_PARAMETERS, requiredLocks: [] }],
    [
      'allowed opt-in services, with a trailing comma and a repeat',
      { AllowedOptInServices: 'lex, rekognition,lex,' },
      { ...DEFAULT_RULE_PARAMETERS, allowedOptInServices: ['lex', 'rekognition'] },
    ],
    [
      'service keys of letters and digits, with blanks around the commas',
      { AllowedOptInServices: '\tchimesdkvoiceanalytics ,\naidevops,s3 ' },
      { ...DEFAULT_RULE_PARAMETERS, allowedOptInServices: ['chimesdkvoiceanalytics', 'aidevops', 's3'] },
    ],
    ['the Account scope', { Scope: 'Account' }, { ...DEFAULT_RULE_PARAMETERS, scope: 'Account' }],
    ['an empty scope', { Scope: ' ' }, DEFAULT_RULE_PARAMETERS],
    [
      'an execution role name',
      { Scope: 'Account', ExecutionRoleName: ' ai-opt-out+evaluations@org ' },
      { ...DEFAULT_RULE_PARAMETERS, scope: 'Account', executionRoleName: 'ai-opt-out+evaluations@org' },
    ],
    ['no cross-check', { CrossCheckAccounts: '0' }, { ...DEFAULT_RULE_PARAMETERS, crossCheckAccounts: 0 }],
    [
      'the most accounts to cross-check',
      { CrossCheckAccounts: ' 100 ' },
      { ...DEFAULT_RULE_PARAMETERS, crossCheckAccounts: 100 },
    ],
    ['an empty cross-check count', { CrossCheckAccounts: '' }, DEFAULT_RULE_PARAMETERS],
  ])('reads %s', (_name, raw, expected) => {
    expect(parseRuleParameters(raw)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'an unknown parameter name',
      { RequiredLock: 'services' },
      'Unknown rule parameter "RequiredLock"; valid parameters: RequiredLocks, AllowedOptInServices, Scope, ExecutionRoleName, CrossCheckAccounts',
    ],
    [
      'an unknown lock level',
      { RequiredLocks: 'services,Default' },
      'RequiredLocks: "Default" is not a lock level; use a comma-separated list of services, default, opt_out_policy (case-sensitive), or none',
    ],
    [
      'none mixed with a level',
      { RequiredLocks: 'none,default' },
      'RequiredLocks: none cannot be combined with other levels; give none alone, or levels only',
    ],
    [
      'none mixed with an unknown level',
      { RequiredLocks: 'Services,none' },
      'RequiredLocks: none cannot be combined with other levels; give none alone, or levels only',
    ],
    [
      'a lock level with an invisible character',
      { RequiredLocks: 'services\u200b' },
      'RequiredLocks: "services\\u200b" is not a lock level; use a comma-separated list of services, default, opt_out_policy (case-sensitive), or none',
    ],
    [
      'a lock level after a byte order mark',
      { RequiredLocks: '\ufeffservices' },
      'RequiredLocks: "\\ufeffservices" is not a lock level; use a comma-separated list of services, default, opt_out_policy (case-sensitive), or none',
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
      'AllowedOptInServices: "@@assign" is not a service key (lowercase letters and digits, such as lex or rekognition)',
    ],
    [
      'a service key in capitals',
      { AllowedOptInServices: 'lex,Rekognition' },
      'AllowedOptInServices: "Rekognition" is not a service key (lowercase letters and digits, such as lex or rekognition)',
    ],
    [
      'a service key with a space inside',
      { AllowedOptInServices: 'amazon lex' },
      'AllowedOptInServices: "amazon lex" is not a service key (lowercase letters and digits, such as lex or rekognition)',
    ],
    [
      'a service key with a control character',
      { AllowedOptInServices: 'lex\u001b[2J' },
      'AllowedOptInServices: "lex\\u001b[2J" is not a service key (lowercase letters and digits, such as lex or rekognition)',
    ],
    [
      'a service key with a hyphen',
      { AllowedOptInServices: 'contact-lens' },
      'AllowedOptInServices: "contact-lens" is not a service key (lowercase letters and digits, such as lex or rekognition)',
    ],
    [
      'default in capitals',
      { AllowedOptInServices: 'Default' },
      'AllowedOptInServices: "Default" is not a service key (lowercase letters and digits, such as lex or rekognition), and "default" cannot be allowed to opt in, because it covers every AI service',
    ],
    [
      'default in full capitals',
      { AllowedOptInServices: 'lex,DEFAULT' },
      'AllowedOptInServices: "DEFAULT" is not a service key (lowercase letters and digits, such as lex or rekognition), and "default" cannot be allowed to opt in, because it covers every AI service',
    ],
    [
      'default with a zero-width space',
      { AllowedOptInServices: 'default\u200b' },
      'AllowedOptInServices: "default\\u200b" is not a service key (lowercase letters and digits, such as lex or rekognition), and "default" cannot be allowed to opt in, because it covers every AI service',
    ],
    [
      'default with a soft hyphen',
      { AllowedOptInServices: 'de\u00adfault' },
      'AllowedOptInServices: "de\\u00adfault" is not a service key (lowercase letters and digits, such as lex or rekognition), and "default" cannot be allowed to opt in, because it covers every AI service',
    ],
    [
      'default in full-width letters',
      { AllowedOptInServices: '\uff44efault' },
      'AllowedOptInServices: "\\uff44efault" is not a service key (lowercase letters and digits, such as lex or rekognition), and "default" cannot be allowed to opt in, because it covers every AI service',
    ],
    ['an unknown scope', { Scope: 'account' }, 'Scope: "account" is not a scope; use Organization or Account'],
    [
      'a role name with a path',
      { ExecutionRoleName: 'service-role/evaluations' },
      'ExecutionRoleName: "service-role/evaluations" is not an IAM role name (1 to 64 letters, digits and +=,.@_-, no path)',
    ],
    ['a scope that is not a string', { Scope: true }, 'Scope must be a string, got true'],
    ...[
      ['101', '"101"'],
      ['-1', '"-1"'],
      ['1.5', '"1.5"'],
      ['010', '"010"'],
      ['1e2', '"1e2"'],
      ['+5', '"+5"'],
      ['ten', '"ten"'],
      ['\uff15', '"\\uff15"'],
    ].map(([value, quoted]): [string, Record<string, unknown>, string] => [
      `the cross-check count ${quoted}`,
      { CrossCheckAccounts: value },
      `CrossCheckAccounts: ${quoted} is not a whole number from 0 to 100 (0 turns the cross-check with AWS's effective policy off)`,
    ]),
    ['a cross-check count that is a number', { CrossCheckAccounts: 5 }, 'CrossCheckAccounts must be a string, got 5'],
  ])('rejects %s', (_name, raw, message) => {
    expect(parseRuleParameters(raw)).toEqual({ ok: false, error: message });
  });
});

describe('formatRuleParameters', () => {
  it.each<[string, RuleParameters, Record<string, string>]>([
    [
      'the defaults',
      DEFAULT_RULE_PARAMETERS,
      {
        RequiredLocks: 'services,default,opt_out_policy',
        AllowedOptInServices: '',
        Scope: 'Organization',
        ExecutionRoleName: 'AiOptOutConfigRulePutEvaluations',
        CrossCheckAccounts: '10',
      },
    ],
    [
      'no lock, two opt-ins, the Account scope, no cross-check',
      {
        ...DEFAULT_RULE_PARAMETERS,
        requiredLocks: [],
        allowedOptInServices: ['lex', 'polly'],
        scope: 'Account',
        crossCheckAccounts: 0,
      },
      {
        RequiredLocks: 'none',
        AllowedOptInServices: 'lex,polly',
        Scope: 'Account',
        ExecutionRoleName: 'AiOptOutConfigRulePutEvaluations',
        CrossCheckAccounts: '0',
      },
    ],
  ])('writes %s back as AWS Config takes them', (_name, parameters, expected) => {
    expect(formatRuleParameters(parameters)).toEqual(expected);
  });
});
