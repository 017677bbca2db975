import {
  type ConfigServiceClient,
  type Evaluation,
  PutEvaluationsCommand,
  type PutEvaluationsCommandOutput,
} from '@aws-sdk/client-config-service';
import type { AccountEvaluation } from '../core/accountEvaluation';
import { toAnnotation } from '../core/annotation';
import { PutEvaluationsFailedError } from '../errors';
import { createAdaptiveLimit } from './adaptiveLimit';

/** PutEvaluations takes at most this many evaluations per call. */
export const MAX_EVALUATIONS_PER_PUT = 100;

/** How many PutEvaluations calls are in flight at once, at most (fewer while AWS Config makes the SDK retry). */
export const MAX_PUTS_IN_FLIGHT = 4;

/** The resultToken AWS Config's convention reserves for test runs: evaluations go with TestMode and write nothing. */
export const TEST_MODE_RESULT_TOKEN = 'TESTMODE';

/** The resource type of account-level results. */
export const ACCOUNT_RESOURCE_TYPE = 'AWS::::Account';

export interface PutEvaluationsInput {
  readonly resultToken: string;
  /** The invoking event's notificationCreationTime. */
  readonly orderingTimestamp: Date;
  readonly evaluations: readonly AccountEvaluation[];
}

function toEvaluation(evaluation: AccountEvaluation, orderingTimestamp: Date): Evaluation {
  const annotation = toAnnotation(evaluation.annotation);
  return {
    ComplianceResourceType: ACCOUNT_RESOURCE_TYPE,
    ComplianceResourceId: evaluation.accountId,
    ComplianceType: evaluation.complianceType,
    OrderingTimestamp: orderingTimestamp,
    // AWS rejects an empty Annotation (1 to 256 characters): leave it out instead.
    ...(annotation === '' ? {} : { Annotation: annotation }),
  };
}

async function putInChunks(client: ConfigServiceClient, resultToken: string, evaluations: readonly Evaluation[]) {
  const chunks: Evaluation[][] = [];
  for (let start = 0; start < evaluations.length; start += MAX_EVALUATIONS_PER_PUT) {
    chunks.push(evaluations.slice(start, start + MAX_EVALUATIONS_PER_PUT));
  }
  // The first call that fails stops the others from starting: the put fails as a whole.
  const limit = createAdaptiveLimit({ max: MAX_PUTS_IN_FLIGHT, controller: new AbortController() });
  const outputs: PutEvaluationsCommandOutput[] = await Promise.all(
    chunks.map((chunk) =>
      limit.run(() =>
        limit.send(() =>
          client.send(
            new PutEvaluationsCommand({
              ResultToken: resultToken,
              Evaluations: chunk,
              ...(resultToken === TEST_MODE_RESULT_TOKEN ? { TestMode: true } : {}),
            }),
          ),
        ),
      ),
    ),
  );
  return outputs.flatMap((output) => output.FailedEvaluations ?? []);
}

/**
 * Puts one evaluation per account to AWS Config, in calls of at most MAX_EVALUATIONS_PER_PUT (up to MAX_PUTS_IN_FLIGHT
 * at once), with TestMode when the resultToken is TESTMODE. Evaluations AWS reports as failed are put once more; if any fail again, throws
 * PutEvaluationsFailedError with their account ids. Returns the evaluations as sent.
 */
export async function putEvaluations(client: ConfigServiceClient, input: PutEvaluationsInput): Promise<Evaluation[]> {
  const evaluations = input.evaluations.map((evaluation) => toEvaluation(evaluation, input.orderingTimestamp));
  const failed = await putInChunks(client, input.resultToken, evaluations);
  if (failed.length > 0) {
    const stillFailed = await putInChunks(client, input.resultToken, failed);
    if (stillFailed.length > 0) {
      throw new PutEvaluationsFailedError(
        stillFailed.map((evaluation) => evaluation.ComplianceResourceId ?? '(no id)'),
      );
    }
  }
  return evaluations;
}
