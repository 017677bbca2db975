import {
  AccessDeniedException,
  DescribeEffectivePolicyCommand,
  EffectivePolicyNotFoundException,
  OrganizationsClient,
  TargetNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { CallOutcome } from '../../src/aws/observeCall';
import {
  EFFECTIVE_POLICY_CONCURRENCY,
  readEffectivePolicies,
  readEffectivePolicy,
} from '../../src/aws/readEffectivePolicy';
import { OrganizationsAccessDeniedError, UnexpectedResponseError, UnreadableResponseError } from '../../src/errors';
import { unreadableBodyError } from '../support/sdkErrors';

const organizations = mockClient(OrganizationsClient);
const client = new OrganizationsClient({ region: 'us-east-1' });

const CONTENT = '{"services":{"default":{"opt_out_policy":"optOut"},"lex":{"opt_out_policy":"optIn"}}}';

function effectivePolicy(targetId: string, fields: Record<string, unknown> = {}) {
  return {
    EffectivePolicy: {
      PolicyContent: CONTENT,
      LastUpdatedTimestamp: new Date('2026-11-22T08:00:00Z'),
      TargetId: targetId,
      PolicyType: 'AISERVICES_OPT_OUT_POLICY' as const,
      ...fields,
    },
  };
}

beforeEach(() => organizations.reset());

describe('readEffectivePolicy', () => {
  it("returns the content of AWS's effective AI opt-out policy of the account it asks about", async () => {
    organizations.on(DescribeEffectivePolicyCommand).resolves(effectivePolicy('222222222222'));
    await expect(readEffectivePolicy(client, '222222222222')).resolves.toEqual({ kind: 'content', content: CONTENT });
    expect(organizations).toHaveReceivedCommandWith(DescribeEffectivePolicyCommand, {
      PolicyType: 'AISERVICES_OPT_OUT_POLICY',
      TargetId: '222222222222',
    });
  });

  it('accepts an answer that leaves out TargetId and PolicyType', async () => {
    organizations.on(DescribeEffectivePolicyCommand).resolves({ EffectivePolicy: { PolicyContent: CONTENT } });
    await expect(readEffectivePolicy(client, '222222222222')).resolves.toEqual({ kind: 'content', content: CONTENT });
  });

  it('reads EffectivePolicyNotFoundException as no effective policy', async () => {
    organizations
      .on(DescribeEffectivePolicyCommand)
      .rejects(new EffectivePolicyNotFoundException({ $metadata: {}, message: "We can't find an effective policy." }));
    await expect(readEffectivePolicy(client, '222222222222')).resolves.toEqual({ kind: 'none' });
  });

  it('reads an unreadable answer once more, as every read does', async () => {
    organizations
      .on(DescribeEffectivePolicyCommand)
      .rejectsOnce(unreadableBodyError())
      .resolves(effectivePolicy('222222222222'));
    await expect(readEffectivePolicy(client, '222222222222')).resolves.toEqual({ kind: 'content', content: CONTENT });
    expect(organizations).toHaveReceivedCommandTimes(DescribeEffectivePolicyCommand, 2);
  });

  it.each<[string, Error, RegExp | (new (...args: never[]) => Error)]>([
    [
      'says how often Organizations throttled it',
      new TooManyRequestsException({ $metadata: { attempts: 10 }, message: 'slow down' }),
      /^Organizations kept throttling organizations:DescribeEffectivePolicy \(TooManyRequestsException\) after 10 attempts/,
    ],
    [
      'passes on an account that is not in the organization',
      new TargetNotFoundException({ $metadata: {}, message: "We can't find a root, OU, account, or policy." }),
      TargetNotFoundException,
    ],
    ['fails on two unreadable answers', unreadableBodyError(), UnreadableResponseError],
  ])('%s', async (_name, error, expected) => {
    organizations.on(DescribeEffectivePolicyCommand).rejects(error);
    await expect(readEffectivePolicy(client, '222222222222')).rejects.toThrow(expected);
  });

  it('names the action when access is denied', async () => {
    organizations
      .on(DescribeEffectivePolicyCommand)
      .rejects(new AccessDeniedException({ $metadata: {}, message: 'denied' }));
    const read = readEffectivePolicy(client, '222222222222');
    await expect(read).rejects.toThrow(OrganizationsAccessDeniedError);
    await expect(read).rejects.toThrow(
      "Access denied to organizations:DescribeEffectivePolicy: allow organizations:DescribeEffectivePolicy to the rule's role",
    );
  });

  it.each<[string, object, string]>([
    [
      'no content',
      { EffectivePolicy: { TargetId: '222222222222' } },
      'AWS answered organizations:DescribeEffectivePolicy without EffectivePolicy.PolicyContent',
    ],
    ['no effective policy at all', {}, 'without EffectivePolicy.PolicyContent'],
    [
      "another account's policy",
      effectivePolicy('333333333333'),
      'AWS answered organizations:DescribeEffectivePolicy for account 222222222222 with the policy of 333333333333',
    ],
    [
      'a policy of another type',
      effectivePolicy('222222222222', { PolicyType: 'TAG_POLICY' }),
      'for AISERVICES_OPT_OUT_POLICY with a TAG_POLICY',
    ],
  ])('refuses an answer with %s', async (_name, answer, message) => {
    organizations.on(DescribeEffectivePolicyCommand).resolves(answer);
    const read = readEffectivePolicy(client, '222222222222');
    await expect(read).rejects.toThrow(UnexpectedResponseError);
    await expect(read).rejects.toThrow(message);
  });
});

describe('readEffectivePolicies', () => {
  const ACCOUNTS = ['222222222222', '333333333333', '444444444444', '555555555555', '666666666666'];

  it(`reads every account, ${EFFECTIVE_POLICY_CONCURRENCY} at a time, each once, and keeps each failure to its account`, async () => {
    let inFlight = 0;
    let most = 0;
    organizations.on(DescribeEffectivePolicyCommand).callsFake(async (input: { TargetId: string }) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      // Yield a few times so that every worker has sent its request before any answer comes.
      for (let turn = 0; turn < 5; turn += 1) await Promise.resolve();
      inFlight -= 1;
      if (input.TargetId === '444444444444') {
        throw new TargetNotFoundException({ $metadata: {}, message: "We can't find a root, OU, account, or policy." });
      }
      if (input.TargetId === '555555555555') {
        throw new EffectivePolicyNotFoundException({ $metadata: {}, message: "We can't find an effective policy." });
      }
      return effectivePolicy(input.TargetId);
    });

    const outcomes = await readEffectivePolicies(client, ACCOUNTS, new AbortController().signal);

    expect(most).toBe(EFFECTIVE_POLICY_CONCURRENCY);
    expect(organizations).toHaveReceivedCommandTimes(DescribeEffectivePolicyCommand, ACCOUNTS.length);
    expect(new Map([...outcomes].sort(([a], [b]) => a.localeCompare(b)))).toEqual(
      new Map([
        ['222222222222', { ok: true, value: { kind: 'content', content: CONTENT } }],
        ['333333333333', { ok: true, value: { kind: 'content', content: CONTENT } }],
        ['444444444444', { ok: false, error: expect.any(TargetNotFoundException) }],
        ['555555555555', { ok: true, value: { kind: 'none' } }],
        ['666666666666', { ok: true, value: { kind: 'content', content: CONTENT } }],
      ]),
    );
  });

  it('tells onCall of every request, and which ones Organizations throttled', async () => {
    organizations
      .on(DescribeEffectivePolicyCommand)
      .resolves(effectivePolicy('222222222222'))
      .on(DescribeEffectivePolicyCommand, { TargetId: '333333333333' })
      .resolves({ ...effectivePolicy('333333333333'), $metadata: { attempts: 2 } })
      .on(DescribeEffectivePolicyCommand, { TargetId: '444444444444' })
      .rejects(new TooManyRequestsException({ $metadata: { attempts: 10 }, message: 'slow down' }));
    const onCall = jest.fn<void, [CallOutcome]>();

    await readEffectivePolicies(client, ACCOUNTS.slice(0, 3), new AbortController().signal, onCall);

    expect(onCall).toHaveBeenCalledTimes(3);
    expect(onCall.mock.calls.filter(([outcome]) => outcome.throttled)).toHaveLength(2);
  });

  it('gives every request a signal that aborts when the given one does', async () => {
    const controller = new AbortController();
    organizations.on(DescribeEffectivePolicyCommand).callsFake((input: { TargetId: string }) => {
      controller.abort(new Error('deadline'));
      return effectivePolicy(input.TargetId);
    });
    await readEffectivePolicies(client, ACCOUNTS.slice(0, 2), controller.signal);
    const signals = organizations
      .commandCalls(DescribeEffectivePolicyCommand)
      .map((call) => Reflect.get(Reflect.get(call.args, 1) ?? {}, 'abortSignal'));
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.map((signal) => signal instanceof AbortSignal && signal.aborted)).toEqual(signals.map(() => true));
  });

  it('sends nothing once the signal has aborted, and gives each account the reason', async () => {
    const reason = new Error('no time left');
    const outcomes = await readEffectivePolicies(client, ACCOUNTS, AbortSignal.abort(reason));
    expect(organizations).not.toHaveReceivedCommand(DescribeEffectivePolicyCommand);
    expect([...outcomes.values()]).toEqual(ACCOUNTS.map(() => ({ ok: false, error: reason })));
    expect(outcomes.size).toBe(ACCOUNTS.length);
  });

  it('asks nothing when no account is wanted', async () => {
    await expect(readEffectivePolicies(client, [], new AbortController().signal)).resolves.toEqual(new Map());
    expect(organizations).not.toHaveReceivedCommand(DescribeEffectivePolicyCommand);
  });
});
