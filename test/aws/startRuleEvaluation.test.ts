import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConfigServiceClient,
  ConfigServiceServiceException,
  LimitExceededException,
  NoSuchConfigRuleException,
  ResourceInUseException,
  StartConfigRulesEvaluationCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { REEVALUATION_CONFIG_CLIENT_CONFIG, startRuleEvaluation } from '../../src/aws/startRuleEvaluation';
import { StartRuleEvaluationError } from '../../src/errors';

const RULE = 'ai-services-opt-out';

// Only this instance is mocked: the clients of the local server tests below send real requests.
const client = new ConfigServiceClient({ region: 'us-east-1' });
const config = mockClient(client);

beforeEach(() => config.reset());

describe('startRuleEvaluation', () => {
  it('starts an evaluation of the one rule named', async () => {
    config.on(StartConfigRulesEvaluationCommand).resolves({});
    await expect(startRuleEvaluation(client, RULE)).resolves.toBe('started');
    expect(config).toHaveReceivedCommandTimes(StartConfigRulesEvaluationCommand, 1);
    expect(config).toHaveReceivedCommandWith(StartConfigRulesEvaluationCommand, { ConfigRuleNames: [RULE] });
  });

  it('reads LimitExceededException as an evaluation already scheduled', async () => {
    config
      .on(StartConfigRulesEvaluationCommand)
      .rejects(new LimitExceededException({ $metadata: {}, message: 'An evaluation is in progress' }));
    await expect(startRuleEvaluation(client, RULE)).resolves.toBe('alreadyScheduled');
  });

  it('names the rule when AWS Config does not know it', async () => {
    const cause = new NoSuchConfigRuleException({ $metadata: {}, message: 'The ConfigRule does not exist' });
    config.on(StartConfigRulesEvaluationCommand).rejects(cause);
    const start = startRuleEvaluation(client, 'ai-services-opt-out-typo');
    await expect(start).rejects.toThrow(StartRuleEvaluationError);
    await expect(start).rejects.toMatchObject({
      configRuleName: 'ai-services-opt-out-typo',
      message:
        'AWS Config has no rule named "ai-services-opt-out-typo" in this account and Region: give the function the name of the deployed rule',
      cause,
    });
  });

  it('names the missing IAM action when access is denied', async () => {
    const cause = new ConfigServiceServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'not authorized to perform: config:StartConfigRulesEvaluation',
    });
    config.on(StartConfigRulesEvaluationCommand).rejects(cause);
    const start = startRuleEvaluation(client, RULE);
    await expect(start).rejects.toThrow(
      `Access denied to config:StartConfigRulesEvaluation for rule "${RULE}": allow it to the function's role`,
    );
    await expect(start).rejects.toMatchObject({ name: 'StartRuleEvaluationError', cause });
  });

  it.each([
    ['ResourceInUseException', new ResourceInUseException({ $metadata: {}, message: 'The rule is being deleted' })],
    ['an error that is not from AWS', new Error('socket hang up')],
  ])('rethrows %s unchanged', async (_name, error) => {
    config.on(StartConfigRulesEvaluationCommand).rejects(error);
    await expect(startRuleEvaluation(client, RULE)).rejects.toBe(error);
  });
});

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A stand-in for AWS Config on 127.0.0.1 that gives every request the same answer and records what it got. */
async function fakeConfig(status: number, errorType: string | undefined) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
      });
      response.end(errorType === undefined ? '{}' : JSON.stringify({ __type: errorType, message: 'refused' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const realClient = new ConfigServiceClient({
    ...REEVALUATION_CONFIG_CLIENT_CONFIG,
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const close = async () => {
    realClient.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { client: realClient, received, close };
}

describe('startRuleEvaluation against a server on 127.0.0.1', () => {
  it('sends StartConfigRulesEvaluation with the rule name', async () => {
    const server = await fakeConfig(200, undefined);
    try {
      await expect(startRuleEvaluation(server.client, RULE)).resolves.toBe('started');
      expect(server.received).toHaveLength(1);
      expect(server.received[0]?.headers['x-amz-target']).toBe('StarlingDoveService.StartConfigRulesEvaluation');
      expect(JSON.parse(server.received[0]?.body ?? '')).toEqual({ ConfigRuleNames: [RULE] });
    } finally {
      await server.close();
    }
  });

  it('does not retry LimitExceededException, which the SDK would otherwise retry as throttling', async () => {
    const server = await fakeConfig(400, 'LimitExceededException');
    try {
      await expect(startRuleEvaluation(server.client, RULE)).resolves.toBe('alreadyScheduled');
      expect(server.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('leaves the retry of a server error to SQS', async () => {
    const server = await fakeConfig(500, 'InternalFailure');
    try {
      await expect(startRuleEvaluation(server.client, RULE)).rejects.toMatchObject({ name: 'InternalFailure' });
      expect(server.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
