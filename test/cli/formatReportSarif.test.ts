import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatReportSarif, SARIF_SCHEMA_URI } from '../../src/cli/formatReportSarif';
import type { ReportSource } from '../../src/cli/toReportJson';
import { parseOrgSnapshot } from '../../src/core/parseOrgSnapshot';
import { REASON_COMPLIANCE } from '../../src/core/reason';
import { REASON_HELP } from '../../src/core/reasonHelp';
import { HOSTILE_NAME, hostileSnapshot, reportOf } from '../support/reportBuilder';
import { githubCodeScanningProblems, validateSarif } from '../support/reportFormats';

const EXAMPLES = 'events/organizations';

function sarif(...args: Parameters<typeof reportOf>) {
  const log = JSON.parse(formatReportSarif(reportOf(...args)));
  expect(validateSarif(log) ? [] : validateSarif.errors).toEqual([]);
  expect(githubCodeScanningProblems(log)).toEqual([]);
  return log;
}

function example(name: string) {
  const snapshot = parseOrgSnapshot(JSON.parse(readFileSync(join(EXAMPLES, name), 'utf8')));
  if (!snapshot.ok) throw new Error(`${name}: ${snapshot.error.message}`);
  return snapshot.value;
}

describe('formatReportSarif', () => {
  it.each(readdirSync(EXAMPLES).filter((name) => name.endsWith('.json')))(
    'writes a SARIF 2.1.0 log that the schema and GitHub code scanning accept for %s',
    (name) => {
      const log = sarif(example(name), { source: { kind: 'snapshot', file: join(EXAMPLES, name), capturedAt: null } });
      expect(log).toMatchObject({ $schema: SARIF_SCHEMA_URI, version: '2.1.0' });
    },
  );

  it('names the tool and its version, and keeps the provenance and counts in the run', () => {
    const [run] = sarif(hostileSnapshot()).runs;
    expect(run.tool.driver).toMatchObject({ name: 'ai-opt-out-audit', version: '1.2.3' });
    expect(run.tool.driver.informationUri).toMatch(/^https:\/\//);
    expect(run.invocations).toEqual([{ executionSuccessful: true, endTimeUtc: '2026-11-30T09:15:00.000Z' }]);
    expect(run.automationDetails).toEqual({ id: 'ai-opt-out-audit/o-exampleorgid/' });
    expect(run.properties).toEqual({
      organizationId: 'o-exampleorgid',
      compliance: 'NON_COMPLIANT',
      generatedAt: '2026-11-30T09:15:00.000Z',
      source: { kind: 'snapshot', file: 'snapshots/org.json', capturedAt: '2026-11-22T08:00:00Z' },
      ruleParameters: { RequiredLocks: 'services,default,opt_out_policy', AllowedOptInServices: '' },
      onlyFailures: false,
      summary: { COMPLIANT: 2, NON_COMPLIANT: 1, NOT_APPLICABLE: 1 },
    });
  });

  it('has one error rule per kind of reason that makes an account NON_COMPLIANT, with the fix in its help', () => {
    const [run] = sarif(hostileSnapshot()).runs;
    const failing = Object.entries(REASON_COMPLIANCE)
      .filter(([, compliance]) => compliance === 'NON_COMPLIANT')
      .map(([kind]) => kind);
    expect(run.tool.driver.rules.map((rule: { id: string }) => rule.id)).toEqual(failing);
    const [rule] = run.tool.driver.rules;
    const help = REASON_HELP.featureSetNotAll;
    expect(rule).toMatchObject({
      id: 'featureSetNotAll',
      shortDescription: { text: help.title },
      fullDescription: { text: help.meaning },
      help: { text: `${help.meaning} Fix: ${help.fix}`, markdown: `${help.meaning}\n\n**Fix:** ${help.fix}` },
      defaultConfiguration: { level: 'error' },
    });
  });

  it('reports each NON_COMPLIANT account once, at the snapshot file, with the account as a logical location', () => {
    const [run] = sarif(hostileSnapshot()).runs;
    expect(run.results).toHaveLength(1);
    const [result] = run.results;
    expect(result).toMatchObject({
      ruleId: 'invalidEffectivePolicy',
      level: 'error',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'snapshots/org.json' },
            region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 },
          },
          logicalLocations: [
            {
              name: '222222222222',
              fullyQualifiedName: 'o-exampleorgid/ou-exam-11111111/222222222222',
              kind: 'resource',
            },
          ],
        },
      ],
      properties: { accountId: '222222222222', accountName: HOSTILE_NAME, managementAccount: false },
    });
    expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
    // The name is the same string in JSON; the log's text shows its invisible characters as escapes.
    expect(result.message.text).toMatch(/^222222222222 \(a,b "c" \| d\ne /);
  });

  it('gives each account its own fingerprint, the same on every run', () => {
    const snapshot = example('02-seed-000-no-services-lock.json');
    const fingerprints = (log: { runs: { results: { partialFingerprints: object }[] }[] }) =>
      log.runs[0]?.results.map((result) => result.partialFingerprints) ?? [];
    const first = fingerprints(sarif(snapshot));
    expect(new Set(first.map((f) => JSON.stringify(f))).size).toBe(3);
    expect(fingerprints(sarif(snapshot))).toEqual(first);
  });

  it.each<[string, ReportSource, string]>([
    [
      'a relative snapshot path',
      { kind: 'snapshot', file: './snapshots/org 1.json', capturedAt: null },
      'snapshots/org%201.json',
    ],
    [
      'an absolute snapshot path',
      { kind: 'snapshot', file: '/srv/audit/org#1.json', capturedAt: null },
      'file:///srv/audit/org%231.json',
    ],
    [
      'a live read saved to a file',
      { kind: 'live', file: 'evidence/org.json', capturedAt: '2026-11-30T09:14:00.000Z' },
      'evidence/org.json',
    ],
    ['a live read not saved', { kind: 'live', file: null, capturedAt: '2026-11-30T09:14:00.000Z' }, 'o-exampleorgid'],
  ])('points the results of %s at a URI GitHub can keep track of', (_name, source, uri) => {
    const [run] = sarif(hostileSnapshot(), { source }).runs;
    expect(run.results[0].locations[0].physicalLocation.artifactLocation.uri).toBe(uri);
  });

  it('has no result, and still every rule, when every account is COMPLIANT', () => {
    const [run] = sarif(example('01-locked-compliant.json')).runs;
    expect(run.results).toEqual([]);
    expect(run.tool.driver.rules.length).toBeGreaterThan(0);
  });
});
