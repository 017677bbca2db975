/** The base of every error this project throws on purpose; its message is one line a person can act on. */
export class AppError extends Error {
  override name = 'AppError';
}

/** The command line was wrong: an unknown option, a missing value, a bad rule parameter. */
export class UsageError extends AppError {
  override name = 'UsageError';
}

/** An input file cannot be used: unreadable, not JSON, or not a valid snapshot. */
export class InputError extends AppError {
  override name = 'InputError';
}

/**
 * Organizations denied `action`. The entry point chooses whom the message addresses: by default the operator of the
 * rule, who must allow it to the rule's role; with `caller`, the person whose credentials were denied (the CLI's).
 */
export class OrganizationsAccessDeniedError extends AppError {
  override name = 'OrganizationsAccessDeniedError';

  constructor(
    /** The IAM action that was denied, such as `organizations:ListRoots`. */
    readonly action: string,
    options?: ErrorOptions,
    /** The credentials that were denied, in words, such as `your credentials (arn:aws:sts::…:assumed-role/…)`. */
    readonly caller?: string,
  ) {
    super(
      caller === undefined
        ? `Access denied to ${action}: allow ${action} to the rule's role, and run the rule in the organization's management account or in a delegated administrator for Organizations policies`
        : `Access denied: ${caller} may not call ${action}; ask for the IAM policy in README "Audit your organization from a laptop", and use the organization's management account or a delegated administrator for Organizations policies whose delegation policy allows ${action}`,
      options,
    );
  }
}

/** The account the rule runs in is not a member of an AWS Organization (AWSOrganizationsNotInUseException). */
export class OrganizationNotInUseError extends AppError {
  override name = 'OrganizationNotInUseError';

  constructor(
    /** The IAM action whose call reported it, such as `organizations:DescribeOrganization`. */
    readonly action: string,
    options?: ErrorOptions,
  ) {
    super(
      `This account is not in an AWS Organization (${action} returned AWSOrganizationsNotInUseException): use the organization's management account or a delegated administrator for Organizations policies, for the rule and for an audit`,
      options,
    );
  }
}

/** Organizations kept answering TooManyRequestsException until the SDK's retries ran out. */
export class OrganizationsThrottledError extends AppError {
  override name = 'OrganizationsThrottledError';

  constructor(
    /** The IAM action that was throttled, such as `organizations:ListAccountsForParent`. */
    readonly action: string,
    /** How many times the SDK sent the request, if it says. */
    readonly attempts: number | undefined,
    options?: ErrorOptions,
  ) {
    super(
      `Organizations kept throttling ${action} (TooManyRequestsException) after ${attempts === undefined ? 'all retry' : attempts} attempts: run again later, when fewer callers share the organization's request rate`,
      options,
    );
  }
}

/** What was read from Organizations is not a valid snapshot, so nothing was evaluated. */
export class SnapshotReadError extends AppError {
  override name = 'SnapshotReadError';

  constructor(
    /** Where the snapshot is wrong, such as `accounts[2].state`. */
    readonly path: string,
    /** What is wrong there. */
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(
      `The organization read from Organizations is not a valid snapshot at ${path}: ${detail}; nothing was evaluated (if the organization changed during the read, run again)`,
      options,
    );
  }
}

/** A Lambda was invoked with an event it cannot answer: not a scheduled AWS Config rule event, not an SQS batch. */
export class InvalidEventError extends AppError {
  override name = 'InvalidEventError';
}

/** The rule's parameters are wrong: an unknown name or a bad value; the message lists the valid ones. */
export class RuleParameterError extends AppError {
  override name = 'RuleParameterError';
}

/** Reading the organization would not finish with enough time left in the invocation to put a result. */
export class OrganizationReadTimeoutError extends AppError {
  override name = 'OrganizationReadTimeoutError';

  constructor(readonly milliseconds: number) {
    super(
      `Reading the organization did not finish within ${Math.round(milliseconds / 1000)} s: raise the function's timeout, or run again if Organizations was throttling`,
    );
  }
}

/** AWS Config refused some evaluations twice; the ids are the accounts whose results were not recorded. */
export class PutEvaluationsFailedError extends AppError {
  override name = 'PutEvaluationsFailedError';

  constructor(readonly accountIds: readonly string[]) {
    super(
      `AWS Config did not accept the evaluations of ${accountIds.length} account(s) after a retry: ${accountIds.join(', ')}`,
    );
  }
}

/** An output file cannot be written, such as the snapshot of --save-snapshot. */
export class OutputError extends AppError {
  override name = 'OutputError';
}

/** The default credential chain (or the profile given) found no AWS credentials. */
export class AwsCredentialsError extends AppError {
  override name = 'AwsCredentialsError';
}

/** The role in a member account could not be assumed, so nothing can be put to that account's rule. */
export class MemberRoleError extends AppError {
  override name = 'MemberRoleError';

  constructor(
    readonly roleArn: string,
    trustedRoleArn: string | undefined,
    options?: ErrorOptions,
  ) {
    super(
      `Cannot assume ${roleArn}: the role must exist in that account (deploy member-role.yaml there, for example with StackSets) and its trust policy must allow sts:AssumeRole to ${trustedRoleArn ?? "the rule function's role"}`,
      options,
    );
  }
}

/** An account that is not in the organization invoked the rule; it gets no answer. */
export class AccountNotInOrganizationError extends AppError {
  override name = 'AccountNotInOrganizationError';

  constructor(
    readonly accountId: string,
    /** The organization's id, when a read in this container has shown it. */
    organizationId: string | undefined,
  ) {
    super(
      `Account ${accountId} invoked the rule but is not in ${organizationId === undefined ? "the rule's organization" : `organization ${organizationId}`}; nothing was put. Only the organization's accounts are evaluated.`,
    );
  }
}

/** Organizations denied a call the remediation needs; `action` is the IAM action to allow. */
export class RemediationAccessDeniedError extends AppError {
  override name = 'RemediationAccessDeniedError';

  constructor(
    /** The IAM action that was denied, such as `organizations:AttachPolicy`. */
    readonly action: string,
    options?: ErrorOptions,
  ) {
    super(
      `Access denied to ${action}: allow ${action} to the remediation function's role, and run it in the organization's management account, or in a delegated administrator for Organizations policies whose delegation policy allows ${action}`,
      options,
    );
  }
}

/** Organizations kept refusing a change with PolicyChangesInProgressException or ConcurrentModificationException. */
export class OrganizationsBusyError extends AppError {
  override name = 'OrganizationsBusyError';

  constructor(
    /** The IAM action that was refused, such as `organizations:AttachPolicy`. */
    readonly action: string,
    /** The exception Organizations answered with the last time. */
    readonly exception: string,
    /** How many times the remediation sent the request. */
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(
      `Organizations refused ${action} with ${exception} ${attempts} times: another change to the organization's policies is in progress; run the remediation again later`,
      options,
    );
  }
}

/** The AI opt-out policy type did not become ENABLED on the root while the remediation waited. */
export class PolicyTypeNotEnabledError extends AppError {
  override name = 'PolicyTypeNotEnabledError';

  constructor(
    readonly rootId: string,
    /** The last status ListRoots showed (`absent` when the type was not listed). */
    readonly status: string,
    /** How many times ListRoots was read. */
    readonly checks: number,
  ) {
    super(
      `AISERVICES_OPT_OUT_POLICY is still ${status} on root ${rootId} after ${checks} checks: enabling a policy type can take a while; run the remediation again later`,
    );
  }
}

/** CreatePolicy reported the name taken, yet no AI opt-out policy has it (another policy type may use it). */
export class PolicyNameTakenError extends AppError {
  override name = 'PolicyNameTakenError';

  constructor(
    readonly policyName: string,
    options?: ErrorOptions,
  ) {
    super(
      `CreatePolicy answered DuplicatePolicyException for ${JSON.stringify(policyName)}, but no AISERVICES_OPT_OUT_POLICY has that name: choose another policy name for the remediation`,
      options,
    );
  }
}

/** CreatePolicy reported the name taken, and the policy that has it is not proven the remediation's: it was left alone. */
export class PolicyNotOwnedError extends AppError {
  override name = 'PolicyNotOwnedError';

  constructor(
    readonly policyName: string,
    /** The policy that took the name since the remediation read the organization. */
    readonly policyId: string,
    /** `notOwned`: it lacks the remediation's tag; `unknown`: its tags could not be read. */
    readonly ownership: 'notOwned' | 'unknown',
    /** The remediation's tag, as `key=value`. */
    ownerTag: string,
  ) {
    const why =
      ownership === 'notOwned'
        ? `does not carry the tag ${ownerTag}`
        : 'has tags that could not be read (allow organizations:ListTagsForResource on it)';
    super(
      `CreatePolicy answered DuplicatePolicyException for ${JSON.stringify(policyName)}: policy ${policyId} took that name since the remediation read the organization, and it ${why}, so it was not attached; run the remediation again to see what needs a person`,
    );
  }
}

/** A remediation step, or the read that checks the result, failed; `done` says what had already been done. */
export class RemediationFailedError extends AppError {
  override name = 'RemediationFailedError';

  constructor(
    /** What was being done when it failed, in words. */
    readonly failedAt: string,
    /** What had been done before, in words; running the remediation again continues from there. */
    readonly done: readonly string[],
    options: ErrorOptions & { readonly cause: unknown },
  ) {
    const before = done.length === 0 ? 'before any change' : `after it had done: ${done.join('; ')}`;
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`The remediation failed to ${failedAt}, ${before}. ${reason}`, options);
  }
}

/** After a remediation that made changes, Organizations still shows steps to do. */
export class RemediationIncompleteError extends AppError {
  override name = 'RemediationIncompleteError';

  constructor(
    /** The steps still to do, in words. */
    readonly remaining: readonly string[],
  ) {
    super(
      `After the remediation, Organizations still shows ${remaining.length} step(s) to do: ${remaining.join('; ')}. Run the remediation again (Organizations may not show a change at once)`,
    );
  }
}

/** AWS Config would not start an evaluation of the rule for a reason a person must fix: a wrong name, a missing grant. */
export class StartRuleEvaluationError extends AppError {
  override name = 'StartRuleEvaluationError';

  constructor(
    /** The rule that was to be evaluated. */
    readonly configRuleName: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The function was deployed without the settings it needs. */
export class FunctionConfigurationError extends AppError {
  override name = 'FunctionConfigurationError';
}

/** The organization changed during every one of the reader's attempts, so no consistent snapshot could be read. */
export class OrganizationChangedDuringReadError extends AppError {
  override name = 'OrganizationChangedDuringReadError';

  constructor(
    /** How many times the organization was read. */
    readonly attempts: number,
    /** What changed during the last attempt, in words. */
    readonly change: string,
  ) {
    super(
      `The organization kept changing while it was read (${attempts} attempts; during the last one, ${change}), so nothing was evaluated: run again once the changes are done`,
    );
  }
}

/** A live command of the CLI did not finish within its --timeout; the message says what that means and what to do. */
export class CommandTimeoutError extends AppError {
  override name = 'CommandTimeoutError';

  constructor(
    /** The --timeout, in seconds. */
    readonly seconds: number,
    message: string,
  ) {
    super(message);
  }
}

/** AWS answered a read with a body that is not JSON or was cut short, and again when the read was sent once more. */
export class UnreadableResponseError extends AppError {
  override name = 'UnreadableResponseError';

  constructor(
    /** The IAM action whose answers could not be read, such as `organizations:ListAccounts`. */
    readonly action: string,
    /** What the parser said about the last answer. */
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(
      `AWS answered ${action} twice with a body that is not JSON or was cut short (${detail}), so the read failed: run again; if it persists, check what stands between this and AWS (a proxy, AWS_ENDPOINT_URL)`,
      options,
    );
  }
}

/** A paged listing came back in a shape that cannot be complete: a NextToken or an item seen before, a missing list. */
export class ListingReadError extends AppError {
  override name = 'ListingReadError';

  constructor(
    /** The IAM action of the listing, such as `organizations:ListAccountsWithInvalidEffectivePolicy`. */
    readonly action: string,
    /** Which page is wrong and how, such as `page 3 returned the NextToken of page 1`. */
    readonly detail: string,
  ) {
    super(
      `${action} returned a listing that cannot be trusted: ${detail}, so the read failed: run again; if it persists, check what stands between this and AWS (a proxy, AWS_ENDPOINT_URL)`,
    );
  }
}

/** AWS did not answer a request within the client's connection or request timeout, as often as the SDK retried it. */
export class AwsTimeoutError extends AppError {
  override name = 'AwsTimeoutError';

  constructor(
    /** The IAM action that got no answer, such as `organizations:ListRoots`. */
    readonly action: string,
    /** How many times the SDK sent the request, if it says. */
    readonly attempts: number | undefined,
    /** Which timeout ran out, as the SDK's HTTP handler said. */
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(
      `AWS did not answer ${action} in time (${attempts === undefined ? 'every' : attempts} attempt(s); ${detail}): check the network path to AWS (or AWS_ENDPOINT_URL) and run again`,
      options,
    );
  }
}

/** AWS answered a read with a body this project cannot use: a field missing, or about something other than asked. */
export class UnexpectedResponseError extends AppError {
  override name = 'UnexpectedResponseError';

  constructor(
    /** The IAM action whose answer is unusable, such as `organizations:DescribeEffectivePolicy`. */
    readonly action: string,
    /** What is wrong with the answer, such as `without EffectivePolicy.PolicyContent`. */
    readonly detail: string,
  ) {
    super(
      `AWS answered ${action} ${detail}, so the read failed: run again; if it persists, check what stands between this and AWS (a proxy, AWS_ENDPOINT_URL)`,
    );
  }
}

/** The most account ids an error message lists; the error's fields hold them all. */
const MAX_IDS_IN_MESSAGE = 10;

/** AWS's effective AI opt-out policy of some accounts could not be read, so they were not cross-checked this run. */
export class CrossCheckReadError extends AppError {
  override name = 'CrossCheckReadError';

  constructor(
    /** The accounts whose effective policy could not be read. */
    readonly accountIds: readonly string[],
    /** The first account's failure. */
    options: ErrorOptions & { readonly cause: unknown },
  ) {
    const shown = accountIds.slice(0, MAX_IDS_IN_MESSAGE).join(', ');
    const more = accountIds.length > MAX_IDS_IN_MESSAGE ? ` and ${accountIds.length - MAX_IDS_IN_MESSAGE} more` : '';
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      `Could not read AWS's effective AI opt-out policy (organizations:DescribeEffectivePolicy) of ${accountIds.length} account(s) (${shown}${more}), so they were not cross-checked: their results stand as the policies alone decide them, and a conflict stays NON_COMPLIANT. The first failure: ${reason}`,
      options,
    );
  }
}
