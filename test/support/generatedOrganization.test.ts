import { AI_OPT_OUT_POLICY_TYPE, type OrgSnapshot } from '../../src/core/orgSnapshot';
import { parseOrgSnapshot } from '../../src/core/parseOrgSnapshot';
import { generateOrganization, MAX_OU_DEPTH, MAX_POLICIES_PER_TARGET } from './generatedOrganization';
import { SEED_004_EXAMPLE_1 } from './policies';

const OPTIONS = { accounts: 60, organizationalUnits: 15, depth: 3, policies: 12 } as const;

/** How many OUs each OU sits under, the root's children being at level 1. */
function levels(model: OrgSnapshot): Map<string, number> {
  const parentOf = new Map(model.organizationalUnits.map((unit) => [unit.id, unit.parentId]));
  return new Map(
    model.organizationalUnits.map((unit) => {
      let level = 1;
      for (let at = unit.parentId; at !== model.root.id; at = parentOf.get(at) ?? model.root.id) level += 1;
      return [unit.id, level];
    }),
  );
}

describe('generateOrganization', () => {
  it('returns the same organization for the same seed and another one for another seed', () => {
    expect(generateOrganization({ ...OPTIONS, seed: 9 })).toEqual(generateOrganization({ ...OPTIONS, seed: 9 }));
    expect(generateOrganization({ ...OPTIONS, seed: 9 })).not.toEqual(generateOrganization({ ...OPTIONS, seed: 10 }));
  });

  it('builds a valid snapshot with the counts asked for, AWS-shaped unique ids and every account ACTIVE', () => {
    const model = generateOrganization(OPTIONS);

    expect(parseOrgSnapshot(model)).toEqual({ ok: true, value: model });
    expect(model.organizationalUnits).toHaveLength(OPTIONS.organizationalUnits);
    expect(model.accounts).toHaveLength(OPTIONS.accounts);
    expect(model.policies).toHaveLength(OPTIONS.policies + 1);
    expect(model.organization).toEqual({
      id: expect.stringMatching(/^o-[a-z0-9]{10}$/),
      featureSet: 'ALL',
      managementAccountId: model.accounts[0]?.id,
    });
    expect(model.accounts[0]).toEqual({
      id: expect.any(String),
      name: 'management',
      state: 'ACTIVE',
      parentId: model.root.id,
    });
    const rootSuffix = model.root.id.slice(2);
    expect(model.root.id).toMatch(/^r-[a-z0-9]{4}$/);
    for (const unit of model.organizationalUnits) expect(unit.id).toMatch(new RegExp(`^ou-${rootSuffix}-[a-z0-9]{8}$`));
    for (const account of model.accounts)
      expect(account).toMatchObject({ id: expect.stringMatching(/^\d{12}$/), state: 'ACTIVE' });
    for (const policy of model.policies) expect(policy.id).toMatch(/^p-[a-z0-9]{8}$/);
    const ids = [...model.organizationalUnits, ...model.accounts, ...model.policies].map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('nests OUs down to the depth asked for and no deeper', () => {
    for (const depth of [1, 3, MAX_OU_DEPTH]) {
      const model = generateOrganization({ ...OPTIONS, depth });

      expect(Math.max(...levels(model).values())).toBe(depth);
    }
  });

  it("puts AWS's fully locked Example 1 on the root and the other policies on OUs and accounts, at most five to one", () => {
    const model = generateOrganization(OPTIONS);
    const [rootPolicy, ...others] = model.policies;

    expect(rootPolicy).toMatchObject({ targets: [model.root.id] });
    expect(JSON.parse(rootPolicy?.content ?? '')).toEqual(SEED_004_EXAMPLE_1);
    const members = new Set([...model.organizationalUnits, ...model.accounts].map((item) => item.id));
    const perTarget = new Map<string, number>();
    for (const policy of others) {
      expect(policy.content.length).toBeLessThanOrEqual(2_500);
      expect(JSON.parse(policy.content)).toEqual({ services: expect.any(Object) });
      for (const target of policy.targets) {
        expect(members.has(target)).toBe(true);
        perTarget.set(target, (perTarget.get(target) ?? 0) + 1);
      }
    }
    expect(others.some((policy) => policy.targets.length > 0)).toBe(true);
    expect(Math.max(...perTarget.values())).toBeLessThanOrEqual(MAX_POLICIES_PER_TARGET);
  });

  it('keeps every target at five policies at most when there are more policies than room', () => {
    const model = generateOrganization({ accounts: 2, organizationalUnits: 0, depth: 1, policies: 30 });
    const counts = model.accounts.map(
      (account) => model.policies.filter((policy) => policy.targets.includes(account.id)).length,
    );

    expect(counts).toEqual([MAX_POLICIES_PER_TARGET, MAX_POLICIES_PER_TARGET]);
  });

  it('lists the asked number of distinct accounts with an invalid effective policy, none by default', () => {
    const model = generateOrganization({ ...OPTIONS, invalidEffectivePolicyAccounts: 4 });
    const accountIds = new Set(model.accounts.map((account) => account.id));

    expect(generateOrganization(OPTIONS).accountsWithInvalidEffectivePolicy).toEqual([]);
    expect(new Set(model.accountsWithInvalidEffectivePolicy).size).toBe(4);
    for (const id of model.accountsWithInvalidEffectivePolicy) expect(accountIds.has(id)).toBe(true);
  });

  it('enables the AI opt-out policy type on the root unless told another status or to leave it out', () => {
    const policyTypes = (aiOptOutPolicyType?: 'PENDING_ENABLE' | 'NOT_ENABLED') =>
      generateOrganization(aiOptOutPolicyType === undefined ? OPTIONS : { ...OPTIONS, aiOptOutPolicyType }).root
        .policyTypes;

    expect(policyTypes()).toEqual([
      { type: 'SERVICE_CONTROL_POLICY', status: 'ENABLED' },
      { type: AI_OPT_OUT_POLICY_TYPE, status: 'ENABLED' },
    ]);
    expect(policyTypes('PENDING_ENABLE')).toContainEqual({ type: AI_OPT_OUT_POLICY_TYPE, status: 'PENDING_ENABLE' });
    expect(policyTypes('NOT_ENABLED')).toEqual([{ type: 'SERVICE_CONTROL_POLICY', status: 'ENABLED' }]);
  });

  it('generates 10,000 accounts under 1,000 OUs', () => {
    const model = generateOrganization({ accounts: 10_000, organizationalUnits: 1_000, depth: 5, policies: 200 });

    expect(parseOrgSnapshot(model).ok).toBe(true);
    expect(model.accounts).toHaveLength(10_000);
    expect(model.organizationalUnits).toHaveLength(1_000);
  });

  it.each([
    ['no account', { accounts: 0 }],
    ['a fractional count', { organizationalUnits: 1.5 }],
    ['OUs deeper than AWS allows', { depth: MAX_OU_DEPTH + 1 }],
    ['a negative number of policies', { policies: -1 }],
    ['more invalid accounts than accounts', { invalidEffectivePolicyAccounts: OPTIONS.accounts + 1 }],
  ])('refuses %s', (_, change) => {
    expect(() => generateOrganization({ ...OPTIONS, ...change })).toThrow(RangeError);
  });
});
