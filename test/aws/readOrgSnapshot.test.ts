import {
  AccessDeniedException,
  type Account,
  type AccountState,
  AWSOrganizationsNotInUseException,
  ConstraintViolationException,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListAccountsWithInvalidEffectivePolicyCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  type OrganizationFeatureSet,
  OrganizationsClient,
  type OrganizationsClientConfig,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { CallOutcome } from '../../src/aws/observeCall';
import {
  DEFAULT_CONCURRENCY,
  MAX_READ_ATTEMPTS,
  ORGANIZATIONS_CLIENT_CONFIG,
  type ReadMode,
  type ReadOrgSnapshotOptions,
  readCallLowerBound,
  readOrgSnapshot,
} from '../../src/aws/readOrgSnapshot';
import type { OrgSnapshot } from '../../src/core/orgSnapshot';
import {
  ListingReadError,
  OrganizationChangedDuringReadError,
  OrganizationNotInUseError,
  OrganizationsAccessDeniedError,
  OrganizationsThrottledError,
  SnapshotReadError,
  UnreadableResponseError,
} from '../../src/errors';
import {
  aiPolicy,
  MANAGEMENT_ID,
  mockOrganization,
  ORG_ID,
  organizationFixture,
  pagesByToken,
  READ_COMMANDS,
  ROOT_ID,
  sdkAccount,
  sdkOrganizationalUnit,
  withAccountPaths,
} from '../support/organizationsMock';
import { unreadableBodyError } from '../support/sdkErrors';

const organizationsMock = mockClient(OrganizationsClient);

const PLATFORM_OU = 'ou-exam-11111111';
const SANDBOX_OU = 'ou-exam-22222222';
const WORKLOADS_OU = 'ou-exam-33333333';
const PLATFORM_ACCOUNT = '222222222222';
const SANDBOX_ACCOUNT = '333333333333';
const WORKLOAD_ACCOUNT = '444444444444';
const ROOT_POLICY = 'p-rootoptout';
const SANDBOX_POLICY = 'p-sandboxlex';
// Raw content with the spacing and line breaks a person typed: the reader must not reformat it.
const ROOT_CONTENT = '{\n  "services": {"default": {"opt_out_policy": {"@@assign": "optOut"}}}\n}\n';
const SANDBOX_CONTENT = '{"services":{"lex":{"opt_out_policy":{"@@assign":"optIn"}}}}';

/** Root -> platform -> sandbox, and root -> workloads; one account in each but workloads has two. */
const SMALL_ORGANIZATION = organizationFixture({
  organizationalUnits: {
    [ROOT_ID]: [sdkOrganizationalUnit(PLATFORM_OU, 'platform'), sdkOrganizationalUnit(WORKLOADS_OU, 'workloads')],
    [PLATFORM_OU]: [sdkOrganizationalUnit(SANDBOX_OU, 'sandbox')],
  },
  accounts: {
    [ROOT_ID]: [sdkAccount(MANAGEMENT_ID, { Name: 'management' })],
    [PLATFORM_OU]: [sdkAccount(PLATFORM_ACCOUNT)],
    [SANDBOX_OU]: [sdkAccount(SANDBOX_ACCOUNT, { State: 'SUSPENDED', Status: 'SUSPENDED' })],
    [WORKLOADS_OU]: [sdkAccount(WORKLOAD_ACCOUNT)],
  },
  policies: [
    aiPolicy(ROOT_POLICY, ROOT_CONTENT, [ROOT_ID]),
    aiPolicy(SANDBOX_POLICY, SANDBOX_CONTENT, [SANDBOX_OU, WORKLOAD_ACCOUNT]),
  ],
});

const SMALL_SNAPSHOT: OrgSnapshot = {
  organization: { id: ORG_ID, featureSet: 'ALL', managementAccountId: MANAGEMENT_ID },
  root: {
    id: ROOT_ID,
    policyTypes: [
      { type: 'SERVICE_CONTROL_POLICY', status: 'ENABLED' },
      { type: 'AISERVICES_OPT_OUT_POLICY', status: 'ENABLED' },
    ],
  },
  organizationalUnits: [
    { id: PLATFORM_OU, name: 'platform', parentId: ROOT_ID },
    { id: WORKLOADS_OU, name: 'workloads', parentId: ROOT_ID },
    { id: SANDBOX_OU, name: 'sandbox', parentId: PLATFORM_OU },
  ],
  accounts: [
    { id: MANAGEMENT_ID, name: 'management', state: 'ACTIVE', parentId: ROOT_ID },
    { id: PLATFORM_ACCOUNT, name: `account-${PLATFORM_ACCOUNT}`, state: 'ACTIVE', parentId: PLATFORM_OU },
    { id: SANDBOX_ACCOUNT, name: `account-${SANDBOX_ACCOUNT}`, state: 'SUSPENDED', parentId: SANDBOX_OU },
    { id: WORKLOAD_ACCOUNT, name: `account-${WORKLOAD_ACCOUNT}`, state: 'ACTIVE', parentId: WORKLOADS_OU },
  ],
  policies: [
    { id: ROOT_POLICY, name: `policy-${ROOT_POLICY}`, content: ROOT_CONTENT, targets: [ROOT_ID] },
    {
      id: SANDBOX_POLICY,
      name: `policy-${SANDBOX_POLICY}`,
      content: SANDBOX_CONTENT,
      targets: [SANDBOX_OU, WORKLOAD_ACCOUNT],
    },
  ],
  accountsWithInvalidEffectivePolicy: [],
};

function newClient(config: OrganizationsClientConfig = {}): OrganizationsClient {
  return new OrganizationsClient({
    ...ORGANIZATIONS_CLIENT_CONFIG,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    ...config,
  });
}

const client = newClient();

beforeEach(() => {
  organizationsMock.reset();
});

describe('readOrgSnapshot', () => {
  it('reads the organization, its root, nested OUs, accounts with their parents and policies with targets', async () => {
    mockOrganization(organizationsMock, SMALL_ORGANIZATION);

    await expect(readOrgSnapshot(client)).resolves.toStrictEqual(SMALL_SNAPSHOT);
  });

  it('leaves capturedAt out of the snapshot', async () => {
    mockOrganization(organizationsMock, SMALL_ORGANIZATION);

    expect(await readOrgSnapshot(client)).not.toHaveProperty('capturedAt');
  });

  it('asks ListPolicies for AI services opt-out policies only, before and after the tree', async () => {
    mockOrganization(organizationsMock, SMALL_ORGANIZATION);

    await readOrgSnapshot(client);

    expect(organizationsMock).toHaveReceivedCommandTimes(ListPoliciesCommand, 2);
    expect(organizationsMock).toHaveReceivedCommandWith(ListPoliciesCommand, { Filter: 'AISERVICES_OPT_OUT_POLICY' });
  });

  it('lists the OUs and accounts of the root and of every OU, ListAccounts once, and nothing account by account', async () => {
    mockOrganization(organizationsMock, SMALL_ORGANIZATION);

    await readOrgSnapshot(client);

    for (const parentId of [ROOT_ID, PLATFORM_OU, SANDBOX_OU, WORKLOADS_OU]) {
      expect(organizationsMock).toHaveReceivedCommandWith(ListOrganizationalUnitsForParentCommand, {
        ParentId: parentId,
      });
      expect(organizationsMock).toHaveReceivedCommandWith(ListAccountsForParentCommand, { ParentId: parentId });
    }
    expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsForParentCommand, 4);
    expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsCommand, 1);
    expect(organizationsMock).not.toHaveReceivedCommand(ListParentsCommand);
    expect(organizationsMock).not.toHaveReceivedCommand(ListChildrenCommand);
  });

  it('asks for the largest page Organizations allows', async () => {
    mockOrganization(organizationsMock, SMALL_ORGANIZATION);

    await readOrgSnapshot(client);

    expect(organizationsMock).toHaveReceivedCommandWith(ListRootsCommand, { MaxResults: 20 });
    expect(organizationsMock).toHaveReceivedCommandWith(ListPoliciesCommand, { MaxResults: 20 });
    expect(organizationsMock).toHaveReceivedCommandWith(ListTargetsForPolicyCommand, { MaxResults: 20 });
    expect(organizationsMock).toHaveReceivedCommandWith(ListOrganizationalUnitsForParentCommand, { MaxResults: 20 });
    expect(organizationsMock).toHaveReceivedCommandWith(ListAccountsForParentCommand, { MaxResults: 20 });
    expect(organizationsMock).toHaveReceivedCommandWith(ListAccountsCommand, { MaxResults: 20 });
    expect(organizationsMock).toHaveReceivedCommandWith(ListAccountsWithInvalidEffectivePolicyCommand, {
      MaxResults: 20,
    });
  });

  it('keeps a policy content that is not valid JSON, for the evaluation to reject', async () => {
    mockOrganization(
      organizationsMock,
      organizationFixture({ policies: [aiPolicy(ROOT_POLICY, '{"services": {', [ROOT_ID])] }),
    );

    const snapshot = await readOrgSnapshot(client);

    expect(snapshot.policies).toStrictEqual([
      { id: ROOT_POLICY, name: `policy-${ROOT_POLICY}`, content: '{"services": {', targets: [ROOT_ID] },
    ]);
  });

  it('reads an organization whose AI opt-out policy type is not enabled as a root without it', async () => {
    const [root] = organizationFixture().roots;
    mockOrganization(
      organizationsMock,
      organizationFixture({
        roots: [{ ...root, PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }] }],
      }),
    );

    const snapshot = await readOrgSnapshot(client);

    expect(snapshot.root.policyTypes).toStrictEqual([{ type: 'SERVICE_CONTROL_POLICY', status: 'ENABLED' }]);
  });

  describe('paging', () => {
    it('pages ListRoots past an empty first page that carries a NextToken', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListRootsCommand] });
      organizationsMock
        .on(ListRootsCommand)
        .callsFake(
          pagesByToken([
            { Roots: [], NextToken: 'roots-1' },
            { Roots: [], NextToken: 'roots-2' },
            { Roots: [...SMALL_ORGANIZATION.roots] },
          ]),
        );

      await expect(readOrgSnapshot(client)).resolves.toStrictEqual(SMALL_SNAPSHOT);
      // Three pages before the tree and three after it.
      expect(organizationsMock).toHaveReceivedCommandTimes(ListRootsCommand, 6);
      expect(organizationsMock).toHaveReceivedNthSpecificCommandWith(1, ListRootsCommand, { NextToken: undefined });
      expect(organizationsMock).toHaveReceivedNthSpecificCommandWith(2, ListRootsCommand, { NextToken: 'roots-1' });
      expect(organizationsMock).toHaveReceivedNthSpecificCommandWith(3, ListRootsCommand, { NextToken: 'roots-2' });
    });

    it('pages ListPolicies through empty pages until NextToken is absent', async () => {
      const [rootPolicy, sandboxPolicy] = SMALL_ORGANIZATION.policies;
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListPoliciesCommand] });
      organizationsMock
        .on(ListPoliciesCommand)
        .callsFake(
          pagesByToken([
            { Policies: [], NextToken: 'policies-1' },
            { Policies: rootPolicy && [rootPolicy.summary], NextToken: 'policies-2' },
            { Policies: [], NextToken: 'policies-3' },
            { Policies: sandboxPolicy && [sandboxPolicy.summary] },
          ]),
        );

      await expect(readOrgSnapshot(client)).resolves.toStrictEqual(SMALL_SNAPSHOT);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListPoliciesCommand, 8);
      expect(organizationsMock).toHaveReceivedNthSpecificCommandWith(4, ListPoliciesCommand, {
        Filter: 'AISERVICES_OPT_OUT_POLICY',
        NextToken: 'policies-3',
      });
    });

    it('pages ListTargetsForPolicy through empty pages until NextToken is absent', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListTargetsForPolicyCommand] });
      organizationsMock
        .on(ListTargetsForPolicyCommand, { PolicyId: ROOT_POLICY })
        .callsFake(pagesByToken([{ Targets: [], NextToken: 'root-targets-1' }, { Targets: [{ TargetId: ROOT_ID }] }]));
      organizationsMock
        .on(ListTargetsForPolicyCommand, { PolicyId: SANDBOX_POLICY })
        .callsFake(
          pagesByToken([
            { Targets: [{ TargetId: SANDBOX_OU }], NextToken: 'sandbox-targets-1' },
            { Targets: [], NextToken: 'sandbox-targets-2' },
            { Targets: [{ TargetId: WORKLOAD_ACCOUNT }] },
          ]),
        );

      await expect(readOrgSnapshot(client)).resolves.toStrictEqual(SMALL_SNAPSHOT);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListTargetsForPolicyCommand, 10);
      expect(organizationsMock).toHaveReceivedCommandWith(ListTargetsForPolicyCommand, {
        PolicyId: SANDBOX_POLICY,
        NextToken: 'sandbox-targets-2',
      });
    });

    it('pages ListOrganizationalUnitsForParent through empty pages until NextToken is absent', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListOrganizationalUnitsForParentCommand] });
      organizationsMock
        .on(ListOrganizationalUnitsForParentCommand, { ParentId: ROOT_ID })
        .resolvesOnce({ OrganizationalUnits: [], NextToken: 'root-ous-1' })
        .resolvesOnce({
          OrganizationalUnits: [sdkOrganizationalUnit(PLATFORM_OU, 'platform')],
          NextToken: 'root-ous-2',
        })
        .resolvesOnce({ OrganizationalUnits: [], NextToken: 'root-ous-3' })
        .resolvesOnce({ OrganizationalUnits: [sdkOrganizationalUnit(WORKLOADS_OU, 'workloads')] });
      organizationsMock
        .on(ListOrganizationalUnitsForParentCommand, { ParentId: PLATFORM_OU })
        .resolvesOnce({ OrganizationalUnits: [], NextToken: 'platform-ous-1' })
        .resolvesOnce({ OrganizationalUnits: [sdkOrganizationalUnit(SANDBOX_OU, 'sandbox')] });
      organizationsMock
        .on(ListOrganizationalUnitsForParentCommand, { ParentId: SANDBOX_OU })
        .resolvesOnce({ OrganizationalUnits: [] });
      organizationsMock
        .on(ListOrganizationalUnitsForParentCommand, { ParentId: WORKLOADS_OU })
        .resolvesOnce({ OrganizationalUnits: [], NextToken: 'workloads-ous-1' })
        .resolvesOnce({ OrganizationalUnits: [] });

      await expect(readOrgSnapshot(client)).resolves.toStrictEqual(SMALL_SNAPSHOT);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListOrganizationalUnitsForParentCommand, 9);
      expect(organizationsMock).toHaveReceivedCommandWith(ListOrganizationalUnitsForParentCommand, {
        ParentId: ROOT_ID,
        NextToken: 'root-ous-3',
      });
    });

    it('pages ListAccountsForParent through empty pages until NextToken is absent', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListAccountsForParentCommand] });
      organizationsMock
        .on(ListAccountsForParentCommand, { ParentId: ROOT_ID })
        .resolvesOnce({ Accounts: [], NextToken: 'root-accounts-1' })
        .resolvesOnce({ Accounts: [], NextToken: 'root-accounts-2' })
        .resolvesOnce({ Accounts: [sdkAccount(MANAGEMENT_ID, { Name: 'management' })] });
      organizationsMock
        .on(ListAccountsForParentCommand, { ParentId: PLATFORM_OU })
        .resolvesOnce({ Accounts: [sdkAccount(PLATFORM_ACCOUNT)], NextToken: 'platform-accounts-1' })
        .resolvesOnce({ Accounts: [] });
      organizationsMock.on(ListAccountsForParentCommand, { ParentId: SANDBOX_OU }).resolvesOnce({
        Accounts: [sdkAccount(SANDBOX_ACCOUNT, { State: 'SUSPENDED', Status: 'SUSPENDED' })],
      });
      organizationsMock
        .on(ListAccountsForParentCommand, { ParentId: WORKLOADS_OU })
        .resolvesOnce({ Accounts: [], NextToken: 'workloads-accounts-1' })
        .resolvesOnce({ Accounts: [sdkAccount(WORKLOAD_ACCOUNT)] });

      await expect(readOrgSnapshot(client)).resolves.toStrictEqual(SMALL_SNAPSHOT);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsForParentCommand, 8);
      expect(organizationsMock).toHaveReceivedCommandWith(ListAccountsForParentCommand, {
        ParentId: ROOT_ID,
        NextToken: 'root-accounts-2',
      });
    });

    it('pages ListAccounts through empty pages to the end, so that every account is compared with the tree', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListAccountsCommand] });
      organizationsMock
        .on(ListAccountsCommand)
        .resolvesOnce({ Accounts: [], NextToken: 'accounts-1' })
        .resolvesOnce({ Accounts: [sdkAccount(MANAGEMENT_ID), sdkAccount(PLATFORM_ACCOUNT)], NextToken: 'accounts-2' })
        .resolvesOnce({ Accounts: [], NextToken: 'accounts-3' })
        .resolvesOnce({ Accounts: [sdkAccount(SANDBOX_ACCOUNT), sdkAccount(WORKLOAD_ACCOUNT)] });

      await expect(readOrgSnapshot(client)).resolves.toStrictEqual(SMALL_SNAPSHOT);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsCommand, 4);
      for (const [n, token] of [undefined, 'accounts-1', 'accounts-2', 'accounts-3'].entries()) {
        expect(organizationsMock).toHaveReceivedNthSpecificCommandWith(n + 1, ListAccountsCommand, {
          NextToken: token,
          MaxResults: 20,
        });
      }
    });

    it('pages ListAccountsWithInvalidEffectivePolicy through empty pages until NextToken is absent, before and after the tree', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, {
        except: [ListAccountsWithInvalidEffectivePolicyCommand],
      });
      organizationsMock
        .on(ListAccountsWithInvalidEffectivePolicyCommand)
        .callsFake(
          pagesByToken([
            { Accounts: [], NextToken: 'invalid-1' },
            { Accounts: [sdkAccount(PLATFORM_ACCOUNT)], NextToken: 'invalid-2' },
            { Accounts: [], NextToken: 'invalid-3' },
            { Accounts: [sdkAccount(WORKLOAD_ACCOUNT)] },
          ]),
        );

      await expect(readOrgSnapshot(client)).resolves.toStrictEqual({
        ...SMALL_SNAPSHOT,
        accountsWithInvalidEffectivePolicy: [PLATFORM_ACCOUNT, WORKLOAD_ACCOUNT],
      });
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsWithInvalidEffectivePolicyCommand, 8);
      for (const [n, token] of [undefined, 'invalid-1', 'invalid-2', 'invalid-3'].entries()) {
        expect(organizationsMock).toHaveReceivedNthSpecificCommandWith(
          n + 1,
          ListAccountsWithInvalidEffectivePolicyCommand,
          { PolicyType: 'AISERVICES_OPT_OUT_POLICY', NextToken: token, MaxResults: 20 },
        );
      }
    });

    // An answer of `{}`: AWS sends the list in every page, even an empty one, so this is no answer to trust.
    const emptyAnswers = [
      [ListRootsCommand, 'Roots', () => organizationsMock.on(ListRootsCommand).resolves({})],
      [ListPoliciesCommand, 'Policies', () => organizationsMock.on(ListPoliciesCommand).resolves({})],
      [ListTargetsForPolicyCommand, 'Targets', () => organizationsMock.on(ListTargetsForPolicyCommand).resolves({})],
      [
        ListOrganizationalUnitsForParentCommand,
        'OrganizationalUnits',
        () => organizationsMock.on(ListOrganizationalUnitsForParentCommand).resolves({}),
      ],
      [ListAccountsForParentCommand, 'Accounts', () => organizationsMock.on(ListAccountsForParentCommand).resolves({})],
      [ListAccountsCommand, 'Accounts', () => organizationsMock.on(ListAccountsCommand).resolves({})],
      [
        ListAccountsWithInvalidEffectivePolicyCommand,
        'Accounts',
        () => organizationsMock.on(ListAccountsWithInvalidEffectivePolicyCommand).resolves({}),
      ],
    ] as const;

    it.each(emptyAnswers)(
      'fails the read, naming the listing, when a %p page has no %s list',
      async (command, list, answerEmpty) => {
        mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [command] });
        answerEmpty();

        const read = readOrgSnapshot(client);

        const action = `organizations:${command.name.replace(/Command$/, '')}`;
        await expect(read).rejects.toThrow(ListingReadError);
        await expect(read).rejects.toMatchObject({ action, detail: `page 1 has no ${list} list` });
        await expect(read).rejects.toThrow(
          `${action} returned a listing that cannot be trusted: page 1 has no ${list} list, so the read failed: run again`,
        );
      },
    );

    it('fails the read as soon as a NextToken comes back that the listing returned before', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListAccountsForParentCommand] });
      // A -> B -> A: a paging that would never end.
      organizationsMock.on(ListAccountsForParentCommand).callsFake((input: { NextToken?: string }) => {
        if (input.NextToken === undefined) return { Accounts: [], NextToken: 'A' };
        return { Accounts: [], NextToken: input.NextToken === 'A' ? 'B' : 'A' };
      });

      await expect(readOrgSnapshot(client, { concurrency: 1 })).rejects.toMatchObject({
        name: 'ListingReadError',
        action: 'organizations:ListAccountsForParent',
        detail: 'page 3 returned the NextToken that page 1 returned (the paging loops)',
      });
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsForParentCommand, 3);
    });

    it('fails the read when ListAccounts lists an account twice', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListAccountsCommand] });
      const everyAccount = Object.values(SMALL_ORGANIZATION.accounts).flat();
      organizationsMock
        .on(ListAccountsCommand)
        .callsFake(
          pagesByToken([
            { Accounts: everyAccount, NextToken: 'accounts-1' },
            { Accounts: [sdkAccount(MANAGEMENT_ID)] },
          ]),
        );

      await expect(readOrgSnapshot(client)).rejects.toMatchObject({
        name: 'ListingReadError',
        action: 'organizations:ListAccounts',
        detail: `page 2 lists ${MANAGEMENT_ID} again (first on page 1)`,
      });
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsCommand, 2);
    });
  });

  describe('account state', () => {
    function organizationWithAccount(account: ReturnType<typeof sdkAccount>) {
      return organizationFixture({
        accounts: { [ROOT_ID]: [sdkAccount(MANAGEMENT_ID, { Name: 'management' }), account] },
      });
    }

    it('reads the retired Status when State is missing', async () => {
      const { State: _state, ...motoAccount } = sdkAccount(PLATFORM_ACCOUNT, { Status: 'SUSPENDED' });
      mockOrganization(organizationsMock, organizationWithAccount(motoAccount));

      const snapshot = await readOrgSnapshot(client);

      expect(snapshot.accounts).toContainEqual(expect.objectContaining({ id: PLATFORM_ACCOUNT, state: 'SUSPENDED' }));
    });

    it('reads State when both State and Status are present', async () => {
      mockOrganization(
        organizationsMock,
        organizationWithAccount(sdkAccount(PLATFORM_ACCOUNT, { State: 'CLOSED', Status: 'SUSPENDED' })),
      );

      const snapshot = await readOrgSnapshot(client);

      expect(snapshot.accounts).toContainEqual(expect.objectContaining({ id: PLATFORM_ACCOUNT, state: 'CLOSED' }));
    });

    it('throws SnapshotReadError naming the account when its State is unknown', async () => {
      mockOrganization(
        organizationsMock,
        organizationWithAccount(sdkAccount(PLATFORM_ACCOUNT, { State: 'WEIRD' as AccountState })),
      );

      const read = readOrgSnapshot(client);

      await expect(read).rejects.toThrow(SnapshotReadError);
      await expect(read).rejects.toMatchObject({ name: 'SnapshotReadError', path: 'accounts[1].state' });
      await expect(read).rejects.toThrow(/accounts\[1\]\.state: must be one of PENDING_ACTIVATION, .*got "WEIRD"/);
    });

    it('throws SnapshotReadError when an account has neither State nor Status', async () => {
      const { State: _state, Status: _status, ...account } = sdkAccount(PLATFORM_ACCOUNT);
      mockOrganization(organizationsMock, organizationWithAccount(account));

      await expect(readOrgSnapshot(client)).rejects.toMatchObject({
        name: 'SnapshotReadError',
        path: 'accounts[1].state',
      });
    });
  });

  describe('validation', () => {
    it('throws SnapshotReadError when a policy targets an id that is not in the tree read', async () => {
      // An account that left the organization between ListAccountsForParent and ListTargetsForPolicy.
      mockOrganization(
        organizationsMock,
        organizationFixture({ policies: [aiPolicy(ROOT_POLICY, ROOT_CONTENT, [ROOT_ID, '999999999999'])] }),
      );

      const read = readOrgSnapshot(client);

      await expect(read).rejects.toThrow(SnapshotReadError);
      await expect(read).rejects.toMatchObject({ path: 'policies[0].targets[1]' });
      await expect(read).rejects.toThrow('"999999999999" is not the root, an organizational unit or an account');
    });

    it('throws SnapshotReadError when the management account is not among the accounts read', async () => {
      mockOrganization(organizationsMock, organizationFixture({ accounts: {} }));

      await expect(readOrgSnapshot(client)).rejects.toMatchObject({
        name: 'SnapshotReadError',
        path: 'organization.managementAccountId',
      });
    });

    it('throws SnapshotReadError when the organization does not use all features', async () => {
      const { organization } = organizationFixture();
      mockOrganization(
        organizationsMock,
        organizationFixture({ organization: { ...organization, FeatureSet: 'WHATEVER' as OrganizationFeatureSet } }),
      );

      await expect(readOrgSnapshot(client)).rejects.toMatchObject({ path: 'organization.featureSet' });
    });

    it('throws SnapshotReadError when ListRoots returns no root', async () => {
      mockOrganization(organizationsMock, organizationFixture({ roots: [] }));

      await expect(readOrgSnapshot(client)).rejects.toMatchObject({ name: 'SnapshotReadError', path: 'root' });
    });

    it('throws SnapshotReadError when ListRoots returns two roots', async () => {
      const [root] = organizationFixture().roots;
      mockOrganization(organizationsMock, organizationFixture({ roots: [{ ...root }, { ...root, Id: 'r-abcd' }] }));

      await expect(readOrgSnapshot(client)).rejects.toThrow('ListRoots returned 2 roots');
    });

    it('throws SnapshotReadError when the root has no Id', async () => {
      const [root] = organizationFixture().roots;
      mockOrganization(organizationsMock, organizationFixture({ roots: [{ ...root, Id: undefined }] }));

      await expect(readOrgSnapshot(client)).rejects.toMatchObject({ name: 'SnapshotReadError', path: 'root.id' });
    });

    it('throws SnapshotReadError when DescribePolicy returns no Content', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [DescribePolicyCommand] });
      organizationsMock.on(DescribePolicyCommand).resolves({ Policy: {} });

      await expect(readOrgSnapshot(client)).rejects.toMatchObject({ path: 'policies[0].content' });
    });

    it('throws SnapshotReadError when a policy summary has no Id', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListPoliciesCommand] });
      organizationsMock.on(ListPoliciesCommand).resolves({ Policies: [{ Name: 'nameless' }] });

      await expect(readOrgSnapshot(client)).rejects.toMatchObject({ path: 'policies[0].id' });
      expect(organizationsMock).not.toHaveReceivedCommand(DescribePolicyCommand);
    });

    it('throws SnapshotReadError, without looping, when an OU is listed under two parents', async () => {
      mockOrganization(
        organizationsMock,
        organizationFixture({
          organizationalUnits: {
            [ROOT_ID]: [sdkOrganizationalUnit(PLATFORM_OU, 'platform')],
            [PLATFORM_OU]: [sdkOrganizationalUnit(PLATFORM_OU, 'platform')],
          },
        }),
        // Yields to the event loop so that a reader that loops fails on jest's timeout instead of hanging.
        { beforeAnswer: () => new Promise((resolve) => setImmediate(resolve)) },
      );

      await expect(readOrgSnapshot(client)).rejects.toMatchObject({ path: 'organizationalUnits[1].id' });
      expect(organizationsMock).toHaveReceivedCommandTimes(ListOrganizationalUnitsForParentCommand, 2);
    });
  });

  describe('invalid effective policies', () => {
    it('lists the accounts whose effective AI opt-out policy AWS reports as invalid', async () => {
      mockOrganization(organizationsMock, {
        ...SMALL_ORGANIZATION,
        accountsWithInvalidEffectivePolicy: [SANDBOX_ACCOUNT],
      });

      const snapshot = await readOrgSnapshot(client);

      expect(snapshot.accountsWithInvalidEffectivePolicy).toStrictEqual([SANDBOX_ACCOUNT]);
      // Before and after the tree, like the policies.
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsWithInvalidEffectivePolicyCommand, 2);
      expect(organizationsMock).toHaveReceivedCommandWith(ListAccountsWithInvalidEffectivePolicyCommand, {
        PolicyType: 'AISERVICES_OPT_OUT_POLICY',
      });
    });

    it('fails the read, naming organizations:ListAccountsWithInvalidEffectivePolicy, when access to it is denied', async () => {
      const denied = new AccessDeniedException({ $metadata: {}, message: 'denied' });
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, {
        fault: { command: ListAccountsWithInvalidEffectivePolicyCommand, error: denied },
      });

      const read = readOrgSnapshot(client);

      await expect(read).rejects.toMatchObject({
        name: 'OrganizationsAccessDeniedError',
        action: 'organizations:ListAccountsWithInvalidEffectivePolicy',
        cause: denied,
      });
      await expect(read).rejects.toThrow(
        'Access denied to organizations:ListAccountsWithInvalidEffectivePolicy: allow organizations:ListAccountsWithInvalidEffectivePolicy to the rule',
      );
    });

    it('reads the organization again when a read of the list lost a NextToken, and keeps the list both reads agree on', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, {
        except: [ListAccountsWithInvalidEffectivePolicyCommand],
      });
      const pages = pagesByToken([
        { Accounts: [sdkAccount(PLATFORM_ACCOUNT)], NextToken: 'invalid-1' },
        { Accounts: [sdkAccount(WORKLOAD_ACCOUNT)] },
      ]);
      organizationsMock
        .on(ListAccountsWithInvalidEffectivePolicyCommand)
        // The first read before the tree: its first page came back without its NextToken.
        .callsFakeOnce(() => ({ Accounts: [sdkAccount(PLATFORM_ACCOUNT)] }))
        .callsFake(pages);

      const snapshot = await readOrgSnapshot(client);

      expect(snapshot.accountsWithInvalidEffectivePolicy).toStrictEqual([PLATFORM_ACCOUNT, WORKLOAD_ACCOUNT]);
      // One page before the first tree, two after it, two after the second tree.
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsWithInvalidEffectivePolicyCommand, 5);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsCommand, 2);
    });

    it('reads the organization again when an answer of the list came back empty ({"Accounts": []}) once', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, {
        except: [ListAccountsWithInvalidEffectivePolicyCommand],
      });
      organizationsMock
        .on(ListAccountsWithInvalidEffectivePolicyCommand)
        .resolvesOnce({ Accounts: [] })
        .resolves({ Accounts: [sdkAccount(SANDBOX_ACCOUNT)] });

      const snapshot = await readOrgSnapshot(client);

      expect(snapshot.accountsWithInvalidEffectivePolicy).toStrictEqual([SANDBOX_ACCOUNT]);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsWithInvalidEffectivePolicyCommand, 3);
    });

    it('fails the read, after the repeat and no later, when its NextToken loops', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, {
        except: [ListAccountsWithInvalidEffectivePolicyCommand],
      });
      organizationsMock
        .on(ListAccountsWithInvalidEffectivePolicyCommand)
        .resolves({ Accounts: [], NextToken: 'same-again' });

      const read = readOrgSnapshot(client);

      await expect(read).rejects.toThrow(ListingReadError);
      await expect(read).rejects.toThrow(
        'organizations:ListAccountsWithInvalidEffectivePolicy returned a listing that cannot be trusted: page 2 returned the NextToken that page 1 returned (the paging loops), so the read failed',
      );
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsWithInvalidEffectivePolicyCommand, 2);
    });

    it('fails the read when a page repeats an account an earlier page listed', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, {
        except: [ListAccountsWithInvalidEffectivePolicyCommand],
      });
      organizationsMock
        .on(ListAccountsWithInvalidEffectivePolicyCommand)
        .callsFake(
          pagesByToken([
            { Accounts: [sdkAccount(SANDBOX_ACCOUNT)], NextToken: 'invalid-1' },
            { Accounts: [sdkAccount(SANDBOX_ACCOUNT)] },
          ]),
        );

      await expect(readOrgSnapshot(client)).rejects.toMatchObject({
        name: 'ListingReadError',
        action: 'organizations:ListAccountsWithInvalidEffectivePolicy',
        detail: `page 2 lists ${SANDBOX_ACCOUNT} again (first on page 1)`,
      });
    });

    it('fails the read when the listing fails otherwise, as against moto without its gap-filler', async () => {
      // moto 5.2.1 answers this call with an HTML page (HTTP 500), which the SDK reports as a SyntaxError.
      const unparsable = new SyntaxError('Unexpected token < in JSON at position 0');
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, {
        fault: { command: ListAccountsWithInvalidEffectivePolicyCommand, error: unparsable },
      });

      await expect(readOrgSnapshot(client)).rejects.toBe(unparsable);
    });

    it('throws SnapshotReadError when it names an account that is not in the tree read', async () => {
      mockOrganization(organizationsMock, {
        ...SMALL_ORGANIZATION,
        accountsWithInvalidEffectivePolicy: ['999999999999'],
      });

      await expect(readOrgSnapshot(client)).rejects.toMatchObject({
        name: 'SnapshotReadError',
        path: 'accountsWithInvalidEffectivePolicy[0]',
      });
    });
  });

  describe('a consistent read', () => {
    /** Answers `first`, then `second`, then `first` again and so on: two reads in a row never agree. */
    function alternating<T>(first: T, second: T): () => T {
      let calls = 0;
      return () => {
        calls += 1;
        return calls % 2 === 1 ? first : second;
      };
    }

    const [rootFixture] = SMALL_ORGANIZATION.roots;
    const rootWithAiStatus = (status: 'ENABLED' | 'PENDING_ENABLE') => ({
      ...rootFixture,
      PolicyTypes: [
        { Type: 'SERVICE_CONTROL_POLICY' as const, Status: 'ENABLED' as const },
        { Type: 'AISERVICES_OPT_OUT_POLICY' as const, Status: status },
      ],
    });
    const accountsUnder = (parentId: string | undefined) => [...(SMALL_ORGANIZATION.accounts[parentId ?? ''] ?? [])];
    const everyAccount = Object.values(SMALL_ORGANIZATION.accounts).flat();
    const [rootPolicy, sandboxPolicy] = SMALL_ORGANIZATION.policies;
    const UPDATED_CONTENT = '{"services":{"default":{"opt_out_policy":{"@@assign":"optIn"}}}}';

    it('reads the organization again, once, when a policy changed between the reads before and after the tree', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [DescribePolicyCommand] });
      organizationsMock
        .on(DescribePolicyCommand, { PolicyId: SANDBOX_POLICY })
        .resolves({ Policy: { Content: SANDBOX_CONTENT } });
      organizationsMock
        .on(DescribePolicyCommand, { PolicyId: ROOT_POLICY })
        .resolvesOnce({ Policy: { Content: ROOT_CONTENT } })
        .resolves({ Policy: { Content: UPDATED_CONTENT } });

      const snapshot = await readOrgSnapshot(client);

      // The snapshot of the second attempt, whose reads agree: the updated content.
      expect(snapshot.policies.find((policy) => policy.id === ROOT_POLICY)?.content).toBe(UPDATED_CONTENT);
      expect(snapshot).toStrictEqual({
        ...SMALL_SNAPSHOT,
        policies: SMALL_SNAPSHOT.policies.map((policy) =>
          policy.id === ROOT_POLICY ? { ...policy, content: UPDATED_CONTENT } : policy,
        ),
      });
      // The policies read after the first tree are the second attempt's reads before its tree: 3 reads, not 4.
      expect(organizationsMock).toHaveReceivedCommandTimes(DescribeOrganizationCommand, 1);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListPoliciesCommand, 3);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsForParentCommand, 8);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsCommand, 2);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsWithInvalidEffectivePolicyCommand, 3);
    });

    it('reads the organization again when the AI opt-out policy type became ENABLED during the read', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListRootsCommand] });
      organizationsMock
        .on(ListRootsCommand)
        .resolvesOnce({ Roots: [rootWithAiStatus('PENDING_ENABLE')] })
        .resolves({ Roots: [rootWithAiStatus('ENABLED')] });

      await expect(readOrgSnapshot(client)).resolves.toStrictEqual(SMALL_SNAPSHOT);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListRootsCommand, 3);
    });

    it('reads the organization again when an account in ListAccounts is missing from the tree, and counts progress again', async () => {
      // The account was on its way between two OUs while the tree was read: neither OU listed it.
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListAccountsForParentCommand] });
      let workloadsReads = 0;
      organizationsMock.on(ListAccountsForParentCommand).callsFake((input) => {
        if (input.ParentId === WORKLOADS_OU) workloadsReads += 1;
        return {
          Accounts: input.ParentId === WORKLOADS_OU && workloadsReads === 1 ? [] : accountsUnder(input.ParentId),
        };
      });
      const onProgress = jest.fn<void, [number]>();

      await expect(readOrgSnapshot(client, { onProgress, concurrency: 1 })).resolves.toStrictEqual(SMALL_SNAPSHOT);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsForParentCommand, 8);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsCommand, 2);
      expect(onProgress.mock.calls).toStrictEqual([[1], [2], [3], [1], [2], [3], [4]]);
    });

    it('reads the organization again when the tree finds an account under two parents', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListAccountsForParentCommand] });
      let rootReads = 0;
      organizationsMock.on(ListAccountsForParentCommand).callsFake((input) => {
        if (input.ParentId === ROOT_ID) rootReads += 1;
        const moved = input.ParentId === ROOT_ID && rootReads === 1 ? [sdkAccount(WORKLOAD_ACCOUNT)] : [];
        return { Accounts: [...accountsUnder(input.ParentId), ...moved] };
      });

      await expect(readOrgSnapshot(client)).resolves.toStrictEqual(SMALL_SNAPSHOT);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsCommand, 2);
    });

    it.each([
      [
        'a policy is attached',
        () =>
          organizationsMock
            .on(ListTargetsForPolicyCommand, { PolicyId: SANDBOX_POLICY })
            .callsFake(
              alternating(
                { Targets: [{ TargetId: SANDBOX_OU }] },
                { Targets: [{ TargetId: SANDBOX_OU }, { TargetId: WORKLOAD_ACCOUNT }] },
              ),
            ),
        `policy ${SANDBOX_POLICY} changed its targets`,
      ],
      [
        "a policy's content is updated",
        () =>
          organizationsMock
            .on(DescribePolicyCommand, { PolicyId: ROOT_POLICY })
            .callsFake(alternating({ Policy: { Content: ROOT_CONTENT } }, { Policy: { Content: UPDATED_CONTENT } })),
        `policy ${ROOT_POLICY} changed its content`,
      ],
      [
        'a policy is created',
        () =>
          organizationsMock
            .on(ListPoliciesCommand)
            .callsFake(
              alternating(
                { Policies: [rootPolicy?.summary ?? {}] },
                { Policies: [rootPolicy?.summary ?? {}, sandboxPolicy?.summary ?? {}] },
              ),
            ),
        `policy ${SANDBOX_POLICY} was created`,
      ],
      [
        'a policy is deleted',
        () =>
          organizationsMock
            .on(ListPoliciesCommand)
            .callsFake(
              alternating(
                { Policies: [rootPolicy?.summary ?? {}, sandboxPolicy?.summary ?? {}] },
                { Policies: [rootPolicy?.summary ?? {}] },
              ),
            ),
        `policy ${SANDBOX_POLICY} was deleted`,
      ],
      [
        'the AI opt-out policy type is being enabled',
        () =>
          organizationsMock
            .on(ListRootsCommand)
            .callsFake(
              alternating({ Roots: [rootWithAiStatus('PENDING_ENABLE')] }, { Roots: [rootWithAiStatus('ENABLED')] }),
            ),
        `the policy types of root ${ROOT_ID} went from AISERVICES_OPT_OUT_POLICY PENDING_ENABLE, SERVICE_CONTROL_POLICY ENABLED to AISERVICES_OPT_OUT_POLICY ENABLED, SERVICE_CONTROL_POLICY ENABLED`,
      ],
      [
        'an account joins',
        () =>
          organizationsMock
            .on(ListAccountsCommand)
            .resolves({ Accounts: [...everyAccount, sdkAccount('555555555555')] }),
        'account 555555555555 is in ListAccounts but was found under no parent',
      ],
      [
        'an account leaves',
        () =>
          organizationsMock
            .on(ListAccountsCommand)
            .resolves({ Accounts: everyAccount.filter((account) => account.Id !== WORKLOAD_ACCOUNT) }),
        `account ${WORKLOAD_ACCOUNT} was found under ${WORKLOADS_OU} but not in ListAccounts`,
      ],
      [
        'an account moves',
        () =>
          organizationsMock.on(ListAccountsForParentCommand, { ParentId: ROOT_ID }).resolves({
            Accounts: [...accountsUnder(ROOT_ID), sdkAccount(WORKLOAD_ACCOUNT)],
          }),
        `account ${WORKLOAD_ACCOUNT} was found under both ${ROOT_ID} and ${WORKLOADS_OU}`,
      ],
      [
        "an account's effective policy becomes invalid",
        () =>
          organizationsMock
            .on(ListAccountsWithInvalidEffectivePolicyCommand)
            .callsFake(alternating({ Accounts: [] }, { Accounts: [sdkAccount(SANDBOX_ACCOUNT)] })),
        `account ${SANDBOX_ACCOUNT} was listed with an invalid effective AI opt-out policy after the tree read but not before`,
      ],
      [
        "an account's effective policy becomes valid",
        () =>
          organizationsMock
            .on(ListAccountsWithInvalidEffectivePolicyCommand)
            .callsFake(alternating({ Accounts: [sdkAccount(SANDBOX_ACCOUNT)] }, { Accounts: [] })),
        `account ${SANDBOX_ACCOUNT} was listed with an invalid effective AI opt-out policy before the tree read but not after`,
      ],
    ] as const)('gives up after 3 attempts, with no snapshot, when during each %s', async (_, change, described) => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION);
      change();

      const read = readOrgSnapshot(client);

      await expect(read).rejects.toThrow(OrganizationChangedDuringReadError);
      await expect(read).rejects.toMatchObject({
        name: 'OrganizationChangedDuringReadError',
        attempts: MAX_READ_ATTEMPTS,
        change: described,
      });
      expect(MAX_READ_ATTEMPTS).toBe(3);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListRootsCommand, 4);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListPoliciesCommand, 4);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsCommand, 3);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsWithInvalidEffectivePolicyCommand, 4);
      expect(organizationsMock).toHaveReceivedCommandTimes(DescribeOrganizationCommand, 1);
    });

    it('says the organization kept changing, what changed the last time, and that nothing was evaluated', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListAccountsCommand] });
      organizationsMock.on(ListAccountsCommand).resolves({ Accounts: [] });

      await expect(readOrgSnapshot(client)).rejects.toThrow(
        `The organization kept changing while it was read (3 attempts; during the last one, account ${MANAGEMENT_ID} was found under ${ROOT_ID} but not in ListAccounts), so nothing was evaluated: run again once the changes are done`,
      );
    });
  });

  describe('errors', () => {
    const operations = READ_COMMANDS.map((command) => [command.name.replace(/Command$/, ''), command] as const);

    it.each(operations)('names organizations:%s when AccessDeniedException answers it', async (operation, command) => {
      const denied = new AccessDeniedException({
        $metadata: { httpStatusCode: 400 },
        message: `You don't have permissions to access this resource.`,
      });
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { fault: { command, error: denied } });

      const read = readOrgSnapshot(client);

      await expect(read).rejects.toThrow(OrganizationsAccessDeniedError);
      await expect(read).rejects.toMatchObject({
        name: 'OrganizationsAccessDeniedError',
        action: `organizations:${operation}`,
        cause: denied,
      });
      await expect(read).rejects.toThrow(
        `Access denied to organizations:${operation}: allow organizations:${operation} to the rule's role, and run the rule in the organization's management account or in a delegated administrator for Organizations policies`,
      );
    });

    it('says the account is not in an organization when AWSOrganizationsNotInUseException answers', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [DescribeOrganizationCommand] });
      const notInUse = new AWSOrganizationsNotInUseException({
        $metadata: {},
        message: 'Your account is not a member of an organization.',
      });
      organizationsMock.on(DescribeOrganizationCommand).rejects(notInUse);

      const read = readOrgSnapshot(client);

      await expect(read).rejects.toThrow(OrganizationNotInUseError);
      await expect(read).rejects.toMatchObject({ name: 'OrganizationNotInUseError', cause: notInUse });
      await expect(read).rejects.toThrow(/^This account is not in an AWS Organization \(/);
      expect(organizationsMock).not.toHaveReceivedCommand(ListRootsCommand);
    });

    it('says Organizations kept throttling, after how many attempts, when TooManyRequestsException outlasts the retries', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListAccountsForParentCommand] });
      // The SDK's retry middleware sets $metadata.attempts on the error it gives up with.
      const throttled = new TooManyRequestsException({
        $metadata: { httpStatusCode: 400, attempts: 10 },
        message: 'You have sent too many requests in too short a period of time.',
      });
      organizationsMock.on(ListAccountsForParentCommand).rejects(throttled);

      const read = readOrgSnapshot(client);

      await expect(read).rejects.toThrow(OrganizationsThrottledError);
      await expect(read).rejects.toMatchObject({
        name: 'OrganizationsThrottledError',
        action: 'organizations:ListAccountsForParent',
        attempts: 10,
        cause: throttled,
      });
      await expect(read).rejects.toThrow(
        'Organizations kept throttling organizations:ListAccountsForParent (TooManyRequestsException) after 10 attempts',
      );
    });

    it('says the retries ran out when the SDK does not say how many attempts it made', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListRootsCommand] });
      organizationsMock
        .on(ListRootsCommand)
        .rejects(new TooManyRequestsException({ $metadata: {}, message: 'slow down' }));

      await expect(readOrgSnapshot(client)).rejects.toThrow(
        'Organizations kept throttling organizations:ListRoots (TooManyRequestsException) after all retry attempts',
      );
    });

    it('reads a request once more when its answer could not be parsed, and uses the second answer', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [DescribeOrganizationCommand] });
      organizationsMock
        .on(DescribeOrganizationCommand)
        .rejectsOnce(unreadableBodyError())
        .resolves({ Organization: SMALL_ORGANIZATION.organization });

      await expect(readOrgSnapshot(client)).resolves.toStrictEqual(SMALL_SNAPSHOT);
      expect(organizationsMock).toHaveReceivedCommandTimes(DescribeOrganizationCommand, 2);
    });

    it('fails the read, naming the operation, when a page could not be parsed twice in a row', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListTargetsForPolicyCommand] });
      organizationsMock.on(ListTargetsForPolicyCommand).rejects(unreadableBodyError());

      const read = readOrgSnapshot(client, { concurrency: 1 });

      await expect(read).rejects.toThrow(UnreadableResponseError);
      await expect(read).rejects.toThrow(
        'AWS answered organizations:ListTargetsForPolicy twice with a body that is not JSON or was cut short (Unterminated string in JSON at position 5), so the read failed',
      );
      expect(organizationsMock).toHaveReceivedCommandTimes(ListTargetsForPolicyCommand, 2);
    });

    it('lets other SDK errors through unchanged', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListTargetsForPolicyCommand] });
      const violation = new ConstraintViolationException({ $metadata: {}, message: 'constraint' });
      organizationsMock.on(ListTargetsForPolicyCommand).rejects(violation);

      await expect(readOrgSnapshot(client)).rejects.toBe(violation);
    });

    it('starts no queued request once a request has failed', async () => {
      const wide = organizationFixture({
        organizationalUnits: {
          [ROOT_ID]: ['ou-exam-aaaaaaaa', 'ou-exam-bbbbbbbb', 'ou-exam-cccccccc'].map((id) =>
            sdkOrganizationalUnit(id, id),
          ),
        },
      });
      mockOrganization(organizationsMock, wide, { except: [ListAccountsForParentCommand] });
      organizationsMock.on(ListAccountsForParentCommand).callsFake(async (input) => {
        if (input.ParentId === ROOT_ID) return { Accounts: [sdkAccount(MANAGEMENT_ID)] };
        throw new AccessDeniedException({ $metadata: {}, message: 'denied' });
      });

      await expect(readOrgSnapshot(client, { concurrency: 1 })).rejects.toThrow(OrganizationsAccessDeniedError);
      // Gives requests that were queued behind the failed one every chance to start.
      await new Promise((resolve) => setImmediate(resolve));

      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsForParentCommand, 2);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListOrganizationalUnitsForParentCommand, 2);
    });
  });

  describe('concurrency', () => {
    /** An organization with many policies and many OUs, so that far more requests could run at once. */
    const BUSY_ORGANIZATION = organizationFixture({
      organizationalUnits: {
        [ROOT_ID]: Array.from({ length: 8 }, (_, i) => sdkOrganizationalUnit(`ou-exam-0000000${i}`, `unit-${i}`)),
      },
      policies: Array.from({ length: 8 }, (_, i) => aiPolicy(`p-policy000${i}`, SANDBOX_CONTENT, [ROOT_ID])),
    });

    function countInFlight(): { readonly beforeAnswer: () => Promise<void>; readonly max: () => number } {
      let inFlight = 0;
      let max = 0;
      return {
        beforeAnswer: async () => {
          inFlight += 1;
          max = Math.max(max, inFlight);
          // Yields to the event loop so that every request the reader has started is in flight together.
          await new Promise((resolve) => setImmediate(resolve));
          inFlight -= 1;
        },
        max: () => max,
      };
    }

    it('keeps at most `concurrency` requests in flight', async () => {
      const requests = countInFlight();
      mockOrganization(organizationsMock, BUSY_ORGANIZATION, { beforeAnswer: requests.beforeAnswer });

      const snapshot = await readOrgSnapshot(client, { concurrency: 2 });

      expect(snapshot.policies).toHaveLength(8);
      expect(snapshot.organizationalUnits).toHaveLength(8);
      expect(requests.max()).toBe(2);
    });

    it(`keeps at most ${DEFAULT_CONCURRENCY} requests in flight by default`, async () => {
      const requests = countInFlight();
      mockOrganization(organizationsMock, BUSY_ORGANIZATION, { beforeAnswer: requests.beforeAnswer });

      await readOrgSnapshot(client);

      expect(requests.max()).toBe(DEFAULT_CONCURRENCY);
    });

    it('sends one request at a time with a concurrency of 1', async () => {
      const requests = countInFlight();
      mockOrganization(organizationsMock, BUSY_ORGANIZATION, { beforeAnswer: requests.beforeAnswer });

      await readOrgSnapshot(client, { concurrency: 1 });

      expect(requests.max()).toBe(1);
    });

    it('halves the requests it keeps in flight after an answer the SDK had to retry, then grows back', async () => {
      mockOrganization(organizationsMock, BUSY_ORGANIZATION, { except: [DescribeOrganizationCommand] });
      organizationsMock
        .on(DescribeOrganizationCommand)
        .resolves({ Organization: BUSY_ORGANIZATION.organization, $metadata: { attempts: 3 } });
      const onConcurrency = jest.fn<void, [number]>();

      const snapshot = await readOrgSnapshot(client, { concurrency: 4, onConcurrency });

      expect(snapshot.policies).toHaveLength(8);
      expect(onConcurrency.mock.calls).toStrictEqual([[2], [3], [4]]);
    });

    it.each([0, -1, 1.5, Number.NaN])('rejects a concurrency of %p', async (concurrency) => {
      await expect(readOrgSnapshot(client, { concurrency })).rejects.toThrow(RangeError);
      expect(organizationsMock).not.toHaveReceivedAnyCommand();
    });
  });

  describe("the tree from accounts' paths", () => {
    const PATHS_ORGANIZATION = withAccountPaths(SMALL_ORGANIZATION);
    /** The accounts of PATHS_ORGANIZATION as ListAccounts lists them. */
    const listedWithPaths = Object.values(PATHS_ORGANIZATION.accounts).flat();
    /** SMALL_SNAPSHOT as the paths describe it: OUs in the order ListAccounts first shows them, without names. */
    const PATHS_SNAPSHOT: OrgSnapshot = {
      ...SMALL_SNAPSHOT,
      organizationalUnits: [
        { id: PLATFORM_OU, parentId: ROOT_ID },
        { id: SANDBOX_OU, parentId: PLATFORM_OU },
        { id: WORKLOADS_OU, parentId: ROOT_ID },
      ],
    };
    const WALK_COMMANDS = [ListOrganizationalUnitsForParentCommand, ListAccountsForParentCommand] as const;

    /** Reads with `options`, and returns the snapshot with the read mode it reported. */
    async function readWithMode(options: ReadOrgSnapshotOptions = {}) {
      const onReadMode = jest.fn<void, [ReadMode]>();
      const snapshot = await readOrgSnapshot(client, { ...options, onReadMode });
      expect(onReadMode).toHaveBeenCalledTimes(1);
      return { snapshot, readMode: onReadMode.mock.calls[0]?.[0] };
    }

    it('places every account and OU from ListAccounts and walks no tree when every account has one path', async () => {
      mockOrganization(organizationsMock, PATHS_ORGANIZATION);

      const { snapshot, readMode } = await readWithMode();

      expect(snapshot).toStrictEqual(PATHS_SNAPSHOT);
      expect(readMode).toStrictEqual({ mode: 'paths' });
      for (const command of WALK_COMMANDS) expect(organizationsMock).not.toHaveReceivedCommand(command);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsCommand, 1);
      // Still read before and after the accounts, to see that nothing changed meanwhile.
      expect(organizationsMock).toHaveReceivedCommandTimes(ListPoliciesCommand, 2);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsWithInvalidEffectivePolicyCommand, 2);
    });

    it('reads the OU names it is asked for under each parent of an OU, and nothing else of the tree', async () => {
      mockOrganization(organizationsMock, PATHS_ORGANIZATION);

      const { snapshot, readMode } = await readWithMode({ organizationalUnitNames: true });

      expect(snapshot).toStrictEqual({
        ...SMALL_SNAPSHOT,
        organizationalUnits: [
          { id: PLATFORM_OU, name: 'platform', parentId: ROOT_ID },
          { id: SANDBOX_OU, name: 'sandbox', parentId: PLATFORM_OU },
          { id: WORKLOADS_OU, name: 'workloads', parentId: ROOT_ID },
        ],
      });
      expect(readMode).toStrictEqual({ mode: 'paths' });
      expect(organizationsMock).toHaveReceivedCommandTimes(ListOrganizationalUnitsForParentCommand, 2);
      expect(organizationsMock).toHaveReceivedCommandWith(ListOrganizationalUnitsForParentCommand, {
        ParentId: ROOT_ID,
      });
      expect(organizationsMock).toHaveReceivedCommandWith(ListOrganizationalUnitsForParentCommand, {
        ParentId: PLATFORM_OU,
      });
      expect(organizationsMock).not.toHaveReceivedCommand(ListAccountsForParentCommand);
    });

    it("leaves out a target that is an OU on no account's path, which holds no account, and keeps its policy", async () => {
      const EMPTY_OU = 'ou-exam-55555555';
      const [rootPolicy, sandboxPolicy] = SMALL_ORGANIZATION.policies;
      const withEmptyOu = {
        ...SMALL_ORGANIZATION,
        organizationalUnits: {
          ...SMALL_ORGANIZATION.organizationalUnits,
          [ROOT_ID]: [
            ...(SMALL_ORGANIZATION.organizationalUnits[ROOT_ID] ?? []),
            sdkOrganizationalUnit(EMPTY_OU, 'empty'),
          ],
        },
        policies: [
          ...(rootPolicy === undefined ? [] : [rootPolicy]),
          ...(sandboxPolicy === undefined ? [] : [{ ...sandboxPolicy, targets: [...sandboxPolicy.targets, EMPTY_OU] }]),
          aiPolicy('p-emptyouonly', SANDBOX_CONTENT, [EMPTY_OU]),
        ],
      };
      mockOrganization(organizationsMock, withAccountPaths(withEmptyOu));

      const snapshot = await readOrgSnapshot(client);

      expect(snapshot.organizationalUnits.map((unit) => unit.id)).not.toContain(EMPTY_OU);
      expect(snapshot.policies).toStrictEqual([
        ...PATHS_SNAPSHOT.policies,
        { id: 'p-emptyouonly', name: 'policy-p-emptyouonly', content: SANDBOX_CONTENT, targets: [] },
      ]);
      // The same organization walked: the OU is there, and so are its policies, which apply to no account.
      organizationsMock.reset();
      mockOrganization(organizationsMock, withEmptyOu);
      const walked = await readOrgSnapshot(client);
      expect(walked.organizationalUnits).toContainEqual({ id: EMPTY_OU, name: 'empty', parentId: ROOT_ID });
      expect(walked.policies.find((policy) => policy.id === 'p-emptyouonly')?.targets).toStrictEqual([EMPTY_OU]);
    });

    it('still refuses a target that is an account ListAccounts did not list', async () => {
      mockOrganization(
        organizationsMock,
        withAccountPaths(
          organizationFixture({ policies: [aiPolicy(ROOT_POLICY, ROOT_CONTENT, [ROOT_ID, '999999999999'])] }),
        ),
      );

      await expect(readOrgSnapshot(client)).rejects.toMatchObject({
        name: 'SnapshotReadError',
        path: 'policies[0].targets[1]',
      });
    });

    const platformPath = `${ORG_ID}/${ROOT_ID}/${PLATFORM_OU}/${PLATFORM_ACCOUNT}/`;
    it.each<[string, Partial<Account>, string]>([
      ['has no Paths', { Paths: undefined }, `account ${PLATFORM_ACCOUNT} has no Paths`],
      ['has an empty list of paths', { Paths: [] }, `account ${PLATFORM_ACCOUNT} has no Paths`],
      [
        'has two paths',
        { Paths: [platformPath, `${ORG_ID}/${ROOT_ID}/${PLATFORM_ACCOUNT}/`] },
        `account ${PLATFORM_ACCOUNT} has 2 paths`,
      ],
      [
        'has a path without the closing slash',
        { Paths: [platformPath.slice(0, -1)] },
        `account ${PLATFORM_ACCOUNT} has a path that is not o-…/r-…/(ou-…/)*${PLATFORM_ACCOUNT}/: "${platformPath.slice(0, -1)}"`,
      ],
      [
        'has a path with an OU id that is not well formed',
        { Paths: [`${ORG_ID}/${ROOT_ID}/ou-x/${PLATFORM_ACCOUNT}/`] },
        `account ${PLATFORM_ACCOUNT} has a path that is not o-…/r-…/(ou-…/)*${PLATFORM_ACCOUNT}/: "${ORG_ID}/${ROOT_ID}/ou-x/${PLATFORM_ACCOUNT}/"`,
      ],
      [
        'has a path that is not a string',
        { Paths: [42 as unknown as string] },
        `account ${PLATFORM_ACCOUNT} has a path that is not o-…/r-…/(ou-…/)*${PLATFORM_ACCOUNT}/: 42`,
      ],
      [
        'has a path in another organization',
        { Paths: [platformPath.replace(ORG_ID, 'o-otherorgid')] },
        `the path of account ${PLATFORM_ACCOUNT} (${platformPath.replace(ORG_ID, 'o-otherorgid')}) is not in organization ${ORG_ID}, root ${ROOT_ID}`,
      ],
      [
        'has a path under another root',
        { Paths: [platformPath.replace(ROOT_ID, 'r-othr')] },
        `the path of account ${PLATFORM_ACCOUNT} (${platformPath.replace(ROOT_ID, 'r-othr')}) is not in organization ${ORG_ID}, root ${ROOT_ID}`,
      ],
      [
        'has the path of another account',
        { Paths: [platformPath.replace(`/${PLATFORM_ACCOUNT}/`, `/${WORKLOAD_ACCOUNT}/`)] },
        `the path of account ${PLATFORM_ACCOUNT} (${platformPath.replace(`/${PLATFORM_ACCOUNT}/`, `/${WORKLOAD_ACCOUNT}/`)}) is not in organization ${ORG_ID}, root ${ROOT_ID}`,
      ],
      [
        'puts an OU under another parent than the path of another account does',
        { Paths: [`${ORG_ID}/${ROOT_ID}/${WORKLOADS_OU}/${SANDBOX_OU}/${PLATFORM_ACCOUNT}/`] },
        `the paths put OU ${SANDBOX_OU} under both ${WORKLOADS_OU} and ${PLATFORM_OU} (account ${SANDBOX_ACCOUNT})`,
      ],
    ])('walks the tree, and says why, when an account %s', async (_name, fields, reason) => {
      const fixture = withAccountPaths(SMALL_ORGANIZATION);
      mockOrganization(organizationsMock, {
        ...fixture,
        accounts: {
          ...fixture.accounts,
          [PLATFORM_OU]: (fixture.accounts[PLATFORM_OU] ?? []).map((account) => ({ ...account, ...fields })),
        },
      });

      const { snapshot, readMode } = await readWithMode();

      expect(readMode).toStrictEqual({ mode: 'walk', reason });
      expect(snapshot).toStrictEqual(SMALL_SNAPSHOT);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsForParentCommand, 4);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsCommand, 1);
    });

    it('walks from the page that shows an account without a path, beside the rest of ListAccounts, and counts progress from the walk', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListAccountsCommand] });
      const [management, , sandbox, workload] = listedWithPaths;
      organizationsMock
        .on(ListAccountsCommand)
        .callsFake(
          pagesByToken([
            { Accounts: [management ?? {}], NextToken: 'accounts-1' },
            { Accounts: [sdkAccount(PLATFORM_ACCOUNT)], NextToken: 'accounts-2' },
            { Accounts: [sandbox ?? {}, workload ?? {}] },
          ]),
        );
      const onProgress = jest.fn<void, [number]>();

      const { snapshot, readMode } = await readWithMode({ onProgress, concurrency: 1 });

      expect(readMode).toStrictEqual({ mode: 'walk', reason: `account ${PLATFORM_ACCOUNT} has no Paths` });
      expect(snapshot).toStrictEqual(SMALL_SNAPSHOT);
      // 1 from the first page of ListAccounts; from 1 again as the walk reads the accounts under each parent.
      expect(onProgress.mock.calls).toStrictEqual([[1], [1], [2], [3], [4]]);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsCommand, 3);
    });

    it('walks for the rest of the read once the paths failed, when the organization changed and is read again', async () => {
      mockOrganization(organizationsMock, PATHS_ORGANIZATION, { except: [ListAccountsCommand, DescribePolicyCommand] });
      organizationsMock
        .on(ListAccountsCommand)
        .resolvesOnce({ Accounts: Object.values(SMALL_ORGANIZATION.accounts).flat() })
        .resolves({ Accounts: listedWithPaths });
      organizationsMock
        .on(DescribePolicyCommand, { PolicyId: SANDBOX_POLICY })
        .resolves({ Policy: { Content: SANDBOX_CONTENT } });
      organizationsMock
        .on(DescribePolicyCommand, { PolicyId: ROOT_POLICY })
        .resolvesOnce({ Policy: { Content: SANDBOX_CONTENT } })
        .resolves({ Policy: { Content: ROOT_CONTENT } });

      const { snapshot, readMode } = await readWithMode();

      expect(readMode).toStrictEqual({ mode: 'walk', reason: `account ${MANAGEMENT_ID} has no Paths` });
      expect(snapshot).toStrictEqual(SMALL_SNAPSHOT);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsCommand, 2);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsForParentCommand, 8);
    });

    it('reads the organization again by the paths when a policy changed between the reads before and after them', async () => {
      mockOrganization(organizationsMock, PATHS_ORGANIZATION, { except: [DescribePolicyCommand] });
      organizationsMock
        .on(DescribePolicyCommand, { PolicyId: SANDBOX_POLICY })
        .resolves({ Policy: { Content: SANDBOX_CONTENT } });
      organizationsMock
        .on(DescribePolicyCommand, { PolicyId: ROOT_POLICY })
        .resolvesOnce({ Policy: { Content: SANDBOX_CONTENT } })
        .resolves({ Policy: { Content: ROOT_CONTENT } });

      const { snapshot, readMode } = await readWithMode();

      expect(readMode).toStrictEqual({ mode: 'paths' });
      expect(snapshot).toStrictEqual(PATHS_SNAPSHOT);
      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsCommand, 2);
      for (const command of WALK_COMMANDS) expect(organizationsMock).not.toHaveReceivedCommand(command);
    });

    it('counts progress from ListAccounts as its pages arrive', async () => {
      mockOrganization(organizationsMock, PATHS_ORGANIZATION, { except: [ListAccountsCommand] });
      organizationsMock
        .on(ListAccountsCommand)
        .callsFake(
          pagesByToken([
            { Accounts: listedWithPaths.slice(0, 3), NextToken: 'accounts-1' },
            { Accounts: [], NextToken: 'accounts-2' },
            { Accounts: listedWithPaths.slice(3) },
          ]),
        );
      const onProgress = jest.fn<void, [number]>();

      await readOrgSnapshot(client, { onProgress });

      expect(onProgress.mock.calls).toStrictEqual([[3], [4]]);
    });

    it('walks when ListAccounts lists no account, and finds that the organization kept changing', async () => {
      mockOrganization(organizationsMock, PATHS_ORGANIZATION, { except: [ListAccountsCommand] });
      organizationsMock.on(ListAccountsCommand).resolves({ Accounts: [] });

      await expect(readOrgSnapshot(client)).rejects.toThrow(OrganizationChangedDuringReadError);
      expect(organizationsMock).toHaveReceivedCommand(ListAccountsForParentCommand);
    });
  });

  describe('abort', () => {
    /** The options the reader gave `client.send` with a command: the stub records every argument. */
    const sendOptionsOf = (call: { readonly args: readonly unknown[] }): unknown => call.args[1];

    it('sends nothing when the signal is already aborted', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION);
      const reason = new Error('no time left');

      await expect(readOrgSnapshot(client, { abortSignal: AbortSignal.abort(reason) })).rejects.toBe(reason);

      expect(organizationsMock).not.toHaveReceivedAnyCommand();
    });

    it('rejects with the reason, and sends no request after the abort, though the requests in flight never answer', async () => {
      const unanswered: (() => void)[] = [];
      let answered = 0;
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, {
        // DescribeOrganization answers; the frame's requests wait until the test lets them, after the abort.
        beforeAnswer: () =>
          answered++ === 0 ? Promise.resolve() : new Promise<void>((resolve) => unanswered.push(resolve)),
      });
      const controller = new AbortController();
      const reason = new Error('deadline');
      const read = readOrgSnapshot(client, { abortSignal: controller.signal, concurrency: 3 });
      while (unanswered.length < 3) await new Promise((resolve) => setImmediate(resolve));

      controller.abort(reason);

      await expect(read).rejects.toBe(reason);
      expect(organizationsMock.calls()).toHaveLength(4);
      // The answers arrive now: nobody reads them, and nothing more is sent.
      for (let turn = 0; turn < 20; turn += 1) {
        for (const answer of unanswered.splice(0)) answer();
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(organizationsMock.calls()).toHaveLength(4);
    });

    it('stops sending at the abort while a long listing is answered page after page', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListAccountsCommand] });
      const controller = new AbortController();
      let pages = 0;
      organizationsMock.on(ListAccountsCommand).callsFake(async (input: { NextToken?: string }) => {
        pages += 1;
        if (pages === 50) controller.abort(new Error('deadline'));
        return { Accounts: [], NextToken: `accounts-${Number(input.NextToken?.slice(9) ?? 0) + 1}` };
      });

      await expect(readOrgSnapshot(client, { abortSignal: controller.signal })).rejects.toThrow('deadline');
      for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));

      expect(organizationsMock).toHaveReceivedCommandTimes(ListAccountsCommand, 50);
    });

    it("gives every request the read's abort signal", async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION);

      await readOrgSnapshot(client, { abortSignal: new AbortController().signal });

      const options = organizationsMock.calls().map(sendOptionsOf);
      expect(options.length).toBeGreaterThan(0);
      for (const option of options) expect(option).toStrictEqual({ abortSignal: expect.any(AbortSignal) });
    });

    it('aborts the requests still in flight when one fails', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListRootsCommand, ListPoliciesCommand] });
      organizationsMock.on(ListRootsCommand).callsFake(() => new Promise(() => undefined));
      organizationsMock.on(ListPoliciesCommand).rejects(new AccessDeniedException({ $metadata: {}, message: 'no' }));

      await expect(readOrgSnapshot(client)).rejects.toThrow(OrganizationsAccessDeniedError);

      const [listRoots] = organizationsMock.commandCalls(ListRootsCommand);
      expect(listRoots && sendOptionsOf(listRoots)).toMatchObject({ abortSignal: { aborted: true } });
    });
  });

  describe('calls', () => {
    it('reads by the paths with the lower bound of calls and one more read of the root, policies and invalid list', async () => {
      mockOrganization(organizationsMock, withAccountPaths(SMALL_ORGANIZATION));

      await readOrgSnapshot(client);

      const bound = readCallLowerBound({
        accounts: 4,
        policyTargets: [1, 2],
        accountsWithInvalidEffectivePolicy: 0,
      });
      const frame = bound.total - bound.DescribeOrganization - bound.ListAccounts;
      expect(organizationsMock.calls()).toHaveLength(bound.total + frame);
    });

    it('tells onCall of every request it sends, and which ones the SDK had to retry', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, {
        except: [DescribeOrganizationCommand, ListRootsCommand],
      });
      organizationsMock
        .on(DescribeOrganizationCommand)
        .resolves({ Organization: SMALL_ORGANIZATION.organization, $metadata: { attempts: 3 } });
      organizationsMock
        .on(ListRootsCommand)
        .resolvesOnce({ Roots: [...SMALL_ORGANIZATION.roots], $metadata: { attempts: 2 } })
        .resolves({ Roots: [...SMALL_ORGANIZATION.roots], $metadata: { attempts: 1 } });
      const onCall = jest.fn<void, [CallOutcome]>();

      await readOrgSnapshot(client, { onCall });

      expect(onCall).toHaveBeenCalledTimes(organizationsMock.calls().length);
      expect(onCall.mock.calls.filter(([outcome]) => outcome.throttled)).toHaveLength(2);
    });

    it('tells onCall of the request that Organizations kept throttling', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListRootsCommand] });
      organizationsMock
        .on(ListRootsCommand)
        .rejects(new TooManyRequestsException({ $metadata: { attempts: 10 }, message: 'slow down' }));
      const onCall = jest.fn<void, [CallOutcome]>();

      await expect(readOrgSnapshot(client, { onCall, concurrency: 1 })).rejects.toThrow(OrganizationsThrottledError);

      expect(onCall.mock.calls).toStrictEqual([[{ throttled: false }], [{ throttled: true }]]);
    });
  });

  describe('progress', () => {
    it('reports the count of accounts read so far as account pages arrive', async () => {
      mockOrganization(organizationsMock, SMALL_ORGANIZATION, { except: [ListAccountsForParentCommand] });
      organizationsMock
        .on(ListAccountsForParentCommand, { ParentId: ROOT_ID })
        .resolvesOnce({ Accounts: [], NextToken: 'root-accounts-1' })
        .resolvesOnce({ Accounts: [sdkAccount(MANAGEMENT_ID, { Name: 'management' })] });
      organizationsMock
        .on(ListAccountsForParentCommand, { ParentId: PLATFORM_OU })
        .resolvesOnce({ Accounts: [sdkAccount(PLATFORM_ACCOUNT)] });
      organizationsMock.on(ListAccountsForParentCommand, { ParentId: SANDBOX_OU }).resolvesOnce({
        Accounts: [sdkAccount(SANDBOX_ACCOUNT, { State: 'SUSPENDED', Status: 'SUSPENDED' })],
      });
      organizationsMock
        .on(ListAccountsForParentCommand, { ParentId: WORKLOADS_OU })
        .resolvesOnce({ Accounts: [sdkAccount(WORKLOAD_ACCOUNT)] });
      const onProgress = jest.fn<void, [number]>();

      await readOrgSnapshot(client, { onProgress, concurrency: 1 });

      expect(onProgress.mock.calls).toStrictEqual([[1], [2], [3], [4]]);
    });
  });
});

describe('ORGANIZATIONS_CLIENT_CONFIG', () => {
  /** Answers every request with one fixed Organizations error and records where each request went. */
  function failingHandler(errorType: string, message: string) {
    const requests: { readonly hostname: string; readonly port: number | undefined; readonly target: string }[] = [];
    const body = new TextEncoder().encode(JSON.stringify({ __type: errorType, Message: message }));
    return {
      requests,
      handle: async (request: { hostname: string; port?: number; headers: Record<string, string> }) => {
        requests.push({
          hostname: request.hostname,
          port: request.port,
          target: request.headers['x-amz-target'] ?? '',
        });
        return { response: { statusCode: 400, headers: { 'content-type': 'application/x-amz-json-1.1' }, body } };
      },
    };
  }

  const savedEnvironment = { ...process.env };

  beforeEach(() => {
    // These tests need the real send(): the SDK's retry and endpoint middleware run, with a local request handler.
    organizationsMock.restore();
    delete process.env.AWS_ENDPOINT_URL;
    delete process.env.AWS_ENDPOINT_URL_ORGANIZATIONS;
    delete process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS;
    delete process.env.AWS_MAX_ATTEMPTS;
    delete process.env.AWS_RETRY_MODE;
  });

  afterEach(() => {
    jest.useRealTimers();
    process.env = { ...savedEnvironment };
  });

  it('is accepted by the SDK as us-east-1, 10 attempts and adaptive retries', async () => {
    const configured = newClient();

    await expect(configured.config.region()).resolves.toBe('us-east-1');
    await expect(configured.config.maxAttempts()).resolves.toBe(10);
    await expect(configured.config.retryStrategy()).resolves.toMatchObject({ mode: 'adaptive' });
  });

  it('retries TooManyRequestsException 10 times before the reader reports the throttling', async () => {
    // Fake timers skip the SDK's backoff; setImmediate stays real so that its file reads for config can finish.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    const handler = failingHandler('TooManyRequestsException', 'Rate exceeded');
    let outcome: { readonly error: unknown } | undefined;
    readOrgSnapshot(newClient({ requestHandler: handler })).then(
      () => {
        outcome = { error: undefined };
      },
      (error: unknown) => {
        outcome = { error };
      },
    );

    while (outcome === undefined) {
      await new Promise((resolve) => setImmediate(resolve));
      // Longer than the SDK's longest backoff (20 s) and its adaptive rate limiter's waits.
      await jest.advanceTimersByTimeAsync(30_000);
    }

    expect(outcome.error).toBeInstanceOf(OrganizationsThrottledError);
    expect(outcome.error).toMatchObject({ action: 'organizations:DescribeOrganization', attempts: 10 });
    expect(handler.requests).toHaveLength(10);
  });

  it('sends to the us-east-1 endpoint of Organizations by default', async () => {
    const handler = failingHandler('AWSOrganizationsNotInUseException', 'not in an organization');

    await expect(readOrgSnapshot(newClient({ requestHandler: handler }))).rejects.toThrow(OrganizationNotInUseError);

    expect(handler.requests).toStrictEqual([
      {
        hostname: 'organizations.us-east-1.amazonaws.com',
        port: undefined,
        target: 'AWSOrganizationsV20161128.DescribeOrganization',
      },
    ]);
  });

  it('honours AWS_ENDPOINT_URL', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:5000';
    const handler = failingHandler('AWSOrganizationsNotInUseException', 'not in an organization');

    await expect(readOrgSnapshot(newClient({ requestHandler: handler }))).rejects.toThrow(OrganizationNotInUseError);

    expect(handler.requests).toMatchObject([{ hostname: '127.0.0.1', port: 5000 }]);
  });
});

describe('readCallLowerBound', () => {
  it('counts one call for each description and each page of 20 items, and at least one for every listing', () => {
    expect(
      readCallLowerBound({ accounts: 10_000, policyTargets: [1, 45, 0], accountsWithInvalidEffectivePolicy: 0 }),
    ).toStrictEqual({
      DescribeOrganization: 1,
      ListRoots: 1,
      ListPolicies: 1,
      DescribePolicy: 3,
      ListTargetsForPolicy: 1 + 3 + 1,
      ListOrganizationalUnitsForParent: 0,
      ListAccountsForParent: 0,
      ListAccounts: 500,
      ListAccountsWithInvalidEffectivePolicy: 1,
      ListParents: 0,
      ListPoliciesForTarget: 0,
      total: 512,
    });
  });

  it('pages the policies and the accounts with an invalid effective policy by 20', () => {
    const bound = readCallLowerBound({
      accounts: 21,
      policyTargets: Array.from({ length: 21 }, () => 1),
      accountsWithInvalidEffectivePolicy: 41,
    });

    expect(bound).toMatchObject({ ListPolicies: 2, DescribePolicy: 21, ListAccounts: 2 });
    expect(bound.ListAccountsWithInvalidEffectivePolicy).toBe(3);
  });
});
