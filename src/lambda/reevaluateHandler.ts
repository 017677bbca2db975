import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { Context } from 'aws-lambda';
import { HTTP_TIMEOUTS } from '../aws/httpTimeouts';
import {
  REEVALUATION_CONFIG_CLIENT_CONFIG,
  type StartRuleEvaluationResult,
  startRuleEvaluation,
} from '../aws/startRuleEvaluation';
import { evaluateReevaluation, type ReevaluationDecision } from '../core/evaluateReevaluation';
import { type PolicyChange, type PolicyChangeEventName, parsePolicyChangeBatch } from '../core/policyChangeEvents';
import { FunctionConfigurationError, InvalidEventError } from '../errors';

/** The environment variable that names the AWS Config rule to evaluate (template.yaml sets it). */
export const CONFIG_RULE_NAME_VARIABLE = 'CONFIG_RULE_NAME';

/** What one invocation did about the rule. */
export type ReevaluationOutcome = StartRuleEvaluationResult | Exclude<ReevaluationDecision['kind'], 'start'>;

/** What one invocation saw and did; `npm run invoke` prints it. */
export interface ReevaluationSummary {
  readonly configRuleName: string;
  /** How many SQS records the batch held. */
  readonly records: number;
  /** How many of them were each policy or membership change (POLICY_CHANGE_EVENTS). */
  readonly policyChanges: Readonly<Partial<Record<PolicyChangeEventName, number>>>;
  /** How many held no change that can alter a verdict. */
  readonly ignoredRecords: number;
  readonly outcome: ReevaluationOutcome;
}

const OUTCOME_MESSAGES: Readonly<Record<ReevaluationOutcome, string>> = {
  started: 'Started an evaluation of the rule',
  alreadyScheduled: 'An evaluation of the rule is already scheduled (LimitExceededException): nothing to do',
  noPolicyChange: 'No policy change in the batch: no evaluation started',
  recentlyStarted: 'This function started an evaluation less than a minute ago: no evaluation started',
};

// Created once per container, outside the handler, and reused by every invocation. Their service name and the
// metrics' namespace come from POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE (template.yaml).
const logger = new Logger();
const metrics = new Metrics();
const config = new ConfigServiceClient({ ...REEVALUATION_CONFIG_CLIENT_CONFIG, requestHandler: HTTP_TIMEOUTS });

function countByName(changes: readonly PolicyChange[]): Partial<Record<PolicyChangeEventName, number>> {
  const counts: Partial<Record<PolicyChangeEventName, number>> = {};
  for (const { eventName } of changes) counts[eventName] = (counts[eventName] ?? 0) + 1;
  return counts;
}

async function start(configRuleName: string): Promise<StartRuleEvaluationResult> {
  try {
    return await startRuleEvaluation(config, configRuleName);
  } catch (error) {
    logger.error('Could not start an evaluation of the rule; the batch returns to the queue', { error });
    throw error;
  }
}

function fail(message: string, error: Error): never {
  logger.error(message, { error });
  throw error;
}

/**
 * Builds the SQS handler that asks AWS Config to evaluate the rule again after Organizations policy or membership
 * changes. The handler remembers, for as long as its container lives, when it last started an evaluation; `now` is
 * its clock.
 */
export function createReevaluateHandler(now: () => Date) {
  let lastStartedAt: Date | undefined;

  async function reevaluate(event: unknown): Promise<ReevaluationSummary> {
    const configRuleName = process.env[CONFIG_RULE_NAME_VARIABLE] ?? '';
    if (configRuleName === '') {
      fail(
        'The function has no rule to evaluate',
        new FunctionConfigurationError(`${CONFIG_RULE_NAME_VARIABLE} is not set: set it to the AWS Config rule's name`),
      );
    }
    const batch = parsePolicyChangeBatch(event);
    if (!batch.ok) fail('Rejected the event; no evaluation started', new InvalidEventError(batch.error));
    const { records, changes, ignored } = batch.value;
    metrics.addMetric('PolicyChanges', MetricUnit.Count, changes.length);
    if (ignored.length > 0) logger.warn('Ignored records that are not successful policy changes', { ignored });

    const startedAt = now();
    const decision = evaluateReevaluation({ policyChanges: changes.length, lastStartedAt, now: startedAt });
    const outcome = decision.kind === 'start' ? await start(configRuleName) : decision.kind;
    if (outcome === 'started') lastStartedAt = startedAt;
    metrics.addMetric('EvaluationsStarted', MetricUnit.Count, outcome === 'started' ? 1 : 0);

    const summary: ReevaluationSummary = {
      configRuleName,
      records,
      policyChanges: countByName(changes),
      ignoredRecords: ignored.length,
      outcome,
    };
    logger.info(OUTCOME_MESSAGES[outcome], {
      ...summary,
      ...(decision.kind === 'recentlyStarted' ? { secondsSinceStart: decision.secondsSinceStart } : {}),
    });
    return summary;
  }

  /**
   * Makes at most one StartConfigRulesEvaluation call per batch: none when the batch holds no policy change or this
   * container started an evaluation less than a minute ago; LimitExceededException counts as already scheduled.
   * Throws (so that SQS returns the whole batch) when the rule name is not set, the event is not an SQS event, or
   * AWS Config fails otherwise. Logs with the Lambda context's keys, and publishes PolicyChanges (the batch's policy
   * changes) and EvaluationsStarted (0 or 1) once, whether it returns or throws.
   */
  return async function handler(event: unknown, context: Context): Promise<ReevaluationSummary> {
    logger.addContext(context);
    try {
      return await reevaluate(event);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

/** The Lambda entry point of ReevaluateFunction in template.yaml. */
export const handler = createReevaluateHandler(() => new Date());
