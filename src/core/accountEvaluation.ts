import type { PostureReport } from './evaluatePosture';
import type { ComplianceType } from './reason';

/** One account's result exactly as it goes to AWS Config (resource type AWS::::Account, id the account id). */
export interface AccountEvaluation {
  readonly accountId: string;
  readonly complianceType: ComplianceType;
  /** At most MAX_ANNOTATION_LENGTH characters. */
  readonly annotation: string;
}

/** The evaluations a report stands for, one per account, in the snapshot's order. */
export function toAccountEvaluations(report: PostureReport): AccountEvaluation[] {
  return report.decisions.map((decision) => ({
    accountId: decision.account.id,
    complianceType: decision.compliance,
    annotation: decision.annotation,
  }));
}
