import { evaluateEffectivePolicyAgreement } from '../../src/core/evaluateEffectivePolicyAgreement';
import { evaluatePosture } from '../../src/core/evaluatePosture';
import type { EffectivePolicyAnswer } from '../../src/core/parseEffectivePolicy';
import { DEFAULT_RULE_PARAMETERS, type RuleParameters } from '../../src/core/ruleParameters';
import { optIn, optOut, SEED_000, SEED_004_EXAMPLE_1 } from '../support/policies';
import { MANAGEMENT_ID, type OrgSpec, ROOT_ID, snapshotOf } from '../support/snapshotBuilder';

const SANDBOX = 'ou-exam-33333333';
const SANDBOX_ACCOUNT = '333333333333';
const CLOSED_ACCOUNT = '444444444444';

/** The management account on the root; 333333333333 and a suspended 444444444444 in a Sandbox OU. */
function org(policies: NonNullable<OrgSpec['policies']>): OrgSpec {
  return {
    organizationalUnits: [{ id: SANDBOX, parentId: ROOT_ID, name: 'Sandbox' }],
    accounts: [
      { id: SANDBOX_ACCOUNT, parentId: SANDBOX },
      { id: CLOSED_ACCOUNT, parentId: SANDBOX, state: 'SUSPENDED' },
    ],
    policies,
  };
}

const LOCKED_ROOT = { id: 'p-rootlocked', content: SEED_004_EXAMPLE_1, targets: [ROOT_ID] };
const SEED_000_ROOT = { id: 'p-seed000', content: SEED_000, targets: [ROOT_ID] };
const SANDBOX_LEX_IN = { id: 'p-sandlexin', content: optIn('lex'), targets: [SANDBOX] };
const SANDBOX_LEX_OUT = { id: 'p-sandlexout', content: optOut('lex'), targets: [SANDBOX] };
/** Seed 000 on the root and two Sandbox policies that set lex differently: the Sandbox account's only doubt. */
const IN = { opt_out_policy: { '@@assign': 'optIn' } };
/** services locked, default optOut with no lock of its own. */
const LOCKED_SERVICES_ONLY = {
  services: {
    '@@operators_allowed_for_child_policies': ['@@none'],
    default: { opt_out_policy: { '@@assign': 'optOut' } },
  },
};
const LEX_CONFLICT = org([SEED_000_ROOT, SANDBOX_LEX_IN, SANDBOX_LEX_OUT]);
/** Seed 000 locks default and its value, not services: what RequiredLocks asks for here. */
const DEFAULT_LOCKS: RuleParameters = { ...DEFAULT_RULE_PARAMETERS, requiredLocks: ['default', 'opt_out_policy'] };

function content(services: Record<string, string>): EffectivePolicyAnswer {
  const entries = Object.entries(services).map(([key, value]) => [key, { opt_out_policy: value }]);
  return { kind: 'content', content: JSON.stringify({ services: Object.fromEntries(entries) }) };
}

const DEFAULT_OUT = content({ default: 'optOut' });
const NONE: EffectivePolicyAnswer = { kind: 'none' };
const MISREAD =
  "This rule misreads AWS's merge here: report it with the function's logs; until then the account counts as not opted out.";

/** The Sandbox account's verdict and message, and what the cross-check made of it, after AWS answered `answer`. */
function crossChecked(spec: OrgSpec, answer: EffectivePolicyAnswer, parameters = DEFAULT_RULE_PARAMETERS) {
  const report = evaluatePosture(snapshotOf(spec), parameters);
  const outcome = evaluateEffectivePolicyAgreement(report, new Map([[SANDBOX_ACCOUNT, answer]]), parameters);
  const decision = outcome.report.decisions.find((candidate) => candidate.account.id === SANDBOX_ACCOUNT);
  return {
    verdict: `${decision?.compliance}: ${decision?.message}`,
    checks: outcome.checks.map((check) => check.kind),
    unchanged: outcome.report.decisions.filter((d) => d.account.id !== SANDBOX_ACCOUNT),
    before: report,
    after: outcome.report,
  };
}

describe('evaluateEffectivePolicyAgreement', () => {
  it.each<[string, OrgSpec, EffectivePolicyAnswer, RuleParameters, string]>([
    [
      'AWS gives default optOut, as the locked root does',
      org([LOCKED_ROOT]),
      DEFAULT_OUT,
      DEFAULT_RULE_PARAMETERS,
      'COMPLIANT: Opted out of all AI services by p-rootlocked on r-exam, locked under services, default, opt_out_policy.',
    ],
    [
      'AWS leaves out a key that a locked root kept the Sandbox policy from adding, so it follows default',
      org([LOCKED_ROOT, SANDBOX_LEX_IN]),
      DEFAULT_OUT,
      DEFAULT_RULE_PARAMETERS,
      'COMPLIANT: Opted out of all AI services by p-rootlocked on r-exam, locked under services, default, opt_out_policy.',
    ],
    [
      'AWS lists that key with the value it follows',
      org([LOCKED_ROOT, SANDBOX_LEX_IN]),
      content({ default: 'optOut', lex: 'optOut' }),
      DEFAULT_RULE_PARAMETERS,
      'COMPLIANT: Opted out of all AI services by p-rootlocked on r-exam, locked under services, default, opt_out_policy.',
    ],
    [
      'AWS agrees with an account that is not opted out',
      org([SEED_000_ROOT, SANDBOX_LEX_IN]),
      content({ default: 'optOut', lex: 'optIn' }),
      DEFAULT_LOCKS,
      'NON_COMPLIANT: Opted in: lex via p-sandlexin on ou-exam-33333333.',
    ],
    [
      'AWS agrees with neither default nor lex assigned',
      org([{ id: 'p-lexout', content: optOut('lex'), targets: [ROOT_ID] }]),
      content({ lex: 'optOut' }),
      { ...DEFAULT_RULE_PARAMETERS, requiredLocks: [] },
      "NON_COMPLIANT: No opt-out: the root's AI opt-out policies (p-lexout) do not assign optOut to default.",
    ],
    [
      'AWS answers for an account whose conflict is not its only doubt, and says nothing of the conflict',
      org([
        SEED_000_ROOT,
        SANDBOX_LEX_IN,
        SANDBOX_LEX_OUT,
        { id: 'p-pollyin', content: optIn('polly'), targets: [SANDBOX] },
      ]),
      content({ default: 'optOut', lex: 'optIn', polly: 'optIn' }),
      DEFAULT_LOCKS,
      'NON_COMPLIANT: Opted in: polly via p-pollyin on ou-exam-33333333. Unknown: lex: p-sandlexin, p-sandlexout on ou-exam-33333333 set different values; AWS picks by attachment order, which no API returns.',
    ],
  ])('keeps the decision when %s', (_name, spec, answer, parameters, expected) => {
    const result = crossChecked(spec, answer, parameters);
    expect(result.verdict).toBe(expected);
    expect(result.after.decisions).toEqual(result.before.decisions);
    expect(result.checks).toEqual(['agreed']);
  });

  it.each<[string, OrgSpec, EffectivePolicyAnswer, string]>([
    [
      'AWS gives default optIn',
      org([LOCKED_ROOT]),
      content({ default: 'optIn' }),
      `NON_COMPLIANT: Model and AWS disagree on account 333333333333: default: AWS optIn, this rule optOut via p-rootlocked on r-exam. ${MISREAD}`,
    ],
    [
      'AWS has no effective policy for the account',
      org([LOCKED_ROOT]),
      NONE,
      `NON_COMPLIANT: Model and AWS disagree on account 333333333333: AWS has no effective AI opt-out policy for it (EffectivePolicyNotFoundException); default: AWS not set, this rule optOut via p-rootlocked on r-exam. ${MISREAD}`,
    ],
    [
      'AWS lists a key no policy names',
      org([LOCKED_ROOT]),
      content({ default: 'optOut', lex: 'optOut' }),
      `NON_COMPLIANT: Model and AWS disagree on account 333333333333: lex: AWS optOut, yet no policy this rule read names it. ${MISREAD}`,
    ],
    [
      'AWS applied a change that the locked root should have kept out',
      org([LOCKED_ROOT, SANDBOX_LEX_IN]),
      content({ default: 'optOut', lex: 'optIn' }),
      `NON_COMPLIANT: Model and AWS disagree on account 333333333333: lex: AWS optIn, this rule optOut via p-rootlocked on r-exam. ${MISREAD}`,
    ],
    [
      'AWS assigns a key that this rule reads as assigned by nobody',
      org([{ id: 'p-lexout', content: optOut('lex'), targets: [ROOT_ID] }]),
      content({ default: 'optIn', lex: 'optOut' }),
      `NON_COMPLIANT: Model and AWS disagree on account 333333333333: default: AWS optIn, this rule not set. ${MISREAD}`,
    ],
    [
      'AWS answers in a shape this rule does not read',
      org([LOCKED_ROOT]),
      {
        kind: 'content',
        content: JSON.stringify({ services: { default: { opt_out_policy: { '@@assign': 'optOut' } } } }),
      },
      `NON_COMPLIANT: Unknown: AWS's effective AI opt-out policy of account 333333333333 is not in the shape this rule reads: services.default.opt_out_policy is {"@@assign":"optOut"}, not "optOut" or "optIn". ${MISREAD}`,
    ],
    [
      'AWS disagrees on a known key of an account whose only other doubt is a conflict',
      LEX_CONFLICT,
      content({ default: 'optIn', lex: 'optOut' }),
      `NON_COMPLIANT: Model and AWS disagree on account 333333333333: default: AWS optIn, this rule optOut via p-seed000 on r-exam. ${MISREAD}`,
    ],
    [
      'AWS has no effective policy for an account that opted lex in',
      org([SEED_000_ROOT, SANDBOX_LEX_IN]),
      NONE,
      `NON_COMPLIANT: Model and AWS disagree on account 333333333333: AWS has no effective AI opt-out policy for it (EffectivePolicyNotFoundException); default: AWS not set, this rule optOut via p-seed000 on r-exam; lex: AWS not set, this rule optIn via p-sandlexin on ou-exam-33333333. ${MISREAD}`,
    ],
  ])('reports NON_COMPLIANT and leaves the other accounts alone when %s', (_name, spec, answer, expected) => {
    const result = crossChecked(spec, answer, DEFAULT_LOCKS);
    expect(result.verdict).toBe(expected);
    expect(result.checks).toEqual(['disagreed']);
    expect(result.unchanged).toEqual(result.before.decisions.filter((d) => d.account.id !== SANDBOX_ACCOUNT));
    expect(result.after.compliance).toBe('NON_COMPLIANT');
  });

  it.each<[string, OrgSpec, EffectivePolicyAnswer, RuleParameters, string]>([
    [
      'AWS applies optOut to the conflicting key',
      LEX_CONFLICT,
      content({ default: 'optOut', lex: 'optOut' }),
      DEFAULT_LOCKS,
      "COMPLIANT: Opted out of all AI services per AWS's effective policy of account 333333333333, which settles what p-sandlexin, p-sandlexout on ou-exam-33333333 set differently: lex optOut. Make those policies agree, so that they alone prove it.",
    ],
    [
      'AWS leaves the conflicting key out, so that it follows default optOut',
      LEX_CONFLICT,
      DEFAULT_OUT,
      DEFAULT_LOCKS,
      "COMPLIANT: Opted out of all AI services per AWS's effective policy of account 333333333333, which settles what p-sandlexin, p-sandlexout on ou-exam-33333333 set differently: lex optOut. Make those policies agree, so that they alone prove it.",
    ],
    [
      'AWS applies optIn to a key AllowedOptInServices allows',
      LEX_CONFLICT,
      content({ default: 'optOut', lex: 'optIn' }),
      { ...DEFAULT_LOCKS, allowedOptInServices: ['lex'] },
      "COMPLIANT: Opted out of all AI services per AWS's effective policy of account 333333333333, which settles what p-sandlexin, p-sandlexout on ou-exam-33333333 set differently: lex optIn. Make those policies agree, so that they alone prove it.",
    ],
    [
      'AWS applies optIn to the conflicting key',
      LEX_CONFLICT,
      content({ default: 'optOut', lex: 'optIn' }),
      DEFAULT_LOCKS,
      "NON_COMPLIANT: Not opted out per AWS's effective policy of account 333333333333, which settles what p-sandlexin, p-sandlexout on ou-exam-33333333 set differently: lex optIn. Make those policies agree on optOut.",
    ],
    [
      'AWS settles a conflict on default, and a key that follows default',
      org([
        { id: 'p-rootsvc', content: LOCKED_SERVICES_ONLY, targets: [ROOT_ID] },
        {
          id: 'p-sanddefin',
          content: { services: { default: IN, lex: IN } },
          targets: [SANDBOX],
        },
        { id: 'p-sanddefout', content: optOut('default'), targets: [SANDBOX] },
      ]),
      DEFAULT_OUT,
      { ...DEFAULT_RULE_PARAMETERS, requiredLocks: ['services'] },
      "COMPLIANT: Opted out of all AI services per AWS's effective policy of account 333333333333, which settles what p-sanddefin, p-sanddefout on ou-exam-33333333 set differently: default optOut, lex optOut. Make those policies agree, so that they alone prove it.",
    ],
  ])('settles a conflict that is the only doubt when %s', (_name, spec, answer, parameters, expected) => {
    const result = crossChecked(spec, answer, parameters);
    expect(result.verdict).toBe(expected);
    expect(result.checks).toEqual(['settled']);
  });

  it('counts the verdicts again, and makes the organization COMPLIANT when AWS settles its one doubt', () => {
    const result = crossChecked(LEX_CONFLICT, DEFAULT_OUT, DEFAULT_LOCKS);
    expect(result.before).toMatchObject({
      compliance: 'NON_COMPLIANT',
      counts: { COMPLIANT: 1, NON_COMPLIANT: 1, NOT_APPLICABLE: 1 },
    });
    expect(result.after).toMatchObject({
      organizationId: 'o-exampleorgid',
      compliance: 'COMPLIANT',
      counts: { COMPLIANT: 2, NON_COMPLIANT: 0, NOT_APPLICABLE: 1 },
      unreadablePolicies: result.before.unreadablePolicies,
    });
  });

  it('compares the keys it knows, and nothing AWS says of those an unreadable policy leaves unknown', () => {
    const spec = org([SEED_000_ROOT, { id: 'p-broken01', content: '{"services":', targets: [SANDBOX] }]);
    const result = crossChecked(spec, content({ default: 'optOut', lex: 'optIn', polly: 'optOut' }), DEFAULT_LOCKS);
    expect(result.verdict).toMatch(/^NON_COMPLIANT: Unknown: any other service: p-broken01 on ou-exam-33333333 /);
    expect(result.checks).toEqual(['agreed']);
    expect(result.after.decisions).toEqual(result.before.decisions);
  });

  it('leaves an account that is not ACTIVE, and an account without an answer, as they were', () => {
    const report = evaluatePosture(snapshotOf(LEX_CONFLICT), DEFAULT_LOCKS);
    const answers = new Map([[CLOSED_ACCOUNT, content({ default: 'optIn' })]]);
    const outcome = evaluateEffectivePolicyAgreement(report, answers, DEFAULT_LOCKS);
    expect(outcome).toEqual({ report, checks: [] });
  });

  it('answers for each account in the order of the report', () => {
    const report = evaluatePosture(snapshotOf(org([LOCKED_ROOT])), DEFAULT_RULE_PARAMETERS);
    const answers = new Map([
      [SANDBOX_ACCOUNT, NONE],
      [MANAGEMENT_ID, DEFAULT_OUT],
    ]);
    const outcome = evaluateEffectivePolicyAgreement(report, answers, DEFAULT_RULE_PARAMETERS);
    expect(outcome.checks).toEqual([
      { kind: 'agreed', accountId: MANAGEMENT_ID },
      {
        kind: 'disagreed',
        accountId: SANDBOX_ACCOUNT,
        reason: expect.objectContaining({ kind: 'modelDisagreesWithAws' }),
      },
    ]);
  });
});
