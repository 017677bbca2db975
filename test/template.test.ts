import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { readTemplate, samFunctions, type Template } from '../scripts/samTemplate.cjs';
import { POLICY_NAME_PATTERN, REMEDIATION_OWNER_TAG } from '../src/core/planRemediation';
import { parseRuleParameters } from '../src/core/ruleParameters';
import { parseRemediationRequest } from '../src/lambda/remediationRequest';
import { isFields, matchesEventPattern } from './support/eventPattern';
import { createdResources, type Deployment, evaluateConditions, resolveIfs } from './support/templateConditions';

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

/**
 * The IAM actions a request needs besides its own: CreatePolicy with Tags also needs organizations:TagResource (Service
 * Authorization Reference, AWS Organizations, "API operations" table; CreatePolicy in the Organizations API Reference).
 */
const IMPLIED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'organizations:CreatePolicy': ['organizations:TagResource'],
};

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

/** A statement of a function's inline policy, as the template writes it. */
interface Statement {
  readonly Sid: string;
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

function statementsOf(logicalId: string): Statement[] {
  const policies = (template.Resources[logicalId]?.Properties?.Policies ?? []) as { Statement: Statement[] }[];
  return policies.flatMap((policy) => policy.Statement);
}

function grantedActions(logicalId: string): string[] {
  return statementsOf(logicalId)
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => s.Action);
}

/** The runbook's parameter values, as the text SSM substitutes. */
interface RunbookValues {
  readonly AutomationAssumeRole: string;
  readonly ResourceId: string;
  readonly DryRun: string;
  readonly PolicyName: string;
}

interface Runbook {
  readonly schemaVersion: string;
  readonly assumeRole: string;
  readonly parameters: Readonly<Record<string, { type: string; default?: unknown; allowedPattern?: string }>>;
  readonly mainSteps: readonly { name: string; action: string; inputs: Record<string, unknown> }[];
}

const runbook = template.Resources.RemediationRunbook?.Properties?.Content as Runbook;

/**
 * The Payload of the runbook's invoke step as SSM Automation renders it: each `{{ Name }}` replaced by the parameter's
 * text, in one pass. A value the patterns accept holds no `{{ }}` that matters and no quote, so a second pass could
 * not change what it means either.
 */
function renderPayload(values: RunbookValues): string {
  const payload = String(runbook.mainSteps[0]?.inputs.Payload);
  return payload.replace(/\{\{ (\w+) \}\}/g, (_, name: string) => {
    const value = Object.entries(values).find(([key]) => key === name)?.[1];
    if (value === undefined) throw new Error(`the Payload names no runbook parameter ${name}`);
    return value;
  });
}

/** A deterministic generator of numbers in [0, 1) (a linear congruential generator), so that a test is repeatable. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
      expect(properties).toMatchObject({ Architectures: ['arm64'] });
      expect(properties).not.toHaveProperty('Runtime');
    }
  });

  it('runs every function on nodejs24.x, from Globals', () => {
    expect(template.Globals?.Function?.Runtime).toBe('nodejs24.x');
  });

  it.each(samFunctions(readTemplate('template.yaml')).map((fn) => [fn.logicalId, fn] as const))(
    'grants %s exactly the IAM actions of the SDK commands its code sends, those they imply, and its event source',
    async (logicalId, fn) => {
      const sources = await sourcesOf(fn.buildProperties.EntryPoints);
      const sent = sources.flatMap((path) => actionsUsedIn(readFileSync(path, 'utf8')));
      const used = new Set([
        ...sent,
        ...sent.flatMap((action) => IMPLIED_ACTIONS[action] ?? []),
        ...infrastructureActions(logicalId),
      ]);
      const granted = grantedActions(logicalId);
      expect(used.size).toBeGreaterThan(0);
      expect(new Set(granted)).toEqual(used);
      expect(granted).toHaveLength(used.size);
    },
    BUILD_TIMEOUT_MS,
  );

  it('gives every function one Powertools service name and metrics namespace, as test/support/environment.ts does', () => {
    for (const fn of functions) {
      expect(fn.environment).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'ai-opt-out-config-rule',
        POWERTOOLS_METRICS_NAMESPACE: 'AiOptOutConfigRule',
      });
    }
  });

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
      CrossCheckAccounts: { Ref: 'CrossCheckAccounts' },
    });
    expect(template.Parameters?.MaximumExecutionFrequency?.Default).toBe('TwentyFour_Hours');
  });

  it('has parameter defaults the rule accepts, and a RequiredLocks pattern that matches the rule', () => {
    const parameters = template.Parameters ?? {};
    const defaults = {
      RequiredLocks: parameters.RequiredLocks?.Default,
      AllowedOptInServices: parameters.AllowedOptInServices?.Default,
      CrossCheckAccounts: parameters.CrossCheckAccounts?.Default,
    };
    expect(parseRuleParameters(defaults)).toMatchObject({ ok: true, value: { crossCheckAccounts: 10 } });
    const pattern = new RegExp(String(parameters.RequiredLocks?.AllowedPattern));
    for (const value of ['services', 'default,opt_out_policy', 'services,default,opt_out_policy', 'none']) {
      expect([value, pattern.test(value)]).toEqual([value, true]);
      expect(parseRuleParameters({ RequiredLocks: value }).ok).toBe(true);
    }
    for (const value of ['Services', 'none,services', 'services,', ''])
      expect([value, pattern.test(value)]).toEqual([value, false]);
  });

  it('has an AllowedOptInServices pattern that accepts exactly what the rule accepts', () => {
    const pattern = new RegExp(String(template.Parameters?.AllowedOptInServices?.AllowedPattern));
    for (const value of ['', 'lex', 'lex,polly', 'codewhisperer,aiops,chimesdkvoiceanalytics', 'defaults,nodefault']) {
      expect([value, pattern.test(value)]).toEqual([value, true]);
      expect([value, parseRuleParameters({ AllowedOptInServices: value }).ok]).toEqual([value, true]);
    }
    for (const value of ['default', 'lex,default', 'default,lex', 'Lex', 'Default', 'default\u200b', 'a"b', 'a\\b']) {
      expect([value, pattern.test(value)]).toEqual([value, false]);
      expect([value, parseRuleParameters({ AllowedOptInServices: value }).ok]).toEqual([value, false]);
    }
  });

  it('has a CrossCheckAccounts pattern that accepts exactly what the rule accepts', () => {
    const pattern = new RegExp(String(template.Parameters?.CrossCheckAccounts?.AllowedPattern));
    for (const value of ['0', '1', '9', '10', '42', '99', '100']) {
      expect([value, pattern.test(value)]).toEqual([value, true]);
      expect([value, parseRuleParameters({ CrossCheckAccounts: value }).ok]).toEqual([value, true]);
    }
    for (const value of ['101', '1000', '-1', '+1', '01', '1.0', '1e2', 'ten', '\uff11']) {
      expect([value, pattern.test(value)]).toEqual([value, false]);
      expect([value, parseRuleParameters({ CrossCheckAccounts: value }).ok]).toEqual([value, false]);
    }
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
    expect(parameters).toMatchObject({ ok: true, value: { scope: 'Account', crossCheckAccounts: 10 } });
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

  describe('notifications', () => {
    const TOPIC = { Ref: 'NotificationTopic' };
    const resource = (logicalId: string) => {
      const found = template.Resources[logicalId];
      if (found === undefined) throw new Error(`template.yaml has no resource ${logicalId}`);
      return found;
    };
    const allowedValues = (name: string) => (template.Parameters?.[name]?.AllowedValues ?? []) as string[];
    /** Every combination of the parameters that decide what exists, in us-east-1 and in a Region without its events. */
    const DEPLOYMENTS: Deployment[] = ['RuleType', 'Remediation', 'ReevaluateOnPolicyChange', 'Notifications']
      .reduce<Record<string, string>[]>(
        (partial, name) =>
          partial.flatMap((parameters) => allowedValues(name).map((v) => ({ ...parameters, [name]: v }))),
        [{}],
      )
      .flatMap((parameters) => ['us-east-1', 'eu-west-1'].map((region) => ({ parameters, region })));
    const outcomes = DEPLOYMENTS.map((deployment) => {
      const conditions = evaluateConditions(template, deployment);
      return { deployment, conditions, created: new Set(createdResources(template, conditions)) };
    });
    const enabled = outcomes.filter(({ deployment }) => deployment.parameters.Notifications === 'enabled');
    const alarms = Object.keys(template.Resources).filter((id) => resource(id).Type === 'AWS::CloudWatch::Alarm');
    const errorAlarms = alarms.filter((id) => resource(id).Properties?.MetricName === 'Errors');

    it('creates nothing of it unless Notifications=enabled, which is not the default, and only these touch the topic', () => {
      expect(template.Parameters?.Notifications).toMatchObject({
        Default: 'disabled',
        AllowedValues: ['enabled', 'disabled'],
      });
      const touching = Object.keys(template.Resources).filter(
        (id) =>
          /^AWS::(SNS|CloudWatch)::/.test(resource(id).Type) ||
          JSON.stringify(resource(id)).includes('"Ref":"NotificationTopic"'),
      );
      expect(touching).toEqual([
        'NotificationTopic',
        'NotificationEmailSubscription',
        'NotificationTopicPolicy',
        'ComplianceChangeRule',
        'RuleFunctionErrorsAlarm',
        'ReevaluateFunctionErrorsAlarm',
        'RemediationFunctionErrorsAlarm',
        'PolicyChangeDeadLetterQueueAlarm',
      ]);
      expect(outcomes).toHaveLength(3 * 3 * 3 * 2 * 2);
      for (const { deployment, created } of outcomes.filter((outcome) => !enabled.includes(outcome))) {
        expect([deployment, touching.filter((id) => created.has(id))]).toEqual([deployment, []]);
      }
      for (const { deployment, created } of enabled) {
        expect([
          deployment,
          ['NotificationTopic', 'NotificationTopicPolicy', 'RuleFunctionErrorsAlarm'].every((id) => created.has(id)),
        ]).toEqual([deployment, true]);
      }
      expect(template.Outputs?.NotificationTopicArn).toMatchObject({ Condition: 'HasNotifications', Value: TOPIC });
    });

    it('lets EventBridge publish only for ComplianceChangeRule and CloudWatch only for the alarms the stack creates', () => {
      for (const { deployment, conditions, created } of enabled) {
        const policy = resolveIfs(resource('NotificationTopicPolicy').Properties, conditions);
        const publish = { Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC };
        expect([deployment, policy]).toEqual([
          deployment,
          {
            Topics: [TOPIC],
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                ...(created.has('ComplianceChangeRule')
                  ? [
                      {
                        Sid: 'OnlyTheComplianceChangeRulePublishes',
                        Principal: { Service: 'events.amazonaws.com' },
                        ...publish,
                        Condition: {
                          ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['ComplianceChangeRule', 'Arn'] } },
                        },
                      },
                    ]
                  : []),
                {
                  Sid: 'OnlyTheStacksAlarmsPublish',
                  Principal: { Service: 'cloudwatch.amazonaws.com' },
                  ...publish,
                  Condition: {
                    ArnEquals: {
                      'aws:SourceArn': alarms
                        .filter((id) => created.has(id))
                        .map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })),
                    },
                  },
                },
              ],
            },
          },
        ]);
      }
    });

    it('alarms on the Errors of every function of the template, exactly when that function exists', () => {
      const alarmed = errorAlarms.map((id) => {
        const properties = resource(id).Properties;
        expect(properties).toMatchObject({
          Namespace: 'AWS/Lambda',
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [TOPIC],
        });
        expect(properties).not.toHaveProperty('OKActions');
        const [dimension, ...others] = (properties?.Dimensions ?? []) as { Name: string; Value: { Ref: string } }[];
        expect([dimension?.Name, others]).toEqual(['FunctionName', []]);
        return [id, String(dimension?.Value.Ref)] as const;
      });
      expect(alarmed.map(([, fn]) => fn)).toEqual(functions.map((fn) => fn.logicalId));
      for (const { deployment, created } of outcomes) {
        for (const [alarm, fn] of alarmed) {
          const expected = created.has(fn) && deployment.parameters.Notifications === 'enabled';
          expect([deployment, alarm, created.has(alarm)]).toEqual([deployment, alarm, expected]);
        }
      }
    });

    it('alarms on the dead-letter queue of PolicyChangeQueue exactly when it exists, and again when it is empty', () => {
      expect(alarms.filter((id) => !errorAlarms.includes(id))).toEqual(['PolicyChangeDeadLetterQueueAlarm']);
      const redrive = resource('PolicyChangeQueue').Properties?.RedrivePolicy as { deadLetterTargetArn: unknown };
      expect(redrive.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': ['PolicyChangeDeadLetterQueue', 'Arn'] });
      expect(resource('PolicyChangeDeadLetterQueueAlarm').Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['PolicyChangeDeadLetterQueue', 'QueueName'] } }],
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'ignore',
        AlarmActions: [TOPIC],
        OKActions: [TOPIC],
      });
      for (const { deployment, created } of outcomes) {
        const expected =
          created.has('PolicyChangeDeadLetterQueue') && deployment.parameters.Notifications === 'enabled';
        expect([deployment, created.has('PolicyChangeDeadLetterQueueAlarm')]).toEqual([deployment, expected]);
      }
    });

    describe('ComplianceChangeRule', () => {
      const SAMPLE = JSON.parse(readFileSync('events/config/compliance-change-non-compliant.json', 'utf8'));
      const RULE_NAME = String(template.Parameters?.ConfigRuleName?.Default);
      const properties = resource('ComplianceChangeRule').Properties;
      /** The pattern as deployed with the default ConfigRuleName: Ref of an AWS::Config::ConfigRule is its name. */
      const pattern = JSON.parse(
        JSON.stringify(properties?.EventPattern).replaceAll('{"Ref":"AiOptOutConfigRule"}', JSON.stringify(RULE_NAME)),
      );
      const withDetail = (detail: Record<string, unknown>) => ({ ...SAMPLE, detail: { ...SAMPLE.detail, ...detail } });
      const withCompliance = (complianceType: string) =>
        withDetail({ newEvaluationResult: { ...SAMPLE.detail.newEvaluationResult, complianceType } });

      it('exists exactly when the rule of this account does and notifications are on', () => {
        expect(JSON.stringify(properties?.EventPattern)).toContain('{"Ref":"AiOptOutConfigRule"}');
        for (const { deployment, created } of outcomes) {
          const expected = created.has('AiOptOutConfigRule') && deployment.parameters.Notifications === 'enabled';
          expect([deployment, created.has('ComplianceChangeRule')]).toEqual([deployment, expected]);
        }
      });

      it('matches the sample of an account of this rule turning NON_COMPLIANT', () => {
        expect(matchesEventPattern(pattern, SAMPLE)).toBe(true);
      });

      it.each([
        ['a COMPLIANT result', withCompliance('COMPLIANT')],
        ['a NOT_APPLICABLE result (an account that left)', withCompliance('NOT_APPLICABLE')],
        ['another rule', withDetail({ configRuleName: 'other-rule' })],
        [
          "this account's copy of an organization rule",
          withDetail({ configRuleName: `OrgConfigRule-${RULE_NAME}-a1b2c3d4` }),
        ],
        ['a re-evaluation status event', { ...SAMPLE, 'detail-type': 'Config Rules Re-evaluation Status' }],
      ])('does not match %s', (_name, event) => {
        expect(matchesEventPattern(pattern, event)).toBe(false);
      });

      it('sends the topic one line with the account, the rule, the Region and the reason', () => {
        const [target, ...others] = (properties?.Targets ?? []) as {
          Arn: unknown;
          InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string };
        }[];
        expect([target?.Arn, others]).toEqual([TOPIC, []]);
        /** The value at an InputPathsMap path of the sample; a path the real event lacks fails the test. */
        const at = (path: string) =>
          path
            .replace(/^\$\./, '')
            .split('.')
            .reduce<unknown>((value, key) => {
              if (!isFields(value) || !(key in value)) throw new Error(`the sample event has no ${path}`);
              return value[key];
            }, SAMPLE);
        const paths = target?.InputTransformer.InputPathsMap ?? {};
        const message = target?.InputTransformer.InputTemplate.replace(/<(\w+)>/g, (_, name: string) => {
          const path = paths[name];
          if (path === undefined) throw new Error(`the InputTemplate names <${name}>, which InputPathsMap lacks`);
          return String(at(path));
        });
        expect(message).toBe(
          '"Account 333333333333 is NON_COMPLIANT with the AWS Config rule ai-services-opt-out in us-east-1: Opted in: lex via p-sandboxlexin on ou-a1b2-33333333."',
        );
      });
    });

    it('subscribes the e-mail address only when one is given, and encrypts with the key given only', () => {
      const decide = (parameters: Record<string, string>) =>
        evaluateConditions(template, { parameters, region: 'us-east-1' });
      const email = 'security@example.com';
      expect(resource('NotificationEmailSubscription')).toMatchObject({
        Condition: 'HasNotificationEmail',
        Properties: { TopicArn: TOPIC, Protocol: 'email', Endpoint: { Ref: 'NotificationEmail' } },
      });
      expect(decide({ Notifications: 'enabled', NotificationEmail: email }).HasNotificationEmail).toBe(true);
      expect(decide({ Notifications: 'enabled' }).HasNotificationEmail).toBe(false);
      expect(decide({ NotificationEmail: email }).HasNotificationEmail).toBe(false);
      const key = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      const topic = (parameters: Record<string, string>) =>
        resolveIfs(resource('NotificationTopic').Properties, decide({ Notifications: 'enabled', ...parameters }));
      expect(topic({ NotificationKmsKeyArn: key })).toMatchObject({ KmsMasterKeyId: { Ref: 'NotificationKmsKeyArn' } });
      expect(topic({})).not.toHaveProperty('KmsMasterKeyId');
    });

    it.each<[string, string[], string[]]>([
      [
        'NotificationEmail',
        ['', 'security@example.com', 'first.last+ai@sub.example.co.uk'],
        ['security', 'a b@example.com', 'x@example', 'x@@example.com'],
      ],
      [
        'NotificationKmsKeyArn',
        [
          '',
          'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          'arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
        ],
        ['alias/aws/sns', 'arn:aws:kms:us-east-1:123456789012:alias/aws/sns', '1234abcd-12ab-34cd-56ef-1234567890ab'],
      ],
    ])('has a %s pattern that accepts what the topic takes', (name, accepted, refused) => {
      const pattern = new RegExp(String(template.Parameters?.[name]?.AllowedPattern));
      expect(accepted.filter((value) => !pattern.test(value))).toEqual([]);
      expect(refused.filter((value) => pattern.test(value))).toEqual([]);
      expect(template.Parameters?.[name]?.Default).toBe('');
    });
  });

  describe('the Serverless Application Repository metadata', () => {
    const application = template.Metadata?.['AWS::ServerlessRepo::Application'] as Record<string, unknown>;
    const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; license: string };

    it("publishes package.json's version under package.json's license, with the files sam package uploads", () => {
      expect(application.SemanticVersion).toBe(packageJson.version);
      expect(application.SpdxLicenseId).toBe(packageJson.license);
      expect(readFileSync(String(application.LicenseUrl), 'utf8')).toMatch(/^MIT No Attribution\n/);
      expect(readFileSync(String(application.ReadmeUrl), 'utf8')).toMatch(/^# /);
    });

    it('keeps to the limits of the metadata section (AWS SAM Developer Guide)', () => {
      expect(application.Name).toMatch(/^[a-zA-Z0-9-]{1,140}$/);
      expect(application.Author).toMatch(/^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$/);
      expect(String(application.Author).length).toBeLessThanOrEqual(127);
      expect(String(application.Description).length).toBeLessThanOrEqual(256);
      const labels = application.Labels as string[];
      expect(labels.length).toBeLessThanOrEqual(10);
      for (const label of labels) expect(label).toMatch(/^[a-zA-Z0-9+\-_:/@]{1,127}$/);
    });
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
      expect(runbook.schemaVersion).toBe('0.3');
      expect(runbook.assumeRole).toBe('{{ AutomationAssumeRole }}');
      expect(Object.keys(runbook.parameters)).toEqual(['AutomationAssumeRole', 'ResourceId', 'DryRun', 'PolicyName']);
      const [invoke, check] = runbook.mainSteps;
      expect(invoke).toMatchObject({
        action: 'aws:invokeLambdaFunction',
        inputs: { FunctionName: { Ref: 'RemediationFunction' } },
      });
      expect(check).toMatchObject({
        action: 'aws:executeScript',
        inputs: { InputPayload: { Payload: '{{ Remediate.Payload }}' } },
      });
      expect(String(check?.inputs.Script)).toContain("'errorMessage' in result");
    });

    describe('the Payload it builds by text substitution', () => {
      const patterns = Object.fromEntries(
        Object.entries(runbook.parameters).map(([name, parameter]) => [
          name,
          new RegExp(String(parameter.allowedPattern)),
        ]),
      );
      const accepted = (values: RunbookValues) =>
        Object.entries(values).every(([name, value]) => patterns[name]?.test(value) === true);
      const intended = (values: RunbookValues) => ({
        ok: true,
        value: {
          dryRun: values.DryRun === 'true',
          policyName: values.PolicyName,
          resourceId: values.ResourceId === '' ? undefined : values.ResourceId,
        },
      });
      /** What the function would make of the Payload: the request, or why it refused it. */
      const requested = (values: RunbookValues) => {
        try {
          return parseRemediationRequest(JSON.parse(renderPayload(values)));
        } catch (error) {
          return { ok: false, error: String(error) };
        }
      };
      const FINE: RunbookValues = {
        AutomationAssumeRole:
          'arn:aws:iam::123456789012:role/ai-services-opt-out-rule-RemediationAutomationRole-1A2B3C',
        ResourceId: '222222222222',
        DryRun: 'true',
        PolicyName: 'ai-services-opt-out-locked',
      };

      it('gives every parameter an allowedPattern, and the fine values pass them and render faithfully', () => {
        expect(Object.entries(runbook.parameters).filter(([, parameter]) => !parameter.allowedPattern)).toEqual([]);
        expect(accepted(FINE)).toBe(true);
        expect(requested(FINE)).toEqual(intended(FINE));
      });

      it.each<[keyof RunbookValues, string]>([
        ['PolicyName', 'x", "dryRun": false, "policyName": "y'],
        ['PolicyName', 'x", "dryRun": false, "resourceId": "222222222222'],
        ['PolicyName', 'trailing backslash\\'],
        ['PolicyName', 'escaped \\u0022 quote'],
        ['PolicyName', 'a\nnew line'],
        ['PolicyName', 'x'.repeat(129)],
        ['PolicyName', ''],
        ['ResourceId', '222222222222", "dryRun": false, "x": "'],
        ['ResourceId', '22222222222'],
        ['ResourceId', '2222222222222'],
        ['DryRun', 'false, "policyName": "other"'],
        ['DryRun', '"false"'],
        ['DryRun', 'False'],
        ['DryRun', '0'],
        ['DryRun', ''],
        ['AutomationAssumeRole', 'arn:aws:iam::123456789012:role/x", "y'],
        ['AutomationAssumeRole', 'arn:aws:iam::123456789012:role/x\\'],
        ['AutomationAssumeRole', 'arn:aws:iam::123456789012:user/someone'],
        ['AutomationAssumeRole', '*'],
      ])('refuses %s %j by its allowedPattern', (name, value) => {
        expect(patterns[name]?.test(value)).toBe(false);
      });

      it('would have turned a dry run into a real one without the pattern: the case of the issue', () => {
        const hostile = { ...FINE, PolicyName: 'x", "dryRun": false, "policyName": "ai-services-opt-out-locked' };
        expect(accepted(hostile)).toBe(false);
        expect(requested(hostile)).toEqual({
          ok: true,
          value: { dryRun: false, policyName: 'ai-services-opt-out-locked', resourceId: '222222222222' },
        });
      });

      it('renders every combination of values the patterns accept to exactly the request intended', () => {
        // Names of any length from the whole printable ASCII range (quotes and backslashes included), names from
        // U+0000 to U+017F, and names with the runbook's own {{ }} syntax; a seeded generator keeps them repeatable.
        const random = seeded(20_260_530);
        const draw = (count: number, longest: number, from: number, to: number) =>
          Array.from({ length: count }, () =>
            Array.from({ length: 1 + Math.floor(random() * longest) }, () =>
              String.fromCharCode(from + Math.floor(random() * (to - from))),
            ).join(''),
          );
        const names = [
          '{{ DryRun }}',
          '}}, "x": {{',
          ' ',
          'x'.repeat(128),
          ...draw(300, 40, 0x20, 0x7f),
          ...draw(100, 128, 0x20, 0x7f),
          ...draw(100, 8, 0, 0x180),
        ];
        const cases = names.flatMap((PolicyName) =>
          ['true', 'false'].flatMap((DryRun) =>
            ['', '000000000000', '222222222222'].map((ResourceId) => ({ ...FINE, PolicyName, DryRun, ResourceId })),
          ),
        );
        const passing = cases.filter(accepted);
        expect(new Set(passing.map((values) => values.PolicyName)).size).toBeGreaterThan(150);
        expect(
          passing.filter((values) => JSON.stringify(requested(values)) !== JSON.stringify(intended(values))),
        ).toEqual([]);
      });
    });

    it('takes its PolicyName pattern and default from the template parameter, which the remediation accepts', () => {
      const parameter = template.Parameters?.RemediationPolicyName;
      expect(runbook.parameters.PolicyName?.allowedPattern).toBe(POLICY_NAME_PATTERN);
      expect(parameter?.AllowedPattern).toBe(POLICY_NAME_PATTERN);
      expect(runbook.parameters.PolicyName?.default).toEqual({ Ref: 'RemediationPolicyName' });
      expect(new RegExp(POLICY_NAME_PATTERN).test(String(parameter?.Default))).toBe(true);
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

    it('gives the runbook, from AWS Config, exactly its parameters, with values their allowedPatterns accept', () => {
      const parameters = template.Resources.AiOptOutRemediation?.Properties?.Parameters as Record<string, unknown>;
      expect(Object.keys(parameters).sort()).toEqual(Object.keys(runbook.parameters).sort());
      const matches = (name: string, value: string) =>
        new RegExp(String(runbook.parameters[name]?.allowedPattern)).test(value);
      // AWS Config fills RESOURCE_ID with the account id; the role ARN is the stack's, in any partition.
      expect(parameters.ResourceId).toEqual({ ResourceValue: { Value: 'RESOURCE_ID' } });
      expect(matches('ResourceId', '123456789012')).toBe(true);
      expect(parameters.DryRun).toEqual({ StaticValue: { Values: ['false'] } });
      expect(matches('DryRun', 'false')).toBe(true);
      expect(parameters.PolicyName).toEqual({ StaticValue: { Values: [{ Ref: 'RemediationPolicyName' }] } });
      expect(parameters.AutomationAssumeRole).toEqual({
        StaticValue: { Values: [{ 'Fn::GetAtt': ['RemediationAutomationRole', 'Arn'] }] },
      });
      for (const partition of ['aws', 'aws-cn', 'aws-us-gov']) {
        const arn = `arn:${partition}:iam::123456789012:role/ai-services-opt-out-rule-RemediationAutomationRole-1A2B3C`;
        expect([arn, matches('AutomationAssumeRole', arn)]).toEqual([arn, true]);
      }
    });

    describe("the remediation function's role", () => {
      // CloudFormation's own ${AWS::Partition}, not a placeholder of these strings.
      const POLICY_ARN = {
        'Fn::Sub': `arn:\${AWS::Partition}:organizations::*:policy/o-*/aiservices_opt_out_policy/*`,
      };
      const ROOT_ARN = { 'Fn::Sub': `arn:\${AWS::Partition}:organizations::*:root/o-*/r-*` };
      const AI_OPT_OUT = { 'organizations:PolicyType': 'AISERVICES_OPT_OUT_POLICY' };
      const statements = statementsOf('RemediationFunction');

      it('allows on "*" only reads, which take no policy or root of a type (Service Authorization Reference)', () => {
        const onAnything = statements.filter((s) => s.Resource === '*').flatMap((s) => s.Action);
        expect(onAnything.filter((action) => !/^organizations:(Describe|List)\w+$/.test(action))).toEqual([]);
        expect(onAnything).not.toContain('organizations:ListTagsForResource');
      });

      it('scopes every write, and the tag read, to AI opt-out policies and the root, the tag to its mark', () => {
        const mark = { [`aws:RequestTag/${REMEDIATION_OWNER_TAG.key}`]: REMEDIATION_OWNER_TAG.value };
        const marked = { [`aws:ResourceTag/${REMEDIATION_OWNER_TAG.key}`]: REMEDIATION_OWNER_TAG.value };
        expect(statements.filter((s) => s.Resource !== '*')).toEqual([
          {
            Sid: 'ReadTheTagsOfAiOptOutPolicies',
            Effect: 'Allow',
            Action: 'organizations:ListTagsForResource',
            Resource: POLICY_ARN,
            Condition: { StringEquals: AI_OPT_OUT },
          },
          {
            Sid: 'EnableAiOptOutPoliciesOnTheRoot',
            Effect: 'Allow',
            Action: 'organizations:EnablePolicyType',
            Resource: ROOT_ARN,
            Condition: { StringEquals: AI_OPT_OUT },
          },
          {
            Sid: 'CreateAiOptOutPolicies',
            Effect: 'Allow',
            Action: 'organizations:CreatePolicy',
            Resource: POLICY_ARN,
            Condition: { StringEquals: AI_OPT_OUT },
          },
          {
            Sid: 'TagAiOptOutPoliciesWithTheRemediationsMarkOnly',
            Effect: 'Allow',
            Action: 'organizations:TagResource',
            Resource: POLICY_ARN,
            Condition: {
              StringEquals: { ...AI_OPT_OUT, ...mark },
              'ForAllValues:StringEquals': { 'aws:TagKeys': [REMEDIATION_OWNER_TAG.key] },
            },
          },
          {
            Sid: 'UpdateOnlyAiOptOutPoliciesWithTheRemediationsMark',
            Effect: 'Allow',
            Action: 'organizations:UpdatePolicy',
            Resource: POLICY_ARN,
            Condition: { StringEquals: { ...AI_OPT_OUT, ...marked } },
          },
          {
            Sid: 'AttachAiOptOutPoliciesToTheRoot',
            Effect: 'Allow',
            Action: 'organizations:AttachPolicy',
            Resource: [POLICY_ARN, ROOT_ARN],
            Condition: { StringEquals: AI_OPT_OUT },
          },
        ]);
      });

      it.each([
        // The ARN formats of the Service Authorization Reference; the policy is the Organizations User Guide's example.
        ['an AI opt-out policy', 'policy/o-aa111bb222/aiservices_opt_out_policy/p-i9j8k7l6m5', POLICY_ARN, true],
        ['a service control policy', 'policy/o-aa111bb222/service_control_policy/p-i9j8k7l6m5', POLICY_ARN, false],
        ['a tag policy', 'policy/o-aa111bb222/tag_policy/p-i9j8k7l6m5', POLICY_ARN, false],
        ['the root', 'root/o-aa111bb222/r-a1b2', ROOT_ARN, true],
        ['an OU', 'ou/o-aa111bb222/ou-a1b2-33333333', ROOT_ARN, false],
        ['an account', 'account/o-aa111bb222/333333333333', ROOT_ARN, false],
      ])('lets its pattern for %s match: %s', (_, resource, pattern, matches) => {
        const glob = pattern['Fn::Sub'].replace(`\${AWS::Partition}`, 'aws');
        const regex = new RegExp(`^${glob.split('*').map(escapeRegExp).join('.*')}$`);
        expect(regex.test(`arn:aws:organizations::111111111111:${resource}`)).toBe(matches);
      });
    });
  });
});
