import { parseOrgSnapshot, type SnapshotError } from '../../src/core/parseOrgSnapshot';
import { snapshotOf } from '../support/snapshotBuilder';

/** A valid snapshot as plain JSON data, to break one field at a time. */
function valid(): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(
      snapshotOf({
        organizationalUnits: [
          { id: 'ou-exam-11111111', parentId: 'r-exam', name: 'Workloads' },
          { id: 'ou-exam-22222222', parentId: 'ou-exam-11111111', name: 'Prod' },
        ],
        accounts: [{ id: '222222222222', parentId: 'ou-exam-22222222' }],
        policies: [{ id: 'p-examplepolicy', content: '{"services":{}}', targets: ['r-exam', '222222222222'] }],
      }),
    ),
  );
}

/** A valid snapshot with the value at `path` (such as `accounts[1].state`) replaced, or deleted when undefined. */
function broken(path: string, value: unknown): unknown {
  const snapshot = valid();
  const keys = path.split(/[.[\]]+/).filter((key) => key !== '');
  const last = keys.pop() ?? '';
  let at: unknown = snapshot;
  for (const key of keys) at = (at as Record<string, unknown>)[key];
  const holder = at as Record<string, unknown>;
  if (value === undefined) delete holder[last];
  else holder[last] = value;
  return snapshot;
}

function errorOf(value: unknown): SnapshotError {
  const result = parseOrgSnapshot(value);
  if (result.ok) throw new Error('expected the snapshot to be rejected');
  return result.error;
}

describe('parseOrgSnapshot', () => {
  it('accepts a valid snapshot and returns it unchanged', () => {
    expect(parseOrgSnapshot(valid())).toEqual({ ok: true, value: valid() });
  });

  it('accepts the optional capturedAt timestamp', () => {
    const result = parseOrgSnapshot({ capturedAt: '2026-11-22T08:00:00.123Z', ...valid() });
    expect(result.ok && result.value.capturedAt).toBe('2026-11-22T08:00:00.123Z');
  });

  it("accepts an OU without a name, as read from accounts' paths, and leaves the name out", () => {
    const result = parseOrgSnapshot(broken('organizationalUnits[1].name', undefined));
    expect(result.ok && result.value.organizationalUnits).toStrictEqual([
      { id: 'ou-exam-11111111', name: 'Workloads', parentId: 'r-exam' },
      { id: 'ou-exam-22222222', parentId: 'ou-exam-11111111' },
    ]);
  });

  it.each<[string, unknown, SnapshotError]>([
    ['a list instead of an object', [], { path: 'snapshot', message: 'must be an object, got a list' }],
    ['null', null, { path: 'snapshot', message: 'must be an object, got null' }],
    ['a missing section', broken('policies', undefined), { path: 'snapshot', message: 'missing field "policies"' }],
    [
      'an unknown top-level field',
      broken('acounts', []),
      {
        path: 'snapshot',
        message:
          'unknown field "acounts"; expected organization, root, organizationalUnits, accounts, policies, accountsWithInvalidEffectivePolicy, capturedAt, pathOf',
      },
    ],
    [
      'a capturedAt that is not a timestamp',
      broken('capturedAt', 'yesterday'),
      { path: 'capturedAt', message: '"yesterday" is not an ISO 8601 timestamp such as 2026-11-22T08:00:00Z' },
    ],
    [
      'a capturedAt with an impossible date',
      broken('capturedAt', '2026-13-45T08:00:00Z'),
      {
        path: 'capturedAt',
        message: '"2026-13-45T08:00:00Z" is not an ISO 8601 timestamp such as 2026-11-22T08:00:00Z',
      },
    ],
    [
      'a bad organization id',
      broken('organization.id', 'org-1'),
      { path: 'organization.id', message: '"org-1" is not a valid organization id (^o-[a-z0-9]{10,32}$)' },
    ],
    [
      'an unknown feature set',
      broken('organization.featureSet', 'all'),
      { path: 'organization.featureSet', message: 'must be one of ALL, CONSOLIDATED_BILLING, got "all"' },
    ],
    [
      'a management account id that is a number',
      broken('organization.managementAccountId', 111111111111),
      { path: 'organization.managementAccountId', message: 'must be a string, got 111111111111' },
    ],
    [
      'a management account that is not among the accounts',
      broken('organization.managementAccountId', '999999999999'),
      { path: 'organization.managementAccountId', message: '"999999999999" is not one of the accounts' },
    ],
    [
      'a bad root id',
      broken('root.id', 'root'),
      { path: 'root.id', message: '"root" is not a valid root id (^r-[0-9a-z]{4,32}$)' },
    ],
    [
      'policy types that are not a list',
      broken('root.policyTypes', {}),
      { path: 'root.policyTypes', message: 'must be a list, got an object' },
    ],
    [
      'an unknown policy type status',
      broken('root.policyTypes[1].status', 'DISABLED'),
      {
        path: 'root.policyTypes[1].status',
        message: 'must be one of ENABLED, PENDING_ENABLE, PENDING_DISABLE, got "DISABLED"',
      },
    ],
    [
      'a policy type listed twice',
      broken('root.policyTypes[2]', { type: 'AISERVICES_OPT_OUT_POLICY', status: 'PENDING_DISABLE' }),
      { path: 'root.policyTypes[2].type', message: '"AISERVICES_OPT_OUT_POLICY" is listed twice' },
    ],
    [
      'an OU with a bad id',
      broken('organizationalUnits[0].id', 'ou-1'),
      {
        path: 'organizationalUnits[0].id',
        message: '"ou-1" is not a valid organizationalUnit id (^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$)',
      },
    ],
    [
      'an OU whose name is not a string',
      broken('organizationalUnits[0].name', null),
      { path: 'organizationalUnits[0].name', message: 'must be a string, got null' },
    ],
    [
      'an OU with a misspelt field',
      broken('organizationalUnits[0]', { id: 'ou-exam-11111111', Name: 'Workloads', parentId: 'r-exam' }),
      { path: 'organizationalUnits[0]', message: 'unknown field "Name"; expected id, parentId, name' },
    ],
    [
      'an OU whose parent does not exist',
      broken('organizationalUnits[1].parentId', 'ou-exam-99999999'),
      {
        path: 'organizationalUnits[1].parentId',
        message: '"ou-exam-99999999" is neither the root nor an organizational unit of the snapshot',
      },
    ],
    [
      'an OU whose ancestor has a parent that does not exist',
      broken('organizationalUnits', [
        { id: 'ou-exam-22222222', name: 'Prod', parentId: 'ou-exam-11111111' },
        { id: 'ou-exam-11111111', name: 'Workloads', parentId: 'ou-exam-99999999' },
      ]),
      {
        path: 'organizationalUnits[1].parentId',
        message: '"ou-exam-99999999" is neither the root nor an organizational unit of the snapshot',
      },
    ],
    [
      'OUs whose parents form a cycle',
      broken('organizationalUnits[0].parentId', 'ou-exam-22222222'),
      { path: 'organizationalUnits[0].parentId', message: 'the parents of "ou-exam-11111111" form a cycle' },
    ],
    [
      'an account with an unknown state',
      broken('accounts[1].state', 'ACTVE'),
      {
        path: 'accounts[1].state',
        message: 'must be one of PENDING_ACTIVATION, ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, got "ACTVE"',
      },
    ],
    [
      'an account with a misspelt field',
      broken('accounts[1]', { id: '222222222222', name: 'prod', status: 'ACTIVE', parentId: 'ou-exam-22222222' }),
      { path: 'accounts[1]', message: 'unknown field "status"; expected id, name, state, parentId' },
    ],
    [
      'an account whose parent is another account',
      broken('accounts[1].parentId', '111111111111'),
      {
        path: 'accounts[1].parentId',
        message: '"111111111111" is neither the root nor an organizational unit of the snapshot',
      },
    ],
    [
      'an account id that appears twice',
      broken('accounts[2]', { id: '222222222222', name: 'again', state: 'ACTIVE', parentId: 'r-exam' }),
      { path: 'accounts[2].id', message: '"222222222222" appears more than once' },
    ],
    [
      'a policy with a bad id',
      broken('policies[0].id', 'p-1'),
      { path: 'policies[0].id', message: '"p-1" is not a valid policy id (^p-[0-9a-zA-Z_]{8,128}$)' },
    ],
    [
      'a policy whose content is an object instead of the raw string',
      broken('policies[0].content', { services: {} }),
      { path: 'policies[0].content', message: 'must be a string, got an object' },
    ],
    [
      'a policy target that is not a string',
      broken('policies[0].targets', [1]),
      { path: 'policies[0].targets[0]', message: 'must be a string, got 1' },
    ],
    [
      'a policy attached to a target that does not exist',
      broken('policies[0].targets[2]', 'ou-exam-99999999'),
      {
        path: 'policies[0].targets[2]',
        message: '"ou-exam-99999999" is not the root, an organizational unit or an account of the snapshot',
      },
    ],
    [
      'no list of accounts with an invalid effective policy',
      broken('accountsWithInvalidEffectivePolicy', undefined),
      { path: 'snapshot', message: 'missing field "accountsWithInvalidEffectivePolicy"' },
    ],
    [
      'an account with an invalid effective policy that is not one of the accounts',
      broken('accountsWithInvalidEffectivePolicy', ['999999999999']),
      { path: 'accountsWithInvalidEffectivePolicy[0]', message: '"999999999999" is not one of the accounts' },
    ],
    [
      'an account with an invalid effective policy listed twice',
      broken('accountsWithInvalidEffectivePolicy', ['222222222222', '222222222222']),
      { path: 'accountsWithInvalidEffectivePolicy[1]', message: '"222222222222" is listed twice' },
    ],
    [
      'an account with an invalid effective policy that is no account id',
      broken('accountsWithInvalidEffectivePolicy', ['prod']),
      { path: 'accountsWithInvalidEffectivePolicy[0]', message: '"prod" is not a valid account id (^\\d{12}$)' },
    ],
    [
      'a policy attached twice to the same target',
      broken('policies[0].targets[2]', 'r-exam'),
      { path: 'policies[0].targets[2]', message: '"r-exam" is listed twice' },
    ],
  ])('rejects %s with the path of the field', (_name, value, expected) => {
    expect(errorOf(value)).toEqual(expected);
  });

  describe("with pathOf (one account's path)", () => {
    /** The path of account 222222222222 alone: the root, Workloads, Prod, the account, and the policy on them. */
    function path(fields: Record<string, unknown> = {}): Record<string, unknown> {
      const snapshot = valid();
      return {
        ...snapshot,
        pathOf: '222222222222',
        accounts: (snapshot.accounts as { id: string }[]).filter((account) => account.id === '222222222222'),
        ...fields,
      };
    }

    it('accepts the path of one member account without the management account', () => {
      const result = parseOrgSnapshot(path());
      expect(result).toEqual({ ok: true, value: path() });
      expect(result.ok && result.value.accounts.map((account) => account.id)).toEqual(['222222222222']);
    });

    it('accepts the path of the management account itself', () => {
      const management = path({
        pathOf: '111111111111',
        accounts: (valid().accounts as unknown[]).slice(0, 1),
        organizationalUnits: [],
        policies: [{ id: 'p-examplepolicy', name: 'policy-p-examplepolicy', content: '{}', targets: ['r-exam'] }],
      });
      expect(parseOrgSnapshot(management)).toEqual({ ok: true, value: management });
    });

    it.each<[string, Record<string, unknown>, SnapshotError]>([
      [
        'a pathOf that is not an account id',
        { pathOf: 'ou-exam-22222222' },
        { path: 'pathOf', message: '"ou-exam-22222222" is not a valid account id (^\\d{12}$)' },
      ],
      [
        'another account beside it',
        { accounts: valid().accounts },
        {
          path: 'accounts',
          message: 'must hold exactly one account, "222222222222" (pathOf), got "111111111111", "222222222222"',
        },
      ],
      [
        'an account other than pathOf',
        { pathOf: '333333333333' },
        { path: 'accounts', message: 'must hold exactly one account, "333333333333" (pathOf), got "222222222222"' },
      ],
      [
        'no account',
        { accounts: [], policies: [], accountsWithInvalidEffectivePolicy: [] },
        { path: 'accounts', message: 'must hold exactly one account, "222222222222" (pathOf), got none' },
      ],
      [
        "an OU off the account's path",
        {
          organizationalUnits: [
            ...(valid().organizationalUnits as unknown[]),
            { id: 'ou-exam-33333333', name: 'Sandbox', parentId: 'r-exam' },
          ],
        },
        { path: 'organizationalUnits[2]', message: '"ou-exam-33333333" is not on the path of account "222222222222"' },
      ],
    ])('rejects %s', (_name, fields, expected) => {
      expect(errorOf(path(fields))).toEqual(expected);
    });

    it('still requires the management account of a snapshot without pathOf', () => {
      const { pathOf: _left, ...withoutPathOf } = path();
      expect(errorOf(withoutPathOf)).toEqual({
        path: 'organization.managementAccountId',
        message: '"111111111111" is not one of the accounts',
      });
    });
  });

  it('rethrows errors that are not snapshot problems', () => {
    const hostile = {};
    Object.defineProperty(hostile, 'organization', {
      enumerable: true,
      get() {
        throw new RangeError('boom');
      },
    });
    expect(() => parseOrgSnapshot(hostile)).toThrow(RangeError);
  });
});
