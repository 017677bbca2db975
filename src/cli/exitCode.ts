import type { PostureReport } from '../core/evaluatePosture';

/** The CLI's exit codes. */
export const EXIT_CODES = {
  compliant: 0,
  nonCompliant: 1,
  /** A usage or input error: a bad option, an unreadable or invalid snapshot. */
  usage: 2,
  /** A failure while running: AWS could not be read, or a bug. */
  failure: 3,
} as const;

/** 0 when the organization is COMPLIANT, 1 when it is not. */
export function exitCodeFor(report: PostureReport): number {
  return report.compliance === 'COMPLIANT' ? EXIT_CODES.compliant : EXIT_CODES.nonCompliant;
}
