import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ConfigServiceClient, type Evaluation } from '@aws-sdk/client-config-service';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { HTTP_TIMEOUTS } from '../aws/httpTimeouts';
import { createMemberConfigClients } from '../aws/memberConfigClients';
import type { OnCall } from '../aws/observeCall';
import { putEvaluations, TEST_MODE_RESULT_TOKEN } from '../aws/putEvaluations';
import { type DescribedAccount, readAccountInOrganization } from '../aws/readAccountInOrganization';
import { type RootFrame, readAccountSnapshot } from '../aws/readAccountSnapshot';
import { readEffectivePolicies } from '../aws/readEffectivePolicy';
import { readEvaluatedAccountIds } from '../aws/readEvaluatedAccountIds';
import { ORGANIZATIONS_CLIENT_CONFIG, type ReadMode, readOrgSnapshot } from '../aws/readOrgSnapshot';
import {
  type AccountEvaluation,
  toAccountEvaluation,
  toAccountEvaluations,
  toStaleEvaluations,
} from '../core/accountEvaluation';
import { evaluateCrossCheckTargets } from '../core/evaluateCrossCheckTargets';
import { type CrossCheck, evaluateEffectivePolicyAgreement } from '../core/evaluateEffectivePolicyAgreement';
import { evaluatePosture, type PostureReport } from '../core/evaluatePosture';
import type { Organization, OrgSnapshot } from '../core/orgSnapshot';
import type { ComplianceType } from '../core/reason';
import { fail, ok } from '../core/result';
import { parseRuleParameters, type RuleParameters } from '../core/ruleParameters';
import {
  AccountNotInOrganizationError,
  CrossCheckReadError,
  InvalidEventError,
  OrganizationReadTimeoutError,
  RuleParameterError,
} from '../errors';
import { type ConfigRuleEvent, parseConfigRuleEvent } from './configRuleEvent';

/** Time kept back from the Lambda timeout so that a read that runs long still ends with a result put to Config. */
export const PUT_RESERVE_MS = 20_000;

/**
 * With Scope=Account every member account invokes the function for itself, often within minutes: what one member's
 * read learns of the organization and its root, and which accounts were refused, is shared within a container for
 * ACCOUNT_SCOPE_SHARED_READ_TTL_SECONDS (environment; 0 turns sharing off).
 */
export const DEFAULT_ACCOUNT_SCOPE_SHARED_READ_TTL_SECONDS = 300;

type HandlerContext = Pick<Context, 'getRemainingTimeInMillis' | 'invokedFunctionArn'>;

/**
 * The metric that counts the accounts a run put (or tried to put) with each compliance type; a new compliance type
 * does not compile without its metric.
 */
const ACCOUNTS_METRICS: Readonly<Record<ComplianceType, string>> = {
  COMPLIANT: 'CompliantAccounts',
  NON_COMPLIANT: 'NonCompliantAccounts',
  NOT_APPLICABLE: 'NotApplicableAccounts',
};

// Created once per container, outside the handler, and reused by every invocation. Their service name and the
// metrics' namespace come from POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE (template.yaml).
const logger = new Logger();
const metrics = new Metrics();
const organizations = new OrganizationsClient(ORGANIZATIONS_CLIENT_CONFIG);
const config = new ConfigServiceClient({ requestHandler: HTTP_TIMEOUTS });
const sts = new STSClient({ requestHandler: HTTP_TIMEOUTS });
const memberClients = new Map<string, ReturnType<typeof createMemberConfigClients>>();
// Reads of Scope=Account runs that a later run may reuse, with when they began.
let sharedOrganization: { readonly organization: Organization; readonly readAt: number } | undefined;
let sharedRootFrame: { readonly rootFrame: RootFrame; readonly readAt: number } | undefined;
// The accounts DescribeAccount showed in the organization: who may get a fail-closed result when a read fails.
const confirmedMembers = new Set<string>();
// Accounts refused as outside the organization, with when: refused again without a call within the TTL.
const refusedAt = new Map<string, number>();
let refusals = 0;

/**
 * The most refused accounts remembered; past it the oldest is forgotten (and costs one call again), so that made-up
 * account ids cannot grow the container's memory.
 */
export const MAX_REMEMBERED_REFUSALS = 10_000;

function sharedReadTtlMs(): number {
  return (
    Number(process.env.ACCOUNT_SCOPE_SHARED_READ_TTL_SECONDS ?? DEFAULT_ACCOUNT_SCOPE_SHARED_READ_TTL_SECONDS) * 1000
  );
}

/** The partition and account of the function itself, from the ARN it was invoked by. */
function functionAccount(context: HandlerContext): { partition: string; accountId: string } {
  const [, partition, , , accountId] = context.invokedFunctionArn.split(':');
  if (partition === undefined || accountId === undefined || !/^\d{12}$/.test(accountId)) {
    throw new Error(`Cannot read the account of the function ARN "${context.invokedFunctionArn}"`);
  }
  return { partition, accountId };
}

/**
 * The Config client that can put evaluations to the invoking account's rule: the function's own, or one acting
 * through the role ExecutionRoleName in a member account. Throws when Scope=Organization is invoked from a member.
 */
function configClientFor(event: ConfigRuleEvent, parameters: RuleParameters, context: HandlerContext) {
  const own = functionAccount(context);
  if (event.accountId === own.accountId) return () => Promise.resolve(config);
  if (parameters.scope === 'Organization') {
    throw new RuleParameterError(
      `Scope=Organization puts every account's result from the function's own account ${own.accountId}, but account ${event.accountId} invoked it: set Scope=Account for organization rules and conformance packs`,
    );
  }
  const key = `${own.partition}/${parameters.executionRoleName}`;
  let clients = memberClients.get(key);
  if (clients === undefined) {
    clients = createMemberConfigClients(sts, {
      partition: own.partition,
      roleName: parameters.executionRoleName,
      trustedRoleArn: process.env.RULE_FUNCTION_ROLE_ARN,
      now: Date.now,
    });
    memberClients.set(key, clients);
  }
  const forAccount = clients;
  return () => forAccount(event.accountId);
}

/**
 * Runs `work` until it ends or `milliseconds` pass; then it aborts the signal it gave `work`, so that no request is
 * sent after the fail-closed result, and rejects with OrganizationReadTimeoutError.
 */
async function withDeadline<T>(work: (abortSignal: AbortSignal) => Promise<T>, milliseconds: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        const error = new OrganizationReadTimeoutError(milliseconds);
        controller.abort(error);
        reject(error);
      },
      Math.max(0, milliseconds),
    );
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The invoking account as DescribeAccount describes it, or undefined when it is not in the organization. Any AWS
 * account's Config can invoke the function of an organization rule or conformance pack (their invoke permission cannot
 * name the members), so with Scope=Account this one call comes before any other read: an outsider costs that one
 * Organizations call, and none again within the TTL, before it is refused.
 */
async function readInvokingAccount(event: ConfigRuleEvent, onCall: OnCall): Promise<DescribedAccount | undefined> {
  const now = Date.now();
  const refused = refusedAt.get(event.accountId);
  if (refused !== undefined && now - refused < sharedReadTtlMs()) return undefined;
  const account = await readAccountInOrganization(organizations, event.accountId, onCall);
  refusedAt.delete(event.accountId);
  if (account === undefined) {
    confirmedMembers.delete(event.accountId);
    refusedAt.set(event.accountId, now);
    const oldest = refusedAt.keys().next().value;
    if (refusedAt.size > MAX_REMEMBERED_REFUSALS && oldest !== undefined) refusedAt.delete(oldest);
  } else {
    confirmedMembers.add(event.accountId);
  }
  return account;
}

/**
 * The invoking account's path (readAccountSnapshot). The organization is reused within the TTL once a read showed
 * feature set ALL, which cannot go back; the root read last by an earlier run only when that run began after this
 * notification was created, so that a result never predates the change it should show.
 */
async function readAccountPath(
  event: ConfigRuleEvent,
  account: DescribedAccount,
  abortSignal: AbortSignal,
  onCall: OnCall,
): Promise<OrgSnapshot> {
  const now = Date.now();
  const fresh = (readAt: number) => now - readAt < sharedReadTtlMs();
  const organization =
    sharedOrganization !== undefined && fresh(sharedOrganization.readAt) ? sharedOrganization.organization : undefined;
  const rootFrame =
    sharedRootFrame !== undefined &&
    fresh(sharedRootFrame.readAt) &&
    sharedRootFrame.readAt >= event.notificationCreationTime.getTime()
      ? sharedRootFrame.rootFrame
      : undefined;
  const read = await readAccountSnapshot(organizations, account, {
    abortSignal,
    onCall,
    ...(organization === undefined ? {} : { organization }),
    ...(rootFrame === undefined ? {} : { rootFrame }),
  });
  sharedOrganization =
    read.snapshot.organization.featureSet === 'ALL'
      ? { organization: read.snapshot.organization, readAt: now }
      : undefined;
  sharedRootFrame = { rootFrame: read.rootFrame, readAt: now };
  return read.snapshot;
}

/**
 * What decides the invoking run: the whole organization (Scope=Organization), or the invoking account's path
 * (Scope=Account), or undefined for an account outside the organization. `onCall` hears every Organizations request;
 * `onReadMode` how the whole organization's read placed the accounts.
 */
async function readOrganization(
  event: ConfigRuleEvent,
  parameters: RuleParameters,
  context: HandlerContext,
  { onCall, onReadMode }: { readonly onCall: OnCall; readonly onReadMode: (readMode: ReadMode) => void },
): Promise<OrgSnapshot | undefined> {
  if (parameters.scope === 'Account') {
    const account = await readInvokingAccount(event, onCall);
    if (account === undefined) return undefined;
    return withDeadline(
      (abortSignal) => readAccountPath(event, account, abortSignal, onCall),
      context.getRemainingTimeInMillis() - PUT_RESERVE_MS,
    );
  }
  return withDeadline(
    (abortSignal) => readOrgSnapshot(organizations, { abortSignal, onCall, onReadMode }),
    context.getRemainingTimeInMillis() - PUT_RESERVE_MS,
  );
}

/**
 * The NON_COMPLIANT results that stand for a failed read. With Scope=Organization: the invoking account and every
 * account that holds an earlier result, so that none keeps a COMPLIANT it can no longer prove. With Scope=Account: the
 * invoking account only, and only when DescribeAccount, in this run or an earlier one in this container, showed it in
 * the organization (any account's AWS Config may invoke the function), with words that name no other account or policy.
 */
async function failClosedEvaluations(
  error: unknown,
  event: ConfigRuleEvent,
  parameters: RuleParameters,
  context: HandlerContext,
): Promise<AccountEvaluation[]> {
  const reason = error instanceof Error ? error.message : String(error);
  if (parameters.scope === 'Account' && event.accountId !== functionAccount(context).accountId) {
    if (!confirmedMembers.has(event.accountId)) return [];
    const name = error instanceof Error ? error.name : 'Error';
    const annotation = `Could not read the organization (${name}); the logs of the rule's function in account ${functionAccount(context).accountId} say why.`;
    return [{ accountId: event.accountId, complianceType: 'NON_COMPLIANT', annotation }];
  }
  let earlier: readonly string[] = [];
  if (parameters.scope === 'Organization' && event.resultToken !== TEST_MODE_RESULT_TOKEN) {
    try {
      earlier = await readEvaluatedAccountIds(config, event.configRuleName);
    } catch (readError) {
      logger.error('Could not read earlier results either; only the invoking account is put', { error: readError });
    }
  }
  return [...new Set([event.accountId, ...earlier])].map((accountId) => ({
    accountId,
    complianceType: 'NON_COMPLIANT',
    annotation: `Could not read the organization: ${reason}`,
  }));
}

/**
 * Compares the decisions with AWS's own effective policy for the accounts evaluateCrossCheckTargets picks (with
 * Scope=Account only the invoking account, and only when picked, so that the members' runs together ask no more than
 * one Scope=Organization run), within the time left before the put, and applies what AWS says. Every disagreement is
 * logged at ERROR. An account whose effective policy could not be read keeps its decision; the error is returned, so
 * that the invocation fails once the results are put.
 */
async function crossCheck(
  decided: PostureReport,
  snapshot: OrgSnapshot,
  event: ConfigRuleEvent,
  parameters: RuleParameters,
  context: HandlerContext,
  onCall: OnCall,
) {
  const targets = evaluateCrossCheckTargets(decided, snapshot, parameters);
  // A member's run (Scope=Account) holds one account's path: the sample needs the organization's paths, so there it
  // only settles the member's own conflict, and keeps within its call budget.
  const asked =
    parameters.scope === 'Organization'
      ? [...targets.conflicts, ...targets.sample]
      : targets.conflicts.filter((accountId) => accountId === event.accountId);
  const deadline = AbortSignal.timeout(Math.max(0, context.getRemainingTimeInMillis() - PUT_RESERVE_MS));
  const outcomes = await readEffectivePolicies(organizations, asked, deadline, onCall);
  const answers = new Map([...outcomes].flatMap(([accountId, read]) => (read.ok ? [[accountId, read.value]] : [])));
  const failures = [...outcomes]
    .flatMap(([accountId, read]) => (read.ok ? [] : [{ accountId, error: read.error }]))
    .sort((a, b) => a.accountId.localeCompare(b.accountId));
  const { report, checks } = evaluateEffectivePolicyAgreement(decided, answers, parameters);
  const count = (kind: CrossCheck['kind']) => checks.filter((check) => check.kind === kind).length;
  const summary = {
    asked: asked.length,
    agreed: count('agreed'),
    disagreed: count('disagreed'),
    settled: count('settled'),
    failed: failures.length,
    conflictsLeftOut: targets.conflictsLeftOut.length,
  };
  if (summary.disagreed > 0) {
    logger.error("AWS's effective policy disagrees with this rule's reading of the policies: it misreads AWS's merge", {
      disagreements: checks.filter((check) => check.kind === 'disagreed'),
    });
  }
  const [first] = failures;
  if (first === undefined) return { report, summary, error: undefined };
  const error = new CrossCheckReadError(
    failures.map((failure) => failure.accountId),
    { cause: first.error },
  );
  logger.error('Could not cross-check some accounts; their results stand as decided', { error });
  return { report, summary, error };
}

/** What one invocation puts: every account and the stale ones (Organization), or the invoking account (Account). */
async function evaluationsToPut(report: PostureReport, event: ConfigRuleEvent, parameters: RuleParameters) {
  if (parameters.scope === 'Account') {
    const own = toAccountEvaluation(report, event.accountId);
    // The permission for member accounts cannot name them, so any account's Config could invoke the function:
    // only accounts of the organization get an answer.
    if (own === undefined) throw new AccountNotInOrganizationError(event.accountId, report.organizationId);
    return { current: [own], stale: [], staleReadError: undefined };
  }
  const current = toAccountEvaluations(report);
  // Test runs record nothing, so there is nothing stale to clean up; their rule may not even exist.
  if (event.resultToken === TEST_MODE_RESULT_TOKEN) return { current, stale: [], staleReadError: undefined };
  try {
    const earlier = await readEvaluatedAccountIds(config, event.configRuleName);
    return { current, stale: toStaleEvaluations(report, earlier), staleReadError: undefined };
  } catch (error) {
    // The current results still go in; the invocation fails afterwards so that the problem shows.
    return { current, stale: [], staleReadError: error };
  }
}

/** Adds the count of `evaluations` of each compliance type to the run's metrics, zeros included. */
function addAccountsMetrics(evaluations: readonly AccountEvaluation[]): void {
  for (const [complianceType, name] of Object.entries(ACCOUNTS_METRICS)) {
    const count = evaluations.filter((evaluation) => evaluation.complianceType === complianceType).length;
    metrics.addMetric(name, MetricUnit.Count, count);
  }
}

/**
 * The AWS Config custom rule: parses the scheduled event, reads the organization, decides, and puts the evaluations
 * its Scope asks for. Nothing that failed is ever COMPLIANT: a malformed event or rule parameter fails before anything
 * is put; a failed read puts NON_COMPLIANT for the accounts it leaves unproven (failClosedEvaluations) and fails the
 * invocation.
 * Logs with the Lambda context's keys, and publishes the run's metrics (EMF) once, whether it returns or throws:
 * OrganizationsCalls and OrganizationsThrottledCalls always; ReadDuration and ReadFailures once it has read;
 * ACCOUNTS_METRICS once it has evaluations to put.
 * Returns the evaluations it put.
 */
export async function handler(event: unknown, context: Context): Promise<Evaluation[]> {
  logger.addContext(context);
  const calls = { made: 0, throttled: 0 };
  try {
    return await runRule(event, context, ({ throttled }) => {
      calls.made += 1;
      if (throttled) calls.throttled += 1;
    });
  } finally {
    metrics.addMetric('OrganizationsCalls', MetricUnit.Count, calls.made);
    metrics.addMetric('OrganizationsThrottledCalls', MetricUnit.Count, calls.throttled);
    metrics.publishStoredMetrics();
  }
}

/** What `handler` does, besides its logs' context and its metrics' flush; `onCall` hears every Organizations request. */
async function runRule(event: unknown, context: HandlerContext, onCall: OnCall): Promise<Evaluation[]> {
  const parsed = parseConfigRuleEvent(event);
  if (!parsed.ok) {
    const error = new InvalidEventError(parsed.error);
    logger.error('Rejected the event; nothing was put', { error });
    throw error;
  }
  const rule = parsed.value;
  const parameters = parseRuleParameters(rule.ruleParameters);
  if (!parameters.ok) {
    const error = new RuleParameterError(parameters.error);
    logger.error('Rejected the rule parameters; nothing was put', { error });
    throw error;
  }
  let target: () => Promise<ConfigServiceClient>;
  try {
    target = configClientFor(rule, parameters.value, context);
  } catch (error) {
    logger.error('Cannot put to the invoking account; nothing was put', { error, accountId: rule.accountId });
    throw error;
  }
  const put = async (evaluations: readonly AccountEvaluation[]) =>
    putEvaluations(await target(), {
      resultToken: rule.resultToken,
      orderingTimestamp: rule.notificationCreationTime,
      evaluations,
    });

  let readMode: ReadMode | undefined;
  const readStartedAt = performance.now();
  const read = await readOrganization(rule, parameters.value, context, {
    onCall,
    onReadMode: (mode) => {
      readMode = mode;
    },
  }).then(ok, fail);
  metrics.addMetric('ReadDuration', MetricUnit.Milliseconds, performance.now() - readStartedAt);
  metrics.addMetric('ReadFailures', MetricUnit.Count, read.ok ? 0 : 1);
  if (!read.ok) {
    const { error } = read;
    logger.error('Could not read the organization', { error });
    try {
      const evaluations = await failClosedEvaluations(error, rule, parameters.value, context);
      addAccountsMetrics(evaluations);
      if (evaluations.length === 0) {
        logger.warn('Put nothing: no earlier read shows the invoking account in the organization', {
          accountId: rule.accountId,
        });
      } else {
        await put(evaluations);
        logger.warn('Put NON_COMPLIANT for the accounts the failed read leaves unproven', {
          accounts: evaluations.map((evaluation) => evaluation.accountId),
        });
      }
    } catch (putError) {
      logger.error('Could not put the fail-closed result either', { error: putError });
    }
    throw error;
  }
  const snapshot = read.value;
  if (snapshot === undefined) {
    refusals += 1;
    const error = new AccountNotInOrganizationError(rule.accountId, undefined);
    logger.warn('Refused an account outside the organization; nothing was put', {
      accountId: rule.accountId,
      refusalsInThisContainer: refusals,
    });
    throw error;
  }

  const crossChecked = await crossCheck(
    evaluatePosture(snapshot, parameters.value),
    snapshot,
    rule,
    parameters.value,
    context,
    onCall,
  );
  const { report } = crossChecked;
  let toPut: Awaited<ReturnType<typeof evaluationsToPut>>;
  try {
    toPut = await evaluationsToPut(report, rule, parameters.value);
  } catch (error) {
    logger.error('Refused the invoking account; nothing was put', { error, accountId: rule.accountId });
    throw error;
  }
  const { current, stale, staleReadError } = toPut;
  // The organization's accounts; those that left (`stale`) get NOT_APPLICABLE in Config, but are not counted.
  addAccountsMetrics(current);
  let sent: Evaluation[];
  try {
    sent = await put([...current, ...stale]);
  } catch (error) {
    logger.error('Could not put the evaluations', { error, accountId: rule.accountId });
    throw error;
  }
  logger.info('Evaluated the organization', {
    organizationId: report.organizationId,
    compliance: report.compliance,
    scope: parameters.value.scope,
    // Scope=Organization: how the read placed the accounts (paths or walk, and why), for speed and for audits.
    readMode,
    accounts: report.decisions.length,
    counts: report.counts,
    put: current.length,
    staleAccounts: stale.length,
    unreadablePolicies: report.unreadablePolicies.map((p) => `${p.policyId}@${p.targetId}`),
    crossCheck: crossChecked.summary,
    testMode: rule.resultToken === TEST_MODE_RESULT_TOKEN,
  });
  if (staleReadError !== undefined) {
    logger.error('Could not read earlier results to clear those of accounts that left', { error: staleReadError });
    throw staleReadError;
  }
  if (crossChecked.error !== undefined) throw crossChecked.error;
  return sent;
}
