import {
  type Account,
  AccountNotFoundException,
  ChildNotFoundException,
  DescribeAccountCommand,
  DescribeEffectivePolicyCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  EffectivePolicyNotFoundException,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListAccountsWithInvalidEffectivePolicyCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  type Organization,
  type OrganizationalUnit,
  type OrganizationsClient,
  ParentNotFoundException,
  PolicyNotFoundException,
  type PolicySummary,
  type Root,
  TargetNotFoundException,
} from '@aws-sdk/client-organizations';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export type OrganizationsMock = AwsClientStub<OrganizationsClient>;

export const ORG_ID = 'o-exampleorgid';
export const ROOT_ID = 'r-exam';
export const MANAGEMENT_ID = '111111111111';

/** An AI services opt-out policy as ListPolicies, DescribePolicy and ListTargetsForPolicy describe it. */
export interface PolicyFixture {
  readonly summary: PolicySummary;
  readonly content: string;
  readonly targets: readonly string[];
}

/** An organization in the SDK's own shapes, children grouped by parent id. */
export interface OrganizationFixture {
  readonly organization: Organization;
  readonly roots: readonly Root[];
  readonly organizationalUnits: Readonly<Record<string, readonly OrganizationalUnit[]>>;
  readonly accounts: Readonly<Record<string, readonly Account[]>>;
  readonly policies: readonly PolicyFixture[];
  /** The ids of the accounts ListAccountsWithInvalidEffectivePolicy returns. */
  readonly accountsWithInvalidEffectivePolicy: readonly string[];
  /**
   * DescribeEffectivePolicy's PolicyContent by account id; null answers EffectivePolicyNotFoundException. An account of
   * the organization that is not listed fails the call: the test did not expect it to be asked.
   */
  readonly effectivePolicies: Readonly<Record<string, string | null>>;
}

/** The commands readOrgSnapshot sends, which `mockOrganization` answers; a test may take one over with `except`. */
export const READ_COMMANDS = [
  DescribeOrganizationCommand,
  ListRootsCommand,
  ListPoliciesCommand,
  DescribePolicyCommand,
  ListTargetsForPolicyCommand,
  ListOrganizationalUnitsForParentCommand,
  ListAccountsForParentCommand,
  ListAccountsCommand,
  ListAccountsWithInvalidEffectivePolicyCommand,
] as const;
/** The commands readAccountSnapshot sends besides some of READ_COMMANDS, and DescribeAccount, which comes before it. */
export const ACCOUNT_READ_COMMANDS = [
  DescribeAccountCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
] as const;
/** The commands `mockOrganization` answers: both readers', and DescribeEffectivePolicy (which the cross-check asks). */
type ReadCommand =
  | (typeof READ_COMMANDS)[number]
  | (typeof ACCOUNT_READ_COMMANDS)[number]
  | typeof DescribeEffectivePolicyCommand;

export interface MockOrganizationOptions {
  /** Commands left unanswered, for the test to set up itself. */
  readonly except?: readonly ReadCommand[];
  /** Awaited before every answer, e.g. to count requests in flight. */
  readonly beforeAnswer?: () => Promise<void>;
  /** One command answered with an error instead, e.g. an AccessDeniedException. */
  readonly fault?: { readonly command: ReadCommand; readonly error: Error };
}

/** An account as ListAccountsForParent returns it today: `State` and the retired `Status` both present. */
export function sdkAccount(id: string, fields: Partial<Account> = {}): Account {
  return {
    Id: id,
    Arn: `arn:aws:organizations::${MANAGEMENT_ID}:account/${ORG_ID}/${id}`,
    Email: `aws+${id}@example.com`,
    Name: `account-${id}`,
    State: 'ACTIVE',
    Status: 'ACTIVE',
    ...fields,
  };
}

/** An OU as ListOrganizationalUnitsForParent returns it. */
export function sdkOrganizationalUnit(id: string, name: string): OrganizationalUnit {
  return { Id: id, Arn: `arn:aws:organizations::${MANAGEMENT_ID}:ou/${ORG_ID}/${id}`, Name: name };
}

/** An AI services opt-out policy with its content and targets. */
export function aiPolicy(id: string, content: string, targets: readonly string[]): PolicyFixture {
  return {
    summary: {
      Id: id,
      Arn: `arn:aws:organizations::${MANAGEMENT_ID}:policy/${ORG_ID}/aiservices_opt_out_policy/${id}`,
      Name: `policy-${id}`,
      Type: 'AISERVICES_OPT_OUT_POLICY',
      AwsManaged: false,
    },
    content,
    targets,
  };
}

/** An organization with only its root and the management account under it; extend it with spreads. */
export function organizationFixture(fields: Partial<OrganizationFixture> = {}): OrganizationFixture {
  return {
    organization: {
      Id: ORG_ID,
      Arn: `arn:aws:organizations::${MANAGEMENT_ID}:organization/${ORG_ID}`,
      FeatureSet: 'ALL',
      MasterAccountId: MANAGEMENT_ID,
      MasterAccountArn: `arn:aws:organizations::${MANAGEMENT_ID}:account/${ORG_ID}/${MANAGEMENT_ID}`,
      MasterAccountEmail: 'aws@example.com',
    },
    roots: [
      {
        Id: ROOT_ID,
        Arn: `arn:aws:organizations::${MANAGEMENT_ID}:root/${ORG_ID}/${ROOT_ID}`,
        Name: 'Root',
        PolicyTypes: [
          { Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' },
          { Type: 'AISERVICES_OPT_OUT_POLICY', Status: 'ENABLED' },
        ],
      },
    ],
    organizationalUnits: {},
    accounts: { [ROOT_ID]: [sdkAccount(MANAGEMENT_ID, { Name: 'management' })] },
    policies: [],
    accountsWithInvalidEffectivePolicy: [],
    effectivePolicies: {},
    ...fields,
  };
}

/**
 * The fixture with each account's `Paths` as Organizations returns them since 2026-03-31, one per account:
 * `o-…/r-…/`, the OUs from the root down, then the account, each followed by `/`.
 */
export function withAccountPaths(fixture: OrganizationFixture): OrganizationFixture {
  const parentOf = new Map(
    Object.entries(fixture.organizationalUnits).flatMap(([parentId, units]) =>
      units.map((unit) => [unit.Id ?? '', parentId] as const),
    ),
  );
  const unitsDownTo = (parentId: string): string[] => {
    const parent = parentOf.get(parentId);
    return parent === undefined ? [] : [...unitsDownTo(parent), parentId];
  };
  const prefix = `${fixture.organization.Id}/${fixture.roots[0]?.Id}/`;
  return {
    ...fixture,
    accounts: Object.fromEntries(
      Object.entries(fixture.accounts).map(([parentId, accounts]) => [
        parentId,
        accounts.map((account) => ({
          ...account,
          Paths: [
            `${prefix}${unitsDownTo(parentId)
              .map((unitId) => `${unitId}/`)
              .join('')}${account.Id}/`,
          ],
        })),
      ]),
    ),
  };
}

/**
 * Answers a List call from `pages` by the NextToken of its request: the first page without one, then the page after
 * the one whose NextToken was sent. Each read thus walks the same pages, however often the reader reads.
 */
export function pagesByToken<Page extends { readonly NextToken?: string | undefined }>(
  pages: readonly Page[],
): (input: { readonly NextToken?: string | undefined }) => Page {
  return (input) => {
    const previous = pages.findIndex((page) => page.NextToken === input.NextToken);
    const page = input.NextToken === undefined ? pages[0] : previous === -1 ? undefined : pages[previous + 1];
    if (page === undefined) throw new Error(`no page follows NextToken ${input.NextToken}`);
    return page;
  };
}

/**
 * Answers the Organizations read calls from `fixture`, each List call in one page, by its input (ParentId, ChildId,
 * TargetId, PolicyId) so that concurrent calls get the right answer; unknown ids get AWS's NotFound exceptions.
 * DescribeAccount returns the fixture's account as it is, `Paths` only if the fixture gives them.
 */
export function mockOrganization(
  mock: OrganizationsMock,
  fixture: OrganizationFixture,
  options: MockOrganizationOptions = {},
): void {
  const skip = new Set<ReadCommand>(options.except ?? []);
  const answer = async <T>(command: ReadCommand, value: () => T): Promise<T> => {
    await options.beforeAnswer?.();
    if (options.fault?.command === command) throw options.fault.error;
    return value();
  };
  const parents = new Set([
    ...fixture.roots.flatMap((root) => (root.Id === undefined ? [] : [root.Id])),
    ...Object.values(fixture.organizationalUnits).flatMap((units) => units.flatMap((unit) => unit.Id ?? [])),
  ]);
  const childrenOf = <T>(byParent: Readonly<Record<string, readonly T[]>>, parentId: string | undefined): T[] => {
    if (parentId === undefined || !parents.has(parentId)) {
      throw new ParentNotFoundException({
        $metadata: {},
        message: `We can't find a root or OU with the ParentId ${parentId}.`,
      });
    }
    return [...(byParent[parentId] ?? [])];
  };
  const policyOf = (policyId: string | undefined): PolicyFixture => {
    const policy = fixture.policies.find((candidate) => candidate.summary.Id === policyId);
    if (policy === undefined) {
      throw new PolicyNotFoundException({
        $metadata: {},
        message: `We can't find a policy with the PolicyId ${policyId}.`,
      });
    }
    return policy;
  };

  if (!skip.has(DescribeOrganizationCommand)) {
    mock
      .on(DescribeOrganizationCommand)
      .callsFake(() => answer(DescribeOrganizationCommand, () => ({ Organization: fixture.organization })));
  }
  if (!skip.has(ListRootsCommand)) {
    mock.on(ListRootsCommand).callsFake(() => answer(ListRootsCommand, () => ({ Roots: [...fixture.roots] })));
  }
  if (!skip.has(ListPoliciesCommand)) {
    mock
      .on(ListPoliciesCommand)
      .callsFake(() =>
        answer(ListPoliciesCommand, () => ({ Policies: fixture.policies.map((policy) => policy.summary) })),
      );
  }
  if (!skip.has(DescribePolicyCommand)) {
    mock.on(DescribePolicyCommand).callsFake((input) =>
      answer(DescribePolicyCommand, () => {
        const policy = policyOf(input.PolicyId);
        return { Policy: { PolicySummary: policy.summary, Content: policy.content } };
      }),
    );
  }
  if (!skip.has(ListTargetsForPolicyCommand)) {
    mock.on(ListTargetsForPolicyCommand).callsFake((input) =>
      answer(ListTargetsForPolicyCommand, () => ({
        Targets: policyOf(input.PolicyId).targets.map((targetId) => ({ TargetId: targetId })),
      })),
    );
  }
  if (!skip.has(ListOrganizationalUnitsForParentCommand)) {
    mock.on(ListOrganizationalUnitsForParentCommand).callsFake((input) =>
      answer(ListOrganizationalUnitsForParentCommand, () => ({
        OrganizationalUnits: childrenOf(fixture.organizationalUnits, input.ParentId),
      })),
    );
  }
  if (!skip.has(ListAccountsForParentCommand)) {
    mock
      .on(ListAccountsForParentCommand)
      .callsFake((input) =>
        answer(ListAccountsForParentCommand, () => ({ Accounts: childrenOf(fixture.accounts, input.ParentId) })),
      );
  }
  if (!skip.has(ListAccountsCommand)) {
    mock
      .on(ListAccountsCommand)
      .callsFake(() => answer(ListAccountsCommand, () => ({ Accounts: Object.values(fixture.accounts).flat() })));
  }
  if (!skip.has(ListAccountsWithInvalidEffectivePolicyCommand)) {
    mock.on(ListAccountsWithInvalidEffectivePolicyCommand).callsFake(() =>
      answer(ListAccountsWithInvalidEffectivePolicyCommand, () => ({
        Accounts: fixture.accountsWithInvalidEffectivePolicy.map(
          (accountId) =>
            Object.values(fixture.accounts)
              .flat()
              .find((account) => account.Id === accountId) ?? sdkAccount(accountId),
        ),
        PolicyType: 'AISERVICES_OPT_OUT_POLICY' as const,
      })),
    );
  }
  if (!skip.has(ListParentsCommand)) {
    mock.on(ListParentsCommand).callsFake((input) =>
      answer(ListParentsCommand, () => {
        const parentIds = [...parents].filter((parentId) =>
          [...(fixture.organizationalUnits[parentId] ?? []), ...(fixture.accounts[parentId] ?? [])].some(
            (child) => child.Id === input.ChildId,
          ),
        );
        if (parentIds.length === 0) {
          throw new ChildNotFoundException({
            $metadata: {},
            message: "We can't find an organizational unit (OU) or AWS account with the ChildId.",
          });
        }
        const roots = new Set(fixture.roots.map((root) => root.Id));
        return {
          Parents: parentIds.map((Id) => ({
            Id,
            Type: roots.has(Id) ? ('ROOT' as const) : ('ORGANIZATIONAL_UNIT' as const),
          })),
        };
      }),
    );
  }
  if (!skip.has(ListPoliciesForTargetCommand)) {
    mock.on(ListPoliciesForTargetCommand).callsFake((input) =>
      answer(ListPoliciesForTargetCommand, () => {
        const targetId = input.TargetId;
        const known =
          targetId !== undefined &&
          (parents.has(targetId) ||
            Object.values(fixture.accounts)
              .flat()
              .some((account) => account.Id === targetId));
        if (!known) {
          throw new TargetNotFoundException({
            $metadata: {},
            message: "We can't find a root, OU, account, or policy with the TargetId.",
          });
        }
        const attached = fixture.policies.filter(
          (policy) => input.Filter === 'AISERVICES_OPT_OUT_POLICY' && policy.targets.includes(targetId),
        );
        return { Policies: attached.map((policy) => policy.summary) };
      }),
    );
  }
  if (!skip.has(DescribeAccountCommand)) {
    mock.on(DescribeAccountCommand).callsFake((input) =>
      answer(DescribeAccountCommand, () => {
        const account = Object.values(fixture.accounts)
          .flat()
          .find((candidate) => candidate.Id === input.AccountId);
        if (account === undefined) {
          throw new AccountNotFoundException({
            $metadata: {},
            message: "You specified an account that doesn't exist.",
          });
        }
        return { Account: account };
      }),
    );
  }
  if (!skip.has(DescribeEffectivePolicyCommand)) {
    mock.on(DescribeEffectivePolicyCommand).callsFake((input) =>
      answer(DescribeEffectivePolicyCommand, () => {
        const accountId = input.TargetId ?? '';
        const member = Object.values(fixture.accounts).some((accounts) => accounts.some((a) => a.Id === accountId));
        if (!member) {
          throw new TargetNotFoundException({
            $metadata: {},
            message: "We can't find a root, OU, account, or policy with the TargetId that you specified.",
          });
        }
        const content = fixture.effectivePolicies[accountId];
        if (content === undefined) throw new Error(`the fixture gives no effective policy for account ${accountId}`);
        if (content === null) {
          throw new EffectivePolicyNotFoundException({
            $metadata: {},
            message: "We can't find an effective policy of that type for this account.",
          });
        }
        return {
          EffectivePolicy: { PolicyContent: content, TargetId: accountId, PolicyType: input.PolicyType },
        };
      }),
    );
  }
}
