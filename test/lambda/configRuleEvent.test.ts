import { readFileSync } from 'node:fs';
import { parseConfigRuleEvent } from '../../src/lambda/configRuleEvent';

function eventFile(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`events/${name}`, 'utf8'));
}

const SCHEDULED = eventFile('scheduled-testmode.json');
const invoking = (fields: Record<string, unknown>) =>
  JSON.stringify({
    awsAccountId: '123456789012',
    notificationCreationTime: '2026-11-22T08:00:00.000Z',
    messageType: 'ScheduledNotification',
    ...fields,
  });

describe('parseConfigRuleEvent', () => {
  it('reads the scheduled TESTMODE event', () => {
    expect(parseConfigRuleEvent(SCHEDULED)).toEqual({
      ok: true,
      value: {
        resultToken: 'TESTMODE',
        accountId: '123456789012',
        configRuleName: 'ai-services-opt-out',
        notificationCreationTime: new Date('2026-11-22T08:00:00.000Z'),
        ruleParameters: {},
      },
    });
  });

  it('reads the rule parameters of the event that has them', () => {
    const parsed = parseConfigRuleEvent(eventFile('scheduled-with-parameters.json'));
    expect(parsed.ok && parsed.value.ruleParameters).toEqual({
      RequiredLocks: 'default,opt_out_policy',
      AllowedOptInServices: 'lex',
      CrossCheckAccounts: '0',
    });
  });

  it.each<[string, unknown, string]>([
    [
      'the malformed invokingEvent of events/',
      eventFile('malformed-invoking-event.json'),
      'invokingEvent is not valid JSON (',
    ],
    ['something that is not an object', 'event', 'The event must be an AWS Config rule event object'],
    ['a missing resultToken', { ...SCHEDULED, resultToken: undefined }, 'The event has no resultToken'],
    ['an empty resultToken', { ...SCHEDULED, resultToken: '' }, 'The event has no resultToken'],
    ['a missing accountId', { ...SCHEDULED, accountId: undefined }, 'The event has no 12-digit accountId'],
    ['a missing configRuleName', { ...SCHEDULED, configRuleName: undefined }, 'The event has no configRuleName'],
    [
      'an invokingEvent that is an object, not a string',
      { ...SCHEDULED, invokingEvent: {} },
      'invokingEvent must be a JSON string, got object',
    ],
    [
      'an invokingEvent that holds a list',
      { ...SCHEDULED, invokingEvent: '[]' },
      'invokingEvent must hold a JSON object',
    ],
    [
      'a configuration change notification',
      { ...SCHEDULED, invokingEvent: invoking({ messageType: 'ConfigurationItemChangeNotification' }) },
      'invokingEvent.messageType is "ConfigurationItemChangeNotification"; this rule is periodic and answers only ScheduledNotification',
    ],
    [
      'a missing notificationCreationTime',
      { ...SCHEDULED, invokingEvent: invoking({ notificationCreationTime: undefined }) },
      'invokingEvent.notificationCreationTime must be an ISO 8601 timestamp',
    ],
    [
      'a notificationCreationTime that is not a date',
      { ...SCHEDULED, invokingEvent: invoking({ notificationCreationTime: 'soon' }) },
      'invokingEvent.notificationCreationTime must be an ISO 8601 timestamp',
    ],
    [
      'ruleParameters that are not JSON',
      { ...SCHEDULED, ruleParameters: '{RequiredLocks' },
      'ruleParameters is not valid JSON (',
    ],
  ])('rejects %s', (_name, event, message) => {
    const parsed = parseConfigRuleEvent(event);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(message);
  });
});
