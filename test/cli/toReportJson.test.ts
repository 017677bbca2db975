import { HOSTILE_OU_ID, hostileSnapshot, reportOf, SNAPSHOT_SOURCE } from '../support/reportBuilder';
import { validateReport } from '../support/reportFormats';

describe('toReportJson', () => {
  it('lists every account with its verdict, reason and OU path, and says who made it, when and from what', () => {
    const report = reportOf(hostileSnapshot());
    expect(validateReport(report) ? [] : validateReport.errors).toEqual([]);
    expect(report).toMatchObject({
      generatedAt: '2026-11-30T09:15:00.000Z',
      tool: { name: 'ai-opt-out-audit', version: '1.2.3' },
      source: SNAPSHOT_SOURCE,
      ruleParameters: { RequiredLocks: 'services,default,opt_out_policy', AllowedOptInServices: '' },
      onlyFailures: false,
      summary: { COMPLIANT: 2, NON_COMPLIANT: 1, NOT_APPLICABLE: 1 },
    });
    expect(report.accounts.map((a) => [a.accountId, a.complianceType, a.reason])).toEqual([
      ['111111111111', 'COMPLIANT', 'compliant'],
      ['222222222222', 'NON_COMPLIANT', 'invalidEffectivePolicy'],
      ['333333333333', 'NOT_APPLICABLE', 'notActive'],
      ['444444444444', 'COMPLIANT', 'compliant'],
    ]);
    expect(report.evaluations.map((e) => e.accountId)).toEqual(report.accounts.map((a) => a.accountId));
  });

  it('lists only the NON_COMPLIANT accounts with onlyFailures, and still counts them all', () => {
    const report = reportOf(hostileSnapshot(), { onlyFailures: true });
    expect(validateReport(report) ? [] : validateReport.errors).toEqual([]);
    expect(report.onlyFailures).toBe(true);
    expect(report.accounts.map((a) => a.accountId)).toEqual(['222222222222']);
    expect(report.evaluations.map((e) => e.accountId)).toEqual(['222222222222']);
    expect(report.summary).toEqual({ COMPLIANT: 2, NON_COMPLIANT: 1, NOT_APPLICABLE: 1 });
  });

  it('writes the OU path with names, and with ids where the snapshot has no names', () => {
    const snapshot = hostileSnapshot();
    const nameless = {
      ...snapshot,
      organizationalUnits: snapshot.organizationalUnits.map(({ id, parentId }) => ({ id, parentId })),
    };
    expect(reportOf(snapshot).accounts[1]?.organizationalUnitPath).toBe(
      `Root/${snapshot.organizationalUnits[0]?.name}`,
    );
    expect(reportOf(nameless).accounts[1]).toMatchObject({
      organizationalUnits: [{ id: HOSTILE_OU_ID }],
      organizationalUnitPath: `Root/${HOSTILE_OU_ID}`,
    });
  });
});
