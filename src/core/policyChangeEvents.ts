import { fail, ok, type Result } from './result';

/** The `detail-type`s EventBridge gives the CloudTrail records of Organizations that can change a verdict. */
export const CLOUDTRAIL_DETAIL_TYPES = {
  /** A call to an Organizations API. */
  apiCall: 'AWS API Call via CloudTrail',
  /** A record Organizations writes itself, not a request (EventBridge User Guide, "AWS service events delivered via
   * AWS CloudTrail"). */
  serviceEvent: 'AWS Service Event via CloudTrail',
} as const;
export type CloudTrailDetailType = (typeof CLOUDTRAIL_DETAIL_TYPES)[keyof typeof CLOUDTRAIL_DETAIL_TYPES];

const { apiCall, serviceEvent } = CLOUDTRAIL_DETAIL_TYPES;

/**
 * The Organizations changes that can change a verdict, each with the detail-type it arrives with: a policy's content,
 * where it is attached, whether its type is enabled on the root, which OU an account sits in, which accounts are in
 * the organization, and whether an account is still active. The EventBridge rule of template.yaml matches these
 * detail-types and event names. CloudTrail records all of them in us-east-1 only.
 */
export const POLICY_CHANGE_EVENTS = [
  { detailType: apiCall, eventName: 'AttachPolicy' },
  { detailType: apiCall, eventName: 'DetachPolicy' },
  { detailType: apiCall, eventName: 'UpdatePolicy' },
  { detailType: apiCall, eventName: 'DeletePolicy' },
  { detailType: apiCall, eventName: 'CreatePolicy' },
  { detailType: apiCall, eventName: 'EnablePolicyType' },
  { detailType: apiCall, eventName: 'DisablePolicyType' },
  { detailType: apiCall, eventName: 'MoveAccount' },
  // The account leaves at once; AccountDepartedOrganization follows, but this call's record is the long-documented one.
  { detailType: apiCall, eventName: 'RemoveAccountFromOrganization' },
  // The account is PENDING_CLOSURE from this call on, so NOT_APPLICABLE (CloseAccount, Organizations API Reference).
  { detailType: apiCall, eventName: 'CloseAccount' },
  // CreateAccount only starts the creation; this record says how it ended (Organizations User Guide, "Logging API
  // calls with AWS CloudTrail", which shows a SUCCEEDED and a FAILED one).
  { detailType: serviceEvent, eventName: 'CreateAccountResult' },
  // Since 2026-05-28, on every join (joinedMethod CREATED or INVITED) and departure (departureMethod LEFT, REMOVED or
  // CLEANED), in the management account only. They cover what its own calls do not: an accepted invitation and a
  // member leaving on its own (AcceptHandshake and LeaveOrganization are the member's calls; Organizations API
  // Reference).
  { detailType: serviceEvent, eventName: 'AccountJoinedOrganization' },
  { detailType: serviceEvent, eventName: 'AccountDepartedOrganization' },
] as const satisfies readonly { readonly detailType: CloudTrailDetailType; readonly eventName: string }[];
export type PolicyChangeEventName = (typeof POLICY_CHANGE_EVENTS)[number]['eventName'];

/** The `source` of the EventBridge events that CloudTrail records for Organizations. */
export const ORGANIZATIONS_EVENT_BRIDGE_SOURCE = 'aws.organizations';

/** The CloudTrail `eventSource` of Organizations. */
export const ORGANIZATIONS_EVENT_SOURCE = 'organizations.amazonaws.com';

/** A successful Organizations change that can change a verdict, as CloudTrail recorded it. */
export interface PolicyChange {
  readonly eventName: PolicyChangeEventName;
  /** CloudTrail's `eventID`. */
  readonly eventId: string;
  /** CloudTrail's `eventTime` (ISO 8601), when Organizations received the call or made the change. */
  readonly eventTime: string;
}

/** An SQS record that holds no change that can alter a verdict, and why. */
export interface IgnoredRecord {
  readonly messageId: string;
  readonly reason: string;
}

/** What one SQS batch of EventBridge events holds: the changes, and the records that are not one. */
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

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/** Why a CreateAccountResult created no account, or undefined when it may have. */
function failedCreation(detail: Fields): string | undefined {
  const status = fields(fields(detail.serviceEventDetails)?.createAccountStatus);
  // Only FAILED is known to change nothing: any other state, or none, counts, since one evaluation too many is harmless.
  if (status?.state !== 'FAILED') return undefined;
  return `CreateAccountResult is FAILED (${stringOr(status.failureReason, 'no failureReason')}): no account was created`;
}

/**
 * Parses one EventBridge event. It is a change when it is an Organizations record of CloudTrail (source and
 * eventSource) whose eventName is one of POLICY_CHANGE_EVENTS and arrives with that entry's detail-type, the call did
 * not fail, and, for a CreateAccountResult, the creation did not fail. Anything else is a one-line reason.
 */
export function parsePolicyChangeEvent(event: unknown): Result<PolicyChange, string> {
  const root = fields(event);
  if (root === undefined) return fail('not an EventBridge event object');
  if (root.source !== ORGANIZATIONS_EVENT_BRIDGE_SOURCE) {
    return fail(`source is ${JSON.stringify(root.source)}, not ${ORGANIZATIONS_EVENT_BRIDGE_SOURCE}`);
  }
  const detail = fields(root.detail);
  if (detail === undefined) return fail('the event has no detail object');
  if (detail.eventSource !== ORGANIZATIONS_EVENT_SOURCE) {
    return fail(`detail.eventSource is ${JSON.stringify(detail.eventSource)}, not ${ORGANIZATIONS_EVENT_SOURCE}`);
  }
  const known = POLICY_CHANGE_EVENTS.find(({ eventName }) => eventName === detail.eventName);
  if (known === undefined) return fail(`${JSON.stringify(detail.eventName)} is not a change that can alter a verdict`);
  const { eventName, detailType } = known;
  if (root['detail-type'] !== detailType) {
    return fail(`detail-type is ${JSON.stringify(root['detail-type'])}, not ${detailType} as for ${eventName}`);
  }
  // CloudTrail records refused calls too, with errorCode; Organizations applied nothing, so nothing changed.
  const { errorCode } = detail;
  if (typeof errorCode === 'string' && errorCode !== '') return fail(`${eventName} failed with ${errorCode}`);
  const failure = eventName === 'CreateAccountResult' ? failedCreation(detail) : undefined;
  if (failure !== undefined) return fail(failure);
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
 * parsePolicyChangeEvent. Records that are no change are returned as ignored, with the reason. Fails only
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
