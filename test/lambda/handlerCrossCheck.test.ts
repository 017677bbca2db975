import { readFileSync } from 'node:fs';
import { ConfigServiceClient, type Evaluation, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { OrganizationsClient, TargetNotFoundException } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { readEffectivePolicy } from '../../src/aws/readEffectivePolicy';
import { handler } from '../../src/lambda/handler';
import { captureOutput } from '../support/capturedOutput';
import { type FakeOrganizations, startFakeOrganizations } from '../support/fakeOrganizations';
import { lambdaContext } from '../support/lambdaContext';
import { motoClientConfig } from '../support/motoServer';
import { optIn, optOut, SEED_000 } from '../support/policies';
import { ROOT_ID, snapshotOf } from '../support/snapshotBuilder';

// The handler's OrganizationsClient talks over HTTP to the fake Organizations endpoint on 127.0.0.1, which answers
// DescribeEffectivePolicy with its own merge unless told otherwise; AWS Config is mocked.
const config = mockClient(ConfigServiceClient);

/** Generous: a local HTTP server on a busy machine; nothing here asserts a duration. */
const TEST_TIMEOUT_MS = 60_000;

const WORKLOADS = 'ou-exam-11111111';
const SANDBOX = 'ou-exam-33333333';
const WORKLOAD_ACCOUNT = '222222222222';
const SANDBOX_ACCOUNT = '333333333333';
const OWN_ACCOUNT = '123456789012';

/**
 * Seed 000 on the root (RequiredLocks default,opt_out_policy is met); Workloads opts lex out; two Sandbox policies
 * set lex differently, the optOut one last, which the fake's merge applies.
 */
const MODEL = snapshotOf({
  organizationalUnits: [
    { id: WORKLOADS, parentId: ROOT_ID },
    { id: SANDBOX, parentId: ROOT_ID },
  ],
  accounts: [
    { id: WORKLOAD_ACCOUNT, parentId: WORKLOADS },
    { id: SANDBOX_ACCOUNT, parentId: SANDBOX },
  ],
  policies: [
    { id: 'p-seed000root', content: SEED_000, targets: [ROOT_ID] },
    { id: 'p-worklexout', content: optOut('lex'), targets: [WORKLOADS] },
    { id: 'p-sandlexin', content: optIn('lex'), targets: [SANDBOX] },
    { id: 'p-sandlexout', content: optOut('lex'), targets: [SANDBOX] },
  ],
});

const event = (parameters: Record<string, string>) => ({
  ...JSON.parse(readFileSync('events/scheduled-testmode.json', 'utf8')),
  accountId: OWN_ACCOUNT,
  ruleParameters: JSON.stringify({ RequiredLocks: 'default,opt_out_policy', ...parameters }),
});
const context = lambdaContext({ invokedFunctionArn: `arn:aws:lambda:us-east-1:${OWN_ACCOUNT}:function:rule` });

let fake: FakeOrganizations;
const output = captureOutput();

beforeAll(async () => {
  fake = await startFakeOrganizations(MODEL, {
    // AWS's merge as this rule does not read it: the Workloads account opted in to lex.
    effectivePolicies: {
      [WORKLOAD_ACCOUNT]: JSON.stringify({
        services: { default: { opt_out_policy: 'optOut' }, lex: { opt_out_policy: 'optIn' } },
      }),
    },
  });
  // The SDK reads the endpoint and the credentials from the environment at the first request.
  process.env.AWS_ENDPOINT_URL_ORGANIZATIONS = fake.endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_ORGANIZATIONS;
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  await fake.stop();
}, TEST_TIMEOUT_MS);

beforeEach(() => {
  config.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  fake.resetCounters();
});

function verdicts(evaluations: readonly Evaluation[]) {
  return Object.fromEntries(evaluations.map((e) => [e.ComplianceResourceId, `${e.ComplianceType}: ${e.Annotation}`]));
}

describe("the handler's cross-check over HTTP, against the fake Organizations endpoint", () => {
  it(
    'settles a conflict with the merge AWS answers, and puts NON_COMPLIANT where AWS disagrees',
    async () => {
      const put = await handler(event({}), context);
      expect(verdicts(put)).toEqual({
        '111111111111':
          'COMPLIANT: Opted out of all AI services by p-seed000root on r-exam, locked under default, opt_out_policy.',
        [WORKLOAD_ACCOUNT]:
          "NON_COMPLIANT: Model and AWS disagree on account 222222222222: lex: AWS optIn, this rule optOut via p-worklexout on ou-exam-11111111. This rule misreads AWS's merge here: report it with the function's logs; until then the account counts as not opted out.",
        [SANDBOX_ACCOUNT]:
          "COMPLIANT: Opted out of all AI services per AWS's effective policy of account 333333333333, which settles what p-sandlexin, p-sandlexout on ou-exam-33333333 set differently: lex optOut. Make those policies agree, so that they alone prove it.",
      });
      expect(fake.calls().DescribeEffectivePolicy).toBe(3);
      expect(output.logLines().map((line) => [line.level, line.crossCheck ?? line.message])).toEqual([
        ['ERROR', "AWS's effective policy disagrees with this rule's reading of the policies: it misreads AWS's merge"],
        ['INFO', { asked: 3, agreed: 1, disagreed: 1, settled: 1, failed: 0, conflictsLeftOut: 0 }],
      ]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'asks nothing with CrossCheckAccounts 0, and leaves the conflict unknown',
    async () => {
      const put = await handler(event({ CrossCheckAccounts: '0' }), context);
      expect(fake.calls().DescribeEffectivePolicy).toBe(0);
      expect(verdicts(put)[SANDBOX_ACCOUNT]).toMatch(/^NON_COMPLIANT: Unknown: lex: p-sandlexin, p-sandlexout on /);
      expect(verdicts(put)[WORKLOAD_ACCOUNT]).toMatch(/^COMPLIANT: /);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'reads AWS errors over the wire: no effective policy, and an account that is not in the organization',
    async () => {
      const client = new OrganizationsClient({ ...motoClientConfig(fake.endpoint), maxAttempts: 1 });
      try {
        fake.setModel({ ...MODEL, policies: [] });
        await expect(readEffectivePolicy(client, SANDBOX_ACCOUNT)).resolves.toEqual({ kind: 'none' });
        await expect(readEffectivePolicy(client, '999999999999')).rejects.toThrow(TargetNotFoundException);
      } finally {
        fake.setModel(MODEL);
        client.destroy();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
