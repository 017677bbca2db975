import type {
  Account,
  AccountState,
  FeatureSet,
  OrganizationalUnit,
  OrgSnapshot,
  PolicyTypeStatus,
} from '../../src/core/orgSnapshot';

export const ORG_ID = 'o-exampleorgid';
export const ROOT_ID = 'r-exam';
export const MANAGEMENT_ID = '111111111111';

export interface PolicySpec {
  readonly id: string;
  /** A document (serialised as JSON) or the raw content string. */
  readonly content: object | string;
  readonly targets: readonly string[];
}

export interface OrgSpec {
  readonly featureSet?: FeatureSet;
  readonly aiPolicyType?: PolicyTypeStatus | 'absent';
  readonly organizationalUnits?: readonly (Omit<OrganizationalUnit, 'name'> & { name?: string })[];
  readonly accounts?: readonly { id: string; parentId: string; state?: AccountState; name?: string }[];
  readonly policies?: readonly PolicySpec[];
  readonly accountsWithInvalidEffectivePolicy?: readonly string[];
}

/** Builds a valid snapshot: the management account sits under the root; everything else comes from the spec. */
export function snapshotOf(spec: OrgSpec = {}): OrgSnapshot {
  const aiPolicyType = spec.aiPolicyType ?? 'ENABLED';
  const accounts: Account[] = [
    { id: MANAGEMENT_ID, name: 'management', state: 'ACTIVE', parentId: ROOT_ID },
    ...(spec.accounts ?? []).map((a) => ({
      id: a.id,
      name: a.name ?? `account-${a.id}`,
      state: a.state ?? 'ACTIVE',
      parentId: a.parentId,
    })),
  ];
  return {
    organization: { id: ORG_ID, featureSet: spec.featureSet ?? 'ALL', managementAccountId: MANAGEMENT_ID },
    root: {
      id: ROOT_ID,
      policyTypes: [
        { type: 'SERVICE_CONTROL_POLICY', status: 'ENABLED' },
        ...(aiPolicyType === 'absent' ? [] : [{ type: 'AISERVICES_OPT_OUT_POLICY', status: aiPolicyType }]),
      ],
    },
    organizationalUnits: (spec.organizationalUnits ?? []).map((ou) => ({
      id: ou.id,
      name: ou.name ?? ou.id,
      parentId: ou.parentId,
    })),
    accounts,
    policies: (spec.policies ?? []).map((p) => ({
      id: p.id,
      name: `policy-${p.id}`,
      content: typeof p.content === 'string' ? p.content : JSON.stringify(p.content),
      targets: p.targets,
    })),
    accountsWithInvalidEffectivePolicy: spec.accountsWithInvalidEffectivePolicy ?? [],
  };
}
