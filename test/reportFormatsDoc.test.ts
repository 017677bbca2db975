import { readFileSync } from 'node:fs';
import reportSchema from '../schemas/report.schema.json';
import { formatReportCsv } from '../src/cli/formatReportCsv';
import { REASON_COMPLIANCE } from '../src/core/reason';
import { REASON_HELP } from '../src/core/reasonHelp';
import { hostileSnapshot, reportOf } from './support/reportBuilder';

const doc = readFileSync('docs/report-formats.md', 'utf8');

describe('docs/report-formats.md', () => {
  const verdicts = new Map(Object.entries(REASON_COMPLIANCE));

  it.each(Object.entries(REASON_HELP))('documents the reason %s with its verdict, meaning and fix', (kind, help) => {
    const verdict = verdicts.get(kind);
    expect(doc.split('\n')).toContain(`| \`${kind}\` | ${verdict} | ${help.meaning} | ${help.fix} |`);
  });

  it('documents every field of the JSON report and of its accounts', () => {
    const fields = [
      ...Object.keys(reportSchema.properties),
      ...Object.keys(reportSchema.properties.accounts.items.properties),
    ];
    for (const field of fields) expect(doc).toContain(`\`${field}\``);
  });

  it('shows the CSV header as the CSV report writes it', () => {
    const [header] = formatReportCsv(reportOf(hostileSnapshot())).split('\n');
    expect(doc.split('\n')).toContain(header);
  });
});
