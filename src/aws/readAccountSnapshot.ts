import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  type OrganizationsClient,
  type PolicySummary,
} from '@aws-sdk/client-organizations';
import { type OrganizationPath, parseOrganizationPath } from '../core/organizationPath';
import { AI_OPT_OUT_POLICY_TYPE, type Organization, type OrgSnapshot } from '../core/orgSnapshot';
import { parseOrgSnapshot } from '../core/parseOrgSnapshot';
import { OrganizationChangedDuringReadError, SnapshotReadError } from '../errors';
import type { OnCall } from './observeCall';
import type { DescribedAccount } from './readAccountInOrganization';
import {
  call,
  listAll,
  listInvalidEffectivePolicyAccounts,
  MAX_READ_ATTEMPTS,
  MAX_RESULTS_PER_PAGE,
  type Reader,
  type ReadRoot,
  readRoot,
  rootChange,
  withReader,
} from './readOrgSnapshot';

/** AWS nests OUs at most five levels below the root (Organizations User Guide, quotas). */
const MAX_OU_DEPTH = 5;

/**
 * The root as ListRoots showed it and the AI opt-out policies ListPoliciesForTarget lists on it: what makes any
 * account COMPLIANT, read before and after the rest of the account's path to see whether it changed meanwhile.
 */
export interface RootFrame {
  readonly root: ReadRoot;
  readonly policies: readonly PolicySummary[];
}

/** What `readAccountSnapshot` returns. */
export interface AccountSnapshotRead {
  /** The account's path as a validated snapshot with `pathOf` set. */
  readonly snapshot: OrgSnapshot;
  /** The root frame read last, which a later read may start from (`ReadAccountSnapshotOptions.rootFrame`). */
  readonly rootFrame: RootFrame;
}

/** Options of `readAccountSnapshot`: earlier reads that spare requests, and the signal that stops it. */
export interface ReadAccountSnapshotOptions {
  /** Stops the read: no request starts after it aborts, and the read rejects with its reason (see withReader). */
  readonly abortSignal?: AbortSignal;
  /**
   * The organization an earlier read returned, given only when its feature set is ALL, which cannot go back to
   * consolidated billing (its id and management account never change): DescribeOrganization is then not sent.
   */
  readonly organization?: Organization;
  /**
   * The `rootFrame` of an earlier read that began after the notification being answered: it then serves as the read
   * before the path (the read after it is always sent), so the result still shows no state older than the notification.
   */
  readonly rootFrame?: RootFrame;
  /** Hears each Organizations request the read sends, once it has answered or failed. */
  readonly onCall?: OnCall;
}

interface ReadPolicy {
  readonly id: string | undefined;
  readonly name: string | undefined;
  readonly content: string | undefined;
  readonly targets: readonly string[];
}

/** The path from the root: the root's id, then each OU's down to the account's parent. */
type Ancestors = readonly [string, ...string[]];

/**
 * Reads what decides one account's compliance, and nothing of the rest of the organization, into a validated snapshot
 * with `pathOf`: the organization (DescribeOrganization), the root and its policy types (ListRoots), the account's path
 * (the `Paths` of `described`, DescribeAccount's answer, when it holds exactly one path of the account's form; else
 * ListParents up to the root), the AI opt-out policies attached to the root, each OU of the path and the account
 * (ListPoliciesForTarget) with their content (DescribePolicy), and whether ListAccountsWithInvalidEffectivePolicy lists
 * the account. `evaluatePosture` decides it exactly as it decides that account in the whole organization.
 *
 * Organizations has no consistent read, so the root frame (ListRoots, the root's policies) is read before the path's
 * policies (their listings and contents) and again after them, with the account's parent (ListParents) and the invalid
 * listing; when the root or the parent differ, it reads the path's policies again (the last frame serves as the next
 * one's first), up to MAX_READ_ATTEMPTS in all.
 *
 * Throws what `readOrgSnapshot`'s calls throw (access denied, not in an organization, throttling, unreadable answers,
 * listings that cannot be complete; other SDK errors such as PolicyNotFoundException propagate unchanged),
 * OrganizationChangedDuringReadError when the root or the account's parent changed during every attempt, and
 * SnapshotReadError when what was read is not one account's path (several parents, a path deeper than AWS allows, an
 * organization other than DescribeOrganization's), and the abort signal's reason once it aborts.
 */
export function readAccountSnapshot(
  client: OrganizationsClient,
  described: DescribedAccount,
  options: ReadAccountSnapshotOptions = {},
): Promise<AccountSnapshotRead> {
  // In flight at once: at most the six listings below the root, or one DescribePolicy per policy on the path (five per
  // node at most), and the SDK's adaptive retries pace them when Organizations throttles: only ListRoots takes a
  // slot of the reader's limit.
  return withReader(client, { abortSignal: options.abortSignal, onCall: options.onCall }, (reader) =>
    readPath(reader, described, options),
  );
}

async function readPath(
  reader: Reader,
  described: DescribedAccount,
  options: ReadAccountSnapshotOptions,
): Promise<AccountSnapshotRead> {
  const accountId = described.Id;
  const fromPaths = pathFromPaths(described);
  const [organization, first, ancestorsRead] = await Promise.all([
    options.organization ?? readOrganization(reader),
    options.rootFrame ?? readRootFrame(reader),
    fromPaths === undefined ? readAncestors(reader, accountId) : Promise.resolve(fromPaths.ancestorIds),
  ]);
  if (fromPaths !== undefined && fromPaths.organizationId !== organization.id) {
    throw new SnapshotReadError(
      'organization.id',
      `DescribeAccount's Paths put account ${accountId} in ${fromPaths.organizationId}, but DescribeOrganization says ${organization.id}`,
    );
  }
  let before = first;
  let ancestors = ancestorsRead;
  let change = '';
  for (let attempt = 1; attempt <= MAX_READ_ATTEMPTS; attempt += 1) {
    const targets = [...ancestors.slice(1), accountId];
    const below = await Promise.all(targets.map((targetId) => readPoliciesFor(reader, targetId)));
    const attached: [string, readonly PolicySummary[]][] = [
      [ancestors[0], before.policies],
      ...targets.map((targetId, i): [string, readonly PolicySummary[]] => [targetId, below[i] ?? []]),
    ];
    const policies = await describePolicies(reader, attached);
    const [after, parent, invalid] = await Promise.all([
      readRootFrame(reader),
      readParent(reader, accountId),
      // Once, last: AWS finds invalid effective policies asynchronously, after the policies change (Organizations
      // User Guide, invalid policy alerts), so its latest answer is the one closest to the policies read.
      readListedInvalid(reader, accountId),
    ]);
    const parentId = ancestors[ancestors.length - 1];
    const found =
      rootChange(before.root, after.root) ??
      rootPoliciesChange(before, after) ??
      (parent.id === parentId ? undefined : `account ${accountId} moved from ${parentId} to ${parent.id}`);
    if (found === undefined) {
      const parsed = parseOrgSnapshot({
        pathOf: accountId,
        organization: {
          id: organization.id,
          featureSet: organization.featureSet,
          managementAccountId: organization.managementAccountId,
        },
        root: after.root,
        organizationalUnits: ancestors.slice(1).map((id, i) => ({ id, parentId: ancestors[i] })),
        accounts: [
          {
            id: accountId,
            name: described.Name,
            // `Status` was retired in September 2026; older emulators such as moto still send only `Status`.
            state: described.State ?? described.Status,
            parentId,
          },
        ],
        policies,
        accountsWithInvalidEffectivePolicy: invalid ? [accountId] : [],
      });
      if (!parsed.ok) throw new SnapshotReadError(parsed.error.path, parsed.error.message);
      return { snapshot: parsed.value, rootFrame: after };
    }
    change = found;
    before = after;
    if (parent.id !== parentId) ancestors = await readAncestors(reader, accountId);
  }
  throw new OrganizationChangedDuringReadError(MAX_READ_ATTEMPTS, change);
}

/** The organization as DescribeOrganization describes it, before parseOrgSnapshot checks it. */
async function readOrganization(reader: Reader): Promise<{ readonly [K in keyof Organization]: string | undefined }> {
  const { Organization: organization } = await call(reader, 'DescribeOrganization', () =>
    reader.client.send(new DescribeOrganizationCommand({}), { abortSignal: reader.signal }),
  );
  return {
    id: organization?.Id,
    featureSet: organization?.FeatureSet,
    managementAccountId: organization?.MasterAccountId,
  };
}

/** The path in `Paths` when it is the only one and leads to the account; undefined sends the reader to ListParents. */
function pathFromPaths(described: DescribedAccount): OrganizationPath | undefined {
  const [only, ...others] = described.Paths ?? [];
  const path = only === undefined || others.length > 0 ? undefined : parseOrganizationPath(only);
  return path?.id === described.Id ? path : undefined;
}

async function readRootFrame(reader: Reader): Promise<RootFrame> {
  const root = await readRoot(reader);
  return { root, policies: await readPoliciesFor(reader, root.id) };
}

function readPoliciesFor(reader: Reader, targetId: string): Promise<PolicySummary[]> {
  return listAll(reader, {
    operation: 'ListPoliciesForTarget',
    listName: 'Policies',
    requestPage: (NextToken) =>
      reader.client.send(
        new ListPoliciesForTargetCommand({
          TargetId: targetId,
          Filter: AI_OPT_OUT_POLICY_TYPE,
          NextToken,
          MaxResults: MAX_RESULTS_PER_PAGE,
        }),
        { abortSignal: reader.signal },
      ),
    itemsOf: (page) => page.Policies,
    keyOf: (policy) => policy.Id,
  });
}

/** Each policy attached to the nodes, once, with its content and the nodes it is attached to among them. */
function describePolicies(
  reader: Reader,
  attached: readonly [string, readonly PolicySummary[]][],
): Promise<ReadPolicy[]> {
  const byId = new Map<string | undefined, { summary: PolicySummary; targets: string[] }>();
  for (const [targetId, summaries] of attached) {
    for (const summary of summaries) {
      const known = byId.get(summary.Id);
      if (known === undefined) byId.set(summary.Id, { summary, targets: [targetId] });
      else known.targets.push(targetId);
    }
  }
  return Promise.all(
    [...byId.values()].map(async ({ summary, targets }): Promise<ReadPolicy> => {
      const policyId = summary.Id;
      // Without an id nothing more can be asked; the validator rejects the missing id.
      if (policyId === undefined) return { id: policyId, name: summary.Name, content: undefined, targets };
      const described = await call(reader, 'DescribePolicy', () =>
        reader.client.send(new DescribePolicyCommand({ PolicyId: policyId }), { abortSignal: reader.signal }),
      );
      return { id: policyId, name: summary.Name, content: described.Policy?.Content, targets };
    }),
  );
}

/** The one parent ListParents returns for an account or OU. */
async function readParent(reader: Reader, childId: string): Promise<{ readonly id: string; readonly isRoot: boolean }> {
  const parents = await listAll(reader, {
    operation: 'ListParents',
    listName: 'Parents',
    requestPage: (NextToken) =>
      reader.client.send(new ListParentsCommand({ ChildId: childId, NextToken, MaxResults: MAX_RESULTS_PER_PAGE }), {
        abortSignal: reader.signal,
      }),
    itemsOf: (page) => page.Parents,
    keyOf: (parent) => parent.Id,
  });
  const [parent] = parents;
  if (parent?.Id === undefined || parents.length > 1) {
    throw new SnapshotReadError(
      `parents of ${childId}`,
      `ListParents returned ${parents.length} parent(s)${parent === undefined || parent.Id !== undefined ? '' : ' without an Id'}; an account or OU has exactly one`,
    );
  }
  return { id: parent.Id, isRoot: parent.Type === 'ROOT' };
}

/** The account's ancestors, read with ListParents from the account up to the root. */
async function readAncestors(reader: Reader, accountId: string): Promise<Ancestors> {
  const organizationalUnits: string[] = [];
  for (let childId = accountId; organizationalUnits.length <= MAX_OU_DEPTH; ) {
    const parent = await readParent(reader, childId);
    if (parent.isRoot) return [parent.id, ...organizationalUnits];
    organizationalUnits.unshift(parent.id);
    childId = parent.id;
  }
  throw new SnapshotReadError(
    `parents of ${accountId}`,
    `ListParents found more than ${MAX_OU_DEPTH} OUs above the account without reaching a root; AWS nests OUs at most ${MAX_OU_DEPTH} deep`,
  );
}

/** Whether ListAccountsWithInvalidEffectivePolicy lists the account (every page is read). */
async function readListedInvalid(reader: Reader, accountId: string): Promise<boolean> {
  const accounts = await listInvalidEffectivePolicyAccounts(reader);
  return accounts.some((account) => account.Id === accountId);
}

function rootPoliciesChange(before: RootFrame, after: RootFrame): string | undefined {
  const ids = (frame: RootFrame): string =>
    frame.policies
      .map((policy) => policy.Id ?? '(without an id)')
      .sort()
      .join(', ') || 'none';
  const [was, is] = [ids(before), ids(after)];
  return was === is ? undefined : `the AI opt-out policies on root ${after.root.id} went from ${was} to ${is}`;
}
