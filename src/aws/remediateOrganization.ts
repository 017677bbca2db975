import {
  AccessDeniedException,
  AttachPolicyCommand,
  ConcurrentModificationException,
  CreatePolicyCommand,
  DuplicatePolicyAttachmentException,
  DuplicatePolicyException,
  EnablePolicyTypeCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  type OrganizationsClient,
  PolicyChangesInProgressException,
  PolicyTypeAlreadyEnabledException,
  type Tag,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { AI_OPT_OUT_POLICY_TYPE, type OrgSnapshot } from '../core/orgSnapshot';
import { assertNever } from '../core/parseOptOutPolicy';
import {
  CREATED_POLICY_ID,
  findNamedPolicy,
  formatRemediationStep,
  type NeedsPerson,
  type PolicyOwnership,
  planRemediation,
  REMEDIATION_OWNER_TAG,
  type RemediationPlan,
  type RemediationStep,
  toPolicyOwnership,
} from '../core/planRemediation';
import {
  OrganizationsAccessDeniedError,
  OrganizationsBusyError,
  PolicyNameTakenError,
  PolicyNotOwnedError,
  PolicyTypeNotEnabledError,
  RemediationAccessDeniedError,
  RemediationFailedError,
} from '../errors';
import { readOrgSnapshot } from './readOrgSnapshot';
import { readPages } from './readPages';

/** How many times to try, and the first pause between tries in milliseconds; each pause doubles. */
export interface Backoff {
  readonly attempts: number;
  readonly delayMs: number;
}

/**
 * How long to wait for EnablePolicyType, which is asynchronous: 10 ListRoots reads, pauses from 1 s doubling up to
 * MAX_BACKOFF_DELAY_MS, about 2 minutes in all. AWS documents no duration.
 */
export const DEFAULT_WAIT_FOR: Backoff = { attempts: 10, delayMs: 1_000 };

/**
 * How often to send a write that Organizations refuses with PolicyChangesInProgressException or
 * ConcurrentModificationException ("retry later"; the SDK does not retry them): 5 attempts, pauses of 1, 2, 4, 8 s.
 */
export const DEFAULT_RETRY: Backoff = { attempts: 5, delayMs: 1_000 };

/** The longest pause between two tries, in milliseconds. */
export const MAX_BACKOFF_DELAY_MS = 20_000;

/** A description a policy the remediation creates carries (CreatePolicy `Description`, at most 512 characters). */
export const REMEDIATION_POLICY_DESCRIPTION =
  'Opts every account out of all AI services, locked so that no OU or account policy can opt back in. Created by the AI services opt-out remediation.';

/** Options of `remediateOrganization`. */
export interface RemediateOrganizationOptions {
  /** The name of the policy the remediation owns. */
  readonly policyName: string;
  /** Read and plan only: no write call is sent. */
  readonly dryRun: boolean;
  /** How long to wait for the policy type to become ENABLED; DEFAULT_WAIT_FOR if left out. */
  readonly waitFor?: Backoff;
  /** How to retry writes Organizations refuses for now; DEFAULT_RETRY if left out. */
  readonly retry?: Backoff;
  /** Pauses between tries; a timer if left out (tests pass one that does not wait). */
  readonly sleep?: Sleep;
}

/** Waits the given number of milliseconds. */
export type Sleep = (milliseconds: number) => Promise<void>;

/** A step the remediation executed, with what Organizations answered. */
export type DoneStep =
  | {
      readonly kind: 'enablePolicyType';
      readonly rootId: string;
      /** `alreadyEnabled`: PolicyTypeAlreadyEnabledException, someone else enabled it since the read. */
      readonly outcome: 'enabled' | 'alreadyEnabled';
    }
  | {
      readonly kind: 'waitForPolicyType';
      readonly rootId: string;
      /** The policy type is ENABLED: nothing was changed by waiting. */
      readonly outcome: 'ready';
      /** How many times ListRoots was read. */
      readonly checks: number;
    }
  | {
      readonly kind: 'createPolicy';
      readonly name: string;
      readonly policyId: string;
      /** `alreadyExisted`: DuplicatePolicyException, a concurrent run created it; its id was looked up by name. */
      readonly outcome: 'created' | 'alreadyExisted';
    }
  | { readonly kind: 'updatePolicy'; readonly name: string; readonly policyId: string; readonly outcome: 'updated' }
  | {
      readonly kind: 'attachPolicy';
      readonly name: string;
      readonly policyId: string;
      readonly rootId: string;
      /** `alreadyAttached`: DuplicatePolicyAttachmentException, it was attached since the read. */
      readonly outcome: 'attached' | 'alreadyAttached';
    };

/** What a remediation planned, did and left; plain JSON, as the runbook shows it. */
export interface RemediationResult {
  readonly organizationId: string;
  readonly policyName: string;
  readonly dryRun: boolean;
  /** Whether this run changed the organization (an outcome of enabled, created, updated or attached). */
  readonly changed: boolean;
  /** The steps planned from the first read. */
  readonly plan: readonly RemediationStep[];
  /** The steps executed, in order; empty on a dry run. */
  readonly done: readonly DoneStep[];
  /** What a plan from a read after the changes still has (empty when all took effect); on a dry run, the plan. */
  readonly remaining: readonly RemediationStep[];
  /** What a person must fix, from the latest plan. */
  readonly needsPerson: readonly NeedsPerson[];
  /** One line for people. */
  readonly summary: string;
}

/** Whether each outcome changed the organization; a new outcome does not compile without its answer. */
const CHANGED: Readonly<Record<DoneStep['outcome'], boolean>> = {
  enabled: true,
  alreadyEnabled: false,
  ready: false,
  created: true,
  alreadyExisted: false,
  updated: true,
  attached: true,
  alreadyAttached: false,
};

interface Settings {
  readonly waitFor: Backoff;
  readonly retry: Backoff;
  readonly sleep: Sleep;
}

/**
 * Makes an organization's AI opt-out posture compliant as far as it safely can: reads the organization and the tags of
 * the policy named `policyName`, plans with `planRemediation`, and unless `dryRun` executes the steps in order, then
 * reads again and plans again to report what remains. Creates its policy with REMEDIATION_OWNER_TAG, and updates or
 * attaches a policy of that name only when it carries the tag. Never detaches, deletes or edits another policy.
 * Idempotent: when there is nothing to do it sends no write.
 * Throws RemediationAccessDeniedError (naming the IAM action) or the reader's errors when the first read fails, and
 * RemediationFailedError (with what was done, and the cause: RemediationAccessDeniedError, OrganizationsBusyError,
 * PolicyTypeNotEnabledError, PolicyNameTakenError, PolicyNotOwnedError or an SDK error) when a step or the second read
 * fails.
 */
export async function remediateOrganization(
  client: OrganizationsClient,
  options: RemediateOrganizationOptions,
): Promise<RemediationResult> {
  const settings: Settings = {
    waitFor: options.waitFor ?? DEFAULT_WAIT_FOR,
    retry: options.retry ?? DEFAULT_RETRY,
    sleep: options.sleep ?? ((milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds))),
  };
  for (const [name, backoff] of [
    ['waitFor', settings.waitFor],
    ['retry', settings.retry],
  ] as const) {
    if (!Number.isInteger(backoff.attempts) || backoff.attempts < 1 || !(backoff.delayMs >= 0)) {
      throw new RangeError(`${name} needs a positive integer of attempts and a delay of 0 ms or more`);
    }
  }
  const { policyName, dryRun } = options;
  const { snapshot, plan } = await readAndPlan(client, policyName);
  const base = { organizationId: snapshot.organization.id, policyName, dryRun, plan: plan.steps };
  if (dryRun || plan.steps.length === 0) {
    const facts = { rootId: snapshot.root.id, policyName, dryRun, plan, done: [], changed: false, latest: plan };
    return {
      ...base,
      changed: false,
      done: [],
      remaining: plan.steps,
      needsPerson: plan.needsPerson,
      summary: formatSummary(facts),
    };
  }

  const done: DoneStep[] = [];
  let createdPolicyId: string | undefined;
  for (const step of plan.steps) {
    const resolved = resolveCreatedPolicy(step, createdPolicyId);
    try {
      const outcome = await execute(client, resolved, settings);
      done.push(outcome);
      if (outcome.kind === 'createPolicy') createdPolicyId = outcome.policyId;
    } catch (error) {
      throw new RemediationFailedError(formatRemediationStep(resolved), done.map(formatDoneStep), { cause: error });
    }
  }

  let after: { readonly snapshot: OrgSnapshot; readonly plan: RemediationPlan };
  try {
    after = await readAndPlan(client, policyName);
  } catch (error) {
    throw new RemediationFailedError('read the organization again to check the result', done.map(formatDoneStep), {
      cause: error,
    });
  }
  const latest = after.plan;
  const changed = done.some((step) => CHANGED[step.outcome]);
  return {
    ...base,
    changed,
    done,
    remaining: latest.steps,
    needsPerson: latest.needsPerson,
    summary: formatSummary({ rootId: after.snapshot.root.id, policyName, dryRun, plan, done, changed, latest }),
  };
}

/** Reads the organization and whether the policy named `policyName` is the remediation's, and plans. */
async function readAndPlan(
  client: OrganizationsClient,
  policyName: string,
): Promise<{ readonly snapshot: OrgSnapshot; readonly plan: RemediationPlan }> {
  const snapshot = await read(client);
  const named = findNamedPolicy(snapshot, policyName);
  const ownership = new Map<string, PolicyOwnership>();
  if (named !== undefined) ownership.set(named.id, await readOwnership(client, named.id));
  return { snapshot, plan: planRemediation(snapshot, policyName, ownership) };
}

/** Whether a policy carries REMEDIATION_OWNER_TAG, paging through ListTagsForResource (pages may be empty). */
async function readOwnership(client: OrganizationsClient, policyId: string): Promise<PolicyOwnership> {
  let tags: Tag[];
  try {
    tags = await readPages({
      action: 'organizations:ListTagsForResource',
      listName: 'Tags',
      requestPage: (NextToken) => client.send(new ListTagsForResourceCommand({ ResourceId: policyId, NextToken })),
      itemsOf: (page) => page.Tags,
      keyOf: (tag) => tag.Key,
    });
  } catch (error) {
    // Without its tags the policy cannot be told from someone else's of the same name: never read that as owned.
    if (error instanceof AccessDeniedException) return 'unknown';
    throw error;
  }
  return toPolicyOwnership(tags);
}

async function read(client: OrganizationsClient): Promise<OrgSnapshot> {
  try {
    return await readOrgSnapshot(client);
  } catch (error) {
    // The reader's message tells the rule's role what to allow; the remediation has a role of its own.
    if (error instanceof OrganizationsAccessDeniedError) {
      throw new RemediationAccessDeniedError(error.action, { cause: error });
    }
    throw error;
  }
}

function resolveCreatedPolicy(step: RemediationStep, createdPolicyId: string | undefined): RemediationStep {
  if (step.kind !== 'attachPolicy' || step.policyId !== CREATED_POLICY_ID) return step;
  // planRemediation puts createPolicy before the attachPolicy that needs its id.
  if (createdPolicyId === undefined) throw new Error('attachPolicy of a created policy came before createPolicy');
  return { ...step, policyId: createdPolicyId };
}

async function execute(client: OrganizationsClient, step: RemediationStep, settings: Settings): Promise<DoneStep> {
  const send = <T>(action: string, request: () => Promise<T>) => withRetry(action, request, settings);
  switch (step.kind) {
    case 'enablePolicyType': {
      const enabled = await tolerate(PolicyTypeAlreadyEnabledException, () =>
        send('organizations:EnablePolicyType', () =>
          client.send(new EnablePolicyTypeCommand({ RootId: step.rootId, PolicyType: AI_OPT_OUT_POLICY_TYPE })),
        ),
      );
      return { kind: step.kind, rootId: step.rootId, outcome: enabled === undefined ? 'alreadyEnabled' : 'enabled' };
    }
    case 'waitForPolicyType':
      return {
        kind: step.kind,
        rootId: step.rootId,
        outcome: 'ready',
        checks: await waitUntilEnabled(client, step.rootId, settings),
      };
    case 'createPolicy': {
      const created = await tolerate(DuplicatePolicyException, () =>
        send('organizations:CreatePolicy', () =>
          client.send(
            new CreatePolicyCommand({
              Type: AI_OPT_OUT_POLICY_TYPE,
              Name: step.name,
              Description: REMEDIATION_POLICY_DESCRIPTION,
              Content: step.content,
              Tags: [{ Key: REMEDIATION_OWNER_TAG.key, Value: REMEDIATION_OWNER_TAG.value }],
            }),
          ),
        ),
      );
      if (created === undefined) {
        const policyId = await policyIdByName(client, step.name);
        // Whoever took the name since the read may not be this remediation: attach only a policy proven its own.
        const ownership = await readOwnership(client, policyId);
        if (ownership !== 'owned') {
          const tag = `${REMEDIATION_OWNER_TAG.key}=${REMEDIATION_OWNER_TAG.value}`;
          throw new PolicyNotOwnedError(step.name, policyId, ownership, tag);
        }
        return { kind: step.kind, name: step.name, policyId, outcome: 'alreadyExisted' };
      }
      const policyId = created.Policy?.PolicySummary?.Id;
      if (policyId === undefined)
        throw new Error(`CreatePolicy returned no policy id for ${JSON.stringify(step.name)}`);
      return { kind: step.kind, name: step.name, policyId, outcome: 'created' };
    }
    case 'updatePolicy':
      // Content only: the name stays, and a description a person wrote is kept.
      await send('organizations:UpdatePolicy', () =>
        client.send(new UpdatePolicyCommand({ PolicyId: step.policyId, Content: step.content })),
      );
      return { kind: step.kind, name: step.name, policyId: step.policyId, outcome: 'updated' };
    case 'attachPolicy': {
      const attached = await tolerate(DuplicatePolicyAttachmentException, () =>
        send('organizations:AttachPolicy', () =>
          client.send(new AttachPolicyCommand({ PolicyId: step.policyId, TargetId: step.rootId })),
        ),
      );
      const outcome = attached === undefined ? 'alreadyAttached' : 'attached';
      return { kind: step.kind, name: step.name, policyId: step.policyId, rootId: step.rootId, outcome };
    }
    default:
      return assertNever(step);
  }
}

/** Runs a request; an exception of the tolerated class means the change is already there, and gives undefined. */
async function tolerate<T>(
  tolerated: abstract new (...args: never[]) => Error,
  request: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof tolerated) return undefined;
    throw error;
  }
}

function backoffDelay(backoff: Backoff, attempt: number): number {
  return Math.min(backoff.delayMs * 2 ** (attempt - 1), MAX_BACKOFF_DELAY_MS);
}

/** Sends a write; retries it on "retry later" exceptions with backoff, and translates AccessDenied. */
async function withRetry<T>(action: string, request: () => Promise<T>, settings: Settings): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await request();
    } catch (error) {
      if (error instanceof AccessDeniedException) throw new RemediationAccessDeniedError(action, { cause: error });
      const busy =
        error instanceof PolicyChangesInProgressException || error instanceof ConcurrentModificationException;
      if (!busy) throw error;
      if (attempt >= settings.retry.attempts) {
        throw new OrganizationsBusyError(action, error.name, attempt, { cause: error });
      }
      await settings.sleep(backoffDelay(settings.retry, attempt));
    }
  }
}

/** Reads ListRoots until the policy type is ENABLED on the root; returns how many reads it took. */
async function waitUntilEnabled(client: OrganizationsClient, rootId: string, settings: Settings): Promise<number> {
  for (let check = 1; ; check += 1) {
    const status = await policyTypeStatus(client, rootId);
    if (status === 'ENABLED') return check;
    if (check >= settings.waitFor.attempts) throw new PolicyTypeNotEnabledError(rootId, status, check);
    await settings.sleep(backoffDelay(settings.waitFor, check));
  }
}

async function policyTypeStatus(client: OrganizationsClient, rootId: string): Promise<string> {
  const action = 'organizations:ListRoots';
  const roots = await denied(action, () =>
    readPages({
      action,
      listName: 'Roots',
      requestPage: (NextToken) => client.send(new ListRootsCommand({ NextToken })),
      itemsOf: (page) => page.Roots,
      keyOf: (root) => root.Id,
    }),
  );
  const root = roots.find((candidate) => candidate.Id === rootId);
  return root?.PolicyTypes?.find((summary) => summary.Type === AI_OPT_OUT_POLICY_TYPE)?.Status ?? 'absent';
}

/** The id of the AI opt-out policy named `name`, paging through ListPolicies (pages may be empty). */
async function policyIdByName(client: OrganizationsClient, name: string): Promise<string> {
  const action = 'organizations:ListPolicies';
  const policies = await denied(action, () =>
    readPages({
      action,
      listName: 'Policies',
      requestPage: (NextToken) => client.send(new ListPoliciesCommand({ Filter: AI_OPT_OUT_POLICY_TYPE, NextToken })),
      itemsOf: (page) => page.Policies,
      keyOf: (policy) => policy.Id,
    }),
  );
  const id = policies.find((policy) => policy.Name === name)?.Id;
  if (id === undefined) throw new PolicyNameTakenError(name);
  return id;
}

async function denied<T>(action: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof AccessDeniedException) throw new RemediationAccessDeniedError(action, { cause: error });
    throw error;
  }
}

function formatDoneStep(step: DoneStep): string {
  switch (step.kind) {
    case 'enablePolicyType':
      return step.outcome === 'enabled'
        ? `enabled ${AI_OPT_OUT_POLICY_TYPE} on root ${step.rootId}`
        : `${AI_OPT_OUT_POLICY_TYPE} was already enabled on root ${step.rootId}`;
    case 'waitForPolicyType':
      return `${AI_OPT_OUT_POLICY_TYPE} is ENABLED on root ${step.rootId} (${step.checks} check(s))`;
    case 'createPolicy':
      return step.outcome === 'created'
        ? `created policy ${JSON.stringify(step.name)} (${step.policyId}) with the fully locked opt-out content`
        : `policy ${JSON.stringify(step.name)} (${step.policyId}) already existed`;
    case 'updatePolicy':
      return `replaced the content of policy ${JSON.stringify(step.name)} (${step.policyId}) with the fully locked opt-out content`;
    case 'attachPolicy':
      return step.outcome === 'attached'
        ? `attached policy ${JSON.stringify(step.name)} (${step.policyId}) to root ${step.rootId}`
        : `policy ${JSON.stringify(step.name)} (${step.policyId}) was already attached to root ${step.rootId}`;
    default:
      return assertNever(step);
  }
}

function formatNeedsPerson(needsPerson: readonly NeedsPerson[]): string {
  const [first, ...others] = needsPerson;
  if (first === undefined) return '';
  const more = others.length === 0 ? '' : ` (and ${others.length} more in needsPerson)`;
  return ` Needs a person: ${first.message}${more}`;
}

interface SummaryFacts {
  readonly rootId: string;
  readonly policyName: string;
  readonly dryRun: boolean;
  /** The plan from the first read. */
  readonly plan: RemediationPlan;
  readonly done: readonly DoneStep[];
  readonly changed: boolean;
  /** The plan from the latest read. */
  readonly latest: RemediationPlan;
}

/** One line for people: what was (or would be) done, what remains, what needs a person. */
function formatSummary({ rootId, policyName, dryRun, plan, done, changed, latest }: SummaryFacts): string {
  const person = formatNeedsPerson(latest.needsPerson);
  if (plan.steps.length === 0) {
    return latest.needsPerson.length === 0
      ? `Nothing to change: ${AI_OPT_OUT_POLICY_TYPE} is enabled on root ${rootId}, policy ${JSON.stringify(policyName)} with the fully locked opt-out content is attached to it, and every account is COMPLIANT.`
      : `Nothing the remediation may change.${person}`;
  }
  if (dryRun) return `Dry run, nothing changed. Would ${plan.steps.map(formatRemediationStep).join('; ')}.${person}`;
  const head = `${changed ? 'Changed' : 'Nothing changed'}: ${done.map(formatDoneStep).join('; ')}.`;
  const rest =
    latest.steps.length === 0
      ? ''
      : ` Still to do (Organizations may not show a change at once; run again): ${latest.steps.map(formatRemediationStep).join('; ')}.`;
  return `${head}${rest}${person}`;
}
