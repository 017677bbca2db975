import { AccessDeniedException, TooManyRequestsException } from '@aws-sdk/client-organizations';
import { type CallOutcome, observeCall } from '../../src/aws/observeCall';

/** What `onCall` heard of one request `request`, with what the request returned or threw. */
async function observe(request: () => Promise<unknown>) {
  const heard: CallOutcome[] = [];
  const settled = await observeCall(request, (outcome) => heard.push(outcome)).then(
    (answer) => ({ answer }),
    (error: unknown) => ({ error }),
  );
  return { heard, settled };
}

const tooManyRequests = (attempts: number | undefined) =>
  new TooManyRequestsException({ $metadata: attempts === undefined ? {} : { attempts }, message: 'slow down' });

describe('observeCall', () => {
  it.each([
    ['an answer at the first attempt', { $metadata: { attempts: 1 } }, false],
    ['an answer without $metadata, as a mock gives', { Roots: [] }, false],
    ['an answer the SDK had to retry', { $metadata: { attempts: 3 } }, true],
  ])('returns %s unchanged and hears it as throttled: %p', async (_, answer, throttled) => {
    const { heard, settled } = await observe(() => Promise.resolve(answer));
    expect(settled).toStrictEqual({ answer });
    expect(heard).toStrictEqual([{ throttled }]);
  });

  it.each([
    ['TooManyRequestsException after all its attempts', tooManyRequests(10), true],
    ['TooManyRequestsException that does not say its attempts', tooManyRequests(undefined), true],
    ['another error after retries', new AccessDeniedException({ $metadata: { attempts: 2 }, message: 'no' }), true],
    [
      'another error at the first attempt',
      new AccessDeniedException({ $metadata: { attempts: 1 }, message: 'no' }),
      false,
    ],
    ['an abort', new DOMException('This operation was aborted', 'AbortError'), false],
  ])('rejects with %s unchanged and hears it as throttled: %p', async (_, error, throttled) => {
    const { heard, settled } = await observe(() => Promise.reject(error));
    expect(settled).toStrictEqual({ error });
    expect(heard).toStrictEqual([{ throttled }]);
  });

  it('sends the request once and returns its answer when no onCall is given', async () => {
    const request = jest.fn(() => Promise.resolve('answer'));
    await expect(observeCall(request, undefined)).resolves.toBe('answer');
    expect(request).toHaveBeenCalledTimes(1);
  });
});
