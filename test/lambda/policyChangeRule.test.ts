import { readdirSync, readFileSync } from 'node:fs';
import { readTemplate, samFunctions, type Template } from '../../scripts/samTemplate.cjs';
import {
  CLOUDTRAIL_DETAIL_TYPES,
  POLICY_CHANGE_EVENTS,
  parsePolicyChangeEvent,
} from '../../src/core/policyChangeEvents';
import { isFields, matchesEventPattern } from '../support/eventPattern';

type Json = Record<string, unknown>;

const template: Template = readTemplate('template.yaml');

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8'));
}

const SAMPLES = readdirSync('events/cloudtrail')
  .filter((file) => file.endsWith('.json'))
  .map((file) => [file, readJson(`events/cloudtrail/${file}`)] as const);

function sample(eventName: string): Json {
  return readJson(`events/cloudtrail/${eventName}.json`);
}

function resource(logicalId: string) {
  const found = template.Resources[logicalId];
  if (found === undefined) throw new Error(`template.yaml has no resource ${logicalId}`);
  return found;
}

function eventPattern(): unknown {
  return resource('PolicyChangeRule').Properties?.EventPattern;
}

/** The AttachPolicy sample turned into another call, as CloudTrail would record it. */
function otherCall(detail: Json, source = 'aws.organizations'): Json {
  const attach = sample('AttachPolicy');
  return { ...attach, source, detail: { ...(attach.detail as Json), ...detail } };
}

/** The CreateAccountResult sample turned into another service event of Organizations. */
function otherServiceEvent(detail: Json): Json {
  const result = sample('CreateAccountResult');
  return { ...result, detail: { ...(result.detail as Json), ...detail } };
}

describe('the EventBridge rule PolicyChangeRule of template.yaml', () => {
  it.each(SAMPLES)('matches the CloudTrail sample %s, which the function counts as a change', (_file, event) => {
    expect(matchesEventPattern(eventPattern(), event)).toBe(true);
    expect(parsePolicyChangeEvent(event).ok).toBe(true);
  });

  it.each<[string, Json]>([
    [
      'a read-only ListPolicies call',
      otherCall({
        eventName: 'ListPolicies',
        readOnly: true,
        requestParameters: { filter: 'AISERVICES_OPT_OUT_POLICY' },
        responseElements: null,
      }),
    ],
    [
      'a read-only DescribePolicy call',
      otherCall({ eventName: 'DescribePolicy', readOnly: true, requestParameters: { policyId: 'p-lockedoptout' } }),
    ],
    [
      "AWS's CreateAccount call (it only starts the creation)",
      otherCall({
        eventName: 'CreateAccount',
        requestParameters: { tags: [], email: '****', accountName: '****' },
        responseElements: {
          createAccountStatus: {
            accountName: '****',
            state: 'IN_PROGRESS',
            id: 'car-examplecreateaccountrequestid111',
            requestedTimestamp: 'Nov 22, 2026 9:00:31 AM',
          },
        },
      }),
    ],
    [
      'an InviteAccountToOrganization call (it only sends an invitation)',
      otherCall({
        eventName: 'InviteAccountToOrganization',
        requestParameters: { target: { type: 'ACCOUNT', id: '444444444444' } },
      }),
    ],
    [
      "AWS's CloseAccountResult (the account is PENDING_CLOSURE since CloseAccount)",
      otherServiceEvent({
        eventName: 'CloseAccountResult',
        serviceEventDetails: {
          closeAccountStatus: {
            accountId: '555555555555',
            state: 'SUCCEEDED',
            requestedTimestamp: 'Nov 22, 2026 9:00:42 AM',
            completedTimestamp: 'Nov 22, 2026 9:00:42 AM',
          },
        },
      }),
    ],
    [
      "AWS's EffectivePolicyValidation, another service event of Organizations",
      otherServiceEvent({
        eventName: 'EffectivePolicyValidation',
        readOnly: true,
        serviceEventDetails: { accountId: '333333333333', policyType: 'BACKUP_POLICY', state: 'INVALID' },
      }),
    ],
    [
      "IAM's DeletePolicy, which has an Organizations name",
      otherCall(
        {
          eventSource: 'iam.amazonaws.com',
          eventName: 'DeletePolicy',
          requestParameters: { policyArn: 'arn:aws:iam::123456789012:policy/test-policy' },
        },
        'aws.iam',
      ),
    ],
  ])('does not match %s, and the function refuses it too', (_name, event) => {
    expect(matchesEventPattern(eventPattern(), event)).toBe(false);
    expect(parsePolicyChangeEvent(event).ok).toBe(false);
  });

  it('matches exactly the detail-types and event names of the changes the function counts', () => {
    const pattern = eventPattern();
    const detail = isFields(pattern) ? pattern.detail : undefined;
    expect(isFields(pattern) ? pattern['detail-type'] : undefined).toEqual([
      ...new Set(POLICY_CHANGE_EVENTS.map(({ detailType }) => detailType)),
    ]);
    expect(isFields(detail) ? detail.eventName : undefined).toEqual(
      POLICY_CHANGE_EVENTS.map(({ eventName }) => eventName),
    );
  });

  // The pattern cannot pair a name with its detail-type, so it also matches each name with the other detail-type:
  // events AWS does not send, which the function would still refuse.
  it.each(
    POLICY_CHANGE_EVENTS.flatMap(({ eventName }) =>
      Object.values(CLOUDTRAIL_DETAIL_TYPES).map((detailType) => [eventName, detailType] as const),
    ),
  )('matches %s as "%s", which the function counts only with its own detail-type', (eventName, detailType) => {
    const event = { ...sample(eventName), 'detail-type': detailType };
    expect(matchesEventPattern(eventPattern(), event)).toBe(true);
    expect(parsePolicyChangeEvent(event).ok).toBe(
      POLICY_CHANGE_EVENTS.some((listed) => listed.eventName === eventName && listed.detailType === detailType),
    );
  });

  it('sends to the queue that only it may send to', () => {
    expect(resource('PolicyChangeRule').Properties?.Targets).toEqual([
      { Id: 'PolicyChangeQueue', Arn: { 'Fn::GetAtt': ['PolicyChangeQueue', 'Arn'] } },
    ]);
    expect(resource('PolicyChangeQueuePolicy').Properties?.PolicyDocument).toMatchObject({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': ['PolicyChangeQueue', 'Arn'] },
          Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['PolicyChangeRule', 'Arn'] } } },
        },
      ],
    });
  });

  it('feeds ReevaluateFunction batches collected for a minute, at most two at a time', () => {
    expect(resource('ReevaluateFunction').Properties).toMatchObject({
      Handler: 'reevaluateHandler.handler',
      Environment: { Variables: { CONFIG_RULE_NAME: { Ref: 'AiOptOutConfigRule' } } },
    });
    expect(resource('PolicyChangeEventSource').Properties).toEqual({
      EventSourceArn: { 'Fn::GetAtt': ['PolicyChangeQueue', 'Arn'] },
      FunctionName: { Ref: 'ReevaluateFunction' },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 60,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(samFunctions(template).find((fn) => fn.logicalId === 'ReevaluateFunction')?.buildProperties).toMatchObject({
      EntryPoints: ['src/lambda/reevaluateHandler.ts'],
    });
  });

  it("gives the queue a visibility timeout of at least six times the function's timeout plus the batching window", () => {
    // AWS Lambda Developer Guide, "Creating and configuring an Amazon SQS event source mapping".
    const timeout = Number(resource('ReevaluateFunction').Properties?.Timeout);
    const window = Number(resource('PolicyChangeEventSource').Properties?.MaximumBatchingWindowInSeconds);
    expect(Number(resource('PolicyChangeQueue').Properties?.VisibilityTimeout)).toBeGreaterThanOrEqual(
      6 * timeout + window,
    );
  });

  it('creates all of it only when re-evaluation is on', () => {
    const ids = [
      'PolicyChangeRule',
      'PolicyChangeEventSource',
      'PolicyChangeQueue',
      'PolicyChangeDeadLetterQueue',
      'PolicyChangeQueuePolicy',
      'ReevaluateLogGroup',
      'ReevaluateFunction',
    ];
    expect(ids.map((id) => [id, resource(id).Condition])).toEqual(ids.map((id) => [id, 'ReevaluatesOnPolicyChange']));
    expect(template.Parameters?.ReevaluateOnPolicyChange).toMatchObject({
      Default: 'auto',
      AllowedValues: ['auto', 'enabled', 'disabled'],
    });
  });
});
