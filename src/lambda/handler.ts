import { Logger } from '@aws-lambda-powertools/logger';
import { ConfigServiceClient, type Evaluation } from '@aws-sdk/client-config-service';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { Context } from 'aws-lambda';
import { putEvaluations, TEST_MODE_RESULT_TOKEN } from '../aws/putEvaluations';
import { ORGANIZATIONS_CLIENT_CONFIG, readOrgSnapshot } from '../aws/readOrgSnapshot';
import { toAccountEvaluations } from '../core/accountEvaluation';
import { evaluatePosture } from '../core/evaluatePosture';
import type { OrgSnapshot } from '../core/orgSnapshot';
import { parseRuleParameters } from '../core/ruleParameters';
import { InvalidEventError, OrganizationReadTimeoutError, RuleParameterError } from '../errors';
import { type ConfigRuleEvent, parseConfigRuleEvent } from './configRuleEvent';

/** Time kept back from the Lambda timeout so that a read that runs long still ends with a result put to Config. */
export const PUT_RESERVE_MS = 20_000;

// Created once per container, outside the handler, and reused by every invocation.
const logger = new Logger({ serviceName: 'ai-opt-out-config-rule' });
const organizations = new OrganizationsClient(ORGANIZATIONS_CLIENT_CONFIG);
const config = new ConfigServiceClient({});

async function withDeadline<T>(work: Promise<T>, milliseconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OrganizationReadTimeoutError(milliseconds)), Math.max(0, milliseconds));
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads the organization; on any failure, puts NON_COMPLIANT for the invoking account, then rethrows. */
async function readOrFailClosed(event: ConfigRuleEvent, context: Pick<Context, 'getRemainingTimeInMillis'>) {
  try {
    return await withDeadline(readOrgSnapshot(organizations), context.getRemainingTimeInMillis() - PUT_RESERVE_MS);
  } catch (error) {
    logger.error('Could not read the organization', { error });
    const reason = error instanceof Error ? error.message : String(error);
    try {
      await putEvaluations(config, {
        resultToken: event.resultToken,
        orderingTimestamp: event.notificationCreationTime,
        evaluations: [
          {
            accountId: event.accountId,
            complianceType: 'NON_COMPLIANT',
            annotation: `Could not read the organization: ${reason}`,
          },
        ],
      });
    } catch (putError) {
      logger.error('Could not put the fail-closed result either', { error: putError });
    }
    throw error;
  }
}

/**
 * The AWS Config custom rule: parses the scheduled event, reads the organization, decides every account and puts one
 * evaluation per account. Nothing that failed is ever COMPLIANT: a malformed event or rule parameter fails before
 * anything is put; a failed read puts NON_COMPLIANT for the invoking account and fails the invocation.
 * Returns the evaluations it put.
 */
export async function handler(
  event: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>,
): Promise<Evaluation[]> {
  logger.appendKeys({ requestId: context.awsRequestId });
  const parsed = parseConfigRuleEvent(event);
  if (!parsed.ok) {
    const error = new InvalidEventError(parsed.error);
    logger.error('Rejected the event; nothing was put', { error });
    throw error;
  }
  const parameters = parseRuleParameters(parsed.value.ruleParameters);
  if (!parameters.ok) {
    const error = new RuleParameterError(parameters.error);
    logger.error('Rejected the rule parameters; nothing was put', { error });
    throw error;
  }
  const snapshot: OrgSnapshot = await readOrFailClosed(parsed.value, context);
  const report = evaluatePosture(snapshot, parameters.value);
  const evaluations = await putEvaluations(config, {
    resultToken: parsed.value.resultToken,
    orderingTimestamp: parsed.value.notificationCreationTime,
    evaluations: toAccountEvaluations(report),
  });
  logger.info('Evaluated the organization', {
    organizationId: report.organizationId,
    compliance: report.compliance,
    accounts: report.decisions.length,
    counts: report.counts,
    unreadablePolicies: report.unreadablePolicies.map((p) => `${p.policyId}@${p.targetId}`),
    testMode: parsed.value.resultToken === TEST_MODE_RESULT_TOKEN,
  });
  return evaluations;
}
