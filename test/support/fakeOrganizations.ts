import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  type Account,
  AI_OPT_OUT_POLICY_TYPE,
  type OrganizationalUnit,
  type OrgSnapshot,
  type Policy,
} from '../../src/core/orgSnapshot';

/** The Organizations operations the fake answers (AWS JSON 1.1, X-Amz-Target AWSOrganizationsV20161128.<name>). */
export const FAKE_ORGANIZATIONS_OPERATIONS = [
  'DescribeOrganization',
  'ListRoots',
  'ListPolicies',
  'DescribePolicy',
  'ListTargetsForPolicy',
  'ListPoliciesForTarget',
  'ListOrganizationalUnitsForParent',
  'DescribeOrganizationalUnit',
  'ListAccountsForParent',
  'ListAccounts',
  'DescribeAccount',
  'ListParents',
  'ListChildren',
  'ListAccountsWithInvalidEffectivePolicy',
  'DescribeEffectivePolicy',
] as const;
export type FakeOrganizationsOperation = (typeof FAKE_ORGANIZATIONS_OPERATIONS)[number];

/** Every Organizations List call takes MaxResults 1-20; the fake pages by 20 without one. */
const MAX_RESULTS_PER_PAGE = 20;

/** The JoinedTimestamp of every account, in epoch seconds (2024-01-01T00:00:00.250Z). */
export const JOINED_EPOCH_SECONDS = 1_704_067_200.25;

/** The LastUpdatedTimestamp of every effective policy, in epoch seconds (2026-01-01T00:00:00Z). */
export const EFFECTIVE_POLICY_UPDATED_EPOCH_SECONDS = 1_767_225_600;

const HOST = '127.0.0.1';
const TARGET_PREFIX = 'AWSOrganizationsV20161128.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const OPERATORS_KEY = '@@operators_allowed_for_child_policies';

/** How the fake behaves; every option may be left out. */
export interface FakeOrganizationsOptions {
  /** Milliseconds every response (throttled and failed ones too) waits before it is sent: 0 if left out. */
  readonly latencyMs?: number;
  /**
   * Token bucket rate limit: tokens added per second. A request that finds the bucket empty is answered with
   * TooManyRequestsException and counted in `throttled()`, not in `calls()`. No limit if left out.
   */
  readonly requestsPerSecond?: number;
  /** The bucket's capacity, full at start: a whole number from 1; one second's worth (rounded up) if left out. */
  readonly burst?: number;
  /**
   * n (2 or more): every n-th response to each List operation, counted per operation, is an empty page whose NextToken
   * resumes where the request stood. No empty pages if left out.
   */
  readonly emptyPageEvery?: number;
  /**
   * Whether accounts (ListAccounts, ListAccountsForParent, DescribeAccount, ListAccountsWithInvalidEffectivePolicy)
   * carry `Paths` and OUs (ListOrganizationalUnitsForParent, DescribeOrganizationalUnit) `Path`, as AWS does since
   * 2026-03-31: true if left out.
   */
  readonly paths?: boolean;
  /** DescribeEffectivePolicy's PolicyContent for these account ids, instead of the fake's own merge. */
  readonly effectivePolicies?: Readonly<Record<string, string>>;
  /**
   * Called for every request the rate limit lets through, and its result awaited, before the request is answered from
   * the model: a test may hold requests here, or call `setModel` to change the organization in the middle of a read.
   * An AwsError it throws is answered as that error; anything else it throws as HTTP 500 ServiceException.
   */
  readonly onRequest?: (operation: FakeOrganizationsOperation, input: Readonly<Record<string, unknown>>) => unknown;
}

/** A running fake Organizations endpoint on 127.0.0.1. */
export interface FakeOrganizations {
  /** `http://127.0.0.1:PORT`, for the SDK's `endpoint`. */
  readonly endpoint: string;
  /** Requests let through by the rate limit since start or the last reset, by operation (all operations listed). */
  calls(): Record<FakeOrganizationsOperation, number>;
  /** Requests refused with TooManyRequestsException since start or the last reset, by operation. */
  throttled(): Record<FakeOrganizationsOperation, number>;
  /** The sum of `calls()`: requests let through, throttled ones not included. */
  total(): number;
  /** The most requests (of any kind) the server held at once since start or the last reset. */
  peakInFlight(): number;
  /** Zeroes `calls()`, `throttled()`, `peakInFlight()` and the per-operation count that places empty pages. */
  resetCounters(): void;
  /**
   * Serves `model` from the next request on; NextTokens already handed out keep their position in the new listing.
   * Throws, keeping the old model, when `model` is not a tree (duplicate ids, an unknown parent, target or invalid
   * account, an OU not under the root).
   */
  setModel(model: OrgSnapshot): void;
  /** Stops listening, drops the responses still waiting for their latency and closes every connection; safe twice. */
  stop(): Promise<void>;
}

type Json = Readonly<Record<string, unknown>>;

/**
 * An error answered the AWS way: HTTP 400 and `{"__type": name, "Message": ..., ...fields}`; `onRequest` may throw one
 * to have one request answered so (a TooManyRequestsException, say, at exactly the request a test chooses).
 */
export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly fields: Json = {},
  ) {
    super(message);
    this.name = type;
  }
}

interface Reply {
  readonly status: number;
  readonly body: Json;
}

interface Cursor {
  readonly offset: number;
  /** Empty pages served at this offset so far: it keeps each NextToken of a listing distinct. */
  readonly empties: number;
}

/** The model with its lookups, built once per `setModel` so that no request scans the whole organization. */
interface IndexedModel {
  readonly model: OrgSnapshot;
  readonly accounts: ReadonlyMap<string, Account>;
  readonly units: ReadonlyMap<string, OrganizationalUnit>;
  readonly accountsByParent: ReadonlyMap<string, readonly Account[]>;
  readonly unitsByParent: ReadonlyMap<string, readonly OrganizationalUnit[]>;
  /** `o-…/r-…/ou-…/…/<id>/` of the root, every OU and every account. */
  readonly paths: ReadonlyMap<string, string>;
  readonly policies: ReadonlyMap<string, Policy>;
  readonly policiesByTarget: ReadonlyMap<string, readonly Policy[]>;
  readonly invalidAccounts: readonly Account[];
  /** DescribeEffectivePolicy's merge by account id, filled as accounts are asked for. */
  readonly effective: Map<string, string | undefined>;
}

/**
 * Starts a fake AWS Organizations endpoint on a free port of 127.0.0.1 that answers the read operations of
 * FAKE_ORGANIZATIONS_OPERATIONS from `model` over the AWS JSON 1.1 protocol, as @aws-sdk/client-organizations expects:
 * paged by MaxResults (1-20, 20 by default) with opaque NextTokens, AWS's error types for unknown ids and bad input,
 * and UnknownOperationException for anything else. Throws as `setModel` does for a model that is not a tree, and
 * RangeError for an option out of range.
 */
export async function startFakeOrganizations(
  model: OrgSnapshot,
  options: FakeOrganizationsOptions = {},
): Promise<FakeOrganizations> {
  const latencyMs = options.latencyMs ?? 0;
  const rate = options.requestsPerSecond;
  const burst = options.burst ?? Math.ceil(rate ?? 1);
  const emptyPageEvery = options.emptyPageEvery;
  const withPaths = options.paths ?? true;
  if (!(latencyMs >= 0)) throw new RangeError(`latencyMs must be 0 or more, got ${latencyMs}`);
  if (rate !== undefined && !(rate > 0)) throw new RangeError(`requestsPerSecond must be above 0, got ${rate}`);
  if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`burst must be a whole number from 1, got ${burst}`);
  if (emptyPageEvery !== undefined && (!Number.isInteger(emptyPageEvery) || emptyPageEvery < 2)) {
    throw new RangeError(`emptyPageEvery must be a whole number from 2, got ${emptyPageEvery}`);
  }

  let current = indexModel(model);
  let calls = zeroCounts();
  let throttled = zeroCounts();
  let listResponses = zeroCounts();
  let inFlight = 0;
  let peak = 0;
  let tokens = burst;
  let refilledAt = performance.now();
  const waiting = new Set<NodeJS.Timeout>();
  let stopping: Promise<void> | undefined;

  const takeToken = (): boolean => {
    if (rate === undefined) return true;
    const now = performance.now();
    tokens = Math.min(burst, tokens + ((now - refilledAt) * rate) / 1000);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  const page = <T>(
    operation: FakeOrganizationsOperation,
    listing: string,
    input: Json,
    field: string,
    items: readonly T[],
    toJson: (item: T) => unknown,
  ): Json => {
    const maxResults = pageSize(input);
    const token = optionalString(input, 'NextToken');
    const cursor = token === undefined ? { offset: 0, empties: 0 } : decodeToken(token, operation, listing);
    listResponses[operation] += 1;
    if (emptyPageEvery !== undefined && listResponses[operation] % emptyPageEvery === 0) {
      return { [field]: [], NextToken: encodeToken(operation, listing, { ...cursor, empties: cursor.empties + 1 }) };
    }
    const end = cursor.offset + maxResults;
    const json = items.slice(cursor.offset, end).map(toJson);
    return end < items.length
      ? { [field]: json, NextToken: encodeToken(operation, listing, { offset: end, empties: 0 }) }
      : { [field]: json };
  };

  const arn = (kind: string, id: string): string =>
    `arn:aws:organizations::${current.model.organization.managementAccountId}:${kind}/${current.model.organization.id}/${id}`;
  const accountJson = (account: Account): Json => ({
    Id: account.id,
    Arn: arn('account', account.id),
    Email: `aws+${account.id}@example.com`,
    Name: account.name,
    State: account.state,
    JoinedMethod: 'CREATED',
    JoinedTimestamp: JOINED_EPOCH_SECONDS,
    ...(withPaths ? { Paths: [pathOf(current, account.id)] } : {}),
  });
  const unitJson = (unit: OrganizationalUnit): Json => ({
    Id: unit.id,
    Arn: arn('ou', unit.id),
    Name: unit.name,
    ...(withPaths ? { Path: pathOf(current, unit.id) } : {}),
  });
  const policySummaryJson = (policy: Policy): Json => ({
    Id: policy.id,
    Arn: arn('policy', `aiservices_opt_out_policy/${policy.id}`),
    Name: policy.name,
    Type: AI_OPT_OUT_POLICY_TYPE,
    AwsManaged: false,
  });
  const targetJson = (targetId: string): Json => {
    const unit = current.units.get(targetId);
    const account = current.accounts.get(targetId);
    if (unit !== undefined) {
      return { TargetId: targetId, Arn: arn('ou', targetId), Name: unit.name, Type: 'ORGANIZATIONAL_UNIT' };
    }
    if (account !== undefined) {
      return { TargetId: targetId, Arn: arn('account', targetId), Name: account.name, Type: 'ACCOUNT' };
    }
    return { TargetId: targetId, Arn: arn('root', targetId), Name: 'Root', Type: 'ROOT' };
  };
  const parentJson = (parentId: string): Json => ({
    Id: parentId,
    Type: parentId === current.model.root.id ? 'ROOT' : 'ORGANIZATIONAL_UNIT',
  });
  const requireParent = (parentId: string): void => {
    if (parentId !== current.model.root.id && !current.units.has(parentId)) {
      throw new AwsError('ParentNotFoundException', "We can't find a root or OU with the ParentId that you specified.");
    }
  };
  const policyOf = (input: Json): Policy => {
    const policy = current.policies.get(requiredString(input, 'PolicyId'));
    if (policy === undefined) {
      throw new AwsError('PolicyNotFoundException', "We can't find a policy with the PolicyId that you specified.");
    }
    return policy;
  };

  const handlers: Record<FakeOrganizationsOperation, (input: Json) => Json> = {
    DescribeOrganization: () => {
      const { organization } = current.model;
      return {
        Organization: {
          Id: organization.id,
          Arn: `arn:aws:organizations::${organization.managementAccountId}:organization/${organization.id}`,
          FeatureSet: organization.featureSet,
          MasterAccountArn: arn('account', organization.managementAccountId),
          MasterAccountId: organization.managementAccountId,
          MasterAccountEmail: `aws+${organization.managementAccountId}@example.com`,
          // Deprecated, and AWS shows only SCPs in it (Organizations API reference, Organization).
          AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
        },
      };
    },
    ListRoots: (input) => {
      const { root } = current.model;
      const rootJson = {
        Id: root.id,
        Arn: arn('root', root.id),
        Name: 'Root',
        PolicyTypes: root.policyTypes.map((summary) => ({ Type: summary.type, Status: summary.status })),
      };
      return page('ListRoots', '', input, 'Roots', [rootJson], (json) => json);
    },
    ListPolicies: (input) => {
      const filter = requiredString(input, 'Filter');
      const policies = filter === AI_OPT_OUT_POLICY_TYPE ? current.model.policies : [];
      return page('ListPolicies', filter, input, 'Policies', policies, policySummaryJson);
    },
    DescribePolicy: (input) => {
      const policy = policyOf(input);
      return { Policy: { PolicySummary: policySummaryJson(policy), Content: policy.content } };
    },
    ListTargetsForPolicy: (input) => {
      const policy = policyOf(input);
      return page('ListTargetsForPolicy', policy.id, input, 'Targets', policy.targets, targetJson);
    },
    ListPoliciesForTarget: (input) => {
      const targetId = requiredString(input, 'TargetId');
      const filter = requiredString(input, 'Filter');
      if (!current.paths.has(targetId)) {
        throw new AwsError(
          'TargetNotFoundException',
          "We can't find a root, OU, account, or policy with the TargetId.",
        );
      }
      const policies = filter === AI_OPT_OUT_POLICY_TYPE ? (current.policiesByTarget.get(targetId) ?? []) : [];
      return page('ListPoliciesForTarget', `${targetId} ${filter}`, input, 'Policies', policies, policySummaryJson);
    },
    ListOrganizationalUnitsForParent: (input) => {
      const parentId = requiredString(input, 'ParentId');
      requireParent(parentId);
      const units = current.unitsByParent.get(parentId) ?? [];
      return page('ListOrganizationalUnitsForParent', parentId, input, 'OrganizationalUnits', units, unitJson);
    },
    DescribeOrganizationalUnit: (input) => {
      const unit = current.units.get(requiredString(input, 'OrganizationalUnitId'));
      if (unit === undefined) {
        throw new AwsError('OrganizationalUnitNotFoundException', "We can't find an OU with the OrganizationalUnitId.");
      }
      return { OrganizationalUnit: unitJson(unit) };
    },
    ListAccountsForParent: (input) => {
      const parentId = requiredString(input, 'ParentId');
      requireParent(parentId);
      const accounts = current.accountsByParent.get(parentId) ?? [];
      return page('ListAccountsForParent', parentId, input, 'Accounts', accounts, accountJson);
    },
    ListAccounts: (input) => page('ListAccounts', '', input, 'Accounts', current.model.accounts, accountJson),
    DescribeAccount: (input) => {
      const account = current.accounts.get(requiredString(input, 'AccountId'));
      if (account === undefined) {
        throw new AwsError('AccountNotFoundException', "You specified an account that doesn't exist.");
      }
      return { Account: accountJson(account) };
    },
    ListParents: (input) => {
      const childId = requiredString(input, 'ChildId');
      const parentId = current.accounts.get(childId)?.parentId ?? current.units.get(childId)?.parentId;
      if (parentId === undefined) {
        throw new AwsError(
          'ChildNotFoundException',
          "We can't find an organizational unit (OU) or AWS account with the ChildId.",
        );
      }
      return page('ListParents', childId, input, 'Parents', [parentId], parentJson);
    },
    ListChildren: (input) => {
      const parentId = requiredString(input, 'ParentId');
      const childType = requiredString(input, 'ChildType');
      requireParent(parentId);
      const children =
        childType === 'ACCOUNT'
          ? (current.accountsByParent.get(parentId) ?? [])
          : childType === 'ORGANIZATIONAL_UNIT'
            ? (current.unitsByParent.get(parentId) ?? [])
            : undefined;
      if (children === undefined) {
        throw new AwsError('InvalidInputException', 'You specified an invalid value.', { Reason: 'INVALID_ENUM' });
      }
      const listing = `${parentId} ${childType}`;
      return page('ListChildren', listing, input, 'Children', children, (child) => ({ Id: child.id, Type: childType }));
    },
    ListAccountsWithInvalidEffectivePolicy: (input) => {
      const policyType = requiredString(input, 'PolicyType');
      const accounts = policyType === AI_OPT_OUT_POLICY_TYPE ? current.invalidAccounts : [];
      return {
        ...page('ListAccountsWithInvalidEffectivePolicy', policyType, input, 'Accounts', accounts, accountJson),
        PolicyType: policyType,
      };
    },
    DescribeEffectivePolicy: (input) => {
      const policyType = requiredString(input, 'PolicyType');
      const targetId = optionalString(input, 'TargetId') ?? current.model.organization.managementAccountId;
      if (targetId === current.model.root.id || current.units.has(targetId)) {
        throw new AwsError('InvalidInputException', 'You can specify only an account as the target.', {
          Reason: 'TARGET_NOT_SUPPORTED',
        });
      }
      const account = current.accounts.get(targetId);
      if (account === undefined) {
        throw new AwsError(
          'TargetNotFoundException',
          "We can't find a root, OU, account, or policy with the TargetId.",
        );
      }
      const override = options.effectivePolicies?.[targetId];
      const content =
        policyType !== AI_OPT_OUT_POLICY_TYPE ? undefined : (override ?? effectivePolicyContent(current, account));
      if (content === undefined) {
        throw new AwsError('EffectivePolicyNotFoundException', "We can't find an effective policy of that type.");
      }
      return {
        EffectivePolicy: {
          PolicyContent: content,
          LastUpdatedTimestamp: EFFECTIVE_POLICY_UPDATED_EPOCH_SECONDS,
          TargetId: targetId,
          PolicyType: policyType,
        },
      };
    },
  };

  const answer = async (target: string | undefined, body: string): Promise<Reply> => {
    const name = target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
    const operation = FAKE_ORGANIZATIONS_OPERATIONS.find((candidate) => candidate === name);
    if (operation === undefined) {
      return errorReply(new AwsError('UnknownOperationException', `The fake does not serve ${target ?? 'this'}.`));
    }
    if (!takeToken()) {
      throttled[operation] += 1;
      return errorReply(new AwsError('TooManyRequestsException', 'Rate exceeded'));
    }
    calls[operation] += 1;
    const input = parseInput(body);
    if (input === undefined) {
      return errorReply(new AwsError('SerializationException', 'The request body is not a JSON object.'));
    }
    try {
      await options.onRequest?.(operation, input);
      return { status: 200, body: handlers[operation](input) };
    } catch (error) {
      if (error instanceof AwsError) return errorReply(error);
      // A bug of the fake or of onRequest: answered as AWS's internal error, so that the test sees its message.
      return {
        status: 500,
        body: { __type: 'ServiceException', Message: error instanceof Error ? error.message : String(error) },
      };
    }
  };

  const server = createServer((request, response) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    response.once('close', () => {
      inFlight -= 1;
    });
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      void answer(typeof target === 'string' ? target : undefined, Buffer.concat(chunks).toString('utf8')).then(
        (reply) => {
          // An answer that was still being made (in onRequest, say) when stop() came is dropped, not held: a timer set
          // now would outlive the fake, and keep the test process running for latencyMs.
          if (stopping !== undefined) {
            response.destroy();
            return;
          }
          const send = (): void => {
            const text = JSON.stringify(reply.body);
            response.writeHead(reply.status, {
              'content-type': CONTENT_TYPE,
              'content-length': Buffer.byteLength(text),
              'x-amzn-requestid': randomUUID(),
            });
            response.end(text);
          };
          if (latencyMs === 0) {
            send();
            return;
          }
          const timer = setTimeout(() => {
            waiting.delete(timer);
            send();
          }, latencyMs);
          waiting.add(timer);
        },
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the fake Organizations has no TCP address');

  return {
    endpoint: `http://${HOST}:${address.port}`,
    calls: () => ({ ...calls }),
    throttled: () => ({ ...throttled }),
    total: () => Object.values(calls).reduce((sum, count) => sum + count, 0),
    peakInFlight: () => peak,
    resetCounters: () => {
      calls = zeroCounts();
      throttled = zeroCounts();
      listResponses = zeroCounts();
      peak = inFlight;
    },
    setModel: (next) => {
      current = indexModel(next);
    },
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        for (const timer of waiting) clearTimeout(timer);
        waiting.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

function zeroCounts(): Record<FakeOrganizationsOperation, number> {
  const counts: Partial<Record<FakeOrganizationsOperation, number>> = {};
  for (const operation of FAKE_ORGANIZATIONS_OPERATIONS) counts[operation] = 0;
  return counts as Record<FakeOrganizationsOperation, number>;
}

function errorReply(error: AwsError): Reply {
  return { status: 400, body: { __type: error.type, Message: error.message, ...error.fields } };
}

function parseInput(body: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(body === '' ? '{}' : body);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(input: Json, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new AwsError('InvalidInputException', `${name} must be a string.`, { Reason: 'INVALID_PATTERN' });
  }
  return value;
}

function requiredString(input: Json, name: string): string {
  const value = optionalString(input, name);
  if (value === undefined) {
    throw new AwsError('InvalidInputException', `You must specify ${name}.`, { Reason: 'INPUT_REQUIRED' });
  }
  return value;
}

// Organizations checks MaxResults itself: InvalidInputException with MIN_VALUE_EXCEEDED or MAX_VALUE_EXCEEDED (the
// service model's InvalidInputExceptionReason), not the generic ValidationException of other services.
function pageSize(input: Json): number {
  const value = input.MaxResults;
  if (value === undefined || value === null) return MAX_RESULTS_PER_PAGE;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new AwsError('InvalidInputException', 'MaxResults must be a whole number.', { Reason: 'INVALID_PATTERN' });
  }
  if (value < 1) {
    throw new AwsError(
      'InvalidInputException',
      'You provided a numeric parameter that has a smaller value than allowed.',
      {
        Reason: 'MIN_VALUE_EXCEEDED',
      },
    );
  }
  if (value > MAX_RESULTS_PER_PAGE) {
    throw new AwsError(
      'InvalidInputException',
      'You provided a numeric parameter that has a larger value than allowed.',
      {
        Reason: 'MAX_VALUE_EXCEEDED',
      },
    );
  }
  return value;
}

function encodeToken(operation: FakeOrganizationsOperation, listing: string, cursor: Cursor): string {
  return Buffer.from(JSON.stringify([operation, listing, cursor.offset, cursor.empties])).toString('base64url');
}

function decodeToken(token: string, operation: FakeOrganizationsOperation, listing: string): Cursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (Array.isArray(decoded) && decoded.length === 4) {
    const [tokenOperation, tokenListing, offset, empties] = decoded;
    if (
      tokenOperation === operation &&
      tokenListing === listing &&
      Number.isInteger(offset) &&
      Number.isInteger(empties) &&
      typeof offset === 'number' &&
      typeof empties === 'number' &&
      offset >= 0 &&
      empties >= 0
    ) {
      return { offset, empties };
    }
  }
  throw new AwsError('InvalidInputException', 'The NextToken is not one this listing handed out.', {
    Reason: 'INVALID_NEXT_TOKEN',
  });
}

function pathOf(indexed: IndexedModel, id: string): string {
  const path = indexed.paths.get(id);
  if (path === undefined) throw new Error(`no path for ${id}`);
  return path;
}

/** Indexes `model` and checks that it is a tree under its root; throws an Error that names what is wrong. */
function indexModel(model: OrgSnapshot): IndexedModel {
  const rootId = model.root.id;
  const seen = new Set<string>([rootId]);
  const claim = (id: string): void => {
    if (seen.has(id)) throw new Error(`the model holds ${id} twice`);
    seen.add(id);
  };
  const units = new Map<string, OrganizationalUnit>();
  const unitsByParent = new Map<string, OrganizationalUnit[]>();
  for (const unit of model.organizationalUnits) {
    claim(unit.id);
    units.set(unit.id, unit);
    appendTo(unitsByParent, unit.parentId, unit);
  }
  const accounts = new Map<string, Account>();
  const accountsByParent = new Map<string, Account[]>();
  for (const account of model.accounts) {
    claim(account.id);
    accounts.set(account.id, account);
    appendTo(accountsByParent, account.parentId, account);
  }

  // Paths from the root down: an OU or account left without one is not under the root (an unknown parent or a cycle).
  const paths = new Map<string, string>([[rootId, `${model.organization.id}/${rootId}/`]]);
  const parents = [rootId];
  for (let parentId = parents.pop(); parentId !== undefined; parentId = parents.pop()) {
    const parentPath = paths.get(parentId) ?? '';
    for (const unit of unitsByParent.get(parentId) ?? []) {
      paths.set(unit.id, `${parentPath}${unit.id}/`);
      parents.push(unit.id);
    }
    for (const account of accountsByParent.get(parentId) ?? []) paths.set(account.id, `${parentPath}${account.id}/`);
  }
  const detached = [...units.keys(), ...accounts.keys()].find((id) => !paths.has(id));
  if (detached !== undefined) throw new Error(`the model's ${detached} is not under root ${rootId}`);

  const policies = new Map<string, Policy>();
  const policiesByTarget = new Map<string, Policy[]>();
  for (const policy of model.policies) {
    claim(policy.id);
    policies.set(policy.id, policy);
    for (const target of policy.targets) {
      if (!paths.has(target)) throw new Error(`the model's policy ${policy.id} targets unknown ${target}`);
      appendTo(policiesByTarget, target, policy);
    }
  }
  const invalidAccounts = model.accountsWithInvalidEffectivePolicy.map((id) => {
    const account = accounts.get(id);
    if (account === undefined)
      throw new Error(`the model lists unknown account ${id} with an invalid effective policy`);
    return account;
  });
  return {
    model,
    accounts,
    units,
    accountsByParent,
    unitsByParent,
    paths,
    policies,
    policiesByTarget,
    invalidAccounts,
    effective: new Map(),
  };
}

function appendTo<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [item]);
  else list.push(item);
}

/**
 * The account's effective AI opt-out policy as DescribeEffectivePolicy returns it (operators left out), or undefined
 * when the policy type is not enabled or no policy assigns anything. A simple merge, enough for tests and benchmarks:
 * root, then each OU down the path, then the account; a level's @@assign overrides earlier ones unless an earlier level
 * locked that key (["@@none"] under the key or its opt_out_policy) or, for a key not yet assigned, locked `services`.
 * Policies on one level do not lock each other.
 */
function effectivePolicyContent(indexed: IndexedModel, account: Account): string | undefined {
  if (indexed.effective.has(account.id)) return indexed.effective.get(account.id);
  const enabled = indexed.model.root.policyTypes.some(
    (summary) => summary.type === AI_OPT_OUT_POLICY_TYPE && summary.status === 'ENABLED',
  );
  const levels = pathOf(indexed, account.id)
    .split('/')
    .slice(1, -1)
    .map((id) => (indexed.policiesByTarget.get(id) ?? []).flatMap((policy) => servicesOf(policy.content)));
  const values = new Map<string, string>();
  const lockedKeys = new Set<string>();
  let servicesLocked = false;
  for (const level of levels) {
    for (const services of level) {
      for (const [key, entry] of serviceEntries(services)) {
        const assign = isRecord(entry) && isRecord(entry.opt_out_policy) ? entry.opt_out_policy['@@assign'] : undefined;
        if (typeof assign !== 'string' || lockedKeys.has(key) || (servicesLocked && !values.has(key))) continue;
        values.set(key, assign);
      }
    }
    for (const services of level) {
      servicesLocked ||= locksChildren(services);
      for (const [key, entry] of serviceEntries(services)) {
        if (locksChildren(entry) || (isRecord(entry) && locksChildren(entry.opt_out_policy))) lockedKeys.add(key);
      }
    }
  }
  const content =
    enabled && values.size > 0
      ? JSON.stringify({
          services: Object.fromEntries([...values].map(([key, value]) => [key, { opt_out_policy: value }])),
        })
      : undefined;
  indexed.effective.set(account.id, content);
  return content;
}

/** The `services` object of a policy's content, or nothing when the content is not such a document. */
function servicesOf(content: string): Json[] {
  try {
    const document: unknown = JSON.parse(content);
    return isRecord(document) && isRecord(document.services) ? [document.services] : [];
  } catch {
    return [];
  }
}

function serviceEntries(services: Json): [string, unknown][] {
  return Object.entries(services).filter(([key]) => !key.startsWith('@@'));
}

function locksChildren(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const operators = value[OPERATORS_KEY];
  return Array.isArray(operators) && operators.includes('@@none');
}
