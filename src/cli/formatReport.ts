import { toAccountEvaluations } from '../core/accountEvaluation';
import type { KeyValue } from '../core/effectiveOptOut';
import type { AccountDecision, PostureReport } from '../core/evaluatePosture';
import { assertNever, DEFAULT_SERVICE_KEY, formatPolicyParseFailure } from '../core/parseOptOutPolicy';
import { COMPLIANCE_TYPES, type ComplianceType, formatUnknownCause } from '../core/reason';
import { formatRuleParameters, type RuleParameters } from '../core/ruleParameters';
import { toVisible, toVisibleJson } from './toVisible';

function valueJson(key: string, value: KeyValue): Record<string, string> {
  switch (value.kind) {
    case 'optOut':
    case 'optIn':
      return { value: value.kind, policyId: value.policyId, targetId: value.targetId };
    case 'unset':
      return { value: 'unset' };
    case 'unknown':
      return { value: 'unknown', why: formatUnknownCause(key, value.cause) };
    default:
      return assertNever(value);
  }
}

function accountJson(decision: AccountDecision) {
  const { account, effective } = decision;
  return {
    accountId: account.id,
    name: account.name,
    state: account.state,
    managementAccount: decision.isManagementAccount,
    organizationalUnits: decision.organizationalUnits.map((ou) => ({ id: ou.id, name: ou.name })),
    complianceType: decision.compliance,
    reason: decision.reason.kind,
    message: decision.message,
    effective:
      effective === undefined
        ? null
        : {
            default: valueJson(DEFAULT_SERVICE_KEY, effective.default),
            services: Object.fromEntries([...effective.services].map(([key, value]) => [key, valueJson(key, value)])),
            otherServices: effective.unnamedServices === undefined ? null : valueJson('*', effective.unnamedServices),
          },
  };
}

/** The rule parameters that change a decision; Scope and ExecutionRoleName only steer where the Lambda puts it. */
function decisionParameters(parameters: RuleParameters) {
  const { RequiredLocks, AllowedOptInServices } = formatRuleParameters(parameters);
  return { RequiredLocks, AllowedOptInServices };
}

/**
 * The report as JSON data: `organizationId`, `compliance` and `evaluations` (exactly what the Lambda puts), then the
 * rule parameters, counts, per-account detail with effective values and provenance, and unreadable policies.
 */
export function toReportJson(report: PostureReport, parameters: RuleParameters) {
  return {
    organizationId: report.organizationId,
    compliance: report.compliance,
    evaluations: toAccountEvaluations(report),
    ruleParameters: decisionParameters(parameters),
    summary: report.counts,
    accounts: report.decisions.map(accountJson),
    unreadablePolicies: report.unreadablePolicies.map((p) => ({
      policyId: p.policyId,
      targetId: p.targetId,
      problem: formatPolicyParseFailure(p.failure),
    })),
  };
}

/** The report as indented JSON text (see toReportJson). */
export function formatReportJson(report: PostureReport, parameters: RuleParameters): string {
  return toVisibleJson(toReportJson(report, parameters));
}

const ANSI = { green: '\u001b[32m', red: '\u001b[31m', dim: '\u001b[2m', bold: '\u001b[1m', reset: '\u001b[0m' };
const VERDICT_STYLE: Readonly<Record<ComplianceType, string>> = {
  COMPLIANT: ANSI.green,
  NON_COMPLIANT: ANSI.red,
  NOT_APPLICABLE: ANSI.dim,
};

function ouPath(decision: AccountDecision): string {
  // A snapshot read from accounts' paths may hold OUs without names: their ids stand in.
  return ['Root', ...decision.organizationalUnits.map((ou) => ou.name ?? ou.id)].join('/');
}

/**
 * The report as a table for people: one row per account (id, name, OU path, verdict, reason), then unreadable
 * policies and a summary line; invisible characters of names and policies show as escapes. With `color`, verdicts are
 * coloured with ANSI escapes.
 */
export function formatReportTable(report: PostureReport, parameters: RuleParameters, color: boolean): string {
  const paint = (style: string, text: string) => (color ? `${style}${text}${ANSI.reset}` : text);
  const header = ['ACCOUNT', 'NAME', 'OU PATH', 'VERDICT', 'REASON'];
  const rows = report.decisions.map((d) =>
    [`${d.account.id}${d.isManagementAccount ? '*' : ''}`, d.account.name, ouPath(d), d.compliance, d.message].map(
      toVisible,
    ),
  );
  // A reduce, not Math.max(...rows): spreading 100,000 arguments overflows the call stack.
  const widths = header.map((title, i) =>
    rows.reduce((width, row) => Math.max(width, row[i]?.length ?? 0), title.length),
  );
  // Pad first, paint after, so that escape codes do not count towards the widths.
  const line = (cells: readonly string[], style: (cell: string, i: number) => string) =>
    cells
      .map((cell, i) => style(i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0), i))
      .join('  ')
      .trimEnd();
  const { RequiredLocks, AllowedOptInServices } = decisionParameters(parameters);
  return [
    `Organization ${report.organizationId}  RequiredLocks=${RequiredLocks}  AllowedOptInServices=${AllowedOptInServices || '(none)'}`,
    line(header, (cell) => paint(ANSI.bold, cell)),
    ...rows.map((row, r) => {
      const verdict = VERDICT_STYLE[report.decisions[r]?.compliance ?? 'NOT_APPLICABLE'];
      return line(row, (cell, i) => (i === 3 ? paint(verdict, cell) : cell));
    }),
    ...report.unreadablePolicies.map((p) =>
      toVisible(`Unreadable policy ${p.policyId} on ${p.targetId}: ${formatPolicyParseFailure(p.failure)}`),
    ),
    `${report.decisions.length} ${report.decisions.length === 1 ? 'account' : 'accounts'} (* management): ${COMPLIANCE_TYPES.map((type) => `${report.counts[type]} ${type}`).join(', ')}. Organization ${report.organizationId} is ${paint(VERDICT_STYLE[report.compliance], report.compliance)}.`,
  ].join('\n');
}
