import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { MAX_PUTS_IN_FLIGHT, putEvaluations } from '../../src/aws/putEvaluations';
import type { AccountEvaluation } from '../../src/core/accountEvaluation';
import { PutEvaluationsFailedError } from '../../src/errors';

const config = mockClient(ConfigServiceClient);
const client = new ConfigServiceClient({ region: 'us-east-1' });
const WHEN = new Date('2026-11-22T08:00:00.000Z');

function accounts(count: number): AccountEvaluation[] {
  return Array.from({ length: count }, (_, i) => ({
    accountId: String(100000000000 + i),
    complianceType: 'NON_COMPLIANT',
    annotation: `reason ${i}`,
  }));
}

beforeEach(() => {
  config.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
});

describe('putEvaluations', () => {
  it('puts 250 evaluations in 3 calls of at most 100', async () => {
    await putEvaluations(client, { resultToken: 'token-1', orderingTimestamp: WHEN, evaluations: accounts(250) });
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 3);
    const sizes = config.commandCalls(PutEvaluationsCommand).map((call) => call.args[0].input.Evaluations?.length);
    expect(sizes).toEqual([100, 100, 50]);
    const ids = config.commandCalls(PutEvaluationsCommand).flatMap((call) => call.args[0].input.Evaluations ?? []);
    expect(new Set(ids.map((e) => e.ComplianceResourceId)).size).toBe(250);
  });

  it('keeps at most MAX_PUTS_IN_FLIGHT calls in flight for 1,000 evaluations', async () => {
    let inFlight = 0;
    let peak = 0;
    config.on(PutEvaluationsCommand).callsFake(async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      // Let every other call that may start do so before this one answers.
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return { FailedEvaluations: [] };
    });
    await putEvaluations(client, { resultToken: 'token-1', orderingTimestamp: WHEN, evaluations: accounts(1_000) });
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 10);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(MAX_PUTS_IN_FLIGHT);
  });

  it('starts no further call once one fails, and fails', async () => {
    config.on(PutEvaluationsCommand).rejects(new Error('Config is down'));
    await expect(
      putEvaluations(client, { resultToken: 'token-1', orderingTimestamp: WHEN, evaluations: accounts(1_000) }),
    ).rejects.toThrow('Config is down');
    expect(config.commandCalls(PutEvaluationsCommand).length).toBeLessThanOrEqual(MAX_PUTS_IN_FLIGHT);
  });

  it('sends each account as AWS::::Account with the ordering timestamp and no TestMode for a real token', async () => {
    const sent = await putEvaluations(client, {
      resultToken: 'token-1',
      orderingTimestamp: WHEN,
      evaluations: [{ accountId: '222222222222', complianceType: 'COMPLIANT', annotation: 'Opted out.' }],
    });
    const expected = {
      ComplianceResourceType: 'AWS::::Account',
      ComplianceResourceId: '222222222222',
      ComplianceType: 'COMPLIANT',
      OrderingTimestamp: WHEN,
      Annotation: 'Opted out.',
    };
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: 'token-1',
      Evaluations: [expected],
    });
    expect(config.commandCalls(PutEvaluationsCommand)[0]?.args[0].input).not.toHaveProperty('TestMode');
    expect(sent).toEqual([expected]);
  });

  it('sets TestMode when the resultToken is TESTMODE', async () => {
    await putEvaluations(client, { resultToken: 'TESTMODE', orderingTimestamp: WHEN, evaluations: accounts(1) });
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, { ResultToken: 'TESTMODE', TestMode: true });
  });

  it('leaves an empty annotation out and cuts a long one to 256 characters', async () => {
    const sent = await putEvaluations(client, {
      resultToken: 'token-1',
      orderingTimestamp: WHEN,
      evaluations: [
        { accountId: '222222222222', complianceType: 'NOT_APPLICABLE', annotation: '' },
        { accountId: '333333333333', complianceType: 'NON_COMPLIANT', annotation: 'word '.repeat(100) },
      ],
    });
    expect(sent[0]).not.toHaveProperty('Annotation');
    expect(sent[1]?.Annotation?.length).toBeLessThanOrEqual(256);
  });

  it('puts nothing when there is nothing to put', async () => {
    await putEvaluations(client, { resultToken: 'token-1', orderingTimestamp: WHEN, evaluations: [] });
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });

  it('puts failed evaluations once more, and succeeds when they are accepted', async () => {
    const batch = accounts(3);
    config
      .on(PutEvaluationsCommand)
      .resolvesOnce({
        FailedEvaluations: [
          {
            ComplianceResourceType: 'AWS::::Account',
            ComplianceResourceId: batch[1]?.accountId,
            ComplianceType: 'NON_COMPLIANT',
            OrderingTimestamp: WHEN,
          },
        ],
      })
      .resolves({ FailedEvaluations: [] });
    await putEvaluations(client, { resultToken: 'token-1', orderingTimestamp: WHEN, evaluations: batch });
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
    expect(
      config.commandCalls(PutEvaluationsCommand)[1]?.args[0].input.Evaluations?.map((e) => e.ComplianceResourceId),
    ).toEqual([batch[1]?.accountId]);
  });

  it('fails with the account ids when evaluations fail twice', async () => {
    const failed = {
      ComplianceResourceType: 'AWS::::Account',
      ComplianceResourceId: '222222222222',
      ComplianceType: 'COMPLIANT' as const,
      OrderingTimestamp: WHEN,
    };
    config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [failed] });
    const put = putEvaluations(client, { resultToken: 'token-1', orderingTimestamp: WHEN, evaluations: accounts(2) });
    await expect(put).rejects.toThrow(PutEvaluationsFailedError);
    await expect(put).rejects.toMatchObject({
      accountIds: ['222222222222'],
      message: 'AWS Config did not accept the evaluations of 1 account(s) after a retry: 222222222222',
    });
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
  });
});
