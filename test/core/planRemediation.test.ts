import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluatePosture } from '../../src/core/evaluatePosture';
import type { OrgSnapshot } from '../../src/core/orgSnapshot';
import { parseOrgSnapshot } from '../../src/core/parseOrgSnapshot';
import {
  CREATED_POLICY_ID,
  DEFAULT_REMEDIATION_POLICY_NAME,
  findNamedPolicy,
  formatRemediationStep,
  isLockedOptOutContent,
  LOCKED_OPT_OUT_POLICY,
  LOCKED_OPT_OUT_POLICY_CONTENT,
  MAX_POLICIES_PER_TARGET,
  MAX_POLICY_NAME_LENGTH,
  type NeedsPerson,
  POLICY_NAME_PATTERN,
  type PolicyOwnership,
  parsePolicyName,
  planRemediation,
  REMEDIATION_OWNER_TAG,
  type RemediationStep,
  toPolicyOwnership,
  toRemediatedSnapshot,
} from '../../src/core/planRemediation';
import { DEFAULT_RULE_PARAMETERS } from '../../src/core/ruleParameters';
import { optIn, SEED_000, SEED_001, SEED_004_EXAMPLE_1 } from '../support/policies';
import { MANAGEMENT_ID, ORG_ID, type OrgSpec, type PolicySpec, ROOT_ID, snapshotOf } from '../support/snapshotBuilder';

const SANDBOX = 'ou-exam-33333333';
const SANDBOX_ACCOUNT = '333333333333';
const SUSPENDED_ACCOUNT = '444444444444';
// snapshotOf names each policy `policy-<id>`: the remediation's own policy is the one with this id.
const OURS = 'p-ours';
const NAME = `policy-${OURS}`;
const LOCKED = JSON.stringify(SEED_004_EXAMPLE_1);
const ACTIVE_ACCOUNTS = [MANAGEMENT_ID, SANDBOX_ACCOUNT];
/** The remediation's own policy carries its tag. */
const OWNED: ReadonlyMap<string, PolicyOwnership> = new Map([[OURS, 'owned']]);

/** The management account on the root, one account in Sandbox, one suspended account in Sandbox. */
function org(policies: readonly PolicySpec[], extra: Omit<OrgSpec, 'policies'> = {}): OrgSnapshot {
  return snapshotOf({
    organizationalUnits: [{ id: SANDBOX, parentId: ROOT_ID, name: 'Sandbox' }],
    accounts: [
      { id: SANDBOX_ACCOUNT, parentId: SANDBOX },
      { id: SUSPENDED_ACCOUNT, parentId: SANDBOX, state: 'SUSPENDED' },
    ],
    policies,
    ...extra,
  });
}

const ENABLE_TYPE: RemediationStep = { kind: 'enablePolicyType', rootId: ROOT_ID };
const WAIT: RemediationStep = { kind: 'waitForPolicyType', rootId: ROOT_ID };
const ENABLE: readonly RemediationStep[] = [ENABLE_TYPE, WAIT];
const CREATE: RemediationStep = { kind: 'createPolicy', name: NAME, content: LOCKED_OPT_OUT_POLICY_CONTENT };
const ATTACH_CREATED: RemediationStep = {
  kind: 'attachPolicy',
  policyId: CREATED_POLICY_ID,
  name: NAME,
  rootId: ROOT_ID,
};
const UPDATE: RemediationStep = {
  kind: 'updatePolicy',
  policyId: OURS,
  name: NAME,
  content: LOCKED_OPT_OUT_POLICY_CONTENT,
};
const ATTACH_OURS: RemediationStep = { kind: 'attachPolicy', policyId: OURS, name: NAME, rootId: ROOT_ID };

/** Every id a step names, to check that a plan touches nothing but the policy type and the named policy. */
function idsTouched(steps: readonly RemediationStep[]): string[] {
  return steps.flatMap((step) => ('policyId' in step ? [step.policyId] : []));
}

describe('LOCKED_OPT_OUT_POLICY', () => {
  it('is Example 1 of AWS’s AI opt-out policy syntax page', () => {
    expect(LOCKED_OPT_OUT_POLICY).toEqual(SEED_004_EXAMPLE_1);
  });

  it('is sent as compact JSON within the 2,500 characters a policy may have', () => {
    expect(JSON.parse(LOCKED_OPT_OUT_POLICY_CONTENT)).toEqual(SEED_004_EXAMPLE_1);
    expect(LOCKED_OPT_OUT_POLICY_CONTENT).not.toMatch(/\s/);
    expect(LOCKED_OPT_OUT_POLICY_CONTENT.length).toBeLessThanOrEqual(2_500);
  });

  it('makes every active account COMPLIANT with the default rule parameters when it is the only root policy', () => {
    const snapshot = org([{ id: OURS, content: LOCKED_OPT_OUT_POLICY_CONTENT, targets: [ROOT_ID] }]);
    const report = evaluatePosture(snapshot, DEFAULT_RULE_PARAMETERS);
    expect(report.compliance).toBe('COMPLIANT');
  });
});

describe('isLockedOptOutContent', () => {
  const reordered = `{
    "services": {
      "default": {
        "opt_out_policy": { "@@assign": "optOut", "@@operators_allowed_for_child_policies": ["@@none"] },
        "@@operators_allowed_for_child_policies": ["@@none"]
      },
      "@@operators_allowed_for_child_policies": ["@@none"]
    }
  }\n`;

  it.each([
    ['the compact content', true, LOCKED_OPT_OUT_POLICY_CONTENT],
    ['the same document indented, with keys in another order', true, reordered],
    ['the same document with a trailing newline', true, `${JSON.stringify(SEED_004_EXAMPLE_1, null, 2)}\n`],
    ['seed 000 (no lock under services)', false, JSON.stringify(SEED_000)],
    ['lowercase optout', false, LOCKED.replace('optOut', 'optout')],
    [
      'an extra service key',
      false,
      JSON.stringify({
        services: { ...SEED_004_EXAMPLE_1.services, lex: { opt_out_policy: { '@@assign': 'optOut' } } },
      }),
    ],
    ['a lock list with two entries', false, LOCKED.replace('["@@none"]', '["@@none","@@none"]')],
    ['text that is not JSON', false, '{"services":'],
    // JSON.parse keeps the last of duplicate keys and would see the locked document; the rule reads it as unknown.
    ['the locked document after a duplicate services key', false, `{"services":{},${LOCKED.slice(1)}`],
  ])('reads %s as locked: %s', (_, expected, content) => {
    expect(isLockedOptOutContent(content)).toBe(expected);
  });
});

describe('parsePolicyName', () => {
  const printableAscii = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
  const allowed = printableAscii.replace('"', '').replace('\\', '');

  it.each([
    ['a', true],
    [DEFAULT_REMEDIATION_POLICY_NAME, true],
    ['x'.repeat(MAX_POLICY_NAME_LENGTH), true],
    ['name with spaces', true],
    [allowed, true],
    ['', false],
    ['x'.repeat(MAX_POLICY_NAME_LENGTH + 1), false],
    ['x", "dryRun": false, "policyName": "y', false],
    ['back\\slash', false],
    ['ünicode', false],
    ['new\nline', false],
    ['tab\there', false],
    ['del\u007f', false],
  ])('accepts %j: %s, as POLICY_NAME_PATTERN does', (name, valid) => {
    expect(parsePolicyName(name).ok).toBe(valid);
    expect(new RegExp(POLICY_NAME_PATTERN).test(name)).toBe(valid);
  });

  it('agrees with POLICY_NAME_PATTERN on every character from U+0000 to U+017F', () => {
    const pattern = new RegExp(POLICY_NAME_PATTERN);
    const disagreements = Array.from({ length: 0x180 }, (_, code) => `ab${String.fromCharCode(code)}`).filter(
      (name) => parsePolicyName(name).ok !== pattern.test(name),
    );
    expect(disagreements).toEqual([]);
  });

  it.each([
    ['', 'A policy name must have 1 to 128 characters, got 0'],
    ['x'.repeat(MAX_POLICY_NAME_LENGTH + 1), 'A policy name must have 1 to 128 characters, got 129'],
    ['ok"no', 'A policy name may hold only printable ASCII characters other than " and \\, got "\\"" at character 3'],
    ['çà', 'A policy name may hold only printable ASCII characters other than " and \\, got "ç" at character 1'],
  ])('says what is wrong with %j and where', (name, message) => {
    expect(parsePolicyName(name)).toEqual({ ok: false, error: message });
  });
});

describe('REMEDIATION_OWNER_TAG', () => {
  it('is managed-by with the package name as its value', () => {
    const { name } = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string };
    expect(REMEDIATION_OWNER_TAG).toEqual({ key: 'managed-by', value: name });
  });
});

describe('toPolicyOwnership', () => {
  const mark = { Key: REMEDIATION_OWNER_TAG.key, Value: REMEDIATION_OWNER_TAG.value };

  it.each<[string, readonly { Key?: string; Value?: string }[], PolicyOwnership]>([
    ['the tag among others', [{ Key: 'team', Value: 'security' }, mark], 'owned'],
    ['no tags', [], 'notOwned'],
    ['the key with another value', [{ ...mark, Value: 'someone-else' }], 'notOwned'],
    ['the key in another case', [{ ...mark, Key: 'Managed-By' }], 'notOwned'],
    ['the value under another key', [{ Key: 'owner', Value: REMEDIATION_OWNER_TAG.value }], 'notOwned'],
    ['a tag without a value', [{ Key: REMEDIATION_OWNER_TAG.key }], 'notOwned'],
  ])('reads %s as %s', (_, tags, ownership) => {
    expect(toPolicyOwnership(tags)).toBe(ownership);
  });
});

describe('findNamedPolicy', () => {
  it('finds the AI opt-out policy of that exact name, or none', () => {
    const snapshot = org([
      { id: 'p-other', content: SEED_000, targets: [] },
      { id: OURS, content: SEED_000, targets: [] },
    ]);
    expect(findNamedPolicy(snapshot, NAME)?.id).toBe(OURS);
    expect(findNamedPolicy(snapshot, NAME.toUpperCase())).toBeUndefined();
  });
});

describe('planRemediation on the example organizations', () => {
  const directory = 'events/organizations';
  const examples = new Map(
    readdirSync(directory)
      .filter((file) => file.endsWith('.json'))
      .map((file) => {
        const parsed = parseOrgSnapshot(JSON.parse(readFileSync(join(directory, file), 'utf8')));
        if (!parsed.ok) throw new Error(`${file}: ${parsed.error.message}`);
        return [file, parsed.value] as const;
      }),
  );
  const root = 'r-a1b2';
  const everyone = ['111111111111', '222222222222', '333333333333'];
  const create = {
    kind: 'createPolicy',
    name: DEFAULT_REMEDIATION_POLICY_NAME,
    content: LOCKED_OPT_OUT_POLICY_CONTENT,
  };
  const attachCreated = {
    kind: 'attachPolicy',
    policyId: CREATED_POLICY_ID,
    name: DEFAULT_REMEDIATION_POLICY_NAME,
    rootId: root,
  };

  it('covers every example file', () => {
    expect([...examples.keys()].sort()).toEqual([
      '01-locked-compliant.json',
      '02-seed-000-no-services-lock.json',
      '03-ou-opts-lex-in.json',
      '04-policy-type-pending.json',
      '05-lowercase-optout.json',
      '06-conflicting-root-policies.json',
    ]);
  });

  it.each<[string, string, readonly unknown[], readonly NeedsPerson[]]>([
    ['01-locked-compliant.json', DEFAULT_REMEDIATION_POLICY_NAME, [], []],
    // Seed 000 stays on the root beside the locked policy: both assign optOut, and the locks intersect.
    ['02-seed-000-no-services-lock.json', DEFAULT_REMEDIATION_POLICY_NAME, [create, attachCreated], []],
    // The lock under services added by the locked policy stops Sandbox's lex optIn: no person needed.
    ['03-ou-opts-lex-in.json', DEFAULT_REMEDIATION_POLICY_NAME, [create, attachCreated], []],
    [
      '04-policy-type-pending.json',
      DEFAULT_REMEDIATION_POLICY_NAME,
      [{ kind: 'waitForPolicyType', rootId: root }, create, attachCreated],
      [],
    ],
    // Another name: the lowercase policy is not the remediation's, so it stays on the root and stays unreadable.
    [
      '05-lowercase-optout.json',
      DEFAULT_REMEDIATION_POLICY_NAME,
      [create, attachCreated],
      [
        {
          kind: 'rootDefaultNotOptOut',
          message:
            'Unknown: default: p-lowercaseout on r-a1b2 is not a valid AI opt-out policy: @@assign under services.default.opt_out_policy is "optout", but only "optOut" or "optIn" work (case-sensitive).',
          accountIds: everyone,
        },
      ],
    ],
    // The same policy under its own name is the remediation's: its content is replaced.
    [
      '05-lowercase-optout.json',
      'ai-opt-out',
      [
        {
          kind: 'updatePolicy',
          policyId: 'p-lowercaseout',
          name: 'ai-opt-out',
          content: LOCKED_OPT_OUT_POLICY_CONTENT,
        },
      ],
      [],
    ],
    [
      '06-conflicting-root-policies.json',
      DEFAULT_REMEDIATION_POLICY_NAME,
      [],
      [
        {
          kind: 'rootDefaultNotOptOut',
          message:
            'Unknown: default: p-legacyoptin0, p-lockedoptout on r-a1b2 set different values; AWS picks by attachment order, which no API returns.',
          accountIds: everyone,
        },
      ],
    ],
  ])('plans %s with policy name %s', (file, policyName, steps, needsPerson) => {
    const snapshot = examples.get(file);
    if (snapshot === undefined) throw new Error(`no example ${file}`);
    // Every policy of the examples carries the remediation's tag here: these cases are about what the plan does.
    const plan = planRemediation(snapshot, policyName, new Map(snapshot.policies.map((p) => [p.id, 'owned'])));
    expect(plan).toEqual({ steps, needsPerson });
    const others = snapshot.policies.filter((policy) => policy.name !== policyName).map((policy) => policy.id);
    expect(idsTouched(plan.steps).filter((id) => others.includes(id))).toEqual([]);
  });
});

describe('planRemediation steps', () => {
  it.each<[string, OrgSnapshot, readonly RemediationStep[]]>([
    [
      'enables the type, waits, creates and attaches when the type is absent',
      org([], { aiPolicyType: 'absent' }),
      [...ENABLE, CREATE, ATTACH_CREATED],
    ],
    // Enabling while a disable is pending may be refused for a while; the executor retries.
    [
      'enables the type again when it is PENDING_DISABLE',
      org([], { aiPolicyType: 'PENDING_DISABLE' }),
      [...ENABLE, CREATE, ATTACH_CREATED],
    ],
    [
      'only waits when the type is PENDING_ENABLE',
      org([], { aiPolicyType: 'PENDING_ENABLE' }),
      [WAIT, CREATE, ATTACH_CREATED],
    ],
    [
      'creates and attaches when no policy has the name',
      org([{ id: 'p-other', content: SEED_000, targets: [SANDBOX] }]),
      [CREATE, ATTACH_CREATED],
    ],
    [
      'only attaches the named policy when its content is already locked',
      org([{ id: OURS, content: LOCKED, targets: [] }]),
      [ATTACH_OURS],
    ],
    [
      'only updates the named policy when it is attached with other content',
      org([{ id: OURS, content: SEED_000, targets: [ROOT_ID] }]),
      [UPDATE],
    ],
    [
      'updates and attaches the named policy when it is detached with other content',
      org([{ id: OURS, content: SEED_001, targets: [SANDBOX] }]),
      [UPDATE, ATTACH_OURS],
    ],
    [
      'updates the named policy when its content is not JSON',
      org([{ id: OURS, content: 'not json', targets: [ROOT_ID] }]),
      [UPDATE],
    ],
    [
      'plans nothing when the named policy is locked and attached',
      org([{ id: OURS, content: LOCKED, targets: [ROOT_ID, SANDBOX] }]),
      [],
    ],
    [
      'plans nothing when the named policy holds the locked document in another layout',
      org([{ id: OURS, content: JSON.stringify(SEED_004_EXAMPLE_1, null, 4), targets: [ROOT_ID] }]),
      [],
    ],
    [
      'attaches when the root has one policy less than the limit',
      org(
        Array.from({ length: MAX_POLICIES_PER_TARGET - 1 }, (_, i) => ({
          id: `p-other${i}`,
          content: SEED_000,
          targets: [ROOT_ID],
        })),
      ),
      [CREATE, ATTACH_CREATED],
    ],
    [
      'plans nothing when the named policy is one of five on the root',
      org([
        { id: OURS, content: LOCKED, targets: [ROOT_ID] },
        ...Array.from({ length: MAX_POLICIES_PER_TARGET - 1 }, (_, i) => ({
          id: `p-other${i}`,
          content: SEED_000,
          targets: [ROOT_ID],
        })),
      ]),
      [],
    ],
  ])('%s', (_, snapshot, steps) => {
    const plan = planRemediation(snapshot, NAME, OWNED);
    expect(plan.steps).toEqual(steps);
    expect(plan.needsPerson).toEqual([]);
    expect(idsTouched(plan.steps).every((id) => id === OURS || id === CREATED_POLICY_ID)).toBe(true);
  });
});

describe('planRemediation needsPerson', () => {
  const created = `"${NAME}" (to be created)`;

  it('lists another root policy that opts lex in, for every active account and not the suspended one', () => {
    const plan = planRemediation(org([{ id: 'p-rootlexin', content: optIn('lex'), targets: [ROOT_ID] }]), NAME, OWNED);
    expect(plan).toEqual({
      steps: [CREATE, ATTACH_CREATED],
      needsPerson: [
        { kind: 'notOptedOut', message: `Opted in: lex via p-rootlexin on ${ROOT_ID}.`, accountIds: ACTIVE_ACCOUNTS },
      ],
    });
  });

  it('lists a root policy that assigns optIn to default, naming the policy to be created in the conflict', () => {
    const legacy = { services: { default: { opt_out_policy: { '@@assign': 'optIn' } } } };
    const plan = planRemediation(org([{ id: 'p-legacy', content: legacy, targets: [ROOT_ID] }]), NAME, OWNED);
    expect(plan.needsPerson).toEqual([
      {
        kind: 'rootDefaultNotOptOut',
        message: `Unknown: default: ${created}, p-legacy on ${ROOT_ID} set different values; AWS picks by attachment order, which no API returns.`,
        accountIds: ACTIVE_ACCOUNTS,
      },
    ]);
  });

  it('lists an unreadable root policy', () => {
    const plan = planRemediation(org([{ id: 'p-broken', content: '{"services":', targets: [ROOT_ID] }]), NAME, OWNED);
    expect(plan.steps).toEqual([CREATE, ATTACH_CREATED]);
    expect(plan.needsPerson).toEqual([
      {
        kind: 'rootDefaultNotOptOut',
        message: expect.stringMatching(/^Unknown: default: p-broken on r-exam is not a valid AI opt-out policy: /),
        accountIds: ACTIVE_ACCOUNTS,
      },
    ]);
  });

  it.each([
    ['an OU policy', SANDBOX],
    ['an account policy', SANDBOX_ACCOUNT],
  ])('lists nothing for %s that opts lex in, as the lock under services stops it', (_, target) => {
    const snapshot = org([
      { id: 'p-seed000', content: SEED_000, targets: [ROOT_ID] },
      { id: 'p-lexin', content: optIn('lex'), targets: [target] },
    ]);
    expect(evaluatePosture(snapshot, DEFAULT_RULE_PARAMETERS).compliance).toBe('NON_COMPLIANT');
    expect(planRemediation(snapshot, NAME, OWNED)).toEqual({ steps: [CREATE, ATTACH_CREATED], needsPerson: [] });
  });

  it('plans no step for an organization with only consolidated billing and lists it once for every active account', () => {
    const plan = planRemediation(org([], { featureSet: 'CONSOLIDATED_BILLING', aiPolicyType: 'absent' }), NAME, OWNED);
    expect(plan).toEqual({
      steps: [],
      needsPerson: [
        {
          kind: 'featureSetNotAll',
          message: `Organization ${ORG_ID} has only CONSOLIDATED_BILLING features; AI opt-out policies need all features. Enable all features in AWS Organizations.`,
          accountIds: ACTIVE_ACCOUNTS,
        },
      ],
    });
  });

  it('creates but does not attach when five other policies are on the root, and says which', () => {
    const others = Array.from({ length: MAX_POLICIES_PER_TARGET }, (_, i) => `p-other${i}`);
    const plan = planRemediation(org(others.map((id) => ({ id, content: SEED_001, targets: [ROOT_ID] }))), NAME, OWNED);
    expect(plan.steps).toEqual([CREATE]);
    expect(plan.needsPerson).toEqual([
      {
        kind: 'tooManyRootPolicies',
        rootId: ROOT_ID,
        policyIds: others,
        message: `Root ${ROOT_ID} already has 5 AI opt-out policies attached (${others.join(', ')}), the most AWS allows: detach one of them, then run the remediation again to attach "${NAME}".`,
      },
      // Without the attachment nothing locks the root: the simulation says so too.
      {
        kind: 'rootNotLocked',
        message: `Not locked: no ["@@none"] under services in the root's AI opt-out policies (${others.join(', ')}), so a child policy can opt a service in.`,
        accountIds: ACTIVE_ACCOUNTS,
      },
    ]);
  });

  it('updates the named policy but does not attach it when five other policies are on the root', () => {
    const others = Array.from({ length: MAX_POLICIES_PER_TARGET }, (_, i) => `p-other${i}`);
    const plan = planRemediation(
      org([
        { id: OURS, content: SEED_000, targets: [] },
        ...others.map((id) => ({ id, content: LOCKED, targets: [ROOT_ID] })),
      ]),
      NAME,
      OWNED,
    );
    expect(plan.steps).toEqual([UPDATE]);
    expect(plan.needsPerson.map((item) => item.kind)).toEqual(['tooManyRootPolicies']);
  });
});

describe("planRemediation of a policy with the remediation's name that is not proven its own", () => {
  // The case of the issue: someone else's policy of the same name opts lex in and is attached to an OU.
  const foreign = org([
    { id: 'p-seed000', content: SEED_000, targets: [ROOT_ID] },
    { id: OURS, content: optIn('lex'), targets: [SANDBOX] },
  ]);
  const notLocked = `Not locked: no ["@@none"] under services in the root's AI opt-out policies (p-seed000), so a child policy can opt a service in.`;
  // The sandbox account, whose path opts lex in, is told so besides the missing lock.
  const rootNotLocked = [
    { kind: 'rootNotLocked', message: notLocked, accountIds: [MANAGEMENT_ID] },
    {
      kind: 'rootNotLocked',
      message: `Opted in: lex via ${OURS} on ${SANDBOX}. ${notLocked}`,
      accountIds: [SANDBOX_ACCOUNT],
    },
  ];

  it('changes nothing and needs a person when the policy lacks the tag', () => {
    expect(planRemediation(foreign, NAME, new Map([[OURS, 'notOwned']]))).toEqual({
      steps: [],
      needsPerson: [
        {
          kind: 'policyNotOwned',
          policyId: OURS,
          policyName: NAME,
          ownership: 'notOwned',
          message: `Policy "${NAME}" (${OURS}) has the remediation's policy name but not its tag managed-by=ai-opt-out-config-rule, so it may be someone else's; the remediation changed nothing. Run it with another policy name, or, if the remediation created this policy before it tagged its policies, tag it managed-by=ai-opt-out-config-rule.`,
        },
        ...rootNotLocked,
      ],
    });
  });

  it.each<[string, ReadonlyMap<string, PolicyOwnership>]>([
    ['its tags could not be read', new Map([[OURS, 'unknown']])],
    ['nobody read its tags', new Map()],
    ['only other policies are known', new Map([['p-seed000', 'owned']])],
  ])('changes nothing and needs a person when %s', (_, ownership) => {
    expect(planRemediation(foreign, NAME, ownership)).toEqual({
      steps: [],
      needsPerson: [
        {
          kind: 'policyNotOwned',
          policyId: OURS,
          policyName: NAME,
          ownership: 'unknown',
          message: `Cannot tell whether policy "${NAME}" (${OURS}) is the remediation's: its tags could not be read (allow organizations:ListTagsForResource on it); the remediation changed nothing.`,
        },
        ...rootNotLocked,
      ],
    });
  });

  it('does not even enable the policy type', () => {
    const disabled = org([{ id: OURS, content: LOCKED, targets: [] }], { aiPolicyType: 'absent' });
    const plan = planRemediation(disabled, NAME, new Map([[OURS, 'notOwned']]));
    expect(plan.steps).toEqual([]);
    expect(plan.needsPerson.map((item) => item.kind)).toEqual(['policyNotOwned', 'policyTypeNotEnabled']);
  });

  it('updates and attaches the same policy once it carries the tag, leaving its OU attachment', () => {
    const plan = planRemediation(foreign, NAME, OWNED);
    expect(plan).toEqual({ steps: [UPDATE, ATTACH_OURS], needsPerson: [] });
    expect(toRemediatedSnapshot(foreign, plan.steps).policies[1]?.targets).toEqual([SANDBOX, ROOT_ID]);
  });

  it('creates its policy when the ownership of other policies is all it knows', () => {
    const plan = planRemediation(org([]), NAME, new Map([['p-other', 'notOwned']]));
    expect(plan.steps).toEqual([CREATE, ATTACH_CREATED]);
  });
});

describe('toRemediatedSnapshot', () => {
  it('applies every step kind without touching other policies', () => {
    const before = org(
      [
        { id: OURS, content: SEED_000, targets: [] },
        { id: 'p-other', content: SEED_001, targets: [SANDBOX] },
      ],
      { aiPolicyType: 'PENDING_DISABLE' },
    );
    const after = toRemediatedSnapshot(before, [...ENABLE, UPDATE, ATTACH_OURS]);
    expect(after.root.policyTypes).toEqual([
      { type: 'SERVICE_CONTROL_POLICY', status: 'ENABLED' },
      { type: 'AISERVICES_OPT_OUT_POLICY', status: 'ENABLED' },
    ]);
    expect(after.policies).toEqual([
      { id: OURS, name: NAME, content: LOCKED_OPT_OUT_POLICY_CONTENT, targets: [ROOT_ID] },
      before.policies[1],
    ]);
    expect(before.policies[0]?.content).toBe(JSON.stringify(SEED_000));
  });

  it('gives a created policy a placeholder id that the attachment of the created policy finds', () => {
    const after = toRemediatedSnapshot(org([]), [CREATE, ATTACH_CREATED]);
    expect(after.policies).toEqual([
      { id: `"${NAME}" (to be created)`, name: NAME, content: LOCKED_OPT_OUT_POLICY_CONTENT, targets: [ROOT_ID] },
    ]);
  });

  it('throws on a step kind it does not know', () => {
    expect(() => toRemediatedSnapshot(org([]), [{ kind: 'detachPolicy' } as never])).toThrow('Unhandled kind');
  });
});

describe('formatRemediationStep', () => {
  it.each<[string, RemediationStep, string]>([
    ['enablePolicyType', ENABLE_TYPE, 'enable AISERVICES_OPT_OUT_POLICY on root r-exam'],
    ['waitForPolicyType', WAIT, 'wait until AISERVICES_OPT_OUT_POLICY is ENABLED on root r-exam'],
    ['createPolicy', CREATE, `create policy "${NAME}" with the fully locked opt-out content`],
    ['updatePolicy', UPDATE, `replace the content of policy "${NAME}" (${OURS}) with the fully locked opt-out content`],
    ['attachPolicy', ATTACH_OURS, `attach policy "${NAME}" (${OURS}) to root r-exam`],
    ['attachPolicy of the created policy', ATTACH_CREATED, `attach policy "${NAME}" (once created) to root r-exam`],
  ])('describes %s', (_, step, text) => {
    expect(formatRemediationStep(step)).toBe(text);
  });

  it('throws on a step kind it does not know', () => {
    expect(() => formatRemediationStep({ kind: 'deletePolicy' } as never)).toThrow('Unhandled kind');
  });
});
