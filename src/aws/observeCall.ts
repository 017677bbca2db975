import { TooManyRequestsException } from '@aws-sdk/client-organizations';
import { metadataNumber } from './readResponse';

/** What one Organizations request met, as `OnCall` hears it once the request has answered or failed. */
export interface CallOutcome {
  /**
   * Whether Organizations throttled it: the SDK's retries needed more than one attempt (with Organizations nearly
   * always for TooManyRequestsException; the SDK does not say why it retried), or it failed with
   * TooManyRequestsException.
   */
  readonly throttled: boolean;
}

/** Hears each request a read sends, once it has answered or failed: for counting calls and throttling. */
export type OnCall = (outcome: CallOutcome) => void;

/** Whether the SDK made more than one attempt for an answer or an error (its retries record them in `$metadata`). */
export function wasRetried(answerOrError: unknown): boolean {
  return (metadataNumber(answerOrError, 'attempts') ?? 1) > 1;
}

/** Sends `request` and tells `onCall` what it met; returns its answer or rejects with its error, unchanged. */
export async function observeCall<T>(request: () => Promise<T>, onCall: OnCall | undefined): Promise<T> {
  try {
    const answer = await request();
    onCall?.({ throttled: wasRetried(answer) });
    return answer;
  } catch (error) {
    onCall?.({ throttled: error instanceof TooManyRequestsException || wasRetried(error) });
    throw error;
  }
}
