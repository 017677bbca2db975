import { stringify } from 'csv-stringify/sync';
import type { AccountJson, ReportJson } from './toReportJson';
import { toVisible } from './toVisible';

/** The CSV columns in order, each with its value: the account first, then the provenance, repeated on every row. */
const COLUMNS: Readonly<Record<string, (report: ReportJson, account: AccountJson) => string | boolean | null>> = {
  organizationId: (report) => report.organizationId,
  accountId: (_, account) => account.accountId,
  name: (_, account) => account.name,
  state: (_, account) => account.state,
  managementAccount: (_, account) => account.managementAccount,
  organizationalUnitPath: (_, account) => account.organizationalUnitPath,
  complianceType: (_, account) => account.complianceType,
  reason: (_, account) => account.reason,
  message: (_, account) => account.message,
  generatedAt: (report) => report.generatedAt,
  toolName: (report) => report.tool.name,
  toolVersion: (report) => report.tool.version,
  sourceKind: (report) => report.source.kind,
  sourceFile: (report) => report.source.file,
  sourceCapturedAt: (report) => report.source.capturedAt,
  RequiredLocks: (report) => report.ruleParameters.RequiredLocks,
  AllowedOptInServices: (report) => report.ruleParameters.AllowedOptInServices,
};

// A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection); a leading ' makes it
// text. Tab and carriage return, which OWASP lists too, never start a cell here: toVisible escapes them.
const FORMULA_START = /^[=+\-@]/;

function cell(value: string | boolean | null): string {
  if (value === null) return '';
  const text = toVisible(String(value));
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * The report as CSV (RFC 4180 quoting, `\n` line ends, no byte order mark): a header row of the column names, then one row
 * per account listed. Each row repeats the provenance, so that rows keep it when filtered or concatenated; null is an
 * empty cell. Invisible characters are `\uXXXX` escapes, and a cell that starts with =, +, - or @ gets a leading '.
 */
export function formatReportCsv(report: ReportJson): string {
  const values = Object.values(COLUMNS);
  const rows = report.accounts.map((account) => values.map((value) => cell(value(report, account))));
  return stringify([Object.keys(COLUMNS), ...rows], { eof: false });
}
