import type { EffectiveOptOut } from './effectiveOptOut';
import { hasOnlyConflicts } from './evaluateCrossCheckTargets';
import { type AccountDecision, type PostureReport, toAccountDecision, toPostureReport } from './evaluatePosture';
import { type EffectivePolicyAnswer, type EffectivePolicyValues, parseEffectivePolicy } from './parseEffectivePolicy';
import { DEFAULT_SERVICE_KEY } from './parseOptOutPolicy';
import type { AwsValue, Difference, Reason, SettledKey } from './reason';
import { isAllowedOptIn, type RuleParameters } from './ruleParameters';

/** What came of comparing one account's decision with AWS's effective policy. */
export type CrossCheck =
  | { readonly kind: 'agreed'; readonly accountId: string }
  | { readonly kind: 'disagreed'; readonly accountId: string; readonly reason: Reason }
  | { readonly kind: 'settled'; readonly accountId: string; readonly reason: Reason };

/** The report with AWS's word applied, and what came of each account AWS was asked about. */
export interface CrossCheckOutcome {
  readonly report: PostureReport;
  /** One per account of the report that has an answer, in the report's order. */
  readonly checks: readonly CrossCheck[];
}

/** A key's value in AWS's effective policy, which lists only the keys some policy names: else `default`'s. */
function awsValue(values: EffectivePolicyValues, key: string): AwsValue {
  const own = values.get(key);
  if (own !== undefined || key === DEFAULT_SERVICE_KEY) return own ?? 'unset';
  return values.get(DEFAULT_SERVICE_KEY) ?? 'unset';
}

/**
 * Compares every key of the account's effective settings that this rule knows with AWS's value, and lists the keys
 * AWS names that no policy this rule read does. Unknown values are not compared; those of a decision whose only doubt
 * is a conflict are settled by AWS's value instead.
 */
function compare(
  effective: EffectiveOptOut,
  values: EffectivePolicyValues,
  settling: boolean,
): { differences: Difference[]; settled: SettledKey[] } {
  const differences: Difference[] = [];
  const settled: SettledKey[] = [];
  for (const [key, value] of [[DEFAULT_SERVICE_KEY, effective.default] as const, ...effective.services]) {
    const aws = awsValue(values, key);
    if (value.kind === 'unknown') {
      if (settling && value.cause.kind === 'conflict') settled.push({ key, cause: value.cause, aws });
    } else if (value.kind !== aws) {
      differences.push({ key, model: value, aws });
    }
  }
  // A key no policy on the path names: a policy this rule did not see, unless an unreadable one may have named it.
  if (effective.unnamedServices === undefined) {
    for (const [key, aws] of values) {
      if (key !== DEFAULT_SERVICE_KEY && !effective.services.has(key)) {
        differences.push({ key, model: { kind: 'unnamed' }, aws });
      }
    }
  }
  return { differences, settled };
}

/** The reason AWS's answer gives an account, or undefined when it agrees and settles nothing. */
function crossCheckReason(
  decision: AccountDecision,
  effective: EffectiveOptOut,
  answer: EffectivePolicyAnswer,
  parameters: RuleParameters,
): Reason | undefined {
  const accountId = decision.account.id;
  const parsed = answer.kind === 'none' ? undefined : parseEffectivePolicy(answer.content);
  if (parsed?.ok === false) return { kind: 'unreadableEffectivePolicy', accountId, failure: parsed.error };
  const values = parsed?.value ?? new Map();
  const settling = hasOnlyConflicts(decision);
  const { differences, settled } = compare(effective, values, settling);
  if (differences.length > 0) {
    return { kind: 'modelDisagreesWithAws', accountId, noEffectivePolicy: answer.kind === 'none', differences };
  }
  if (!settling) return undefined;
  const notOptedOut = settled.filter(({ key, aws }) => aws !== 'optOut' && !isAllowedOptIn(parameters, key, aws));
  return notOptedOut.length === 0
    ? { kind: 'conflictSettledOptedOut', accountId, settled }
    : { kind: 'conflictSettledNotOptedOut', accountId, settled: notOptedOut };
}

/**
 * Applies AWS's effective policies (DescribeEffectivePolicy answers, by account id) to a report. An account whose
 * known values and AWS's differ in any key (`unset` for a key AWS leaves out along with `default`), or for which AWS
 * names a key no policy this rule read names, becomes NON_COMPLIANT with reason modelDisagreesWithAws; one whose
 * answer this rule cannot parse, unreadableEffectivePolicy. An account whose only doubt is a conflict between
 * policies on one node takes AWS's value for each key the conflict left unknown, and is COMPLIANT only when each is
 * optOut or an allowed optIn: the locks come from the policies, since AWS's effective policy shows none, and the root
 * checks passed already. Any other account keeps its decision, whatever AWS says of the keys it left unknown.
 * Accounts without an answer, or not ACTIVE, keep their decision.
 */
export function evaluateEffectivePolicyAgreement(
  report: PostureReport,
  answers: ReadonlyMap<string, EffectivePolicyAnswer>,
  parameters: RuleParameters,
): CrossCheckOutcome {
  const checks: CrossCheck[] = [];
  const decisions = report.decisions.map((decision) => {
    const accountId = decision.account.id;
    const answer = answers.get(accountId);
    if (answer === undefined || decision.effective === undefined) return decision;
    const reason = crossCheckReason(decision, decision.effective, answer, parameters);
    if (reason === undefined) {
      checks.push({ kind: 'agreed', accountId });
      return decision;
    }
    const settledConflict = reason.kind === 'conflictSettledOptedOut' || reason.kind === 'conflictSettledNotOptedOut';
    checks.push({ kind: settledConflict ? 'settled' : 'disagreed', accountId, reason });
    return toAccountDecision(decision, reason);
  });
  return { report: toPostureReport(report.organizationId, decisions, report.unreadablePolicies), checks };
}
