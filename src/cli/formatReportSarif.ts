import { createHash } from 'node:crypto';
import { isAbsolute, posix } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REASON_COMPLIANCE, type Reason } from '../core/reason';
import { REASON_HELP } from '../core/reasonHelp';
import type { AccountJson, ReportJson } from './toReportJson';
import { toVisibleJson } from './toVisible';

/** The SARIF schema a log names, as GitHub's code scanning documentation gives it. */
export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** What the tool checks, for people who meet its results in a SARIF viewer. */
const INFORMATION_URI =
  'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_ai-opt-out.html';

/** The kinds of reason that make an account NON_COMPLIANT: one SARIF rule each, with the kind as its id. */
const RULE_KINDS = Object.entries(REASON_COMPLIANCE)
  .filter(([, compliance]) => compliance === 'NON_COMPLIANT')
  .map(([kind]) => kind as Reason['kind']);

function rule(kind: Reason['kind']) {
  const { title, meaning, fix } = REASON_HELP[kind];
  return {
    id: kind,
    name: kind,
    shortDescription: { text: title },
    fullDescription: { text: meaning },
    help: { text: `${meaning} Fix: ${fix}`, markdown: `${meaning}\n\n**Fix:** ${fix}` },
    defaultConfiguration: { level: 'error' },
    properties: { tags: ['compliance', 'aws-organizations', 'ai-opt-out'], precision: 'very-high' },
  };
}

/**
 * The artifact every result points at. GitHub shows a result only with a file location, and matches results across
 * runs by rule, file and partialFingerprints: the snapshot file read or saved (a relative path stays relative, as
 * GitHub wants paths from the repository root), else the organization id, which names no file but stays the same.
 */
function artifactUri(report: ReportJson): string {
  const file = report.source.file;
  if (file === null) return encodeURIComponent(report.organizationId);
  if (isAbsolute(file)) return pathToFileURL(file).href;
  return posix.normalize(file).split('/').map(encodeURIComponent).join('/');
}

function result(report: ReportJson, account: AccountJson, uri: string) {
  const organizationalUnitIds = account.organizationalUnits.map((ou) => ou.id);
  return {
    ruleId: account.reason,
    ruleIndex: RULE_KINDS.indexOf(account.reason),
    level: 'error',
    message: { text: `${account.accountId} (${account.name}): ${account.message}` },
    locations: [
      {
        // The whole snapshot is the evidence; its first character stands for it (GitHub requires a region).
        physicalLocation: {
          artifactLocation: { uri },
          region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 },
        },
        logicalLocations: [
          {
            name: account.accountId,
            fullyQualifiedName: [report.organizationId, ...organizationalUnitIds, account.accountId].join('/'),
            kind: 'resource',
          },
        ],
      },
    ],
    // GitHub tells results at one location apart by this hash alone; one per account keeps each account's alert.
    partialFingerprints: {
      primaryLocationLineHash: `${createHash('sha256').update(account.accountId).digest('hex').slice(0, 16)}:1`,
    },
    properties: {
      accountId: account.accountId,
      accountName: account.name,
      organizationalUnitPath: account.organizationalUnitPath,
      managementAccount: account.managementAccount,
    },
  };
}

/**
 * The report as a SARIF 2.1.0 log for GitHub code scanning: one run, one rule per kind of reason that makes an
 * account NON_COMPLIANT (help text with the fix), one error result per NON_COMPLIANT account. The provenance, rule
 * parameters and counts are the run's properties; automationDetails names the organization, so that the results of
 * several organizations uploaded to one repository do not replace each other.
 */
export function formatReportSarif(report: ReportJson): string {
  const uri = artifactUri(report);
  return toVisibleJson({
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            informationUri: INFORMATION_URI,
            rules: RULE_KINDS.map(rule),
          },
        },
        automationDetails: { id: `${report.tool.name}/${report.organizationId}/` },
        invocations: [{ executionSuccessful: true, endTimeUtc: report.generatedAt }],
        results: report.accounts
          .filter((account) => account.complianceType === 'NON_COMPLIANT')
          .map((account) => result(report, account, uri)),
        properties: {
          organizationId: report.organizationId,
          compliance: report.compliance,
          generatedAt: report.generatedAt,
          source: report.source,
          ruleParameters: report.ruleParameters,
          onlyFailures: report.onlyFailures,
          summary: report.summary,
        },
      },
    ],
  });
}
