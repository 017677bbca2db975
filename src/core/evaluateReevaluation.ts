/**
 * The shortest time between two evaluations this function starts, in milliseconds: StartConfigRulesEvaluation accepts
 * one call a minute per rule (AWS Config API reference, LimitExceededException).
 */
export const MIN_MS_BETWEEN_STARTS = 60_000;

/** What the function knows when it decides: the batch's policy changes, and the container's last start. */
export interface ReevaluationInput {
  /** How many policy changes the batch holds. */
  readonly policyChanges: number;
  /** When this container last started an evaluation, if it ever did. */
  readonly lastStartedAt: Date | undefined;
  readonly now: Date;
}

/** Whether to call StartConfigRulesEvaluation, or why not. */
export type ReevaluationDecision =
  | { readonly kind: 'start' }
  | { readonly kind: 'noPolicyChange' }
  | { readonly kind: 'recentlyStarted'; readonly secondsSinceStart: number };

/**
 * Decides whether an invocation starts an evaluation: once per batch, whatever its size, when the batch holds a
 * policy change and this container started no evaluation in the last MIN_MS_BETWEEN_STARTS.
 */
export function evaluateReevaluation(input: ReevaluationInput): ReevaluationDecision {
  if (input.policyChanges === 0) return { kind: 'noPolicyChange' };
  if (input.lastStartedAt !== undefined) {
    const sinceStart = input.now.getTime() - input.lastStartedAt.getTime();
    // A clock that went backwards (sinceStart < 0) proves nothing about the last start: start rather than stay silent.
    if (sinceStart >= 0 && sinceStart < MIN_MS_BETWEEN_STARTS) {
      return { kind: 'recentlyStarted', secondsSinceStart: Math.floor(sinceStart / 1000) };
    }
  }
  return { kind: 'start' };
}
