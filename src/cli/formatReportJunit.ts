import { assertNever } from '../core/parseOptOutPolicy';
import { COMPLIANCE_TYPES } from '../core/reason';
import type { AccountJson, ReportJson } from './toReportJson';
import { toVisible } from './toVisible';

// What XML 1.0 forbids even as a character reference, once toVisible has escaped control characters and lone
// surrogates: U+FFFE and U+FFFF (XML 1.0, section 2.2, Char).
const NOT_XML_CHAR = /[\ufffe\uffff]/g;
const MARKUP: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Text as XML character data or an attribute value: invisibles as `\uXXXX` escapes, markup as entities. */
function xml(value: string | number): string {
  return toVisible(String(value))
    .replace(NOT_XML_CHAR, (c) => `\\u${c.charCodeAt(0).toString(16)}`)
    .replace(/[&<>"']/g, (c) => MARKUP[c] ?? c);
}

function attributes(values: Readonly<Record<string, string | number>>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${xml(value)}"`)
    .join('');
}

function testCase(organizationId: string, account: AccountJson): string {
  const open = `    <testcase${attributes({
    classname: `${organizationId}/${account.organizationalUnitPath}`,
    name: `${account.accountId} ${account.name}`,
  })}`;
  switch (account.complianceType) {
    case 'COMPLIANT':
      return `${open}/>`;
    case 'NOT_APPLICABLE':
      return `${open}>\n      <skipped${attributes({ message: account.message })}/>\n    </testcase>`;
    case 'NON_COMPLIANT':
      return `${open}>\n      <failure${attributes({ type: account.reason, message: account.message })}>${xml(account.message)}</failure>\n    </testcase>`;
    default:
      return assertNever(account.complianceType);
  }
}

/**
 * The report as JUnit XML, for CI test reports: one testsuite for the organization, one testcase per account listed
 * (classname the organization and OU path, name the account id and name) that fails when NON_COMPLIANT and is
 * skipped when NOT_APPLICABLE. The provenance, rule parameters and every account's count are the suite's properties.
 */
export function formatReportJunit(report: ReportJson): string {
  const counted = (type: string) => report.accounts.filter((account) => account.complianceType === type).length;
  const totals = {
    tests: report.accounts.length,
    failures: counted('NON_COMPLIANT'),
    errors: 0,
    skipped: counted('NOT_APPLICABLE'),
    timestamp: report.generatedAt,
  };
  const properties: Record<string, string | boolean | null> = {
    organizationId: report.organizationId,
    compliance: report.compliance,
    generatedAt: report.generatedAt,
    'tool.name': report.tool.name,
    'tool.version': report.tool.version,
    'source.kind': report.source.kind,
    'source.file': report.source.file,
    'source.capturedAt': report.source.capturedAt,
    'ruleParameters.RequiredLocks': report.ruleParameters.RequiredLocks,
    'ruleParameters.AllowedOptInServices': report.ruleParameters.AllowedOptInServices,
    onlyFailures: report.onlyFailures,
    ...Object.fromEntries(COMPLIANCE_TYPES.map((type) => [`summary.${type}`, String(report.summary[type])])),
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: report.tool.name, ...totals })}>`,
    `  <testsuite${attributes({ name: `AI services opt-out of ${report.organizationId}`, ...totals })}>`,
    '    <properties>',
    ...Object.entries(properties)
      .filter((entry): entry is [string, string | boolean] => entry[1] !== null)
      .map(([name, value]) => `      <property${attributes({ name, value: String(value) })}/>`),
    '    </properties>',
    ...report.accounts.map((account) => testCase(report.organizationId, account)),
    '  </testsuite>',
    '</testsuites>',
  ].join('\n');
}
