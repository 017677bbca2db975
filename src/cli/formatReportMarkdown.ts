import { formatAccountCount, formatCounts, formatProvenance } from './formatReport';
import type { ReportJson } from './toReportJson';
import { toVisible } from './toVisible';

// CommonMark lets a backslash escape any ASCII punctuation, which then shows as itself: no emphasis, link, HTML tag,
// code span, math or table cell border (GitHub's tables split cells on | even inside code spans).
const PUNCTUATION = /[!-/:-@[-`{-~]/g;

/** Text from a file or from AWS as Markdown that shows exactly it, on one line: escapes for invisibles and punctuation. */
function text(value: string): string {
  // toVisible first: it turns line breaks, which would end a table row, into \u000a escapes.
  return toVisible(value).replace(PUNCTUATION, '\\$&');
}

/**
 * The report as GitHub-flavoured Markdown, for a pull request comment or a job summary: a heading with the verdict,
 * the provenance and rule parameters, a table of the accounts listed, unreadable policies and the counts. Every text
 * from the snapshot or AWS is escaped, so that no name can add a cell, a line, a link or HTML.
 */
export function formatReportMarkdown(report: ReportJson): string {
  const { RequiredLocks, AllowedOptInServices } = report.ruleParameters;
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    `# AI services opt-out: organization ${text(report.organizationId)} is ${text(report.compliance)}`,
    '',
    `${text(formatProvenance(report))}\\.`,
    `Rule parameters: RequiredLocks ${text(RequiredLocks)}, AllowedOptInServices ${text(AllowedOptInServices || '(none)')}\\.`,
    '',
    row(['Account', 'Name', 'OU path', 'Verdict', 'Reason']),
    row(['---', '---', '---', '---', '---']),
    ...report.accounts.map((a) =>
      row([
        `${text(a.accountId)}${a.managementAccount ? ' (management)' : ''}`,
        text(a.name),
        text(a.organizationalUnitPath),
        text(a.complianceType),
        text(a.message),
      ]),
    ),
    ...(report.unreadablePolicies.length === 0
      ? []
      : [
          '',
          'Unreadable policies:',
          '',
          ...report.unreadablePolicies.map((p) => `- ${text(`${p.policyId} on ${p.targetId}: ${p.problem}`)}`),
        ]),
    '',
    `${text(`${formatAccountCount(report)}${report.onlyFailures ? ', NON_COMPLIANT ones listed' : ''}: ${formatCounts(report)}.`)}`,
  ].join('\n');
}
