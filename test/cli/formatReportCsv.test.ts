import { formatReportCsv } from '../../src/cli/formatReportCsv';
import { toVisible } from '../../src/cli/toVisible';
import { FORMULA_NAME, HOSTILE_NAME, hostileSnapshot, reportOf } from '../support/reportBuilder';
import { parseCsv } from '../support/reportFormats';

const HEADER = [
  'organizationId',
  'accountId',
  'name',
  'state',
  'managementAccount',
  'organizationalUnitPath',
  'complianceType',
  'reason',
  'message',
  'generatedAt',
  'toolName',
  'toolVersion',
  'sourceKind',
  'sourceFile',
  'sourceCapturedAt',
  'RequiredLocks',
  'AllowedOptInServices',
];

function records(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  expect(header).toEqual(HEADER);
  return rows.map((row) => Object.fromEntries(HEADER.map((column, i) => [column, row[i] ?? ''])));
}

describe('formatReportCsv', () => {
  it('writes a header and one row per account, each with the provenance and rule parameters', () => {
    const rows = records(formatReportCsv(reportOf(hostileSnapshot())));
    expect(rows.map((row) => [row.accountId, row.complianceType, row.reason])).toEqual([
      ['111111111111', 'COMPLIANT', 'compliant'],
      ['222222222222', 'NON_COMPLIANT', 'invalidEffectivePolicy'],
      ['333333333333', 'NOT_APPLICABLE', 'notActive'],
      ['444444444444', 'COMPLIANT', 'compliant'],
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({
        organizationId: 'o-exampleorgid',
        generatedAt: '2026-11-30T09:15:00.000Z',
        toolName: 'ai-opt-out-audit',
        toolVersion: '1.2.3',
        sourceKind: 'snapshot',
        sourceFile: 'snapshots/org.json',
        sourceCapturedAt: '2026-11-22T08:00:00Z',
        RequiredLocks: 'services,default,opt_out_policy',
        AllowedOptInServices: '',
      });
    }
    expect(rows[0]?.managementAccount).toBe('true');
    expect(rows[1]?.managementAccount).toBe('false');
  });

  it('leaves a cell empty for what is not known: the file and capture time of a live read not saved', () => {
    const report = reportOf(hostileSnapshot(), {
      source: { kind: 'live', file: null, capturedAt: '2026-11-30T09:14:00.000Z' },
    });
    expect(records(formatReportCsv(report))[0]).toMatchObject({
      sourceKind: 'live',
      sourceFile: '',
      sourceCapturedAt: '2026-11-30T09:14:00.000Z',
    });
  });

  it('quotes commas, quotes and what used to be line breaks, so that a CSV reader gets the names back', () => {
    const text = formatReportCsv(reportOf(hostileSnapshot()));
    const rows = records(text);
    // Invisible characters, line breaks included, are \uXXXX escapes as in every format but JSON and SARIF.
    expect(rows[1]?.name).toBe(toVisible(HOSTILE_NAME));
    expect(rows[1]?.organizationalUnitPath).toBe(`Root/OU ${toVisible(HOSTILE_NAME)}`);
    expect(text.split('\n')).toHaveLength(5);
    expect(text).toContain(
      `,"a,b ""c"" | d\\u000ae <f>&amp; 'g' \\h *i* \`j\` [k](l) $m$ \\u001b[2J\\u202e\\u0000 😀𝄞 \ufffe \\ud800",`,
    );
  });

  it('makes a cell that a spreadsheet would run as a formula text, with a leading quote', () => {
    const rows = records(formatReportCsv(reportOf(hostileSnapshot())));
    expect(rows[3]?.name).toBe(`'${FORMULA_NAME}`);
    expect(rows[2]?.name).toBe(`'-${toVisible(HOSTILE_NAME)}`);
    for (const start of ['+', '@']) {
      const snapshot = hostileSnapshot();
      const renamed = { ...snapshot, accounts: snapshot.accounts.map((a) => ({ ...a, name: `${start}SUM(A1)` })) };
      expect(records(formatReportCsv(reportOf(renamed)))[0]?.name).toBe(`'${start}SUM(A1)`);
    }
  });

  it('writes the header alone when no account is listed', () => {
    const snapshot = hostileSnapshot();
    const compliant = { ...snapshot, accountsWithInvalidEffectivePolicy: [] };
    expect(formatReportCsv(reportOf(compliant, { onlyFailures: true }))).toBe(HEADER.join(','));
  });
});
