import { readTemplate, type Template } from '../scripts/samTemplate.cjs';
import { DEFAULT_EXECUTION_ROLE_NAME, parseRuleParameters } from '../src/core/ruleParameters';

const TEMPLATE_PATH = 'member-role.yaml';
const template: Template = readTemplate(TEMPLATE_PATH);

function parameter(name: string): Readonly<Record<string, unknown>> {
  const found = template.Parameters?.[name];
  if (found === undefined) throw new Error(`${TEMPLATE_PATH} has no parameter ${name}`);
  return found;
}

function patternOf(name: string): RegExp {
  return new RegExp(String(parameter(name).AllowedPattern));
}

describe('member-role.yaml', () => {
  const role = template.Resources.PutEvaluationsRole;

  it('creates one IAM role and nothing else that could grant it permissions', () => {
    expect(Object.values(template.Resources).map((resource) => resource.Type)).toEqual(['AWS::IAM::Role']);
    expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
    expect(role?.Properties?.PermissionsBoundary).toBeUndefined();
  });

  it('names the role after the ExecutionRoleName parameter, whose default is the rule parameter default', () => {
    expect(role?.Properties?.RoleName).toEqual({ Ref: 'ExecutionRoleName' });
    expect(role?.Properties?.Path).toBeUndefined();
    expect(parameter('ExecutionRoleName').Default).toBe(DEFAULT_EXECUTION_ROLE_NAME);
  });

  it('trusts exactly the RuleFunctionRoleArn parameter, for sts:AssumeRole only', () => {
    expect(role?.Properties?.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'RuleFunctionOnly',
          Effect: 'Allow',
          Principal: { AWS: { Ref: 'RuleFunctionRoleArn' } },
          Action: 'sts:AssumeRole',
        },
      ],
    });
    expect(parameter('RuleFunctionRoleArn').Default).toBeUndefined();
  });

  it('allows exactly config:PutEvaluations, on "*" because the action has no resource-level permissions', () => {
    expect(role?.Properties?.Policies).toEqual([
      {
        PolicyName: 'PutRuleEvaluations',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Sid: 'PutRuleEvaluations', Effect: 'Allow', Action: 'config:PutEvaluations', Resource: '*' }],
        },
      },
    ]);
  });

  it('outputs the role ARN', () => {
    expect(template.Outputs?.ExecutionRoleArn?.Value).toEqual({ 'Fn::GetAtt': ['PutEvaluationsRole', 'Arn'] });
  });

  it.each([
    ['arn:aws:iam::111111111111:role/ai-services-opt-out-rule-RuleFunctionRole-AbC123dEf456', true],
    ['arn:aws-cn:iam::111111111111:role/rule-role', true],
    ['arn:aws-us-gov:iam::111111111111:role/service-role/rule-role', true],
    ['arn:aws-iso-b:iam::111111111111:role/rule-role', true],
    ['arn:aws:iam::111111111111:user/rule-role', false],
    ['arn:aws:iam::111111111111:root', false],
    ['arn:aws:sts::111111111111:assumed-role/rule-role/session', false],
    ['arn:aws:iam::11111111111:role/rule-role', false],
    ['111111111111', false],
    ['', false],
  ])('checks that RuleFunctionRoleArn %j is an IAM role ARN: %s', (value, valid) => {
    expect(patternOf('RuleFunctionRoleArn').test(value)).toBe(valid);
  });

  it.each([
    [DEFAULT_EXECUTION_ROLE_NAME, true],
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
    ['path/role', false],
    ['', false],
  ])('checks that ExecutionRoleName %j is an IAM role name, as the rule does: %s', (value, valid) => {
    expect(patternOf('ExecutionRoleName').test(value)).toBe(valid);
    // The rule reads an empty value as the default name; a stack always names its role.
    if (value !== '') expect(parseRuleParameters({ ExecutionRoleName: value }).ok).toBe(valid);
  });
});
