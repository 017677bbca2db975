import Ajv2020 from 'ajv/dist/2020';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { parse } from 'csv-parse/sync';
import { SaxesParser } from 'saxes';
import snapshotSchema from '../../schemas/org-snapshot.schema.json';
import reportSchema from '../../schemas/report.schema.json';
import sarifSchema from '../../schemas/vendor/sarif-2.1.0-rtm.5.json';

const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true }));
// The SARIF schema is draft-04, and uses keywords strict mode refuses in a schema of our own (such as `id`). Its
// pattern of `language`, ^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$, has a stray ] that only a regular expression
// without the u flag reads (as a literal ]); the SARIF errata drop it, and no report of ours sets `language`.
const ajvDraft04 = addFormats(new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false }));

/** Validates an organization snapshot against schemas/org-snapshot.schema.json. */
export const validateSnapshot = ajv.compile(snapshotSchema);
/** Validates a JSON report against schemas/report.schema.json. */
export const validateReport = ajv.compile(reportSchema);
/** Validates a SARIF log against the SARIF 2.1.0 schema in schemas/vendor. */
export const validateSarif = ajvDraft04.compile(sarifSchema);

type Json = Record<string, unknown>;

function objects(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter((item): item is Json => typeof item === 'object' && item !== null) : [];
}

function at(value: unknown, ...path: string[]): unknown {
  return path.reduce<unknown>(
    (node, key) => (typeof node === 'object' && node !== null ? Reflect.get(node, key) : undefined),
    value,
  );
}

/**
 * What keeps a SARIF log from showing in GitHub code scanning, beyond the SARIF schema: the properties GitHub's "SARIF
 * support for code scanning" marks required (a required string may not be empty), rule ids that the results name,
 * and a location with a line for every result.
 */
export function githubCodeScanningProblems(log: unknown): string[] {
  const problems: string[] = [];
  const text = (value: unknown, where: string) => {
    if (typeof value !== 'string' || value === '') problems.push(`${where} is not a non-empty string`);
  };
  text(at(log, '$schema'), '$schema');
  if (at(log, 'version') !== '2.1.0') problems.push('version is not 2.1.0');
  const runs = objects(at(log, 'runs'));
  if (runs.length === 0) problems.push('no run');
  runs.forEach((run, r) => {
    text(at(run, 'tool', 'driver', 'name'), `runs[${r}].tool.driver.name`);
    const rules = objects(at(run, 'tool', 'driver', 'rules'));
    rules.forEach((rule, i) => {
      for (const path of [['id'], ['shortDescription', 'text'], ['fullDescription', 'text'], ['help', 'text']]) {
        text(at(rule, ...path), `runs[${r}].rules[${i}].${path.join('.')}`);
      }
    });
    const ids = rules.map((rule) => rule.id);
    if (!Array.isArray(at(run, 'results'))) problems.push(`runs[${r}].results is missing`);
    objects(at(run, 'results')).forEach((result, i) => {
      const where = `runs[${r}].results[${i}]`;
      if (!ids.includes(result.ruleId)) problems.push(`${where}.ruleId names no rule`);
      text(at(result, 'message', 'text'), `${where}.message.text`);
      const locations = objects(result.locations);
      if (locations.length < 1 || locations.length > 10) problems.push(`${where} has ${locations.length} locations`);
      const physical = at(locations[0], 'physicalLocation');
      text(at(physical, 'artifactLocation', 'uri'), `${where}.locations[0].physicalLocation.artifactLocation.uri`);
      if (typeof at(physical, 'region', 'startLine') !== 'number') problems.push(`${where} has no startLine`);
      text(at(result, 'partialFingerprints', 'primaryLocationLineHash'), `${where}.partialFingerprints`);
    });
  });
  return problems;
}

/** Throws unless `text` is well-formed XML 1.0 (saxes checks every character). */
export function parseXml(text: string): void {
  const parser = new SaxesParser();
  parser.on('error', (error) => {
    throw error;
  });
  parser.write(text).close();
}

/** The cells of every row of a CSV text; throws unless every row has as many cells as the header. */
export function parseCsv(text: string): string[][] {
  return parse(text, { relax_column_count: false });
}

/** Each row of the Markdown tables in `text`, split on the `|` that are not escaped. */
export function markdownTableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.slice(1, -1).split(/(?<!\\)\|/));
}

/**
 * Fails the test unless `text` is a well-formed report in `format`: JSON and SARIF valid against their schemas (and
 * GitHub's needs, for SARIF), JUnit well-formed XML, CSV rows as wide as the header, Markdown table rows as wide as
 * the table's header.
 */
export function expectWellFormedReport(format: string, text: string): void {
  switch (format) {
    case 'json': {
      const report = JSON.parse(text);
      expect(validateReport(report) ? [] : validateReport.errors).toEqual([]);
      return;
    }
    case 'sarif': {
      const log = JSON.parse(text);
      expect(validateSarif(log) ? [] : validateSarif.errors).toEqual([]);
      expect(githubCodeScanningProblems(log)).toEqual([]);
      return;
    }
    case 'junit':
      parseXml(text);
      return;
    case 'csv':
      parseCsv(text);
      return;
    case 'markdown': {
      const widths = new Set(markdownTableRows(text).map((row) => row.length));
      expect(widths.size).toBeLessThanOrEqual(1);
      return;
    }
    case 'table':
      return;
    default:
      throw new Error(`no check for format ${format}`);
  }
}
