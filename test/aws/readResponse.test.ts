import {
  ListRootsCommand,
  type OrganizationsClient,
  type OrganizationsClientConfig,
} from '@aws-sdk/client-organizations';
import { HTTP_TIMEOUTS } from '../../src/aws/httpTimeouts';
import { readResponse } from '../../src/aws/readResponse';
import { AwsTimeoutError, UnreadableResponseError } from '../../src/errors';
import { type Fault, type FaultServer, organizationsClientOf, startFaultServer } from '../support/faultServer';
import { unreadableBodyError } from '../support/sdkErrors';

// Real HTTP on 127.0.0.1: generous bounds, and nothing here asserts a duration.
const TEST_TIMEOUT_MS = 30_000;
const LIST_ROOTS = 'AWSOrganizationsV20161128.ListRoots';
const ROOTS = JSON.stringify({ Roots: [{ Id: 'r-exam', Name: 'Root', PolicyTypes: [] }] });
const answer = (status: number, body: string): Fault => ({ kind: 'answer', status, body });

describe('readResponse against a server on 127.0.0.1', () => {
  let server: FaultServer | undefined;
  let client: OrganizationsClient | undefined;

  /** An Organizations client as the project makes it, to a server whose n-th answer is faults[n - 1], then the root. */
  async function clientFor(faults: readonly Fault[], config: OrganizationsClientConfig = {}) {
    server = await startFaultServer((_, n) => faults[n - 1] ?? answer(200, ROOTS));
    client = organizationsClientOf(server, config);
    return { client, server };
  }

  afterEach(async () => {
    client?.destroy();
    await server?.stop();
    client = undefined;
    server = undefined;
  });

  const listRoots = (organizations: OrganizationsClient) => () => organizations.send(new ListRootsCommand({}));

  it(
    'meets the SDK error its tests imitate: a SyntaxError with $response and the 200 in $metadata, not retried by the SDK',
    async () => {
      const { client: organizations, server: fault } = await clientFor([answer(200, '{"Roots": [')]);

      const error: unknown = await listRoots(organizations)().catch((caught: unknown) => caught);

      const imitation = unreadableBodyError();
      expect(error).toMatchObject({ name: imitation.name, $metadata: { httpStatusCode: 200, attempts: 1 } });
      expect(error).toHaveProperty('$response');
      expect(fault.targets).toStrictEqual([LIST_ROOTS]);
    },
    TEST_TIMEOUT_MS,
  );

  it.each([
    ['cut short', '{"Roots": [{"Id": "r-ex'],
    ['not JSON', '<html><body>Service Unavailable</body></html>'],
  ])(
    'reads once more when a 200 answer is %s, and returns the second answer',
    async (_, body) => {
      const { client: organizations, server: fault } = await clientFor([answer(200, body), answer(200, ROOTS)]);

      const output = await readResponse('organizations:ListRoots', listRoots(organizations));

      expect(output.Roots).toStrictEqual([{ Id: 'r-exam', Name: 'Root', PolicyTypes: [] }]);
      expect(fault.targets).toStrictEqual([LIST_ROOTS, LIST_ROOTS]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'throws UnreadableResponseError naming the action when the answer could not be parsed twice, and asks no third time',
    async () => {
      const { client: organizations, server: fault } = await clientFor([answer(200, '<html>'), answer(200, '{"Ro')]);

      const read = readResponse('organizations:ListRoots', listRoots(organizations));

      await expect(read).rejects.toThrow(UnreadableResponseError);
      await expect(read).rejects.toMatchObject({ action: 'organizations:ListRoots' });
      await expect(read).rejects.toThrow(
        /^AWS answered organizations:ListRoots twice with a body that is not JSON or was cut short \([^\n]*JSON[^\n]*\), so the read failed: run again/,
      );
      expect(fault.targets).toHaveLength(2);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'throws what the second request met when it is not an unreadable body',
    async () => {
      const denied = JSON.stringify({ __type: 'AccessDeniedException', Message: 'denied' });
      const { client: organizations, server: fault } = await clientFor([answer(200, '<html>'), answer(400, denied)]);

      await expect(readResponse('organizations:ListRoots', listRoots(organizations))).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
      expect(fault.targets).toHaveLength(2);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'leaves an unparsable 5xx answer to the SDK, which retries it, and adds no attempt of its own',
    async () => {
      const html = answer(500, '<html>Internal Server Error</html>');
      const { client: organizations, server: fault } = await clientFor([html, html, html], { maxAttempts: 2 });

      const read = readResponse('organizations:ListRoots', listRoots(organizations));

      await expect(read).rejects.toMatchObject({
        name: 'SyntaxError',
        $metadata: { httpStatusCode: 500, attempts: 2 },
      });
      expect(fault.targets).toHaveLength(2);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'lets an Organizations error through unchanged, sent once',
    async () => {
      const denied = JSON.stringify({ __type: 'AccessDeniedException', Message: 'denied' });
      const { client: organizations, server: fault } = await clientFor([answer(400, denied)]);

      await expect(readResponse('organizations:ListRoots', listRoots(organizations))).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
      expect(fault.targets).toHaveLength(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'throws AwsTimeoutError naming the action and the attempts when the server never answers',
    async () => {
      const silent: Fault = { kind: 'silent' };
      const { client: organizations, server: fault } = await clientFor([silent, silent, silent], {
        maxAttempts: 3,
        requestHandler: { ...HTTP_TIMEOUTS, requestTimeout: 100 },
      });

      const read = readResponse('organizations:ListRoots', listRoots(organizations));

      await expect(read).rejects.toThrow(AwsTimeoutError);
      await expect(read).rejects.toMatchObject({ action: 'organizations:ListRoots', attempts: 3 });
      await expect(read).rejects.toThrow(
        'AWS did not answer organizations:ListRoots in time (3 attempt(s); a request has exceeded the configured 100 ms requestTimeout.): check the network path to AWS',
      );
      // A timeout is transient: the SDK retried it, up to maxAttempts and no further.
      expect(fault.targets).toStrictEqual([LIST_ROOTS, LIST_ROOTS, LIST_ROOTS]);
    },
    TEST_TIMEOUT_MS,
  );
});
