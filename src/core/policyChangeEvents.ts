import { fail, ok, type Result } from './result';

/**
 * The Organizations API calls that can change a verdict: a policy's content, where it is attached, whether its type is
 * enabled on the root, and which OU an account sits in. The EventBridge rule of template.yaml matches exactly these.
 */
export const POLICY_CHANGE_EVENT_NAMES = [
  'AttachPolicy',
  'DetachPolicy',
  'UpdatePolicy',
  'DeletePolicy',
  'CreatePolicy',
  'EnablePolicyType',
  'DisablePolicyType',
  'MoveAccount',
] as const;
export type PolicyChangeEventName = (typeof POLICY_CHANGE_EVENT_NAMES)[number];

/** The `source` of the EventBridge events that CloudTrail records for Organizations API calls. */
export const ORGANIZATIONS_EVENT_BRIDGE_SOURCE = 'aws.organizations';

/** The `detail-type` EventBridge gives every API call that CloudTrail records. */
export const CLOUDTRAIL_API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** The CloudTrail `eventSource` of Organizations API calls. */
export const ORGANIZATIONS_EVENT_SOURCE = 'organizations.amazonaws.com';

/** A successful Organizations API call that can change a verdict, as CloudTrail recorded it. */
export interface PolicyChange {
  readonly eventName: PolicyChangeEventName;
  /** CloudTrail's `eventID`. */
  readonly eventId: string;
  /** CloudTrail's `eventTime` (ISO 8601), when Organizations received the call. */
  readonly eventTime: string;
}

/** An SQS record that holds no policy change, and why. */
export interface IgnoredRecord {
  readonly messageId: string;
  readonly reason: string;
}

/** What one SQS batch of EventBridge events holds: the policy changes, and the records that are not one. */
export interface PolicyChangeBatch {
  readonly records: number;
  readonly changes: readonly PolicyChange[];
  readonly ignored: readonly IgnoredRecord[];
}

type Fields = Readonly<Record<string, unknown>>;

function fields(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value))
    : undefined;
}

function isPolicyChangeEventName(value: unknown): value is PolicyChangeEventName {
  return POLICY_CHANGE_EVENT_NAMES.some((name) => name === value);
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/**
 * Parses one EventBridge event. It is a policy change when it is an Organizations API call recorded by CloudTrail
 * (source, detail-type and eventSource), its eventName is one of POLICY_CHANGE_EVENT_NAMES, and the call did not fail.
 * Anything else is a one-line reason.
 */
export function parsePolicyChangeEvent(event: unknown): Result<PolicyChange, string> {
  const root = fields(event);
  if (root === undefined) return fail('not an EventBridge event object');
  if (root.source !== ORGANIZATIONS_EVENT_BRIDGE_SOURCE) {
    return fail(`source is ${JSON.stringify(root.source)}, not ${ORGANIZATIONS_EVENT_BRIDGE_SOURCE}`);
  }
  if (root['detail-type'] !== CLOUDTRAIL_API_CALL_DETAIL_TYPE) {
    return fail(`detail-type is ${JSON.stringify(root['detail-type'])}, not ${CLOUDTRAIL_API_CALL_DETAIL_TYPE}`);
  }
  const detail = fields(root.detail);
  if (detail === undefined) return fail('the event has no detail object');
  if (detail.eventSource !== ORGANIZATIONS_EVENT_SOURCE) {
    return fail(`detail.eventSource is ${JSON.stringify(detail.eventSource)}, not ${ORGANIZATIONS_EVENT_SOURCE}`);
  }
  const { eventName, errorCode } = detail;
  if (!isPolicyChangeEventName(eventName)) {
    return fail(`${JSON.stringify(eventName)} is not a policy change (${POLICY_CHANGE_EVENT_NAMES.join(', ')})`);
  }
  // CloudTrail records refused calls too, with errorCode; Organizations applied nothing, so nothing changed.
  if (typeof errorCode === 'string' && errorCode !== '') return fail(`${eventName} failed with ${errorCode}`);
  return ok({
    eventName,
    eventId: stringOr(detail.eventID, '(no eventID)'),
    eventTime: stringOr(detail.eventTime, stringOr(root.time, '(no time)')),
  });
}

function parseRecord(record: unknown, index: number): { messageId: string; change: Result<PolicyChange, string> } {
  const fieldsOfRecord = fields(record);
  const messageId = stringOr(fieldsOfRecord?.messageId, `Records[${index}]`);
  const body = fieldsOfRecord?.body;
  if (typeof body !== 'string') return { messageId, change: fail('the record has no body string') };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { messageId, change: fail('the body is not JSON') };
  }
  return { messageId, change: parsePolicyChangeEvent(parsed) };
}

/**
 * Parses the event of an SQS event source whose messages are EventBridge events: each record's body is parsed with
 * parsePolicyChangeEvent. Records that are no policy change are returned as ignored, with the reason. Fails only
 * when the event is not an SQS event (no `Records` array).
 */
export function parsePolicyChangeBatch(event: unknown): Result<PolicyChangeBatch, string> {
  const records = fields(event)?.Records;
  if (!Array.isArray(records)) return fail('The event is not an SQS event: it has no Records array');
  const changes: PolicyChange[] = [];
  const ignored: IgnoredRecord[] = [];
  records.forEach((record: unknown, index) => {
    const { messageId, change } = parseRecord(record, index);
    if (change.ok) changes.push(change.value);
    else ignored.push({ messageId, reason: change.error });
  });
  return ok({ records: records.length, changes, ignored });
}
