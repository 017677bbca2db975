import { AttachPolicyCommand, MoveAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ORGANIZATIONS_CLIENT_CONFIG, type ReadMode, readOrgSnapshot } from '../../src/aws/readOrgSnapshot';
import { evaluatePosture } from '../../src/core/evaluatePosture';
import {
  type Account,
  AI_OPT_OUT_POLICY_TYPE,
  type OrganizationalUnit,
  type OrgSnapshot,
  type Policy,
} from '../../src/core/orgSnapshot';
import type { ComplianceType } from '../../src/core/reason';
import { DEFAULT_RULE_PARAMETERS, type RuleParameters } from '../../src/core/ruleParameters';
import {
  buildMotoOrganization,
  type MotoOrganization,
  type MotoOrganizationalUnitSpec,
  type MotoOrganizationSpec,
  type MotoPolicyTarget,
  sortedById,
} from '../support/motoOrganization';
import { describeWithMoto, MOTO_TEST_TIMEOUT_MS, motoClientConfig } from '../support/motoServer';
import { optIn, SEED_000, SEED_004_EXAMPLE_1 } from '../support/policies';

/** moto's management account: always this id, named "master" (AWS keeps the name the account was given). */
const MOTO_MANAGEMENT_ACCOUNT = { id: '123456789012', name: 'master' } as const;

/** Every Organizations List call takes at most this many results a page; the reader asks for full pages. */
const MAX_RESULTS_PER_PAGE = 20;

// Raw content as a person might type it (indented, trailing newline): the reader must hand it on untouched.
const LOCKED_CONTENT = `${JSON.stringify(SEED_004_EXAMPLE_1, null, 2)}\n`;
const SEED_000_CONTENT = JSON.stringify(SEED_000, null, 4);

/** (a) Seed 004 Example 1 on the root; nested OUs; accounts in OUs and under the root. */
const LOCKED_ORGANIZATION: MotoOrganizationSpec = {
  organizationalUnits: [{ name: 'Workloads', children: [{ name: 'Prod' }, { name: 'Dev' }] }, { name: 'Security' }],
  accounts: [
    { name: 'prod-app', parent: 'Prod' },
    { name: 'dev-app', parent: 'Dev' },
    { name: 'security-tooling', parent: 'Security' },
    { name: 'shared-services' },
  ],
  policies: [{ name: 'org-opt-out-locked', content: LOCKED_CONTENT, attachedTo: ['root'] }],
};

/** (b) Seed 000 on the root: default locked, nothing locked under services. */
const SEED_000_ORGANIZATION: MotoOrganizationSpec = {
  organizationalUnits: [{ name: 'Workloads' }],
  accounts: [{ name: 'workload-app', parent: 'Workloads' }, { name: 'shared-services' }],
  policies: [{ name: 'org-opt-out-seed-000', content: SEED_000_CONTENT, attachedTo: ['root'] }],
};

/** (c) Seed 000 on the root, and a policy on the Sandbox OU that opts lex in for Sandbox and Experiments. */
const LEX_OPT_IN_ORGANIZATION: MotoOrganizationSpec = {
  organizationalUnits: [
    { name: 'Workloads', children: [{ name: 'Prod' }] },
    { name: 'Sandbox', children: [{ name: 'Experiments' }] },
  ],
  accounts: [
    { name: 'prod-app', parent: 'Prod' },
    { name: 'sandbox-dev', parent: 'Sandbox' },
    { name: 'experiment', parent: 'Experiments' },
    { name: 'shared-services' },
  ],
  policies: [
    { name: 'org-opt-out-seed-000', content: SEED_000_CONTENT, attachedTo: ['root'] },
    { name: 'sandbox-lex-in', content: JSON.stringify(optIn('lex')), attachedTo: [{ ou: 'Sandbox' }] },
  ],
};

/** (d) The AI opt-out policy type is not enabled; a locked policy exists but is attached nowhere. */
const NOT_ENABLED_ORGANIZATION: MotoOrganizationSpec = {
  aiOptOutPolicyTypeEnabled: false,
  organizationalUnits: [{ name: 'Workloads' }],
  accounts: [{ name: 'workload-app', parent: 'Workloads' }],
  policies: [{ name: 'org-opt-out-locked', content: LOCKED_CONTENT }],
};

const TEAM_COUNT = 21;
const LARGE_OU_ACCOUNT_COUNT = 21;
const EXTRA_POLICY_COUNT = 21;
const numbered = (prefix: string, count: number): string[] =>
  Array.from({ length: count }, (_, index) => `${prefix}-${String(index + 1).padStart(2, '0')}`);
const TEAMS = numbered('Team', TEAM_COUNT);
const LARGE_OU = 'Team-01';

/**
 * More than 20 of everything the reader pages through: 21 OUs under the root (plus one nested), 22 accounts in one
 * OU (one of them closed), 22 AI opt-out policies (21 of them attached nowhere).
 */
const LARGE_ORGANIZATION: MotoOrganizationSpec = {
  organizationalUnits: TEAMS.map(
    (name): MotoOrganizationalUnitSpec =>
      name === LARGE_OU ? { name, children: [{ name: 'Team-01-Lab' }] } : { name },
  ),
  accounts: [
    ...numbered('member', LARGE_OU_ACCOUNT_COUNT).map((name) => ({ name, parent: LARGE_OU })),
    { name: 'closed-member', parent: LARGE_OU, closed: true },
    { name: 'lab-member', parent: 'Team-01-Lab' },
    { name: 'team-02-member', parent: 'Team-02' },
  ],
  policies: [
    { name: 'org-opt-out-locked', content: LOCKED_CONTENT, attachedTo: ['root'] },
    ...numbered('unused', EXTRA_POLICY_COUNT).map((name) => ({ name, content: JSON.stringify(optIn(name)) })),
  ],
};

/** The snapshot `spec` should read as, in the reader's shape, sorted by id (AWS promises no listing order). */
function expectedSnapshot(org: MotoOrganization, spec: MotoOrganizationSpec): OrgSnapshot {
  const organizationalUnits: OrganizationalUnit[] = [];
  const addUnits = (parentId: string, units: readonly MotoOrganizationalUnitSpec[]): void => {
    for (const unit of units) {
      organizationalUnits.push({ id: org.ouId(unit.name), name: unit.name, parentId });
      addUnits(org.ouId(unit.name), unit.children ?? []);
    }
  };
  addUnits(org.rootId, spec.organizationalUnits ?? []);
  const targetId = (target: MotoPolicyTarget): string => {
    if (target === 'root') return org.rootId;
    if (target === 'management') return org.managementAccountId;
    return 'ou' in target ? org.ouId(target.ou) : org.accountId(target.account);
  };
  return sortedById({
    organization: { id: org.organizationId, featureSet: 'ALL', managementAccountId: MOTO_MANAGEMENT_ACCOUNT.id },
    // moto enables no policy type on a new root, not even SERVICE_CONTROL_POLICY.
    root: {
      id: org.rootId,
      policyTypes:
        spec.aiOptOutPolicyTypeEnabled === false ? [] : [{ type: AI_OPT_OUT_POLICY_TYPE, status: 'ENABLED' }],
    },
    organizationalUnits,
    accounts: [
      { ...MOTO_MANAGEMENT_ACCOUNT, state: 'ACTIVE', parentId: org.rootId },
      ...(spec.accounts ?? []).map(
        (account): Account => ({
          id: org.accountId(account.name),
          name: account.name,
          // moto closes an account at once and reports SUSPENDED; AWS goes through PENDING_CLOSURE first.
          state: account.closed === true ? 'SUSPENDED' : 'ACTIVE',
          parentId: account.parent === undefined ? org.rootId : org.ouId(account.parent),
        }),
      ),
    ],
    policies: (spec.policies ?? []).map(
      (policy): Policy => ({
        id: org.policyId(policy.name),
        name: policy.name,
        content: typeof policy.content === 'string' ? policy.content : JSON.stringify(policy.content),
        targets: (policy.attachedTo ?? []).map(targetId),
      }),
    ),
    // moto keeps no effective-policy state; scripts/moto-gaps-proxy.mjs answers that no account has an invalid one.
    accountsWithInvalidEffectivePolicy: [],
  });
}

interface Verdict {
  readonly accountId: string;
  readonly compliance: ComplianceType;
  readonly annotation: string;
}

function verdicts(snapshot: OrgSnapshot, parameters: RuleParameters): Verdict[] {
  return evaluatePosture(snapshot, parameters)
    .decisions.map(({ account, compliance, annotation }) => ({ accountId: account.id, compliance, annotation }))
    .sort((a, b) => a.accountId.localeCompare(b.accountId));
}

/** One verdict per account id, sorted like `verdicts`. */
function expectedVerdicts(entries: readonly (readonly [string, ComplianceType, string])[]): Verdict[] {
  return entries
    .map(([accountId, compliance, annotation]) => ({ accountId, compliance, annotation }))
    .sort((a, b) => a.accountId.localeCompare(b.accountId));
}

interface ListRequest {
  readonly command: string | undefined;
  readonly parentId: unknown;
  readonly nextToken: unknown;
  readonly maxResults: unknown;
}

describeWithMoto('readOrgSnapshot against moto_server', (moto) => {
  let builder: OrganizationsClient;
  let reader: OrganizationsClient;
  let requests: ListRequest[];
  /** Runs before the reader's request is sent, e.g. another actor's change that races the read. */
  let beforeRequest: ((command: string | undefined, parentId: unknown) => Promise<void>) | undefined;

  beforeEach(() => {
    // Both clients talk to moto through this test's gate and scripts/moto-gaps-proxy.mjs, which answers the calls moto
    // lacks.
    const recorded: ListRequest[] = [];
    requests = recorded;
    beforeRequest = undefined;
    builder = new OrganizationsClient(motoClientConfig(moto().endpoint));
    const own = new OrganizationsClient({ ...ORGANIZATIONS_CLIENT_CONFIG, ...motoClientConfig(moto().endpoint) });
    // Records what the reader asks for, to see that it really pages against the server.
    own.middlewareStack.add(
      (next, context) => async (args) => {
        // A read that outlived its test (a timeout) must not record into, or act for, the next one.
        if (own !== reader) throw new Error('a read left over from an earlier test');
        const input = new Map(Object.entries(args.input));
        recorded.push({
          command: context.commandName,
          parentId: input.get('ParentId'),
          nextToken: input.get('NextToken'),
          maxResults: input.get('MaxResults'),
        });
        await beforeRequest?.(context.commandName, input.get('ParentId'));
        return next(args);
      },
      { step: 'initialize', name: 'recordRequests' },
    );
    reader = own;
  });
  afterEach(() => {
    builder.destroy();
    reader.destroy();
  });

  it(
    'reads a fully locked organization with nested OUs, accounts in OUs and under the root, and the raw policy',
    async () => {
      const org = await buildMotoOrganization(builder, LOCKED_ORGANIZATION);
      const readModes: ReadMode[] = [];

      const snapshot = await readOrgSnapshot(reader, { onReadMode: (readMode) => readModes.push(readMode) });

      // moto sends no Paths with its accounts: the reader walks the tree, and says why.
      expect(readModes).toEqual([{ mode: 'walk', reason: expect.stringMatching(/^account \d{12} has no Paths$/) }]);
      const root = org.rootId;
      expect(sortedById(snapshot)).toStrictEqual(
        sortedById({
          organization: { id: org.organizationId, featureSet: 'ALL', managementAccountId: '123456789012' },
          root: { id: root, policyTypes: [{ type: 'AISERVICES_OPT_OUT_POLICY', status: 'ENABLED' }] },
          organizationalUnits: [
            { id: org.ouId('Workloads'), name: 'Workloads', parentId: root },
            { id: org.ouId('Prod'), name: 'Prod', parentId: org.ouId('Workloads') },
            { id: org.ouId('Dev'), name: 'Dev', parentId: org.ouId('Workloads') },
            { id: org.ouId('Security'), name: 'Security', parentId: root },
          ],
          accounts: [
            { id: '123456789012', name: 'master', state: 'ACTIVE', parentId: root },
            { id: org.accountId('prod-app'), name: 'prod-app', state: 'ACTIVE', parentId: org.ouId('Prod') },
            { id: org.accountId('dev-app'), name: 'dev-app', state: 'ACTIVE', parentId: org.ouId('Dev') },
            {
              id: org.accountId('security-tooling'),
              name: 'security-tooling',
              state: 'ACTIVE',
              parentId: org.ouId('Security'),
            },
            { id: org.accountId('shared-services'), name: 'shared-services', state: 'ACTIVE', parentId: root },
          ],
          policies: [
            {
              id: org.policyId('org-opt-out-locked'),
              name: 'org-opt-out-locked',
              content: LOCKED_CONTENT,
              targets: [root],
            },
          ],
          accountsWithInvalidEffectivePolicy: [],
        }),
      );
      expect(snapshot).not.toHaveProperty('capturedAt');
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'reports every account of the fully locked organization COMPLIANT, the management account included',
    async () => {
      const org = await buildMotoOrganization(builder, LOCKED_ORGANIZATION);

      const snapshot = await readOrgSnapshot(reader);

      const compliant = `Opted out of all AI services by ${org.policyId('org-opt-out-locked')} on ${org.rootId}, locked under services, default, opt_out_policy.`;
      expect(verdicts(snapshot, DEFAULT_RULE_PARAMETERS)).toEqual(
        expectedVerdicts(
          [org.managementAccountId, ...Object.values(org.accountIds)].map((id) => [id, 'COMPLIANT', compliant]),
        ),
      );
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'reads seed 000 on the root and reports every account NON_COMPLIANT for the missing services lock',
    async () => {
      const org = await buildMotoOrganization(builder, SEED_000_ORGANIZATION);

      const snapshot = await readOrgSnapshot(reader);

      expect(sortedById(snapshot)).toStrictEqual(expectedSnapshot(org, SEED_000_ORGANIZATION));
      const notLocked = `Not locked: no ["@@none"] under services in the root's AI opt-out policies (${org.policyId('org-opt-out-seed-000')}), so a child policy can opt a service in.`;
      expect(verdicts(snapshot, DEFAULT_RULE_PARAMETERS)).toEqual(
        expectedVerdicts(
          [org.managementAccountId, ...Object.values(org.accountIds)].map((id) => [id, 'NON_COMPLIANT', notLocked]),
        ),
      );
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'reads an OU policy that opts lex in and reports the accounts under that OU NON_COMPLIANT when services need no lock',
    async () => {
      const org = await buildMotoOrganization(builder, LEX_OPT_IN_ORGANIZATION);

      const snapshot = await readOrgSnapshot(reader);

      expect(sortedById(snapshot)).toStrictEqual(expectedSnapshot(org, LEX_OPT_IN_ORGANIZATION));
      const rootPolicy = org.policyId('org-opt-out-seed-000');
      const compliant = `Opted out of all AI services by ${rootPolicy} on ${org.rootId}, locked under default, opt_out_policy.`;
      const optedIn = `Opted in: lex via ${org.policyId('sandbox-lex-in')} on ${org.ouId('Sandbox')}.`;
      const locksBelowServices: RuleParameters = {
        ...DEFAULT_RULE_PARAMETERS,
        requiredLocks: ['default', 'opt_out_policy'],
      };
      expect(verdicts(snapshot, locksBelowServices)).toEqual(
        expectedVerdicts([
          [org.managementAccountId, 'COMPLIANT', compliant],
          [org.accountId('prod-app'), 'COMPLIANT', compliant],
          [org.accountId('shared-services'), 'COMPLIANT', compliant],
          [org.accountId('sandbox-dev'), 'NON_COMPLIANT', optedIn],
          [org.accountId('experiment'), 'NON_COMPLIANT', optedIn],
        ]),
      );
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'reports every account NON_COMPLIANT for the missing services lock when an OU opts lex in under seed 000 with the default parameters, and the opt-in under that OU',
    async () => {
      const org = await buildMotoOrganization(builder, LEX_OPT_IN_ORGANIZATION);

      const snapshot = await readOrgSnapshot(reader);

      const notLocked = `Not locked: no ["@@none"] under services in the root's AI opt-out policies (${org.policyId('org-opt-out-seed-000')}), so a child policy can opt a service in.`;
      const optedIn = `Opted in: lex via ${org.policyId('sandbox-lex-in')} on ${org.ouId('Sandbox')}. ${notLocked}`;
      const underSandbox = new Set([org.accountId('sandbox-dev'), org.accountId('experiment')]);
      expect(verdicts(snapshot, DEFAULT_RULE_PARAMETERS)).toEqual(
        expectedVerdicts(
          [org.managementAccountId, ...Object.values(org.accountIds)].map((id) => [
            id,
            'NON_COMPLIANT',
            underSandbox.has(id) ? optedIn : notLocked,
          ]),
        ),
      );
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'reads a root without the AI opt-out policy type and reports every account NON_COMPLIANT as not enabled',
    async () => {
      const org = await buildMotoOrganization(builder, NOT_ENABLED_ORGANIZATION);

      const snapshot = await readOrgSnapshot(reader);

      expect(sortedById(snapshot)).toStrictEqual(expectedSnapshot(org, NOT_ENABLED_ORGANIZATION));
      expect(snapshot.root.policyTypes).toEqual([]);
      const notEnabled = `Not enabled: AISERVICES_OPT_OUT_POLICY is not enabled on root ${org.rootId}, so no AI opt-out policy applies. Enable it on the root.`;
      expect(verdicts(snapshot, DEFAULT_RULE_PARAMETERS)).toEqual(
        expectedVerdicts(
          [org.managementAccountId, ...Object.values(org.accountIds)].map((id) => [id, 'NON_COMPLIANT', notEnabled]),
        ),
      );
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'reports not enabled even when a locked policy is still attached to the root',
    async () => {
      // moto attaches a policy whose type is not enabled; AWS refuses (PolicyTypeNotEnabledException), and
      // DisablePolicyType detaches every policy of the type there, which moto does not either.
      const spec: MotoOrganizationSpec = {
        ...NOT_ENABLED_ORGANIZATION,
        policies: [{ name: 'org-opt-out-locked', content: LOCKED_CONTENT, attachedTo: ['root'] }],
      };
      const org = await buildMotoOrganization(builder, spec);

      const snapshot = await readOrgSnapshot(reader);

      expect(sortedById(snapshot)).toStrictEqual(expectedSnapshot(org, spec));
      expect(verdicts(snapshot, DEFAULT_RULE_PARAMETERS).map((verdict) => verdict.compliance)).toEqual([
        'NON_COMPLIANT',
        'NON_COMPLIANT',
      ]);
      expect(verdicts(snapshot, DEFAULT_RULE_PARAMETERS).map((verdict) => verdict.annotation)).toEqual([
        expect.stringMatching(/^Not enabled: /),
        expect.stringMatching(/^Not enabled: /),
      ]);
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'pages through more than 20 OUs, accounts and policies with full pages and reads a closed account as SUSPENDED',
    async () => {
      const org = await buildMotoOrganization(builder, LARGE_ORGANIZATION);
      const progress: number[] = [];

      const snapshot = await readOrgSnapshot(reader, { onProgress: (accountsRead) => progress.push(accountsRead) });

      expect(sortedById(snapshot)).toStrictEqual(expectedSnapshot(org, LARGE_ORGANIZATION));
      expect(snapshot.organizationalUnits).toHaveLength(TEAM_COUNT + 1);
      expect(snapshot.accounts).toHaveLength(LARGE_OU_ACCOUNT_COUNT + 4);
      expect(snapshot.policies).toHaveLength(EXTRA_POLICY_COUNT + 1);
      const pages = (command: string, parentId?: string) =>
        requests
          .filter((request) => request.command === command && (parentId === undefined || request.parentId === parentId))
          .map(({ nextToken, maxResults }) => ({ nextToken, maxResults }));
      // moto pages exactly at MaxResults and never sends an empty page with a NextToken, which AWS may.
      const twoPages = [
        { nextToken: undefined, maxResults: MAX_RESULTS_PER_PAGE },
        { nextToken: expect.any(String), maxResults: MAX_RESULTS_PER_PAGE },
      ];
      expect(pages('ListOrganizationalUnitsForParentCommand', org.rootId)).toEqual(twoPages);
      expect(pages('ListAccountsForParentCommand', org.ouId(LARGE_OU))).toEqual(twoPages);
      expect(pages('ListAccountsCommand')).toEqual(twoPages);
      // Once before the tree and once after it, to see that nothing changed meanwhile.
      expect(pages('ListPoliciesCommand')).toEqual([...twoPages, ...twoPages]);
      const onePage = { nextToken: undefined, maxResults: MAX_RESULTS_PER_PAGE };
      expect(pages('ListAccountsWithInvalidEffectivePolicyCommand')).toEqual([onePage, onePage]);
      expect(progress.at(-1)).toBe(snapshot.accounts.length);
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'reports every active account of the large organization COMPLIANT and the closed one NOT_APPLICABLE, whatever the read concurrency',
    async () => {
      const org = await buildMotoOrganization(builder, LARGE_ORGANIZATION);

      const concurrent = await readOrgSnapshot(reader);
      const sequential = await readOrgSnapshot(reader, { concurrency: 1 });

      expect(sortedById(sequential)).toStrictEqual(sortedById(concurrent));
      const compliant = `Opted out of all AI services by ${org.policyId('org-opt-out-locked')} on ${org.rootId}, locked under services, default, opt_out_policy.`;
      const closed = org.accountId('closed-member');
      expect(verdicts(concurrent, DEFAULT_RULE_PARAMETERS)).toEqual(
        expectedVerdicts([
          ...[org.managementAccountId, ...Object.values(org.accountIds)]
            .filter((id) => id !== closed)
            .map((id) => [id, 'COMPLIANT', compliant] as const),
          [closed, 'NOT_APPLICABLE', 'Account is SUSPENDED, so it is not evaluated.'],
        ]),
      );
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'reads the organization again when a policy is attached during the read, and returns what the second attempt saw',
    async () => {
      const org = await buildMotoOrganization(builder, LEX_OPT_IN_ORGANIZATION);
      const lexIn = org.policyId('sandbox-lex-in');
      let attached = false;
      beforeRequest = async (command) => {
        // Between the policy reads before and after the tree, as another actor would.
        if (command !== 'ListAccountsCommand' || attached) return;
        attached = true;
        await builder.send(new AttachPolicyCommand({ PolicyId: lexIn, TargetId: org.accountId('prod-app') }));
      };

      const snapshot = await readOrgSnapshot(reader);

      expect([...(snapshot.policies.find((policy) => policy.id === lexIn)?.targets ?? [])].sort()).toEqual(
        [org.ouId('Sandbox'), org.accountId('prod-app')].sort(),
      );
      const sent = (command: string) => requests.filter((request) => request.command === command).length;
      expect(sent('ListPoliciesCommand')).toBe(3);
      expect(sent('ListAccountsCommand')).toBe(2);
      expect(sent('DescribeOrganizationCommand')).toBe(1);
    },
    MOTO_TEST_TIMEOUT_MS,
  );

  it(
    'reads the organization again when an account moves during the read, so that it is neither lost nor counted twice',
    async () => {
      const org = await buildMotoOrganization(builder, LOCKED_ORGANIZATION);
      const devApp = org.accountId('dev-app');
      let moved = false;
      beforeRequest = async (command, parentId) => {
        // With one request at a time the root's accounts are read before the Dev OU's: the move from Dev to the root
        // between the two hides the account from the tree of the first attempt, though ListAccounts listed it.
        if (command !== 'ListAccountsForParentCommand' || parentId !== org.ouId('Dev') || moved) return;
        moved = true;
        await builder.send(
          new MoveAccountCommand({
            AccountId: devApp,
            SourceParentId: org.ouId('Dev'),
            DestinationParentId: org.rootId,
          }),
        );
      };

      const snapshot = await readOrgSnapshot(reader, { concurrency: 1 });

      expect(snapshot.accounts.filter((account) => account.id === devApp)).toEqual([
        { id: devApp, name: 'dev-app', state: 'ACTIVE', parentId: org.rootId },
      ]);
      expect(snapshot.accounts).toHaveLength(Object.keys(org.accountIds).length + 1);
      expect(requests.filter((request) => request.command === 'ListAccountsCommand')).toHaveLength(2);
    },
    MOTO_TEST_TIMEOUT_MS,
  );
});
