import { evaluatePosture } from '../../src/core/evaluatePosture';
import {
  DEFAULT_RULE_PARAMETERS,
  LOCK_LEVELS,
  type LockLevel,
  type RuleParameters,
} from '../../src/core/ruleParameters';
import {
  optIn,
  optOut,
  SEED_000,
  SEED_001,
  SEED_002,
  SEED_004_BASIC,
  SEED_004_EXAMPLE_1,
  SEED_004_EXAMPLE_2_CHILD,
  SEED_004_EXAMPLE_2_PARENT,
  SEED_004_EXAMPLE_3,
  SEED_004_ROOT_EXAMPLE,
} from '../support/policies';
import { type OrgSpec, ROOT_ID, snapshotOf } from '../support/snapshotBuilder';

const WORKLOADS = 'ou-exam-11111111';
const PROD = 'ou-exam-22222222';
const SANDBOX = 'ou-exam-33333333';
const PROD_ACCOUNT = '222222222222';
const SANDBOX_ACCOUNT = '333333333333';

/** Root -> Workloads -> Prod -> 222222222222, and root -> Sandbox -> 333333333333; the management account on the root. */
function org(policies: NonNullable<OrgSpec['policies']>, extra: Omit<OrgSpec, 'policies'> = {}): OrgSpec {
  return {
    organizationalUnits: [
      { id: WORKLOADS, parentId: ROOT_ID, name: 'Workloads' },
      { id: PROD, parentId: WORKLOADS, name: 'Prod' },
      { id: SANDBOX, parentId: ROOT_ID, name: 'Sandbox' },
    ],
    accounts: [
      { id: PROD_ACCOUNT, parentId: PROD },
      { id: SANDBOX_ACCOUNT, parentId: SANDBOX },
    ],
    policies,
    ...extra,
  };
}

function lockedRoot(...more: NonNullable<OrgSpec['policies']>): NonNullable<OrgSpec['policies']> {
  return [{ id: 'p-rootlocked', content: SEED_004_EXAMPLE_1, targets: [ROOT_ID] }, ...more];
}

function parameters(overrides: Partial<RuleParameters> = {}): RuleParameters {
  return { ...DEFAULT_RULE_PARAMETERS, ...overrides };
}

/** Each account's verdict and message, by account id. */
function verdicts(spec: OrgSpec, rule: RuleParameters = DEFAULT_RULE_PARAMETERS): Record<string, string> {
  const report = evaluatePosture(snapshotOf(spec), rule);
  return Object.fromEntries(report.decisions.map((d) => [d.account.id, `${d.compliance}: ${d.message}`]));
}

const NONE = { '@@operators_allowed_for_child_policies': ['@@none'] };
const LOCK_LEX_VALUE = { services: { lex: { opt_out_policy: { ...NONE, '@@assign': 'optOut' } } } };
const LOCK_DEFAULT_VALUE = { services: { default: { opt_out_policy: { ...NONE, '@@assign': 'optOut' } } } };
const LOCKED_SERVICES_ONLY = { services: { ...NONE, default: { opt_out_policy: { '@@assign': 'optOut' } } } };
const SERVICES_AND_DEFAULT_LOCKED = {
  services: { ...NONE, default: { ...NONE, opt_out_policy: { '@@assign': 'optOut' } } },
};

const COMPLIANT_LOCKED =
  'COMPLIANT: Opted out of all AI services by p-rootlocked on r-exam, locked under services, default, opt_out_policy.';

describe('evaluatePosture', () => {
  it('reports every account COMPLIANT when the root carries seed 004 Example 1, the management account included', () => {
    expect(verdicts(org(lockedRoot()))).toEqual({
      '111111111111': COMPLIANT_LOCKED,
      [PROD_ACCOUNT]: COMPLIANT_LOCKED,
      [SANDBOX_ACCOUNT]: COMPLIANT_LOCKED,
    });
  });

  it.each<[string, OrgSpec, string]>([
    [
      'the organization has only consolidated billing',
      org(lockedRoot(), { featureSet: 'CONSOLIDATED_BILLING' }),
      'NON_COMPLIANT: Organization o-exampleorgid has only CONSOLIDATED_BILLING features; AI opt-out policies need all features. Enable all features in AWS Organizations.',
    ],
    [
      'the policy type is not enabled',
      org([], { aiPolicyType: 'absent' }),
      'NON_COMPLIANT: Not enabled: AISERVICES_OPT_OUT_POLICY is not enabled on root r-exam, so no AI opt-out policy applies. Enable it on the root.',
    ],
    [
      'the policy type is PENDING_ENABLE',
      org(lockedRoot(), { aiPolicyType: 'PENDING_ENABLE' }),
      'NON_COMPLIANT: Not enabled: AISERVICES_OPT_OUT_POLICY is still PENDING_ENABLE on root r-exam; policies apply once it is ENABLED. Evaluate again later.',
    ],
    [
      'the policy type is PENDING_DISABLE',
      org(lockedRoot(), { aiPolicyType: 'PENDING_DISABLE' }),
      'NON_COMPLIANT: Not enabled: AISERVICES_OPT_OUT_POLICY is PENDING_DISABLE on root r-exam, which detaches every AI opt-out policy.',
    ],
    [
      'no policy is attached to the root',
      org([{ id: 'p-ouonly1', content: SEED_004_EXAMPLE_1, targets: [WORKLOADS] }]),
      'NON_COMPLIANT: No opt-out: no AI opt-out policy is attached to root r-exam. Attach one that assigns optOut to default.',
    ],
    [
      'the root policy covers one service only (seed 004 Example 3)',
      org([{ id: 'p-example3', content: SEED_004_EXAMPLE_3, targets: [ROOT_ID] }]),
      "NON_COMPLIANT: No opt-out: the root's AI opt-out policies (p-example3) do not assign optOut to default.",
    ],
    [
      'the root opts default in',
      org([{ id: 'p-rootoptin', content: optIn('default'), targets: [ROOT_ID] }]),
      'NON_COMPLIANT: Opted in: default via p-rootoptin on r-exam.',
    ],
    [
      'the root policy says lowercase optout',
      org([
        {
          id: 'p-lowercase',
          content: { services: { default: { opt_out_policy: { '@@assign': 'optout' } } } },
          targets: [ROOT_ID],
        },
      ]),
      'NON_COMPLIANT: Unknown: default: p-lowercase on r-exam is not a valid AI opt-out policy: @@assign under services.default.opt_out_policy is "optout", but only "optOut" or "optIn" work (case-sensitive).',
    ],
    [
      'two root policies set default differently',
      org(lockedRoot({ id: 'p-rootoptin', content: optIn('default'), targets: [ROOT_ID] })),
      'NON_COMPLIANT: Unknown: default: p-rootlocked, p-rootoptin on r-exam set different values; AWS picks by attachment order, which no API returns.',
    ],
    [
      'the root carries seed 000, with no lock under services',
      org([{ id: 'p-seed000', content: SEED_000, targets: [ROOT_ID] }]),
      'NON_COMPLIANT: Not locked: no ["@@none"] under services in the root\'s AI opt-out policies (p-seed000), so a child policy can opt a service in.',
    ],
    [
      'the root carries seed 001, with no lock at all',
      org([{ id: 'p-seed001', content: SEED_001, targets: [ROOT_ID] }]),
      'NON_COMPLIANT: Not locked: no ["@@none"] under services in the root\'s AI opt-out policies (p-seed001), so a child policy can opt a service in.',
    ],
    [
      'the root carries seed 002, with no lock at all',
      org([{ id: 'p-seed002', content: SEED_002, targets: [ROOT_ID] }]),
      'NON_COMPLIANT: Not locked: no ["@@none"] under services in the root\'s AI opt-out policies (p-seed002), so a child policy can opt a service in.',
    ],
  ])('reports NON_COMPLIANT for every active account when %s', (_name, spec, expected) => {
    const result = verdicts(spec);
    expect(new Set(Object.values(result))).toEqual(new Set([expected]));
  });

  // Every subset of RequiredLocks, against root policies that carry each combination of the three locks.
  const SUBSETS: readonly (readonly LockLevel[])[] = [
    [],
    ['services'],
    ['default'],
    ['opt_out_policy'],
    ['services', 'default'],
    ['services', 'opt_out_policy'],
    ['default', 'opt_out_policy'],
    ['services', 'default', 'opt_out_policy'],
  ];
  function rootLockedAt(levels: readonly LockLevel[]) {
    const lock = (level: LockLevel) =>
      levels.includes(level) ? { '@@operators_allowed_for_child_policies': ['@@none'] } : {};
    return {
      services: {
        ...lock('services'),
        default: { ...lock('default'), opt_out_policy: { ...lock('opt_out_policy'), '@@assign': 'optOut' } },
      },
    };
  }
  it.each(SUBSETS.flatMap((required) => SUBSETS.map((present) => [required, present] as const)))(
    'with RequiredLocks %j and root locks %j, is COMPLIANT exactly when every required lock is there',
    (required, present) => {
      const spec = org([{ id: 'p-rootpolicy', content: rootLockedAt(present), targets: [ROOT_ID] }]);
      const result = verdicts(spec, parameters({ requiredLocks: required }))[PROD_ACCOUNT];
      const missing = LOCK_LEVELS.find((level) => required.includes(level) && !present.includes(level));
      expect(result).toMatch(
        missing === undefined
          ? /^COMPLIANT: /
          : new RegExp(`^NON_COMPLIANT: Not locked: no \\["@@none"\\] under ${missing} in`),
      );
    },
  );

  it.each<[string, RuleParameters, string]>([
    ['all three locks', parameters(), 'services'],
    ['default and opt_out_policy', parameters({ requiredLocks: ['default', 'opt_out_policy'] }), 'default'],
    ['opt_out_policy alone', parameters({ requiredLocks: ['opt_out_policy'] }), 'opt_out_policy'],
    ['services alone', parameters({ requiredLocks: ['services'] }), 'services'],
    ['services and default', parameters({ requiredLocks: ['services', 'default'] }), 'services'],
  ])('names the first missing lock of RequiredLocks %s', (_name, rule, level) => {
    const result = verdicts(org([{ id: 'p-seed001', content: SEED_001, targets: [ROOT_ID] }]), rule);
    expect(result[PROD_ACCOUNT]).toContain(`Not locked: no ["@@none"] under ${level} in`);
  });

  it.each<[string, RuleParameters, NonNullable<OrgSpec['policies']>, string]>([
    [
      'seed 000 with RequiredLocks default,opt_out_policy and no child policy',
      parameters({ requiredLocks: ['default', 'opt_out_policy'] }),
      [{ id: 'p-seed000', content: SEED_000, targets: [ROOT_ID] }],
      'COMPLIANT: Opted out of all AI services by p-seed000 on r-exam, locked under default, opt_out_policy.',
    ],
    [
      'seed 001 with RequiredLocks none',
      parameters({ requiredLocks: [] }),
      [{ id: 'p-seed001', content: SEED_001, targets: [ROOT_ID] }],
      'COMPLIANT: Opted out of all AI services by p-seed001 on r-exam.',
    ],
    [
      'seed 004 Example 2 with the child opting lex in on the account',
      parameters({ requiredLocks: ['default', 'opt_out_policy'] }),
      [
        { id: 'p-example2', content: SEED_004_EXAMPLE_2_PARENT, targets: [ROOT_ID] },
        { id: 'p-lexchild', content: SEED_004_EXAMPLE_2_CHILD, targets: [PROD_ACCOUNT] },
      ],
      'NON_COMPLIANT: Opted in: lex via p-lexchild on 222222222222.',
    ],
    [
      'seed 004 Example 2 with lex allowed to opt in',
      parameters({ requiredLocks: ['default', 'opt_out_policy'], allowedOptInServices: ['lex'] }),
      [
        { id: 'p-example2', content: SEED_004_EXAMPLE_2_PARENT, targets: [ROOT_ID] },
        { id: 'p-lexchild', content: SEED_004_EXAMPLE_2_CHILD, targets: [PROD_ACCOUNT] },
      ],
      'COMPLIANT: Opted out of all AI services by p-example2 on r-exam, locked under default, opt_out_policy. Opted in as allowed: lex.',
    ],
    [
      'an OU policy opting lex in under seed 000',
      parameters({ requiredLocks: ['default', 'opt_out_policy'] }),
      [
        { id: 'p-seed000', content: SEED_000, targets: [ROOT_ID] },
        { id: 'p-lexonou1', content: optIn('lex'), targets: [WORKLOADS] },
      ],
      'NON_COMPLIANT: Opted in: lex via p-lexonou1 on ou-exam-11111111.',
    ],
    [
      'an OU policy opting lex in under the fully locked root',
      parameters(),
      lockedRoot({ id: 'p-lexonou1', content: optIn('lex'), targets: [WORKLOADS] }),
      COMPLIANT_LOCKED,
    ],
    [
      'seed 004 basic syntax on the account under the fully locked root',
      parameters(),
      lockedRoot({ id: 'p-basicsyn', content: SEED_004_BASIC, targets: [PROD_ACCOUNT] }),
      COMPLIANT_LOCKED,
    ],
    [
      'seed 004 basic syntax on the account under seed 000',
      parameters({ requiredLocks: ['default'] }),
      [
        { id: 'p-seed000', content: SEED_000, targets: [ROOT_ID] },
        { id: 'p-basicsyn', content: SEED_004_BASIC, targets: [PROD_ACCOUNT] },
      ],
      'NON_COMPLIANT: Opted in: lex via p-basicsyn on 222222222222.',
    ],
    [
      'seed 004 root example, where the whole organization opts rekognition in',
      parameters({ requiredLocks: [] }),
      [{ id: 'p-rootexam', content: SEED_004_ROOT_EXAMPLE, targets: [ROOT_ID] }],
      'NON_COMPLIANT: Opted in: rekognition via p-rootexam on r-exam.',
    ],
    [
      'a lock in the parent OU holding lex out against the child OU',
      parameters({ requiredLocks: [] }),
      [
        { id: 'p-seed001', content: SEED_001, targets: [ROOT_ID] },
        {
          id: 'p-parentou',
          content: {
            services: {
              lex: { opt_out_policy: { '@@operators_allowed_for_child_policies': ['@@none'], '@@assign': 'optOut' } },
            },
          },
          targets: [WORKLOADS],
        },
        { id: 'p-childou1', content: optIn('lex'), targets: [PROD] },
      ],
      'COMPLIANT: Opted out of all AI services by p-seed001 on r-exam.',
    ],
    [
      'two policies on one OU disagreeing on lex',
      parameters({ requiredLocks: ['default', 'opt_out_policy'] }),
      [
        { id: 'p-seed000', content: SEED_000, targets: [ROOT_ID] },
        { id: 'p-lexin001', content: optIn('lex'), targets: [PROD] },
        { id: 'p-lexout01', content: optOut('lex'), targets: [PROD] },
      ],
      'NON_COMPLIANT: Unknown: lex: p-lexin001, p-lexout01 on ou-exam-22222222 set different values; AWS picks by attachment order, which no API returns.',
    ],
    [
      'an unreadable policy on an OU under seed 000',
      parameters({ requiredLocks: ['default', 'opt_out_policy'] }),
      [
        { id: 'p-seed000', content: SEED_000, targets: [ROOT_ID] },
        { id: 'p-broken01', content: '{"services": ', targets: [WORKLOADS] },
      ],
      'NON_COMPLIANT: Unknown: any other service: p-broken01 on ou-exam-11111111 is not a valid AI opt-out policy: the content is not valid JSON (Unexpected end of JSON input).',
    ],
    [
      'default changed on the account where only a lock under services guards it',
      parameters({ requiredLocks: ['services'] }),
      [
        { id: 'p-svclock1', content: LOCKED_SERVICES_ONLY, targets: [ROOT_ID] },
        { id: 'p-defaultin', content: optIn('default'), targets: [PROD_ACCOUNT] },
      ],
      'NON_COMPLIANT: Unknown: default: p-defaultin on 222222222222 changes it, and AWS does not document whether ["@@none"] under services in p-svclock1 on r-exam stops that.',
    ],
    [
      "issue 8: an OU policy restating lex: optOut with a lock under the root's lock under services, and lex opted in below",
      parameters(),
      lockedRoot(
        { id: 'p-rootlexout', content: optOut('lex'), targets: [ROOT_ID] },
        { id: 'p-oulexlock', content: LOCK_LEX_VALUE, targets: [WORKLOADS] },
        { id: 'p-acctlexin', content: optIn('lex'), targets: [PROD_ACCOUNT] },
      ),
      'NON_COMPLIANT: Unknown: lex: p-acctlexin on 222222222222 changes it, and AWS does not document whether ["@@none"] under services.lex.opt_out_policy in p-oulexlock on ou-exam-11111111, set below ["@@none"] under services in p-rootlocked on r-exam, stops that.',
    ],
    [
      'issue 8: the same without the OU policy',
      parameters(),
      lockedRoot(
        { id: 'p-rootlexout', content: optOut('lex'), targets: [ROOT_ID] },
        { id: 'p-acctlexin', content: optIn('lex'), targets: [PROD_ACCOUNT] },
      ),
      'NON_COMPLIANT: Unknown: lex: p-acctlexin on 222222222222 changes it, and AWS does not document whether ["@@none"] under services in p-rootlocked on r-exam stops that.',
    ],
    [
      "issue 8: RequiredLocks services,default, an OU policy locking default's value under the root's entry lock, and default opted in below",
      parameters({ requiredLocks: ['services', 'default'] }),
      [
        { id: 'p-rootpolicy', content: SERVICES_AND_DEFAULT_LOCKED, targets: [ROOT_ID] },
        { id: 'p-oudeflock', content: LOCK_DEFAULT_VALUE, targets: [WORKLOADS] },
        { id: 'p-acctdefin', content: optIn('default'), targets: [PROD_ACCOUNT] },
      ],
      'NON_COMPLIANT: Unknown: default: p-acctdefin on 222222222222 changes it, and AWS does not document whether ["@@none"] under services.default.opt_out_policy in p-oudeflock on ou-exam-11111111, set below ["@@none"] under services.default in p-rootpolicy on r-exam, stops that.',
    ],
    [
      'issue 8: the same without the OU policy',
      parameters({ requiredLocks: ['services', 'default'] }),
      [
        { id: 'p-rootpolicy', content: SERVICES_AND_DEFAULT_LOCKED, targets: [ROOT_ID] },
        { id: 'p-acctdefin', content: optIn('default'), targets: [PROD_ACCOUNT] },
      ],
      'NON_COMPLIANT: Unknown: default: p-acctdefin on 222222222222 changes it, and AWS does not document whether ["@@none"] under services.default in p-rootpolicy on r-exam stops that.',
    ],
    [
      'keys that follow an unknown default, whose cause is a lock under default',
      parameters({ requiredLocks: ['services', 'default'] }),
      [
        { id: 'p-rootpolicy', content: SERVICES_AND_DEFAULT_LOCKED, targets: [ROOT_ID] },
        { id: 'p-defaultin', content: optIn('default'), targets: [WORKLOADS] },
        {
          id: 'p-lexpolly1',
          content: {
            services: {
              lex: { opt_out_policy: { '@@assign': 'optOut' } },
              polly: { opt_out_policy: { '@@assign': 'optIn' } },
            },
          },
          targets: [PROD],
        },
      ],
      'NON_COMPLIANT: Unknown: default: p-defaultin on ou-exam-11111111 changes it, and AWS does not document whether ["@@none"] under services.default in p-rootpolicy on r-exam stops that; lex, polly follow default.',
    ],
    [
      'a key that follows default, on which two policies disagree',
      parameters({ requiredLocks: ['services'] }),
      [
        { id: 'p-svclock1', content: LOCKED_SERVICES_ONLY, targets: [ROOT_ID] },
        { id: 'p-defaultin', content: optIn('default'), targets: [PROD] },
        { id: 'p-defaultout', content: optOut('default'), targets: [PROD] },
        { id: 'p-lexout01', content: optOut('lex'), targets: [PROD_ACCOUNT] },
      ],
      'NON_COMPLIANT: Unknown: default: p-defaultin, p-defaultout on ou-exam-22222222 set different values; AWS picks by attachment order, which no API returns; lex follows default.',
    ],
  ])('decides the prod account for %s', (_name, rule, policies, expected) => {
    expect(verdicts(org(policies), rule)[PROD_ACCOUNT]).toBe(expected);
  });

  it('reports NON_COMPLIANT for an account whose effective policy AWS reports as invalid, whatever the policies say', () => {
    const result = verdicts(org(lockedRoot(), { accountsWithInvalidEffectivePolicy: [PROD_ACCOUNT] }));
    expect(result[PROD_ACCOUNT]).toBe(
      'NON_COMPLIANT: Unknown: AWS reports the effective AI opt-out policy of account 222222222222 as invalid, so it is not fully enforced. See aws organizations list-effective-policy-validation-errors --account-id 222222222222 --policy-type AISERVICES_OPT_OUT_POLICY.',
    );
    expect(result[SANDBOX_ACCOUNT]).toBe(COMPLIANT_LOCKED);
  });

  it('says what an account already opts in before the root lock that would stop it (example 03)', () => {
    const result = verdicts(
      org([
        { id: 'p-seed000', content: SEED_000, targets: [ROOT_ID] },
        { id: 'p-sandlexin', content: optIn('lex'), targets: [SANDBOX] },
      ]),
    );
    const notLocked = `Not locked: no ["@@none"] under services in the root's AI opt-out policies (p-seed000), so a child policy can opt a service in.`;
    expect(result[SANDBOX_ACCOUNT]).toBe(`NON_COMPLIANT: Opted in: lex via p-sandlexin on ${SANDBOX}. ${notLocked}`);
    expect(result[PROD_ACCOUNT]).toBe(`NON_COMPLIANT: ${notLocked}`);
  });

  it('reports several findings in one message, opted-in keys first', () => {
    const result = verdicts(
      org([
        { id: 'p-seed001', content: SEED_001, targets: [ROOT_ID] },
        { id: 'p-rekin001', content: optIn('rekognition'), targets: [PROD] },
        { id: 'p-rekout01', content: optOut('rekognition'), targets: [PROD] },
        { id: 'p-pollyin1', content: optIn('polly'), targets: [PROD_ACCOUNT] },
        { id: 'p-lexin001', content: optIn('lex'), targets: [PROD_ACCOUNT] },
      ]),
      parameters({ requiredLocks: [] }),
    );
    expect(result[PROD_ACCOUNT]).toBe(
      'NON_COMPLIANT: Opted in: lex via p-lexin001 on 222222222222; polly via p-pollyin1 on 222222222222. Unknown: rekognition: p-rekin001, p-rekout01 on ou-exam-22222222 set different values; AWS picks by attachment order, which no API returns.',
    );
  });

  it('names the policies of a node by id, in whatever order the snapshot lists them', () => {
    const policies = [
      { id: 'p-seed001', content: SEED_001, targets: [ROOT_ID] },
      { id: 'p-rekout01', content: optOut('rekognition'), targets: [PROD] },
      { id: 'p-rekin001', content: optIn('rekognition'), targets: [PROD] },
    ];
    const message = (listed: typeof policies) => verdicts(org(listed), parameters({ requiredLocks: [] }))[PROD_ACCOUNT];
    expect(message(policies)).toBe(
      'NON_COMPLIANT: Unknown: rekognition: p-rekin001, p-rekout01 on ou-exam-22222222 set different values; AWS picks by attachment order, which no API returns.',
    );
    expect(message([...policies].reverse())).toBe(message(policies));
  });

  it('reports NOT_APPLICABLE for accounts that are not ACTIVE, and does not count them', () => {
    const spec = org(lockedRoot({ id: 'p-lexin001', content: optIn('lex'), targets: [SANDBOX_ACCOUNT] }), {
      accounts: [
        { id: PROD_ACCOUNT, parentId: PROD, state: 'SUSPENDED' },
        { id: SANDBOX_ACCOUNT, parentId: SANDBOX, state: 'PENDING_CLOSURE' },
        { id: '444444444444', parentId: SANDBOX, state: 'CLOSED' },
      ],
    });
    const report = evaluatePosture(snapshotOf(spec), DEFAULT_RULE_PARAMETERS);
    expect(report.decisions.map((d) => [d.account.id, d.compliance, d.message, d.effective === undefined])).toEqual([
      ['111111111111', 'COMPLIANT', COMPLIANT_LOCKED.replace('COMPLIANT: ', ''), false],
      [PROD_ACCOUNT, 'NOT_APPLICABLE', 'Account is SUSPENDED, so it is not evaluated.', true],
      [SANDBOX_ACCOUNT, 'NOT_APPLICABLE', 'Account is PENDING_CLOSURE, so it is not evaluated.', true],
      ['444444444444', 'NOT_APPLICABLE', 'Account is CLOSED, so it is not evaluated.', true],
    ]);
    expect(report.compliance).toBe('COMPLIANT');
    expect(report.counts).toEqual({ COMPLIANT: 1, NON_COMPLIANT: 0, NOT_APPLICABLE: 3 });
  });

  it('reports the organization NON_COMPLIANT when one account is', () => {
    const spec = org([
      { id: 'p-seed000', content: SEED_000, targets: [ROOT_ID] },
      { id: 'p-lexin001', content: optIn('lex'), targets: [SANDBOX] },
    ]);
    const report = evaluatePosture(snapshotOf(spec), parameters({ requiredLocks: ['default', 'opt_out_policy'] }));
    expect(report.decisions.map((d) => d.compliance)).toEqual(['COMPLIANT', 'COMPLIANT', 'NON_COMPLIANT']);
    expect(report.compliance).toBe('NON_COMPLIANT');
  });

  it('reports the organization NON_COMPLIANT when no account is ACTIVE', () => {
    const snapshot = snapshotOf(org(lockedRoot()));
    const suspended = { ...snapshot, accounts: snapshot.accounts.map((a) => ({ ...a, state: 'SUSPENDED' as const })) };
    expect(evaluatePosture(suspended, DEFAULT_RULE_PARAMETERS).compliance).toBe('NON_COMPLIANT');
  });

  it('marks the management account and lists the OUs from the root down', () => {
    const report = evaluatePosture(snapshotOf(org(lockedRoot())), DEFAULT_RULE_PARAMETERS);
    expect(
      report.decisions.map((d) => [d.account.id, d.isManagementAccount, d.organizationalUnits.map((ou) => ou.name)]),
    ).toEqual([
      ['111111111111', true, []],
      [PROD_ACCOUNT, false, ['Workloads', 'Prod']],
      [SANDBOX_ACCOUNT, false, ['Sandbox']],
    ]);
  });

  it('gives each evaluation an annotation of at most 256 characters', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({
      id: `p-optin${String(i).padStart(4, '0')}`,
      content: optIn(`service${i}`),
      targets: [PROD],
    }));
    const report = evaluatePosture(
      snapshotOf(org([{ id: 'p-seed001', content: SEED_001, targets: [ROOT_ID] }, ...many])),
      parameters({ requiredLocks: [] }),
    );
    const prod = report.decisions.find((d) => d.account.id === PROD_ACCOUNT);
    expect(prod?.message.length).toBeGreaterThan(256);
    expect(prod?.annotation.length).toBeLessThanOrEqual(256);
    expect(prod?.annotation.startsWith('Opted in: service0 via p-optin0000 on ou-exam-22222222; ')).toBe(true);
  });

  it('says a cause once for all the keys it makes unknown, so that every id fits in the annotation', () => {
    const rootServices = Object.fromEntries(
      ['default', 'lex', 'polly'].map((key) => [key, { opt_out_policy: { '@@assign': 'optOut' } }]),
    );
    const report = evaluatePosture(
      snapshotOf(
        org([
          { id: 'p-rootpolicy', content: { services: rootServices }, targets: [ROOT_ID] },
          { id: 'p-broken01', content: '{"services": ', targets: [WORKLOADS] },
          { id: 'p-transin1', content: optIn('translate'), targets: [PROD_ACCOUNT] },
          { id: 'p-transout', content: optOut('translate'), targets: [PROD_ACCOUNT] },
        ]),
      ),
      parameters({ requiredLocks: [] }),
    );
    const prod = report.decisions.find((d) => d.account.id === PROD_ACCOUNT);
    expect(prod?.message).toBe(
      'Unknown: default, lex, polly, any other service: p-broken01 on ou-exam-11111111 is not a valid AI opt-out policy: the content is not valid JSON (Unexpected end of JSON input); translate: p-transin1, p-transout on 222222222222 set different values; AWS picks by attachment order, which no API returns.',
    );
    expect(prod?.annotation).toBe(
      'Unknown: default, lex, polly, any other service: p-broken01 on ou-exam-11111111 is not a valid AI opt-out policy: the content is not valid JSON (Unexpected end of JSON input); translate: p-transin1, p-transout on 222222222222 set different values…',
    );
  });

  it('lists unreadable policies wherever they are attached', () => {
    const report = evaluatePosture(
      snapshotOf(org(lockedRoot({ id: 'p-broken01', content: '{', targets: [SANDBOX, PROD_ACCOUNT] }))),
      DEFAULT_RULE_PARAMETERS,
    );
    expect(report.unreadablePolicies.map((p) => `${p.policyId}@${p.targetId}`)).toEqual([
      'p-broken01@ou-exam-33333333',
      'p-broken01@222222222222',
    ]);
    expect(report.compliance).toBe('COMPLIANT');
  });

  it('gives the effective value of every service key on the path, with provenance', () => {
    const report = evaluatePosture(
      snapshotOf(org(lockedRoot({ id: 'p-lexin001', content: optIn('lex'), targets: [PROD] }))),
      DEFAULT_RULE_PARAMETERS,
    );
    const prod = report.decisions.find((d) => d.account.id === PROD_ACCOUNT);
    expect(prod?.effective?.services.get('lex')).toEqual({
      kind: 'optOut',
      policyId: 'p-rootlocked',
      targetId: ROOT_ID,
    });
    const sandbox = report.decisions.find((d) => d.account.id === SANDBOX_ACCOUNT);
    expect([...(sandbox?.effective?.services.keys() ?? [])]).toEqual([]);
  });

  it.each([
    [
      'an account whose parent is missing',
      { accounts: [{ id: PROD_ACCOUNT, name: 'x', state: 'ACTIVE', parentId: 'ou-exam-99999999' }] },
    ],
    [
      'OUs whose parents form a cycle',
      {
        organizationalUnits: [
          { id: WORKLOADS, name: 'W', parentId: PROD },
          { id: PROD, name: 'P', parentId: WORKLOADS },
        ],
      },
    ],
  ] as const)('throws when the snapshot tree is broken: %s', (_name, change) => {
    const snapshot = { ...snapshotOf(org(lockedRoot())), ...change };
    expect(() => evaluatePosture(snapshot, DEFAULT_RULE_PARAMETERS)).toThrow('Snapshot tree is broken');
  });
});
