import fc from 'fast-check';
import type { EffectiveOptOut } from '../../src/core/effectiveOptOut';
import { evaluatePosture } from '../../src/core/evaluatePosture';
import { DEFAULT_RULE_PARAMETERS, LOCK_LEVELS } from '../../src/core/ruleParameters';
import { type OrgSpec, type PolicySpec, ROOT_ID, snapshotOf } from '../support/snapshotBuilder';

// Issue 8: a policy that only restates values already in force must not settle what was unknown. Small random
// organizations (root -> up to 4 OUs -> up to 4 accounts, up to 2 policies per node over three keys, every kind of
// child-control list, now and then an unreadable policy); for a NON_COMPLIANT account, an OU on its path gets one more
// policy that assigns values in force at that OU, with random lists. A ["@@none"] goes only where an ancestor's
// guard at that level or an outer one is not open: elsewhere it is a documented lock, which may rightly stop an
// opt-in below it. The root is left out (a policy there may rightly add the locks RequiredLocks asks of the root),
// and so is the account itself (a policy there has no descendant to bind).
const KEYS = ['default', 'lex', 'polly'] as const;
type Key = (typeof KEYS)[number];
type Level = 'services' | 'entry' | 'value';
type Control = 'absent' | 'none' | 'restricted' | 'open';
const CONTROL_LISTS: Readonly<Record<Exclude<Control, 'absent'>, readonly string[]>> = {
  none: ['@@none'],
  restricted: ['@@remove'],
  open: ['@@assign'],
};
const UNREADABLE = '{"services": ';

const control = fc.constantFrom<Control>('absent', 'absent', 'none', 'restricted', 'open');
const keyControls = fc.record({ entry: control, value: control });
const readable = fc.record({
  services: control,
  statements: fc.uniqueArray(
    fc.record({ key: fc.constantFrom(...KEYS), assign: fc.constantFrom('optOut', 'optIn'), controls: keyControls }),
    { selector: (statement) => statement.key, maxLength: 3 },
  ),
});
type Readable = typeof readable extends fc.Arbitrary<infer T> ? T : never;
type Policy = Readable | typeof UNREADABLE;
const policies = fc.array(
  fc.oneof({ weight: 9, arbitrary: readable }, { weight: 1, arbitrary: fc.constant<Policy>(UNREADABLE) }),
  { maxLength: 2 },
);
const child = fc.record({ parent: fc.nat(), policies });
const lockFirst = fc.constantFrom<Control>('none', 'none', 'absent', 'restricted', 'open');
const restatedKey = fc.option(fc.record({ entry: lockFirst, value: lockFirst }), { nil: undefined });
/** Which failing account, which OU on its path gets the restating policy, and which keys and lists it carries. */
const restatement = fc.record({
  account: fc.nat(),
  at: fc.nat(),
  services: lockFirst,
  keys: fc.record({ default: restatedKey, lex: restatedKey, polly: restatedKey }),
});
type Restatement = typeof restatement extends fc.Arbitrary<infer T> ? T : never;
const organization = fc.record({
  // The root's first policy assigns optOut to default, so that most accounts get as far as their own values.
  rootDefault: fc.record({ services: control, controls: keyControls }),
  root: policies,
  ous: fc.array(child, { minLength: 1, maxLength: 4 }),
  accounts: fc.array(child, { minLength: 1, maxLength: 4 }),
  requiredLocks: fc.subarray([...LOCK_LEVELS]),
  allowedOptInServices: fc.subarray(['lex', 'polly']),
  restatement,
});
type Organization = typeof organization extends fc.Arbitrary<infer T> ? T : never;

function withControl(level: Control, body: object): object {
  return level === 'absent' ? body : { '@@operators_allowed_for_child_policies': CONTROL_LISTS[level], ...body };
}

function toContent(policy: Policy): object | string {
  if (policy === UNREADABLE) return policy;
  const services = policy.statements.map(({ key, assign, controls }) => [
    key,
    withControl(controls.entry, { opt_out_policy: withControl(controls.value, { '@@assign': assign }) }),
  ]);
  return { services: withControl(policy.services, Object.fromEntries(services)) };
}

interface Tree {
  readonly spec: OrgSpec;
  /** Each node's ancestors, the root first. */
  readonly ancestors: ReadonlyMap<string, readonly string[]>;
  readonly policiesOn: ReadonlyMap<string, readonly Policy[]>;
  /** For each OU, the account whose effective values are the values in force there. */
  readonly probes: ReadonlyMap<string, string>;
}

function toTree(org: Organization): Tree {
  const ouId = (index: number) => `ou-exam-${String(index).padStart(8, '0')}`;
  const parentOf = (parent: number, count: number) =>
    parent % (count + 1) === 0 ? ROOT_ID : ouId(parent % (count + 1));
  const ous = org.ous.map((ou, i) => ({ id: ouId(i + 1), parentId: parentOf(ou.parent, i), policies: ou.policies }));
  const accounts = org.accounts.map((account, i) => ({
    id: `2000000000${String(i + 1).padStart(2, '0')}`,
    // Under an OU, so that there is somewhere to put the restating policy.
    parentId: ouId((account.parent % ous.length) + 1),
    policies: account.policies,
  }));
  // A policy-less account under each OU: what it gets is what is in force at the OU.
  const probeAccounts = ous.map((ou, i) => ({
    id: `9000000000${String(i + 1).padStart(2, '0')}`,
    parentId: ou.id,
    policies: [],
  }));
  const rootDefault: Policy = {
    services: org.rootDefault.services,
    statements: [{ key: 'default', assign: 'optOut', controls: org.rootDefault.controls }],
  };
  const ancestors = new Map<string, readonly string[]>([[ROOT_ID, []]]);
  const policiesOn = new Map<string, readonly Policy[]>([[ROOT_ID, [rootDefault, ...org.root]]]);
  for (const node of [...ous, ...accounts, ...probeAccounts]) {
    ancestors.set(node.id, [...(ancestors.get(node.parentId) ?? []), node.parentId]);
    policiesOn.set(node.id, node.policies);
  }
  const attached = [...policiesOn].flatMap(([target, list]) => list.map((policy) => ({ target, policy })));
  return {
    spec: {
      organizationalUnits: ous.map(({ id, parentId }) => ({ id, parentId })),
      accounts: [...accounts, ...probeAccounts].map(({ id, parentId }) => ({ id, parentId })),
      policies: attached.map(({ target, policy }, i) => ({
        id: `p-${String(i + 1).padStart(8, '0')}`,
        content: toContent(policy),
        targets: [target],
      })),
    },
    ancestors,
    policiesOn,
    probes: new Map(probeAccounts.map(({ id, parentId }) => [parentId, id])),
  };
}

/**
 * Whether an ancestor of `target` has an unreadable policy, or a list other than an open one at `level` of `key` or
 * at an outer level: then a ["@@none"] that `target` adds at `level` is one AWS does not document.
 */
function guardedAbove(tree: Tree, target: string, level: Level, key?: Key): boolean {
  const closed = (c: Control) => c === 'none' || c === 'restricted';
  return (tree.ancestors.get(target) ?? []).some((ancestor) =>
    (tree.policiesOn.get(ancestor) ?? []).some(
      (policy) =>
        policy === UNREADABLE ||
        closed(policy.services) ||
        (level !== 'services' &&
          policy.statements.some(
            (s) => s.key === key && (closed(s.controls.entry) || (level === 'value' && closed(s.controls.value))),
          )),
    ),
  );
}

/** A policy for `target` that assigns, for some keys, the very values in force there, with random lists. */
function restating(tree: Tree, target: string, inForce: EffectiveOptOut, plan: Restatement): PolicySpec {
  // A ["@@none"] below guards that are all open is a documented lock: it may rightly stop a descendant's change.
  const list = (c: Control, level: Level, key?: Key) =>
    c === 'none' && !guardedAbove(tree, target, level, key) ? 'absent' : c;
  const statements = KEYS.flatMap((key) => {
    const value = key === 'default' ? inForce.default : inForce.services.get(key);
    const controls = plan.keys[key];
    if (controls === undefined || (value?.kind !== 'optOut' && value?.kind !== 'optIn')) return [];
    const restated = { entry: list(controls.entry, 'entry', key), value: list(controls.value, 'value', key) };
    return [{ key, assign: value.kind, controls: restated }];
  });
  return {
    id: 'p-restating',
    content: toContent({ services: list(plan.services, 'services'), statements }),
    targets: [target],
  };
}

/** 2,000 organizations take a few seconds of CPU; a busy 2-core machine with coverage on may take many times that. */
const PROPERTY_TEST_TIMEOUT_MS = 120_000;

describe('a policy that restates the values in force where it is attached', () => {
  it(
    'never turns a NON_COMPLIANT account COMPLIANT, whatever ["@@none"] it adds under a guard that is not open',
    () => {
      fc.assert(
        fc.property(organization, (org) => {
          const tree = toTree(org);
          const parameters = {
            ...DEFAULT_RULE_PARAMETERS,
            requiredLocks: org.requiredLocks,
            allowedOptInServices: org.allowedOptInServices,
          };
          const before = evaluatePosture(snapshotOf(tree.spec), parameters);
          const effective = new Map(before.decisions.map((d) => [d.account.id, d.effective]));
          const ousAbove = (id: string) => (tree.ancestors.get(id) ?? []).slice(1);
          const failing = before.decisions.filter(
            (decision) => decision.compliance === 'NON_COMPLIANT' && ousAbove(decision.account.id).length > 0,
          );
          const account = failing[org.restatement.account % Math.max(failing.length, 1)]?.account;
          fc.pre(account !== undefined);
          const ous = ousAbove(account.id);
          const target = ous[org.restatement.at % ous.length];
          fc.pre(target !== undefined);
          const inForce = effective.get(tree.probes.get(target) ?? '');
          if (inForce === undefined) throw new Error(`nothing is known of what is in force at ${target}`);
          const added = restating(tree, target, inForce, org.restatement);
          const after = evaluatePosture(
            snapshotOf({ ...tree.spec, policies: [...(tree.spec.policies ?? []), added] }),
            parameters,
          ).decisions.find((decision) => decision.account.id === account.id);
          expect([account.id, after?.compliance]).toEqual([account.id, 'NON_COMPLIANT']);
        }),
        { seed: 20260801, numRuns: 2000 },
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );
});
