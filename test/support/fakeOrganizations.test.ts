import {
  AccountNotFoundException,
  ChildNotFoundException,
  DescribeAccountCommand,
  DescribeEffectivePolicyCommand,
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  EffectivePolicyNotFoundException,
  InvalidInputException,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListAccountsWithInvalidEffectivePolicyCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationalUnitNotFoundException,
  OrganizationsServiceException,
  ParentNotFoundException,
  PolicyNotFoundException,
  TargetNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { AI_OPT_OUT_POLICY_TYPE, type OrgSnapshot } from '../../src/core/orgSnapshot';
import {
  EFFECTIVE_POLICY_UPDATED_EPOCH_SECONDS,
  FAKE_ORGANIZATIONS_OPERATIONS,
  type FakeOrganizations,
  type FakeOrganizationsOptions,
  JOINED_EPOCH_SECONDS,
} from './fakeOrganizations';
import { fakeOrganizationsPerTest } from './fakeOrganizationsPerTest';
import { generateOrganization } from './generatedOrganization';
import { optIn, SEED_001, SEED_004_EXAMPLE_1, SEED_004_EXAMPLE_2_PARENT } from './policies';

/** Generous: a local HTTP server on a busy machine; nothing here asserts a duration. */
const TEST_TIMEOUT_MS = 30_000;

/** For the 500 requests of the large organization, which take seconds on a loaded 2-core machine. */
const LARGE_TEST_TIMEOUT_MS = 120_000;

/** 45 accounts (three pages of ListAccounts), OUs three deep, policies on OUs and accounts, 3 invalid accounts. */
const MODEL = generateOrganization({
  accounts: 45,
  organizationalUnits: 12,
  depth: 3,
  policies: 8,
  seed: 7,
  invalidEffectivePolicyAccounts: 3,
});
const PARENT_IDS = [MODEL.root.id, ...MODEL.organizationalUnits.map((unit) => unit.id)];

const perTest = fakeOrganizationsPerTest(TEST_TIMEOUT_MS);
/** The fake for this test, serving MODEL unless told otherwise (see fakeOrganizationsPerTest). */
const start = (model: OrgSnapshot = MODEL, options: FakeOrganizationsOptions = {}) => perTest.start(model, options);

/** Every page of one listing, from the first request to the page without a NextToken. */
async function pagesOf<Page extends { readonly NextToken?: string | undefined }>(
  send: (nextToken: string | undefined) => Promise<Page>,
): Promise<Page[]> {
  const pages: Page[] = [];
  let nextToken: string | undefined;
  do {
    const page = await send(nextToken);
    pages.push(page);
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return pages;
}

/** The path AWS gives `id`, worked out from the model's parents. */
function expectedPath(model: OrgSnapshot, id: string): string {
  const parentOf = new Map([...model.organizationalUnits, ...model.accounts].map((item) => [item.id, item.parentId]));
  const chain: string[] = [];
  for (let at: string | undefined = id; at !== undefined && at !== model.root.id; at = parentOf.get(at)) {
    chain.unshift(at);
  }
  return `${model.organization.id}/${model.root.id}/${chain.map((step) => `${step}/`).join('')}`;
}

/** A small organization with the policies given, by target: 'root', 'ou' (one OU) or 'account' (in that OU). */
function organizationWith(policies: Readonly<Record<'root' | 'ou' | 'account', readonly object[]>>): OrgSnapshot {
  const ids = { root: 'r-abcd', ou: 'ou-abcd-11111111', account: '222222222222' } as const;
  return {
    organization: { id: 'o-abcdefghij', featureSet: 'ALL', managementAccountId: '111111111111' },
    root: { id: ids.root, policyTypes: [{ type: AI_OPT_OUT_POLICY_TYPE, status: 'ENABLED' }] },
    organizationalUnits: [{ id: ids.ou, name: 'Workloads', parentId: ids.root }],
    accounts: [
      { id: '111111111111', name: 'management', state: 'ACTIVE', parentId: ids.root },
      { id: ids.account, name: 'app', state: 'ACTIVE', parentId: ids.ou },
    ],
    policies: (['root', 'ou', 'account'] as const).flatMap((level) =>
      policies[level].map((document, index) => ({
        id: `p-${level.padEnd(6, 'x')}${index}0`,
        name: `${level}-${index}`,
        content: JSON.stringify(document),
        targets: [ids[level]],
      })),
    ),
    accountsWithInvalidEffectivePolicy: [],
  };
}

describe('the fake Organizations endpoint', () => {
  it(
    'listens on 127.0.0.1 and answers what DescribeOrganization and ListRoots hold in the model',
    async () => {
      const { server, client } = await start();

      expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const { Organization } = await client.send(new DescribeOrganizationCommand({}));
      expect(Organization).toMatchObject({
        Id: MODEL.organization.id,
        FeatureSet: 'ALL',
        MasterAccountId: MODEL.organization.managementAccountId,
        Arn: `arn:aws:organizations::${MODEL.organization.managementAccountId}:organization/${MODEL.organization.id}`,
      });
      const { Roots, NextToken } = await client.send(new ListRootsCommand({}));
      expect(NextToken).toBeUndefined();
      expect(Roots).toEqual([
        {
          Id: MODEL.root.id,
          Arn: `arn:aws:organizations::${MODEL.organization.managementAccountId}:root/${MODEL.organization.id}/${MODEL.root.id}`,
          Name: 'Root',
          PolicyTypes: MODEL.root.policyTypes.map((summary) => ({ Type: summary.type, Status: summary.status })),
        },
      ]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers every policy with its content and targets, and the policies on each target',
    async () => {
      const { client } = await start();

      const { Policies } = await client.send(new ListPoliciesCommand({ Filter: AI_OPT_OUT_POLICY_TYPE }));
      expect(Policies?.map((summary) => [summary.Id, summary.Name, summary.Type])).toEqual(
        MODEL.policies.map((policy) => [policy.id, policy.name, AI_OPT_OUT_POLICY_TYPE]),
      );
      for (const policy of MODEL.policies) {
        const described = await client.send(new DescribePolicyCommand({ PolicyId: policy.id }));
        expect(described.Policy).toMatchObject({ Content: policy.content, PolicySummary: { Id: policy.id } });
        const { Targets } = await client.send(new ListTargetsForPolicyCommand({ PolicyId: policy.id }));
        expect(Targets?.map((target) => target.TargetId)).toEqual(policy.targets);
      }
      const unitTarget = MODEL.policies.flatMap((policy) => policy.targets).find((id) => id.startsWith('ou-'));
      const accountTarget = MODEL.policies.flatMap((policy) => policy.targets).find((id) => /^\d{12}$/.test(id));
      for (const targetId of [MODEL.root.id, unitTarget, accountTarget]) {
        if (targetId === undefined) throw new Error('the model has no policy on an OU or on an account');
        const { Policies: attached } = await client.send(
          new ListPoliciesForTargetCommand({ TargetId: targetId, Filter: AI_OPT_OUT_POLICY_TYPE }),
        );
        expect(attached?.map((summary) => summary.Id)).toEqual(
          MODEL.policies.filter((policy) => policy.targets.includes(targetId)).map((policy) => policy.id),
        );
      }
      const { Targets: rootTargets } = await client.send(
        new ListTargetsForPolicyCommand({ PolicyId: MODEL.policies[0]?.id }),
      );
      expect(rootTargets).toEqual([expect.objectContaining({ TargetId: MODEL.root.id, Type: 'ROOT', Name: 'Root' })]);
      const other = await client.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }));
      expect(other.Policies).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers the OUs and accounts under each parent, ListChildren and ListParents as the model places them',
    async () => {
      const { client } = await start();

      for (const parentId of PARENT_IDS) {
        const units = await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId }));
        const expectedUnits = MODEL.organizationalUnits.filter((unit) => unit.parentId === parentId);
        expect(units.OrganizationalUnits?.map((unit) => [unit.Id, unit.Name])).toEqual(
          expectedUnits.map((unit) => [unit.id, unit.name]),
        );
        const accounts = await client.send(new ListAccountsForParentCommand({ ParentId: parentId }));
        const expectedAccounts = MODEL.accounts.filter((account) => account.parentId === parentId);
        expect(accounts.Accounts?.map((account) => [account.Id, account.Name, account.State])).toEqual(
          expectedAccounts.map((account) => [account.id, account.name, account.state]),
        );
        const children = await client.send(new ListChildrenCommand({ ParentId: parentId, ChildType: 'ACCOUNT' }));
        expect(children.Children).toEqual(expectedAccounts.map((account) => ({ Id: account.id, Type: 'ACCOUNT' })));
      }
      const [unit] = MODEL.organizationalUnits;
      const account = MODEL.accounts.find((candidate) => candidate.parentId !== MODEL.root.id);
      if (unit === undefined || account === undefined) throw new Error('the model has no OU, or no account in one');
      const unitChildren = await client.send(
        new ListChildrenCommand({ ParentId: MODEL.root.id, ChildType: 'ORGANIZATIONAL_UNIT' }),
      );
      expect(unitChildren.Children).toContainEqual({ Id: unit.id, Type: 'ORGANIZATIONAL_UNIT' });
      expect((await client.send(new ListParentsCommand({ ChildId: unit.id }))).Parents).toEqual([
        { Id: MODEL.root.id, Type: 'ROOT' },
      ]);
      expect((await client.send(new ListParentsCommand({ ChildId: account.id }))).Parents).toEqual([
        { Id: account.parentId, Type: 'ORGANIZATIONAL_UNIT' },
      ]);
      const described = await client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: unit.id }));
      expect(described.OrganizationalUnit).toMatchObject({ Id: unit.id, Name: unit.name });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'describes an account with its ARN, State and JoinedTimestamp (epoch seconds on the wire, a Date in the SDK)',
    async () => {
      const { client, server } = await start();
      const account = MODEL.accounts[1];
      if (account === undefined) throw new Error('the model has one account');

      const { Account } = await client.send(new DescribeAccountCommand({ AccountId: account.id }));
      expect(Account).toEqual({
        Id: account.id,
        Arn: `arn:aws:organizations::${MODEL.organization.managementAccountId}:account/${MODEL.organization.id}/${account.id}`,
        Email: `aws+${account.id}@example.com`,
        Name: account.name,
        State: 'ACTIVE',
        JoinedMethod: 'CREATED',
        JoinedTimestamp: new Date(JOINED_EPOCH_SECONDS * 1000),
        Paths: [expectedPath(MODEL, account.id)],
      });
      const raw = await fetch(server.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSOrganizationsV20161128.DescribeAccount',
        },
        body: JSON.stringify({ AccountId: account.id }),
      });
      expect(raw.status).toBe(200);
      expect(raw.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(await raw.json()).toMatchObject({ Account: { JoinedTimestamp: JOINED_EPOCH_SECONDS } });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'lists the accounts with an invalid effective policy for AISERVICES_OPT_OUT_POLICY only',
    async () => {
      const { client } = await start();

      const listed = await client.send(
        new ListAccountsWithInvalidEffectivePolicyCommand({ PolicyType: AI_OPT_OUT_POLICY_TYPE }),
      );
      expect(listed.PolicyType).toBe(AI_OPT_OUT_POLICY_TYPE);
      expect(listed.Accounts?.map((account) => account.Id)).toEqual(MODEL.accountsWithInvalidEffectivePolicy);
      const other = await client.send(
        new ListAccountsWithInvalidEffectivePolicyCommand({ PolicyType: 'BACKUP_POLICY' }),
      );
      expect(other.Accounts).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers unknown ids with the SDK exceptions AWS documents for them',
    async () => {
      const { client } = await start();
      const unknownAccount = '999999999999';
      const unknownUnit = `ou-${MODEL.root.id.slice(2)}-zzzzzzzz`;

      await expect(client.send(new DescribeAccountCommand({ AccountId: unknownAccount }))).rejects.toBeInstanceOf(
        AccountNotFoundException,
      );
      await expect(client.send(new ListAccountsForParentCommand({ ParentId: unknownUnit }))).rejects.toBeInstanceOf(
        ParentNotFoundException,
      );
      await expect(
        client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: unknownUnit })),
      ).rejects.toBeInstanceOf(ParentNotFoundException);
      await expect(client.send(new ListParentsCommand({ ChildId: unknownAccount }))).rejects.toBeInstanceOf(
        ChildNotFoundException,
      );
      await expect(client.send(new DescribePolicyCommand({ PolicyId: 'p-zzzzzzzz' }))).rejects.toBeInstanceOf(
        PolicyNotFoundException,
      );
      await expect(
        client.send(new ListPoliciesForTargetCommand({ TargetId: unknownAccount, Filter: AI_OPT_OUT_POLICY_TYPE })),
      ).rejects.toBeInstanceOf(TargetNotFoundException);
      await expect(
        client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: unknownUnit })),
      ).rejects.toBeInstanceOf(OrganizationalUnitNotFoundException);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers an operation it does not serve with HTTP 400 UnknownOperationException, and does not count it',
    async () => {
      const { server } = await start();

      const raw = await fetch(server.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSOrganizationsV20161128.CreateAccount',
        },
        body: '{}',
      });
      expect(raw.status).toBe(400);
      expect(await raw.json()).toEqual({ __type: 'UnknownOperationException', Message: expect.any(String) });
      expect(server.total()).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('paging', () => {
  it(
    'covers every account exactly once through ListAccounts and through ListAccountsForParent, empty pages included',
    async () => {
      const { client } = await start(MODEL, { emptyPageEvery: 3 });

      const pages = await pagesOf((NextToken) => client.send(new ListAccountsCommand({ NextToken, MaxResults: 20 })));
      expect(pages.map((page) => page.Accounts?.length)).toEqual([20, 20, 0, 5]);
      expect(pages[2]?.NextToken).toEqual(expect.any(String));
      expect(pages.flatMap((page) => page.Accounts ?? []).map((account) => account.Id)).toEqual(
        MODEL.accounts.map((account) => account.id),
      );
      const byParent: string[] = [];
      let emptyPagesWithToken = 0;
      for (const parentId of PARENT_IDS) {
        const parentPages = await pagesOf((NextToken) =>
          client.send(new ListAccountsForParentCommand({ ParentId: parentId, NextToken, MaxResults: 20 })),
        );
        emptyPagesWithToken += parentPages.filter((page) => page.Accounts?.length === 0 && page.NextToken).length;
        byParent.push(...parentPages.flatMap((page) => page.Accounts ?? []).map((account) => account.Id ?? ''));
      }
      expect(emptyPagesWithToken).toBeGreaterThan(0);
      expect([...byParent].sort()).toEqual(MODEL.accounts.map((account) => account.id).sort());
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'pages by 20 without MaxResults and by MaxResults when given, with distinct opaque NextTokens',
    async () => {
      const { client } = await start();

      const byDefault = await pagesOf((NextToken) => client.send(new ListAccountsCommand({ NextToken })));
      expect(byDefault.map((page) => page.Accounts?.length)).toEqual([20, 20, 5]);
      const bySeven = await pagesOf((NextToken) => client.send(new ListAccountsCommand({ NextToken, MaxResults: 7 })));
      expect(bySeven.map((page) => page.Accounts?.length)).toEqual([7, 7, 7, 7, 7, 7, 3]);
      const tokens = bySeven.flatMap((page) => page.NextToken ?? []);
      expect(new Set(tokens).size).toBe(tokens.length);
      const again = await pagesOf((NextToken) => client.send(new ListAccountsCommand({ NextToken, MaxResults: 7 })));
      expect(again.flatMap((page) => page.NextToken ?? [])).toEqual(tokens);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'gives consecutive empty pages of one listing distinct NextTokens',
    async () => {
      const { client } = await start(MODEL, { emptyPageEvery: 2 });
      const list = (NextToken?: string) => client.send(new ListAccountsCommand({ NextToken, MaxResults: 20 }));

      const first = await list();
      const empty = await list(first.NextToken);
      // Another listing takes the third response, so that this listing's next request is the fourth: empty again.
      await list();
      const secondEmpty = await list(empty.NextToken);
      const last = await list(secondEmpty.NextToken);
      expect([first, empty, secondEmpty, last].map((page) => page.Accounts?.length)).toEqual([20, 0, 0, 20]);
      expect(new Set([first.NextToken, empty.NextToken, secondEmpty.NextToken]).size).toBe(3);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses MaxResults outside 1-20 and a NextToken from another listing with InvalidInputException',
    async () => {
      const { client } = await start();
      const reasonOf = (promise: Promise<unknown>) =>
        promise.then(
          () => 'answered',
          (error: unknown) => (error instanceof InvalidInputException ? error.Reason : error),
        );

      expect(await reasonOf(client.send(new ListAccountsCommand({ MaxResults: 21 })))).toBe('MAX_VALUE_EXCEEDED');
      expect(await reasonOf(client.send(new ListAccountsCommand({ MaxResults: 0 })))).toBe('MIN_VALUE_EXCEEDED');
      const { NextToken } = await client.send(new ListAccountsCommand({ MaxResults: 1 }));
      expect(
        await reasonOf(client.send(new ListAccountsForParentCommand({ ParentId: MODEL.root.id, NextToken }))),
      ).toBe('INVALID_NEXT_TOKEN');
      expect(await reasonOf(client.send(new ListAccountsCommand({ NextToken: 'not-a-token' })))).toBe(
        'INVALID_NEXT_TOKEN',
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'serves 10,000 accounts under 1,000 OUs: ListAccounts walks all 500 pages',
    async () => {
      const large = generateOrganization({ accounts: 10_000, organizationalUnits: 1_000, depth: 5, policies: 100 });
      const { client, server } = await start(large);

      const pages = await pagesOf((NextToken) => client.send(new ListAccountsCommand({ NextToken, MaxResults: 20 })));
      expect(pages).toHaveLength(500);
      expect(new Set(pages.flatMap((page) => page.Accounts ?? []).map((account) => account.Id)).size).toBe(10_000);
      expect(server.calls().ListAccounts).toBe(500);
    },
    LARGE_TEST_TIMEOUT_MS,
  );
});

describe('Paths', () => {
  it(
    'gives accounts Paths and OUs a Path, o-…/r-…/ou-…/<id>/, wherever the fake returns them by default',
    async () => {
      const { client } = await start();
      const wellFormed = new RegExp(`^${MODEL.organization.id}/${MODEL.root.id}/(ou-[a-z0-9]{4}-[a-z0-9]{8}/)*`);

      const listed = await pagesOf((NextToken) => client.send(new ListAccountsCommand({ NextToken })));
      for (const account of listed.flatMap((page) => page.Accounts ?? [])) {
        expect(account.Paths).toEqual([expectedPath(MODEL, account.Id ?? '')]);
        expect(account.Paths?.[0]).toMatch(new RegExp(`${wellFormed.source}${account.Id}/$`));
      }
      for (const parentId of PARENT_IDS) {
        const { Accounts } = await client.send(new ListAccountsForParentCommand({ ParentId: parentId }));
        for (const account of Accounts ?? []) expect(account.Paths).toEqual([expectedPath(MODEL, account.Id ?? '')]);
        const { OrganizationalUnits } = await client.send(
          new ListOrganizationalUnitsForParentCommand({ ParentId: parentId }),
        );
        for (const unit of OrganizationalUnits ?? []) {
          expect(unit.Path).toEqual(expectedPath(MODEL, unit.Id ?? ''));
          expect(unit.Path).toMatch(new RegExp(`${wellFormed.source}$`));
        }
      }
      const deepest = MODEL.organizationalUnits.find((unit) => expectedPath(MODEL, unit.id).split('/').length === 6);
      if (deepest === undefined) throw new Error('the model has no OU three deep');
      const { OrganizationalUnit } = await client.send(
        new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: deepest.id }),
      );
      expect(OrganizationalUnit?.Path).toBe(expectedPath(MODEL, deepest.id));
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'leaves Paths and Path out when started with paths: false',
    async () => {
      const { client } = await start(MODEL, { paths: false });
      const account = MODEL.accounts[0];
      const unit = MODEL.organizationalUnits[0];
      if (account === undefined || unit === undefined) throw new Error('the model has an account and an OU');

      const { Accounts } = await client.send(new ListAccountsCommand({}));
      expect(Accounts?.every((listed) => !('Paths' in listed))).toBe(true);
      const { Accounts: underRoot } = await client.send(new ListAccountsForParentCommand({ ParentId: MODEL.root.id }));
      expect(underRoot?.every((listed) => !('Paths' in listed))).toBe(true);
      expect((await client.send(new DescribeAccountCommand({ AccountId: account.id }))).Account).not.toHaveProperty(
        'Paths',
      );
      const { OrganizationalUnits } = await client.send(
        new ListOrganizationalUnitsForParentCommand({ ParentId: MODEL.root.id }),
      );
      expect(OrganizationalUnits?.every((listed) => !('Path' in listed))).toBe(true);
      const described = await client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: unit.id }));
      expect(described.OrganizationalUnit).not.toHaveProperty('Path');
    },
    TEST_TIMEOUT_MS,
  );
});

describe('throttling and counters', () => {
  it(
    'answers TooManyRequestsException once the token bucket is empty and counts those calls apart',
    async () => {
      // One token every 1,000 s: nothing refills while the test runs, however slow the machine.
      const { client, server } = await start(MODEL, { requestsPerSecond: 0.001, burst: 2 });

      await client.send(new ListRootsCommand({}));
      await client.send(new DescribeOrganizationCommand({}));
      const refused = client.send(new ListRootsCommand({}));
      await expect(refused).rejects.toBeInstanceOf(TooManyRequestsException);
      await expect(refused).rejects.toBeInstanceOf(OrganizationsServiceException);
      await expect(refused).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
      expect(server.calls()).toMatchObject({ ListRoots: 1, DescribeOrganization: 1 });
      expect(server.throttled()).toMatchObject({ ListRoots: 1, DescribeOrganization: 0 });
      expect(server.total()).toBe(2);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'counts every call by operation, totals them and starts again from zero after resetCounters',
    async () => {
      const { client, server } = await start();

      expect(Object.keys(server.calls()).sort()).toEqual([...FAKE_ORGANIZATIONS_OPERATIONS].sort());
      await pagesOf((NextToken) => client.send(new ListAccountsCommand({ NextToken })));
      await client.send(new DescribeAccountCommand({ AccountId: MODEL.organization.managementAccountId }));
      await expect(client.send(new DescribePolicyCommand({ PolicyId: 'p-zzzzzzzz' }))).rejects.toThrow();
      expect(server.calls()).toMatchObject({ ListAccounts: 3, DescribeAccount: 1, DescribePolicy: 1, ListRoots: 0 });
      expect(server.total()).toBe(5);
      server.resetCounters();
      expect(server.total()).toBe(0);
      expect(Object.values(server.calls()).every((count) => count === 0)).toBe(true);
      expect(server.peakInFlight()).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'records the most requests held at once',
    async () => {
      const releases: (() => void)[] = [];
      let arrived: (() => void) | undefined;
      const allArrived = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      const { client, server } = await start(MODEL, {
        // Holds each request until three are in: then all three are in flight at once, whatever the timing.
        onRequest: () =>
          new Promise<void>((release) => {
            releases.push(release);
            if (releases.length === 3) arrived?.();
          }),
      });

      const sent = [1, 2, 3].map(() => client.send(new ListRootsCommand({})));
      await allArrived;
      for (const release of releases) release();
      await Promise.all(sent);
      expect(server.peakInFlight()).toBe(3);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'holds each response for latencyMs, and drops the ones still held when stopped',
    async () => {
      let arrived: (() => void) | undefined;
      const arrival = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      // Far longer than the test's timeout: the answer can only end by stop().
      const { client, server } = await start(MODEL, { latencyMs: 10 * TEST_TIMEOUT_MS, onRequest: () => arrived?.() });

      const held = client.send(new ListRootsCommand({}));
      await arrival;
      await server.stop();
      await expect(held).rejects.toThrow();
      expect(server.calls().ListRoots).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers HTTP 500 ServiceException with the message of what onRequest throws',
    async () => {
      const { client } = await start(MODEL, {
        onRequest: () => {
          throw new Error('the test broke');
        },
      });

      await expect(client.send(new ListRootsCommand({}))).rejects.toMatchObject({
        name: 'ServiceException',
        message: 'the test broke',
        $metadata: { httpStatusCode: 500 },
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'serves a model set in the middle of a listing from the next request on',
    async () => {
      let server: FakeOrganizations | undefined;
      const reordered = { ...MODEL, accounts: [...MODEL.accounts].reverse() };
      const started = await start(MODEL, {
        onRequest: (operation, input) => {
          if (operation === 'ListAccounts' && input.NextToken !== undefined) server?.setModel(reordered);
        },
      });
      server = started.server;

      const pages = await pagesOf((NextToken) =>
        started.client.send(new ListAccountsCommand({ NextToken, MaxResults: 20 })),
      );
      const ids = (from: OrgSnapshot, start: number, end: number) =>
        from.accounts.slice(start, end).map((account) => account.id);
      expect(pages.map((page) => page.Accounts?.map((account) => account.Id))).toEqual([
        ids(MODEL, 0, 20),
        ids(reordered, 20, 40),
        ids(reordered, 40, 45),
      ]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a model that is not a tree under its root and keeps serving the one it has',
    async () => {
      const { client, server } = await start();
      const [first] = MODEL.accounts;
      if (first === undefined) throw new Error('the model has accounts');

      expect(() =>
        server.setModel({
          ...MODEL,
          accounts: [...MODEL.accounts, { ...first, id: '000000000001', parentId: 'ou-x' }],
        }),
      ).toThrow('not under root');
      expect(() => server.setModel({ ...MODEL, accounts: [...MODEL.accounts, first] })).toThrow('twice');
      expect(() => server.setModel({ ...MODEL, accountsWithInvalidEffectivePolicy: ['000000000002'] })).toThrow(
        'invalid effective policy',
      );
      const { Accounts } = await client.send(new ListAccountsForParentCommand({ ParentId: MODEL.root.id }));
      expect(Accounts?.length).toBe(MODEL.accounts.filter((account) => account.parentId === MODEL.root.id).length);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('DescribeEffectivePolicy', () => {
  const send = async (model: OrgSnapshot, options: FakeOrganizationsOptions = {}, TargetId = '222222222222') => {
    const { client } = await start(model, options);
    return client.send(new DescribeEffectivePolicyCommand({ PolicyType: AI_OPT_OUT_POLICY_TYPE, TargetId }));
  };
  const contentOf = async (model: OrgSnapshot): Promise<unknown> =>
    JSON.parse((await send(model)).EffectivePolicy?.PolicyContent ?? '');

  it(
    'merges root, OU and account without operators, the locked Example 1 keeping a child opt-in out',
    async () => {
      const answer = await send(organizationWith({ root: [SEED_004_EXAMPLE_1], ou: [optIn('lex')], account: [] }));

      expect(answer.EffectivePolicy).toEqual({
        PolicyContent: JSON.stringify({ services: { default: { opt_out_policy: 'optOut' } } }),
        LastUpdatedTimestamp: new Date(EFFECTIVE_POLICY_UPDATED_EPOCH_SECONDS * 1000),
        TargetId: '222222222222',
        PolicyType: AI_OPT_OUT_POLICY_TYPE,
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'lets a later level add a service key unless services is locked, and change a value unless it is locked',
    async () => {
      expect(
        await contentOf(organizationWith({ root: [SEED_004_EXAMPLE_2_PARENT], ou: [optIn('lex')], account: [] })),
      ).toEqual({ services: { default: { opt_out_policy: 'optOut' }, lex: { opt_out_policy: 'optIn' } } });
      expect(
        await contentOf(
          organizationWith({ root: [SEED_001], ou: [optIn('default')], account: [optIn('rekognition')] }),
        ),
      ).toEqual({ services: { default: { opt_out_policy: 'optIn' }, rekognition: { opt_out_policy: 'optIn' } } });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'returns the override set for an account instead of the merge',
    async () => {
      const override = JSON.stringify({ services: { lex: { opt_out_policy: 'optIn' } } });

      const answer = await send(organizationWith({ root: [SEED_004_EXAMPLE_1], ou: [], account: [] }), {
        effectivePolicies: { '222222222222': override },
      });
      expect(answer.EffectivePolicy?.PolicyContent).toBe(override);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers EffectivePolicyNotFoundException when no policy applies or the policy type is not enabled',
    async () => {
      const locked = organizationWith({ root: [SEED_004_EXAMPLE_1], ou: [], account: [] });

      await expect(send(organizationWith({ root: [], ou: [], account: [] }))).rejects.toBeInstanceOf(
        EffectivePolicyNotFoundException,
      );
      await expect(send({ ...locked, root: { ...locked.root, policyTypes: [] } })).rejects.toBeInstanceOf(
        EffectivePolicyNotFoundException,
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses an OU as the target and answers TargetNotFoundException for an unknown account',
    async () => {
      const model = organizationWith({ root: [SEED_004_EXAMPLE_1], ou: [], account: [] });

      await expect(send(model, {}, 'ou-abcd-11111111')).rejects.toMatchObject({
        name: 'InvalidInputException',
        Reason: 'TARGET_NOT_SUPPORTED',
      });
      await expect(send(model, {}, '999999999999')).rejects.toBeInstanceOf(TargetNotFoundException);
    },
    TEST_TIMEOUT_MS,
  );
});
