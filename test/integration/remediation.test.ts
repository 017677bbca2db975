import { ListTagsForResourceCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ORGANIZATIONS_CLIENT_CONFIG, readOrgSnapshot } from '../../src/aws/readOrgSnapshot';
import { type RemediationResult, remediateOrganization } from '../../src/aws/remediateOrganization';
import { evaluatePosture } from '../../src/core/evaluatePosture';
import type { OrgSnapshot } from '../../src/core/orgSnapshot';
import {
  DEFAULT_REMEDIATION_POLICY_NAME,
  LOCKED_OPT_OUT_POLICY_CONTENT,
  REMEDIATION_OWNER_TAG,
} from '../../src/core/planRemediation';
import type { ComplianceType } from '../../src/core/reason';
import { DEFAULT_RULE_PARAMETERS } from '../../src/core/ruleParameters';
import { buildMotoOrganization, type MotoOrganizationSpec, sortedById } from '../support/motoOrganization';
import { describeWithMoto, MOTO_TEST_TIMEOUT_MS, motoClientConfig } from '../support/motoServer';
import { optIn, SEED_000, SEED_004_EXAMPLE_1 } from '../support/policies';

// Where moto differs from AWS, so that these tests cannot show it (test/aws/remediateOrganization.test.ts mocks it):
// - EnablePolicyType enables at once; AWS shows PENDING_ENABLE first, so the wait loop only runs once here.
// - CreatePolicy and UpdatePolicy store any content; AWS validates a policy's syntax.
// - AttachPolicy of an attached policy succeeds; AWS answers DuplicatePolicyAttachmentException. moto never answers
//   PolicyChangesInProgressException or ConcurrentModificationException, and does not limit a root to 5 policies.
// - moto evaluates no IAM policy: the role's scoping to AI opt-out policies is checked by test/template.test.ts only.

const NAME = DEFAULT_REMEDIATION_POLICY_NAME;
const OWNER_TAG = { Key: REMEDIATION_OWNER_TAG.key, Value: REMEDIATION_OWNER_TAG.value };

/** Organizations calls that change something; a second remediation must send none. */
const WRITE_COMMAND = /^(Enable|Disable|Create|Update|Delete|Attach|Detach|Tag|Untag)\w*Command$/;

const TREE: Pick<MotoOrganizationSpec, 'organizationalUnits' | 'accounts'> = {
  organizationalUnits: [{ name: 'Workloads', children: [{ name: 'Prod' }] }, { name: 'Sandbox' }],
  accounts: [
    { name: 'prod-app', parent: 'Prod' },
    { name: 'sandbox-ml', parent: 'Sandbox' },
    { name: 'shared-services' },
  ],
};

const LOWERCASE = JSON.stringify(SEED_004_EXAMPLE_1, null, 2).replace('"optOut"', '"optout"');

/** The non-compliant organizations of the issue, and what the first remediation does to each. */
const STARTS: readonly (readonly [string, MotoOrganizationSpec, readonly string[]])[] = [
  [
    'the policy type disabled',
    { ...TREE, aiOptOutPolicyTypeEnabled: false },
    // moto enables a policy type at once: the wait reads ENABLED on its first check (AWS shows PENDING_ENABLE first).
    ['enablePolicyType:enabled', 'waitForPolicyType:ready', 'createPolicy:created', 'attachPolicy:attached'],
  ],
  [
    'no root policy, and an OU policy that opts lex in',
    {
      ...TREE,
      policies: [{ name: 'sandbox-lex-in', content: JSON.stringify(optIn('lex')), attachedTo: [{ ou: 'Sandbox' }] }],
    },
    ['createPolicy:created', 'attachPolicy:attached'],
  ],
  [
    "seed 000's unlocked policy on the root",
    {
      ...TREE,
      policies: [{ name: 'OptOutAllAIServices', content: JSON.stringify(SEED_000, null, 2), attachedTo: ['root'] }],
    },
    ['createPolicy:created', 'attachPolicy:attached'],
  ],
  [
    'lowercase optout on the root in a policy of the same name',
    // moto stores any content; AWS validates a policy's syntax on CreatePolicy and may refuse this one. The case
    // stands for a policy of this name, carrying the remediation's tag, whose content is wrong, however it got there.
    { ...TREE, policies: [{ name: NAME, content: LOWERCASE, attachedTo: ['root'], tags: [OWNER_TAG] }] },
    ['updatePolicy:updated'],
  ],
  [
    'its own tagged policy attached to an OU only, which it leaves there',
    {
      ...TREE,
      policies: [{ name: NAME, content: LOWERCASE, attachedTo: [{ ou: 'Sandbox' }], tags: [OWNER_TAG] }],
    },
    ['updatePolicy:updated', 'attachPolicy:attached'],
  ],
];

function verdicts(snapshot: OrgSnapshot): [string, ComplianceType][] {
  return evaluatePosture(snapshot, DEFAULT_RULE_PARAMETERS)
    .decisions.map((decision): [string, ComplianceType] => [decision.account.id, decision.compliance])
    .sort(([a], [b]) => a.localeCompare(b));
}

function outcomes(result: RemediationResult): string[] {
  return result.done.map((step) => `${step.kind}:${step.outcome}`);
}

describeWithMoto('remediation against moto_server', (moto) => {
  let builder: OrganizationsClient;
  let client: OrganizationsClient;
  let writes: string[];
  let sleeps: number[];
  const remediate = (dryRun = false) =>
    remediateOrganization(client, {
      policyName: NAME,
      dryRun,
      sleep: async (milliseconds) => {
        sleeps.push(milliseconds);
      },
    });

  beforeEach(() => {
    const recorded: string[] = [];
    writes = recorded;
    sleeps = [];
    builder = new OrganizationsClient(motoClientConfig(moto().endpoint));
    const own = new OrganizationsClient({ ...ORGANIZATIONS_CLIENT_CONFIG, ...motoClientConfig(moto().endpoint) });
    // Counts the write requests that really reach the server.
    own.middlewareStack.add(
      (next, context) => async (args) => {
        // A run that outlived its test (a timeout) must not count, or write, for the next one.
        if (own !== client) throw new Error('a remediation left over from an earlier test');
        const command = context.commandName ?? '';
        if (WRITE_COMMAND.test(command)) recorded.push(command);
        return next(args);
      },
      { step: 'initialize', name: 'recordWrites' },
    );
    client = own;
  });
  afterEach(() => {
    builder.destroy();
    client.destroy();
  });

  it.each(STARTS)(
    'makes every account COMPLIANT from %s, and a second run changes nothing',
    async (_, spec, done) => {
      const org = await buildMotoOrganization(builder, spec);
      const before = await readOrgSnapshot(client);
      expect(evaluatePosture(before, DEFAULT_RULE_PARAMETERS).compliance).toBe('NON_COMPLIANT');

      const first = await remediate();

      expect(first).toMatchObject({
        organizationId: org.organizationId,
        changed: true,
        remaining: [],
        needsPerson: [],
      });
      expect(outcomes(first)).toEqual(done);
      expect(sleeps).toEqual([]);
      const after = await readOrgSnapshot(client);
      const accountIds = [org.managementAccountId, ...Object.values(org.accountIds)];
      expect(verdicts(after)).toEqual(accountIds.sort().map((id): [string, ComplianceType] => [id, 'COMPLIANT']));
      const ours = after.policies.find((policy) => policy.name === NAME);
      const targetsBefore = before.policies.find((policy) => policy.name === NAME)?.targets ?? [];
      expect(ours).toMatchObject({ content: LOCKED_OPT_OUT_POLICY_CONTENT });
      // Attached to the root, and still wherever it was attached before.
      expect([...(ours?.targets ?? [])].sort()).toEqual([...new Set([...targetsBefore, org.rootId])].sort());
      const tags = await client.send(new ListTagsForResourceCommand({ ResourceId: ours?.id }));
      expect(tags.Tags).toEqual([OWNER_TAG]);
      // Every other policy keeps its content and its attachments.
      const others = (snapshot: OrgSnapshot) => sortedById(snapshot).policies.filter((policy) => policy.name !== NAME);
      expect(others(after)).toEqual(others(before));

      writes.length = 0;
      const second = await remediate();

      expect(writes).toEqual([]);
      expect(second).toMatchObject({ changed: false, plan: [], done: [], remaining: [], needsPerson: [] });
      expect(second.summary).toMatch(/^Nothing to change: /);
      expect(sortedById(await readOrgSnapshot(client))).toEqual(sortedById(after));
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'sends no write on a dry run and leaves the organization as it was',
    async () => {
      await buildMotoOrganization(builder, { ...TREE, aiOptOutPolicyTypeEnabled: false });
      const before = await readOrgSnapshot(client);

      const result = await remediate(true);

      expect(writes).toEqual([]);
      expect(result).toMatchObject({ dryRun: true, changed: false, done: [] });
      expect(result.plan.map((step) => step.kind)).toEqual([
        'enablePolicyType',
        'waitForPolicyType',
        'createPolicy',
        'attachPolicy',
      ]);
      expect(sortedById(await readOrgSnapshot(client))).toEqual(sortedById(before));
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'does what it can, leaves another root policy that opts lex in to a person, and changes nothing the second time',
    async () => {
      const org = await buildMotoOrganization(builder, {
        ...TREE,
        policies: [{ name: 'legacy-lex-in', content: JSON.stringify(optIn('lex')), attachedTo: ['root'] }],
      });

      const first = await remediate();

      const lexIn = org.policyId('legacy-lex-in');
      const accountIds = [org.managementAccountId, ...Object.values(org.accountIds)].sort();
      expect(outcomes(first)).toEqual(['createPolicy:created', 'attachPolicy:attached']);
      expect(first.needsPerson).toEqual([
        {
          kind: 'notOptedOut',
          message: `Opted in: lex via ${lexIn} on ${org.rootId}.`,
          accountIds: expect.arrayContaining(accountIds),
        },
      ]);
      expect(first.needsPerson[0]).toHaveProperty('accountIds.length', accountIds.length);
      const after = await readOrgSnapshot(client);
      expect(verdicts(after)).toEqual(accountIds.map((id): [string, ComplianceType] => [id, 'NON_COMPLIANT']));
      expect(after.policies.find((policy) => policy.id === lexIn)?.targets).toEqual([org.rootId]);

      writes.length = 0;
      const second = await remediate();

      expect(writes).toEqual([]);
      expect(second).toMatchObject({ changed: false, plan: [], needsPerson: first.needsPerson });
      expect(second.summary).toMatch(/^Nothing the remediation may change\. Needs a person: Opted in: lex via /);
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'changes nothing when a policy of its name lacks its tag, and names that policy for a person',
    async () => {
      // The case of the issue: someone else's policy of the same name opts lex in and is attached to an OU.
      const org = await buildMotoOrganization(builder, {
        ...TREE,
        policies: [
          { name: 'OptOutAllAIServices', content: JSON.stringify(SEED_000), attachedTo: ['root'] },
          { name: NAME, content: JSON.stringify(optIn('lex')), attachedTo: [{ ou: 'Sandbox' }] },
        ],
      });
      const before = sortedById(await readOrgSnapshot(client));

      for (const dryRun of [true, false]) {
        const result = await remediate(dryRun);

        expect(writes).toEqual([]);
        expect(result).toMatchObject({ changed: false, plan: [], done: [], remaining: [] });
        expect(result.needsPerson[0]).toMatchObject({
          kind: 'policyNotOwned',
          policyId: org.policyId(NAME),
          ownership: 'notOwned',
        });
        expect(result.summary).toMatch(
          /^Nothing the remediation may change\. Needs a person: Policy "ai-services-opt-out-locked" /,
        );
        expect(sortedById(await readOrgSnapshot(client))).toEqual(before);
      }
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'sends no write to an organization with only consolidated billing and says a person must enable all features',
    async () => {
      const org = await buildMotoOrganization(builder, {
        ...TREE,
        featureSet: 'CONSOLIDATED_BILLING',
        aiOptOutPolicyTypeEnabled: false,
      });

      const result = await remediate();

      expect(writes).toEqual([]);
      expect(result).toMatchObject({
        changed: false,
        plan: [],
        needsPerson: [{ kind: 'featureSetNotAll', message: expect.stringContaining(org.organizationId) }],
      });
    },
    MOTO_TEST_TIMEOUT_MS,
  );
});
