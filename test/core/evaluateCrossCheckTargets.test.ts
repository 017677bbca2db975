import { evaluateCrossCheckTargets, MAX_CONFLICT_CROSS_CHECKS } from '../../src/core/evaluateCrossCheckTargets';
import { evaluatePosture } from '../../src/core/evaluatePosture';
import { DEFAULT_RULE_PARAMETERS, type RuleParameters } from '../../src/core/ruleParameters';
import { optIn, optOut, SEED_000, SEED_004_EXAMPLE_1 } from '../support/policies';
import { type OrgSpec, ROOT_ID, snapshotOf } from '../support/snapshotBuilder';

const WORKLOADS = 'ou-exam-11111111';
const PROD = 'ou-exam-22222222';
const SANDBOX = 'ou-exam-33333333';

/**
 * The management account 111111111111 on the root; 222222222222 and 222222222223 in Workloads/Prod; 333333333333,
 * 333333333334 and a suspended 333333333335 in Sandbox; 444444444444 and 444444444445 in Workloads.
 */
function org(policies: NonNullable<OrgSpec['policies']>, extra: Omit<OrgSpec, 'policies'> = {}): OrgSpec {
  return {
    organizationalUnits: [
      { id: WORKLOADS, parentId: ROOT_ID },
      { id: PROD, parentId: WORKLOADS },
      { id: SANDBOX, parentId: ROOT_ID },
    ],
    accounts: [
      { id: '222222222223', parentId: PROD },
      { id: '222222222222', parentId: PROD },
      { id: '333333333334', parentId: SANDBOX },
      { id: '333333333333', parentId: SANDBOX },
      { id: '333333333335', parentId: SANDBOX, state: 'SUSPENDED' },
      { id: '444444444445', parentId: WORKLOADS },
      { id: '444444444444', parentId: WORKLOADS },
    ],
    policies,
    ...extra,
  };
}

const LOCKED_ROOT = { id: 'p-rootlocked', content: SEED_004_EXAMPLE_1, targets: [ROOT_ID] };
const SEED_000_ROOT = { id: 'p-seed000', content: SEED_000, targets: [ROOT_ID] };
const DEFAULT_LOCKS: RuleParameters = { ...DEFAULT_RULE_PARAMETERS, requiredLocks: ['default', 'opt_out_policy'] };
const SANDBOX_LEX_CONFLICT = [
  { id: 'p-sandlexin', content: optIn('lex'), targets: [SANDBOX] },
  { id: 'p-sandlexout', content: optOut('lex'), targets: [SANDBOX] },
];

function targets(spec: OrgSpec, parameters: RuleParameters = DEFAULT_RULE_PARAMETERS) {
  const snapshot = snapshotOf(spec);
  return evaluateCrossCheckTargets(evaluatePosture(snapshot, parameters), snapshot, parameters);
}

describe('evaluateCrossCheckTargets', () => {
  it.each<[string, OrgSpec, RuleParameters, string[]]>([
    [
      'every account inherits the root alone: one account stands for all',
      org([LOCKED_ROOT]),
      DEFAULT_RULE_PARAMETERS,
      ['111111111111'],
    ],
    [
      'policies on an OU and on an account: one account per distinct set of policy nodes, the deeper merges first',
      org([
        LOCKED_ROOT,
        { id: 'p-prodout', content: optOut('lex'), targets: [PROD] },
        { id: 'p-acctout', content: optOut('polly'), targets: ['333333333334'] },
        { id: 'p-unusedou', content: optOut('polly'), targets: [WORKLOADS] },
      ]),
      DEFAULT_RULE_PARAMETERS,
      ['222222222222', '333333333334', '444444444444', '111111111111'],
    ],
    [
      'no more than CrossCheckAccounts',
      org([LOCKED_ROOT, { id: 'p-prodout', content: optOut('lex'), targets: [PROD] }]),
      { ...DEFAULT_RULE_PARAMETERS, crossCheckAccounts: 1 },
      ['222222222222'],
    ],
    [
      'a conflict under a root without a required lock: the missing lock decides, so nobody is sampled or settled',
      org([SEED_000_ROOT, ...SANDBOX_LEX_CONFLICT]),
      DEFAULT_RULE_PARAMETERS,
      [],
    ],
    [
      'COMPLIANT accounts before those that are not',
      org([SEED_000_ROOT, { id: 'p-prodlexin', content: optIn('lex'), targets: [PROD] }]),
      DEFAULT_LOCKS,
      ['111111111111', '222222222222'],
    ],
    [
      'the organization fails a root check: nothing rests on effective values',
      org([SEED_000_ROOT]),
      DEFAULT_RULE_PARAMETERS,
      [],
    ],
    [
      'AWS lists an account with an invalid effective policy: it stays out',
      org([LOCKED_ROOT, { id: 'p-prodout', content: optOut('lex'), targets: [PROD] }], {
        accountsWithInvalidEffectivePolicy: ['222222222222'],
      }),
      DEFAULT_RULE_PARAMETERS,
      ['222222222223', '111111111111'],
    ],
    ['CrossCheckAccounts is 0', org([LOCKED_ROOT]), { ...DEFAULT_RULE_PARAMETERS, crossCheckAccounts: 0 }, []],
  ])('samples when %s', (_name, spec, parameters, expected) => {
    expect(targets(spec, parameters)).toEqual({ conflicts: [], conflictsLeftOut: [], sample: expected });
  });

  it('asks about every account whose only doubt is a conflict, and samples the others', () => {
    expect(targets(org([SEED_000_ROOT, ...SANDBOX_LEX_CONFLICT]), DEFAULT_LOCKS)).toEqual({
      conflicts: ['333333333333', '333333333334'],
      conflictsLeftOut: [],
      sample: ['111111111111'],
    });
  });

  it('samples an account whose conflict is not its only doubt', () => {
    const pollyIn = { id: 'p-sandpollyin', content: optIn('polly'), targets: [SANDBOX] };
    expect(targets(org([SEED_000_ROOT, ...SANDBOX_LEX_CONFLICT, pollyIn]), DEFAULT_LOCKS)).toEqual({
      conflicts: [],
      conflictsLeftOut: [],
      sample: ['111111111111', '333333333333'],
    });
  });

  it('leaves every conflict unresolved when CrossCheckAccounts is 0', () => {
    const parameters = { ...DEFAULT_LOCKS, crossCheckAccounts: 0 };
    expect(targets(org([SEED_000_ROOT, ...SANDBOX_LEX_CONFLICT]), parameters)).toEqual({
      conflicts: [],
      conflictsLeftOut: ['333333333333', '333333333334'],
      sample: [],
    });
  });

  it(`asks about at most ${MAX_CONFLICT_CROSS_CHECKS} conflicts a run, the lowest account ids`, () => {
    const many = Array.from({ length: MAX_CONFLICT_CROSS_CHECKS + 2 }, (_, index) => ({
      id: String(500_000_000_000 + index),
      parentId: SANDBOX,
    }));
    const spec: OrgSpec = {
      organizationalUnits: [{ id: SANDBOX, parentId: ROOT_ID }],
      accounts: [...many].reverse(),
      policies: [SEED_000_ROOT, ...SANDBOX_LEX_CONFLICT],
    };
    const ids = many.map((account) => account.id);
    expect(targets(spec, DEFAULT_LOCKS)).toEqual({
      conflicts: ids.slice(0, MAX_CONFLICT_CROSS_CHECKS),
      conflictsLeftOut: ids.slice(MAX_CONFLICT_CROSS_CHECKS),
      sample: ['111111111111'],
    });
  });
});
