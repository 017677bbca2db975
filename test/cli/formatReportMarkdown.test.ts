import MarkdownIt from 'markdown-it';
import { formatReportMarkdown } from '../../src/cli/formatReportMarkdown';
import { toVisible } from '../../src/cli/toVisible';
import { HOSTILE_NAME, hostileSnapshot, reportOf } from '../support/reportBuilder';
import { markdownTableRows } from '../support/reportFormats';

/** The table as a CommonMark and GFM-tables parser reads it: each row's cells as the text they show, and every kind of token. */
function renderedTable(text: string): { rows: string[][]; kinds: Set<string> } {
  const tokens = new MarkdownIt('commonmark').enable('table').enable('strikethrough').parse(text, {});
  const rows: string[][] = [];
  const kinds = new Set<string>();
  for (const token of tokens) {
    kinds.add(token.type);
    if (token.type === 'tr_open') rows.push([]);
    if (token.type !== 'inline') continue;
    for (const child of token.children ?? []) kinds.add(child.type);
    const text = (token.children ?? []).map((child) => child.content).join('');
    if (rows.length > 0 && tokens[tokens.indexOf(token) - 1]?.type.match(/^t[hd]_open$/)) rows.at(-1)?.push(text);
  }
  return { rows, kinds };
}

describe('formatReportMarkdown', () => {
  it('heads the report with the verdict, the provenance and the rule parameters', () => {
    const lines = formatReportMarkdown(reportOf(hostileSnapshot())).split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '# AI services opt-out: organization o\\-exampleorgid is NON\\_COMPLIANT',
      '',
      'Made 2026\\-11\\-30T09\\:15\\:00\\.000Z by ai\\-opt\\-out\\-audit 1\\.2\\.3 from snapshot snapshots\\/org\\.json of 2026\\-11\\-22T08\\:00\\:00Z\\.',
      'Rule parameters: RequiredLocks services\\,default\\,opt\\_out\\_policy, AllowedOptInServices \\(none\\)\\.',
    ]);
    expect(lines.at(-1)).toBe('4 accounts\\: 2 COMPLIANT\\, 1 NON\\_COMPLIANT\\, 1 NOT\\_APPLICABLE\\.');
  });

  it('shows names exactly, as escapes for invisibles, and adds no cell, row, link, emphasis or HTML', () => {
    const text = formatReportMarkdown(reportOf(hostileSnapshot()));
    for (const raw of ['\u0000', '\u001b', '\u202e']) expect(text).not.toContain(raw);
    const { rows, kinds } = renderedTable(text);
    expect(rows).toHaveLength(1 + 4);
    for (const row of rows) expect(row).toHaveLength(5);
    expect(rows[2]?.slice(0, 3)).toEqual([
      '222222222222',
      toVisible(HOSTILE_NAME),
      `Root/OU ${toVisible(HOSTILE_NAME)}`,
    ]);
    expect(rows[4]?.[1]).toBe('=HYPERLINK("https://example.com","x")');
    for (const kind of ['link_open', 'html_inline', 'html_block', 'em_open', 'strong_open', 'code_inline', 's_open']) {
      expect(kinds).not.toContain(kind);
    }
  });

  it('marks the management account, and says when only NON_COMPLIANT accounts are listed', () => {
    const all = markdownTableRows(formatReportMarkdown(reportOf(hostileSnapshot())));
    expect(all[2]?.[0]?.trim()).toBe('111111111111 (management)');
    const failures = formatReportMarkdown(reportOf(hostileSnapshot(), { onlyFailures: true }));
    expect(markdownTableRows(failures)).toHaveLength(2 + 1);
    expect(failures.split('\n').at(-1)).toBe(
      '4 accounts\\, NON\\_COMPLIANT ones listed\\: 2 COMPLIANT\\, 1 NON\\_COMPLIANT\\, 1 NOT\\_APPLICABLE\\.',
    );
  });

  it('lists unreadable policies after the table', () => {
    const snapshot = hostileSnapshot();
    const broken = { ...snapshot, policies: snapshot.policies.map((p) => ({ ...p, content: '{"services": 1}' })) };
    const text = formatReportMarkdown(reportOf(broken));
    expect(text).toContain('\n\nUnreadable policies:\n\n- p\\-fulllock01 on r\\-exam\\: ');
  });
});
