import {
  AccessDeniedException,
  DescribeEffectivePolicyCommand,
  EffectivePolicyNotFoundException,
  type OrganizationsClient,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { AI_OPT_OUT_POLICY_TYPE } from '../core/orgSnapshot';
import type { EffectivePolicyAnswer } from '../core/parseEffectivePolicy';
import { fail, ok, type Result } from '../core/result';
import { OrganizationsAccessDeniedError, OrganizationsThrottledError, UnexpectedResponseError } from '../errors';
import { createAdaptiveLimit } from './adaptiveLimit';
import { type OnCall, observeCall } from './observeCall';
import { readResponse } from './readResponse';

const ACTION = 'organizations:DescribeEffectivePolicy';

/**
 * How many DescribeEffectivePolicy requests readEffectivePolicies keeps in flight: a few, as Organizations answers
 * about ten requests a second to the whole organization.
 */
export const EFFECTIVE_POLICY_CONCURRENCY = 3;

/**
 * AWS's own effective AI opt-out policy of one account, in one DescribeEffectivePolicy call (TargetId must be an
 * account), which `onCall` hears: its content, or `none` on EffectivePolicyNotFoundException (the policy type is not
 * enabled, or no policy applies to the account). Throws OrganizationsAccessDeniedError or OrganizationsThrottledError
 * for those SDK errors, UnexpectedResponseError for an answer without content or about another account or policy
 * type, and what readResponse throws for an unreadable answer or a timeout; other errors (TargetNotFoundException for
 * an account that left, an aborted request) propagate unchanged.
 */
export async function readEffectivePolicy(
  client: OrganizationsClient,
  accountId: string,
  options: { readonly abortSignal?: AbortSignal; readonly onCall?: OnCall | undefined } = {},
): Promise<EffectivePolicyAnswer> {
  const { onCall, ...sendOptions } = options;
  try {
    const { EffectivePolicy: policy } = await readResponse(ACTION, () =>
      observeCall(
        () =>
          client.send(
            new DescribeEffectivePolicyCommand({ PolicyType: AI_OPT_OUT_POLICY_TYPE, TargetId: accountId }),
            sendOptions,
          ),
        onCall,
      ),
    );
    const content = policy?.PolicyContent;
    if (typeof content !== 'string') throw new UnexpectedResponseError(ACTION, 'without EffectivePolicy.PolicyContent');
    // AWS documents both fields; an answer about something else than asked must not stand for this account.
    if (policy?.TargetId !== undefined && policy.TargetId !== accountId) {
      throw new UnexpectedResponseError(ACTION, `for account ${accountId} with the policy of ${policy.TargetId}`);
    }
    if (policy?.PolicyType !== undefined && policy.PolicyType !== AI_OPT_OUT_POLICY_TYPE) {
      throw new UnexpectedResponseError(ACTION, `for ${AI_OPT_OUT_POLICY_TYPE} with a ${policy.PolicyType}`);
    }
    return { kind: 'content', content };
  } catch (error) {
    if (error instanceof EffectivePolicyNotFoundException) return { kind: 'none' };
    if (error instanceof AccessDeniedException) throw new OrganizationsAccessDeniedError(ACTION, { cause: error });
    if (error instanceof TooManyRequestsException) {
      throw new OrganizationsThrottledError(ACTION, error.$metadata.attempts, { cause: error });
    }
    throw error;
  }
}

/**
 * Reads the effective AI opt-out policy of each account with readEffectivePolicy, EFFECTIVE_POLICY_CONCURRENCY at a
 * time, and returns each account's answer or error, keyed by account id (in no particular order). Once `abortSignal`
 * aborts, requests in flight are aborted and no more are sent: each account not read gets an error. `onCall` hears
 * each request. Never throws.
 */
export async function readEffectivePolicies(
  client: OrganizationsClient,
  accountIds: readonly string[],
  abortSignal: AbortSignal,
  onCall?: OnCall,
): Promise<ReadonlyMap<string, Result<EffectivePolicyAnswer, unknown>>> {
  const outcomes = new Map<string, Result<EffectivePolicyAnswer, unknown>>();
  const controller = new AbortController();
  const stop = () => controller.abort(abortSignal.reason);
  if (abortSignal.aborted) stop();
  else abortSignal.addEventListener('abort', stop, { once: true });
  // Each task keeps its own failure, so that one account's error does not stop the others; an abort refuses them all.
  const limit = createAdaptiveLimit({ max: EFFECTIVE_POLICY_CONCURRENCY, controller });
  await Promise.all(
    accountIds.map((accountId) =>
      limit
        .run(async () => {
          try {
            outcomes.set(
              accountId,
              ok(await readEffectivePolicy(client, accountId, { abortSignal: controller.signal, onCall })),
            );
          } catch (error) {
            outcomes.set(accountId, fail(error));
          }
        })
        .catch((error: unknown) => outcomes.set(accountId, fail(error))),
    ),
  );
  abortSignal.removeEventListener('abort', stop);
  return outcomes;
}
