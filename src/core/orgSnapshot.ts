/** The policy type this project evaluates, in AWS's words. */
export const AI_OPT_OUT_POLICY_TYPE = 'AISERVICES_OPT_OUT_POLICY';

/** Organizations account `State` values. */
export const ACCOUNT_STATES = ['PENDING_ACTIVATION', 'ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED'] as const;
export type AccountState = (typeof ACCOUNT_STATES)[number];

/** Organizations `FeatureSet` values; policies need `ALL`. */
export const FEATURE_SETS = ['ALL', 'CONSOLIDATED_BILLING'] as const;
export type FeatureSet = (typeof FEATURE_SETS)[number];

/** `Root.PolicyTypes[].Status` values; a type that is absent is not enabled. */
export const POLICY_TYPE_STATUSES = ['ENABLED', 'PENDING_ENABLE', 'PENDING_DISABLE'] as const;
export type PolicyTypeStatus = (typeof POLICY_TYPE_STATUSES)[number];

export interface Organization {
  readonly id: string;
  readonly featureSet: FeatureSet;
  readonly managementAccountId: string;
}

export interface PolicyTypeSummary {
  readonly type: string;
  readonly status: PolicyTypeStatus;
}

export interface Root {
  readonly id: string;
  readonly policyTypes: readonly PolicyTypeSummary[];
}

export interface OrganizationalUnit {
  readonly id: string;
  /** Absent when the reader took the OU from accounts' paths, which carry no names, and was not asked for them. */
  readonly name?: string;
  /** The root id or another OU's id. */
  readonly parentId: string;
}

export interface Account {
  readonly id: string;
  readonly name: string;
  readonly state: AccountState;
  /** The root id or an OU's id. */
  readonly parentId: string;
}

/** An AI services opt-out policy and the root, OU and account ids it is attached to. */
export interface Policy {
  readonly id: string;
  readonly name: string;
  /** The raw `Content` string exactly as DescribePolicy returns it; it may be malformed. */
  readonly content: string;
  readonly targets: readonly string[];
}

/** Everything the compliance decision reads: the contract between the reader, the CLI and the tests. */
export interface OrgSnapshot {
  /** When the snapshot was read (ISO 8601), if known. */
  readonly capturedAt?: string;
  /**
   * Set when the snapshot holds only what decides this one account (a Scope=Account read): the organization, the
   * root, the OUs on the account's path, the account itself, the policies attached to those nodes (their targets
   * limited to them) and whether AWS lists the account with an invalid effective policy. The management account is then
   * absent unless it is this account, and the OUs have no names (that read does not ask for names, which no decision
   * uses).
   */
  readonly pathOf?: string;
  readonly organization: Organization;
  readonly root: Root;
  readonly organizationalUnits: readonly OrganizationalUnit[];
  readonly accounts: readonly Account[];
  readonly policies: readonly Policy[];
  /**
   * The accounts whose effective AI opt-out policy AWS reports as invalid (ListAccountsWithInvalidEffectivePolicy):
   * it fails AWS's validation checks and is not fully enforced, whatever the policies say.
   */
  readonly accountsWithInvalidEffectivePolicy: readonly string[];
}
