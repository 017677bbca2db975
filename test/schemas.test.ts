import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import snapshotSchema from '../schemas/org-snapshot.schema.json';
import reportSchema from '../schemas/report.schema.json';
import { ACCOUNT_STATES, FEATURE_SETS, POLICY_TYPE_STATUSES } from '../src/core/orgSnapshot';
import { ID_PATTERNS, parseOrgSnapshot } from '../src/core/parseOrgSnapshot';
import { COMPLIANCE_TYPES, REASON_COMPLIANCE } from '../src/core/reason';
import { generateOrganization } from './support/generatedOrganization';
import { validateReport, validateSnapshot } from './support/reportFormats';

const EXAMPLES = 'events/organizations';
const exampleNames = readdirSync(EXAMPLES).filter((name) => name.endsWith('.json'));
const readExample = (name: string) => JSON.parse(readFileSync(join(EXAMPLES, name), 'utf8'));

type Json = Record<string, unknown>;
const locked = readExample('01-locked-compliant.json');

/** The locked example with one change made to a copy of it. */
function changed(
  change: (snapshot: Json & { accounts: Json[]; organizationalUnits: Json[]; policies: Json[] }) => void,
) {
  const copy = structuredClone(locked);
  change(copy);
  return copy;
}

describe('schemas/org-snapshot.schema.json', () => {
  it.each(exampleNames)('accepts the example %s', (name) => {
    expect(validateSnapshot(readExample(name)) ? [] : validateSnapshot.errors).toEqual([]);
  });

  it.each([1, 2, 3, 4, 5])('accepts the generated organization of seed %i, as the parser does', (seed) => {
    const snapshot = generateOrganization({
      accounts: 60,
      organizationalUnits: 12,
      depth: 5,
      policies: 8,
      seed,
      invalidEffectivePolicyAccounts: 2,
    });
    const json = JSON.parse(JSON.stringify({ capturedAt: '2026-11-22T08:00:00+01:00', ...snapshot }));
    expect(parseOrgSnapshot(json).ok).toBe(true);
    expect(validateSnapshot(json) ? [] : validateSnapshot.errors).toEqual([]);
  });

  it.each<[string, Json]>([
    ['an unknown field', changed((s) => Object.assign(s, { capturedBy: 'me' }))],
    ['a missing field', changed((s) => delete s.accountsWithInvalidEffectivePolicy)],
    ['an account id of 11 digits', changed((s) => Object.assign(s.accounts[1] ?? {}, { id: '22222222222' }))],
    ['an account state AWS does not have', changed((s) => Object.assign(s.accounts[1] ?? {}, { state: 'ACTVE' }))],
    ['an account without a name', changed((s) => delete s.accounts[1]?.name)],
    [
      'an OU id without its root part',
      changed((s) => Object.assign(s.organizationalUnits[0] ?? {}, { id: 'ou-11111111' })),
    ],
    ['an OU name that is a number', changed((s) => Object.assign(s.organizationalUnits[0] ?? {}, { name: 7 }))],
    ['a policy id without p-', changed((s) => Object.assign(s.policies[0] ?? {}, { id: 'fulllock0001' }))],
    ['a policy content that is an object', changed((s) => Object.assign(s.policies[0] ?? {}, { content: {} }))],
    ['a policy target that is not a string', changed((s) => Object.assign(s.policies[0] ?? {}, { targets: [1] }))],
    ['a feature set AWS does not have', changed((s) => Object.assign(s.organization as Json, { featureSet: 'SOME' }))],
    [
      'a policy type status AWS does not have',
      changed((s) => Object.assign(s.root as Json, { policyTypes: [{ type: 'X', status: 'ON' }] })),
    ],
    ['a capturedAt without a time zone', changed((s) => Object.assign(s, { capturedAt: '2026-11-22T08:00:00' }))],
    ['a capturedAt that is a date only', changed((s) => Object.assign(s, { capturedAt: '2026-11-22' }))],
    ['a pathOf that is no account id', changed((s) => Object.assign(s, { pathOf: 'r-a1b2' }))],
    [
      'an invalid effective policy listed by name',
      changed((s) => Object.assign(s, { accountsWithInvalidEffectivePolicy: ['prod'] })),
    ],
    ['a list where an object belongs', []],
  ])('rejects %s, as the parser does', (_name, json) => {
    expect(parseOrgSnapshot(json).ok).toBe(false);
    expect(validateSnapshot(json)).toBe(false);
  });

  // What only the parser checks: relations between fields, which the schema's description lists.
  it.each<[string, Json]>([
    ['an id that appears twice', changed((s) => Object.assign(s.accounts[2] ?? {}, { id: s.accounts[1]?.id }))],
    [
      'a parent that is not in the snapshot',
      changed((s) => Object.assign(s.accounts[1] ?? {}, { parentId: 'ou-a1b2-99999999' })),
    ],
    [
      'a policy target that is not in the snapshot',
      changed((s) => Object.assign(s.policies[0] ?? {}, { targets: ['999999999999'] })),
    ],
    ['a management account that is not one of the accounts', changed((s) => s.accounts.shift())],
  ])('leaves %s to the parser, which rejects it', (_name, json) => {
    expect(parseOrgSnapshot(json).ok).toBe(false);
    expect(validateSnapshot(json)).toBe(true);
  });

  it("has the parser's id patterns and AWS's values", () => {
    expect(Object.fromEntries(Object.entries(snapshotSchema.$defs).map(([name, def]) => [name, def.pattern]))).toEqual({
      organizationId: ID_PATTERNS.organization.source,
      rootId: ID_PATTERNS.root.source,
      organizationalUnitId: ID_PATTERNS.organizationalUnit.source,
      accountId: ID_PATTERNS.account.source,
      policyId: ID_PATTERNS.policy.source,
    });
    const { properties } = snapshotSchema;
    expect(properties.accounts.items.properties.state.enum).toEqual(ACCOUNT_STATES);
    expect(properties.organization.properties.featureSet.enum).toEqual(FEATURE_SETS);
    expect(properties.root.properties.policyTypes.items.properties.status.enum).toEqual(POLICY_TYPE_STATUSES);
  });
});

describe('schemas/report.schema.json', () => {
  const account = reportSchema.properties.accounts.items.properties;

  it('lists every kind of reason and every verdict, so that a new one cannot leave it behind', () => {
    expect(account.reason.enum).toEqual(Object.keys(REASON_COMPLIANCE));
    expect(reportSchema.$defs.complianceType.enum).toEqual(COMPLIANCE_TYPES);
    expect(account.state.enum).toEqual(ACCOUNT_STATES);
  });

  it('rejects a report with a reason it does not know, or without its provenance', () => {
    const report = {
      organizationId: 'o-a1b2c3d4e5',
      compliance: 'COMPLIANT',
      evaluations: [],
      generatedAt: '2026-11-30T09:15:00.000Z',
      tool: { name: 'ai-opt-out-audit', version: '0.1.0' },
      source: { kind: 'snapshot', file: 'org.json', capturedAt: null },
      ruleParameters: { RequiredLocks: 'none', AllowedOptInServices: 'lex,polly' },
      onlyFailures: false,
      summary: { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0 },
      accounts: [],
      unreadablePolicies: [],
    };
    expect(validateReport(report) ? [] : validateReport.errors).toEqual([]);
    const { source: _, ...withoutSource } = report;
    expect(validateReport(withoutSource)).toBe(false);
    expect(validateReport({ ...report, source: { kind: 'live', file: null, capturedAt: null } })).toBe(false);
    const unknownReason = {
      accountId: '111111111111',
      name: 'management',
      state: 'ACTIVE',
      managementAccount: true,
      organizationalUnits: [],
      organizationalUnitPath: 'Root',
      complianceType: 'COMPLIANT',
      reason: 'fine',
      message: 'Fine.',
      effective: null,
    };
    expect(validateReport({ ...report, accounts: [unknownReason] })).toBe(false);
    expect(validateReport({ ...report, accounts: [{ ...unknownReason, reason: 'compliant' }] })).toBe(true);
  });
});
