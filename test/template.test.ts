import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { readTemplate, samFunctions, type Template } from '../scripts/samTemplate.cjs';
import { parseRuleParameters } from '../src/core/ruleParameters';
import { parseRemediationRequest } from '../src/lambda/remediationRequest';

const template: Template = readTemplate('template.yaml');

/** The IAM service prefix of each AWS SDK v3 client package the code may use. */
const IAM_PREFIXES: Readonly<Record<string, string>> = {
  '@aws-sdk/client-organizations': 'organizations',
  '@aws-sdk/client-config-service': 'config',
  '@aws-sdk/client-sts': 'sts',
};

/** The IAM actions of the SDK commands a source file sends: `new XxxCommand(` imported from a client package. */
function actionsUsedIn(source: string): string[] {
  const actions: string[] = [];
  for (const [, names, pkg] of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[a-z-]+)'/g)) {
    const prefix = IAM_PREFIXES[pkg ?? ''];
    if (prefix === undefined) throw new Error(`No IAM prefix known for ${pkg}: add it to IAM_PREFIXES`);
    for (const name of (names ?? '').split(',').map((n) => n.trim())) {
      const command = /^(\w+)Command$/.exec(name)?.[1];
      if (command !== undefined && new RegExp(`new ${name}\\(`).test(source)) actions.push(`${prefix}:${command}`);
    }
  }
  return actions;
}

/** The project's source files a function's bundle is built from, as esbuild's metafile lists them. */
async function sourcesOf(entryPoints: readonly string[]): Promise<string[]> {
  const result = await build({
    entryPoints: [...entryPoints],
    bundle: true,
    platform: 'node',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs).filter((path) => path.startsWith('src/'));
}

/** What a Lambda event source mapping needs from the function's role to poll an SQS queue (AWS Lambda Developer Guide). */
const SQS_POLLING_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

/** The actions a function needs besides its code's: polling, when an event source mapping feeds it from SQS. */
function infrastructureActions(logicalId: string): string[] {
  const fedFromQueue = Object.values(template.Resources).some(
    (resource) =>
      resource.Type === 'AWS::Lambda::EventSourceMapping' &&
      JSON.stringify(resource.Properties?.FunctionName) === JSON.stringify({ Ref: logicalId }),
  );
  return fedFromQueue ? SQS_POLLING_ACTIONS : [];
}

function grantedActions(properties: Readonly<Record<string, unknown>> | undefined): string[] {
  const policies = (properties?.Policies ?? []) as { Statement: { Effect: string; Action: string | string[] }[] }[];
  return policies.flatMap((policy) => policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));
}

/** esbuild bundles a function in about a second; a busy 2-core machine may take many times that. */
const BUILD_TIMEOUT_MS = 60_000;

describe('template.yaml', () => {
  const functions = samFunctions(template);

  it('builds each function with esbuild from a TypeScript entry point, with source maps', () => {
    expect(functions.map((fn) => fn.logicalId)).toEqual(['RuleFunction', 'ReevaluateFunction', 'RemediationFunction']);
    for (const fn of functions) {
      expect(fn.buildProperties.EntryPoints).toEqual([expect.stringMatching(/^src\/lambda\/\w+\.ts$/)]);
      expect(fn.buildProperties.Sourcemap).toBe(true);
      const properties = template.Resources[fn.logicalId]?.Properties;
      expect(properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    }
  });

  it.each(samFunctions(readTemplate('template.yaml')).map((fn) => [fn.logicalId, fn] as const))(
    'grants %s exactly the IAM actions of the SDK commands its code sends, and of its event source',
    async (logicalId, fn) => {
      const sources = await sourcesOf(fn.buildProperties.EntryPoints);
      const used = new Set([
        ...sources.flatMap((path) => actionsUsedIn(readFileSync(path, 'utf8'))),
        ...infrastructureActions(logicalId),
      ]);
      const granted = grantedActions(template.Resources[logicalId]?.Properties);
      expect(used.size).toBeGreaterThan(0);
      expect(new Set(granted)).toEqual(used);
      expect(granted).toHaveLength(used.size);
    },
    BUILD_TIMEOUT_MS,
  );

  it('writes the function logs to an explicit log group with a retention', () => {
    const logGroup = template.Resources.RuleLogGroup;
    expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup?.Properties?.RetentionInDays).toEqual({ Ref: 'LogRetentionInDays' });
    expect(template.Resources.RuleFunction?.Properties?.LoggingConfig).toEqual({ LogGroup: { Ref: 'RuleLogGroup' } });
  });

  it('lets only AWS Config in this account invoke the function of an account rule', () => {
    expect(template.Resources.ConfigInvokePermission?.Condition).toBe('IsAccountRule');
    expect(template.Resources.ConfigInvokePermission?.Properties).toEqual({
      FunctionName: { 'Fn::GetAtt': ['RuleFunction', 'Arn'] },
      Action: 'lambda:InvokeFunction',
      Principal: 'config.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  it('defines a periodic CUSTOM_LAMBDA rule whose frequency and parameters are template parameters', () => {
    const rule = template.Resources.AiOptOutConfigRule;
    expect(rule?.DependsOn).toBe('ConfigInvokePermission');
    expect(rule?.Properties?.Source).toEqual({
      Owner: 'CUSTOM_LAMBDA',
      SourceIdentifier: { 'Fn::GetAtt': ['RuleFunction', 'Arn'] },
      SourceDetails: [
        {
          EventSource: 'aws.config',
          MessageType: 'ScheduledNotification',
          MaximumExecutionFrequency: { Ref: 'MaximumExecutionFrequency' },
        },
      ],
    });
    expect(rule?.Properties?.InputParameters).toEqual({
      RequiredLocks: { Ref: 'RequiredLocks' },
      AllowedOptInServices: {
        'Fn::If': ['HasAllowedOptInServices', { Ref: 'AllowedOptInServices' }, { Ref: 'AWS::NoValue' }],
      },
    });
    expect(template.Parameters?.MaximumExecutionFrequency?.Default).toBe('TwentyFour_Hours');
  });

  it('has parameter defaults the rule accepts, and a RequiredLocks pattern that matches the rule', () => {
    const parameters = template.Parameters ?? {};
    const defaults = {
      RequiredLocks: parameters.RequiredLocks?.Default,
      AllowedOptInServices: parameters.AllowedOptInServices?.Default,
    };
    expect(parseRuleParameters(defaults).ok).toBe(true);
    const pattern = new RegExp(String(parameters.RequiredLocks?.AllowedPattern));
    for (const value of ['services', 'default,opt_out_policy', 'services,default,opt_out_policy', 'none']) {
      expect([value, pattern.test(value)]).toEqual([value, true]);
      expect(parseRuleParameters({ RequiredLocks: value }).ok).toBe(true);
    }
    for (const value of ['Services', 'none,services', 'services,', ''])
      expect([value, pattern.test(value)]).toEqual([value, false]);
  });

  it('offers an organization rule, or only a function for conformance packs, whose members put their own result', () => {
    const rule = template.Resources.AiOptOutOrganizationConfigRule;
    expect(rule?.Condition).toBe('IsOrganizationRule');
    expect(template.Resources.AiOptOutConfigRule?.Condition).toBe('IsAccountRule');
    const metadata = rule?.Properties?.OrganizationCustomRuleMetadata as Record<string, unknown>;
    expect(metadata).toMatchObject({
      LambdaFunctionArn: { 'Fn::GetAtt': ['RuleFunction', 'Arn'] },
      OrganizationConfigRuleTriggerTypes: ['ScheduledNotification'],
      MaximumExecutionFrequency: { Ref: 'MaximumExecutionFrequency' },
    });
    const inputs = String((metadata.InputParameters as { 'Fn::Sub': string })['Fn::Sub']);
    const filled = inputs.replace(/\$\{(\w+)\}/g, (_, name: string) => String(template.Parameters?.[name]?.Default));
    const parameters = parseRuleParameters(JSON.parse(filled));
    expect(parameters.ok && parameters.value.scope).toBe('Account');
    expect(template.Resources.OrganizationInvokePermission?.Condition).toBe('IsInvokedByMembers');
    expect(template.Conditions?.IsInvokedByMembers).toEqual({
      'Fn::Or': [{ Condition: 'IsOrganizationRule' }, { 'Fn::Equals': [{ Ref: 'RuleType' }, 'ConformancePack'] }],
    });
    expect(template.Parameters?.RuleType?.AllowedValues).toEqual(['Account', 'Organization', 'ConformancePack']);
    expect(template.Resources.OrganizationInvokePermission?.Properties).toEqual({
      FunctionName: { 'Fn::GetAtt': ['RuleFunction', 'Arn'] },
      Action: 'lambda:InvokeFunction',
      Principal: 'config.amazonaws.com',
    });
  });

  it('outputs the rule name, the function ARN and the role that member roles trust', () => {
    expect(template.Outputs?.ConfigRuleName?.Value).toEqual({
      'Fn::If': ['IsAccountRule', { Ref: 'AiOptOutConfigRule' }, { Ref: 'AiOptOutOrganizationConfigRule' }],
    });
    expect(template.Outputs?.FunctionArn?.Value).toEqual({ 'Fn::GetAtt': ['RuleFunction', 'Arn'] });
    expect(template.Outputs?.RuleFunctionRoleArn?.Value).toEqual({ 'Fn::GetAtt': ['RuleFunctionRole', 'Arn'] });
  });

  describe('remediation', () => {
    it('is deployed for a rule of this account unless disabled, manual by default', () => {
      expect(template.Parameters?.Remediation).toMatchObject({
        Default: 'manual',
        AllowedValues: ['disabled', 'manual', 'automatic'],
      });
      const ids = [
        'RemediationLogGroup',
        'RemediationFunction',
        'RemediationAutomationRole',
        'RemediationRunbook',
        'AiOptOutRemediation',
      ];
      expect(ids.map((id) => [id, template.Resources[id]?.Condition])).toEqual(ids.map((id) => [id, 'HasRemediation']));
      expect(template.Conditions?.HasRemediation).toEqual({
        'Fn::And': [
          { Condition: 'IsAccountRule' },
          { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Remediation' }, 'disabled'] }] },
        ],
      });
    });

    it('lets only SSM Automation of this account use the automation role, to invoke only the remediation function', () => {
      const properties = template.Resources.RemediationAutomationRole?.Properties;
      expect(properties?.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'ssm.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      });
      expect(properties?.Policies).toEqual([
        {
          PolicyName: 'InvokeTheRemediationFunction',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'lambda:InvokeFunction',
                Resource: { 'Fn::GetAtt': ['RemediationFunction', 'Arn'] },
              },
            ],
          },
        },
      ]);
    });

    it('ships a schemaVersion 0.3 runbook that invokes the function and fails when the function does', () => {
      const content = template.Resources.RemediationRunbook?.Properties?.Content as {
        schemaVersion: string;
        assumeRole: string;
        parameters: Record<string, { type: string }>;
        mainSteps: { name: string; action: string; inputs: Record<string, unknown> }[];
      };
      expect(content.schemaVersion).toBe('0.3');
      expect(content.assumeRole).toBe('{{ AutomationAssumeRole }}');
      expect(Object.keys(content.parameters)).toEqual(['AutomationAssumeRole', 'ResourceId', 'DryRun', 'PolicyName']);
      expect(content.parameters.DryRun?.type).toBe('Boolean');
      const [invoke, check] = content.mainSteps;
      expect(invoke).toMatchObject({
        action: 'aws:invokeLambdaFunction',
        inputs: { FunctionName: { Ref: 'RemediationFunction' } },
      });
      const payload = String(invoke?.inputs.Payload)
        .replace('{{ DryRun }}', 'true')
        .replace('{{ PolicyName }}', 'ai-services-opt-out-locked')
        .replace('{{ ResourceId }}', '222222222222');
      expect(parseRemediationRequest(JSON.parse(payload))).toEqual({
        ok: true,
        value: { dryRun: true, policyName: 'ai-services-opt-out-locked', resourceId: '222222222222' },
      });
      expect(check).toMatchObject({
        action: 'aws:executeScript',
        inputs: { InputPayload: { Payload: '{{ Remediate.Payload }}' } },
      });
      expect(String(check?.inputs.Script)).toContain("'errorMessage' in result");
    });

    it('attaches the runbook to the rule, manual unless automatic is chosen, with retries', () => {
      expect(template.Resources.AiOptOutRemediation?.Properties).toMatchObject({
        ConfigRuleName: { Ref: 'AiOptOutConfigRule' },
        TargetType: 'SSM_DOCUMENT',
        TargetId: { Ref: 'RemediationRunbook' },
        Automatic: { 'Fn::If': ['IsAutomaticRemediation', true, false] },
        MaximumAutomaticAttempts: 3,
        RetryAttemptSeconds: 600,
        Parameters: {
          AutomationAssumeRole: { StaticValue: { Values: [{ 'Fn::GetAtt': ['RemediationAutomationRole', 'Arn'] }] } },
          ResourceId: { ResourceValue: { Value: 'RESOURCE_ID' } },
          DryRun: { StaticValue: { Values: ['false'] } },
        },
      });
    });
  });
});
