import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { cliEnvironment } from '../support/builtCli';
import { buildMotoOrganization, type MotoOrganization, type MotoOrganizationSpec } from '../support/motoOrganization';
import { describeWithMoto, MOTO_TEST_TIMEOUT_MS, motoClientConfig } from '../support/motoServer';
import { optIn, SEED_000, SEED_004_EXAMPLE_1 } from '../support/policies';

const REPO_ROOT = resolve(__dirname, '..', '..');

/** The invoking account of every event in events/: moto's management account. */
const MANAGEMENT_ACCOUNT_ID = '123456789012';

const SCHEDULED_TESTMODE = 'events/scheduled-testmode.json';
const SCHEDULED_WITH_PARAMETERS = 'events/scheduled-with-parameters.json';
const MALFORMED_INVOKING_EVENT = 'events/malformed-invoking-event.json';

/** The X-Amz-Target of Config's PutEvaluations (JSON 1.1 protocol). */
const PUT_EVALUATIONS_TARGET = 'StarlingDoveService.PutEvaluations';
/** The X-Amz-Target of an Organizations call that moto lacks and scripts/moto-gaps-proxy.mjs answers. */
const LIST_INVALID_TARGET = 'AWSOrganizationsV20161128.ListAccountsWithInvalidEffectivePolicy';
/** The X-Amz-Target of the other call moto lacks, which the gap-filler refuses at once. */
const DESCRIBE_EFFECTIVE_POLICY_TARGET = 'AWSOrganizationsV20161128.DescribeEffectivePolicy';

/** A generous bound so that a slow machine does not fail the build; nothing here asserts a duration. */
const BUILD_TIMEOUT_MS = 120_000;

const LOCKED_CONTENT = JSON.stringify(SEED_004_EXAMPLE_1, null, 2);
const SEED_000_CONTENT = JSON.stringify(SEED_000);

/** (a) Seed 004 Example 1 on the root; nested OUs; accounts in OUs and under the root; one closed account. */
const LOCKED_ORGANIZATION: MotoOrganizationSpec = {
  organizationalUnits: [{ name: 'Workloads', children: [{ name: 'Prod' }] }, { name: 'Security' }],
  accounts: [
    { name: 'prod-app', parent: 'Prod' },
    { name: 'security-tooling', parent: 'Security' },
    { name: 'shared-services' },
    { name: 'retired-app', parent: 'Workloads', closed: true },
  ],
  policies: [{ name: 'org-opt-out-locked', content: LOCKED_CONTENT, attachedTo: ['root'] }],
};

/** (b) Seed 000 on the root: no lock under services. */
const SEED_000_ORGANIZATION: MotoOrganizationSpec = {
  organizationalUnits: [{ name: 'Workloads' }],
  accounts: [{ name: 'workload-app', parent: 'Workloads' }, { name: 'shared-services' }],
  policies: [{ name: 'org-opt-out-seed-000', content: SEED_000_CONTENT, attachedTo: ['root'] }],
};

/** (c) Seed 000 on the root and lex opted in on the Sandbox OU. */
const LEX_OPT_IN_ORGANIZATION: MotoOrganizationSpec = {
  organizationalUnits: [{ name: 'Workloads' }, { name: 'Sandbox' }],
  accounts: [
    { name: 'workload-app', parent: 'Workloads' },
    { name: 'sandbox-dev', parent: 'Sandbox' },
  ],
  policies: [
    { name: 'org-opt-out-seed-000', content: SEED_000_CONTENT, attachedTo: ['root'] },
    { name: 'sandbox-lex-in', content: JSON.stringify(optIn('lex')), attachedTo: [{ ou: 'Sandbox' }] },
  ],
};

/** (d) The AI opt-out policy type is not enabled on the root; the locked policy exists but is attached nowhere. */
const NOT_ENABLED_ORGANIZATION: MotoOrganizationSpec = {
  aiOptOutPolicyTypeEnabled: false,
  organizationalUnits: [{ name: 'Workloads' }],
  accounts: [{ name: 'workload-app', parent: 'Workloads' }],
  policies: [{ name: 'org-opt-out-locked', content: LOCKED_CONTENT }],
};

interface InvokeOutcome {
  readonly exitCode: number | null;
  /** Powertools log lines (one JSON object a line) from stdout and stderr. */
  readonly logs: readonly unknown[];
  /** Powertools metrics (EMF: one JSON object with `_aws` a line) from stdout. */
  readonly metrics: readonly unknown[];
  /** The raw log lines, to check what they leave out. */
  readonly rawLogs: readonly string[];
  /** What invoke.mjs printed on stdout besides log lines, parsed: the evaluations; undefined when it printed none. */
  readonly result: unknown;
  /** What stderr holds besides log lines. */
  readonly stderrLines: readonly string[];
}

interface Output {
  readonly logs: unknown[];
  readonly metrics: unknown[];
  readonly rawLogs: string[];
  readonly other: string[];
}

/**
 * Separates Powertools' log lines and metrics (a JSON object on one line, starting at column 0; metrics hold `_aws`)
 * from the rest. invoke.mjs pretty-prints the evaluations as an array, so none of its lines starts with "{".
 */
function splitOutput(text: string): Output {
  const output: Output = { logs: [], metrics: [], rawLogs: [], other: [] };
  for (const line of text.split('\n')) {
    if (line.startsWith('{"_aws"')) {
      output.metrics.push(JSON.parse(line));
    } else if (line.startsWith('{')) {
      output.rawLogs.push(line);
      output.logs.push(JSON.parse(line));
    } else if (line !== '') {
      output.other.push(line);
    }
  }
  return output;
}

/** The environment of one invoke: the built CLI's (dummy credentials, every AWS call to `endpoint`), and the Lambda's. */
function invokeEnvironment(endpoint: string): NodeJS.ProcessEnv {
  return cliEnvironment(endpoint, {
    AWS_REGION: 'us-east-1',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // On Node 20 the SDK prints a multi-line NodeVersionSupportWarning on stderr; the Lambda runs nodejs24.x.
    NODE_NO_WARNINGS: '1',
  });
}

/** The invoke processes still running; a test that ends, even by its timeout, kills what it left. */
const running = new Set<ChildProcess>();

async function killRunning(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((done) => {
          child.once('close', () => done());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Runs `node scripts/invoke.mjs <eventFile>` against `endpoint` and waits for it to exit. */
function invoke(eventFile: string, endpoint: string): Promise<InvokeOutcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join('scripts', 'invoke.mjs'), eventFile], {
      cwd: REPO_ROOT,
      env: invokeEnvironment(endpoint),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (exitCode) => {
      running.delete(child);
      try {
        const out = splitOutput(stdout);
        const err = splitOutput(stderr);
        resolvePromise({
          exitCode,
          logs: [...out.logs, ...err.logs],
          metrics: out.metrics,
          rawLogs: [...out.rawLogs, ...err.rawLogs],
          result: out.other.length === 0 ? undefined : JSON.parse(out.other.join('\n')),
          stderrLines: err.other,
        });
      } catch (error) {
        reject(new Error(`cannot parse the invoke's output: ${String(error)}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      }
    });
  });
}

/** The invokingEvent's notificationCreationTime of an event file: the OrderingTimestamp of every evaluation. */
function notificationCreationTimeOf(eventFile: string): string {
  const event: unknown = JSON.parse(readFileSync(join(REPO_ROOT, eventFile), 'utf8'));
  const invokingEvent = typeof event === 'object' && event !== null && 'invokingEvent' in event && event.invokingEvent;
  if (typeof invokingEvent !== 'string') throw new Error(`${eventFile} has no invokingEvent string`);
  const parsed: unknown = JSON.parse(invokingEvent);
  const time =
    typeof parsed === 'object' && parsed !== null && 'notificationCreationTime' in parsed
      ? parsed.notificationCreationTime
      : undefined;
  if (typeof time !== 'string') throw new Error(`${eventFile} has no notificationCreationTime`);
  return time;
}

/** One expected evaluation: account id, ComplianceType, Annotation (a string or an asymmetric matcher). */
type Verdict = readonly [accountId: string, complianceType: string, annotation: unknown];

function toEvaluations(verdicts: readonly Verdict[], orderingTimestamp: string | number): object[] {
  return verdicts.map(([accountId, complianceType, annotation]) => ({
    ComplianceResourceType: 'AWS::::Account',
    ComplianceResourceId: accountId,
    ComplianceType: complianceType,
    Annotation: annotation,
    OrderingTimestamp: orderingTimestamp,
  }));
}

/** The evaluations as the handler returns them and invoke.mjs prints them: OrderingTimestamp in ISO 8601. */
function returnedEvaluations(eventFile: string, verdicts: readonly Verdict[]): object[] {
  return toEvaluations(verdicts, notificationCreationTimeOf(eventFile));
}

/** The evaluations as the SDK sends them to PutEvaluations (JSON 1.1): OrderingTimestamp in epoch seconds. */
function sentEvaluations(eventFile: string, verdicts: readonly Verdict[]): object[] {
  return toEvaluations(verdicts, Date.parse(notificationCreationTimeOf(eventFile)) / 1000);
}

function everyAccount(org: MotoOrganization): string[] {
  return [org.managementAccountId, ...Object.values(org.accountIds)];
}

describeWithMoto('the built Lambda handler against moto_server', (moto) => {
  let builder: OrganizationsClient;

  /** The PutEvaluations requests the function sent since the last reset, parsed. */
  const putRequests = (): unknown[] =>
    moto()
      .requests.filter((request) => request.target === PUT_EVALUATIONS_TARGET)
      .map(({ body }) => JSON.parse(body));

  /** Checks that the function returned `verdicts` (in any order) and sent exactly those in one TestMode put. */
  const expectEvaluations = (outcome: InvokeOutcome, eventFile: string, verdicts: readonly Verdict[]): void => {
    expect(outcome.stderrLines).toEqual([]);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.result).toHaveLength(verdicts.length);
    expect(outcome.result).toEqual(expect.arrayContaining(returnedEvaluations(eventFile, verdicts)));
    const puts = putRequests();
    expect(puts).toEqual([
      {
        ResultToken: 'TESTMODE',
        TestMode: true,
        Evaluations: expect.arrayContaining(sentEvaluations(eventFile, verdicts)),
      },
    ]);
    expect(puts[0]).toHaveProperty('Evaluations.length', verdicts.length);
  };

  /** The INFO line the handler logs after a put: counts per verdict, and nothing from policies or account names. */
  const expectSummaryLog = (
    outcome: InvokeOutcome,
    org: MotoOrganization,
    spec: MotoOrganizationSpec,
    counts: Readonly<Record<'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE', number>>,
  ): void => {
    const summary = {
      level: 'INFO',
      message: 'Evaluated the organization',
      service: 'ai-opt-out-config-rule',
      organizationId: org.organizationId,
      compliance: counts.NON_COMPLIANT === 0 ? 'COMPLIANT' : 'NON_COMPLIANT',
      accounts: counts.COMPLIANT + counts.NON_COMPLIANT + counts.NOT_APPLICABLE,
      counts,
      unreadablePolicies: [],
      testMode: true,
    };
    expect(outcome.logs).toEqual([expect.objectContaining(summary)]);
    const [line = ''] = outcome.rawLogs;
    // moto names the management account "master".
    const names = ['master', ...(spec.accounts ?? []).map((account) => account.name)];
    for (const name of names) expect(line).not.toContain(name);
    for (const policyText of ['@@', 'opt_out_policy', 'optOut', 'optIn', 'services']) {
      expect(line).not.toContain(policyText);
    }
  };

  beforeAll(() => {
    execFileSync(process.execPath, [join('scripts', 'build.mjs')], { cwd: REPO_ROOT, stdio: 'pipe' });
  }, BUILD_TIMEOUT_MS);
  beforeEach(() => {
    builder = new OrganizationsClient(motoClientConfig(moto().endpoint));
  });
  afterEach(async () => {
    builder.destroy();
    await killRunning();
  });

  it(
    'puts COMPLIANT for every active account of a fully locked organization, the management account included, and NOT_APPLICABLE for a closed one',
    async () => {
      const org = await buildMotoOrganization(builder, LOCKED_ORGANIZATION);
      const built = moto().requests.length;

      // CrossCheckAccounts=0: moto has no DescribeEffectivePolicy (the next test shows what the default does).
      const outcome = await invoke(SCHEDULED_WITH_PARAMETERS, moto().endpoint);

      const compliant = `Opted out of all AI services by ${org.policyId('org-opt-out-locked')} on ${org.rootId}, locked under services, default, opt_out_policy.`;
      const closed = org.accountId('retired-app');
      expectEvaluations(outcome, SCHEDULED_WITH_PARAMETERS, [
        ...everyAccount(org)
          .filter((id) => id !== closed)
          .map((id): Verdict => [id, 'COMPLIANT', compliant]),
        // moto closes an account at once (SUSPENDED); AWS shows PENDING_CLOSURE first, which is NOT_APPLICABLE too.
        [closed, 'NOT_APPLICABLE', 'Account is SUSPENDED, so it is not evaluated.'],
      ]);
      expect(outcome.result).toContainEqual(expect.objectContaining({ ComplianceResourceId: MANAGEMENT_ACCOUNT_ID }));
      expectSummaryLog(outcome, org, LOCKED_ORGANIZATION, { COMPLIANT: 4, NON_COMPLIANT: 0, NOT_APPLICABLE: 1 });
      const organizationsRequests = moto()
        .requests.slice(built)
        .filter((request) => request.target?.startsWith('AWSOrganizationsV20161128.'));
      expect(outcome.metrics).toEqual([
        expect.objectContaining({
          service: 'ai-opt-out-config-rule',
          CompliantAccounts: 4,
          NonCompliantAccounts: 0,
          NotApplicableAccounts: 1,
          ReadFailures: 0,
          OrganizationsCalls: organizationsRequests.length,
          OrganizationsThrottledCalls: 0,
        }),
      ]);
      // The built function asked which accounts have an invalid effective policy, before and after the tree; the
      // gap-filler answered none.
      expect(moto().requests.filter((request) => request.target === LIST_INVALID_TARGET)).toHaveLength(2);
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'with the default CrossCheckAccounts, puts every result as decided and then fails, since moto has no DescribeEffectivePolicy',
    async () => {
      const org = await buildMotoOrganization(builder, LOCKED_ORGANIZATION);

      const outcome = await invoke(SCHEDULED_TESTMODE, moto().endpoint);

      expect(outcome.exitCode).toBe(1);
      expect(outcome.stderrLines).toEqual([
        expect.stringMatching(
          /^invoke: the function failed: CrossCheckReadError: Could not read AWS's effective AI opt-out policy \(organizations:DescribeEffectivePolicy\) of 1 account\(s\) .* moto does not implement DescribeEffectivePolicy/,
        ),
      ]);
      // Every account of the locked organization has the same policies: one stands for all (the lowest id), asked
      // once, as the SDK does not retry the gap-filler's UnknownOperationException.
      const closed = org.accountId('retired-app');
      const [sampled] = everyAccount(org)
        .filter((id) => id !== closed)
        .sort();
      const asked = moto().requests.filter((request) => request.target === DESCRIBE_EFFECTIVE_POLICY_TARGET);
      expect(asked.map((request) => JSON.parse(request.body))).toEqual([
        { PolicyType: 'AISERVICES_OPT_OUT_POLICY', TargetId: sampled },
      ]);
      expect(putRequests()).toEqual([
        {
          ResultToken: 'TESTMODE',
          TestMode: true,
          Evaluations: expect.arrayContaining(
            sentEvaluations(SCHEDULED_TESTMODE, [
              ...everyAccount(org)
                .filter((id) => id !== closed)
                .map((id): Verdict => [id, 'COMPLIANT', expect.stringMatching(/^Opted out of all AI services by /)]),
              [closed, 'NOT_APPLICABLE', 'Account is SUSPENDED, so it is not evaluated.'],
            ]),
          ),
        },
      ]);
      // The test reads stdout (INFO) before stderr (ERROR).
      expect(outcome.logs).toEqual([
        expect.objectContaining({
          level: 'INFO',
          message: 'Evaluated the organization',
          compliance: 'COMPLIANT',
          crossCheck: { asked: 1, agreed: 0, disagreed: 0, settled: 0, failed: 1, conflictsLeftOut: 0 },
        }),
        expect.objectContaining({
          level: 'ERROR',
          message: 'Could not cross-check some accounts; their results stand as decided',
          error: expect.objectContaining({ name: 'CrossCheckReadError', accountIds: [sampled] }),
        }),
      ]);
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'puts NON_COMPLIANT for every account when the root carries seed 000, which does not lock services',
    async () => {
      const org = await buildMotoOrganization(builder, SEED_000_ORGANIZATION);

      const outcome = await invoke(SCHEDULED_TESTMODE, moto().endpoint);

      const notLocked = `Not locked: no ["@@none"] under services in the root's AI opt-out policies (${org.policyId('org-opt-out-seed-000')}), so a child policy can opt a service in.`;
      expectEvaluations(
        outcome,
        SCHEDULED_TESTMODE,
        everyAccount(org).map((id): Verdict => [id, 'NON_COMPLIANT', notLocked]),
      );
      expectSummaryLog(outcome, org, SEED_000_ORGANIZATION, { COMPLIANT: 0, NON_COMPLIANT: 3, NOT_APPLICABLE: 0 });
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'puts COMPLIANT for every account when an OU opts lex in and the rule parameters allow lex and require no services lock',
    async () => {
      const org = await buildMotoOrganization(builder, LEX_OPT_IN_ORGANIZATION);

      const outcome = await invoke(SCHEDULED_WITH_PARAMETERS, moto().endpoint);

      const compliant = `Opted out of all AI services by ${org.policyId('org-opt-out-seed-000')} on ${org.rootId}, locked under default, opt_out_policy.`;
      expectEvaluations(outcome, SCHEDULED_WITH_PARAMETERS, [
        [org.managementAccountId, 'COMPLIANT', compliant],
        [org.accountId('workload-app'), 'COMPLIANT', compliant],
        [org.accountId('sandbox-dev'), 'COMPLIANT', `${compliant} Opted in as allowed: lex.`],
      ]);
      expectSummaryLog(outcome, org, LEX_OPT_IN_ORGANIZATION, { COMPLIANT: 3, NON_COMPLIANT: 0, NOT_APPLICABLE: 0 });
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'puts NON_COMPLIANT for every account when an OU opts lex in under seed 000 and the default parameters require the services lock, naming the opt-in where it got through',
    async () => {
      const org = await buildMotoOrganization(builder, LEX_OPT_IN_ORGANIZATION);

      const outcome = await invoke(SCHEDULED_TESTMODE, moto().endpoint);

      const notLocked = `Not locked: no ["@@none"] under services in the root's AI opt-out policies (${org.policyId('org-opt-out-seed-000')}), so a child policy can opt a service in.`;
      const optedIn = `Opted in: lex via ${org.policyId('sandbox-lex-in')} on ${org.ouId('Sandbox')}. ${notLocked}`;
      expectEvaluations(
        outcome,
        SCHEDULED_TESTMODE,
        everyAccount(org).map(
          (id): Verdict => [id, 'NON_COMPLIANT', id === org.accountId('sandbox-dev') ? optedIn : notLocked],
        ),
      );
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'puts NON_COMPLIANT for every account when the AI opt-out policy type is not enabled',
    async () => {
      const org = await buildMotoOrganization(builder, NOT_ENABLED_ORGANIZATION);

      const outcome = await invoke(SCHEDULED_TESTMODE, moto().endpoint);

      const notEnabled = `Not enabled: AISERVICES_OPT_OUT_POLICY is not enabled on root ${org.rootId}, so no AI opt-out policy applies. Enable it on the root.`;
      expectEvaluations(
        outcome,
        SCHEDULED_TESTMODE,
        everyAccount(org).map((id): Verdict => [id, 'NON_COMPLIANT', notEnabled]),
      );
      expectSummaryLog(outcome, org, NOT_ENABLED_ORGANIZATION, { COMPLIANT: 0, NON_COMPLIANT: 2, NOT_APPLICABLE: 0 });
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'puts NON_COMPLIANT for the invoking account and fails when the account is not in an organization',
    async () => {
      const outcome = await invoke(SCHEDULED_TESTMODE, moto().endpoint);

      expect(outcome.exitCode).toBe(1);
      expect(outcome.result).toBeUndefined();
      expect(outcome.stderrLines).toEqual([
        expect.stringMatching(/^invoke: the function failed: OrganizationNotInUseError: .*not in an AWS Organization/),
      ]);
      expect(outcome.logs).toEqual([
        expect.objectContaining({
          level: 'ERROR',
          message: 'Could not read the organization',
          error: expect.objectContaining({
            name: 'OrganizationNotInUseError',
            cause: expect.objectContaining({ name: 'AWSOrganizationsNotInUseException' }),
          }),
        }),
        expect.objectContaining({
          level: 'WARN',
          message: 'Put NON_COMPLIANT for the accounts the failed read leaves unproven',
          accounts: [MANAGEMENT_ACCOUNT_ID],
        }),
      ]);
      // The fail-closed result, also seen on the wire, since TestMode keeps nothing.
      expect(putRequests()).toEqual([
        {
          ResultToken: 'TESTMODE',
          TestMode: true,
          Evaluations: sentEvaluations(SCHEDULED_TESTMODE, [
            [
              MANAGEMENT_ACCOUNT_ID,
              'NON_COMPLIANT',
              expect.stringMatching(/^Could not read the organization: This account is not in an AWS Organization/),
            ],
          ]),
        },
      ]);
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'rejects an event whose invokingEvent is not JSON with one line on stderr, and the function sends no request',
    async () => {
      await buildMotoOrganization(builder, LOCKED_ORGANIZATION);
      const built = moto().requests.length;

      const outcome = await invoke(MALFORMED_INVOKING_EVENT, moto().endpoint);

      expect(outcome.exitCode).toBe(1);
      expect(outcome.result).toBeUndefined();
      expect(outcome.stderrLines).toEqual([
        expect.stringMatching(/^invoke: the function failed: InvalidEventError: invokingEvent is not valid JSON/),
      ]);
      expect(outcome.logs).toEqual([
        expect.objectContaining({ level: 'ERROR', message: 'Rejected the event; nothing was put' }),
      ]);
      // invoke.mjs asks STS who the local credentials are, to build the function ARN; the function asks nothing.
      expect(
        moto()
          .requests.slice(built)
          .filter((request) => !request.body.startsWith('Action=GetCallerIdentity&')),
      ).toEqual([]);
    },
    MOTO_TEST_TIMEOUT_MS,
  );
  it(
    'refuses an account outside the organization after one DescribeAccount, without reading the organization or putting anything',
    async () => {
      await buildMotoOrganization(builder, LOCKED_ORGANIZATION);
      const built = moto().requests.length;
      const directory = mkdtempSync(join(tmpdir(), 'outsider-event-'));
      try {
        const eventFile = join(directory, 'outsider.json');
        const event = JSON.parse(readFileSync(join(REPO_ROOT, SCHEDULED_TESTMODE), 'utf8'));
        writeFileSync(
          eventFile,
          JSON.stringify({ ...event, accountId: '777777777777', ruleParameters: '{"Scope":"Account"}' }),
        );

        const outcome = await invoke(eventFile, moto().endpoint);

        expect(outcome.exitCode).toBe(1);
        expect(outcome.stderrLines).toEqual([
          expect.stringMatching(/^invoke: the function failed: AccountNotInOrganizationError: Account 777777777777 /),
        ]);
        const organizationsCalls = moto()
          .requests.slice(built)
          .filter((request) => request.target?.startsWith('AWSOrganizationsV20161128.'));
        expect(organizationsCalls.map((request) => request.target)).toEqual([
          'AWSOrganizationsV20161128.DescribeAccount',
        ]);
        expect(putRequests()).toEqual([]);
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    "answers a member's Scope=Account run from that account's path alone, through the role in the member account",
    async () => {
      const org = await buildMotoOrganization(builder, LOCKED_ORGANIZATION);
      const member = org.accountId('prod-app');
      const built = moto().requests.length;
      const directory = mkdtempSync(join(tmpdir(), 'member-event-'));
      try {
        const eventFile = join(directory, 'member.json');
        const event = JSON.parse(readFileSync(join(REPO_ROOT, SCHEDULED_TESTMODE), 'utf8'));
        writeFileSync(
          eventFile,
          JSON.stringify({ ...event, accountId: member, ruleParameters: '{"Scope":"Account"}' }),
        );

        const outcome = await invoke(eventFile, moto().endpoint);

        const compliant = `Opted out of all AI services by ${org.policyId('org-opt-out-locked')} on ${org.rootId}, locked under services, default, opt_out_policy.`;
        expect(outcome.stderrLines).toEqual([]);
        expect(outcome.exitCode).toBe(0);
        expect(outcome.result).toEqual(returnedEvaluations(SCHEDULED_TESTMODE, [[member, 'COMPLIANT', compliant]]));
        expect(putRequests()).toEqual([
          {
            ResultToken: 'TESTMODE',
            TestMode: true,
            Evaluations: sentEvaluations(SCHEDULED_TESTMODE, [[member, 'COMPLIANT', compliant]]),
          },
        ]);
        const requests = moto().requests.slice(built);
        expect(requests.filter((request) => request.body.startsWith('Action=AssumeRole&'))).toHaveLength(1);
        // prod-app sits in Workloads/Prod; moto sends no Paths, so ListParents walks up to the root.
        const organizationsCalls: Record<string, number> = {};
        for (const request of requests) {
          const operation = request.target?.replace(/^AWSOrganizationsV20161128\./, '');
          if (operation !== undefined && operation !== request.target) {
            organizationsCalls[operation] = (organizationsCalls[operation] ?? 0) + 1;
          }
        }
        expect(organizationsCalls).toEqual({
          DescribeAccount: 1,
          DescribeOrganization: 1,
          ListRoots: 2,
          ListParents: 4,
          ListPoliciesForTarget: 5,
          DescribePolicy: 1,
          ListAccountsWithInvalidEffectivePolicy: 1,
        });
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
    MOTO_TEST_TIMEOUT_MS,
  );
});
