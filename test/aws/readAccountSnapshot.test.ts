import { ListParentsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import type { CallOutcome } from '../../src/aws/observeCall';
import { readAccountInOrganization } from '../../src/aws/readAccountInOrganization';
import {
  type AccountSnapshotRead,
  type ReadAccountSnapshotOptions,
  readAccountSnapshot,
} from '../../src/aws/readAccountSnapshot';
import { MAX_READ_ATTEMPTS } from '../../src/aws/readOrgSnapshot';
import { evaluatePosture } from '../../src/core/evaluatePosture';
import { AI_OPT_OUT_POLICY_TYPE, type OrgSnapshot, type Policy } from '../../src/core/orgSnapshot';
import { DEFAULT_RULE_PARAMETERS, type RuleParameters } from '../../src/core/ruleParameters';
import { OrganizationChangedDuringReadError, SnapshotReadError } from '../../src/errors';
import {
  AwsError,
  type FakeOrganizations,
  type FakeOrganizationsOperation,
  type FakeOrganizationsOptions,
} from '../support/fakeOrganizations';
import { fakeOrganizationsPerTest } from '../support/fakeOrganizationsPerTest';
import { generateOrganization } from '../support/generatedOrganization';
import { motoClientConfig } from '../support/motoServer';
import { optIn, SEED_000, SEED_001, SEED_004_EXAMPLE_1 } from '../support/policies';

/** Generous: a local HTTP server on a busy machine; nothing here asserts a duration. */
const TEST_TIMEOUT_MS = 30_000;
/** For the equivalence over generated organizations: thousands of local requests on a loaded 2-core machine. */
const EQUIVALENCE_TIMEOUT_MS = 180_000;

const ORGANIZATION_ID = 'o-abcdefghij';
const ROOT = 'r-abcd';
const MANAGEMENT = '111111111111';
const MEMBER = '222222222222';
const ROOT_POLICY: Policy = {
  id: 'p-rootoptout',
  name: 'root-opt-out',
  content: JSON.stringify(SEED_004_EXAMPLE_1),
  targets: [ROOT],
};

/** The OU `level` levels below the root (1 to 5) of the chain that `chain` builds. */
function ou(level: number): string {
  return `ou-abcd-${String(level).repeat(8)}`;
}

/** The management account under the root and MEMBER under a chain of `depth` OUs (0: under the root). */
function chain(depth: number, fields: Partial<OrgSnapshot> = {}): OrgSnapshot {
  const levels = Array.from({ length: depth }, (_, i) => i + 1);
  return {
    organization: { id: ORGANIZATION_ID, featureSet: 'ALL', managementAccountId: MANAGEMENT },
    root: { id: ROOT, policyTypes: [{ type: AI_OPT_OUT_POLICY_TYPE, status: 'ENABLED' }] },
    organizationalUnits: levels.map((level) => ({
      id: ou(level),
      name: `Level${level}`,
      parentId: level === 1 ? ROOT : ou(level - 1),
    })),
    accounts: [
      { id: MANAGEMENT, name: 'management', state: 'ACTIVE', parentId: ROOT },
      { id: MEMBER, name: 'member', state: 'ACTIVE', parentId: depth === 0 ? ROOT : ou(depth) },
    ],
    policies: [ROOT_POLICY],
    accountsWithInvalidEffectivePolicy: [],
    ...fields,
  };
}

const { start, current: currentFake } = fakeOrganizationsPerTest(TEST_TIMEOUT_MS);

/** What the rule does for an invoking account: DescribeAccount, then the account's read. */
async function readMember(
  client: OrganizationsClient,
  accountId: string,
  options: ReadAccountSnapshotOptions = {},
): Promise<AccountSnapshotRead> {
  const described = await readAccountInOrganization(client, accountId, options.onCall);
  if (described === undefined) throw new Error(`${accountId} is not in the organization`);
  return readAccountSnapshot(client, described, options);
}

/** The operations a read sent, leaving out those it did not send. */
function sent(server: FakeOrganizations): Partial<Record<FakeOrganizationsOperation, number>> {
  return Object.fromEntries(Object.entries(server.calls()).filter(([, count]) => count > 0));
}

/** The decision for one account, as the rule puts it and a person reads it. */
function verdict(snapshot: OrgSnapshot, parameters: RuleParameters, accountId: string) {
  const decision = evaluatePosture(snapshot, parameters).decisions.find((d) => d.account.id === accountId);
  return decision && [decision.compliance, decision.message, decision.isManagementAccount];
}

describe('readAccountSnapshot', () => {
  describe('decides each account as the whole organization does', () => {
    const PARAMETERS: readonly RuleParameters[] = [
      DEFAULT_RULE_PARAMETERS,
      { ...DEFAULT_RULE_PARAMETERS, requiredLocks: [], allowedOptInServices: ['lex', 'polly'] },
      { ...DEFAULT_RULE_PARAMETERS, requiredLocks: ['default', 'opt_out_policy'] },
    ];
    /** The root's content by seed: locked at every level, not under services, not at all. */
    const ROOT_CONTENTS = [SEED_004_EXAMPLE_1, SEED_000, SEED_001];

    /** A generated organization, OUs five deep, its root policy by seed, one policy unreadable, some accounts not ACTIVE. */
    function generated(seed: number): OrgSnapshot {
      const model = generateOrganization({
        accounts: 30,
        organizationalUnits: 14,
        depth: 5,
        policies: 24,
        seed,
        invalidEffectivePolicyAccounts: 3,
      });
      const content = ROOT_CONTENTS[seed % ROOT_CONTENTS.length];
      return {
        ...model,
        accounts: model.accounts.map((account, i) => (i % 11 === 5 ? { ...account, state: 'SUSPENDED' } : account)),
        policies: model.policies.map((policy, i) =>
          i === 0
            ? { ...policy, content: JSON.stringify(content) }
            : i === 1
              ? { ...policy, content: '{"services": {' }
              : policy,
        ),
      };
    }

    it.each([
      [1, true],
      [2, true],
      [3, false],
      [4, true],
      [5, false],
      [6, true],
      [7, false],
      [8, true],
    ])(
      'for every account of generated organization %d (Paths sent: %s), in compliance and message',
      async (seed, paths) => {
        const model = generated(seed);
        const { client } = await start(model, { paths });
        const verdicts: unknown[] = [];
        for (const account of model.accounts) {
          const { snapshot } = await readMember(client, account.id);
          expect(snapshot.pathOf).toBe(account.id);
          for (const parameters of PARAMETERS) {
            const expected = verdict(model, parameters, account.id);
            expect({ account: account.id, verdict: verdict(snapshot, parameters, account.id) }).toEqual({
              account: account.id,
              verdict: expected,
            });
            verdicts.push(expected?.[0]);
          }
        }
        // Not vacuous: the organizations hold accounts of each verdict.
        expect(new Set(verdicts)).toEqual(new Set(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']));
      },
      EQUIVALENCE_TIMEOUT_MS,
    );

    it(
      'reads only the nodes of the path: the policies of other OUs and accounts are not in the snapshot',
      async () => {
        const sibling = { id: 'ou-abcd-99999999', name: 'Sandbox', parentId: ROOT };
        const model = chain(2, {
          organizationalUnits: [...chain(2).organizationalUnits, sibling],
          policies: [
            ROOT_POLICY,
            { id: 'p-lexonsandbox', name: 'lex-in', content: JSON.stringify(optIn('lex')), targets: [sibling.id] },
            {
              id: 'p-lexonlevel2',
              name: 'lex-in-2',
              content: JSON.stringify(optIn('lex')),
              targets: [ou(2), MANAGEMENT],
            },
          ],
        });
        const { client } = await start(model);
        const { snapshot } = await readMember(client, MEMBER);
        expect(snapshot).toEqual({
          pathOf: MEMBER,
          organization: model.organization,
          root: model.root,
          // The read does not ask for OU names, which no decision uses.
          organizationalUnits: [
            { id: ou(1), parentId: ROOT },
            { id: ou(2), parentId: ou(1) },
          ],
          accounts: [{ id: MEMBER, name: 'member', state: 'ACTIVE', parentId: ou(2) }],
          policies: [ROOT_POLICY, { ...model.policies[2], targets: [ou(2)] }],
          accountsWithInvalidEffectivePolicy: [],
        });
      },
      TEST_TIMEOUT_MS,
    );
  });

  it(
    'sends nothing once its abort signal has aborted, and rejects with the reason',
    async () => {
      const { server, client } = await start(chain(2));
      const described = await readAccountInOrganization(client, MEMBER);
      if (described === undefined) throw new Error(`${MEMBER} is not in the organization`);
      const reason = new Error('deadline');

      await expect(readAccountSnapshot(client, described, { abortSignal: AbortSignal.abort(reason) })).rejects.toBe(
        reason,
      );

      expect(sent(server)).toStrictEqual({ DescribeAccount: 1 });
    },
    TEST_TIMEOUT_MS,
  );

  describe('counts its Organizations calls', () => {
    it.each([
      [
        'depth 0, Paths sent',
        0,
        true,
        {
          DescribeAccount: 1,
          DescribeOrganization: 1,
          ListRoots: 2,
          ListPoliciesForTarget: 3,
          DescribePolicy: 1,
          ListParents: 1,
          ListAccountsWithInvalidEffectivePolicy: 1,
        },
      ],
      [
        'depth 5, Paths sent',
        5,
        true,
        {
          DescribeAccount: 1,
          DescribeOrganization: 1,
          ListRoots: 2,
          ListPoliciesForTarget: 8,
          DescribePolicy: 1,
          ListParents: 1,
          ListAccountsWithInvalidEffectivePolicy: 1,
        },
      ],
      [
        'depth 0, no Paths',
        0,
        false,
        {
          DescribeAccount: 1,
          DescribeOrganization: 1,
          ListRoots: 2,
          ListPoliciesForTarget: 3,
          DescribePolicy: 1,
          ListParents: 2,
          ListAccountsWithInvalidEffectivePolicy: 1,
        },
      ],
      [
        'depth 5, no Paths',
        5,
        false,
        {
          DescribeAccount: 1,
          DescribeOrganization: 1,
          ListRoots: 2,
          ListPoliciesForTarget: 8,
          DescribePolicy: 1,
          ListParents: 7,
          ListAccountsWithInvalidEffectivePolicy: 1,
        },
      ],
    ] as const)(
      '%s',
      async (_name, depth, paths, expected) => {
        const { server, client } = await start(chain(depth), { paths });
        const onCall = jest.fn<void, [CallOutcome]>();
        await readMember(client, MEMBER, { onCall });
        expect(sent(server)).toEqual(expected);
        expect(onCall.mock.calls).toStrictEqual(Array(server.total()).fill([{ throttled: false }]));
        expect(server.total()).toBeLessThanOrEqual(paths ? 15 : 21);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'tells onCall which of its calls Organizations throttled, as the SDK retried them',
      async () => {
        // Exactly the first ListRoots is throttled, whatever the machine's speed: the SDK retries it once.
        let throttledOnce = false;
        const { server } = await start(chain(2), {
          onRequest: (operation) => {
            if (operation !== 'ListRoots' || throttledOnce) return;
            throttledOnce = true;
            throw new AwsError('TooManyRequestsException', 'Rate exceeded');
          },
        });
        const retrying = new OrganizationsClient({ ...motoClientConfig(server.endpoint), maxAttempts: 10 });
        const onCall = jest.fn<void, [CallOutcome]>();
        await readMember(retrying, MEMBER, { onCall }).finally(() => retrying.destroy());
        // The fake counts the throttled attempt among its calls; onCall hears of each call once.
        expect(onCall).toHaveBeenCalledTimes(server.total() - 1);
        expect(onCall.mock.calls.filter(([outcome]) => outcome.throttled)).toStrictEqual([[{ throttled: true }]]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'sends neither DescribeOrganization nor the first root reads when an earlier read gives them',
      async () => {
        const { server, client } = await start(chain(5));
        const first = await readMember(client, MEMBER);
        server.resetCounters();
        const second = await readMember(client, MEMBER, {
          organization: first.snapshot.organization,
          rootFrame: first.rootFrame,
        });
        expect(second.snapshot).toEqual(first.snapshot);
        expect(sent(server)).toEqual({
          DescribeAccount: 1,
          ListRoots: 1,
          ListPoliciesForTarget: 7,
          DescribePolicy: 1,
          ListParents: 1,
          ListAccountsWithInvalidEffectivePolicy: 1,
        });
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe('when the organization changes during the read', () => {
    /** Calls `change` once, when the account's own policies are first listed: between the two root reads. */
    function onMemberListing(
      change: (server: FakeOrganizations) => void,
    ): NonNullable<FakeOrganizationsOptions['onRequest']> {
      let done = false;
      return (operation, input) => {
        const fake = currentFake();
        if (operation !== 'ListPoliciesForTarget' || input.TargetId !== MEMBER || done || fake === undefined) return;
        done = true;
        change(fake);
      };
    }

    it(
      'reads the path again when the root policies changed, and decides on what it read the second time',
      async () => {
        const unlocked = chain(3, {
          policies: [
            { ...ROOT_POLICY, targets: [] },
            { ...ROOT_POLICY, id: 'p-seed000root', content: JSON.stringify(SEED_000) },
          ],
        });
        const { server, client } = await start(chain(3), {
          onRequest: onMemberListing((running) => running.setModel(unlocked)),
        });
        const { snapshot } = await readMember(client, MEMBER);
        expect(snapshot.policies.map((policy) => policy.id)).toEqual(['p-seed000root']);
        expect(verdict(snapshot, DEFAULT_RULE_PARAMETERS, MEMBER)?.[0]).toBe('NON_COMPLIANT');
        // Two attempts: the second starts from the first one's last root reads.
        expect(server.calls().ListRoots).toBe(3);
        expect(server.calls().ListParents).toBe(2);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'reads the new path when the account moved, up to the root with ListParents',
      async () => {
        const moved = chain(3, {
          accounts: [
            { id: MANAGEMENT, name: 'management', state: 'ACTIVE', parentId: ROOT },
            { id: MEMBER, name: 'member', state: 'ACTIVE', parentId: ou(1) },
          ],
        });
        const { client } = await start(chain(3), { onRequest: onMemberListing((running) => running.setModel(moved)) });
        const { snapshot } = await readMember(client, MEMBER);
        expect(snapshot.organizationalUnits.map((unit) => unit.id)).toEqual([ou(1)]);
        expect(snapshot.accounts[0]?.parentId).toBe(ou(1));
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'fails with OrganizationChangedDuringReadError when the root changes during every attempt',
      async () => {
        const enabled = chain(1);
        const pending = chain(1, {
          root: { id: ROOT, policyTypes: [{ type: AI_OPT_OUT_POLICY_TYPE, status: 'PENDING_DISABLE' }] },
        });
        let flips = 0;
        const { client } = await start(enabled, {
          onRequest: (operation, input) => {
            if (operation !== 'ListPoliciesForTarget' || input.TargetId !== MEMBER) return;
            flips += 1;
            currentFake()?.setModel(flips % 2 === 1 ? pending : enabled);
          },
        });
        const read = readMember(client, MEMBER);
        await expect(read).rejects.toThrow(OrganizationChangedDuringReadError);
        await expect(read).rejects.toThrow(
          `(${MAX_READ_ATTEMPTS} attempts; during the last one, the policy types of root ${ROOT} went from AISERVICES_OPT_OUT_POLICY ENABLED to AISERVICES_OPT_OUT_POLICY PENDING_DISABLE)`,
        );
        expect(flips).toBe(MAX_READ_ATTEMPTS);
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe('the account', () => {
    it(
      'is listed with an invalid effective policy when ListAccountsWithInvalidEffectivePolicy lists it',
      async () => {
        const { client } = await start(chain(2, { accountsWithInvalidEffectivePolicy: [MANAGEMENT, MEMBER] }));
        const { snapshot } = await readMember(client, MEMBER);
        expect(snapshot.accountsWithInvalidEffectivePolicy).toEqual([MEMBER]);
        expect(verdict(snapshot, DEFAULT_RULE_PARAMETERS, MEMBER)?.[0]).toBe('NON_COMPLIANT');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'is the management account, with its own path, when it invokes the rule itself',
      async () => {
        const { client } = await start(chain(5));
        const { snapshot } = await readMember(client, MANAGEMENT);
        expect(snapshot.accounts).toEqual([{ id: MANAGEMENT, name: 'management', state: 'ACTIVE', parentId: ROOT }]);
        expect(evaluatePosture(snapshot, DEFAULT_RULE_PARAMETERS).decisions[0]).toMatchObject({
          compliance: 'COMPLIANT',
          isManagementAccount: true,
        });
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'reads the parents with ListParents when Paths does not hold exactly one path of the account',
      async () => {
        const { server, client } = await start(chain(2));
        const other = `${ORGANIZATION_ID}/${ROOT}/${MANAGEMENT}/`;
        const own = `${ORGANIZATION_ID}/${ROOT}/${ou(1)}/${ou(2)}/${MEMBER}/`;
        for (const Paths of [[other], [own, own], ['not a path'], []]) {
          const { snapshot } = await readAccountSnapshot(client, {
            Id: MEMBER,
            Name: 'member',
            State: 'ACTIVE',
            Paths,
          });
          expect(snapshot.accounts[0]?.parentId).toBe(ou(2));
        }
        // Each read: the three parents up to the root, then the account's parent again after the policies.
        expect(server.calls().ListParents).toBe(4 * 4);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'fails with SnapshotReadError when its Paths name another organization',
      async () => {
        const { client } = await start(chain(0));
        const read = readAccountSnapshot(client, {
          Id: MEMBER,
          Name: 'member',
          State: 'ACTIVE',
          Paths: [`o-otherorgzz/${ROOT}/${MEMBER}/`],
        });
        await expect(read).rejects.toThrow(SnapshotReadError);
        await expect(read).rejects.toThrow(
          `at organization.id: DescribeAccount's Paths put account ${MEMBER} in o-otherorgzz, but DescribeOrganization says ${ORGANIZATION_ID}`,
        );
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'fails with SnapshotReadError when ListParents finds more OUs above it than AWS nests',
      async () => {
        const { client } = await start(chain(6), { paths: false });
        await expect(readMember(client, MEMBER)).rejects.toThrow(
          `at parents of ${MEMBER}: ListParents found more than 5 OUs above the account without reaching a root`,
        );
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'fails with SnapshotReadError when what was read is not its path, such as a root ListRoots does not return',
      async () => {
        const { client } = await start(chain(1));
        const read = readAccountSnapshot(client, {
          Id: MEMBER,
          Name: 'member',
          State: 'ACTIVE',
          Paths: [`${ORGANIZATION_ID}/r-other/${ou(1)}/${MEMBER}/`],
        });
        await expect(read).rejects.toThrow(
          'at organizationalUnits[0].parentId: "r-other" is neither the root nor an organizational unit of the snapshot',
        );
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe('ListParents answers that are not one parent', () => {
    const client = new OrganizationsClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const mock = mockClient(client);
    afterEach(() => mock.reset());

    it.each([
      ['none', [], 'ListParents returned 0 parent(s); an account or OU has exactly one'],
      [
        'two',
        [
          { Id: ROOT, Type: 'ROOT' as const },
          { Id: ou(1), Type: 'ORGANIZATIONAL_UNIT' as const },
        ],
        'ListParents returned 2 parent(s); an account or OU has exactly one',
      ],
      [
        'one without an Id',
        [{ Type: 'ROOT' as const }],
        'ListParents returned 1 parent(s) without an Id; an account or OU has exactly one',
      ],
    ])('fails with SnapshotReadError for %s', async (_name, Parents, message) => {
      mock.on(ListParentsCommand).resolves({ Parents });
      const read = readAccountSnapshot(
        client,
        { Id: MEMBER, State: 'ACTIVE' },
        {
          organization: { id: ORGANIZATION_ID, featureSet: 'ALL', managementAccountId: MANAGEMENT },
          rootFrame: { root: { id: ROOT, policyTypes: [] }, policies: [] },
        },
      );
      await expect(read).rejects.toThrow(SnapshotReadError);
      await expect(read).rejects.toThrow(`at parents of ${MEMBER}: ${message}`);
    });
  });
});
