import { readTemplate, type Template } from '../scripts/samTemplate.cjs';
import {
  DEFAULT_CROSS_CHECK_ACCOUNTS,
  DEFAULT_EXECUTION_ROLE_NAME,
  LOCK_LEVELS,
  parseRuleParameters,
  RULE_PARAMETER_NAMES,
  SCOPES,
} from '../src/core/ruleParameters';

const TEMPLATE_PATH = 'conformance-pack.yaml';
const pack: Template = readTemplate(TEMPLATE_PATH);
const central: Template = readTemplate('template.yaml');

/** What AWS Config accepts in a conformance pack template (Creating templates for custom conformance packs). */
const PACK_SECTIONS = ['Parameters', 'Conditions', 'Resources'];
const PACK_RESOURCE_TYPES = ['AWS::Config::ConfigRule', 'AWS::Config::RemediationConfiguration'];

/** The longest ConfigRuleName that leaves room for the suffix AWS Config adds within its 128 characters. */
const MAX_PACK_RULE_NAME_LENGTH = 64;

function parameter(name: string): Readonly<Record<string, unknown>> {
  const found = pack.Parameters?.[name];
  if (found === undefined) throw new Error(`${TEMPLATE_PATH} has no parameter ${name}`);
  return found;
}

function patternOf(name: string): RegExp {
  return new RegExp(String(parameter(name).AllowedPattern));
}

describe('conformance-pack.yaml', () => {
  const rule = pack.Resources.AiOptOutConfigRule;

  it('holds only the sections and resource types a conformance pack allows', () => {
    for (const section of Object.keys(pack)) expect(PACK_SECTIONS).toContain(section);
    const types = Object.values(pack.Resources).map((resource) => resource.Type);
    expect(types).toEqual(['AWS::Config::ConfigRule']);
    for (const type of types) expect(PACK_RESOURCE_TYPES).toContain(type);
  });

  it('defines a periodic CUSTOM_LAMBDA rule that invokes the function given as a pack parameter', () => {
    expect(rule?.Properties?.Source).toEqual({
      Owner: 'CUSTOM_LAMBDA',
      SourceIdentifier: { Ref: 'FunctionArn' },
      SourceDetails: [
        {
          EventSource: 'aws.config',
          MessageType: 'ScheduledNotification',
          MaximumExecutionFrequency: { Ref: 'MaximumExecutionFrequency' },
        },
      ],
    });
  });

  it('passes the five rule parameters and leaves AllowedOptInServices out when it is empty', () => {
    expect(rule?.Properties?.InputParameters).toEqual({
      RequiredLocks: { Ref: 'RequiredLocks' },
      AllowedOptInServices: {
        'Fn::If': ['HasAllowedOptInServices', { Ref: 'AllowedOptInServices' }, { Ref: 'AWS::NoValue' }],
      },
      Scope: { Ref: 'Scope' },
      ExecutionRoleName: { Ref: 'ExecutionRoleName' },
      CrossCheckAccounts: { Ref: 'CrossCheckAccounts' },
    });
    expect(Object.keys(rule?.Properties?.InputParameters ?? {}).sort()).toEqual([...RULE_PARAMETER_NAMES].sort());
    expect(pack.Conditions?.HasAllowedOptInServices).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AllowedOptInServices' }, ''] }],
    });
  });

  it('names the rule with a short literal, because AWS Config resolves no intrinsic function there', () => {
    const name = rule?.Properties?.ConfigRuleName;
    expect(typeof name).toBe('string');
    expect(String(name)).toMatch(new RegExp(`^[A-Za-z0-9_-]{1,${MAX_PACK_RULE_NAME_LENGTH}}$`));
  });

  it('requires FunctionArn and defaults Scope to Account, as organization packs need', () => {
    expect(parameter('FunctionArn').Default).toBeUndefined();
    expect(parameter('Scope')).toMatchObject({ Default: 'Account', AllowedValues: ['Account', 'Organization'] });
    expect([...SCOPES].sort()).toEqual(['Account', 'Organization']);
    expect(parameter('ExecutionRoleName').Default).toBe(DEFAULT_EXECUTION_ROLE_NAME);
    expect(parameter('MaximumExecutionFrequency').Default).toBe('TwentyFour_Hours');
  });

  it('has rule parameter defaults that the rule accepts: every lock, no opt-in, one account, the default role, 10 cross-checks', () => {
    const defaults = Object.fromEntries(RULE_PARAMETER_NAMES.map((name) => [name, String(parameter(name).Default)]));
    expect(parseRuleParameters(defaults)).toEqual({
      ok: true,
      value: {
        requiredLocks: LOCK_LEVELS,
        allowedOptInServices: [],
        scope: 'Account',
        executionRoleName: DEFAULT_EXECUTION_ROLE_NAME,
        crossCheckAccounts: DEFAULT_CROSS_CHECK_ACCOUNTS,
      },
    });
  });

  it('allows only Scope values the rule accepts', () => {
    for (const scope of [parameter('Scope').AllowedValues].flat()) {
      expect([scope, parseRuleParameters({ Scope: String(scope) }).ok]).toEqual([scope, true]);
    }
  });

  it("shares the rule parameters' patterns and defaults and the frequencies with template.yaml", () => {
    const centralParameters = central.Parameters ?? {};
    expect(parameter('RequiredLocks').AllowedPattern).toBe(centralParameters.RequiredLocks?.AllowedPattern);
    expect(parameter('RequiredLocks').Default).toBe(centralParameters.RequiredLocks?.Default);
    expect(parameter('AllowedOptInServices').Default).toBe(centralParameters.AllowedOptInServices?.Default);
    expect(parameter('AllowedOptInServices').AllowedPattern).toBe(
      centralParameters.AllowedOptInServices?.AllowedPattern,
    );
    expect(parameter('CrossCheckAccounts').AllowedPattern).toBe(centralParameters.CrossCheckAccounts?.AllowedPattern);
    expect(parameter('CrossCheckAccounts').Default).toBe(centralParameters.CrossCheckAccounts?.Default);
    expect(parameter('MaximumExecutionFrequency').AllowedValues).toEqual(
      centralParameters.MaximumExecutionFrequency?.AllowedValues,
    );
  });

  it.each([
    ['arn:aws:lambda:us-east-1:111111111111:function:ai-services-opt-out-rule', true],
    ['arn:aws-us-gov:lambda:us-gov-west-1:111111111111:function:ai-services-opt-out-rule', true],
    ['arn:aws-cn:lambda:cn-north-1:111111111111:function:rule:live', true],
    ['arn:aws:iam::111111111111:role/ai-services-opt-out-rule', false],
    ['ai-services-opt-out-rule', false],
    ['', false],
  ])('checks that FunctionArn %j is a Lambda function ARN: %s', (value, valid) => {
    expect(patternOf('FunctionArn').test(value)).toBe(valid);
  });

  it.each([
    ['AiOptOutConfigRulePutEvaluations', true],
    ['team+audit=1,x.y@z_w-v', true],
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
    ['path/role', false],
    ['', false],
  ])('checks that ExecutionRoleName %j is an IAM role name: %s', (value, valid) => {
    expect(patternOf('ExecutionRoleName').test(value)).toBe(valid);
    // The rule reads an empty value as the default name; the pack always passes one.
    if (value !== '') expect(parseRuleParameters({ ExecutionRoleName: value }).ok).toBe(valid);
  });
});
