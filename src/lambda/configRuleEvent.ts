import { fail, ok, type Result } from '../core/result';

/** The only message type this rule answers: it runs on a schedule, as no Config resource records AI opt-out policies. */
export const SCHEDULED_NOTIFICATION = 'ScheduledNotification';

/** The fields of an AWS Config custom rule event that this rule uses, parsed and checked. */
export interface ConfigRuleEvent {
  readonly resultToken: string;
  /** The account the rule runs in (the invoking account). */
  readonly accountId: string;
  /** The rule's name in the invoking account, whose earlier results are read to clear stale ones. */
  readonly configRuleName: string;
  /** The invokingEvent's notificationCreationTime: the OrderingTimestamp of every evaluation. */
  readonly notificationCreationTime: Date;
  /** The rule parameters as AWS Config passes them; empty when the event has none. */
  readonly ruleParameters: Readonly<Record<string, unknown>>;
}

type Fields = Readonly<Record<string, unknown>>;

function fields(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value))
    : undefined;
}

function jsonObject(value: unknown, name: string): Result<Fields, string> {
  if (typeof value !== 'string') return fail(`${name} must be a JSON string, got ${typeof value}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    return fail(`${name} is not valid JSON (${String(error).replace(/^SyntaxError: /, '')})`);
  }
  const object = fields(parsed);
  return object === undefined ? fail(`${name} must hold a JSON object`) : ok(object);
}

/**
 * Parses the event AWS Config sends a custom Lambda rule: `invokingEvent` and `ruleParameters` are JSON strings,
 * `ruleParameters` may be absent. Returns a one-line reason when the event cannot be answered (no resultToken, invalid
 * JSON, a messageType other than ScheduledNotification, no notificationCreationTime, no configRuleName).
 */
export function parseConfigRuleEvent(event: unknown): Result<ConfigRuleEvent, string> {
  const root = fields(event);
  if (root === undefined) return fail('The event must be an AWS Config rule event object');
  const { resultToken, accountId, configRuleName } = root;
  if (typeof resultToken !== 'string' || resultToken === '') return fail('The event has no resultToken');
  if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId)) return fail('The event has no 12-digit accountId');
  if (typeof configRuleName !== 'string' || configRuleName === '') return fail('The event has no configRuleName');
  const invokingEvent = jsonObject(root.invokingEvent, 'invokingEvent');
  if (!invokingEvent.ok) return invokingEvent;
  const { messageType, notificationCreationTime } = invokingEvent.value;
  if (messageType !== SCHEDULED_NOTIFICATION) {
    return fail(
      `invokingEvent.messageType is ${JSON.stringify(messageType)}; this rule is periodic and answers only ${SCHEDULED_NOTIFICATION}`,
    );
  }
  const time = typeof notificationCreationTime === 'string' ? new Date(notificationCreationTime) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) {
    return fail('invokingEvent.notificationCreationTime must be an ISO 8601 timestamp');
  }
  const ruleParameters = root.ruleParameters === undefined ? ok({}) : jsonObject(root.ruleParameters, 'ruleParameters');
  if (!ruleParameters.ok) return ruleParameters;
  return ok({
    resultToken,
    accountId,
    configRuleName,
    notificationCreationTime: time,
    ruleParameters: ruleParameters.value,
  });
}
