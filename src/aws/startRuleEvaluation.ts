import {
  type ConfigServiceClient,
  type ConfigServiceClientConfig,
  LimitExceededException,
  NoSuchConfigRuleException,
  StartConfigRulesEvaluationCommand,
} from '@aws-sdk/client-config-service';
import { StartRuleEvaluationError } from '../errors';

/**
 * Settings for the ConfigServiceClient of src/lambda/reevaluateHandler.ts: one attempt. The SDK counts
 * LimitExceededException as throttling and would retry it within seconds, though AWS Config accepts one call a minute
 * per rule; other failures are retried by SQS, which returns the batch to the queue.
 */
export const REEVALUATION_CONFIG_CLIENT_CONFIG = { maxAttempts: 1 } as const satisfies ConfigServiceClientConfig;

/** What StartConfigRulesEvaluation did: started an evaluation, or refused as one runs or started within a minute. */
export type StartRuleEvaluationResult = 'started' | 'alreadyScheduled';

function translate(error: unknown, configRuleName: string): unknown {
  if (error instanceof NoSuchConfigRuleException) {
    return new StartRuleEvaluationError(
      configRuleName,
      `AWS Config has no rule named "${configRuleName}" in this account and Region: give the function the name of the deployed rule`,
      { cause: error },
    );
  }
  // AWS Config's API model declares no AccessDeniedException: the SDK raises it as a generic service error.
  if (error instanceof Error && error.name === 'AccessDeniedException') {
    return new StartRuleEvaluationError(
      configRuleName,
      `Access denied to config:StartConfigRulesEvaluation for rule "${configRuleName}": allow it to the function's role`,
      { cause: error },
    );
  }
  return error;
}

/**
 * Asks AWS Config to evaluate one rule now (StartConfigRulesEvaluation). LimitExceededException, which AWS Config
 * returns while an evaluation of the rule runs or when one started less than a minute ago, is `alreadyScheduled`.
 * Throws StartRuleEvaluationError for an unknown rule or a missing grant, and any other error unchanged.
 */
export async function startRuleEvaluation(
  client: ConfigServiceClient,
  configRuleName: string,
): Promise<StartRuleEvaluationResult> {
  try {
    await client.send(new StartConfigRulesEvaluationCommand({ ConfigRuleNames: [configRuleName] }));
    return 'started';
  } catch (error) {
    if (error instanceof LimitExceededException) return 'alreadyScheduled';
    throw translate(error, configRuleName);
  }
}
