import {
  AccessDeniedException,
  AWSOrganizationsNotInUseException,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  type OrganizationsClient,
  type OrganizationsClientConfig,
  type PolicySummary,
  type Account as SdkAccount,
  type OrganizationalUnit as SdkOrganizationalUnit,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { AI_OPT_OUT_POLICY_TYPE, type OrgSnapshot } from '../core/orgSnapshot';
import { parseOrgSnapshot } from '../core/parseOrgSnapshot';
import {
  OrganizationNotInUseError,
  OrganizationsAccessDeniedError,
  OrganizationsThrottledError,
  SnapshotReadError,
} from '../errors';

/**
 * Settings for the OrganizationsClient that src/lambda/handler.ts and src/cli/main.ts create: us-east-1 (the
 * endpoint of this global service; AWS_ENDPOINT_URL still wins since no `endpoint` is set) and up to 10 attempts
 * with adaptive retries, as the SDK's default of 3 attempts is too few for TooManyRequestsException in large orgs.
 */
export const ORGANIZATIONS_CLIENT_CONFIG = {
  region: 'us-east-1',
  maxAttempts: 10,
  // Adaptive = standard retries plus client-side rate limiting after throttling; AWS recommends it for one client
  // hitting one throttling-heavy, latency-tolerant service (AWS SDKs and Tools Reference Guide, "Retry behavior").
  retryMode: 'adaptive',
} as const satisfies OrganizationsClientConfig;

/** How many Organizations requests `readOrgSnapshot` keeps in flight unless told otherwise. */
export const DEFAULT_CONCURRENCY = 5;

/** The largest page every Organizations List call accepts (MaxResults 1-20). */
const MAX_RESULTS_PER_PAGE = 20;

/** Options of `readOrgSnapshot`. */
export interface ReadOrgSnapshotOptions {
  /** Called with the number of accounts read so far each time a page brings more accounts. */
  readonly onProgress?: (accountsRead: number) => void;
  /** The most Organizations requests in flight at once: a positive integer, `DEFAULT_CONCURRENCY` if left out. */
  readonly concurrency?: number;
}

type Operation =
  | 'DescribeOrganization'
  | 'ListRoots'
  | 'ListPolicies'
  | 'DescribePolicy'
  | 'ListTargetsForPolicy'
  | 'ListOrganizationalUnitsForParent'
  | 'ListAccountsForParent';

type Limit = <T>(task: () => Promise<T>) => Promise<T>;

// What was read, before parseOrgSnapshot checks it: the API models leave every field optional.
interface ReadOrganizationalUnit {
  readonly id: string | undefined;
  readonly name: string | undefined;
  readonly parentId: string;
}

interface ReadAccount {
  readonly id: string | undefined;
  readonly name: string | undefined;
  readonly state: string | undefined;
  readonly parentId: string;
}

interface ReadPolicy {
  readonly id: string | undefined;
  readonly name: string | undefined;
  readonly content: string | undefined;
  readonly targets: readonly (string | undefined)[];
}

interface Tree {
  readonly organizationalUnits: readonly ReadOrganizationalUnit[];
  readonly accounts: readonly ReadAccount[];
}

/**
 * Reads the organization, its root, every OU and account (with its parent) and every AI services opt-out policy
 * (with its raw content and targets) into a validated snapshot without `capturedAt`. Makes no compliance decision.
 * Throws OrganizationsAccessDeniedError, OrganizationNotInUseError or OrganizationsThrottledError for those SDK
 * errors (others propagate unchanged), and SnapshotReadError when what was read is not a valid snapshot.
 */
export async function readOrgSnapshot(
  client: OrganizationsClient,
  options: ReadOrgSnapshotOptions = {},
): Promise<OrgSnapshot> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const limit = createLimit(concurrency);
  let accountsRead = 0;
  const onAccounts = (accounts: readonly SdkAccount[]): void => {
    if (accounts.length === 0) return;
    accountsRead += accounts.length;
    options.onProgress?.(accountsRead);
  };

  // Fails fast, before any listing, when the account is not in an organization.
  const { Organization: organization } = await call('DescribeOrganization', () =>
    client.send(new DescribeOrganizationCommand({})),
  );
  const roots = await listAll(
    'ListRoots',
    (NextToken) => client.send(new ListRootsCommand({ NextToken, MaxResults: MAX_RESULTS_PER_PAGE })),
    (page) => page.Roots,
  );
  const [root] = roots;
  if (root === undefined || roots.length > 1) {
    throw new SnapshotReadError('root', `ListRoots returned ${roots.length} roots; an organization has exactly one`);
  }
  const rootId = root.Id;
  if (rootId === undefined) throw new SnapshotReadError('root.id', 'ListRoots returned a root without an Id');

  const [policies, tree] = await Promise.all([
    readPolicies(client, limit),
    readTree(client, rootId, limit, onAccounts, new Set()),
  ]);
  const parsed = parseOrgSnapshot({
    organization: {
      id: organization?.Id,
      featureSet: organization?.FeatureSet,
      managementAccountId: organization?.MasterAccountId,
    },
    root: {
      id: rootId,
      policyTypes: (root.PolicyTypes ?? []).map((summary) => ({ type: summary.Type, status: summary.Status })),
    },
    organizationalUnits: tree.organizationalUnits,
    accounts: tree.accounts,
    policies,
  });
  if (!parsed.ok) throw new SnapshotReadError(parsed.error.path, parsed.error.message);
  return parsed.value;
}

async function readPolicies(client: OrganizationsClient, limit: Limit): Promise<readonly ReadPolicy[]> {
  const summaries = await limit(() =>
    listAll(
      'ListPolicies',
      (NextToken) =>
        client.send(
          new ListPoliciesCommand({ Filter: AI_OPT_OUT_POLICY_TYPE, NextToken, MaxResults: MAX_RESULTS_PER_PAGE }),
        ),
      (page) => page.Policies,
    ),
  );
  return Promise.all(summaries.map((summary) => readPolicy(client, limit, summary)));
}

async function readPolicy(client: OrganizationsClient, limit: Limit, summary: PolicySummary): Promise<ReadPolicy> {
  const policyId = summary.Id;
  // Without an id nothing more can be asked; the validator rejects the missing id.
  if (policyId === undefined) return { id: policyId, name: summary.Name, content: undefined, targets: [] };
  const [described, targets] = await Promise.all([
    limit(() => call('DescribePolicy', () => client.send(new DescribePolicyCommand({ PolicyId: policyId })))),
    limit(() =>
      listAll(
        'ListTargetsForPolicy',
        (NextToken) =>
          client.send(
            new ListTargetsForPolicyCommand({ PolicyId: policyId, NextToken, MaxResults: MAX_RESULTS_PER_PAGE }),
          ),
        (page) => page.Targets,
      ),
    ),
  ]);
  return {
    id: policyId,
    name: summary.Name,
    content: described.Policy?.Content,
    targets: targets.map((target) => target.TargetId),
  };
}

/** Lists the OUs and accounts under `parentId`, then the same under each OU, depth first in the order AWS lists. */
async function readTree(
  client: OrganizationsClient,
  parentId: string,
  limit: Limit,
  onAccounts: (accounts: readonly SdkAccount[]) => void,
  visited: Set<string>,
): Promise<Tree> {
  visited.add(parentId);
  const [childUnits, accounts] = await Promise.all([
    limit(() =>
      listAll(
        'ListOrganizationalUnitsForParent',
        (NextToken) =>
          client.send(
            new ListOrganizationalUnitsForParentCommand({
              ParentId: parentId,
              NextToken,
              MaxResults: MAX_RESULTS_PER_PAGE,
            }),
          ),
        (page) => page.OrganizationalUnits,
      ),
    ),
    limit(() =>
      listAll(
        'ListAccountsForParent',
        (NextToken) =>
          client.send(
            new ListAccountsForParentCommand({ ParentId: parentId, NextToken, MaxResults: MAX_RESULTS_PER_PAGE }),
          ),
        (page) => page.Accounts,
        onAccounts,
      ),
    ),
  ]);
  const subtrees = await Promise.all(childUnits.map((unit) => readSubtree(client, unit, limit, onAccounts, visited)));
  return {
    organizationalUnits: [
      ...childUnits.map((unit) => ({ id: unit.Id, name: unit.Name, parentId })),
      ...subtrees.flatMap((subtree) => subtree.organizationalUnits),
    ],
    accounts: [
      ...accounts.map((account) => ({
        id: account.Id,
        name: account.Name,
        // `Status` was retired in September 2026; older emulators such as moto still send only `Status`.
        state: account.State ?? account.Status,
        parentId,
      })),
      ...subtrees.flatMap((subtree) => subtree.accounts),
    ],
  };
}

function readSubtree(
  client: OrganizationsClient,
  unit: SdkOrganizationalUnit,
  limit: Limit,
  onAccounts: (accounts: readonly SdkAccount[]) => void,
  visited: Set<string>,
): Promise<Tree> {
  // An OU without an id or seen twice is left for the validator to reject; descending again could loop forever.
  if (unit.Id === undefined || visited.has(unit.Id)) return Promise.resolve({ organizationalUnits: [], accounts: [] });
  return readTree(client, unit.Id, limit, onAccounts, visited);
}

/**
 * Runs at most `concurrency` tasks at once; a task that ends hands its slot to the longest-waiting one. Once a task
 * has failed, waiting tasks fail with the same error instead of sending requests whose answers nobody will read.
 */
function createLimit(concurrency: number): Limit {
  let running = 0;
  const waiting: (() => void)[] = [];
  let failure: { readonly error: unknown } | undefined;
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running < concurrency) running += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      if (failure !== undefined) throw failure.error;
      return await task();
    } catch (error) {
      failure ??= { error };
      throw error;
    } finally {
      const next = waiting.shift();
      if (next === undefined) running -= 1;
      else next();
    }
  };
}

/** Pages through one List call until NextToken is absent: AWS may send empty pages that still carry a NextToken. */
async function listAll<Page extends { readonly NextToken?: string | undefined }, Item>(
  operation: Operation,
  requestPage: (nextToken: string | undefined) => Promise<Page>,
  itemsOf: (page: Page) => readonly Item[] | undefined,
  onItems?: (items: readonly Item[]) => void,
): Promise<Item[]> {
  const items: Item[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call(operation, () => requestPage(nextToken));
    const pageItems = itemsOf(page) ?? [];
    items.push(...pageItems);
    onItems?.(pageItems);
    nextToken = page.NextToken;
  } while (nextToken);
  return items;
}

async function call<T>(operation: Operation, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw translate(error, `organizations:${operation}`);
  }
}

function translate(error: unknown, action: string): unknown {
  if (error instanceof AccessDeniedException) return new OrganizationsAccessDeniedError(action, { cause: error });
  if (error instanceof AWSOrganizationsNotInUseException)
    return new OrganizationNotInUseError(action, { cause: error });
  if (error instanceof TooManyRequestsException) {
    // The SDK's retry middleware records how many attempts it made before giving up.
    return new OrganizationsThrottledError(action, error.$metadata.attempts, { cause: error });
  }
  return error;
}
