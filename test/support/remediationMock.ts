import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DescribeOrganizationCommand,
  DuplicatePolicyAttachmentException,
  DuplicatePolicyException,
  EnablePolicyTypeCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  PolicyTypeAlreadyEnabledException,
  type PolicyTypeStatus,
  type Tag,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { DEFAULT_REMEDIATION_POLICY_NAME, REMEDIATION_OWNER_TAG } from '../../src/core/planRemediation';
import {
  aiPolicy,
  MANAGEMENT_ID,
  mockOrganization,
  type OrganizationFixture,
  type OrganizationsMock,
  organizationFixture,
  type PolicyFixture,
  ROOT_ID,
  sdkAccount,
  sdkOrganizationalUnit,
} from './organizationsMock';

/** The Sandbox OU and its one account; the management account sits on the root. */
export const SANDBOX = 'ou-exam-33333333';
export const SANDBOX_ACCOUNT = '333333333333';
/** The id CreatePolicy gives the policy it creates. */
export const CREATED_ID = 'p-created01';

/** The tag the remediation marks its policy with, as the SDK writes it. */
export const OWNER_TAG: Tag = { Key: REMEDIATION_OWNER_TAG.key, Value: REMEDIATION_OWNER_TAG.value };

/** A policy of the test organization and its tags (ListTagsForResource). */
export type LivePolicy = PolicyFixture & { readonly tags?: readonly Tag[] };

/** The commands `mockLiveOrganization` answers itself, by the name of their IAM action. */
export type Handled =
  | 'DescribeOrganization'
  | 'ListRoots'
  | 'ListPolicies'
  | 'ListTagsForResource'
  | 'EnablePolicyType'
  | 'CreatePolicy'
  | 'UpdatePolicy'
  | 'AttachPolicy';

/** How the organization starts, and how it misbehaves. */
export interface LiveOptions {
  readonly status?: PolicyTypeStatus | 'absent';
  readonly featureSet?: 'ALL' | 'CONSOLIDATED_BILLING';
  readonly policies?: readonly LivePolicy[];
  /** ListRoots reads that still show PENDING_ENABLE after EnablePolicyType (Infinity: it never ends). */
  readonly pendingChecks?: number;
  /** Answers per call of a command, in order: an error is thrown, undefined answers normally. */
  readonly faults?: Partial<Record<Handled, readonly (Error | undefined)[]>>;
  /** Runs once, just before the first such write is applied: another actor's change that races this run. */
  readonly race?: Partial<Record<Handled, (state: LiveState) => void>>;
  /** Writes Organizations accepts but a read does not show yet. */
  readonly unseen?: readonly Handled[];
  /**
   * Whether ListRoots, ListPolicies and ListTagsForResource answer an empty page with a NextToken before the real one,
   * as AWS may.
   */
  readonly emptyFirstPages?: boolean;
}

/** The organization as the remediation's writes left it. */
export interface LiveState {
  status: PolicyTypeStatus | 'absent';
  pendingChecks: number;
  policies: LivePolicy[];
}

/** An AI opt-out policy with the name the remediation looks for, and its tags: by default the remediation's own. */
export function named(
  id: string,
  content: string,
  targets: readonly string[],
  name = DEFAULT_REMEDIATION_POLICY_NAME,
  tags: readonly Tag[] = [OWNER_TAG],
): LivePolicy {
  const policy = aiPolicy(id, content, targets);
  return { ...policy, summary: { ...policy.summary, Name: name }, tags };
}

/**
 * The organization of the examples (management account on the root, one account in Sandbox) as a mock that
 * remembers the remediation's writes, so that the read after them sees the change.
 */
export function mockLiveOrganization(organizations: OrganizationsMock, options: LiveOptions = {}): LiveState {
  const state: LiveState = {
    status: options.status ?? 'ENABLED',
    pendingChecks: options.pendingChecks ?? 0,
    policies: [...(options.policies ?? [])],
  };
  const faults = new Map(Object.entries(options.faults ?? {}).map(([name, list]) => [name, [...(list ?? [])]]));
  const races = new Map(Object.entries(options.race ?? {}));
  const base = organizationFixture({
    organizationalUnits: { [ROOT_ID]: [sdkOrganizationalUnit(SANDBOX, 'Sandbox')] },
    accounts: {
      [ROOT_ID]: [sdkAccount(MANAGEMENT_ID, { Name: 'management' })],
      [SANDBOX]: [sdkAccount(SANDBOX_ACCOUNT)],
    },
  });
  const fixture: OrganizationFixture = {
    ...base,
    organization: { ...base.organization, FeatureSet: options.featureSet ?? 'ALL' },
    get policies() {
      return state.policies;
    },
  };
  mockOrganization(organizations, fixture, {
    except: [DescribeOrganizationCommand, ListRootsCommand, ListPoliciesCommand],
  });

  const answer = <T>(name: Handled, value: () => T): T => {
    const fault = faults.get(name)?.shift();
    if (fault !== undefined) throw fault;
    const race = races.get(name);
    races.delete(name);
    race?.(state);
    return value();
  };
  const applies = (name: Handled) => !(options.unseen ?? []).includes(name);
  // AWS sends the list in every page, an empty one included.
  const paged = <T>(nextToken: string | undefined, empty: T, items: () => T) =>
    options.emptyFirstPages === true && nextToken === undefined ? { ...empty, NextToken: 'second-page' } : items();
  const root = () => ({
    Id: ROOT_ID,
    Name: 'Root',
    PolicyTypes: [
      { Type: 'SERVICE_CONTROL_POLICY' as const, Status: 'ENABLED' as const },
      ...(state.status === 'absent' ? [] : [{ Type: 'AISERVICES_OPT_OUT_POLICY' as const, Status: state.status }]),
    ],
  });
  const policy = (id: string | undefined) => {
    const found = state.policies.find((candidate) => candidate.summary.Id === id);
    if (found === undefined) throw new Error(`the test organization has no policy ${id}`);
    return found;
  };

  organizations
    .on(DescribeOrganizationCommand)
    .callsFake(() => answer('DescribeOrganization', () => ({ Organization: fixture.organization })));
  organizations.on(ListRootsCommand).callsFake((input) =>
    answer('ListRoots', () =>
      paged(input.NextToken, { Roots: [] }, () => {
        if (state.status === 'PENDING_ENABLE' && state.pendingChecks === 0) state.status = 'ENABLED';
        else if (state.status === 'PENDING_ENABLE') state.pendingChecks -= 1;
        return { Roots: [root()] };
      }),
    ),
  );
  organizations.on(ListPoliciesCommand).callsFake((input) =>
    answer('ListPolicies', () =>
      paged(input.NextToken, { Policies: [] }, () => ({
        Policies: state.policies.map((candidate) => candidate.summary),
      })),
    ),
  );
  organizations
    .on(ListTagsForResourceCommand)
    .callsFake((input) =>
      answer('ListTagsForResource', () =>
        paged(input.NextToken, { Tags: [] }, () => ({ Tags: [...(policy(input.ResourceId).tags ?? [])] })),
      ),
    );
  organizations.on(EnablePolicyTypeCommand).callsFake(() =>
    answer('EnablePolicyType', () => {
      if (state.status === 'ENABLED' || state.status === 'PENDING_ENABLE') {
        throw new PolicyTypeAlreadyEnabledException({ $metadata: {}, message: 'already enabled' });
      }
      if (applies('EnablePolicyType')) state.status = 'PENDING_ENABLE';
      return { Root: root() };
    }),
  );
  organizations.on(CreatePolicyCommand).callsFake((input) =>
    answer('CreatePolicy', () => {
      if (state.policies.some((candidate) => candidate.summary.Name === input.Name)) {
        throw new DuplicatePolicyException({ $metadata: {}, message: 'same name' });
      }
      const created = named(CREATED_ID, input.Content ?? '', [], input.Name, input.Tags ?? []);
      if (applies('CreatePolicy')) state.policies.push(created);
      return { Policy: { PolicySummary: created.summary, Content: created.content } };
    }),
  );
  organizations.on(UpdatePolicyCommand).callsFake((input) =>
    answer('UpdatePolicy', () => {
      const updated = { ...policy(input.PolicyId), content: input.Content ?? '' };
      if (applies('UpdatePolicy')) {
        state.policies = state.policies.map((candidate) =>
          candidate.summary.Id === input.PolicyId ? updated : candidate,
        );
      }
      return { Policy: { PolicySummary: updated.summary, Content: updated.content } };
    }),
  );
  organizations.on(AttachPolicyCommand).callsFake((input) =>
    answer('AttachPolicy', () => {
      const attached = policy(input.PolicyId);
      if (input.TargetId === undefined || attached.targets.includes(input.TargetId)) {
        throw new DuplicatePolicyAttachmentException({ $metadata: {}, message: 'already attached' });
      }
      const target = input.TargetId;
      if (applies('AttachPolicy')) {
        state.policies = state.policies.map((candidate) =>
          candidate === attached ? { ...attached, targets: [...attached.targets, target] } : candidate,
        );
      }
      return {};
    }),
  );
  return state;
}
