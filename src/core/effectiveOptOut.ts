import {
  type ChildControl,
  DEFAULT_SERVICE_KEY,
  type OptOutPolicyDocument,
  type OptOutValue,
  type PolicyParseFailure,
  type ServiceStatement,
} from './parseOptOutPolicy';
import type { Result } from './result';

/** A policy attached to a node, with its content already parsed. */
export interface AttachedPolicy {
  readonly policyId: string;
  readonly document: Result<OptOutPolicyDocument, PolicyParseFailure>;
}

/** The AI opt-out policies attached directly to one root, OU or account. */
export interface NodePolicies {
  readonly targetId: string;
  readonly policies: readonly AttachedPolicy[];
}

/** Where a `["@@none"]` (locked) or another operator list without `@@assign` (restricted) stands. */
export interface Lock {
  readonly kind: 'locked' | 'restricted';
  readonly targetId: string;
  readonly policyIds: readonly string[];
}

/** The three levels a child control can guard: adding service keys, a key's entry, and its value. */
export type GuardLevel = 'services' | 'entry' | 'value';

/** An unreadable policy: it could assign any key and lock any level it is allowed to reach. */
export interface UnreadablePolicyCause {
  readonly kind: 'unreadablePolicy';
  readonly targetId: string;
  readonly policyId: string;
  readonly failure: PolicyParseFailure;
}

/**
 * A `["@@none"]` a descendant added where a guard it inherits, at that level or an outer one, is not open: AWS does
 * not document whether the descendant may set it there, so it may or may not stop later changes.
 */
export interface UncertainLock {
  readonly kind: 'uncertainLock';
  readonly lock: Lock;
  /** The inherited guard that makes it uncertain, and the level it stands at (of the same key, or services). */
  readonly ancestorLevel: GuardLevel;
  readonly ancestor: Lock | UnreadablePolicyCause;
}

/**
 * Why a value is unknown to us; UNKNOWN is never COMPLIANT. `key` is the key whose entry holds the unknown: another
 * key that falls back to `default` shares `default`'s cause. An unreadable policy concerns every key alike.
 */
export type UnknownCause =
  | {
      readonly kind: 'conflict';
      readonly key: string;
      readonly targetId: string;
      readonly policyIds: readonly string[];
    }
  | UnreadablePolicyCause
  | {
      readonly kind: 'undocumentedLock';
      readonly key: string;
      readonly targetId: string;
      readonly policyId: string;
      readonly level: GuardLevel;
      readonly lock: Lock | UncertainLock;
    };

export interface UnknownValue<C extends UnknownCause = UnknownCause> {
  readonly kind: 'unknown';
  readonly cause: C;
}

/** A value a policy assigns, with the policy and the target it is attached to. */
export type Setting = {
  readonly [V in OptOutValue]: { readonly kind: V; readonly policyId: string; readonly targetId: string };
}[OptOutValue];

/** A service key's effective setting: assigned, assigned by nobody, or unknown. */
export type KeyValue = Setting | { readonly kind: 'unset' } | UnknownValue;

/** What an account's effective AI opt-out policy says, key by key. */
export interface EffectiveOptOut {
  readonly default: KeyValue;
  /** Every service key (other than `default`) that a policy on the account's path names, in key order. */
  readonly services: ReadonlyMap<string, KeyValue>;
  /** Set when an unreadable policy on the path could have added service keys nobody else names. */
  readonly unnamedServices: UnknownValue<UnreadablePolicyCause> | undefined;
}

type Guard =
  | { readonly kind: 'open' }
  | Lock
  | UncertainLock
  | { readonly kind: 'unknown'; readonly cause: UnreadablePolicyCause };
type ClosedGuard = Exclude<Guard, { readonly kind: 'open' }>;

interface Entry {
  readonly value: KeyValue;
  readonly entryGuard: Guard;
  readonly valueGuard: Guard;
}

/** The merged effect of the policies from the root down to one node, with what they let descendants change. */
export interface PathState {
  readonly servicesGuard: Guard;
  readonly entries: ReadonlyMap<string, Entry>;
  readonly unnamed: UnknownValue<UnreadablePolicyCause> | undefined;
  readonly named: ReadonlySet<string>;
}

const OPEN: Guard = { kind: 'open' };
const UNSET: KeyValue = { kind: 'unset' };
// A restriction an ancestor set cannot be lifted by a descendant: the strongest guard wins. An uncertain lock beats
// the guard that makes it uncertain, so that a change under it names both.
const GUARD_STRENGTH: Readonly<Record<Guard['kind'], number>> = {
  open: 0,
  restricted: 1,
  unknown: 1,
  uncertainLock: 2,
  locked: 3,
};

/** The state above the root: nothing assigned, nothing locked. */
export const EMPTY_PATH: PathState = { servicesGuard: OPEN, entries: new Map(), unnamed: undefined, named: new Set() };

function stronger(inherited: Guard, added: Guard): Guard {
  return GUARD_STRENGTH[added.kind] > GUARD_STRENGTH[inherited.kind] ? added : inherited;
}

function unknown<C extends UnknownCause>(cause: C): UnknownValue<C> {
  return { kind: 'unknown', cause };
}

function resolve(state: PathState, key: string): KeyValue {
  const entry = state.entries.get(key);
  if (entry !== undefined) return entry.value;
  if (state.unnamed !== undefined) return state.unnamed;
  return key === DEFAULT_SERVICE_KEY ? UNSET : resolve(state, DEFAULT_SERVICE_KEY);
}

function sameSetting(a: KeyValue, b: KeyValue): boolean {
  return (a.kind === 'optOut' || a.kind === 'optIn') && a.kind === b.kind;
}

/** The guard that several policies on one node put on a level: their operator lists intersect. */
function nodeGuard(targetId: string, controls: readonly { policyId: string; control: ChildControl }[]): Guard {
  for (const kind of ['locked', 'restricted'] as const) {
    const policyIds = controls.filter((c) => c.control === kind).map((c) => c.policyId);
    if (policyIds.length > 0) return { kind, targetId, policyIds };
  }
  return OPEN;
}

type Statements = [
  { policyId: string; statement: ServiceStatement },
  ...{ policyId: string; statement: ServiceStatement }[],
];

/** What the policies on one node assign to a key: one value, or unknown when they disagree. */
function proposal(targetId: string, [first, ...others]: Statements): Setting | UnknownValue {
  if (others.some((other) => other.statement.assign !== first.statement.assign)) {
    // Several policies on one node: AWS applies them in attachment order, which no API returns.
    const policyIds = [first, ...others].map((s) => s.policyId);
    return unknown({ kind: 'conflict', key: first.statement.key, targetId, policyIds });
  }
  return { kind: first.statement.assign, policyId: first.policyId, targetId };
}

/** The guards a key inherits, from its value outwards: a change or a lock at a level is subject to all that follow. */
function guardsOf(entry: Entry, servicesGuard: Guard): readonly [GuardLevel, Guard][] {
  return [
    ['value', entry.valueGuard],
    ['entry', entry.entryGuard],
    ['services', servicesGuard],
  ];
}

function firstClosed(guards: readonly [GuardLevel, Guard][]): [GuardLevel, ClosedGuard] | undefined {
  return guards.find((pair): pair is [GuardLevel, ClosedGuard] => pair[1].kind !== 'open');
}

/**
 * The guard a node's own lists put on a level, given the guards it inherits at that level and the outer ones:
 * a `["@@none"]` is certain only where they are all open (on the root, always).
 */
function addedGuard(guard: Guard, inherited: readonly [GuardLevel, Guard][]): Guard {
  const closed = firstClosed(inherited);
  if (guard.kind !== 'locked' || closed === undefined) return guard;
  const [ancestorLevel, ancestor] = closed;
  return {
    kind: 'uncertainLock',
    lock: guard,
    ancestorLevel,
    ancestor:
      ancestor.kind === 'unknown' ? ancestor.cause : ancestor.kind === 'uncertainLock' ? ancestor.lock : ancestor,
  };
}

/** Applies a change a node proposes to an inherited entry, honouring the locks its ancestors set. */
function change(key: string, entry: Entry, proposed: Setting | UnknownValue, servicesGuard: Guard): KeyValue {
  // Documented: a child's change that a lock under opt_out_policy forbids is not applied.
  if (entry.valueGuard.kind === 'locked') return entry.value;
  const closed = firstClosed(guardsOf(entry, servicesGuard));
  if (closed === undefined) return proposed;
  // Undocumented: whether a lock on an outer level, a list other than ["@@none"], a lock an unreadable policy may
  // have set, or one set beneath such a guard stops this change. Either outcome is possible, so only a change to the
  // same setting is certain.
  if (sameSetting(entry.value, proposed)) return entry.value;
  if (proposed.kind === 'unknown') return proposed;
  const [level, guard] = closed;
  if (guard.kind === 'unknown') return unknown(guard.cause);
  return unknown({
    kind: 'undocumentedLock',
    key,
    targetId: proposed.targetId,
    policyId: proposed.policyId,
    level,
    lock: guard,
  });
}

/**
 * Merges the policies attached to one node into the state inherited from its parent (EMPTY_PATH for the root).
 * Pure; the result is shared by every descendant.
 */
export function applyNode(state: PathState, node: NodePolicies): PathState {
  const { targetId } = node;
  const readable: { policyId: string; document: OptOutPolicyDocument }[] = [];
  let wildcard: UnknownValue<UnreadablePolicyCause> | undefined;
  for (const { policyId, document } of node.policies) {
    if (document.ok) {
      readable.push({ policyId, document: document.value });
    } else {
      wildcard ??= unknown({ kind: 'unreadablePolicy', targetId, policyId, failure: document.error });
    }
  }
  const unknownGuard: Guard = wildcard === undefined ? OPEN : wildcard;

  const statementsByKey = new Map<string, Statements>();
  for (const { policyId, document } of readable) {
    for (const statement of document.statements) {
      const statements = statementsByKey.get(statement.key);
      if (statements === undefined) statementsByKey.set(statement.key, [{ policyId, statement }]);
      else statements.push({ policyId, statement });
    }
  }

  const proposals = new Map<string, Setting | UnknownValue>();
  for (const [key, statements] of statementsByKey) proposals.set(key, wildcard ?? proposal(targetId, statements));
  if (wildcard !== undefined) for (const key of state.entries.keys()) proposals.set(key, wildcard);

  const entries = new Map(state.entries);
  for (const [key, proposed] of proposals) {
    const inherited = state.entries.get(key);
    if (inherited === undefined && state.servicesGuard.kind === 'locked') continue; // Documented: no new service keys.
    // A key nobody named yet may have been added, with any value and locks, by an unreadable ancestor policy.
    const unnamedGuard: Guard = state.unnamed === undefined ? OPEN : state.unnamed;
    const current = inherited ?? { value: resolve(state, key), entryGuard: unnamedGuard, valueGuard: unnamedGuard };
    entries.set(key, { ...current, value: change(key, current, proposed, state.servicesGuard) });
  }

  const lockOf = (key: string, level: 'entryControl' | 'valueControl') =>
    nodeGuard(
      targetId,
      (statementsByKey.get(key) ?? []).map(({ policyId, statement }) => ({ policyId, control: statement[level] })),
    );
  // Each entry still holds the guards it inherited; this node's own lists are added under them.
  for (const [key, entry] of entries) {
    const inherited = guardsOf(entry, state.servicesGuard);
    entries.set(key, {
      value: entry.value,
      entryGuard: stronger(
        stronger(entry.entryGuard, unknownGuard),
        addedGuard(lockOf(key, 'entryControl'), inherited.slice(1)),
      ),
      valueGuard: stronger(
        stronger(entry.valueGuard, unknownGuard),
        addedGuard(lockOf(key, 'valueControl'), inherited),
      ),
    });
  }
  const servicesLock = nodeGuard(
    targetId,
    readable.map(({ policyId, document }) => ({ policyId, control: document.servicesControl })),
  );
  return {
    servicesGuard: stronger(
      stronger(state.servicesGuard, unknownGuard),
      addedGuard(servicesLock, [['services', state.servicesGuard]]),
    ),
    entries,
    unnamed: state.unnamed ?? (state.servicesGuard.kind === 'locked' ? undefined : wildcard),
    named: new Set([...state.named, ...statementsByKey.keys()]),
  };
}

/** Which of the three levels of `default` carry exactly `["@@none"]` in a state (used on the root's own state). */
export function lockedLevels(state: PathState): {
  readonly services: boolean;
  readonly default: boolean;
  readonly opt_out_policy: boolean;
} {
  const entry = state.entries.get(DEFAULT_SERVICE_KEY);
  return {
    services: state.servicesGuard.kind === 'locked',
    default: entry?.entryGuard.kind === 'locked',
    opt_out_policy: entry?.valueGuard.kind === 'locked',
  };
}

/** Reads an account's effective setting for `default` and every service key named on its path. */
export function toEffectiveOptOut(state: PathState): EffectiveOptOut {
  const keys = [...state.named].filter((key) => key !== DEFAULT_SERVICE_KEY).sort();
  return {
    default: resolve(state, DEFAULT_SERVICE_KEY),
    services: new Map(keys.map((key) => [key, resolve(state, key)])),
    unnamedServices: state.unnamed,
  };
}
