import { readdirSync, readFileSync } from 'node:fs';
import {
  POLICY_CHANGE_EVENTS,
  parsePolicyChangeBatch,
  parsePolicyChangeEvent,
} from '../../src/core/policyChangeEvents';

type Json = Record<string, unknown>;

const SAMPLES_DIRECTORY = 'events/cloudtrail';

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8'));
}

const samples = readdirSync(SAMPLES_DIRECTORY)
  .filter((file) => file.endsWith('.json'))
  .map((file) => [file.replace(/\.json$/, ''), readJson(`${SAMPLES_DIRECTORY}/${file}`)] as const);

function sample(eventName: string): Json {
  const found = samples.find(([name]) => name === eventName);
  if (found === undefined) throw new Error(`no sample ${eventName}.json in ${SAMPLES_DIRECTORY}`);
  return found[1];
}

const EVENT_NAMES = POLICY_CHANGE_EVENTS.map(({ eventName }) => eventName);

/** The AttachPolicy sample, or another, with its detail fields replaced or, when undefined, removed. */
function withDetail(changes: Json, base: Json = sample('AttachPolicy')): Json {
  const detail: Json = { ...(base.detail as Json), ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete detail[key];
  return { ...base, detail };
}

/** AWS's example of a CreateAccountResult whose background creation failed (Organizations User Guide, "Logging API
 * calls with AWS CloudTrail"), in the CreateAccountResult sample. */
const FAILED_CREATE_ACCOUNT_RESULT = withDetail(
  {
    serviceEventDetails: {
      createAccountStatus: {
        id: 'car-examplecreateaccountrequestid111',
        state: 'FAILED',
        accountName: '****',
        failureReason: 'EMAIL_ALREADY_EXISTS',
        requestedTimestamp: 'Nov 22, 2026 9:00:31 AM',
        completedTimestamp: 'Nov 22, 2026 9:00:34 AM',
      },
    },
  },
  sample('CreateAccountResult'),
);

function sqsRecord(messageId: string, body: unknown): Json {
  return { messageId, body: typeof body === 'string' ? body : JSON.stringify(body), eventSource: 'aws:sqs' };
}

describe('parsePolicyChangeEvent', () => {
  it('has one sample in events/cloudtrail for each change the rule reacts to', () => {
    expect(samples.map(([name]) => name).sort()).toEqual([...EVENT_NAMES].sort());
  });

  it.each(samples)('reads the CloudTrail sample %s as a change', (name, event) => {
    const detail = event.detail as Json;
    expect(parsePolicyChangeEvent(event)).toEqual({
      ok: true,
      value: { eventName: name, eventId: detail.eventID, eventTime: detail.eventTime },
    });
  });

  it.each<[string, unknown, string]>([
    ['null', null, 'not an EventBridge event object'],
    ['an array', [sample('AttachPolicy')], 'not an EventBridge event object'],
    [
      'an event of another source',
      { ...sample('AttachPolicy'), source: 'aws.iam' },
      'source is "aws.iam", not aws.organizations',
    ],
    [
      'an API call that arrives as a service event',
      { ...sample('AttachPolicy'), 'detail-type': 'AWS Service Event via CloudTrail' },
      'detail-type is "AWS Service Event via CloudTrail", not AWS API Call via CloudTrail as for AttachPolicy',
    ],
    [
      'a service event that arrives as an API call',
      { ...sample('AccountJoinedOrganization'), 'detail-type': 'AWS API Call via CloudTrail' },
      'detail-type is "AWS API Call via CloudTrail", not AWS Service Event via CloudTrail as for AccountJoinedOrganization',
    ],
    [
      'an event without detail',
      { ...sample('AttachPolicy'), detail: 'AttachPolicy' },
      'the event has no detail object',
    ],
    [
      'a call to another service',
      withDetail({ eventSource: 'iam.amazonaws.com', eventName: 'DeletePolicy' }),
      'detail.eventSource is "iam.amazonaws.com", not organizations.amazonaws.com',
    ],
    [
      'a read-only ListPolicies call',
      withDetail({
        eventName: 'ListPolicies',
        readOnly: true,
        requestParameters: { filter: 'AISERVICES_OPT_OUT_POLICY' },
      }),
      '"ListPolicies" is not a change that can alter a verdict',
    ],
    [
      'a CreateAccount call, which only starts the creation',
      withDetail({ eventName: 'CreateAccount' }),
      '"CreateAccount" is not a change that can alter a verdict',
    ],
    [
      'an InviteAccountToOrganization call, which only sends an invitation',
      withDetail({ eventName: 'InviteAccountToOrganization' }),
      '"InviteAccountToOrganization" is not a change that can alter a verdict',
    ],
    [
      'a CloseAccountResult, which follows an account already PENDING_CLOSURE',
      withDetail({ eventName: 'CloseAccountResult' }, sample('CreateAccountResult')),
      '"CloseAccountResult" is not a change that can alter a verdict',
    ],
    ['an event without eventName', withDetail({ eventName: undefined }), 'undefined is not a change'],
    [
      'a call that Organizations refused',
      withDetail({ errorCode: 'PolicyTypeNotEnabledException', errorMessage: 'The given policy type is not enabled' }),
      'AttachPolicy failed with PolicyTypeNotEnabledException',
    ],
    [
      'a CloseAccount that Organizations refused',
      withDetail({ errorCode: 'AccountAlreadyClosedException' }, sample('CloseAccount')),
      'CloseAccount failed with AccountAlreadyClosedException',
    ],
    [
      "AWS's failed CreateAccountResult",
      FAILED_CREATE_ACCOUNT_RESULT,
      'CreateAccountResult is FAILED (EMAIL_ALREADY_EXISTS): no account was created',
    ],
    [
      'a failed CreateAccountResult without failureReason',
      withDetail({ serviceEventDetails: { createAccountStatus: { state: 'FAILED' } } }, sample('CreateAccountResult')),
      'CreateAccountResult is FAILED (no failureReason): no account was created',
    ],
  ])('refuses %s', (_name, event, reason) => {
    const parsed = parsePolicyChangeEvent(event);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(reason);
  });

  it('counts a call with an empty errorCode as a change', () => {
    expect(parsePolicyChangeEvent(withDetail({ errorCode: '' })).ok).toBe(true);
  });

  it.each<[string, Json]>([
    ['no serviceEventDetails', withDetail({ serviceEventDetails: undefined }, sample('CreateAccountResult'))],
    [
      'a state other than FAILED',
      withDetail(
        { serviceEventDetails: { createAccountStatus: { state: 'IN_PROGRESS' } } },
        sample('CreateAccountResult'),
      ),
    ],
  ])(
    'counts a CreateAccountResult with %s as a change, since only FAILED is known to create nothing',
    (_name, event) => {
      expect(parsePolicyChangeEvent(event)).toMatchObject({ ok: true, value: { eventName: 'CreateAccountResult' } });
    },
  );

  it.each<[string, Json, { eventId: string; eventTime: string }]>([
    ['no eventID', withDetail({ eventID: undefined }), { eventId: '(no eventID)', eventTime: '2026-11-22T09:00:12Z' }],
    [
      'no eventTime, so the event time',
      withDetail({ eventTime: undefined }, { ...sample('AttachPolicy'), time: '2026-11-22T09:00:13Z' }),
      { eventId: 'e31a871b-f751-41a7-b7b9-2f41312337f9', eventTime: '2026-11-22T09:00:13Z' },
    ],
    [
      'no time at all',
      withDetail({ eventTime: undefined }, { ...sample('AttachPolicy'), time: undefined }),
      { eventId: 'e31a871b-f751-41a7-b7b9-2f41312337f9', eventTime: '(no time)' },
    ],
  ])('still reads a change with %s', (_name, event, expected) => {
    expect(parsePolicyChangeEvent(event)).toEqual({ ok: true, value: { eventName: 'AttachPolicy', ...expected } });
  });
});

describe('parsePolicyChangeBatch', () => {
  it('reads every record of events/sqs-policy-changes.json as a change, one of each', () => {
    const parsed = parsePolicyChangeBatch(readJson('events/sqs-policy-changes.json'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.records).toBe(EVENT_NAMES.length);
    expect(parsed.value.ignored).toEqual([]);
    expect(parsed.value.changes.map((change) => change.eventName).sort()).toEqual([...EVENT_NAMES].sort());
  });

  it('keeps the changes and names each record it ignores, with the reason', () => {
    const parsed = parsePolicyChangeBatch({
      Records: [
        sqsRecord('m-1', sample('MoveAccount')),
        sqsRecord('m-2', '{"version":'),
        { messageId: 'm-3', body: 42 },
        'not a record',
        sqsRecord('m-5', withDetail({ eventName: 'DescribePolicy', readOnly: true })),
        sqsRecord('m-6', sample('UpdatePolicy')),
        sqsRecord('m-7', FAILED_CREATE_ACCOUNT_RESULT),
        sqsRecord('m-8', sample('AccountDepartedOrganization')),
      ],
    });
    expect(parsed).toEqual({
      ok: true,
      value: {
        records: 8,
        changes: [
          expect.objectContaining({ eventName: 'MoveAccount' }),
          expect.objectContaining({ eventName: 'UpdatePolicy' }),
          expect.objectContaining({ eventName: 'AccountDepartedOrganization' }),
        ],
        ignored: [
          { messageId: 'm-2', reason: 'the body is not JSON' },
          { messageId: 'm-3', reason: 'the record has no body string' },
          { messageId: 'Records[3]', reason: 'the record has no body string' },
          { messageId: 'm-5', reason: '"DescribePolicy" is not a change that can alter a verdict' },
          { messageId: 'm-7', reason: 'CreateAccountResult is FAILED (EMAIL_ALREADY_EXISTS): no account was created' },
        ],
      },
    });
  });

  it('reads an empty batch as no change', () => {
    expect(parsePolicyChangeBatch({ Records: [] })).toEqual({
      ok: true,
      value: { records: 0, changes: [], ignored: [] },
    });
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['an EventBridge event delivered directly', sample('AttachPolicy')],
    ['Records that are not an array', { Records: {} }],
  ])('refuses %s, which is not an SQS event', (_name, event) => {
    expect(parsePolicyChangeBatch(event)).toEqual({
      ok: false,
      error: 'The event is not an SQS event: it has no Records array',
    });
  });
});
