import {
  type Account,
  AI_OPT_OUT_POLICY_TYPE,
  type OrganizationalUnit,
  type OrgSnapshot,
  type Policy,
  type PolicyTypeStatus,
} from '../../src/core/orgSnapshot';
import { optIn, optOut, SEED_001, SEED_004_BASIC, SEED_004_EXAMPLE_1, SEED_004_EXAMPLE_3 } from './policies';

/** AWS nests OUs at most five levels deep under the root (Organizations User Guide, quotas). */
export const MAX_OU_DEPTH = 5;

/** At most five policies of one type may be attached to one root, OU or account (Organizations quotas). */
export const MAX_POLICIES_PER_TARGET = 5;

/** What `generateOrganization` builds. */
export interface GenerateOrganizationOptions {
  /** Accounts in all, the management account (under the root) included: at least 1. */
  readonly accounts: number;
  /** OUs in all: 0 or more. */
  readonly organizationalUnits: number;
  /** How deep OUs nest, 1 (only under the root) to MAX_OU_DEPTH; the first `depth` OUs form a chain that reaches it. */
  readonly depth: number;
  /** AI opt-out policies besides the root's, each attached to 1-3 OUs or accounts (or none, once every pick is full). */
  readonly policies: number;
  /** The seed of the generator: the same options give the same organization. 1 if left out. */
  readonly seed?: number;
  /** How many accounts, picked by the seed, ListAccountsWithInvalidEffectivePolicy reports. 0 if left out. */
  readonly invalidEffectivePolicyAccounts?: number;
  /** The root's status of AISERVICES_OPT_OUT_POLICY, or NOT_ENABLED to leave the type out. ENABLED if left out. */
  readonly aiOptOutPolicyType?: PolicyTypeStatus | 'NOT_ENABLED';
}

/** Service keys seen over time in AWS's pages on AI services opt-out policies. */
const SERVICE_KEYS = [
  'aiops',
  'awssupplychain',
  'chimesdkvoiceanalytics',
  'cloudwatch',
  'codeguruprofiler',
  'codewhisperer',
  'comprehend',
  'connectamd',
  'contactlens',
  'frauddetector',
  'guardduty',
  'lex',
  'polly',
  'rekognition',
  'textract',
  'transcribe',
  'translate',
] as const;

const OU_WORDS = ['Workloads', 'Sandbox', 'Security', 'Infrastructure', 'Data', 'Suspended', 'Prod', 'NonProd'];
const TEAMS = ['payments', 'search', 'identity', 'analytics', 'platform', 'mobile', 'ml', 'billing', 'support'];
const ENVIRONMENTS = ['prod', 'staging', 'dev', 'sandbox'];
const ID_CHARACTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Child policies as AWS's pages show them: a name and the document, for a service picked by the seed. */
const CHILD_POLICIES: readonly ((service: string) => { readonly name: string; readonly document: object })[] = [
  (service) => ({ name: `opt-in-${service}`, document: optIn(service) }),
  (service) => ({ name: `opt-out-${service}`, document: optOut(service) }),
  () => ({ name: 'opt-out-default', document: SEED_001 }),
  () => ({ name: 'opt-out-rekognition-locked', document: SEED_004_EXAMPLE_3 }),
  () => ({ name: 'rekognition-out-lex-in', document: SEED_004_BASIC }),
];

/**
 * A plain organization as an OrgSnapshot (without `capturedAt`): what a correct reader of it returns. Ids look like
 * AWS's (o-…, r-…, ou-<root>-…, 12 digits, p-…); every account is ACTIVE. The root carries SERVICE_CONTROL_POLICY and
 * AISERVICES_OPT_OUT_POLICY (ENABLED unless told otherwise) and AWS's fully locked Example 1; OUs and accounts are
 * spread over the tree by the seed, as are the other policies' contents and targets. Deterministic for a seed, linear in
 * size. Throws RangeError for a count that is not a whole number in range.
 */
export function generateOrganization(options: GenerateOrganizationOptions): OrgSnapshot {
  const invalidCount = options.invalidEffectivePolicyAccounts ?? 0;
  requireWhole('accounts', options.accounts, 1, Number.MAX_SAFE_INTEGER);
  requireWhole('organizationalUnits', options.organizationalUnits, 0, Number.MAX_SAFE_INTEGER);
  requireWhole('depth', options.depth, 1, MAX_OU_DEPTH);
  requireWhole('policies', options.policies, 0, Number.MAX_SAFE_INTEGER);
  requireWhole('invalidEffectivePolicyAccounts', invalidCount, 0, options.accounts);
  const random = mulberry32(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  };
  const uniqueId = (used: Set<string>, make: () => string): string => {
    let id = make();
    while (used.has(id)) id = make();
    used.add(id);
    return id;
  };
  const characters = (count: number): string =>
    Array.from({ length: count }, () => ID_CHARACTERS.charAt(Math.floor(random() * ID_CHARACTERS.length))).join('');

  const rootSuffix = characters(4);
  const rootId = `r-${rootSuffix}`;
  const usedIds = new Set<string>();

  // Parents an OU may go under: the root and every OU above the deepest level.
  const organizationalUnits: OrganizationalUnit[] = [];
  const nestable: { readonly id: string; readonly level: number }[] = [{ id: rootId, level: 0 }];
  for (let index = 0; index < options.organizationalUnits; index += 1) {
    const parent = index < options.depth ? (nestable[nestable.length - 1] ?? { id: rootId, level: 0 }) : pick(nestable);
    const id = uniqueId(usedIds, () => `ou-${rootSuffix}-${characters(8)}`);
    organizationalUnits.push({ id, name: `${pick(OU_WORDS)}-${index + 1}`, parentId: parent.id });
    if (parent.level + 1 < options.depth) nestable.push({ id, level: parent.level + 1 });
  }

  const accountParents = [rootId, ...organizationalUnits.map((unit) => unit.id)];
  const twelveDigits = (): string =>
    `${Math.floor(random() * 1e6)}`.padStart(6, '0') + `${Math.floor(random() * 1e6)}`.padStart(6, '0');
  const managementAccountId = uniqueId(usedIds, twelveDigits);
  const accounts: Account[] = [{ id: managementAccountId, name: 'management', state: 'ACTIVE', parentId: rootId }];
  for (let index = 1; index < options.accounts; index += 1) {
    accounts.push({
      id: uniqueId(usedIds, twelveDigits),
      name: `${pick(TEAMS)}-${pick(ENVIRONMENTS)}-${index}`,
      state: 'ACTIVE',
      parentId: pick(accountParents),
    });
  }

  const newPolicyId = (): string => uniqueId(usedIds, () => `p-${characters(8)}`);
  const policies: Policy[] = [
    {
      id: newPolicyId(),
      name: 'opt-out-all-locked',
      content: JSON.stringify(SEED_004_EXAMPLE_1),
      targets: [rootId],
    },
  ];
  const targetPool = [...organizationalUnits.map((unit) => unit.id), ...accounts.map((account) => account.id)];
  const attached = new Map<string, number>();
  for (let index = 1; index <= options.policies; index += 1) {
    const { name, document } = pick(CHILD_POLICIES)(pick(SERVICE_KEYS));
    const targets: string[] = [];
    const wanted = 1 + Math.floor(random() * 3);
    // A bounded number of tries keeps a small, full organization from looping: the policy then stays unattached.
    for (let attempt = 0; attempt < wanted * 4 && targets.length < wanted; attempt += 1) {
      const target = pick(targetPool);
      const count = attached.get(target) ?? 0;
      if (count >= MAX_POLICIES_PER_TARGET || targets.includes(target)) continue;
      attached.set(target, count + 1);
      targets.push(target);
    }
    policies.push({ id: newPolicyId(), name: `${name}-${index}`, content: JSON.stringify(document), targets });
  }

  const invalid = new Set<string>();
  while (invalid.size < invalidCount) invalid.add(pick(accounts).id);

  const aiOptOutPolicyType = options.aiOptOutPolicyType ?? 'ENABLED';
  return {
    organization: { id: `o-${characters(10)}`, featureSet: 'ALL', managementAccountId },
    root: {
      id: rootId,
      policyTypes: [
        { type: 'SERVICE_CONTROL_POLICY', status: 'ENABLED' },
        ...(aiOptOutPolicyType === 'NOT_ENABLED' ? [] : [{ type: AI_OPT_OUT_POLICY_TYPE, status: aiOptOutPolicyType }]),
      ],
    },
    organizationalUnits,
    accounts,
    policies,
    accountsWithInvalidEffectivePolicy: accounts.filter((account) => invalid.has(account.id)).map((a) => a.id),
  };
}

function requireWhole(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
}

/** A small seeded generator of numbers in [0, 1) (mulberry32): the same seed gives the same sequence. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
