import { type OnCall, observeCall, wasRetried } from './observeCall';

/**
 * How many requests a read keeps in flight, and what moved it: additive increase, multiplicative decrease (AIMD),
 * the way TCP shares a link it cannot see.
 */
export interface Concurrency {
  /** How many requests may be in flight at once: from 1 to the maximum. */
  readonly limit: number;
  /** Answers at the first attempt since the limit last changed. */
  readonly successes: number;
  /** How many times the limit was halved so far; a request remembers it when it is sent. */
  readonly decreases: number;
}

/** An answer as the limit sees it. */
export interface Answer {
  /** Whether the SDK needed more than one attempt: Organizations throttled the request, or it failed transiently. */
  readonly retried: boolean;
  /** `Concurrency.decreases` when the request was sent. */
  readonly decreasesAtSend: number;
}

/**
 * The concurrency after `answer`: halved (never below 1) when the request had to be retried, once for all the
 * requests that were sent before that halving; one more (never above `max`) after as many answers at the first
 * attempt as the limit allows in flight.
 */
export function nextConcurrency(current: Concurrency, answer: Answer, max: number): Concurrency {
  if (answer.retried) {
    // Requests sent before the last halving were sent under the old limit: what they met is already answered.
    if (answer.decreasesAtSend !== current.decreases) return current;
    return { limit: Math.max(1, Math.floor(current.limit / 2)), successes: 0, decreases: current.decreases + 1 };
  }
  const successes = current.successes + 1;
  if (successes < current.limit) return { ...current, successes };
  return { ...current, limit: Math.min(max, current.limit + 1), successes: 0 };
}

/** Runs the tasks of one read and sends their requests within a concurrency that follows Organizations' throttling. */
export interface AdaptiveLimit {
  /**
   * Runs `task` when fewer tasks run than the limit allows, in the order they came. Rejects, without running it,
   * once the read is aborted; a task that is running when the read is aborted rejects at once with the abort's reason.
   * A task that fails aborts the read with its error, so that no request starts whose answer nobody will read.
   */
  readonly run: <T>(task: () => Promise<T>) => Promise<T>;
  /**
   * Sends one request of a running task with `request`: rejects without sending once the read is aborted, lets
   * the answer's `$metadata.attempts` move the limit (see nextConcurrency), and tells `onCall` what it met.
   */
  readonly send: <T>(request: () => Promise<T>) => Promise<T>;
}

/** Settings of `createAdaptiveLimit`. */
export interface AdaptiveLimitOptions {
  /** The most tasks running at once, and the limit at the start: a positive integer. */
  readonly max: number;
  /** The read's own controller: aborted from outside to stop the read, and by the limit when a task fails. */
  readonly controller: AbortController;
  /** Called with the new limit each time it changes. */
  readonly onConcurrency?: ((limit: number) => void) | undefined;
  /** Hears each request `send` sends, once it has answered or failed. */
  readonly onCall?: OnCall | undefined;
}

/** Creates the limit of one read. Throws RangeError when `max` is not a positive integer. */
export function createAdaptiveLimit({ max, controller, onConcurrency, onCall }: AdaptiveLimitOptions): AdaptiveLimit {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a positive integer, got ${max}`);
  const { signal } = controller;
  let concurrency: Concurrency = { limit: max, successes: 0, decreases: 0 };
  let running = 0;
  const waiting: { readonly start: () => void; readonly refuse: (reason: unknown) => void }[] = [];
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  // Only ever awaited in a race: a read that ends without an abort leaves it pending, one that aborts handles it there.
  aborted.catch(() => undefined);
  signal.addEventListener('abort', () => {
    for (const task of waiting.splice(0)) task.refuse(signal.reason);
  });
  const startWaiting = (): void => {
    while (running < concurrency.limit) {
      const next = waiting.shift();
      if (next === undefined) return;
      running += 1;
      next.start();
    }
  };

  return {
    run: async <T>(task: () => Promise<T>): Promise<T> => {
      signal.throwIfAborted();
      if (running < concurrency.limit && waiting.length === 0) running += 1;
      else await new Promise<void>((start, refuse) => waiting.push({ start, refuse }));
      try {
        // Aborted between its start and now: the task must not begin.
        signal.throwIfAborted();
        return await Promise.race([task(), aborted]);
      } catch (error) {
        controller.abort(error);
        throw error;
      } finally {
        running -= 1;
        startWaiting();
      }
    },
    send: async <T>(request: () => Promise<T>): Promise<T> => {
      signal.throwIfAborted();
      const decreasesAtSend = concurrency.decreases;
      const answer = await observeCall(request, onCall);
      const { limit } = concurrency;
      concurrency = nextConcurrency(concurrency, { retried: wasRetried(answer), decreasesAtSend }, max);
      if (concurrency.limit !== limit) {
        onConcurrency?.(concurrency.limit);
        startWaiting();
      }
      return answer;
    },
  };
}
