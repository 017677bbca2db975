import {
  evaluateReevaluation,
  MIN_MS_BETWEEN_STARTS,
  type ReevaluationDecision,
  type ReevaluationInput,
} from '../../src/core/evaluateReevaluation';

const NOW = new Date('2026-11-22T09:01:31.000Z');

function secondsBefore(seconds: number): Date {
  return new Date(NOW.getTime() - seconds * 1000);
}

function input(policyChanges: number, lastStartedAt: Date | undefined): ReevaluationInput {
  return { policyChanges, lastStartedAt, now: NOW };
}

describe('evaluateReevaluation', () => {
  it('waits one minute between starts, the limit of StartConfigRulesEvaluation', () => {
    expect(MIN_MS_BETWEEN_STARTS).toBe(60_000);
  });

  it.each<[string, ReevaluationInput, ReevaluationDecision]>([
    ['one change and no earlier start', input(1, undefined), { kind: 'start' }],
    ['a burst of 50 changes', input(50, undefined), { kind: 'start' }],
    ['changes a minute after the last start', input(3, secondsBefore(60)), { kind: 'start' }],
    ['changes an hour after the last start', input(3, secondsBefore(3600)), { kind: 'start' }],
    ['changes when the clock went back before the last start', input(3, secondsBefore(-5)), { kind: 'start' }],
    ['no change', input(0, undefined), { kind: 'noPolicyChange' }],
    ['no change, right after a start', input(0, secondsBefore(1)), { kind: 'noPolicyChange' }],
    [
      'changes at the instant of the last start',
      input(2, secondsBefore(0)),
      { kind: 'recentlyStarted', secondsSinceStart: 0 },
    ],
    [
      'changes 59.999 s after the last start',
      input(2, new Date(NOW.getTime() - 59_999)),
      { kind: 'recentlyStarted', secondsSinceStart: 59 },
    ],
  ])('decides for %s', (_name, given, expected) => {
    expect(evaluateReevaluation(given)).toEqual(expected);
  });
});
