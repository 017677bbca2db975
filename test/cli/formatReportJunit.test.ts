import { SaxesParser } from 'saxes';
import { formatReportJunit } from '../../src/cli/formatReportJunit';
import { toVisible } from '../../src/cli/toVisible';
import { HOSTILE_NAME, hostileSnapshot, reportOf } from '../support/reportBuilder';

/** HOSTILE_NAME as JUnit shows it: as in the table, and U+FFFE, which XML forbids, as an escape too. */
const XML_NAME = toVisible(HOSTILE_NAME).replace('\ufffe', '\\ufffe');

interface Element {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: Element[];
  text: string;
}

/** The document as a tree, read by a strict XML 1.0 parser, which throws on anything not well-formed. */
function parse(text: string): Element {
  const parser = new SaxesParser();
  const root: Element = { name: '', attributes: {}, children: [], text: '' };
  const open: Element[] = [root];
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('opentag', (tag) => {
    const element: Element = { name: tag.name, attributes: { ...tag.attributes }, children: [], text: '' };
    open.at(-1)?.children.push(element);
    open.push(element);
  });
  parser.on('text', (chars) => {
    const element = open.at(-1);
    if (element !== undefined) element.text += chars;
  });
  parser.on('closetag', () => open.pop());
  parser.write(text).close();
  const [document] = root.children;
  if (document === undefined) throw new Error('no root element');
  return document;
}

function children(element: Element | undefined, name: string): Element[] {
  return element?.children.filter((child) => child.name === name) ?? [];
}

describe('formatReportJunit', () => {
  it('writes one testsuite with one testcase per account: failed when NON_COMPLIANT, skipped when NOT_APPLICABLE', () => {
    const suites = parse(formatReportJunit(reportOf(hostileSnapshot())));
    expect(suites.name).toBe('testsuites');
    const [suite, ...others] = children(suites, 'testsuite');
    expect(others).toEqual([]);
    expect(suite?.attributes).toMatchObject({
      name: 'AI services opt-out of o-exampleorgid',
      tests: '4',
      failures: '1',
      errors: '0',
      skipped: '1',
      timestamp: '2026-11-30T09:15:00.000Z',
    });
    const cases = children(suite, 'testcase');
    expect(cases.map((c) => [c.attributes.name?.slice(0, 12), c.children.map((child) => child.name)])).toEqual([
      ['111111111111', []],
      ['222222222222', ['failure']],
      ['333333333333', ['skipped']],
      ['444444444444', []],
    ]);
    const [failure] = children(cases[1], 'failure');
    expect(failure?.attributes.type).toBe('invalidEffectivePolicy');
    expect(failure?.attributes.message).toMatch(/^Unknown: AWS reports the effective AI opt-out policy of account/);
    expect(failure?.text).toBe(failure?.attributes.message);
    expect(children(cases[2], 'skipped')[0]?.attributes.message).toBe('Account is SUSPENDED, so it is not evaluated.');
  });

  it('names each testcase by account id and name, in a class of the organization and OU path', () => {
    const cases = children(children(parse(formatReportJunit(reportOf(hostileSnapshot()))), 'testsuite')[0], 'testcase');
    expect(cases[0]?.attributes).toEqual({ classname: 'o-exampleorgid/Root', name: '111111111111 management' });
    expect(cases[1]?.attributes).toEqual({
      classname: `o-exampleorgid/Root/OU ${XML_NAME}`,
      name: `222222222222 ${XML_NAME}`,
    });
  });

  it('escapes quotes, <, & and control characters, and keeps characters beyond the BMP', () => {
    const text = formatReportJunit(reportOf(hostileSnapshot()));
    // U+FFFE and a lone surrogate cannot be in XML at all; control characters not even as &#x1b;.
    for (const raw of ['\u0000', '\u001b', '\ufffe', '\ud800']) expect(text).not.toContain(raw);
    expect(text).toContain('😀𝄞');
    const name = children(children(parse(text), 'testsuite')[0], 'testcase')[1]?.attributes.name;
    expect(name).toBe(
      '222222222222 a,b "c" | d\\u000ae <f>&amp; \'g\' \\h *i* `j` [k](l) $m$ \\u001b[2J\\u202e\\u0000 😀𝄞 \\ufffe \\ud800',
    );
  });

  it('holds the provenance, rule parameters and every account count as properties, also with only failures listed', () => {
    const report = reportOf(hostileSnapshot(), {
      onlyFailures: true,
      source: { kind: 'live', file: null, capturedAt: '2026-11-30T09:14:00.000Z' },
    });
    const suite = children(parse(formatReportJunit(report)), 'testsuite')[0];
    const properties = Object.fromEntries(
      children(children(suite, 'properties')[0], 'property').map((p) => [p.attributes.name, p.attributes.value]),
    );
    expect(properties).toEqual({
      organizationId: 'o-exampleorgid',
      compliance: 'NON_COMPLIANT',
      generatedAt: '2026-11-30T09:15:00.000Z',
      'tool.name': 'ai-opt-out-audit',
      'tool.version': '1.2.3',
      'source.kind': 'live',
      'source.capturedAt': '2026-11-30T09:14:00.000Z',
      'ruleParameters.RequiredLocks': 'services,default,opt_out_policy',
      'ruleParameters.AllowedOptInServices': '',
      onlyFailures: 'true',
      'summary.COMPLIANT': '2',
      'summary.NON_COMPLIANT': '1',
      'summary.NOT_APPLICABLE': '1',
    });
    expect(suite?.attributes).toMatchObject({ tests: '1', failures: '1', skipped: '0' });
    expect(children(suite, 'testcase').map((c) => c.attributes.classname)).toEqual([
      `o-exampleorgid/Root/OU ${XML_NAME}`,
    ]);
  });
});
