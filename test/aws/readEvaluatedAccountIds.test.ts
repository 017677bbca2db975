import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { readEvaluatedAccountIds } from '../../src/aws/readEvaluatedAccountIds';

const config = mockClient(ConfigServiceClient);

function result(resourceType: string, resourceId: string | undefined) {
  return {
    EvaluationResultIdentifier: {
      EvaluationResultQualifier: { ConfigRuleName: 'rule', ResourceType: resourceType, ResourceId: resourceId },
    },
  };
}

beforeEach(() => config.reset());

describe('readEvaluatedAccountIds', () => {
  it('reads every page, empty ones included, and keeps only account results', async () => {
    config
      .on(GetComplianceDetailsByConfigRuleCommand)
      .resolvesOnce({ EvaluationResults: [], NextToken: 't1' })
      .resolvesOnce({
        EvaluationResults: [result('AWS::::Account', '222222222222'), result('AWS::S3::Bucket', 'b')],
        NextToken: 't2',
      })
      .resolvesOnce({
        EvaluationResults: [result('AWS::::Account', undefined), {}, result('AWS::::Account', '333333333333')],
      });
    const ids = await readEvaluatedAccountIds(new ConfigServiceClient({}), 'ai-services-opt-out');
    expect(ids).toEqual(['222222222222', '333333333333']);
    expect(config).toHaveReceivedCommandTimes(GetComplianceDetailsByConfigRuleCommand, 3);
    expect(config.commandCalls(GetComplianceDetailsByConfigRuleCommand).map((call) => call.args[0].input)).toEqual([
      {
        ConfigRuleName: 'ai-services-opt-out',
        ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'],
        Limit: 100,
        NextToken: undefined,
      },
      {
        ConfigRuleName: 'ai-services-opt-out',
        ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'],
        Limit: 100,
        NextToken: 't1',
      },
      {
        ConfigRuleName: 'ai-services-opt-out',
        ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'],
        Limit: 100,
        NextToken: 't2',
      },
    ]);
  });
});
