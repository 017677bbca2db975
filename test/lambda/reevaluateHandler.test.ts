import { readdirSync, readFileSync } from 'node:fs';
import {
  ConfigServiceClient,
  LimitExceededException,
  ResourceInUseException,
  StartConfigRulesEvaluationCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { InvalidEventError } from '../../src/errors';
import { CONFIG_RULE_NAME_VARIABLE, createReevaluateHandler, handler } from '../../src/lambda/reevaluateHandler';
import { captureOutput } from '../support/capturedOutput';
import { emfLine } from '../support/emfLine';
import { lambdaContext } from '../support/lambdaContext';

type Json = Record<string, unknown>;

const config = mockClient(ConfigServiceClient);

const RULE = 'ai-services-opt-out';
const context = lambdaContext({ functionName: 'ai-services-opt-out-rule-reevaluate', memoryLimitInMB: '256' });

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8'));
}

const SQS_EVENT = readJson('events/sqs-policy-changes.json');
const SAMPLES = readdirSync('events/cloudtrail')
  .filter((file) => file.endsWith('.json'))
  .map((file) => readJson(`events/cloudtrail/${file}`));

/** An SQS event whose records carry these bodies, shaped like the records of events/sqs-policy-changes.json. */
function sqsEvent(bodies: readonly unknown[]): Json {
  const [template] = SQS_EVENT.Records as Json[];
  return {
    Records: bodies.map((body, i) => ({
      ...template,
      messageId: `message-${i}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })),
  };
}

/** A burst of `count` policy changes, cycling through the samples of events/cloudtrail. */
function burst(count: number): Json {
  return sqsEvent(Array.from({ length: count }, (_, i) => SAMPLES[i % SAMPLES.length]));
}

/** The AttachPolicy sample turned into another Organizations call. */
function otherCall(eventName: string, readOnly: boolean): Json {
  const attach = readJson('events/cloudtrail/AttachPolicy.json');
  return { ...attach, detail: { ...(attach.detail as Json), eventName, readOnly } };
}

/** A handler with its own container memory and a clock the test moves. */
function handlerWithClock(start = '2026-11-22T09:01:31.000Z') {
  let time = new Date(start);
  return {
    invoke: createReevaluateHandler(() => time),
    advanceSeconds: (seconds: number) => {
      time = new Date(time.getTime() + seconds * 1000);
    },
  };
}

const output = captureOutput();

beforeEach(() => {
  config.reset();
  config.on(StartConfigRulesEvaluationCommand).resolves({});
  process.env[CONFIG_RULE_NAME_VARIABLE] = RULE;
});

afterEach(() => {
  delete process.env[CONFIG_RULE_NAME_VARIABLE];
});

const logLines = output.logLines;

function calls(): number {
  return config.commandCalls(StartConfigRulesEvaluationCommand).length;
}

describe('reevaluate handler', () => {
  it('starts one evaluation of the rule for the burst of policy and membership changes of events/sqs-policy-changes.json', async () => {
    const summary = await handler(SQS_EVENT, context);
    expect(config).toHaveReceivedCommandTimes(StartConfigRulesEvaluationCommand, 1);
    expect(config).toHaveReceivedCommandWith(StartConfigRulesEvaluationCommand, { ConfigRuleNames: [RULE] });
    expect(summary).toEqual({
      configRuleName: RULE,
      records: 13,
      policyChanges: {
        AttachPolicy: 1,
        CreatePolicy: 1,
        DeletePolicy: 1,
        DetachPolicy: 1,
        DisablePolicyType: 1,
        EnablePolicyType: 1,
        MoveAccount: 1,
        UpdatePolicy: 1,
        RemoveAccountFromOrganization: 1,
        CloseAccount: 1,
        CreateAccountResult: 1,
        AccountJoinedOrganization: 1,
        AccountDepartedOrganization: 1,
      },
      ignoredRecords: 0,
      outcome: 'started',
    });
  });

  it('logs one INFO line per invocation with the events seen and the call made', async () => {
    await handlerWithClock().invoke(burst(3), context);
    const lines = logLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'Started an evaluation of the rule',
      service: 'ai-opt-out-config-rule',
      function_name: 'ai-services-opt-out-rule-reevaluate',
      function_arn: context.invokedFunctionArn,
      function_memory_size: '256',
      function_request_id: 'request-1',
      cold_start: expect.any(Boolean),
      configRuleName: RULE,
      records: 3,
      ignoredRecords: 0,
      outcome: 'started',
    });
  });

  it("publishes the batch's policy changes and the evaluations it started once per invocation", async () => {
    const { invoke, advanceSeconds } = handlerWithClock();
    await invoke(burst(3), context);
    advanceSeconds(10);
    await invoke(burst(2), context);
    const emf = (policyChanges: number, evaluationsStarted: number) =>
      emfLine([
        ['PolicyChanges', 'Count', policyChanges],
        ['EvaluationsStarted', 'Count', evaluationsStarted],
      ]);
    // The second batch came 10 seconds after the first started an evaluation.
    expect(output.metricLines()).toEqual([emf(3, 1), emf(2, 0)]);
  });

  it('makes one call for a batch of 50 policy changes', async () => {
    const summary = await handlerWithClock().invoke(burst(50), context);
    expect(calls()).toBe(1);
    expect(summary).toMatchObject({ records: 50, outcome: 'started' });
  });

  it('makes no second call when the next batch of the burst comes less than a minute later', async () => {
    const { invoke, advanceSeconds } = handlerWithClock();
    await invoke(burst(30), context);
    advanceSeconds(40);
    const second = await invoke(burst(20), context);
    expect(calls()).toBe(1);
    expect(second.outcome).toBe('recentlyStarted');
    expect(logLines()[1]).toMatchObject({
      level: 'INFO',
      message: 'This function started an evaluation less than a minute ago: no evaluation started',
      outcome: 'recentlyStarted',
      secondsSinceStart: 40,
    });
  });

  it('calls again for changes a minute after its last start', async () => {
    const { invoke, advanceSeconds } = handlerWithClock();
    await invoke(burst(5), context);
    advanceSeconds(60);
    const second = await invoke(burst(1), context);
    expect(calls()).toBe(2);
    expect(second.outcome).toBe('started');
  });

  it('treats LimitExceededException as already scheduled, succeeds, and logs it at INFO', async () => {
    config
      .on(StartConfigRulesEvaluationCommand)
      .rejects(new LimitExceededException({ $metadata: {}, message: 'An evaluation is in progress' }));
    const summary = await handlerWithClock().invoke(burst(4), context);
    expect(summary.outcome).toBe('alreadyScheduled');
    const lines = logLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'An evaluation of the rule is already scheduled (LimitExceededException): nothing to do',
      outcome: 'alreadyScheduled',
    });
  });

  it('does not count an evaluation AWS Config refused as its own start', async () => {
    const { invoke, advanceSeconds } = handlerWithClock();
    config
      .on(StartConfigRulesEvaluationCommand)
      .rejectsOnce(new LimitExceededException({ $metadata: {}, message: 'An evaluation is in progress' }))
      .resolves({});
    await invoke(burst(2), context);
    advanceSeconds(10);
    const second = await invoke(burst(2), context);
    expect(calls()).toBe(2);
    expect(second.outcome).toBe('started');
  });

  it('fails the invocation, so that SQS returns the batch, when AWS Config fails otherwise', async () => {
    const { invoke } = handlerWithClock();
    const error = new ResourceInUseException({ $metadata: {}, message: 'The rule is being deleted' });
    config.on(StartConfigRulesEvaluationCommand).rejectsOnce(error).resolves({});
    await expect(invoke(burst(3), context)).rejects.toBe(error);
    expect(output.metricLines()).toEqual([expect.objectContaining({ PolicyChanges: 3 })]);
    expect(logLines()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'Could not start an evaluation of the rule; the batch returns to the queue',
      }),
    ]);
    await expect(invoke(burst(3), context)).resolves.toMatchObject({ outcome: 'started' });
    expect(calls()).toBe(2);
  });

  it('ignores records that are not successful policy changes with a WARN line, and makes no call for them', async () => {
    const failedAttach = readJson('events/cloudtrail/AttachPolicy.json');
    const failedCreation = readJson('events/cloudtrail/CreateAccountResult.json');
    const summary = await handlerWithClock().invoke(
      sqsEvent([
        otherCall('ListPolicies', true),
        otherCall('CreateAccount', false),
        { ...failedAttach, detail: { ...(failedAttach.detail as Json), errorCode: 'PolicyTypeNotEnabledException' } },
        'not json',
        {
          ...failedCreation,
          detail: {
            ...(failedCreation.detail as Json),
            serviceEventDetails: { createAccountStatus: { state: 'FAILED', failureReason: 'EMAIL_ALREADY_EXISTS' } },
          },
        },
      ]),
      context,
    );
    expect(calls()).toBe(0);
    expect(summary).toMatchObject({ records: 5, policyChanges: {}, ignoredRecords: 5, outcome: 'noPolicyChange' });
    const [warning, info] = logLines();
    expect(warning).toMatchObject({
      level: 'WARN',
      message: 'Ignored records that are not successful policy changes',
      ignored: [
        { messageId: 'message-0', reason: '"ListPolicies" is not a change that can alter a verdict' },
        { messageId: 'message-1', reason: '"CreateAccount" is not a change that can alter a verdict' },
        { messageId: 'message-2', reason: 'AttachPolicy failed with PolicyTypeNotEnabledException' },
        { messageId: 'message-3', reason: 'the body is not JSON' },
        {
          messageId: 'message-4',
          reason: 'CreateAccountResult is FAILED (EMAIL_ALREADY_EXISTS): no account was created',
        },
      ],
    });
    expect(info).toMatchObject({ level: 'INFO', message: 'No policy change in the batch: no evaluation started' });
  });

  it('makes one call for a batch that mixes policy changes and other records', async () => {
    const summary = await handlerWithClock().invoke(
      sqsEvent([SAMPLES[0], otherCall('DescribePolicy', true), SAMPLES[1]]),
      context,
    );
    expect(calls()).toBe(1);
    expect(summary).toMatchObject({ records: 3, ignoredRecords: 1, outcome: 'started' });
  });

  it('fails without the rule name and makes no call', async () => {
    delete process.env[CONFIG_RULE_NAME_VARIABLE];
    await expect(handlerWithClock().invoke(burst(1), context)).rejects.toThrow(
      "CONFIG_RULE_NAME is not set: set it to the AWS Config rule's name",
    );
    expect(calls()).toBe(0);
    expect(logLines()[0]).toMatchObject({ level: 'ERROR', message: 'The function has no rule to evaluate' });
  });

  it('rejects an event that is not an SQS event and makes no call', async () => {
    const run = handlerWithClock().invoke(SAMPLES[0], context);
    await expect(run).rejects.toThrow(InvalidEventError);
    await expect(run).rejects.toThrow('The event is not an SQS event: it has no Records array');
    expect(calls()).toBe(0);
  });
});
