import type {
  GuardLevel,
  KeyValue,
  Lock,
  Setting,
  UncertainLock,
  UnknownCause,
  UnknownValue,
  UnreadablePolicyCause,
} from './effectiveOptOut';
import { formatKey } from './jsonKeys';
import type { AccountState, FeatureSet, PolicyTypeStatus } from './orgSnapshot';
import { type EffectivePolicyParseFailure, formatEffectivePolicyParseFailure } from './parseEffectivePolicy';
import {
  assertNever,
  CHILD_CONTROL_OPERATOR,
  DEFAULT_SERVICE_KEY,
  formatPolicyParseFailure,
  OPT_OUT_POLICY_KEY,
  type OptOutValue,
} from './parseOptOutPolicy';
import type { LockLevel } from './ruleParameters';

/** AWS Config's compliance types for PutEvaluations (INSUFFICIENT_DATA is not allowed there). */
export const COMPLIANCE_TYPES = ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'] as const;
export type ComplianceType = (typeof COMPLIANCE_TYPES)[number];

/** A service key whose effective value is not optOut (and not an allowed optIn). */
export interface Finding {
  readonly key: string;
  readonly value: Exclude<KeyValue, { kind: 'optOut' }>;
}

/** Two or more policies on one node that set a key differently (AWS picks by attachment order, which no API returns). */
export type ConflictCause = Extract<UnknownCause, { kind: 'conflict' }>;

/** A key's value in AWS's effective policy: the key's own, else `default`'s, else `unset` when neither is listed. */
export type AwsValue = OptOutValue | 'unset';

/** A key on which this rule's reading and AWS's effective policy differ. */
export interface Difference {
  readonly key: string;
  /** This rule's value: assigned, assigned by nobody, or `unnamed` when no policy it read names the key at all. */
  readonly model: Setting | { readonly kind: 'unset' } | { readonly kind: 'unnamed' };
  readonly aws: AwsValue;
}

/** A key that policies on one node set differently, with the value AWS's effective policy gives it. */
export interface SettledKey {
  readonly key: string;
  readonly cause: ConflictCause;
  readonly aws: AwsValue;
}

/** An account whose path sets default or a service key to something other than optOut, or leaves it in doubt. */
export interface NotOptedOut {
  readonly kind: 'notOptedOut';
  readonly findings: readonly Finding[];
  readonly unnamedServices: UnknownValue<UnreadablePolicyCause> | undefined;
}

/** Why an account got its verdict: the first check that failed, or what made it compliant. */
export type Reason =
  | {
      readonly kind: 'compliant';
      readonly rootId: string;
      readonly policyIds: readonly string[];
      readonly lockedLevels: readonly LockLevel[];
      readonly allowedOptIns: readonly string[];
    }
  | { readonly kind: 'notActive'; readonly state: Exclude<AccountState, 'ACTIVE'> }
  | { readonly kind: 'featureSetNotAll'; readonly organizationId: string; readonly featureSet: FeatureSet }
  | {
      readonly kind: 'policyTypeNotEnabled';
      readonly rootId: string;
      readonly status: Exclude<PolicyTypeStatus, 'ENABLED'> | 'absent';
    }
  | { readonly kind: 'noRootPolicy'; readonly rootId: string }
  | {
      readonly kind: 'rootDefaultNotOptOut';
      readonly rootId: string;
      readonly policyIds: readonly string[];
      readonly value: Finding['value'];
    }
  | {
      readonly kind: 'rootNotLocked';
      readonly rootId: string;
      readonly policyIds: readonly string[];
      readonly level: LockLevel;
      /** What the account's own path already sets to other than optOut, which the missing lock let through. */
      readonly notOptedOut?: NotOptedOut;
    }
  | { readonly kind: 'leftOrganization'; readonly accountId: string; readonly organizationId: string }
  | { readonly kind: 'invalidEffectivePolicy'; readonly accountId: string }
  | NotOptedOut
  | {
      readonly kind: 'modelDisagreesWithAws';
      readonly accountId: string;
      /** AWS has no effective AI opt-out policy for the account (EffectivePolicyNotFoundException). */
      readonly noEffectivePolicy: boolean;
      readonly differences: readonly Difference[];
    }
  | {
      readonly kind: 'unreadableEffectivePolicy';
      readonly accountId: string;
      readonly failure: EffectivePolicyParseFailure;
    }
  | {
      readonly kind: 'conflictSettledOptedOut';
      readonly accountId: string;
      /** Every key a conflict was the only doubt of; AWS gives each optOut, or optIn where allowed. */
      readonly settled: readonly SettledKey[];
    }
  | {
      readonly kind: 'conflictSettledNotOptedOut';
      readonly accountId: string;
      /** The keys a conflict was the only doubt of that AWS gives neither optOut nor an allowed optIn. */
      readonly settled: readonly SettledKey[];
    };

/** The verdict each reason stands for; a new kind of reason does not compile without one. */
export const REASON_COMPLIANCE: Readonly<Record<Reason['kind'], ComplianceType>> = {
  compliant: 'COMPLIANT',
  notActive: 'NOT_APPLICABLE',
  featureSetNotAll: 'NON_COMPLIANT',
  policyTypeNotEnabled: 'NON_COMPLIANT',
  noRootPolicy: 'NON_COMPLIANT',
  rootDefaultNotOptOut: 'NON_COMPLIANT',
  rootNotLocked: 'NON_COMPLIANT',
  notOptedOut: 'NON_COMPLIANT',
  // An earlier result for an account that is gone: it must not stay COMPLIANT or NON_COMPLIANT on the dashboard.
  leftOrganization: 'NOT_APPLICABLE',
  // AWS says the effective policy fails its validation and is not fully enforced: nothing the policies say holds.
  invalidEffectivePolicy: 'NON_COMPLIANT',
  // This rule's reading of AWS's merge is wrong somewhere, so nothing it proves holds for the account.
  modelDisagreesWithAws: 'NON_COMPLIANT',
  unreadableEffectivePolicy: 'NON_COMPLIANT',
  // AWS's own effective policy decides what attachment order left unknown; the locks still come from the policies.
  conflictSettledOptedOut: 'COMPLIANT',
  conflictSettledNotOptedOut: 'NON_COMPLIANT',
};

const LOCK_CONSEQUENCE: Readonly<Record<LockLevel, string>> = {
  services: 'so a child policy can opt a service in',
  default: 'so a child policy can change what default holds',
  opt_out_policy: 'so a child policy can opt default in',
};

const LEVEL_PATH = {
  services: () => 'services',
  entry: (key: string) => `services.${formatKey(key)}`,
  value: (key: string) => `services.${formatKey(key)}.${OPT_OUT_POLICY_KEY}`,
} as const;

function ids(policyIds: readonly string[]): string {
  return policyIds.join(', ');
}

function formatLock(lock: Lock, level: GuardLevel, key: string): string {
  const list = lock.kind === 'locked' ? '["@@none"]' : `the ${CHILD_CONTROL_OPERATOR} list (not ["@@none"])`;
  return `${list} under ${LEVEL_PATH[level](key)} in ${ids(lock.policyIds)} on ${lock.targetId}`;
}

function formatGuard(guard: Lock | UncertainLock, level: GuardLevel, key: string): string {
  if (guard.kind !== 'uncertainLock') return formatLock(guard, level, key);
  const { ancestor } = guard;
  const below =
    ancestor.kind === 'unreadablePolicy'
      ? `${ancestor.policyId} on ${ancestor.targetId} (not a valid AI opt-out policy)`
      : formatLock(ancestor, guard.ancestorLevel, key);
  return `${formatLock(guard.lock, level, key)}, set below ${below},`;
}

/** The cause in words, about the key it belongs to. */
function formatCause(cause: UnknownCause): string {
  switch (cause.kind) {
    case 'conflict':
      return `${ids(cause.policyIds)} on ${cause.targetId} set different values; AWS picks by attachment order, which no API returns`;
    case 'unreadablePolicy':
      return `${cause.policyId} on ${cause.targetId} is not a valid AI opt-out policy: ${formatPolicyParseFailure(cause.failure)}`;
    case 'undocumentedLock':
      return `${cause.policyId} on ${cause.targetId} changes it, and AWS does not document whether ${formatGuard(cause.lock, cause.level, cause.key)} stops that`;
    default:
      return assertNever(cause);
  }
}

/** The key a cause belongs to; none for an unreadable policy, which could have set any key. */
function causeKey(cause: UnknownCause): string | undefined {
  return cause.kind === 'unreadablePolicy' ? undefined : cause.key;
}

/** Says why a key's value is unknown, in words that name the policies to fix; a key that follows `default` says so. */
export function formatUnknownCause(key: string, cause: UnknownCause): string {
  const owner = causeKey(cause);
  const text = formatCause(cause);
  return owner === undefined || owner === key ? text : `follows ${formatKey(owner)}: ${text}`;
}

/** One clause per distinct cause, so that keys sharing a cause (say, following `default`) do not repeat it. */
function formatUnknowns(
  unknowns: readonly { label: string; key: string | undefined; cause: UnknownCause }[],
): string[] {
  const groups = new Map<string, { owner: string | undefined; text: string; labels: string[] }>();
  for (const { label, key, cause } of unknowns) {
    const owner = causeKey(cause);
    const text = formatCause(cause);
    const id = JSON.stringify([owner ?? null, text]);
    const group = groups.get(id) ?? { owner, text, labels: [] };
    groups.set(id, group);
    // The key the cause belongs to is named once, as the cause's subject.
    if (owner === undefined || key !== owner) group.labels.push(label);
  }
  return [...groups.values()].map(({ owner, text, labels }) => {
    if (owner === undefined) return `${labels.join(', ')}: ${text}`;
    const followers =
      labels.length === 0 ? '' : `; ${labels.join(', ')} follow${labels.length === 1 ? 's' : ''} ${formatKey(owner)}`;
    return `${formatKey(owner)}: ${text}${followers}`;
  });
}

function formatNotOptedOut({ findings, unnamedServices }: NotOptedOut): string {
  const optedIn: string[] = [];
  const unset: string[] = [];
  const unknowns: { label: string; key: string | undefined; cause: UnknownCause }[] = [];
  for (const { key, value } of findings) {
    if (value.kind === 'optIn') optedIn.push(`${formatKey(key)} via ${value.policyId} on ${value.targetId}`);
    else if (value.kind === 'unset') unset.push(formatKey(key));
    else unknowns.push({ label: formatKey(key), key, cause: value.cause });
  }
  if (unnamedServices !== undefined) {
    unknowns.push({ label: 'any other service', key: undefined, cause: unnamedServices.cause });
  }
  const unknown = formatUnknowns(unknowns);
  return [
    optedIn.length > 0 ? `Opted in: ${optedIn.join('; ')}.` : '',
    unset.length > 0 ? `Not opted out: nothing assigns ${unset.join(', ')} on this account's path.` : '',
    unknown.length > 0 ? `Unknown: ${unknown.join('; ')}.` : '',
  ]
    .filter((part) => part !== '')
    .join(' ');
}

const AWS_VALUE_TEXT: Readonly<Record<AwsValue, string>> = { optOut: 'optOut', optIn: 'optIn', unset: 'not set' };

/** What to do when this rule and AWS's effective policy do not fit together. */
const REPORT_MISREADING =
  "This rule misreads AWS's merge here: report it with the function's logs; until then the account counts as not opted out.";

function formatDifference({ key, model, aws }: Difference): string {
  const ours =
    model.kind === 'unnamed'
      ? 'yet no policy this rule read names it'
      : `this rule ${model.kind === 'unset' ? 'not set' : `${model.kind} via ${model.policyId} on ${model.targetId}`}`;
  return `${formatKey(key)}: AWS ${AWS_VALUE_TEXT[aws]}, ${ours}`;
}

/** The settled keys by conflict: `what p-a, p-b on ou-x set differently: lex optOut, polly optOut; and what …`. */
function formatSettled(settled: readonly SettledKey[]): string {
  const groups = new Map<string, string[]>();
  for (const { key, cause, aws } of settled) {
    const conflict = `${ids(cause.policyIds)} on ${cause.targetId}`;
    groups.set(conflict, [...(groups.get(conflict) ?? []), `${formatKey(key)} ${AWS_VALUE_TEXT[aws]}`]);
  }
  return [...groups]
    .map(([conflict, values]) => `what ${conflict} set differently: ${values.join(', ')}`)
    .join('; and ');
}

const STATUS_MESSAGES: Readonly<Record<Extract<Reason, { kind: 'policyTypeNotEnabled' }>['status'], string>> = {
  absent: 'is not enabled on root {root}, so no AI opt-out policy applies. Enable it on the root',
  PENDING_ENABLE: 'is still PENDING_ENABLE on root {root}; policies apply once it is ENABLED. Evaluate again later',
  PENDING_DISABLE: 'is PENDING_DISABLE on root {root}, which detaches every AI opt-out policy',
};

/** Says in plain words why an account got its verdict, with the ids a person needs to fix it. */
export function formatReason(reason: Reason): string {
  switch (reason.kind) {
    case 'compliant': {
      const locks = reason.lockedLevels.length > 0 ? `, locked under ${reason.lockedLevels.join(', ')}` : '';
      const allowed =
        reason.allowedOptIns.length > 0
          ? ` Opted in as allowed: ${reason.allowedOptIns.map(formatKey).join(', ')}.`
          : '';
      return `Opted out of all AI services by ${ids(reason.policyIds)} on ${reason.rootId}${locks}.${allowed}`;
    }
    case 'notActive':
      return `Account is ${reason.state}, so it is not evaluated.`;
    case 'featureSetNotAll':
      return `Organization ${reason.organizationId} has only ${reason.featureSet} features; AI opt-out policies need all features. Enable all features in AWS Organizations.`;
    case 'policyTypeNotEnabled':
      return `Not enabled: AISERVICES_OPT_OUT_POLICY ${STATUS_MESSAGES[reason.status].replace('{root}', reason.rootId)}.`;
    case 'noRootPolicy':
      return `No opt-out: no AI opt-out policy is attached to root ${reason.rootId}. Attach one that assigns optOut to default.`;
    case 'rootDefaultNotOptOut': {
      const value = reason.value;
      if (value.kind === 'optIn') return `Opted in: default via ${value.policyId} on ${value.targetId}.`;
      if (value.kind === 'unset') {
        return `No opt-out: the root's AI opt-out policies (${ids(reason.policyIds)}) do not assign optOut to default.`;
      }
      return `Unknown: default: ${formatUnknownCause(DEFAULT_SERVICE_KEY, value.cause)}.`;
    }
    case 'rootNotLocked': {
      const notLocked = `Not locked: no ["@@none"] under ${reason.level} in the root's AI opt-out policies (${ids(reason.policyIds)}), ${LOCK_CONSEQUENCE[reason.level]}.`;
      // What already got through comes first: it is what the account's content is exposed to now.
      return reason.notOptedOut === undefined ? notLocked : `${formatNotOptedOut(reason.notOptedOut)} ${notLocked}`;
    }
    case 'notOptedOut':
      return formatNotOptedOut(reason);
    case 'invalidEffectivePolicy':
      return `Unknown: AWS reports the effective AI opt-out policy of account ${reason.accountId} as invalid, so it is not fully enforced. See aws organizations list-effective-policy-validation-errors --account-id ${reason.accountId} --policy-type AISERVICES_OPT_OUT_POLICY.`;
    case 'leftOrganization':
      return `Account ${reason.accountId} is no longer in organization ${reason.organizationId}.`;
    case 'modelDisagreesWithAws': {
      const none = reason.noEffectivePolicy
        ? 'AWS has no effective AI opt-out policy for it (EffectivePolicyNotFoundException); '
        : '';
      return `Model and AWS disagree on account ${reason.accountId}: ${none}${reason.differences.map(formatDifference).join('; ')}. ${REPORT_MISREADING}`;
    }
    case 'unreadableEffectivePolicy':
      return `Unknown: AWS's effective AI opt-out policy of account ${reason.accountId} is not in the shape this rule reads: ${formatEffectivePolicyParseFailure(reason.failure)}. ${REPORT_MISREADING}`;
    case 'conflictSettledOptedOut':
      return `Opted out of all AI services per AWS's effective policy of account ${reason.accountId}, which settles ${formatSettled(reason.settled)}. Make those policies agree, so that they alone prove it.`;
    case 'conflictSettledNotOptedOut':
      return `Not opted out per AWS's effective policy of account ${reason.accountId}, which settles ${formatSettled(reason.settled)}. Make those policies agree on optOut.`;
    default:
      return assertNever(reason);
  }
}
