import {
  AttachPolicyCommand,
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  MoveAccountCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { OrgSnapshot } from '../../src/core/orgSnapshot';

/** The policy type this project reads. */
export const AI_OPT_OUT_POLICY_TYPE = 'AISERVICES_OPT_OUT_POLICY';

/** An OU to create, with the OUs nested in it. OU names must be unique in the whole spec. */
export interface MotoOrganizationalUnitSpec {
  readonly name: string;
  readonly children?: readonly MotoOrganizationalUnitSpec[];
}

/** A member account to create; `parent` names an OU of the spec (absent: the root). */
export interface MotoAccountSpec {
  readonly name: string;
  readonly parent?: string;
  /** Close it after creating it (moto then reports Status and State SUSPENDED at once). */
  readonly closed?: boolean;
}

/** Where a policy is attached: the root, the management account, or an OU or member account of the spec by name. */
export type MotoPolicyTarget = 'root' | 'management' | { readonly ou: string } | { readonly account: string };

/** An AI opt-out policy to create and attach, in the order given. */
export interface MotoPolicySpec {
  readonly name: string;
  /** The raw Content string, sent verbatim, or a document that is sent as JSON. */
  readonly content: string | Readonly<Record<string, unknown>>;
  readonly attachedTo?: readonly MotoPolicyTarget[];
  /** Tags to create it with (CreatePolicy `Tags`); none if left out. */
  readonly tags?: readonly { readonly Key: string; readonly Value: string }[];
}

/** A small organization, declared. Defaults: feature set ALL, AI opt-out policy type enabled, nothing else. */
export interface MotoOrganizationSpec {
  readonly featureSet?: 'ALL' | 'CONSOLIDATED_BILLING';
  readonly aiOptOutPolicyTypeEnabled?: boolean;
  readonly organizationalUnits?: readonly MotoOrganizationalUnitSpec[];
  readonly accounts?: readonly MotoAccountSpec[];
  readonly policies?: readonly MotoPolicySpec[];
}

/** The ids moto gave to what the spec declared; the lookups throw on a name the spec does not declare. */
export interface MotoOrganization {
  readonly organizationId: string;
  readonly rootId: string;
  readonly managementAccountId: string;
  readonly organizationalUnitIds: Readonly<Record<string, string>>;
  readonly accountIds: Readonly<Record<string, string>>;
  readonly policyIds: Readonly<Record<string, string>>;
  ouId(name: string): string;
  accountId(name: string): string;
  policyId(name: string): string;
}

/**
 * Creates the organization of `spec` through the Organizations API (moto needs CreateAccount, then MoveAccount).
 * Expects a server without an organization (reset it first). Throws on an inconsistent spec (duplicate or unknown
 * names) and passes every SDK error through.
 */
export async function buildMotoOrganization(
  client: OrganizationsClient,
  spec: MotoOrganizationSpec = {},
): Promise<MotoOrganization> {
  const created = await client.send(new CreateOrganizationCommand({ FeatureSet: spec.featureSet ?? 'ALL' }));
  const organizationId = required(created.Organization?.Id, 'CreateOrganization: Organization.Id');
  const managementAccountId = required(created.Organization?.MasterAccountId, 'CreateOrganization: MasterAccountId');
  const roots = await client.send(new ListRootsCommand({}));
  const rootId = required(roots.Roots?.[0]?.Id, 'ListRoots: Roots[0].Id');

  if (spec.aiOptOutPolicyTypeEnabled ?? true) {
    await client.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: AI_OPT_OUT_POLICY_TYPE }));
  }

  const organizationalUnitIds = new Map<string, string>();
  const createUnits = async (parentId: string, units: readonly MotoOrganizationalUnitSpec[]): Promise<void> => {
    for (const unit of units) {
      claim(organizationalUnitIds, unit.name, 'OU');
      const response = await client.send(new CreateOrganizationalUnitCommand({ ParentId: parentId, Name: unit.name }));
      const id = required(response.OrganizationalUnit?.Id, `CreateOrganizationalUnit ${unit.name}: Id`);
      organizationalUnitIds.set(unit.name, id);
      await createUnits(id, unit.children ?? []);
    }
  };
  await createUnits(rootId, spec.organizationalUnits ?? []);
  const ouId = lookup(organizationalUnitIds, 'OU');

  const accountIds = new Map<string, string>();
  for (const account of spec.accounts ?? []) {
    claim(accountIds, account.name, 'account');
    const id = await createAccount(client, account.name);
    accountIds.set(account.name, id);
    if (account.parent !== undefined) {
      await client.send(
        new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: ouId(account.parent) }),
      );
    }
    if (account.closed === true) await client.send(new CloseAccountCommand({ AccountId: id }));
  }
  const accountId = lookup(accountIds, 'account');

  const targetId = (target: MotoPolicyTarget): string => {
    if (target === 'root') return rootId;
    if (target === 'management') return managementAccountId;
    return 'ou' in target ? ouId(target.ou) : accountId(target.account);
  };
  const policyIds = new Map<string, string>();
  for (const policy of spec.policies ?? []) {
    claim(policyIds, policy.name, 'policy');
    const response = await client.send(
      new CreatePolicyCommand({
        Name: policy.name,
        Description: `test policy ${policy.name}`,
        Type: AI_OPT_OUT_POLICY_TYPE,
        Content: typeof policy.content === 'string' ? policy.content : JSON.stringify(policy.content),
        ...(policy.tags === undefined ? {} : { Tags: [...policy.tags] }),
      }),
    );
    const id = required(response.Policy?.PolicySummary?.Id, `CreatePolicy ${policy.name}: Id`);
    policyIds.set(policy.name, id);
    for (const target of policy.attachedTo ?? []) {
      await client.send(new AttachPolicyCommand({ PolicyId: id, TargetId: targetId(target) }));
    }
  }

  return {
    organizationId,
    rootId,
    managementAccountId,
    organizationalUnitIds: Object.fromEntries(organizationalUnitIds),
    accountIds: Object.fromEntries(accountIds),
    policyIds: Object.fromEntries(policyIds),
    ouId,
    accountId,
    policyId: lookup(policyIds, 'policy'),
  };
}

async function createAccount(client: OrganizationsClient, name: string): Promise<string> {
  const response = await client.send(
    new CreateAccountCommand({ AccountName: name, Email: `${name.replace(/[^A-Za-z0-9._-]/g, '-')}@example.com` }),
  );
  const status = response.CreateAccountStatus;
  // moto completes CreateAccount at once (State SUCCEEDED with the AccountId); AWS itself answers IN_PROGRESS.
  if (status?.State !== 'SUCCEEDED') {
    throw new Error(`CreateAccount ${name}: expected State SUCCEEDED at once (moto), got ${String(status?.State)}`);
  }
  return required(status.AccountId, `CreateAccount ${name}: AccountId`);
}

function claim(ids: ReadonlyMap<string, string>, name: string, kind: string): void {
  if (ids.has(name)) throw new Error(`the spec declares the ${kind} name "${name}" twice`);
}

function lookup(ids: ReadonlyMap<string, string>, kind: string): (name: string) => string {
  return (name) => {
    const id = ids.get(name);
    if (id === undefined) throw new Error(`the spec declares no ${kind} named "${name}"`);
    return id;
  };
}

function required(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new Error(`moto returned no ${what}`);
  return value;
}

/**
 * A snapshot with its OUs, accounts, policies, targets and accounts with invalid effective policies sorted by id: AWS
 * promises no listing order.
 */
export function sortedById(snapshot: OrgSnapshot): OrgSnapshot {
  const byId = <T extends { readonly id: string }>(items: readonly T[]): T[] =>
    [...items].sort((a, b) => a.id.localeCompare(b.id));
  return {
    ...snapshot,
    organizationalUnits: byId(snapshot.organizationalUnits),
    accounts: byId(snapshot.accounts),
    policies: byId(snapshot.policies).map((policy) => ({ ...policy, targets: [...policy.targets].sort() })),
    accountsWithInvalidEffectivePolicy: [...snapshot.accountsWithInvalidEffectivePolicy].sort(),
  };
}
