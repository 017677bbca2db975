import {
  DescribeOrganizationCommand,
  type OrganizationsClient,
  type OrganizationsClientConfig,
} from '@aws-sdk/client-organizations';
import { CONNECTION_TIMEOUT_MS, HTTP_TIMEOUTS, REQUEST_TIMEOUT_MS } from '../../src/aws/httpTimeouts';
import { readOrgSnapshot } from '../../src/aws/readOrgSnapshot';
import { AwsTimeoutError } from '../../src/errors';
import { type Fault, type FaultServer, organizationsClientOf, startFaultServer } from '../support/faultServer';

// Real HTTP on 127.0.0.1: generous bounds, and nothing here asserts a duration.
const TEST_TIMEOUT_MS = 30_000;
const DESCRIBE_ORGANIZATION = 'AWSOrganizationsV20161128.DescribeOrganization';
/** Small enough for a test, and only ever reached by a server that does not answer. */
const SMALL_TIMEOUT_MS = 100;

describe('HTTP_TIMEOUTS', () => {
  let server: FaultServer | undefined;
  let client: OrganizationsClient | undefined;

  /** The Organizations client of the Lambda and the CLI, to a server that answers every request with `fault`. */
  async function organizationsClientFor(fault: Fault, config: OrganizationsClientConfig) {
    server = await startFaultServer(() => fault);
    client = organizationsClientOf(server, config);
    return { client, server };
  }

  afterEach(async () => {
    client?.destroy();
    await server?.stop();
    client = undefined;
    server = undefined;
  });

  it('are the settings of the Organizations client, which the SDK hands to its HTTP handler', async () => {
    const { client: organizations } = await organizationsClientFor({ kind: 'answer', status: 200, body: '{}' }, {});

    // The handler resolves its settings on the first request.
    await organizations.send(new DescribeOrganizationCommand({}));

    const handler = organizations.config.requestHandler;
    const settings: unknown =
      'httpHandlerConfigs' in handler && typeof handler.httpHandlerConfigs === 'function'
        ? handler.httpHandlerConfigs()
        : undefined;
    expect(settings).toMatchObject({
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      socketTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    });
  });

  it(
    'end a read from a server that accepts and never answers, after the SDK retried it maxAttempts times',
    async () => {
      const { client: organizations, server: fault } = await organizationsClientFor(
        { kind: 'silent' },
        { maxAttempts: 2, requestHandler: { ...HTTP_TIMEOUTS, requestTimeout: SMALL_TIMEOUT_MS } },
      );

      const read = readOrgSnapshot(organizations);

      await expect(read).rejects.toThrow(AwsTimeoutError);
      await expect(read).rejects.toMatchObject({ action: 'organizations:DescribeOrganization', attempts: 2 });
      expect(fault.targets).toStrictEqual([DESCRIBE_ORGANIZATION, DESCRIBE_ORGANIZATION]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'end a read whose answer stops in the middle of its body',
    async () => {
      const { client: organizations, server: fault } = await organizationsClientFor(
        { kind: 'stalledBody', start: '{"Organization": {"Id": "o-exam' },
        { maxAttempts: 2, requestHandler: { ...HTTP_TIMEOUTS, socketTimeout: SMALL_TIMEOUT_MS } },
      );

      const read = readOrgSnapshot(organizations);

      await expect(read).rejects.toThrow(AwsTimeoutError);
      await expect(read).rejects.toThrow(
        /^AWS did not answer organizations:DescribeOrganization in time \(2 attempt\(s\); the request socket timed out/,
      );
      expect(fault.targets).toHaveLength(2);
    },
    TEST_TIMEOUT_MS,
  );
});
