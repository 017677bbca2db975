import { readFileSync } from 'node:fs';
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import {
  AccessDeniedException,
  AWSOrganizationsNotInUseException,
  DescribeAccountCommand,
  DescribeEffectivePolicyCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  AccountNotInOrganizationError,
  CrossCheckReadError,
  InvalidEventError,
  MemberRoleError,
  OrganizationNotInUseError,
  OrganizationReadTimeoutError,
  OrganizationsAccessDeniedError,
  OrganizationsThrottledError,
  RuleParameterError,
} from '../../src/errors';
import { handler, PUT_RESERVE_MS } from '../../src/lambda/handler';
import { captureOutput } from '../support/capturedOutput';
import { emfLine } from '../support/emfLine';
import { lambdaContext } from '../support/lambdaContext';
import {
  aiPolicy,
  MANAGEMENT_ID,
  mockOrganization,
  ORG_ID,
  organizationFixture,
  ROOT_ID,
  sdkAccount,
  sdkOrganizationalUnit,
  withAccountPaths,
} from '../support/organizationsMock';
import { optIn, optOut, SEED_000, SEED_004_EXAMPLE_1 } from '../support/policies';

const organizations = mockClient(OrganizationsClient);
const config = mockClient(ConfigServiceClient);
const sts = mockClient(STSClient);

const SANDBOX = 'ou-exam-33333333';
const SANDBOX_ACCOUNT = '333333333333';
const OWN_ACCOUNT = '123456789012';
const context = lambdaContext({
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${OWN_ACCOUNT}:function:ai-services-opt-out-rule-rule`,
});

function eventFile(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`events/${name}`, 'utf8'));
}

/** AWS's effective AI opt-out policy (DescribeEffectivePolicy's PolicyContent) with these values. */
function effectiveContent(values: Record<string, 'optOut' | 'optIn'>): string {
  const services = Object.entries(values).map(([key, value]) => [key, { opt_out_policy: value }]);
  return JSON.stringify({ services: Object.fromEntries(services) });
}

/** What AWS makes of LOCKED for every account, with or without LEX_ON_SANDBOX, which its lock keeps out. */
const DEFAULT_OUT = effectiveContent({ default: 'optOut' });

/**
 * The organization of the examples: management account on the root, one account in a Sandbox OU; AWS's effective
 * policy of each account is `effectivePolicies` (that of LOCKED unless given).
 */
function fixture(
  policies: ReturnType<typeof aiPolicy>[],
  effectivePolicies: Record<string, string | null> = { [MANAGEMENT_ID]: DEFAULT_OUT, [SANDBOX_ACCOUNT]: DEFAULT_OUT },
) {
  return organizationFixture({
    organizationalUnits: { [ROOT_ID]: [sdkOrganizationalUnit(SANDBOX, 'Sandbox')] },
    accounts: {
      [ROOT_ID]: [sdkAccount(MANAGEMENT_ID, { Name: 'management' })],
      [SANDBOX]: [sdkAccount(SANDBOX_ACCOUNT, { Name: 'secret-project-name' })],
    },
    policies,
    effectivePolicies,
  });
}

const LOCKED = aiPolicy('p-lockedoptout', JSON.stringify(SEED_004_EXAMPLE_1), [ROOT_ID]);
const SEED_000_ON_ROOT = aiPolicy('p-seed000optout', JSON.stringify(SEED_000), [ROOT_ID]);
const LEX_ON_SANDBOX = aiPolicy('p-sandboxlexin', JSON.stringify(optIn('lex')), [SANDBOX]);

const output = captureOutput();

beforeEach(() => {
  organizations.reset();
  config.reset();
  sts.reset();
  process.env.ACCOUNT_SCOPE_SHARED_READ_TTL_SECONDS = '0';
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
});

const logLines = output.logLines;

/** How many requests of each Organizations command were sent since the last reset. */
function commandsSent(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of organizations.calls()) {
    const name = call.args[0].constructor.name.replace(/Command$/, '');
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

function putEvaluationsSent() {
  return config.commandCalls(PutEvaluationsCommand).flatMap((call) => call.args[0].input.Evaluations ?? []);
}

describe('handler', () => {
  it('puts one COMPLIANT evaluation per account, the management account included, in test mode', async () => {
    mockOrganization(organizations, fixture([LOCKED, LEX_ON_SANDBOX]));
    const returned = await handler(eventFile('scheduled-testmode.json'), context);
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, { ResultToken: 'TESTMODE', TestMode: true });
    expect(
      putEvaluationsSent().map((e) => [e.ComplianceResourceType, e.ComplianceResourceId, e.ComplianceType]),
    ).toEqual([
      ['AWS::::Account', MANAGEMENT_ID, 'COMPLIANT'],
      ['AWS::::Account', SANDBOX_ACCOUNT, 'COMPLIANT'],
    ]);
    expect(putEvaluationsSent()[0]?.OrderingTimestamp).toEqual(new Date('2026-11-22T08:00:00.000Z'));
    expect(returned).toEqual(putEvaluationsSent());
  });

  it('logs one INFO line with the counts per verdict, and no policy content or account names', async () => {
    mockOrganization(organizations, fixture([SEED_000_ON_ROOT, LEX_ON_SANDBOX]));
    await handler(eventFile('scheduled-testmode.json'), context);
    const lines = logLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'Evaluated the organization',
      service: 'ai-opt-out-config-rule',
      organizationId: ORG_ID,
      compliance: 'NON_COMPLIANT',
      accounts: 2,
      counts: { COMPLIANT: 0, NON_COMPLIANT: 2, NOT_APPLICABLE: 0 },
      testMode: true,
      function_name: 'ai-services-opt-out-rule-rule',
      function_arn: context.invokedFunctionArn,
      function_memory_size: '512',
      function_request_id: 'request-1',
      cold_start: expect.any(Boolean),
      readMode: { mode: 'walk', reason: `account ${MANAGEMENT_ID} has no Paths` },
    });
    const text = output.text();
    expect(text).not.toContain('secret-project-name');
    expect(text).not.toContain('@@assign');
  });

  it('logs that the read placed the accounts by their paths when every account has one', async () => {
    mockOrganization(organizations, withAccountPaths(fixture([LOCKED])));
    await handler(eventFile('scheduled-testmode.json'), context);
    expect(logLines()[0]).toMatchObject({ message: 'Evaluated the organization', readMode: { mode: 'paths' } });
    expect(organizations).not.toHaveReceivedCommand(ListAccountsForParentCommand);
  });

  it('honours the rule parameters of the event', async () => {
    mockOrganization(organizations, fixture([SEED_000_ON_ROOT, LEX_ON_SANDBOX], {}));
    await handler(eventFile('scheduled-with-parameters.json'), context);
    expect(organizations).not.toHaveReceivedCommand(DescribeEffectivePolicyCommand);
    expect(putEvaluationsSent().map((e) => [e.ComplianceResourceId, e.ComplianceType, e.Annotation])).toEqual([
      [
        MANAGEMENT_ID,
        'COMPLIANT',
        'Opted out of all AI services by p-seed000optout on r-exam, locked under default, opt_out_policy.',
      ],
      [
        SANDBOX_ACCOUNT,
        'COMPLIANT',
        'Opted out of all AI services by p-seed000optout on r-exam, locked under default, opt_out_policy. Opted in as allowed: lex.',
      ],
    ]);
  });

  it('puts a real result token without TestMode', async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    await handler({ ...eventFile('scheduled-testmode.json'), resultToken: 'token-from-config' }, context);
    expect(config.commandCalls(PutEvaluationsCommand)[0]?.args[0].input).toEqual(
      expect.not.objectContaining({ TestMode: expect.anything() }),
    );
  });

  it('rejects the malformed event of events/ and puts nothing', async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    const run = handler(eventFile('malformed-invoking-event.json'), context);
    await expect(run).rejects.toThrow(InvalidEventError);
    await expect(run).rejects.toThrow(/^invokingEvent is not valid JSON/);
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
    expect(organizations).not.toHaveReceivedCommand(DescribeOrganizationCommand);
    expect(logLines()[0]).toMatchObject({ level: 'ERROR', message: 'Rejected the event; nothing was put' });
  });

  it('fails on an unknown rule parameter with the list of valid ones, and puts nothing', async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    const event = { ...eventFile('scheduled-testmode.json'), ruleParameters: '{"RequiredLock":"services"}' };
    const run = handler(event, context);
    await expect(run).rejects.toThrow(RuleParameterError);
    await expect(run).rejects.toThrow(
      'Unknown rule parameter "RequiredLock"; valid parameters: RequiredLocks, AllowedOptInServices',
    );
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });

  it.each([
    [
      'access is denied on ListRoots',
      { command: ListRootsCommand, error: new AccessDeniedException({ $metadata: {}, message: 'not authorized' }) },
      OrganizationsAccessDeniedError,
      'Could not read the organization: Access denied to organizations:ListRoots: allow organizations:ListRoots to the rule',
    ],
    [
      'the account is not in an organization',
      {
        command: DescribeOrganizationCommand,
        error: new AWSOrganizationsNotInUseException({ $metadata: {}, message: 'not in use' }),
      },
      OrganizationNotInUseError,
      'Could not read the organization: This account is not in an AWS Organization',
    ],
    [
      'Organizations keeps throttling past the retries',
      {
        command: ListAccountsForParentCommand,
        error: new TooManyRequestsException({ $metadata: { attempts: 10 }, message: 'slow down' }),
      },
      OrganizationsThrottledError,
      'Could not read the organization: Organizations kept throttling organizations:ListAccountsForParent',
    ],
  ] as const)(
    'puts NON_COMPLIANT for the invoking account and fails when %s',
    async (_name, fault, errorClass, annotation) => {
      mockOrganization(organizations, fixture([LOCKED]), { fault });
      await expect(handler(eventFile('scheduled-testmode.json'), context)).rejects.toThrow(errorClass);
      const sent = putEvaluationsSent();
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ ComplianceResourceId: '123456789012', ComplianceType: 'NON_COMPLIANT' });
      expect(sent[0]?.Annotation).toMatch(new RegExp(`^${annotation.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      expect(sent[0]?.Annotation?.length).toBeLessThanOrEqual(256);
      expect(logLines()[0]).toMatchObject({ level: 'ERROR', message: 'Could not read the organization' });
    },
  );

  it('puts NON_COMPLIANT and fails when the read would not leave time to put a result', async () => {
    mockOrganization(organizations, fixture([LOCKED]), { except: [DescribeOrganizationCommand] });
    organizations.on(DescribeOrganizationCommand).callsFake(() => new Promise(() => undefined));
    const shortContext = { ...context, getRemainingTimeInMillis: () => PUT_RESERVE_MS + 20 };
    await expect(handler(eventFile('scheduled-testmode.json'), shortContext)).rejects.toThrow(
      OrganizationReadTimeoutError,
    );
    expect(putEvaluationsSent()).toEqual([
      expect.objectContaining({
        ComplianceResourceId: '123456789012',
        ComplianceType: 'NON_COMPLIANT',
        Annotation: expect.stringContaining('Could not read the organization: Reading the organization did not finish'),
      }),
    ]);
  });

  it('sends no Organizations request after the deadline, while the read would go on paging', async () => {
    mockOrganization(organizations, fixture([LOCKED]), { except: [ListAccountsCommand] });
    // A listing that never ends, a page per turn of the event loop: only the deadline stops the read.
    let pages = 0;
    organizations.on(ListAccountsCommand).callsFake(async () => {
      pages += 1;
      await new Promise((resolve) => setImmediate(resolve));
      return { Accounts: [], NextToken: `accounts-${pages}` };
    });
    const shortContext = { ...context, getRemainingTimeInMillis: () => PUT_RESERVE_MS + 20 };
    await expect(handler(eventFile('scheduled-testmode.json'), shortContext)).rejects.toThrow(
      OrganizationReadTimeoutError,
    );
    const sentBy = (client: typeof organizations | typeof config) => client.calls().length;
    const sentAtPut = sentBy(organizations);
    expect(sentBy(config)).toBe(1);
    for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(sentBy(organizations)).toBe(sentAtPut);
  });

  it('still fails with the read error when the fail-closed result cannot be put either', async () => {
    mockOrganization(organizations, fixture([LOCKED]), {
      fault: { command: ListRootsCommand, error: new AccessDeniedException({ $metadata: {}, message: 'denied' }) },
    });
    config.on(PutEvaluationsCommand).rejects(new Error('Config is down'));
    await expect(handler(eventFile('scheduled-testmode.json'), context)).rejects.toThrow(
      OrganizationsAccessDeniedError,
    );
    expect(logLines().map((line) => line.message)).toEqual([
      'Could not read the organization',
      'Could not put the fail-closed result either',
    ]);
  });
});

describe('handler, metrics and the Lambda context', () => {
  it('publishes the accounts of each compliance type, the Organizations calls, throttled ones and the read duration once', async () => {
    const organization = fixture([LOCKED]);
    mockOrganization(organizations, organization, { except: [DescribeOrganizationCommand] });
    // The SDK needed a second attempt: Organizations throttled the first.
    organizations
      .on(DescribeOrganizationCommand)
      .resolves({ Organization: organization.organization, $metadata: { attempts: 2 } });
    await handler(eventFile('scheduled-testmode.json'), context);
    const published = output.metricLines();
    expect(published).toEqual([
      emfLine([
        ['ReadDuration', 'Milliseconds', expect.any(Number)],
        ['ReadFailures', 'Count', 0],
        ['CompliantAccounts', 'Count', 2],
        ['NonCompliantAccounts', 'Count', 0],
        ['NotApplicableAccounts', 'Count', 0],
        // The read and the cross-check with AWS's effective policy.
        ['OrganizationsCalls', 'Count', organizations.calls().length],
        ['OrganizationsThrottledCalls', 'Count', 1],
      ]),
    ]);
    expect(published[0]?.ReadDuration).toBeGreaterThanOrEqual(0);
    expect(organizations).toHaveReceivedCommand(DescribeEffectivePolicyCommand);
  });

  it('publishes a read failure and the accounts it put NON_COMPLIANT when the read fails closed', async () => {
    mockOrganization(organizations, fixture([LOCKED]), {
      fault: {
        command: ListRootsCommand,
        error: new TooManyRequestsException({ $metadata: { attempts: 10 }, message: 'slow down' }),
      },
    });
    await expect(handler(eventFile('scheduled-testmode.json'), context)).rejects.toThrow(OrganizationsThrottledError);
    expect(putEvaluationsSent()).toEqual([expect.objectContaining({ ComplianceType: 'NON_COMPLIANT' })]);
    const published = output.metricLines();
    expect(published).toEqual([
      emfLine([
        ['ReadDuration', 'Milliseconds', expect.any(Number)],
        ['ReadFailures', 'Count', 1],
        ['CompliantAccounts', 'Count', 0],
        ['NonCompliantAccounts', 'Count', 1],
        ['NotApplicableAccounts', 'Count', 0],
        ['OrganizationsCalls', 'Count', organizations.calls().length],
        ['OrganizationsThrottledCalls', 'Count', 1],
      ]),
    ]);
    expect(published[0]?.ReadDuration).toBeGreaterThanOrEqual(0);
  });

  it('publishes its calls, none, when it rejects the event before any read', async () => {
    await expect(handler(eventFile('malformed-invoking-event.json'), context)).rejects.toThrow(InvalidEventError);
    expect(output.metricLines()).toEqual([
      expect.objectContaining({
        _aws: expect.objectContaining({
          CloudWatchMetrics: [
            {
              Namespace: 'AiOptOutConfigRule',
              Dimensions: [['service']],
              Metrics: [
                { Name: 'OrganizationsCalls', Unit: 'Count' },
                { Name: 'OrganizationsThrottledCalls', Unit: 'Count' },
              ],
            },
          ],
        }),
        OrganizationsCalls: 0,
        OrganizationsThrottledCalls: 0,
      }),
    ]);
  });

  it('counts every Organizations call of a Scope=Account run, DescribeAccount and the path read included', async () => {
    mockOrganization(organizations, withAccountPaths(fixture([LOCKED])));
    // The management account's own rule, so that no member role is needed.
    const central = { ...context, invokedFunctionArn: `arn:aws:lambda:us-east-1:${MANAGEMENT_ID}:function:rule` };
    await handler(
      { ...eventFile('scheduled-testmode.json'), accountId: MANAGEMENT_ID, ruleParameters: '{"Scope":"Account"}' },
      central,
    );
    expect(output.metricLines()).toEqual([
      expect.objectContaining({
        CompliantAccounts: 1,
        NonCompliantAccounts: 0,
        NotApplicableAccounts: 0,
        OrganizationsCalls: organizations.calls().length,
      }),
    ]);
    expect(organizations).toHaveReceivedCommand(DescribeAccountCommand);
  });

  it('logs cold_start true in the first invocation of a container only, as Lambda initializes it on demand', async () => {
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    try {
      // A new container: the handler module loaded afresh. The malformed event needs no AWS client.
      let fresh: typeof handler | undefined;
      jest.isolateModules(() => {
        const loaded: typeof import('../../src/lambda/handler') = require('../../src/lambda/handler');
        fresh = loaded.handler;
      });
      for (const requestId of ['request-1', 'request-2']) {
        await fresh?.(eventFile('malformed-invoking-event.json'), { ...context, awsRequestId: requestId }).catch(
          () => undefined,
        );
      }
    } finally {
      delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    }
    expect(logLines().map((line) => [line.function_request_id, line.cold_start])).toEqual([
      ['request-1', true],
      ['request-2', false],
    ]);
  });
});

describe('handler, results of accounts that left', () => {
  const REAL_TOKEN = { ...eventFile('scheduled-testmode.json'), resultToken: 'token-from-config' };
  const earlier = (...ids: string[]) => ({
    EvaluationResults: ids.map((id) => ({
      EvaluationResultIdentifier: {
        EvaluationResultQualifier: {
          ConfigRuleName: 'ai-services-opt-out',
          ResourceType: 'AWS::::Account',
          ResourceId: id,
        },
      },
    })),
  });

  it('puts NOT_APPLICABLE for accounts with earlier results that are no longer in the organization', async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    config
      .on(GetComplianceDetailsByConfigRuleCommand)
      .resolvesOnce({ ...earlier(MANAGEMENT_ID, '999999999999'), NextToken: 'page-2' })
      .resolvesOnce({ EvaluationResults: [], NextToken: 'page-3' })
      .resolvesOnce(earlier('888888888888', SANDBOX_ACCOUNT));
    await handler(REAL_TOKEN, context);
    expect(config).toHaveReceivedCommandWith(GetComplianceDetailsByConfigRuleCommand, {
      ConfigRuleName: 'ai-services-opt-out',
      ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'],
      NextToken: 'page-3',
    });
    expect(putEvaluationsSent().map((e) => [e.ComplianceResourceId, e.ComplianceType, e.Annotation])).toEqual([
      [MANAGEMENT_ID, 'COMPLIANT', expect.any(String)],
      [SANDBOX_ACCOUNT, 'COMPLIANT', expect.any(String)],
      ['999999999999', 'NOT_APPLICABLE', 'Account 999999999999 is no longer in organization o-exampleorgid.'],
      ['888888888888', 'NOT_APPLICABLE', 'Account 888888888888 is no longer in organization o-exampleorgid.'],
    ]);
    expect(logLines()[0]).toMatchObject({ message: 'Evaluated the organization', put: 2, staleAccounts: 2 });
  });

  it('puts NON_COMPLIANT for every account with an earlier result when the organization cannot be read', async () => {
    mockOrganization(organizations, fixture([LOCKED]), {
      fault: { command: ListRootsCommand, error: new AccessDeniedException({ $metadata: {}, message: 'denied' }) },
    });
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves(earlier(MANAGEMENT_ID, SANDBOX_ACCOUNT, OWN_ACCOUNT));
    await expect(handler(REAL_TOKEN, context)).rejects.toThrow(OrganizationsAccessDeniedError);
    expect(putEvaluationsSent().map((e) => [e.ComplianceResourceId, e.ComplianceType])).toEqual([
      [OWN_ACCOUNT, 'NON_COMPLIANT'],
      [MANAGEMENT_ID, 'NON_COMPLIANT'],
      [SANDBOX_ACCOUNT, 'NON_COMPLIANT'],
    ]);
    expect(putEvaluationsSent()[1]?.Annotation).toMatch(
      /^Could not read the organization: Access denied to organizations:ListRoots/,
    );
  });

  it('puts NON_COMPLIANT for the invoking account alone when earlier results cannot be read either', async () => {
    mockOrganization(organizations, fixture([LOCKED]), {
      fault: { command: ListRootsCommand, error: new AccessDeniedException({ $metadata: {}, message: 'denied' }) },
    });
    config.on(GetComplianceDetailsByConfigRuleCommand).rejects(new Error('Config throttled'));
    await expect(handler(REAL_TOKEN, context)).rejects.toThrow(OrganizationsAccessDeniedError);
    expect(putEvaluationsSent().map((e) => e.ComplianceResourceId)).toEqual([OWN_ACCOUNT]);
  });

  it('does not read earlier results in test mode', async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    await handler(eventFile('scheduled-testmode.json'), context);
    expect(config).not.toHaveReceivedCommand(GetComplianceDetailsByConfigRuleCommand);
  });

  it('still puts the current results, then fails, when earlier results cannot be read', async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    config.on(GetComplianceDetailsByConfigRuleCommand).rejects(new Error('Config throttled'));
    await expect(handler(REAL_TOKEN, context)).rejects.toThrow('Config throttled');
    expect(putEvaluationsSent().map((e) => e.ComplianceResourceId)).toEqual([MANAGEMENT_ID, SANDBOX_ACCOUNT]);
    expect(logLines().map((line) => line.message)).toEqual([
      'Evaluated the organization',
      'Could not read earlier results to clear those of accounts that left',
    ]);
  });
});

describe('handler, Scope=Account for a member account', () => {
  const memberEvent = (fields: Record<string, string> = {}) => ({
    ...eventFile('scheduled-testmode.json'),
    accountId: SANDBOX_ACCOUNT,
    ruleParameters: JSON.stringify({ Scope: 'Account', ...fields }),
  });
  const assumed = {
    Credentials: {
      AccessKeyId: 'ASIAMEMBER',
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  };

  it("puts only the member's evaluation, with credentials of the role in that account", async () => {
    mockOrganization(organizations, fixture([SEED_000_ON_ROOT, LEX_ON_SANDBOX]));
    sts.on(AssumeRoleCommand).resolves(assumed);
    const returned = await handler(memberEvent(), context);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${SANDBOX_ACCOUNT}:role/AiOptOutConfigRulePutEvaluations`,
      RoleSessionName: 'ai-opt-out-config-rule',
    });
    expect(returned.map((e) => [e.ComplianceResourceId, e.ComplianceType])).toEqual([
      [SANDBOX_ACCOUNT, 'NON_COMPLIANT'],
    ]);
    const client = config.commandCalls(PutEvaluationsCommand)[0]?.thisValue as ConfigServiceClient;
    await expect(client.config.credentials()).resolves.toMatchObject({
      accessKeyId: 'ASIAMEMBER',
      sessionToken: 'token',
    });
  });

  it('assumes the role once per account for the life of the container, and uses the role name given', async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    sts.on(AssumeRoleCommand).resolves(assumed);
    const event = memberEvent({ ExecutionRoleName: 'OtherRole' });
    await handler(event, context);
    await handler(event, context);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${SANDBOX_ACCOUNT}:role/OtherRole`,
    });
  });

  it("reads only the member's path, in DescribeAccount and the calls that the root, each node and the policies need", async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    sts.on(AssumeRoleCommand).resolves(assumed);
    const returned = await handler(memberEvent(), context);
    expect(returned.map((e) => [e.ComplianceResourceId, e.ComplianceType])).toEqual([[SANDBOX_ACCOUNT, 'COMPLIANT']]);
    // Without Paths: ListParents up from the account, and the account's parent again after the policies.
    expect(commandsSent()).toEqual({
      DescribeAccount: 1,
      DescribeOrganization: 1,
      ListRoots: 2,
      ListParents: 3,
      ListPoliciesForTarget: 4,
      DescribePolicy: 1,
      ListAccountsWithInvalidEffectivePolicy: 1,
    });
    expect(logLines().at(-1)).toMatchObject({ message: 'Evaluated the organization', accounts: 1, put: 1 });
  });

  it("reads the member's path from the Paths that DescribeAccount sends, without walking ListParents", async () => {
    const withPaths = fixture([LOCKED]);
    const paths = [`${ORG_ID}/${ROOT_ID}/${SANDBOX}/${SANDBOX_ACCOUNT}/`];
    mockOrganization(organizations, {
      ...withPaths,
      accounts: { ...withPaths.accounts, [SANDBOX]: [sdkAccount(SANDBOX_ACCOUNT, { Paths: paths })] },
    });
    sts.on(AssumeRoleCommand).resolves(assumed);
    await handler(memberEvent(), context);
    expect(commandsSent()).toMatchObject({ ListParents: 1 });
  });

  it("shares the organization and the root's last read with the next member run within the TTL", async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    sts.on(AssumeRoleCommand).resolves(assumed);
    // With the TTL at 0 nothing earlier is used, but what this run reads is kept for the next.
    await handler(memberEvent(), context);
    organizations.resetHistory();
    process.env.ACCOUNT_SCOPE_SHARED_READ_TTL_SECONDS = '300';
    await handler(memberEvent(), context);
    expect(commandsSent()).toEqual({
      DescribeAccount: 1,
      ListRoots: 1,
      ListParents: 3,
      ListPoliciesForTarget: 3,
      DescribePolicy: 1,
      ListAccountsWithInvalidEffectivePolicy: 1,
    });
  });

  it('asks DescribeOrganization again in every run while the feature set is not ALL, which can still change', async () => {
    const billing = fixture([LOCKED]);
    mockOrganization(organizations, {
      ...billing,
      organization: { ...billing.organization, FeatureSet: 'CONSOLIDATED_BILLING' },
    });
    sts.on(AssumeRoleCommand).resolves(assumed);
    await handler(memberEvent(), context);
    process.env.ACCOUNT_SCOPE_SHARED_READ_TTL_SECONDS = '300';
    const returned = await handler(memberEvent(), context);
    expect(returned.map((e) => e.ComplianceType)).toEqual(['NON_COMPLIANT']);
    expect(organizations).toHaveReceivedCommandTimes(DescribeOrganizationCommand, 2);
  });

  it('names the role ARN and the trust it needs when the role cannot be assumed, and puts nothing', async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    sts.on(AssumeRoleCommand).rejects(new Error('User is not authorized to perform: sts:AssumeRole'));
    process.env.RULE_FUNCTION_ROLE_ARN = 'arn:aws:iam::123456789012:role/ai-services-opt-out-rule-RuleFunctionRole-ABC';
    const event = memberEvent({ ExecutionRoleName: 'MissingRole' });
    try {
      await expect(handler(event, context)).rejects.toThrow(MemberRoleError);
      await expect(handler(event, context)).rejects.toThrow(
        `Cannot assume arn:aws:iam::${SANDBOX_ACCOUNT}:role/MissingRole: the role must exist in that account (deploy member-role.yaml there, for example with StackSets) and its trust policy must allow sts:AssumeRole to arn:aws:iam::123456789012:role/ai-services-opt-out-rule-RuleFunctionRole-ABC`,
      );
    } finally {
      delete process.env.RULE_FUNCTION_ROLE_ARN;
    }
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
    expect(logLines().at(-1)).toMatchObject({ level: 'ERROR', message: 'Could not put the evaluations' });
  });

  it('refuses an account outside the organization after one DescribeAccount, puts nothing and assumes no role there', async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    sts.on(AssumeRoleCommand).resolves(assumed);
    await expect(handler({ ...memberEvent(), accountId: '777777777777' }, context)).rejects.toThrow(
      AccountNotInOrganizationError,
    );
    expect(organizations.calls()).toHaveLength(1);
    expect(organizations).toHaveReceivedCommandWith(DescribeAccountCommand, { AccountId: '777777777777' });
    expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
    expect(logLines().at(-1)).toMatchObject({
      level: 'WARN',
      message: 'Refused an account outside the organization; nothing was put',
      accountId: '777777777777',
      refusalsInThisContainer: expect.any(Number),
    });
  });

  it('refuses the same outsider again within the TTL without any Organizations call, and counts each refusal', async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    process.env.ACCOUNT_SCOPE_SHARED_READ_TTL_SECONDS = '300';
    const outsider = { ...memberEvent(), accountId: '666666666666' };
    await expect(handler(outsider, context)).rejects.toThrow(AccountNotInOrganizationError);
    const first = logLines().at(-1)?.refusalsInThisContainer;
    await expect(handler(outsider, context)).rejects.toThrow(
      "Account 666666666666 invoked the rule but is not in the rule's organization; nothing was put. Only the organization's accounts are evaluated.",
    );
    expect(organizations.calls()).toHaveLength(1);
    expect(logLines().at(-1)).toMatchObject({ refusalsInThisContainer: Number(first) + 1 });
  });

  it("asks DescribeAccount in every member run, since the account's state and place decide its result", async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    sts.on(AssumeRoleCommand).resolves(assumed);
    process.env.ACCOUNT_SCOPE_SHARED_READ_TTL_SECONDS = '300';
    await handler(memberEvent(), context);
    await handler(memberEvent(), context);
    expect(organizations).toHaveReceivedCommandTimes(DescribeAccountCommand, 2);
  });

  it('puts nothing and fails when DescribeAccount fails for an account no earlier read showed', async () => {
    mockOrganization(organizations, fixture([LOCKED]), {
      fault: {
        command: DescribeAccountCommand,
        error: new AccessDeniedException({ $metadata: {}, message: 'denied' }),
      },
    });
    await expect(handler({ ...memberEvent(), accountId: '555555555555' }, context)).rejects.toThrow(
      'Access denied to organizations:DescribeAccount',
    );
    expect(organizations.calls()).toHaveLength(1);
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
    expect(logLines().map((line) => line.message)).toContain(
      'Put nothing: no earlier read shows the invoking account in the organization',
    );
  });

  it('puts NON_COMPLIANT through the member role when the organization cannot be read, naming nothing else', async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    sts.on(AssumeRoleCommand).resolves(assumed);
    await handler(memberEvent(), context);
    organizations.reset();
    config.resetHistory();
    mockOrganization(organizations, fixture([LOCKED]), {
      fault: { command: ListRootsCommand, error: new AccessDeniedException({ $metadata: {}, message: 'denied' }) },
    });
    await expect(handler(memberEvent(), context)).rejects.toThrow(OrganizationsAccessDeniedError);
    expect(putEvaluationsSent()).toEqual([
      expect.objectContaining({
        ComplianceResourceId: SANDBOX_ACCOUNT,
        ComplianceType: 'NON_COMPLIANT',
        Annotation: `Could not read the organization (OrganizationsAccessDeniedError); the logs of the rule's function in account ${OWN_ACCOUNT} say why.`,
      }),
    ]);
    const client = config.commandCalls(PutEvaluationsCommand)[0]?.thisValue as ConfigServiceClient;
    await expect(client.config.credentials()).resolves.toMatchObject({ accessKeyId: 'ASIAMEMBER' });
  });

  it('puts NON_COMPLIANT for a member that only DescribeAccount has shown when the organization read then fails', async () => {
    const joined = '444444444444';
    const withJoined = fixture([LOCKED]);
    mockOrganization(
      organizations,
      { ...withJoined, accounts: { ...withJoined.accounts, [SANDBOX]: [sdkAccount(joined)] } },
      { fault: { command: ListRootsCommand, error: new AccessDeniedException({ $metadata: {}, message: 'denied' }) } },
    );
    sts.on(AssumeRoleCommand).resolves(assumed);
    await expect(handler({ ...memberEvent(), accountId: joined }, context)).rejects.toThrow(
      OrganizationsAccessDeniedError,
    );
    expect(organizations).toHaveReceivedCommandWith(DescribeAccountCommand, { AccountId: joined });
    expect(putEvaluationsSent()).toEqual([
      expect.objectContaining({ ComplianceResourceId: joined, ComplianceType: 'NON_COMPLIANT' }),
    ]);
  });

  it('reads the root before the path again for a notification created after the shared read began', async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    sts.on(AssumeRoleCommand).resolves(assumed);
    await handler(memberEvent(), context);
    process.env.ACCOUNT_SCOPE_SHARED_READ_TTL_SECONDS = '300';
    const later = JSON.stringify({
      awsAccountId: SANDBOX_ACCOUNT,
      notificationCreationTime: new Date(Date.now() + 60_000).toISOString(),
      messageType: 'ScheduledNotification',
      recordVersion: '1.0',
    });
    organizations.resetHistory();
    await handler({ ...memberEvent(), invokingEvent: later }, context);
    expect(organizations).toHaveReceivedCommandTimes(ListRootsCommand, 2);
    // A notification created before that run's read began: its last root read serves as the read before the path.
    organizations.resetHistory();
    await handler(memberEvent(), context);
    expect(organizations).toHaveReceivedCommandTimes(ListRootsCommand, 1);
  });

  it('refuses Scope=Organization when a member account invokes it, and puts nothing', async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    const event = { ...eventFile('scheduled-testmode.json'), accountId: SANDBOX_ACCOUNT };
    await expect(handler(event, context)).rejects.toThrow(
      `Scope=Organization puts every account's result from the function's own account ${OWN_ACCOUNT}, but account ${SANDBOX_ACCOUNT} invoked it: set Scope=Account for organization rules and conformance packs`,
    );
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
    expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
  });

  it('evaluates the central account itself without assuming a role', async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    const central = { ...context, invokedFunctionArn: `arn:aws:lambda:us-east-1:${MANAGEMENT_ID}:function:rule` };
    const event = {
      ...eventFile('scheduled-testmode.json'),
      accountId: MANAGEMENT_ID,
      ruleParameters: '{"Scope":"Account"}',
    };
    const returned = await handler(event, central);
    expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
    expect(returned.map((e) => [e.ComplianceResourceId, e.ComplianceType])).toEqual([[MANAGEMENT_ID, 'COMPLIANT']]);
  });

  it('fails on a function ARN it cannot read', async () => {
    mockOrganization(organizations, fixture([LOCKED]));
    await expect(
      handler(eventFile('scheduled-testmode.json'), { ...context, invokedFunctionArn: 'local' }),
    ).rejects.toThrow('Cannot read the account of the function ARN "local"');
  });
});

describe("handler, cross-check with AWS's effective policy", () => {
  const LEX_OUT_ON_SANDBOX = aiPolicy('p-sandboxlexout', JSON.stringify(optOut('lex')), [SANDBOX]);
  /** Seed 000 on the root and two Sandbox policies that set lex differently, under RequiredLocks the root meets. */
  const CONFLICT = [SEED_000_ON_ROOT, LEX_ON_SANDBOX, LEX_OUT_ON_SANDBOX];
  const withParameters = (parameters: Record<string, string>) => ({
    ...eventFile('scheduled-testmode.json'),
    ruleParameters: JSON.stringify({ RequiredLocks: 'default,opt_out_policy', ...parameters }),
  });
  const askedAbout = () =>
    organizations.commandCalls(DescribeEffectivePolicyCommand).map((call) => call.args[0].input.TargetId);
  const verdicts = () => putEvaluationsSent().map((e) => [e.ComplianceResourceId, e.ComplianceType, e.Annotation]);

  it('asks AWS about one account per distinct policy path, and keeps the decisions AWS agrees with', async () => {
    mockOrganization(organizations, fixture([LOCKED, LEX_ON_SANDBOX]));
    await handler(eventFile('scheduled-testmode.json'), context);
    expect(askedAbout().sort()).toEqual([MANAGEMENT_ID, SANDBOX_ACCOUNT]);
    expect(organizations).toHaveReceivedCommandWith(DescribeEffectivePolicyCommand, {
      PolicyType: 'AISERVICES_OPT_OUT_POLICY',
    });
    expect(putEvaluationsSent().map((e) => e.ComplianceType)).toEqual(['COMPLIANT', 'COMPLIANT']);
    expect(logLines()).toEqual([
      expect.objectContaining({
        level: 'INFO',
        crossCheck: { asked: 2, agreed: 2, disagreed: 0, settled: 0, failed: 0, conflictsLeftOut: 0 },
      }),
    ]);
  });

  it('puts NON_COMPLIANT where AWS disagrees, and logs an ERROR with the account, the key and both values', async () => {
    mockOrganization(
      organizations,
      fixture([LOCKED, LEX_ON_SANDBOX], {
        [MANAGEMENT_ID]: DEFAULT_OUT,
        [SANDBOX_ACCOUNT]: effectiveContent({ default: 'optOut', lex: 'optIn' }),
      }),
    );
    await handler(eventFile('scheduled-testmode.json'), context);
    expect(verdicts()).toEqual([
      [MANAGEMENT_ID, 'COMPLIANT', expect.any(String)],
      [
        SANDBOX_ACCOUNT,
        'NON_COMPLIANT',
        "Model and AWS disagree on account 333333333333: lex: AWS optIn, this rule optOut via p-lockedoptout on r-exam. This rule misreads AWS's merge here: report it with the function's logs; until then the account counts as not opted out.",
      ],
    ]);
    const [error, info] = logLines();
    expect(error).toMatchObject({
      level: 'ERROR',
      message: "AWS's effective policy disagrees with this rule's reading of the policies: it misreads AWS's merge",
      disagreements: [
        {
          kind: 'disagreed',
          accountId: SANDBOX_ACCOUNT,
          reason: {
            kind: 'modelDisagreesWithAws',
            differences: [
              { key: 'lex', aws: 'optIn', model: { kind: 'optOut', policyId: 'p-lockedoptout', targetId: ROOT_ID } },
            ],
          },
        },
      ],
    });
    expect(info).toMatchObject({ level: 'INFO', compliance: 'NON_COMPLIANT', crossCheck: { disagreed: 1 } });
  });

  it("settles a conflict that is an account's only doubt with AWS's value", async () => {
    mockOrganization(
      organizations,
      fixture(CONFLICT, {
        [SANDBOX_ACCOUNT]: effectiveContent({ default: 'optOut', lex: 'optOut' }),
        [MANAGEMENT_ID]: DEFAULT_OUT,
      }),
    );
    await handler(withParameters({}), context);
    expect(verdicts()).toEqual([
      [MANAGEMENT_ID, 'COMPLIANT', expect.any(String)],
      [
        SANDBOX_ACCOUNT,
        'COMPLIANT',
        "Opted out of all AI services per AWS's effective policy of account 333333333333, which settles what p-sandboxlexin, p-sandboxlexout on ou-exam-33333333 set differently: lex optOut. Make those policies agree, so that they alone prove it.",
      ],
    ]);
    expect(logLines()[0]).toMatchObject({ crossCheck: { asked: 2, agreed: 1, settled: 1 } });
  });

  it('asks nothing and leaves a conflict NON_COMPLIANT when CrossCheckAccounts is 0', async () => {
    mockOrganization(organizations, fixture(CONFLICT, {}));
    await handler(withParameters({ CrossCheckAccounts: '0' }), context);
    expect(organizations).not.toHaveReceivedCommand(DescribeEffectivePolicyCommand);
    expect(verdicts()[1]).toEqual([
      SANDBOX_ACCOUNT,
      'NON_COMPLIANT',
      'Unknown: lex: p-sandboxlexin, p-sandboxlexout on ou-exam-33333333 set different values; AWS picks by attachment order, which no API returns.',
    ]);
    expect(logLines()[0]).toMatchObject({ crossCheck: { asked: 0, conflictsLeftOut: 1 } });
  });

  it('puts the decisions as they stand and then fails when AWS cannot be asked, a conflict staying NON_COMPLIANT', async () => {
    mockOrganization(organizations, fixture(CONFLICT, {}), {
      fault: {
        command: DescribeEffectivePolicyCommand,
        error: new AccessDeniedException({ $metadata: {}, message: 'not authorized' }),
      },
    });
    const run = handler(withParameters({}), context);
    await expect(run).rejects.toThrow(CrossCheckReadError);
    await expect(run).rejects.toThrow(
      "Could not read AWS's effective AI opt-out policy (organizations:DescribeEffectivePolicy) of 2 account(s) (111111111111, 333333333333), so they were not cross-checked: their results stand as the policies alone decide them, and a conflict stays NON_COMPLIANT. The first failure: Access denied to organizations:DescribeEffectivePolicy",
    );
    expect(putEvaluationsSent().map((e) => [e.ComplianceResourceId, e.ComplianceType])).toEqual([
      [MANAGEMENT_ID, 'COMPLIANT'],
      [SANDBOX_ACCOUNT, 'NON_COMPLIANT'],
    ]);
    expect(logLines().map((line) => [line.level, line.message])).toEqual([
      ['ERROR', 'Could not cross-check some accounts; their results stand as decided'],
      ['INFO', 'Evaluated the organization'],
    ]);
  });

  it("with Scope=Account settles only the invoking member's own conflict, and samples nobody", async () => {
    mockOrganization(
      organizations,
      fixture(CONFLICT, {
        [SANDBOX_ACCOUNT]: effectiveContent({ default: 'optOut', lex: 'optOut' }),
        [MANAGEMENT_ID]: DEFAULT_OUT,
      }),
    );
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAMEMBER',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    const member = { ...eventFile('scheduled-testmode.json'), accountId: SANDBOX_ACCOUNT };
    await handler(
      { ...member, ruleParameters: '{"Scope":"Account","RequiredLocks":"default,opt_out_policy"}' },
      context,
    );
    expect(askedAbout()).toEqual([SANDBOX_ACCOUNT]);
    expect(putEvaluationsSent()).toEqual([
      expect.objectContaining({ ComplianceResourceId: SANDBOX_ACCOUNT, ComplianceType: 'COMPLIANT' }),
    ]);
    // The management account has no conflict: a member's run holds one path, so it samples nobody.
    organizations.resetHistory();
    await handler(
      {
        ...member,
        accountId: MANAGEMENT_ID,
        ruleParameters: '{"Scope":"Account","RequiredLocks":"default,opt_out_policy"}',
      },
      context,
    );
    expect(askedAbout()).toEqual([]);
  });
});
