import { AccessDeniedException, TooManyRequestsException } from '@aws-sdk/client-organizations';
import { type CallOutcome, observeCall } from '../../src/aws/observeCall';

const tooManyRequests = (attempts: number | undefined) =>
  new TooManyRequestsException({ $metadata: attempts === undefined ? {} : { attempts }, message: 'slow down' });
const accessDenied = (attempts: number) => new AccessDeniedException({ $metadata: { attempts }, message: 'no' });

describe('observeCall', () => {
  it.each([
    ['an answer at the first attempt', { $metadata: { attempts: 1 } }, false],
    ['an answer without $metadata, as a mock gives', { Roots: [] }, false],
    ['an answer the SDK had to retry', { $metadata: { attempts: 3 } }, true],
  ])('returns %s unchanged and hears it as throttled: %p', async (_, answer, throttled) => {
    const onCall = jest.fn<void, [CallOutcome]>();
    await expect(observeCall(() => Promise.resolve(answer), onCall)).resolves.toBe(answer);
    expect(onCall.mock.calls).toStrictEqual([[{ throttled }]]);
  });

  it.each([
    ['TooManyRequestsException after all its attempts', tooManyRequests(10), true],
    ['TooManyRequestsException that does not say its attempts', tooManyRequests(undefined), true],
    ['another error after retries', accessDenied(2), true],
    ['another error at the first attempt', accessDenied(1), false],
    ['an abort', new DOMException('This operation was aborted', 'AbortError'), false],
  ])('rejects with %s unchanged and hears it as throttled: %p', async (_, error, throttled) => {
    const onCall = jest.fn<void, [CallOutcome]>();
    await expect(observeCall(() => Promise.reject(error), onCall)).rejects.toBe(error);
    expect(onCall.mock.calls).toStrictEqual([[{ throttled }]]);
  });

  it('sends the request once and returns its answer when no onCall is given', async () => {
    const request = jest.fn(() => Promise.resolve('answer'));
    await expect(observeCall(request, undefined)).resolves.toBe('answer');
    expect(request).toHaveBeenCalledTimes(1);
  });
});
