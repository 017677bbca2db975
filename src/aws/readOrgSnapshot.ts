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
import { parseOrganizationPath } from '../core/organizationPath';
import { AI_OPT_OUT_POLICY_TYPE, type OrgSnapshot } from '../core/orgSnapshot';
import { ID_PATTERNS, parseOrgSnapshot } from '../core/parseOrgSnapshot';
import { fail, ok, type Result } from '../core/result';
import {
  OrganizationChangedDuringReadError,
  OrganizationNotInUseError,
  OrganizationsAccessDeniedError,
  OrganizationsThrottledError,
  SnapshotReadError,
} from '../errors';
import { type AdaptiveLimit, createAdaptiveLimit } from './adaptiveLimit';
import { HTTP_TIMEOUTS } from './httpTimeouts';
import type { OnCall } from './observeCall';
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

/**
 * The most Organizations requests `readOrgSnapshot` keeps in flight unless told otherwise. The read starts there,
 * halves it when Organizations throttles and grows it back by one as requests succeed (createAdaptiveLimit).
 */
export const DEFAULT_CONCURRENCY = 5;

/** The largest page every Organizations List call accepts (MaxResults 1-20). */
export const MAX_RESULTS_PER_PAGE = 20;

/** How many times `readOrgSnapshot` reads the organization before it gives up on one that keeps changing. */
export const MAX_READ_ATTEMPTS = 3;

/**
 * How a read placed the accounts and OUs: from the `Paths` that ListAccounts returns with each account, or by
 * walking the tree from the root (ListOrganizationalUnitsForParent and ListAccountsForParent for each parent), and
 * why the paths would not do.
 */
export type ReadMode = { readonly mode: 'paths' } | { readonly mode: 'walk'; readonly reason: string };

/** How a read sends its requests (see withReader). */
export interface ReaderOptions {
  /** The most Organizations requests in flight at once: a positive integer, `DEFAULT_CONCURRENCY` if left out. */
  readonly concurrency?: number | undefined;
  /**
   * Stops the read: no request starts after it aborts, those in flight are cancelled, and the read rejects with its
   * reason.
   */
  readonly abortSignal?: AbortSignal | undefined;
  /** Called with the concurrency each time it changes (see DEFAULT_CONCURRENCY). */
  readonly onConcurrency?: ((limit: number) => void) | undefined;
  /** Hears each Organizations request the read sends, once it has answered or failed (see createAdaptiveLimit). */
  readonly onCall?: OnCall | undefined;
}

/** Options of `readOrgSnapshot`. */
export interface ReadOrgSnapshotOptions extends ReaderOptions {
  /**
   * Called with the number of accounts read so far, each time a page brings more: from ListAccounts while the paths
   * place them, from the tree walk (ListAccountsForParent) otherwise. It counts from 1 again when the read turns to
   * the walk and when the organization changed and is read again.
   */
  readonly onProgress?: (accountsRead: number) => void;
  /** Called once, with the snapshot's read mode, just before the read returns it. */
  readonly onReadMode?: (readMode: ReadMode) => void;
  /**
   * Also read the names of the OUs when the paths placed them, which carry none: one ListOrganizationalUnitsForParent
   * listing for each parent of an OU of the snapshot. The walk reads them anyway. Names are for people: the
   * decision needs none.
   */
  readonly organizationalUnitNames?: boolean;
}

/**
 * The lowest number of calls, by operation, with which any single read could see an organization: its description,
 * root, policies with their contents and targets, every account and the accounts with an invalid effective policy,
 * each listing in full pages (a listing costs at least one call, even when empty).
 */
export function readCallLowerBound(shape: {
  /** Accounts in the organization, the management account included. */
  readonly accounts: number;
  /** For each AI opt-out policy, how many roots, OUs and accounts it is attached to. */
  readonly policyTargets: readonly number[];
  /** Accounts that ListAccountsWithInvalidEffectivePolicy lists. */
  readonly accountsWithInvalidEffectivePolicy: number;
}): Readonly<Record<Operation, number>> & { readonly total: number } {
  const pages = (items: number): number => Math.max(1, Math.ceil(items / MAX_RESULTS_PER_PAGE));
  const calls: Record<Operation, number> = {
    DescribeOrganization: 1,
    ListRoots: 1,
    ListPolicies: pages(shape.policyTargets.length),
    DescribePolicy: shape.policyTargets.length,
    ListTargetsForPolicy: shape.policyTargets.reduce((sum, targets) => sum + pages(targets), 0),
    ListOrganizationalUnitsForParent: 0,
    ListAccountsForParent: 0,
    ListAccounts: pages(shape.accounts),
    ListAccountsWithInvalidEffectivePolicy: pages(shape.accountsWithInvalidEffectivePolicy),
    ListParents: 0,
    ListPoliciesForTarget: 0,
  };
  return { ...calls, total: Object.values(calls).reduce((sum, count) => sum + count, 0) };
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

/** What a read sends its requests with (see withReader). */
export interface Reader {
  readonly client: OrganizationsClient;
  readonly limit: AdaptiveLimit;
  /** Aborted by the caller, or by the read's first failure; every request carries it. */
  readonly signal: AbortSignal;
}

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
  readonly readMode: ReadMode;
}

/**
 * Reads the organization, its root, its OUs and accounts (with their parents), every AI services opt-out policy (with
 * its raw content and targets) and the accounts whose effective AI opt-out policy AWS reports as invalid, into a
 * validated snapshot without `capturedAt`. Makes no compliance decision and takes no timestamp.
 *
 * Organizations has no consistent read, so it reads the root, the policies and the invalid effective policies, then
 * the tree together with ListAccounts, then the root, the policies and the invalid effective policies again. When the
 * reads before and after the tree differ, or the tree does not hold each account of ListAccounts exactly once,
 * something changed during the read and it reads the tree and everything after it again (the last reads after the
 * tree are the next "before"), up to MAX_READ_ATTEMPTS attempts in all.
 *
 * The tree comes from ListAccounts alone when every account it lists carries exactly one path
 * `o-…/r-…/(ou-…/)*<account id>/` of this organization and root, and the paths agree on each OU's parent. The OUs are
 * then those on some account's path, without names unless `organizationalUnitNames` asks for them; a policy's target
 * that is an OU on no path is left out, since such an OU holds no account. Otherwise (an emulator, an endpoint from
 * before 2026-03-31, a path missing or malformed) it walks the tree from the root, for the rest of the read; the
 * `onReadMode` option says which way was used, and why.
 *
 * Throws OrganizationsAccessDeniedError, OrganizationNotInUseError or OrganizationsThrottledError for those SDK
 * errors, and readResponse's and readPages's errors for unreadable answers, timeouts and listings that cannot be
 * complete (other SDK errors propagate unchanged), OrganizationChangedDuringReadError when the organization changed
 * during every attempt, SnapshotReadError when what was read is not a valid snapshot, RangeError for a concurrency
 * that is not a positive integer, and the abort signal's reason once it aborts.
 */
export function readOrgSnapshot(
  client: OrganizationsClient,
  options: ReadOrgSnapshotOptions = {},
): Promise<OrgSnapshot> {
  return withReader(client, options, (reader) => readConsistently(reader, options));
}

/**
 * Runs `read` with a Reader of `client`: an adaptive limit of `concurrency` requests (createAdaptiveLimit) and a
 * signal that `abortSignal` and the read's first failure abort, so that no request starts after either and those in
 * flight are cancelled. Rejects with the abort's reason as soon as `abortSignal` aborts, whether or not the requests
 * in flight ever answer; throws RangeError for a concurrency that is not a positive integer.
 */
export async function withReader<T>(
  client: OrganizationsClient,
  options: ReaderOptions,
  read: (reader: Reader) => Promise<T>,
): Promise<T> {
  const { abortSignal } = options;
  abortSignal?.throwIfAborted();
  const controller = new AbortController();
  const limit = createAdaptiveLimit({
    max: options.concurrency ?? DEFAULT_CONCURRENCY,
    controller,
    onConcurrency: options.onConcurrency,
    onCall: options.onCall,
  });
  const { signal } = controller;
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  // Only ever awaited in the race below, which a read that ends first leaves pending.
  aborted.catch(() => undefined);
  const forwardAbort = (): void => controller.abort(abortSignal?.reason);
  abortSignal?.addEventListener('abort', forwardAbort, { once: true });
  try {
    return await Promise.race([read({ client, limit, signal }), aborted]);
  } catch (error) {
    // Stops whatever the failure left running or waiting; the limit has done so already for a failed task.
    controller.abort(error);
    throw error;
  } finally {
    abortSignal?.removeEventListener('abort', forwardAbort);
  }
}

async function readConsistently(reader: Reader, options: ReadOrgSnapshotOptions): Promise<OrgSnapshot> {
  // Fails fast, before any listing, when the account is not in an organization.
  const { Organization: organization } = await reader.limit.run(() =>
    call(reader, 'DescribeOrganization', () =>
      reader.client.send(new DescribeOrganizationCommand({}), { abortSignal: reader.signal }),
    ),
  );
  let before = await readFrame(reader);
  let readMode: ReadMode | undefined;
  let change = '';
  for (let attempt = 1; attempt <= MAX_READ_ATTEMPTS; attempt += 1) {
    const read = await readAttempt(reader, {
      organizationId: organization?.Id,
      before,
      // Once the paths failed, the rest of the read walks.
      walkReason: readMode?.mode === 'walk' ? readMode.reason : undefined,
      onProgress: options.onProgress,
    });
    readMode = read.readMode;
    const found = changeDuring(read);
    if (found === undefined) {
      const byPaths = readMode.mode === 'paths';
      const tree = byPaths && options.organizationalUnitNames ? await withNames(reader, read.tree) : read.tree;
      const parsed = parseOrgSnapshot({
        organization: {
          id: organization?.Id,
          featureSet: organization?.FeatureSet,
          managementAccountId: organization?.MasterAccountId,
        },
        root: read.after.root,
        organizationalUnits: tree.organizationalUnits,
        accounts: tree.accounts,
        policies: byPaths ? withoutTargetsOffPaths(read.after.policies, tree) : read.after.policies,
        accountsWithInvalidEffectivePolicy: read.after.invalidEffectivePolicyAccountIds,
      });
      if (!parsed.ok) throw new SnapshotReadError(parsed.error.path, parsed.error.message);
      options.onReadMode?.(readMode);
      return parsed.value;
    }
    change = found;
    // Read after this attempt's tree, so before the next one's: it serves as that attempt's first read.
    before = read.after;
  }
  throw new OrganizationChangedDuringReadError(MAX_READ_ATTEMPTS, change);
}

/**
 * Reads the tree and ListAccounts, then the frame again. With no `walkReason`, ListAccounts comes first and its paths
 * place the accounts, unless a page shows an account they cannot place: then the walk starts at once, beside the rest
 * of ListAccounts, and is the tree of this attempt.
 */
async function readAttempt(
  reader: Reader,
  input: {
    readonly organizationId: string | undefined;
    readonly before: Frame;
    readonly walkReason: string | undefined;
    readonly onProgress: ((accountsRead: number) => void) | undefined;
  },
): Promise<Attempt> {
  const rootId = input.before.root.id;
  let accountsRead = 0;
  const onAccounts = (accounts: readonly SdkAccount[]): void => {
    if (accounts.length === 0) return;
    accountsRead += accounts.length;
    input.onProgress?.(accountsRead);
  };
  let walk: { readonly reason: string; readonly tree: Promise<Tree> } | undefined;
  const startWalk = (reason: string): Promise<Tree> => {
    accountsRead = 0;
    const tree = readTree(reader, rootId, onAccounts, new Set());
    // Awaited once ListAccounts is read; a failure before then aborts the read through the limit.
    tree.catch(() => undefined);
    walk = { reason, tree };
    return tree;
  };
  if (input.walkReason !== undefined) startWalk(input.walkReason);
  const listed = await reader.limit.run(() =>
    listAll(reader, {
      operation: 'ListAccounts',
      listName: 'Accounts',
      requestPage: (NextToken) =>
        reader.client.send(new ListAccountsCommand({ NextToken, MaxResults: MAX_RESULTS_PER_PAGE }), {
          abortSignal: reader.signal,
        }),
      itemsOf: (page) => page.Accounts,
      keyOf: (account) => account.Id,
      onItems: (accounts) => {
        if (walk !== undefined) return;
        const problem = accounts
          .map((account) => placeByPath(account, input.organizationId, rootId))
          .find((placement) => !placement.ok);
        if (problem === undefined) onAccounts(accounts);
        else startWalk(problem.error);
      },
    }),
  );
  let tree: Tree;
  if (walk === undefined) {
    const byPaths = treeFromPaths(listed, input.organizationId, rootId);
    tree = byPaths.ok ? byPaths.value : await startWalk(byPaths.error);
  } else {
    tree = await walk.tree;
  }
  const after = await readFrame(reader);
  return {
    before: input.before,
    tree,
    listedAccountIds: listed.map((account) => account.Id),
    after,
    readMode: walk === undefined ? { mode: 'paths' } : { mode: 'walk', reason: walk.reason },
  };
}

/** The OUs from the root down to `account`, by its one path in this organization and root, or what is wrong with it. */
function placeByPath(
  account: SdkAccount,
  organizationId: string | undefined,
  rootId: string,
): Result<readonly string[], string> {
  const accountId = account.Id;
  if (accountId === undefined) return fail('ListAccounts listed an account without an Id');
  // Read as unknown: the SDK does not check the type of what it parsed.
  const paths: unknown = account.Paths;
  if (!Array.isArray(paths) || paths.length === 0) return fail(`account ${accountId} has no Paths`);
  if (paths.length > 1) return fail(`account ${accountId} has ${paths.length} paths`);
  const [path]: unknown[] = paths;
  const parsed = typeof path === 'string' ? parseOrganizationPath(path) : undefined;
  const [pathRootId, ...units] = parsed?.ancestorIds ?? [];
  if (parsed === undefined || !units.every((unit) => ID_PATTERNS.organizationalUnit.test(unit))) {
    return fail(`account ${accountId} has a path that is not o-…/r-…/(ou-…/)*${accountId}/: ${JSON.stringify(path)}`);
  }
  if (parsed.organizationId !== organizationId || pathRootId !== rootId || parsed.id !== accountId) {
    return fail(`the path of account ${accountId} (${path}) is not in organization ${organizationId}, root ${rootId}`);
  }
  return ok(units);
}

/** The tree that the accounts' paths describe, or why it cannot be trusted. */
function treeFromPaths(
  accounts: readonly SdkAccount[],
  organizationId: string | undefined,
  rootId: string,
): Result<Tree, string> {
  // An organization always holds its management account: an empty list places nothing it could vouch for.
  if (accounts.length === 0) return fail('ListAccounts listed no account');
  const parentOf = new Map<string, string>();
  const organizationalUnits: ReadOrganizationalUnit[] = [];
  const placed: ReadAccount[] = [];
  for (const account of accounts) {
    const placement = placeByPath(account, organizationId, rootId);
    if (!placement.ok) return placement;
    let parentId = rootId;
    for (const unitId of placement.value) {
      const known = parentOf.get(unitId);
      if (known === undefined) {
        parentOf.set(unitId, parentId);
        organizationalUnits.push({ id: unitId, name: undefined, parentId });
      } else if (known !== parentId) {
        // Organizations cannot move an OU, so paths that disagree on a parent are not to be trusted.
        return fail(`the paths put OU ${unitId} under both ${known} and ${parentId} (account ${account.Id})`);
      }
      parentId = unitId;
    }
    placed.push(toReadAccount(account, parentId));
  }
  return ok({ organizationalUnits, accounts: placed });
}

/**
 * The policies without their targets that are OUs the tree does not hold. The paths' tree holds every OU on the way
 * to an account; an OU on no account's path holds no account, so what is attached to it applies to no one. Any other
 * unknown target stays, for the validator to refuse.
 */
function withoutTargetsOffPaths(policies: readonly ReadPolicy[], tree: Tree): ReadPolicy[] {
  const units = new Set(tree.organizationalUnits.map((unit) => unit.id));
  const offPaths = (target: string | undefined): boolean =>
    target !== undefined && ID_PATTERNS.organizationalUnit.test(target) && !units.has(target);
  return policies.map((policy) => ({ ...policy, targets: policy.targets.filter((target) => !offPaths(target)) }));
}

/** The tree with the names of its OUs, listed under each of their parents. */
async function withNames(reader: Reader, tree: Tree): Promise<Tree> {
  const parents = [...new Set(tree.organizationalUnits.map((unit) => unit.parentId))];
  const listed = await Promise.all(
    parents.map((parentId) => reader.limit.run(() => listOrganizationalUnits(reader, parentId))),
  );
  const names = new Map(listed.flat().map((unit) => [unit.Id, unit.Name]));
  return {
    ...tree,
    organizationalUnits: tree.organizationalUnits.map((unit) => ({ ...unit, name: names.get(unit.id) })),
  };
}

/** Reads the root, the policies and the accounts with an invalid effective policy, side by side. */
async function readFrame(reader: Reader): Promise<Frame> {
  const [root, policies, invalid] = await Promise.all([
    readRoot(reader),
    readPolicies(reader),
    reader.limit.run(() => listInvalidEffectivePolicyAccounts(reader)),
  ]);
  return { root, policies, invalidEffectivePolicyAccountIds: invalid.map((account) => account.Id) };
}

/** Reads the organization's one root with ListRoots, as a task of the read's limit; throws SnapshotReadError for none,
 * several or no id. */
export function readRoot(reader: Reader): Promise<ReadRoot> {
  // Checked inside the task, so that a bad answer also stops the requests queued behind it.
  return reader.limit.run(async () => {
    const roots = await listAll(reader, {
      operation: 'ListRoots',
      listName: 'Roots',
      requestPage: (NextToken) =>
        reader.client.send(new ListRootsCommand({ NextToken, MaxResults: MAX_RESULTS_PER_PAGE }), {
          abortSignal: reader.signal,
        }),
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

async function readPolicies(reader: Reader): Promise<readonly ReadPolicy[]> {
  const summaries = await reader.limit.run(() =>
    listAll(reader, {
      operation: 'ListPolicies',
      listName: 'Policies',
      requestPage: (NextToken) =>
        reader.client.send(
          new ListPoliciesCommand({ Filter: AI_OPT_OUT_POLICY_TYPE, NextToken, MaxResults: MAX_RESULTS_PER_PAGE }),
          { abortSignal: reader.signal },
        ),
      itemsOf: (page) => page.Policies,
      keyOf: (policy) => policy.Id,
    }),
  );
  return Promise.all(summaries.map((summary) => readPolicy(reader, summary)));
}

async function readPolicy(reader: Reader, summary: PolicySummary): Promise<ReadPolicy> {
  const policyId = summary.Id;
  // Without an id nothing more can be asked; the validator rejects the missing id.
  if (policyId === undefined) return { id: policyId, name: summary.Name, content: undefined, targets: [] };
  const [described, targets] = await Promise.all([
    reader.limit.run(() =>
      call(reader, 'DescribePolicy', () =>
        reader.client.send(new DescribePolicyCommand({ PolicyId: policyId }), { abortSignal: reader.signal }),
      ),
    ),
    reader.limit.run(() =>
      listAll(reader, {
        operation: 'ListTargetsForPolicy',
        listName: 'Targets',
        requestPage: (NextToken) =>
          reader.client.send(
            new ListTargetsForPolicyCommand({ PolicyId: policyId, NextToken, MaxResults: MAX_RESULTS_PER_PAGE }),
            { abortSignal: reader.signal },
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

/** Every OU directly under `parentId`, with its name. */
function listOrganizationalUnits(reader: Reader, parentId: string): Promise<SdkOrganizationalUnit[]> {
  return listAll(reader, {
    operation: 'ListOrganizationalUnitsForParent',
    listName: 'OrganizationalUnits',
    requestPage: (NextToken) =>
      reader.client.send(
        new ListOrganizationalUnitsForParentCommand({
          ParentId: parentId,
          NextToken,
          MaxResults: MAX_RESULTS_PER_PAGE,
        }),
        { abortSignal: reader.signal },
      ),
    itemsOf: (page) => page.OrganizationalUnits,
    keyOf: (unit) => unit.Id,
  });
}

/** Lists the OUs and accounts under `parentId`, then the same under each OU, depth first in the order AWS lists. */
async function readTree(
  reader: Reader,
  parentId: string,
  onAccounts: (accounts: readonly SdkAccount[]) => void,
  visited: Set<string>,
): Promise<Tree> {
  visited.add(parentId);
  const [childUnits, accounts] = await Promise.all([
    reader.limit.run(() => listOrganizationalUnits(reader, parentId)),
    reader.limit.run(() =>
      listAll(reader, {
        operation: 'ListAccountsForParent',
        listName: 'Accounts',
        requestPage: (NextToken) =>
          reader.client.send(
            new ListAccountsForParentCommand({ ParentId: parentId, NextToken, MaxResults: MAX_RESULTS_PER_PAGE }),
            { abortSignal: reader.signal },
          ),
        itemsOf: (page) => page.Accounts,
        keyOf: (account) => account.Id,
        onItems: onAccounts,
      }),
    ),
  ]);
  const subtrees = await Promise.all(childUnits.map((unit) => readSubtree(reader, unit, onAccounts, visited)));
  return {
    organizationalUnits: [
      ...childUnits.map((unit) => ({ id: unit.Id, name: unit.Name, parentId })),
      ...subtrees.flatMap((subtree) => subtree.organizationalUnits),
    ],
    accounts: [
      ...accounts.map((account) => toReadAccount(account, parentId)),
      ...subtrees.flatMap((subtree) => subtree.accounts),
    ],
  };
}

function readSubtree(
  reader: Reader,
  unit: SdkOrganizationalUnit,
  onAccounts: (accounts: readonly SdkAccount[]) => void,
  visited: Set<string>,
): Promise<Tree> {
  // An OU without an id or seen twice is left for the validator to reject; descending again could loop forever.
  if (unit.Id === undefined || visited.has(unit.Id)) return Promise.resolve({ organizationalUnits: [], accounts: [] });
  return readTree(reader, unit.Id, onAccounts, visited);
}

function toReadAccount(account: SdkAccount, parentId: string): ReadAccount {
  return {
    id: account.Id,
    name: account.Name,
    // `Status` was retired in September 2026; older emulators such as moto still send only `Status`.
    state: account.State ?? account.Status,
    parentId,
  };
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

/** A listing of readOrgSnapshot: an Organizations List call and its operation name. */
export interface OrganizationsListing<Page extends { readonly NextToken?: string | undefined }, Item>
  extends Omit<Listing<Page, Item>, 'action'> {
  readonly operation: Operation;
}

/** Reads every page of one List call with readPages, each request through the read's limit, translating errors. */
export async function listAll<Page extends { readonly NextToken?: string | undefined }, Item>(
  reader: Reader,
  { operation, requestPage, ...listing }: OrganizationsListing<Page, Item>,
): Promise<Item[]> {
  const action = `organizations:${operation}`;
  try {
    return await readPages({ action, ...listing, requestPage: (token) => reader.limit.send(() => requestPage(token)) });
  } catch (error) {
    throw translate(error, action);
  }
}

/** Sends one request with readResponse, through the read's limit, translating the SDK's errors. */
export async function call<T>(reader: Reader, operation: Operation, request: () => Promise<T>): Promise<T> {
  const action = `organizations:${operation}`;
  try {
    return await readResponse(action, () => reader.limit.send(request));
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

/**
 * Every account ListAccountsWithInvalidEffectivePolicy lists for AI opt-out policies, all pages. Not optional: an
 * account whose effective policy fails AWS's validation is not fully protected, whatever the policies say
 * (Organizations API reference, ListAccountsWithInvalidEffectivePolicy), so its failure fails the read.
 */
export function listInvalidEffectivePolicyAccounts(reader: Reader) {
  return listAll(reader, {
    operation: 'ListAccountsWithInvalidEffectivePolicy',
    listName: 'Accounts',
    requestPage: (NextToken) =>
      reader.client.send(
        new ListAccountsWithInvalidEffectivePolicyCommand({
          PolicyType: AI_OPT_OUT_POLICY_TYPE,
          NextToken,
          MaxResults: MAX_RESULTS_PER_PAGE,
        }),
        { abortSignal: reader.signal },
      ),
    itemsOf: (page) => page.Accounts,
    keyOf: (account) => account.Id,
  });
}
