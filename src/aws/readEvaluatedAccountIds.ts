import {
  type ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  type GetComplianceDetailsByConfigRuleCommandOutput,
} from '@aws-sdk/client-config-service';
import { ACCOUNT_RESOURCE_TYPE } from './putEvaluations';

/** GetComplianceDetailsByConfigRule returns at most this many results per page. */
const MAX_RESULTS_PER_PAGE = 100;

/**
 * The ids of the accounts that hold a COMPLIANT or NON_COMPLIANT result of the rule in AWS Config, read page by page
 * until NextToken is absent. NOT_APPLICABLE results are left out: they are already what a stale result becomes.
 */
export async function readEvaluatedAccountIds(client: ConfigServiceClient, configRuleName: string): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page: GetComplianceDetailsByConfigRuleCommandOutput = await client.send(
      new GetComplianceDetailsByConfigRuleCommand({
        ConfigRuleName: configRuleName,
        ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'],
        Limit: MAX_RESULTS_PER_PAGE,
        NextToken: nextToken,
      }),
    );
    for (const result of page.EvaluationResults ?? []) {
      const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
      if (qualifier?.ResourceType === ACCOUNT_RESOURCE_TYPE && qualifier.ResourceId !== undefined) {
        ids.push(qualifier.ResourceId);
      }
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return ids;
}
