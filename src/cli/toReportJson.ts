import { type AccountEvaluation, toAccountEvaluations } from '../core/accountEvaluation';
import type { KeyValue } from '../core/effectiveOptOut';
import type { AccountDecision, PostureReport } from '../core/evaluatePosture';
import type { AccountState } from '../core/orgSnapshot';
import { assertNever, DEFAULT_SERVICE_KEY, formatPolicyParseFailure } from '../core/parseOptOutPolicy';
import { type ComplianceType, formatUnknownCause, type Reason } from '../core/reason';
import { formatRuleParameters, type RuleParameters } from '../core/ruleParameters';

/**
 * Where the evaluated organization came from: a snapshot file, or a live read of AWS Organizations by this run, saved
 * to a file when --save-snapshot asked for it.
 */
export type ReportSource =
  | {
      readonly kind: 'snapshot';
      readonly file: string;
      /** When the snapshot was read (ISO 8601); null when it does not say. */
      readonly capturedAt: string | null;
    }
  | {
      readonly kind: 'live';
      readonly file: string | null;
      /** When the read started (ISO 8601, UTC). */
      readonly capturedAt: string;
    };

/** Who made a report, when, and from what. */
export interface ReportProvenance {
  /** When the report was made (ISO 8601, UTC). */
  readonly generatedAt: string;
  readonly tool: { readonly name: string; readonly version: string };
  readonly source: ReportSource;
}

/** An effective value of one key, with the policy and target that decided it. */
export type ValueJson =
  | { readonly value: 'optOut' | 'optIn'; readonly policyId: string; readonly targetId: string }
  | { readonly value: 'unset' }
  | { readonly value: 'unknown'; readonly why: string };

/** One account of a JSON report. */
export interface AccountJson {
  readonly accountId: string;
  readonly name: string;
  readonly state: AccountState;
  readonly managementAccount: boolean;
  /** The OUs from the root down to the account's parent; a name only where the snapshot has it. */
  readonly organizationalUnits: readonly { readonly id: string; readonly name?: string }[];
  /** `Root/Workloads/Prod`: the OU names, or their ids where a snapshot has no names. */
  readonly organizationalUnitPath: string;
  readonly complianceType: ComplianceType;
  /** The kind of reason: one of docs/report-formats.md's table. */
  readonly reason: Reason['kind'];
  readonly message: string;
  /** Null for accounts that are not ACTIVE. */
  readonly effective: {
    readonly default: ValueJson;
    readonly services: Readonly<Record<string, ValueJson>>;
    readonly otherServices: ValueJson | null;
  } | null;
}

/** The report every format is made from: the JSON report, as schemas/report.schema.json describes it. */
export interface ReportJson extends ReportProvenance {
  readonly organizationId: string;
  readonly compliance: PostureReport['compliance'];
  /** Exactly what the Lambda puts to AWS Config, one per account listed. */
  readonly evaluations: readonly AccountEvaluation[];
  /** The rule parameters that change a decision; Scope and ExecutionRoleName only steer where the Lambda puts it. */
  readonly ruleParameters: { readonly RequiredLocks: string; readonly AllowedOptInServices: string };
  /** Whether only NON_COMPLIANT accounts are listed (--only-failures); `summary` counts every account all the same. */
  readonly onlyFailures: boolean;
  readonly summary: Readonly<Record<ComplianceType, number>>;
  readonly accounts: readonly AccountJson[];
  readonly unreadablePolicies: readonly {
    readonly policyId: string;
    readonly targetId: string;
    readonly problem: string;
  }[];
}

function valueJson(key: string, value: KeyValue): ValueJson {
  switch (value.kind) {
    case 'optOut':
    case 'optIn':
      return { value: value.kind, policyId: value.policyId, targetId: value.targetId };
    case 'unset':
      return { value: 'unset' };
    case 'unknown':
      return { value: 'unknown', why: formatUnknownCause(key, value.cause) };
    default:
      return assertNever(value);
  }
}

function accountJson(decision: AccountDecision): AccountJson {
  const { account, effective } = decision;
  return {
    accountId: account.id,
    name: account.name,
    state: account.state,
    managementAccount: decision.isManagementAccount,
    organizationalUnits: decision.organizationalUnits.map((ou) =>
      ou.name === undefined ? { id: ou.id } : { id: ou.id, name: ou.name },
    ),
    // A snapshot read from accounts' paths may hold OUs without names: their ids stand in.
    organizationalUnitPath: ['Root', ...decision.organizationalUnits.map((ou) => ou.name ?? ou.id)].join('/'),
    complianceType: decision.compliance,
    reason: decision.reason.kind,
    message: decision.message,
    effective:
      effective === undefined
        ? null
        : {
            default: valueJson(DEFAULT_SERVICE_KEY, effective.default),
            services: Object.fromEntries([...effective.services].map(([key, value]) => [key, valueJson(key, value)])),
            otherServices: effective.unnamedServices === undefined ? null : valueJson('*', effective.unnamedServices),
          },
  };
}

/**
 * The report as JSON data, which every output format is made from: `organizationId`, `compliance` and `evaluations`
 * (exactly what the Lambda puts), the provenance, the rule parameters, counts, per-account detail with effective
 * values, and unreadable policies. With `onlyFailures`, `evaluations` and `accounts` hold the NON_COMPLIANT accounts
 * only; `summary` still counts them all.
 */
export function toReportJson(
  report: PostureReport,
  parameters: RuleParameters,
  provenance: ReportProvenance,
  options: { readonly onlyFailures: boolean },
): ReportJson {
  const decisions = options.onlyFailures
    ? report.decisions.filter((decision) => decision.compliance === 'NON_COMPLIANT')
    : report.decisions;
  const { RequiredLocks, AllowedOptInServices } = formatRuleParameters(parameters);
  return {
    organizationId: report.organizationId,
    compliance: report.compliance,
    evaluations: toAccountEvaluations({ ...report, decisions }),
    generatedAt: provenance.generatedAt,
    tool: provenance.tool,
    source: provenance.source,
    ruleParameters: { RequiredLocks, AllowedOptInServices },
    onlyFailures: options.onlyFailures,
    summary: report.counts,
    accounts: decisions.map(accountJson),
    unreadablePolicies: report.unreadablePolicies.map((p) => ({
      policyId: p.policyId,
      targetId: p.targetId,
      problem: formatPolicyParseFailure(p.failure),
    })),
  };
}
