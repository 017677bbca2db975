import { evaluatePosture } from './evaluatePosture';
import { AI_OPT_OUT_POLICY_TYPE, type OrgSnapshot, type Policy } from './orgSnapshot';
import { assertNever, parseOptOutPolicy } from './parseOptOutPolicy';
import type { Reason } from './reason';
import { fail, ok, type Result } from './result';
import { DEFAULT_RULE_PARAMETERS } from './ruleParameters';

/**
 * AWS's fully locked AI services opt-out policy (Example 1 of the AI opt-out policy syntax page): every AI service
 * opted out through `default`, and `["@@none"]` under `services`, `default` and `opt_out_policy`, so that no OU or
 * account policy can opt anything back in. The one place this project spells it out.
 */
export const LOCKED_OPT_OUT_POLICY = {
  services: {
    '@@operators_allowed_for_child_policies': ['@@none'],
    default: {
      '@@operators_allowed_for_child_policies': ['@@none'],
      opt_out_policy: { '@@operators_allowed_for_child_policies': ['@@none'], '@@assign': 'optOut' },
    },
  },
} as const;

/** `LOCKED_OPT_OUT_POLICY` as the `Content` string the remediation sends to CreatePolicy and UpdatePolicy. */
export const LOCKED_OPT_OUT_POLICY_CONTENT = JSON.stringify(LOCKED_OPT_OUT_POLICY);

/** The name of the policy the remediation creates, updates and attaches, unless told otherwise. */
export const DEFAULT_REMEDIATION_POLICY_NAME = 'ai-services-opt-out-locked';

/** The longest policy name Organizations accepts (CreatePolicy `Name`: 1 to 128 characters). */
export const MAX_POLICY_NAME_LENGTH = 128;

/** A character a policy name may hold here: printable ASCII (0x20-0x7E) except `"` (0x22) and `\` (0x5C). */
const POLICY_NAME_CHARACTER = /[\x20\x21\x23-\x5B\x5D-\x7E]/;

/**
 * The names `parsePolicyName` accepts, as a regular expression source; the runbook's and the template's allowedPattern
 * are this text. Organizations accepts any ASCII character (CreatePolicy `Name`), but the runbook writes the name into
 * a JSON Payload by text substitution, where a quote, a backslash or a control character could change the request.
 */
export const POLICY_NAME_PATTERN = `^${POLICY_NAME_CHARACTER.source}{1,${MAX_POLICY_NAME_LENGTH}}$`;

/**
 * The tag that marks the policy the remediation created (CreatePolicy `Tags`): key `managed-by`, value this project's
 * package name. The remediation updates and attaches only a policy of its name that carries it.
 */
export const REMEDIATION_OWNER_TAG = { key: 'managed-by', value: 'ai-opt-out-config-rule' } as const;

/**
 * Whether a policy carries REMEDIATION_OWNER_TAG: `owned` it does, `notOwned` it does not, `unknown` its tags could
 * not be read.
 */
export type PolicyOwnership = 'owned' | 'notOwned' | 'unknown';

/** The most AI opt-out policies AWS lets one root, OU or account have attached. */
export const MAX_POLICIES_PER_TARGET = 5;

/** Stands for the id of the policy that an earlier `createPolicy` step of the same plan creates. */
export const CREATED_POLICY_ID = 'created';

/** One change the remediation makes, in the order it makes them. */
export type RemediationStep =
  | { readonly kind: 'enablePolicyType'; readonly rootId: string }
  /** Poll ListRoots until AISERVICES_OPT_OUT_POLICY is ENABLED: EnablePolicyType is asynchronous. */
  | { readonly kind: 'waitForPolicyType'; readonly rootId: string }
  | { readonly kind: 'createPolicy'; readonly name: string; readonly content: string }
  | { readonly kind: 'updatePolicy'; readonly policyId: string; readonly name: string; readonly content: string }
  | { readonly kind: 'attachPolicy'; readonly policyId: string; readonly name: string; readonly rootId: string };

/** A problem the remediation does not fix, in words that name the ids a person needs. */
export type NeedsPerson =
  | {
      /** A policy has the remediation's name but is not proven to be its own: the remediation changes nothing. */
      readonly kind: 'policyNotOwned';
      readonly policyId: string;
      readonly policyName: string;
      readonly ownership: Exclude<PolicyOwnership, 'owned'>;
      readonly message: string;
    }
  | {
      readonly kind: 'tooManyRootPolicies';
      readonly rootId: string;
      /** The AI opt-out policies already attached to the root. */
      readonly policyIds: readonly string[];
      readonly message: string;
    }
  | {
      /** Why the accounts would still be NON_COMPLIANT after the steps (the rule's reason). */
      readonly kind: Reason['kind'];
      readonly message: string;
      readonly accountIds: readonly string[];
    };

/** What the remediation would do to an organization, and what it leaves to a person. */
export interface RemediationPlan {
  /** Empty when there is nothing the remediation may change. */
  readonly steps: readonly RemediationStep[];
  /** Empty when, after the steps, every ACTIVE account would be COMPLIANT with the default rule parameters. */
  readonly needsPerson: readonly NeedsPerson[];
}

/**
 * Checks a policy name: 1 to 128 characters, each printable ASCII other than `"` and `\` (POLICY_NAME_PATTERN).
 * Returns a one-line message that names the first character it refuses, and where.
 */
export function parsePolicyName(name: string): Result<string, string> {
  if (name.length === 0 || name.length > MAX_POLICY_NAME_LENGTH) {
    return fail(`A policy name must have 1 to ${MAX_POLICY_NAME_LENGTH} characters, got ${name.length}`);
  }
  const characters = [...name];
  const refused = characters.findIndex((character) => !POLICY_NAME_CHARACTER.test(character));
  if (refused >= 0) {
    return fail(
      `A policy name may hold only printable ASCII characters other than " and \\, got ${JSON.stringify(characters[refused])} at character ${refused + 1}`,
    );
  }
  return ok(name);
}

/** Sorts object keys at every level, so that two JSON values compare equal whatever their key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    // Keys of one object are distinct, so the comparison never has to return 0.
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return Object.fromEntries(entries.map(([key, item]) => [key, canonical(item)]));
  }
  return value;
}

const LOCKED_CANONICAL = JSON.stringify(canonical(LOCKED_OPT_OUT_POLICY));

/**
 * Whether a policy's raw content is the locked document. It must also be a valid opt-out policy, which rules out
 * text that is not JSON and duplicate keys that JSON.parse would silently drop (the rule reads those as unknown).
 */
export function isLockedOptOutContent(content: string): boolean {
  return parseOptOutPolicy(content).ok && JSON.stringify(canonical(JSON.parse(content))) === LOCKED_CANONICAL;
}

/** Says what a step does, for people. */
export function formatRemediationStep(step: RemediationStep): string {
  switch (step.kind) {
    case 'enablePolicyType':
      return `enable ${AI_OPT_OUT_POLICY_TYPE} on root ${step.rootId}`;
    case 'waitForPolicyType':
      return `wait until ${AI_OPT_OUT_POLICY_TYPE} is ENABLED on root ${step.rootId}`;
    case 'createPolicy':
      return `create policy ${JSON.stringify(step.name)} with the fully locked opt-out content`;
    case 'updatePolicy':
      return `replace the content of policy ${JSON.stringify(step.name)} (${step.policyId}) with the fully locked opt-out content`;
    case 'attachPolicy': {
      const id = step.policyId === CREATED_POLICY_ID ? 'once created' : step.policyId;
      return `attach policy ${JSON.stringify(step.name)} (${id}) to root ${step.rootId}`;
    }
    default:
      return assertNever(step);
  }
}

/**
 * The AI opt-out policy named `policyName`, if any: the only policy the remediation may update and attach, once its
 * tags show REMEDIATION_OWNER_TAG. There is at most one: CreatePolicy refuses a name taken (DuplicatePolicyException).
 */
export function findNamedPolicy(snapshot: OrgSnapshot, policyName: string): Policy | undefined {
  return snapshot.policies.find((policy) => policy.name === policyName);
}

/** Whether a policy carries REMEDIATION_OWNER_TAG, from its tags as ListTagsForResource returns them (`Tags`). */
export function toPolicyOwnership(
  tags: readonly { readonly Key?: string | undefined; readonly Value?: string | undefined }[],
): PolicyOwnership {
  const owned = tags.some(
    ({ Key, Value }) => Key === REMEDIATION_OWNER_TAG.key && Value === REMEDIATION_OWNER_TAG.value,
  );
  return owned ? 'owned' : 'notOwned';
}

const OWNERSHIP_MESSAGES: Readonly<Record<Exclude<PolicyOwnership, 'owned'>, (policy: Policy) => string>> = {
  notOwned: (policy) =>
    `Policy ${JSON.stringify(policy.name)} (${policy.id}) has the remediation's policy name but not its tag ${REMEDIATION_OWNER_TAG.key}=${REMEDIATION_OWNER_TAG.value}, so it may be someone else's; the remediation changed nothing. Run it with another policy name, or, if the remediation created this policy before it tagged its policies, tag it ${REMEDIATION_OWNER_TAG.key}=${REMEDIATION_OWNER_TAG.value}.`,
  unknown: (policy) =>
    `Cannot tell whether policy ${JSON.stringify(policy.name)} (${policy.id}) is the remediation's: its tags could not be read (allow organizations:ListTagsForResource on it); the remediation changed nothing.`,
};

/** The named policy as a problem for a person unless `ownership` proves it the remediation's. */
function notOwnedPolicy(policy: Policy, ownership: ReadonlyMap<string, PolicyOwnership>): NeedsPerson | undefined {
  const owner = ownership.get(policy.id) ?? 'unknown';
  if (owner === 'owned') return undefined;
  const message = OWNERSHIP_MESSAGES[owner](policy);
  return { kind: 'policyNotOwned', policyId: policy.id, policyName: policy.name, ownership: owner, message };
}

function policySteps(
  snapshot: OrgSnapshot,
  policy: Policy | undefined,
  policyName: string,
): {
  readonly steps: readonly RemediationStep[];
  readonly tooMany: NeedsPerson | undefined;
} {
  const rootId = snapshot.root.id;
  const steps: RemediationStep[] = [];
  if (policy === undefined) {
    steps.push({ kind: 'createPolicy', name: policyName, content: LOCKED_OPT_OUT_POLICY_CONTENT });
  } else if (!isLockedOptOutContent(policy.content)) {
    steps.push({ kind: 'updatePolicy', policyId: policy.id, name: policyName, content: LOCKED_OPT_OUT_POLICY_CONTENT });
  }
  if (policy?.targets.includes(rootId)) return { steps, tooMany: undefined };
  const onRoot = snapshot.policies.filter((other) => other.targets.includes(rootId)).map((other) => other.id);
  if (onRoot.length >= MAX_POLICIES_PER_TARGET) {
    // AttachPolicy would fail with ConstraintViolationException; making room means detaching a policy, which only a
    // person may decide. The policy is still created or updated, so that the next run only has to attach it.
    const message = `Root ${rootId} already has ${onRoot.length} AI opt-out policies attached (${onRoot.join(', ')}), the most AWS allows: detach one of them, then run the remediation again to attach ${JSON.stringify(policyName)}.`;
    return { steps, tooMany: { kind: 'tooManyRootPolicies', rootId, policyIds: onRoot, message } };
  }
  steps.push({ kind: 'attachPolicy', policyId: policy?.id ?? CREATED_POLICY_ID, name: policyName, rootId });
  return { steps, tooMany: undefined };
}

/** The id a policy that the plan creates has in a simulated snapshot, worded for the messages that may name it. */
function simulatedPolicyId(name: string): string {
  return `${JSON.stringify(name)} (to be created)`;
}

/**
 * The snapshot as it would be after the steps: the policy type ENABLED, the named policy created or updated, and
 * attached. Pure; a created policy gets a placeholder id that reads well in messages.
 */
export function toRemediatedSnapshot(snapshot: OrgSnapshot, steps: readonly RemediationStep[]): OrgSnapshot {
  return steps.reduce(applyStep, snapshot);
}

function applyStep(snapshot: OrgSnapshot, step: RemediationStep): OrgSnapshot {
  const withPolicy = (policyId: string, change: (policy: Policy) => Policy): OrgSnapshot => ({
    ...snapshot,
    policies: snapshot.policies.map((policy) => (policy.id === policyId ? change(policy) : policy)),
  });
  switch (step.kind) {
    case 'enablePolicyType':
    case 'waitForPolicyType':
      return {
        ...snapshot,
        root: {
          ...snapshot.root,
          policyTypes: [
            ...snapshot.root.policyTypes.filter((summary) => summary.type !== AI_OPT_OUT_POLICY_TYPE),
            { type: AI_OPT_OUT_POLICY_TYPE, status: 'ENABLED' },
          ],
        },
      };
    case 'createPolicy': {
      const created = { id: simulatedPolicyId(step.name), name: step.name, content: step.content, targets: [] };
      return { ...snapshot, policies: [...snapshot.policies, created] };
    }
    case 'updatePolicy':
      return withPolicy(step.policyId, (policy) => ({ ...policy, content: step.content }));
    case 'attachPolicy': {
      const policyId = step.policyId === CREATED_POLICY_ID ? simulatedPolicyId(step.name) : step.policyId;
      return withPolicy(policyId, (policy) => ({ ...policy, targets: [...policy.targets, step.rootId] }));
    }
    default:
      return assertNever(step);
  }
}

/** Every account the rule would still find NON_COMPLIANT, grouped by the message that says why. */
function stillNonCompliant(snapshot: OrgSnapshot): NeedsPerson[] {
  const byMessage = new Map<string, { kind: Reason['kind']; message: string; accountIds: string[] }>();
  for (const decision of evaluatePosture(snapshot, DEFAULT_RULE_PARAMETERS).decisions) {
    if (decision.compliance !== 'NON_COMPLIANT') continue;
    const known = byMessage.get(decision.message);
    if (known === undefined) {
      byMessage.set(decision.message, {
        kind: decision.reason.kind,
        message: decision.message,
        accountIds: [decision.account.id],
      });
    } else known.accountIds.push(decision.account.id);
  }
  return [...byMessage.values()];
}

/**
 * Plans what makes an organization compliant with the default rule parameters, touching nothing but the policy named
 * `policyName` and the policy type: enable AISERVICES_OPT_OUT_POLICY on the root (and wait for it), create the named
 * policy with the locked content or update its content if it differs, attach it to the root. Other policies are never
 * detached, deleted or edited. What the steps would not fix is found by applying them to the snapshot and evaluating
 * the result: every account still NON_COMPLIANT needs a person, with the reason the rule would give.
 * `ownership` says, by policy id, whether a policy carries REMEDIATION_OWNER_TAG; a policy it leaves out is unknown.
 * A policy of that name that is not proven `owned` gets no steps at all, and needs a person.
 * An organization without all features gets no steps: policies cannot apply there, and enabling all features needs
 * every member account's approval.
 */
export function planRemediation(
  snapshot: OrgSnapshot,
  policyName: string,
  ownership: ReadonlyMap<string, PolicyOwnership>,
): RemediationPlan {
  if (snapshot.organization.featureSet !== 'ALL') return { steps: [], needsPerson: stillNonCompliant(snapshot) };
  const policy = findNamedPolicy(snapshot, policyName);
  const notOwned = policy === undefined ? undefined : notOwnedPolicy(policy, ownership);
  if (notOwned !== undefined) return { steps: [], needsPerson: [notOwned, ...stillNonCompliant(snapshot)] };
  const rootId = snapshot.root.id;
  const status = snapshot.root.policyTypes.find((summary) => summary.type === AI_OPT_OUT_POLICY_TYPE)?.status;
  const typeSteps: RemediationStep[] =
    status === 'ENABLED'
      ? []
      : status === 'PENDING_ENABLE'
        ? [{ kind: 'waitForPolicyType', rootId }]
        : [
            { kind: 'enablePolicyType', rootId },
            { kind: 'waitForPolicyType', rootId },
          ];
  const { steps: policyChanges, tooMany } = policySteps(snapshot, policy, policyName);
  const steps = [...typeSteps, ...policyChanges];
  const after = toRemediatedSnapshot(snapshot, steps);
  return { steps, needsPerson: [...(tooMany === undefined ? [] : [tooMany]), ...stillNonCompliant(after)] };
}
