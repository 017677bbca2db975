import type { AccountDecision, PostureReport } from './evaluatePosture';
import type { OrgSnapshot } from './orgSnapshot';
import type { Finding, Reason } from './reason';
import type { RuleParameters } from './ruleParameters';

/**
 * The most accounts whose only doubt is a conflict that one run settles through AWS's effective policy (one
 * DescribeEffectivePolicy call each). Past it, the rest stay NON_COMPLIANT with their Unknown reason: an organization
 * may have thousands, and Organizations answers about ten requests a second.
 */
export const MAX_CONFLICT_CROSS_CHECKS = 100;

/** The accounts one run asks AWS about, each list in a stable order. */
export interface CrossCheckTargets {
  /** Accounts whose only doubt is a conflict, by account id, at most MAX_CONFLICT_CROSS_CHECKS. */
  readonly conflicts: readonly string[];
  /** Accounts whose only doubt is a conflict that this run leaves unknown: over the cap, or CrossCheckAccounts 0. */
  readonly conflictsLeftOut: readonly string[];
  /** One account per distinct path of policies, at most CrossCheckAccounts (see evaluateCrossCheckTargets). */
  readonly sample: readonly string[];
}

// Decisions that rest on the account's effective values; the others fail on the organization, or are not evaluated.
const SAMPLED_REASONS: ReadonlySet<Reason['kind']> = new Set(['compliant', 'notOptedOut']);

function isConflict(finding: Finding): boolean {
  return finding.value.kind === 'unknown' && finding.value.cause.kind === 'conflict';
}

/**
 * Whether a decision's only doubt is policies on one node that set a key differently: its reason is notOptedOut (so
 * the organization and root checks, RequiredLocks included, passed), and every finding is such a conflict.
 */
export function hasOnlyConflicts(decision: AccountDecision): boolean {
  const { reason } = decision;
  return reason.kind === 'notOptedOut' && reason.unnamedServices === undefined && reason.findings.every(isConflict);
}

/**
 * Chooses whom to ask for AWS's effective policy: every account whose only doubt is a conflict (up to
 * MAX_CONFLICT_CROSS_CHECKS, by account id), and a sample of CrossCheckAccounts others whose verdict rests on their
 * effective values. Accounts whose paths carry the same policies (root, OUs and account alike) have the same effective
 * policy, so the sample takes one account (the lowest id) of each distinct set of policy-bearing nodes on the path:
 * COMPLIANT ones first, since a false COMPLIANT is the worst mistake, then the paths that merge the most nodes, then
 * by node ids. CrossCheckAccounts 0 asks about no account at all.
 */
export function evaluateCrossCheckTargets(
  report: PostureReport,
  snapshot: OrgSnapshot,
  parameters: RuleParameters,
): CrossCheckTargets {
  const conflicted = report.decisions
    .filter(hasOnlyConflicts)
    .map((decision) => decision.account.id)
    .sort();
  const cap = parameters.crossCheckAccounts === 0 ? 0 : MAX_CONFLICT_CROSS_CHECKS;

  const targeted = new Set(snapshot.policies.flatMap((policy) => policy.targets));
  const byPath = new Map<string, { readonly decision: AccountDecision; readonly nodes: number }>();
  for (const decision of report.decisions) {
    if (!SAMPLED_REASONS.has(decision.reason.kind) || hasOnlyConflicts(decision)) continue;
    const path = [snapshot.root.id, ...decision.organizationalUnits.map((ou) => ou.id), decision.account.id];
    const nodes = path.filter((id) => targeted.has(id));
    const key = nodes.join('/');
    const chosen = byPath.get(key);
    if (chosen === undefined || decision.account.id < chosen.decision.account.id) {
      byPath.set(key, { decision, nodes: nodes.length });
    }
  }
  const rank = (compliance: string) => (compliance === 'COMPLIANT' ? 0 : 1);
  const sample = [...byPath]
    .sort(
      ([keyA, a], [keyB, b]) =>
        rank(a.decision.compliance) - rank(b.decision.compliance) ||
        b.nodes - a.nodes ||
        Number(keyA > keyB) - Number(keyA < keyB),
    )
    .slice(0, parameters.crossCheckAccounts)
    .map(([, { decision }]) => decision.account.id);

  return { conflicts: conflicted.slice(0, cap), conflictsLeftOut: conflicted.slice(cap), sample };
}
