import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { Context } from 'aws-lambda';
import { ORGANIZATIONS_CLIENT_CONFIG } from '../aws/readOrgSnapshot';
import { type RemediationResult, remediateOrganization } from '../aws/remediateOrganization';
import { formatRemediationStep } from '../core/planRemediation';
import { InvalidEventError, RemediationIncompleteError } from '../errors';
import { parseRemediationRequest } from './remediationRequest';

// Created once per container, outside the handler, and reused by every invocation. Their service name and the
// metrics' namespace come from POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE (template.yaml).
const logger = new Logger();
const metrics = new Metrics();
const organizations = new OrganizationsClient(ORGANIZATIONS_CLIENT_CONFIG);

/**
 * The function the remediation runbook invokes (aws:invokeLambdaFunction) with `{"dryRun", "policyName"?,
 * "resourceId"?}`: enables the AI opt-out policy type, creates or updates the locked policy and attaches it to the
 * root, or with dryRun only plans. Returns the result (plan, done, remaining, needsPerson, summary).
 * Succeeds when problems need a person: the remediation did all it safely could, and the rule keeps those accounts
 * NON_COMPLIANT. Throws, so that the runbook step fails, on a malformed Payload, on a failed read or step, and when
 * a read after the changes still shows steps to do. Logs with the Lambda context's keys, and publishes, once
 * whether it returns or throws, RemediationChangedOrganization (0 or 1) and RemediationNeedsPerson (the problems a
 * person must fix) of each remediation that ran.
 */
export async function handler(event: unknown, context: Context): Promise<RemediationResult> {
  logger.addContext(context);
  try {
    return await remediate(event);
  } finally {
    metrics.publishStoredMetrics();
  }
}

async function remediate(event: unknown): Promise<RemediationResult> {
  const parsed = parseRemediationRequest(event);
  if (!parsed.ok) {
    const error = new InvalidEventError(parsed.error);
    logger.error('Rejected the Payload; nothing was changed', { error });
    throw error;
  }
  const { dryRun, policyName, resourceId } = parsed.value;
  let result: RemediationResult;
  try {
    result = await remediateOrganization(organizations, { policyName, dryRun });
  } catch (error) {
    logger.error('The remediation failed', { error, resourceId, policyName, dryRun });
    throw error;
  }
  metrics.addMetric('RemediationChangedOrganization', MetricUnit.Count, result.changed ? 1 : 0);
  metrics.addMetric('RemediationNeedsPerson', MetricUnit.Count, result.needsPerson.length);
  logger.info(dryRun ? 'Planned the remediation (dry run)' : 'Remediated the organization', {
    organizationId: result.organizationId,
    resourceId,
    policyName,
    dryRun,
    changed: result.changed,
    steps: result.plan.map((step) => step.kind),
    done: result.done.map((step) => `${step.kind}:${step.outcome}`),
    remaining: result.remaining.map((step) => step.kind),
    needsPerson: result.needsPerson.length,
  });
  if (!dryRun && result.remaining.length > 0) {
    const error = new RemediationIncompleteError(result.remaining.map(formatRemediationStep));
    logger.error('Organizations still shows steps to do after the remediation', { error });
    throw error;
  }
  return result;
}
