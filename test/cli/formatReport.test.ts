import { formatProvenance } from '../../src/cli/formatReport';
import type { ReportSource } from '../../src/cli/toReportJson';
import { hostileSnapshot, reportOf } from '../support/reportBuilder';

describe('formatProvenance', () => {
  it.each<[ReportSource, string]>([
    [
      { kind: 'snapshot', file: 'org.json', capturedAt: '2026-11-22T08:00:00Z' },
      'snapshot org.json of 2026-11-22T08:00:00Z',
    ],
    [{ kind: 'snapshot', file: 'org.json', capturedAt: null }, 'snapshot org.json'],
    [
      { kind: 'live', file: 'evidence.json', capturedAt: '2026-11-30T09:14:00.000Z' },
      'a live read of 2026-11-30T09:14:00.000Z, saved to evidence.json',
    ],
    [{ kind: 'live', file: null, capturedAt: '2026-11-30T09:14:00.000Z' }, 'a live read of 2026-11-30T09:14:00.000Z'],
  ])('says when, by what and from %j', (source, from) => {
    expect(formatProvenance(reportOf(hostileSnapshot(), { source }))).toBe(
      `Made 2026-11-30T09:15:00.000Z by ai-opt-out-audit 1.2.3 from ${from}`,
    );
  });
});
