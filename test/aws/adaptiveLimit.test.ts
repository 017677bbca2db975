import { type Concurrency, createAdaptiveLimit, nextConcurrency } from '../../src/aws/adaptiveLimit';

interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every promise callback that is ready run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** An SDK answer after `attempts` attempts. */
const answer = (attempts: number) => ({ $metadata: { attempts } });

describe('nextConcurrency', () => {
  const at = (limit: number, successes = 0, decreases = 0): Concurrency => ({ limit, successes, decreases });

  it.each<[string, Concurrency, boolean, number, Concurrency]>([
    ['halves the limit when a request had to be retried', at(5, 3), true, 0, at(2, 0, 1)],
    ['keeps at least one request in flight', at(1), true, 0, at(1, 0, 1)],
    ['halves once for the requests sent before the last halving', at(2, 1, 1), true, 0, at(2, 1, 1)],
    ['halves again for a request sent after the last halving', at(2, 1, 1), true, 1, at(1, 0, 2)],
    ['counts an answer at the first attempt', at(3, 1), false, 0, at(3, 2)],
    ['grows by one after as many answers at the first attempt as the limit', at(3, 2), false, 0, at(4, 0)],
    ['counts answers to requests sent before a halving as successes too', at(3, 2, 1), false, 0, at(4, 0, 1)],
    ['never grows past the maximum', at(5, 4), false, 0, at(5, 0)],
  ])('%s', (_name, current, retried, decreasesAtSend, expected) => {
    expect(nextConcurrency(current, { retried, decreasesAtSend }, 5)).toStrictEqual(expected);
  });

  it('climbs back one step per window of successes after a halving', () => {
    let concurrency = nextConcurrency(at(8), { retried: true, decreasesAtSend: 0 }, 8);
    const limits: number[] = [concurrency.limit];
    for (let answers = 0; answers < 4 + 5 + 6 + 7; answers += 1) {
      concurrency = nextConcurrency(concurrency, { retried: false, decreasesAtSend: 1 }, 8);
      limits.push(concurrency.limit);
    }
    expect([...new Set(limits)]).toStrictEqual([4, 5, 6, 7, 8]);
    expect(limits.filter((limit) => limit === 4)).toHaveLength(4);
    expect(limits.filter((limit) => limit === 7)).toHaveLength(7);
  });
});

describe('createAdaptiveLimit', () => {
  /** Tasks that each send one request and wait for the test to answer it. */
  function harness(max: number) {
    const controller = new AbortController();
    const changes: number[] = [];
    const limit = createAdaptiveLimit({ max, controller, onConcurrency: (value) => changes.push(value) });
    const answers: Deferred<unknown>[] = [];
    let running = 0;
    let mostRunning = 0;
    let sent = 0;
    const task = () =>
      limit.run(async () => {
        running += 1;
        mostRunning = Math.max(mostRunning, running);
        try {
          return await limit.send(() => {
            sent += 1;
            const pending = deferred<unknown>();
            answers.push(pending);
            return pending.promise;
          });
        } finally {
          running -= 1;
        }
      });
    return {
      controller,
      limit,
      changes,
      answers,
      task,
      running: () => running,
      mostRunning: () => mostRunning,
      sent: () => sent,
    };
  }

  it('runs at most `max` tasks at once, in the order they came', async () => {
    const read = harness(2);
    const order: number[] = [];
    const tasks = [0, 1, 2, 3].map((n) =>
      read.limit.run(async () => {
        order.push(n);
        await settle();
      }),
    );

    await Promise.all(tasks);

    expect(order).toStrictEqual([0, 1, 2, 3]);
  });

  it('halves the tasks it runs at once after an answer that took the SDK more than one attempt', async () => {
    const read = harness(4);
    const tasks = Array.from({ length: 8 }, () => read.task());
    await settle();
    expect(read.running()).toBe(4);

    read.answers[0]?.resolve(answer(2));
    await settle();
    // 3 still run; none starts until fewer than 2 do.
    expect(read.running()).toBe(3);
    expect(read.changes).toStrictEqual([2]);
    // Sent under the old limit, these were throttled by the same burst: no second halving.
    for (const pending of read.answers.slice(1, 4)) pending.resolve(answer(2));
    await settle();

    expect(read.running()).toBe(2);
    expect(read.sent()).toBe(6);
    expect(read.changes).toStrictEqual([2]);
    for (let answered = 4; answered < 8; answered += 1) {
      read.answers[answered]?.resolve(answer(1));
      await settle();
    }
    await Promise.all(tasks);
    // Two answers at the first attempt under a limit of 2 grow it to 3.
    expect(read.changes).toStrictEqual([2, 3]);
  });

  it('halves once for several retried answers to requests sent under the same limit', async () => {
    const read = harness(4);
    const tasks = Array.from({ length: 4 }, () => read.task());
    await settle();

    for (const pending of read.answers) pending.resolve(answer(3));
    await Promise.all(tasks);

    expect(read.changes).toStrictEqual([2]);
  });

  it('grows back by one after as many answers at the first attempt as it runs at once', async () => {
    const read = harness(3);
    const first = Array.from({ length: 3 }, () => read.task());
    await settle();
    for (const pending of read.answers) pending.resolve(answer(2));
    await Promise.all(first);
    expect(read.changes).toStrictEqual([1]);

    const next = Array.from({ length: 4 }, () => read.task());
    await settle();
    expect(read.running()).toBe(1);
    read.answers[3]?.resolve(answer(1));
    await settle();

    expect(read.changes).toStrictEqual([1, 2]);
    expect(read.running()).toBe(2);
    for (let answered = 4; answered < 7; answered += 1) {
      read.answers[answered]?.resolve(answer(1));
      await settle();
    }
    await Promise.all(next);
  });

  it('takes an answer without $metadata, as mocks give, as one at the first attempt', async () => {
    const read = harness(1);

    await expect(read.limit.run(() => read.limit.send(async () => ({ Accounts: [] })))).resolves.toStrictEqual({
      Accounts: [],
    });

    expect(read.changes).toStrictEqual([]);
  });

  it('once aborted, starts no task, sends no request, and rejects running and waiting tasks with the reason', async () => {
    const read = harness(1);
    const running = read.task();
    const waiting = read.task();
    await settle();
    const reason = new Error('deadline');

    read.controller.abort(reason);

    // The running task's request never answers: it rejects all the same.
    await expect(running).rejects.toBe(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(read.task()).rejects.toBe(reason);
    await expect(read.limit.send(async () => answer(1))).rejects.toBe(reason);
    await settle();
    expect(read.sent()).toBe(1);
  });

  it('aborts the read with the error of a task that failed, so that the tasks waiting behind it never start', async () => {
    const read = harness(1);
    const failure = new Error('access denied');
    const failing = read.limit.run(() => Promise.reject(failure));
    const waiting = read.task();

    await expect(failing).rejects.toBe(failure);
    await expect(waiting).rejects.toBe(failure);

    expect(read.controller.signal.reason).toBe(failure);
    expect(read.sent()).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a maximum of %p', (max) => {
    expect(() => createAdaptiveLimit({ max, controller: new AbortController() })).toThrow(RangeError);
  });
});
