import { type ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand } from '@aws-sdk/client-config-service';
import { ACCOUNT_RESOURCE_TYPE } from './putEvaluations';
import { readPages } from './readPages';

/** GetComplianceDetailsByConfigRule returns at most this many results per page. */
const MAX_RESULTS_PER_PAGE = 100;

/**
 * The ids of the accounts that hold a COMPLIANT or NON_COMPLIANT result of the rule in AWS Config, read page by page
 * with readPages (whose errors it throws) until NextToken is absent. NOT_APPLICABLE results are left out: they are
 * already what a stale result becomes.
 */
export async function readEvaluatedAccountIds(client: ConfigServiceClient, configRuleName: string): Promise<string[]> {
  const results = await readPages({
    action: 'config:GetComplianceDetailsByConfigRule',
    listName: 'EvaluationResults',
    requestPage: (NextToken) =>
      client.send(
        new GetComplianceDetailsByConfigRuleCommand({
          ConfigRuleName: configRuleName,
          ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'],
          Limit: MAX_RESULTS_PER_PAGE,
          NextToken,
        }),
      ),
    itemsOf: (page) => page.EvaluationResults,
    // No keyOf: a resource may hold one result per evaluation mode, and the ids are used as a set.
  });
  return results.flatMap((result) => {
    const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
    return qualifier?.ResourceType === ACCOUNT_RESOURCE_TYPE && qualifier.ResourceId !== undefined
      ? [qualifier.ResourceId]
      : [];
  });
}
