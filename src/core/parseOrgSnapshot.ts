import {
  ACCOUNT_STATES,
  type Account,
  FEATURE_SETS,
  type Organization,
  type OrganizationalUnit,
  type OrgSnapshot,
  POLICY_TYPE_STATUSES,
  type Policy,
  type PolicyTypeSummary,
  type Root,
} from './orgSnapshot';
import { fail, ok, type Result } from './result';

/** Where a snapshot is wrong (`accounts[2].state`) and what is wrong there. */
export interface SnapshotError {
  readonly path: string;
  readonly message: string;
}

/** Identifier patterns from the AWS Organizations API reference. */
export const ID_PATTERNS = {
  organization: /^o-[a-z0-9]{10,32}$/,
  root: /^r-[0-9a-z]{4,32}$/,
  organizationalUnit: /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/,
  account: /^\d{12}$/,
  policy: /^p-[0-9a-zA-Z_]{8,128}$/,
} as const;

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

class SnapshotInvalid extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

type Fields = Readonly<Record<string, unknown>>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}

function record(value: unknown, path: string, required: readonly string[], optional: readonly string[] = []): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SnapshotInvalid(path, `must be an object, got ${describe(value)}`);
  }
  const fields: Fields = Object.fromEntries(Object.entries(value));
  for (const key of Object.keys(fields)) {
    if (!required.includes(key) && !optional.includes(key)) {
      throw new SnapshotInvalid(path, `unknown field "${key}"; expected ${[...required, ...optional].join(', ')}`);
    }
  }
  for (const key of required) {
    if (!(key in fields)) throw new SnapshotInvalid(path, `missing field "${key}"`);
  }
  return fields;
}

function list(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new SnapshotInvalid(path, `must be a list, got ${describe(value)}`);
  return value;
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new SnapshotInvalid(path, `must be a string, got ${describe(value)}`);
  return value;
}

function id(value: unknown, path: string, kind: keyof typeof ID_PATTERNS): string {
  const s = text(value, path);
  if (!ID_PATTERNS[kind].test(s)) {
    throw new SnapshotInvalid(path, `"${s}" is not a valid ${kind} id (${ID_PATTERNS[kind].source})`);
  }
  return s;
}

function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined)
    throw new SnapshotInvalid(path, `must be one of ${allowed.join(', ')}, got ${describe(value)}`);
  return found;
}

function toOrganization(value: unknown): Organization {
  const f = record(value, 'organization', ['id', 'featureSet', 'managementAccountId']);
  return {
    id: id(f.id, 'organization.id', 'organization'),
    featureSet: oneOf(f.featureSet, 'organization.featureSet', FEATURE_SETS),
    managementAccountId: id(f.managementAccountId, 'organization.managementAccountId', 'account'),
  };
}

function toRoot(value: unknown): Root {
  const f = record(value, 'root', ['id', 'policyTypes']);
  const policyTypes = list(f.policyTypes, 'root.policyTypes').map((item, i): PolicyTypeSummary => {
    const path = `root.policyTypes[${i}]`;
    const t = record(item, path, ['type', 'status']);
    return { type: text(t.type, `${path}.type`), status: oneOf(t.status, `${path}.status`, POLICY_TYPE_STATUSES) };
  });
  policyTypes.forEach((summary, i) => {
    if (policyTypes.findIndex((other) => other.type === summary.type) !== i) {
      throw new SnapshotInvalid(`root.policyTypes[${i}].type`, `"${summary.type}" is listed twice`);
    }
  });
  return { id: id(f.id, 'root.id', 'root'), policyTypes };
}

function toOrganizationalUnit(value: unknown, i: number): OrganizationalUnit {
  const path = `organizationalUnits[${i}]`;
  const f = record(value, path, ['id', 'parentId'], ['name']);
  const unitId = id(f.id, `${path}.id`, 'organizationalUnit');
  const name = f.name === undefined ? undefined : text(f.name, `${path}.name`);
  const parentId = text(f.parentId, `${path}.parentId`);
  return name === undefined ? { id: unitId, parentId } : { id: unitId, name, parentId };
}

function toAccount(value: unknown, i: number): Account {
  const path = `accounts[${i}]`;
  const f = record(value, path, ['id', 'name', 'state', 'parentId']);
  return {
    id: id(f.id, `${path}.id`, 'account'),
    name: text(f.name, `${path}.name`),
    state: oneOf(f.state, `${path}.state`, ACCOUNT_STATES),
    parentId: text(f.parentId, `${path}.parentId`),
  };
}

function toPolicy(value: unknown, i: number): Policy {
  const path = `policies[${i}]`;
  const f = record(value, path, ['id', 'name', 'content', 'targets']);
  const targets = list(f.targets, `${path}.targets`).map((target, j) => text(target, `${path}.targets[${j}]`));
  return {
    id: id(f.id, `${path}.id`, 'policy'),
    name: text(f.name, `${path}.name`),
    content: text(f.content, `${path}.content`),
    targets,
  };
}

function checkUniqueIds(snapshot: OrgSnapshot): void {
  const seen = new Set<string>([snapshot.root.id]);
  const groups = [
    ['organizationalUnits', snapshot.organizationalUnits],
    ['accounts', snapshot.accounts],
    ['policies', snapshot.policies],
  ] as const;
  for (const [name, items] of groups) {
    items.forEach((item, i) => {
      if (seen.has(item.id)) throw new SnapshotInvalid(`${name}[${i}].id`, `"${item.id}" appears more than once`);
      seen.add(item.id);
    });
  }
}

function checkTree(snapshot: OrgSnapshot): void {
  const parentOf = new Map(snapshot.organizationalUnits.map((ou) => [ou.id, ou.parentId]));
  const isContainer = (nodeId: string): boolean => nodeId === snapshot.root.id || parentOf.has(nodeId);
  snapshot.organizationalUnits.forEach((ou, i) => {
    const path = `organizationalUnits[${i}].parentId`;
    if (!isContainer(ou.parentId)) {
      throw new SnapshotInvalid(
        path,
        `"${ou.parentId}" is neither the root nor an organizational unit of the snapshot`,
      );
    }
    const visited = new Set<string>([ou.id]);
    for (let at = ou.parentId; at !== snapshot.root.id; at = parentOf.get(at) ?? snapshot.root.id) {
      if (visited.has(at)) throw new SnapshotInvalid(path, `the parents of "${ou.id}" form a cycle`);
      visited.add(at);
    }
  });
  snapshot.accounts.forEach((account, i) => {
    if (!isContainer(account.parentId)) {
      throw new SnapshotInvalid(
        `accounts[${i}].parentId`,
        `"${account.parentId}" is neither the root nor an organizational unit of the snapshot`,
      );
    }
  });
  if (snapshot.pathOf === undefined) {
    if (!snapshot.accounts.some((account) => account.id === snapshot.organization.managementAccountId)) {
      throw new SnapshotInvalid(
        'organization.managementAccountId',
        `"${snapshot.organization.managementAccountId}" is not one of the accounts`,
      );
    }
    return;
  }
  // One account's path stands in for the organization only when it holds that account and nothing beside its path.
  const [account, ...others] = snapshot.accounts;
  if (account?.id !== snapshot.pathOf || others.length > 0) {
    throw new SnapshotInvalid(
      'accounts',
      `must hold exactly one account, "${snapshot.pathOf}" (pathOf), got ${snapshot.accounts.length === 0 ? 'none' : snapshot.accounts.map((a) => `"${a.id}"`).join(', ')}`,
    );
  }
  const onPath = new Set<string>();
  for (let at: string | undefined = account.parentId; at !== undefined; at = parentOf.get(at)) onPath.add(at);
  snapshot.organizationalUnits.forEach((ou, i) => {
    if (!onPath.has(ou.id)) {
      throw new SnapshotInvalid(
        `organizationalUnits[${i}]`,
        `"${ou.id}" is not on the path of account "${account.id}"`,
      );
    }
  });
}

function checkTargets(snapshot: OrgSnapshot): void {
  const nodes = new Set([
    snapshot.root.id,
    ...snapshot.organizationalUnits.map((ou) => ou.id),
    ...snapshot.accounts.map((account) => account.id),
  ]);
  snapshot.policies.forEach((policy, i) => {
    const seen = new Set<string>();
    policy.targets.forEach((target, j) => {
      const path = `policies[${i}].targets[${j}]`;
      if (!nodes.has(target)) {
        throw new SnapshotInvalid(
          path,
          `"${target}" is not the root, an organizational unit or an account of the snapshot`,
        );
      }
      if (seen.has(target)) throw new SnapshotInvalid(path, `"${target}" is listed twice`);
      seen.add(target);
    });
  });
}

const INVALID_PATH = 'accountsWithInvalidEffectivePolicy';

function checkInvalidEffectivePolicies(snapshot: OrgSnapshot): void {
  const accounts = new Set(snapshot.accounts.map((account) => account.id));
  const seen = new Set<string>();
  snapshot.accountsWithInvalidEffectivePolicy.forEach((accountId, i) => {
    if (!accounts.has(accountId))
      throw new SnapshotInvalid(`${INVALID_PATH}[${i}]`, `"${accountId}" is not one of the accounts`);
    if (seen.has(accountId)) throw new SnapshotInvalid(`${INVALID_PATH}[${i}]`, `"${accountId}" is listed twice`);
    seen.add(accountId);
  });
}

/**
 * Validates an organization snapshot read from JSON: every field, every id's format, and that parents, targets and
 * the management account exist; with `pathOf`, instead of the management account, that it holds that one account and
 * only the OUs on its path. Returns the first problem with the path of the field that holds it.
 */
export function parseOrgSnapshot(value: unknown): Result<OrgSnapshot, SnapshotError> {
  try {
    const f = record(
      value,
      'snapshot',
      ['organization', 'root', 'organizationalUnits', 'accounts', 'policies', 'accountsWithInvalidEffectivePolicy'],
      ['capturedAt', 'pathOf'],
    );
    const base = {
      organization: toOrganization(f.organization),
      root: toRoot(f.root),
      organizationalUnits: list(f.organizationalUnits, 'organizationalUnits').map(toOrganizationalUnit),
      accounts: list(f.accounts, 'accounts').map(toAccount),
      policies: list(f.policies, 'policies').map(toPolicy),
      accountsWithInvalidEffectivePolicy: list(f.accountsWithInvalidEffectivePolicy, INVALID_PATH).map((item, i) =>
        id(item, `${INVALID_PATH}[${i}]`, 'account'),
      ),
    };
    const snapshot: OrgSnapshot = {
      ...(f.capturedAt === undefined ? {} : { capturedAt: timestamp(f.capturedAt, 'capturedAt') }),
      ...(f.pathOf === undefined ? {} : { pathOf: id(f.pathOf, 'pathOf', 'account') }),
      ...base,
    };
    checkUniqueIds(snapshot);
    checkTree(snapshot);
    checkTargets(snapshot);
    checkInvalidEffectivePolicies(snapshot);
    return ok(snapshot);
  } catch (error) {
    if (error instanceof SnapshotInvalid) return fail({ path: error.path, message: error.message });
    throw error;
  }
}

function timestamp(value: unknown, path: string): string {
  const s = text(value, path);
  if (!ISO_TIMESTAMP.test(s) || Number.isNaN(Date.parse(s))) {
    throw new SnapshotInvalid(path, `"${s}" is not an ISO 8601 timestamp such as 2026-11-22T08:00:00Z`);
  }
  return s;
}
