import { toAnnotation } from './annotation';
import {
  type AttachedPolicy,
  applyNode,
  type EffectiveOptOut,
  EMPTY_PATH,
  lockedLevels,
  type PathState,
  toEffectiveOptOut,
  type UnreadablePolicyCause,
} from './effectiveOptOut';
import { type Account, AI_OPT_OUT_POLICY_TYPE, type OrganizationalUnit, type OrgSnapshot } from './orgSnapshot';
import { DEFAULT_SERVICE_KEY, parseOptOutPolicy } from './parseOptOutPolicy';
import { type ComplianceType, type Finding, formatReason, REASON_COMPLIANCE, type Reason } from './reason';
import { isAllowedOptIn, LOCK_LEVELS, type RuleParameters } from './ruleParameters';

/** The verdict for one account, with everything a report or an evaluation needs. */
export interface AccountDecision {
  readonly account: Account;
  readonly isManagementAccount: boolean;
  /** The OUs from the root down to the account's parent. */
  readonly organizationalUnits: readonly OrganizationalUnit[];
  readonly compliance: ComplianceType;
  readonly reason: Reason;
  /** The reason in plain words. */
  readonly message: string;
  /** The message cut to fit a Config annotation. */
  readonly annotation: string;
  /** The account's effective settings; absent for accounts that are not ACTIVE. */
  readonly effective: EffectiveOptOut | undefined;
}

/** The decision for a whole organization. */
export interface PostureReport {
  readonly organizationId: string;
  /** COMPLIANT only when at least one account is ACTIVE and every ACTIVE account is COMPLIANT. */
  readonly compliance: Exclude<ComplianceType, 'NOT_APPLICABLE'>;
  readonly decisions: readonly AccountDecision[];
  /** How many accounts got each verdict. */
  readonly counts: Readonly<Record<ComplianceType, number>>;
  /** Policies whose content is not a valid AI opt-out policy, wherever they are attached. */
  readonly unreadablePolicies: readonly UnreadablePolicyCause[];
}

interface Tree {
  readonly snapshot: OrgSnapshot;
  readonly ouById: ReadonlyMap<string, OrganizationalUnit>;
  readonly policiesByTarget: ReadonlyMap<string, readonly AttachedPolicy[]>;
  readonly unreadablePolicies: readonly UnreadablePolicyCause[];
}

function indexTree(snapshot: OrgSnapshot): Tree {
  const policiesByTarget = new Map<string, AttachedPolicy[]>();
  const unreadablePolicies: UnreadablePolicyCause[] = [];
  // By id, not in the order a reader happened to list them: reasons name several policies of a node in this order,
  // and a decision must not depend on whether the whole organization or one account's path was read.
  const byId = [...snapshot.policies].sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const policy of byId) {
    const document = parseOptOutPolicy(policy.content);
    for (const targetId of policy.targets) {
      policiesByTarget.set(targetId, [...(policiesByTarget.get(targetId) ?? []), { policyId: policy.id, document }]);
      if (!document.ok)
        unreadablePolicies.push({ kind: 'unreadablePolicy', targetId, policyId: policy.id, failure: document.error });
    }
  }
  const ouById = new Map(snapshot.organizationalUnits.map((ou) => [ou.id, ou]));
  return { snapshot, ouById, policiesByTarget, unreadablePolicies };
}

function policiesOn(tree: Tree, targetId: string): readonly AttachedPolicy[] {
  return tree.policiesByTarget.get(targetId) ?? [];
}

/** The OUs from the root down to a node's parent; throws if the snapshot's tree is broken (a bug upstream). */
function ancestorsOf(tree: Tree, parentId: string): readonly OrganizationalUnit[] {
  const chain: OrganizationalUnit[] = [];
  for (let at = parentId; at !== tree.snapshot.root.id; ) {
    const ou = tree.ouById.get(at);
    if (ou === undefined || chain.includes(ou)) throw new Error(`Snapshot tree is broken at "${at}"`);
    chain.unshift(ou);
    at = ou.parentId;
  }
  return chain;
}

/** The first of checks 1 to 4 (organization, policy type, root policies, root locks) that fails, if any. */
function organizationReason(tree: Tree, rootState: PathState, parameters: RuleParameters): Reason | undefined {
  const { organization, root } = tree.snapshot;
  if (organization.featureSet !== 'ALL') {
    return { kind: 'featureSetNotAll', organizationId: organization.id, featureSet: organization.featureSet };
  }
  const status = root.policyTypes.find((summary) => summary.type === AI_OPT_OUT_POLICY_TYPE)?.status ?? 'absent';
  if (status !== 'ENABLED') return { kind: 'policyTypeNotEnabled', rootId: root.id, status };
  const policyIds = policiesOn(tree, root.id).map((policy) => policy.policyId);
  if (policyIds.length === 0) return { kind: 'noRootPolicy', rootId: root.id };
  const value = toEffectiveOptOut(rootState).default;
  if (value.kind !== 'optOut') return { kind: 'rootDefaultNotOptOut', rootId: root.id, policyIds, value };
  const locked = lockedLevels(rootState);
  const level = LOCK_LEVELS.find((candidate) => parameters.requiredLocks.includes(candidate) && !locked[candidate]);
  return level === undefined ? undefined : { kind: 'rootNotLocked', rootId: root.id, policyIds, level };
}

/** Check 5: the account's effective value is optOut for default and every service key, but allowed opt-ins. */
function accountReason(
  tree: Tree,
  rootState: PathState,
  effective: EffectiveOptOut,
  parameters: RuleParameters,
): Reason {
  const allowed = (key: string, kind: string) => isAllowedOptIn(parameters, key, kind);
  const findings: Finding[] = [];
  for (const [key, value] of [[DEFAULT_SERVICE_KEY, effective.default] as const, ...effective.services]) {
    if (value.kind !== 'optOut' && !allowed(key, value.kind)) findings.push({ key, value });
  }
  if (findings.length > 0 || effective.unnamedServices !== undefined) {
    return { kind: 'notOptedOut', findings, unnamedServices: effective.unnamedServices };
  }
  const rootId = tree.snapshot.root.id;
  const locked = lockedLevels(rootState);
  return {
    kind: 'compliant',
    rootId,
    policyIds: policiesOn(tree, rootId).map((policy) => policy.policyId),
    lockedLevels: LOCK_LEVELS.filter((level) => locked[level]),
    allowedOptIns: [...effective.services].filter(([key, value]) => allowed(key, value.kind)).map(([key]) => key),
  };
}

/**
 * Decides, for every account of a snapshot, COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE with a reason. An ACTIVE
 * account is COMPLIANT only when it is provably opted out of every AI service and the root carries the required locks.
 * Throws only when the snapshot's tree is broken, which parseOrgSnapshot rules out.
 */
export function evaluatePosture(snapshot: OrgSnapshot, parameters: RuleParameters): PostureReport {
  const tree = indexTree(snapshot);
  const nodeState = (inherited: PathState, targetId: string) =>
    applyNode(inherited, { targetId, policies: policiesOn(tree, targetId) });
  const rootState = nodeState(EMPTY_PATH, snapshot.root.id);
  const invalidEffectivePolicy = new Set(snapshot.accountsWithInvalidEffectivePolicy);
  const organizationFailure = organizationReason(tree, rootState, parameters);
  // Each OU's state is computed once and shared by everything below it.
  const ouStates = new Map<string, PathState>();
  const parentState = (ancestors: readonly OrganizationalUnit[]) =>
    ancestors.reduce((inherited, ou) => {
      const known = ouStates.get(ou.id) ?? nodeState(inherited, ou.id);
      ouStates.set(ou.id, known);
      return known;
    }, rootState);

  const decide = (account: Account, ancestors: readonly OrganizationalUnit[]) => {
    if (account.state !== 'ACTIVE')
      return { reason: { kind: 'notActive', state: account.state } as const, effective: undefined };
    const effective = toEffectiveOptOut(nodeState(parentState(ancestors), account.id));
    const invalid = invalidEffectivePolicy.has(account.id)
      ? ({ kind: 'invalidEffectivePolicy', accountId: account.id } as const)
      : undefined;
    const own = invalid ?? accountReason(tree, rootState, effective, parameters);
    // A root without the required lock fails every account; an account that its path already opts in says so too.
    const reason =
      organizationFailure?.kind === 'rootNotLocked' && own.kind === 'notOptedOut'
        ? { ...organizationFailure, notOptedOut: own }
        : (organizationFailure ?? own);
    return { reason, effective };
  };

  const decisions = snapshot.accounts.map((account) => {
    const organizationalUnits = ancestorsOf(tree, account.parentId);
    const { reason, effective } = decide(account, organizationalUnits);
    const isManagementAccount = account.id === snapshot.organization.managementAccountId;
    return toAccountDecision({ account, isManagementAccount, organizationalUnits, effective }, reason);
  });
  return toPostureReport(snapshot.organization.id, decisions, tree.unreadablePolicies);
}

/** An account's decision for `reason`: its verdict, message and annotation follow from the reason. */
export function toAccountDecision(
  fields: Pick<AccountDecision, 'account' | 'isManagementAccount' | 'organizationalUnits' | 'effective'>,
  reason: Reason,
): AccountDecision {
  const message = formatReason(reason);
  return {
    ...fields,
    compliance: REASON_COMPLIANCE[reason.kind],
    reason,
    message,
    annotation: toAnnotation(message),
  };
}

/** The report of an organization's decisions: how many got each verdict, and the organization's own verdict. */
export function toPostureReport(
  organizationId: string,
  decisions: readonly AccountDecision[],
  unreadablePolicies: readonly UnreadablePolicyCause[],
): PostureReport {
  const counts = { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0 };
  for (const decision of decisions) counts[decision.compliance] += 1;
  const evaluated = decisions.filter((decision) => decision.compliance !== 'NOT_APPLICABLE');
  const compliant = evaluated.length > 0 && evaluated.every((decision) => decision.compliance === 'COMPLIANT');
  return {
    organizationId,
    compliance: compliant ? 'COMPLIANT' : 'NON_COMPLIANT',
    decisions,
    counts,
    unreadablePolicies,
  };
}
