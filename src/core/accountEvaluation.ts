import { toAnnotation } from './annotation';
import type { PostureReport } from './evaluatePosture';
import { type ComplianceType, formatReason, REASON_COMPLIANCE, type Reason } from './reason';

/** One account's result exactly as it goes to AWS Config (resource type AWS::::Account, id the account id). */
export interface AccountEvaluation {
  readonly accountId: string;
  readonly complianceType: ComplianceType;
  /** At most MAX_ANNOTATION_LENGTH characters. */
  readonly annotation: string;
}

function fromReason(accountId: string, reason: Reason): AccountEvaluation {
  return { accountId, complianceType: REASON_COMPLIANCE[reason.kind], annotation: toAnnotation(formatReason(reason)) };
}

/** The evaluations a report stands for, one per account, in the snapshot's order. */
export function toAccountEvaluations(report: PostureReport): AccountEvaluation[] {
  return report.decisions.map((decision) => ({
    accountId: decision.account.id,
    complianceType: decision.compliance,
    annotation: decision.annotation,
  }));
}

/** One account's evaluation, or undefined when the account is not in the organization the report is about. */
export function toAccountEvaluation(report: PostureReport, accountId: string): AccountEvaluation | undefined {
  return toAccountEvaluations(report).find((candidate) => candidate.accountId === accountId);
}

/** NOT_APPLICABLE for every account that has an earlier result but is no longer in the organization. */
export function toStaleEvaluations(report: PostureReport, evaluatedAccountIds: readonly string[]): AccountEvaluation[] {
  const current = new Set(report.decisions.map((decision) => decision.account.id));
  return [...new Set(evaluatedAccountIds)]
    .filter((accountId) => !current.has(accountId))
    .map((accountId) =>
      fromReason(accountId, { kind: 'leftOrganization', accountId, organizationId: report.organizationId }),
    );
}
