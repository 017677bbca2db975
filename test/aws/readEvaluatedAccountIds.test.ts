import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { readEvaluatedAccountIds } from '../../src/aws/readEvaluatedAccountIds';
import { ListingReadError, UnreadableResponseError } from '../../src/errors';
import { unreadableBodyError } from '../support/sdkErrors';

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

  it('fails, naming the action, as soon as a NextToken comes back that an earlier page returned', async () => {
    config
      .on(GetComplianceDetailsByConfigRuleCommand)
      .resolves({ EvaluationResults: [result('AWS::::Account', '222222222222')], NextToken: 'again' });

    const read = readEvaluatedAccountIds(new ConfigServiceClient({}), 'ai-services-opt-out');

    await expect(read).rejects.toThrow(ListingReadError);
    await expect(read).rejects.toMatchObject({
      action: 'config:GetComplianceDetailsByConfigRule',
      detail: 'page 2 returned the NextToken that page 1 returned (the paging loops)',
    });
    expect(config).toHaveReceivedCommandTimes(GetComplianceDetailsByConfigRuleCommand, 2);
  });

  it('fails when a page has no EvaluationResults', async () => {
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({});

    await expect(readEvaluatedAccountIds(new ConfigServiceClient({}), 'ai-services-opt-out')).rejects.toMatchObject({
      name: 'ListingReadError',
      detail: 'page 1 has no EvaluationResults list',
    });
  });

  it('reads a page once more when its answer could not be parsed, and fails the second time', async () => {
    config
      .on(GetComplianceDetailsByConfigRuleCommand)
      .rejectsOnce(unreadableBodyError())
      .resolvesOnce({ EvaluationResults: [result('AWS::::Account', '222222222222')] })
      .rejects(unreadableBodyError());
    const client = new ConfigServiceClient({});

    await expect(readEvaluatedAccountIds(client, 'ai-services-opt-out')).resolves.toEqual(['222222222222']);
    await expect(readEvaluatedAccountIds(client, 'ai-services-opt-out')).rejects.toThrow(UnreadableResponseError);
    expect(config).toHaveReceivedCommandTimes(GetComplianceDetailsByConfigRuleCommand, 4);
  });
});
