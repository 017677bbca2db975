import {
  AccessDeniedException,
  AWSOrganizationsNotInUseException,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListAccountsWithInvalidEffectivePolicyCommand,
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
  OrganizationChangedDuringReadError,
  OrganizationNotInUseError,
  OrganizationsAccessDeniedError,
  OrganizationsThrottledError,
  SnapshotReadError,
} from '../errors';
import { HTTP_TIMEOUTS } from './httpTimeouts';
import { type Listing, readPages } from './readPages';
import { readResponse } from './readResponse';

/**
 * Settings for the OrganizationsClient that src/lambda/handler.ts and src/cli/main.ts create: us-east-1 (the
 * endpoint of this global service; AWS_ENDPOINT_URL still wins since no `endpoint` is set), up to 10 attempts
 * with adaptive retries, as the SDK's default of 3 attempts is too few for TooManyRequestsException in large orgs,
 * and HTTP_TIMEOUTS.
 */
export const ORGANIZATIONS_CLIENT_CONFIG = {
  region: 'us-east-1',
  maxAttempts: 10,
  // Adaptive = standard retries plus client-side rate limiting after throttling; AWS recommends it for one client
  // hitting one throttling-heavy, latency-tolerant service (AWS SDKs and Tools Reference Guide, "Retry behavior").
  retryMode: 'adaptive',
  requestHandler: HTTP_TIMEOUTS,
} as const satisfies OrganizationsClientConfig;

/** How many Organizations requests `readOrgSnapshot` keeps in flight unless told otherwise. */
export const DEFAULT_CONCURRENCY = 5;

/** The largest page every Organizations List call accepts (MaxResults 1-20). */
export const MAX_RESULTS_PER_PAGE = 20;

/** How many times `readOrgSnapshot` reads the organization before it gives up on one that keeps changing. */
export const MAX_READ_ATTEMPTS = 3;

/** Options of `readOrgSnapshot`. */
export interface ReadOrgSnapshotOptions {
  /**
   * Called with the number of accounts the tree walk (ListAccountsForParent) has read so far in the current attempt,
   * each time a page brings more; it counts from 1 again when the organization changed and is read again.
   */
  readonly onProgress?: (accountsRead: number) => void;
  /** The most Organizations requests in flight at once: a positive integer, `DEFAULT_CONCURRENCY` if left out. */
  readonly concurrency?: number;
}

/** The Organizations operations the readers send through `call` and `listAll`. */
export type Operation =
  | 'DescribeOrganization'
  | 'ListRoots'
  | 'ListPolicies'
  | 'DescribePolicy'
  | 'ListTargetsForPolicy'
  | 'ListOrganizationalUnitsForParent'
  | 'ListAccountsForParent'
  | 'ListAccounts'
  | 'ListAccountsWithInvalidEffectivePolicy'
  | 'ListParents'
  | 'ListPoliciesForTarget';

/** Runs a task when a slot is free (see createLimit). */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

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

/** The root as ListRoots returned it, before parseOrgSnapshot checks it. */
export interface ReadRoot {
  readonly id: string;
  readonly policyTypes: readonly { readonly type: string | undefined; readonly status: string | undefined }[];
}

/**
 * The parts of the organization that are read before and after the tree in an attempt, to see whether they changed
 * meanwhile: the root, the policies and the accounts AWS lists with an invalid effective policy.
 */
interface Frame {
  readonly root: ReadRoot;
  readonly policies: readonly ReadPolicy[];
  readonly invalidEffectivePolicyAccountIds: readonly (string | undefined)[];
}

interface Tree {
  readonly organizationalUnits: readonly ReadOrganizationalUnit[];
  readonly accounts: readonly ReadAccount[];
}

/** One attempt: the frame (a), the tree with the flat account list (b), the frame again (c). */
interface Attempt {
  readonly before: Frame;
  readonly tree: Tree;
  readonly listedAccountIds: readonly (string | undefined)[];
  readonly after: Frame;
}

/**
 * Reads the organization, its root, every OU and account (with its parent), every AI services opt-out policy (with
 * its raw content and targets) and the accounts whose effective AI opt-out policy AWS reports as invalid, into a
 * validated snapshot without `capturedAt`. Makes no compliance decision and takes no timestamp.
 *
 * Organizations has no consistent read, so it reads the root, the policies and the invalid effective policies, then
 * the tree together with ListAccounts, then the root, the policies and the invalid effective policies again. When the
 * reads before and after the tree differ, or the tree does not hold each account of ListAccounts exactly once,
 * something changed during the read and it reads the tree and everything after it again (the last reads after the
 * tree are the next "before"), up to MAX_READ_ATTEMPTS attempts in all.
 *
 * Throws OrganizationsAccessDeniedError, OrganizationNotInUseError or OrganizationsThrottledError for those SDK
 * errors, and readResponse's and readPages's errors for unreadable answers, timeouts and listings that cannot be
 * complete (other SDK errors propagate unchanged), OrganizationChangedDuringReadError when the organization changed
 * during every attempt, and SnapshotReadError when what was read is not a valid snapshot.
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

  // Fails fast, before any listing, when the account is not in an organization.
  const { Organization: organization } = await call('DescribeOrganization', () =>
    client.send(new DescribeOrganizationCommand({})),
  );
  let before = await readFrame(client, limit);
  let change = '';
  for (let attempt = 1; attempt <= MAX_READ_ATTEMPTS; attempt += 1) {
    const read = await readAttempt(client, limit, before, options.onProgress);
    const found = changeDuring(read);
    if (found === undefined) {
      const parsed = parseOrgSnapshot({
        organization: {
          id: organization?.Id,
          featureSet: organization?.FeatureSet,
          managementAccountId: organization?.MasterAccountId,
        },
        root: read.after.root,
        organizationalUnits: read.tree.organizationalUnits,
        accounts: read.tree.accounts,
        policies: read.after.policies,
        accountsWithInvalidEffectivePolicy: read.after.invalidEffectivePolicyAccountIds,
      });
      if (!parsed.ok) throw new SnapshotReadError(parsed.error.path, parsed.error.message);
      return parsed.value;
    }
    change = found;
    // Read after this attempt's tree, so before the next one's: it serves as that attempt's first read.
    before = read.after;
  }
  throw new OrganizationChangedDuringReadError(MAX_READ_ATTEMPTS, change);
}

/** Reads the tree and ListAccounts, then the frame again. */
async function readAttempt(
  client: OrganizationsClient,
  limit: Limit,
  before: Frame,
  onProgress: ((accountsRead: number) => void) | undefined,
): Promise<Attempt> {
  let accountsRead = 0;
  const onAccounts = (accounts: readonly SdkAccount[]): void => {
    if (accounts.length === 0) return;
    accountsRead += accounts.length;
    onProgress?.(accountsRead);
  };
  const [tree, listed] = await Promise.all([
    readTree(client, before.root.id, limit, onAccounts, new Set()),
    limit(() =>
      listAll({
        operation: 'ListAccounts',
        listName: 'Accounts',
        requestPage: (NextToken) =>
          client.send(new ListAccountsCommand({ NextToken, MaxResults: MAX_RESULTS_PER_PAGE })),
        itemsOf: (page) => page.Accounts,
        keyOf: (account) => account.Id,
      }),
    ),
  ]);
  const after = await readFrame(client, limit);
  return { before, tree, listedAccountIds: listed.map((account) => account.Id), after };
}

/** Reads the root, the policies and the accounts with an invalid effective policy, side by side. */
async function readFrame(client: OrganizationsClient, limit: Limit): Promise<Frame> {
  const [root, policies, invalid] = await Promise.all([
    readRoot(client, limit),
    readPolicies(client, limit),
    // Not optional: an account whose effective policy fails AWS's validation is not fully protected, whatever the
    // policies say (Organizations API reference, ListAccountsWithInvalidEffectivePolicy), so its failure fails the read.
    limit(() =>
      listAll({
        operation: 'ListAccountsWithInvalidEffectivePolicy',
        listName: 'Accounts',
        requestPage: (NextToken) =>
          client.send(
            new ListAccountsWithInvalidEffectivePolicyCommand({
              PolicyType: AI_OPT_OUT_POLICY_TYPE,
              NextToken,
              MaxResults: MAX_RESULTS_PER_PAGE,
            }),
          ),
        itemsOf: (page) => page.Accounts,
        keyOf: (account) => account.Id,
      }),
    ),
  ]);
  return { root, policies, invalidEffectivePolicyAccountIds: invalid.map((account) => account.Id) };
}

/** Reads the organization's one root with ListRoots, within `limit`; throws SnapshotReadError for none, several or no id. */
export function readRoot(client: OrganizationsClient, limit: Limit): Promise<ReadRoot> {
  // Checked inside the task, so that a bad answer also stops the requests queued behind it.
  return limit(async () => {
    const roots = await listAll({
      operation: 'ListRoots',
      listName: 'Roots',
      requestPage: (NextToken) => client.send(new ListRootsCommand({ NextToken, MaxResults: MAX_RESULTS_PER_PAGE })),
      itemsOf: (page) => page.Roots,
      keyOf: (root) => root.Id,
    });
    const [root] = roots;
    if (root === undefined || roots.length > 1) {
      throw new SnapshotReadError('root', `ListRoots returned ${roots.length} roots; an organization has exactly one`);
    }
    if (root.Id === undefined) throw new SnapshotReadError('root.id', 'ListRoots returned a root without an Id');
    return {
      id: root.Id,
      policyTypes: (root.PolicyTypes ?? []).map((summary) => ({ type: summary.Type, status: summary.Status })),
    };
  });
}

async function readPolicies(client: OrganizationsClient, limit: Limit): Promise<readonly ReadPolicy[]> {
  const summaries = await limit(() =>
    listAll({
      operation: 'ListPolicies',
      listName: 'Policies',
      requestPage: (NextToken) =>
        client.send(
          new ListPoliciesCommand({ Filter: AI_OPT_OUT_POLICY_TYPE, NextToken, MaxResults: MAX_RESULTS_PER_PAGE }),
        ),
      itemsOf: (page) => page.Policies,
      keyOf: (policy) => policy.Id,
    }),
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
      listAll({
        operation: 'ListTargetsForPolicy',
        listName: 'Targets',
        requestPage: (NextToken) =>
          client.send(
            new ListTargetsForPolicyCommand({ PolicyId: policyId, NextToken, MaxResults: MAX_RESULTS_PER_PAGE }),
          ),
        itemsOf: (page) => page.Targets,
        keyOf: (target) => target.TargetId,
      }),
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
      listAll({
        operation: 'ListOrganizationalUnitsForParent',
        listName: 'OrganizationalUnits',
        requestPage: (NextToken) =>
          client.send(
            new ListOrganizationalUnitsForParentCommand({
              ParentId: parentId,
              NextToken,
              MaxResults: MAX_RESULTS_PER_PAGE,
            }),
          ),
        itemsOf: (page) => page.OrganizationalUnits,
        keyOf: (unit) => unit.Id,
      }),
    ),
    limit(() =>
      listAll({
        operation: 'ListAccountsForParent',
        listName: 'Accounts',
        requestPage: (NextToken) =>
          client.send(
            new ListAccountsForParentCommand({ ParentId: parentId, NextToken, MaxResults: MAX_RESULTS_PER_PAGE }),
          ),
        itemsOf: (page) => page.Accounts,
        keyOf: (account) => account.Id,
        onItems: onAccounts,
      }),
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

/** What changed between the reads of one attempt, in words for a person, or undefined when nothing did. */
function changeDuring(read: Attempt): string | undefined {
  return (
    rootChange(read.before.root, read.after.root) ??
    policiesChange(read.before.policies, read.after.policies) ??
    invalidEffectivePolicyChange(
      read.before.invalidEffectivePolicyAccountIds,
      read.after.invalidEffectivePolicyAccountIds,
    ) ??
    accountsChange(read.tree.accounts, read.listedAccountIds)
  );
}

/** How the root changed between two reads (its id, or any policy type's status), in words, or undefined. */
export function rootChange(before: ReadRoot, after: ReadRoot): string | undefined {
  if (before.id !== after.id) return `ListRoots returned root ${before.id}, then root ${after.id}`;
  const statuses = (root: ReadRoot): string =>
    root.policyTypes
      .map((summary) => `${summary.type} ${summary.status}`)
      .sort()
      .join(', ') || 'none';
  const [was, is] = [statuses(before), statuses(after)];
  return was === is ? undefined : `the policy types of root ${after.id} went from ${was} to ${is}`;
}

function policiesChange(before: readonly ReadPolicy[], after: readonly ReadPolicy[]): string | undefined {
  const targetsOf = (policy: ReadPolicy): string => JSON.stringify([...policy.targets].sort());
  const canonical = (policies: readonly ReadPolicy[]): string =>
    policies
      .map((policy) => JSON.stringify([policy.id, policy.name, policy.content, targetsOf(policy)]))
      .sort()
      .join('\n');
  if (canonical(before) === canonical(after)) return undefined;
  const label = (policy: ReadPolicy): string => policy.id ?? '(without an id)';
  const was = new Map(before.map((policy) => [label(policy), policy]));
  const is = new Map(after.map((policy) => [label(policy), policy]));
  for (const id of [...new Set([...was.keys(), ...is.keys()])].sort()) {
    const [old, now] = [was.get(id), is.get(id)];
    if (old === undefined) return `policy ${id} was created`;
    if (now === undefined) return `policy ${id} was deleted`;
    const changed: string[] = [];
    if (old.name !== now.name) changed.push('name');
    if (old.content !== now.content) changed.push('content');
    if (targetsOf(old) !== targetsOf(now)) changed.push('targets');
    if (changed.length > 0) return `policy ${id} changed its ${changed.join(' and ')}`;
  }
  return 'the list of AI opt-out policies changed';
}

function invalidEffectivePolicyChange(
  before: readonly (string | undefined)[],
  after: readonly (string | undefined)[],
): string | undefined {
  // Entries without an id are left for the validator to reject, but still count: they may stand for an account.
  const canonical = (ids: readonly (string | undefined)[]): string => JSON.stringify([...ids].map(String).sort());
  if (canonical(before) === canonical(after)) return undefined;
  const listed = 'listed with an invalid effective AI opt-out policy';
  const [was, is] = [new Set(before), new Set(after)];
  for (const id of [...was].sort()) {
    if (id !== undefined && !is.has(id)) return `account ${id} was ${listed} before the tree read but not after`;
  }
  for (const id of [...is].sort()) {
    if (id !== undefined && !was.has(id)) return `account ${id} was ${listed} after the tree read but not before`;
  }
  return 'the list of accounts with an invalid effective AI opt-out policy changed';
}

function accountsChange(tree: readonly ReadAccount[], listed: readonly (string | undefined)[]): string | undefined {
  // Accounts without an id are left for the validator to reject; readPages rejects an id that ListAccounts repeats.
  const parentsOf = new Map<string, string[]>();
  for (const account of tree) {
    if (account.id !== undefined) parentsOf.set(account.id, [...(parentsOf.get(account.id) ?? []), account.parentId]);
  }
  const inList = new Set(listed.filter((id) => id !== undefined));
  for (const [id, parents] of parentsOf) {
    if (parents.length > 1) return `account ${id} was found under both ${parents.join(' and ')}`;
    if (!inList.has(id)) return `account ${id} was found under ${parents[0]} but not in ListAccounts`;
  }
  for (const id of inList) {
    if (!parentsOf.has(id)) return `account ${id} is in ListAccounts but was found under no parent`;
  }
  return undefined;
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

/** A listing of readOrgSnapshot: an Organizations List call and its operation name. */
export interface OrganizationsListing<Page extends { readonly NextToken?: string | undefined }, Item>
  extends Omit<Listing<Page, Item>, 'action'> {
  readonly operation: Operation;
}

/** Reads every page of one List call with readPages, translating the SDK's errors. */
export async function listAll<Page extends { readonly NextToken?: string | undefined }, Item>({
  operation,
  ...listing
}: OrganizationsListing<Page, Item>): Promise<Item[]> {
  const action = `organizations:${operation}`;
  try {
    return await readPages({ action, ...listing });
  } catch (error) {
    throw translate(error, action);
  }
}

/** Sends one request with readResponse, translating the SDK's errors. */
export async function call<T>(operation: Operation, request: () => Promise<T>): Promise<T> {
  const action = `organizations:${operation}`;
  try {
    return await readResponse(action, request);
  } catch (error) {
    throw translate(error, action);
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
