import { COMPLIANCE_TYPES, type ComplianceType } from '../core/reason';
import type { ReportJson, ReportSource } from './toReportJson';
import { toVisible, toVisibleJson } from './toVisible';

/** The report as indented JSON text (see toReportJson); invisible characters are `\uXXXX` escapes of the same text. */
export function formatReportJson(report: ReportJson): string {
  return toVisibleJson(report);
}

function formatSource(source: ReportSource): string {
  if (source.kind === 'live') {
    return `a live read of ${source.capturedAt}${source.file === null ? '' : `, saved to ${source.file}`}`;
  }
  return `snapshot ${source.file}${source.capturedAt === null ? '' : ` of ${source.capturedAt}`}`;
}

/** `Made <when> by <tool> <version> from snapshot <file> of <capturedAt>`: the provenance in one line, for people. */
export function formatProvenance(report: ReportJson): string {
  return `Made ${report.generatedAt} by ${report.tool.name} ${report.tool.version} from ${formatSource(report.source)}`;
}

/** `3 accounts`: how many the report counts, whatever it lists. */
export function formatAccountCount(report: ReportJson): string {
  const total = COMPLIANCE_TYPES.reduce((sum, type) => sum + report.summary[type], 0);
  return `${total} ${total === 1 ? 'account' : 'accounts'}`;
}

/** `2 COMPLIANT, 1 NON_COMPLIANT, 0 NOT_APPLICABLE`: the verdicts of every account, whatever the report lists. */
export function formatCounts(report: ReportJson): string {
  return COMPLIANCE_TYPES.map((type) => `${report.summary[type]} ${type}`).join(', ');
}

const ANSI = { green: '\u001b[32m', red: '\u001b[31m', dim: '\u001b[2m', bold: '\u001b[1m', reset: '\u001b[0m' };
const VERDICT_STYLE: Readonly<Record<ComplianceType, string>> = {
  COMPLIANT: ANSI.green,
  NON_COMPLIANT: ANSI.red,
  NOT_APPLICABLE: ANSI.dim,
};

/**
 * The report as a table for people: the organization, rule parameters and provenance, one row per account listed
 * (id, name, OU path, verdict, reason), then unreadable policies and a summary line; invisible characters of names
 * and policies show as escapes. With `color`, verdicts are coloured with ANSI escapes.
 */
export function formatReportTable(report: ReportJson, color: boolean): string {
  const paint = (style: string, text: string) => (color ? `${style}${text}${ANSI.reset}` : text);
  const header = ['ACCOUNT', 'NAME', 'OU PATH', 'VERDICT', 'REASON'];
  const rows = report.accounts.map((a) =>
    [
      `${a.accountId}${a.managementAccount ? '*' : ''}`,
      a.name,
      a.organizationalUnitPath,
      a.complianceType,
      a.message,
    ].map(toVisible),
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
  const { RequiredLocks, AllowedOptInServices } = report.ruleParameters;
  const listed = report.onlyFailures ? ', NON_COMPLIANT ones listed' : '';
  return [
    `Organization ${report.organizationId}  RequiredLocks=${RequiredLocks}  AllowedOptInServices=${AllowedOptInServices || '(none)'}`,
    toVisible(formatProvenance(report)),
    line(header, (cell) => paint(ANSI.bold, cell)),
    ...rows.map((row, r) => {
      const verdict = VERDICT_STYLE[report.accounts[r]?.complianceType ?? 'NOT_APPLICABLE'];
      return line(row, (cell, i) => (i === 3 ? paint(verdict, cell) : cell));
    }),
    ...report.unreadablePolicies.map((p) =>
      toVisible(`Unreadable policy ${p.policyId} on ${p.targetId}: ${p.problem}`),
    ),
    `${formatAccountCount(report)} (* management)${listed}: ${formatCounts(report)}. Organization ${report.organizationId} is ${paint(VERDICT_STYLE[report.compliance], report.compliance)}.`,
  ].join('\n');
}
