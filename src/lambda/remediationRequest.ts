import { DEFAULT_REMEDIATION_POLICY_NAME, parsePolicyName } from '../core/planRemediation';
import { fail, ok, type Result } from '../core/result';

/** The fields the runbook's aws:invokeLambdaFunction step may send in its Payload. */
export const REMEDIATION_REQUEST_FIELDS = ['dryRun', 'policyName', 'resourceId'] as const;

/** What the runbook asks the remediation function to do, parsed and checked. */
export interface RemediationRequest {
  /** Plan only; nothing is changed. Required, so that a malformed Payload can neither change nor skip silently. */
  readonly dryRun: boolean;
  /** The policy the remediation owns; DEFAULT_REMEDIATION_POLICY_NAME when absent or empty. */
  readonly policyName: string;
  /** The NON_COMPLIANT account AWS Config remediates (RESOURCE_ID); logged only, as the fix is organization-wide. */
  readonly resourceId: string | undefined;
}

function fields(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value))
    : undefined;
}

/**
 * Parses the runbook's Payload: `{"dryRun": true|false, "policyName"?: string, "resourceId"?: string}`. An empty
 * policyName or resourceId counts as absent (a runbook parameter left at its default). Returns a one-line reason for
 * anything else: not an object, an unknown field, a dryRun that is not a JSON boolean, a policy name that
 * parsePolicyName refuses, a resourceId that is not a 12-digit account id.
 */
export function parseRemediationRequest(event: unknown): Result<RemediationRequest, string> {
  const root = fields(event);
  if (root === undefined) return fail('The Payload must be a JSON object such as {"dryRun": true}');
  const unknown = Object.keys(root).find((name) => !REMEDIATION_REQUEST_FIELDS.some((known) => known === name));
  if (unknown !== undefined) {
    return fail(`Unknown Payload field "${unknown}"; valid fields: ${REMEDIATION_REQUEST_FIELDS.join(', ')}`);
  }
  const { dryRun, policyName = '', resourceId = '' } = root;
  if (typeof dryRun !== 'boolean') {
    return fail(
      `dryRun must be true or false (a JSON boolean, not a string), got ${JSON.stringify(dryRun) ?? 'nothing'}`,
    );
  }
  if (typeof policyName !== 'string') return fail(`policyName must be a string, got ${JSON.stringify(policyName)}`);
  const name = policyName === '' ? ok(DEFAULT_REMEDIATION_POLICY_NAME) : parsePolicyName(policyName);
  if (!name.ok) return fail(`policyName: ${name.error}`);
  if (typeof resourceId !== 'string' || (resourceId !== '' && !/^\d{12}$/.test(resourceId))) {
    return fail(`resourceId must be a 12-digit account id, got ${JSON.stringify(resourceId)}`);
  }
  return ok({ dryRun, policyName: name.value, resourceId: resourceId === '' ? undefined : resourceId });
}
