import { type ReportJson, type ReportSource, toReportJson } from '../../src/cli/toReportJson';
import { evaluatePosture } from '../../src/core/evaluatePosture';
import type { OrgSnapshot } from '../../src/core/orgSnapshot';
import { DEFAULT_RULE_PARAMETERS } from '../../src/core/ruleParameters';
import { SEED_004_EXAMPLE_1 } from './policies';
import { ROOT_ID, snapshotOf } from './snapshotBuilder';

/** A name with everything that breaks a careless format: separators, quotes, markup, line breaks, escapes. */
export const HOSTILE_NAME =
  'a,b "c" | d\ne <f>&amp; \'g\' \\h *i* `j` [k](l) $m$ \u001b[2J\u202e\u0000 😀𝄞 \ufffe \ud800';
/** A name a spreadsheet would run as a formula. */
export const FORMULA_NAME = '=HYPERLINK("https://example.com","x")';
export const HOSTILE_OU_ID = 'ou-exam-11111111';

/**
 * An organization whose root carries AWS's fully locked policy, with an OU and accounts named with HOSTILE_NAME and
 * FORMULA_NAME: the management account and 444444444444 (FORMULA_NAME) are COMPLIANT, 222222222222 (HOSTILE_NAME)
 * NON_COMPLIANT as AWS lists its effective policy as invalid, 333333333333 SUSPENDED, so NOT_APPLICABLE.
 */
export function hostileSnapshot(): OrgSnapshot {
  return snapshotOf({
    organizationalUnits: [{ id: HOSTILE_OU_ID, name: `OU ${HOSTILE_NAME}`, parentId: ROOT_ID }],
    accounts: [
      { id: '222222222222', parentId: HOSTILE_OU_ID, name: HOSTILE_NAME },
      { id: '333333333333', parentId: HOSTILE_OU_ID, name: `-${HOSTILE_NAME}`, state: 'SUSPENDED' },
      { id: '444444444444', parentId: ROOT_ID, name: FORMULA_NAME },
    ],
    policies: [{ id: 'p-fulllock01', content: SEED_004_EXAMPLE_1, targets: [ROOT_ID] }],
    accountsWithInvalidEffectivePolicy: ['222222222222'],
  });
}

/** The source of the reports reportOf makes unless told otherwise. */
export const SNAPSHOT_SOURCE: ReportSource = {
  kind: 'snapshot',
  file: 'snapshots/org.json',
  capturedAt: '2026-11-22T08:00:00Z',
};

/** The report of `snapshot` under the default rule parameters, as made at 2026-11-30T09:15:00.000Z by version 1.2.3. */
export function reportOf(
  snapshot: OrgSnapshot,
  options: { readonly onlyFailures?: boolean; readonly source?: ReportSource } = {},
): ReportJson {
  return toReportJson(
    evaluatePosture(snapshot, DEFAULT_RULE_PARAMETERS),
    DEFAULT_RULE_PARAMETERS,
    {
      generatedAt: '2026-11-30T09:15:00.000Z',
      tool: { name: 'ai-opt-out-audit', version: '1.2.3' },
      source: options.source ?? SNAPSHOT_SOURCE,
    },
    { onlyFailures: options.onlyFailures ?? false },
  );
}
