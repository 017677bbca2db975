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

/** Organizations denied `action`: the role lacks it, or the account may not read the organization's policies. */
export class OrganizationsAccessDeniedError extends AppError {
  override name = 'OrganizationsAccessDeniedError';

  constructor(
    /** The IAM action that was denied, such as `organizations:ListRoots`. */
    readonly action: string,
    options?: ErrorOptions,
  ) {
    super(
      `Access denied to ${action}: allow ${action} to the rule's role, and run the rule in the organization's management account or in a delegated administrator for Organizations policies`,
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
      `This account is not in an AWS Organization (${action} returned AWSOrganizationsNotInUseException): run the rule in the organization's management account or a delegated administrator`,
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
      `Organizations kept throttling ${action} (TooManyRequestsException) after ${attempts === undefined ? 'all retry' : attempts} attempts: run again later or lower the read concurrency`,
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

/** The Lambda was invoked with an event that is not a scheduled AWS Config rule event it can answer. */
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
    organizationId: string,
  ) {
    super(
      `Account ${accountId} invoked the rule but is not in organization ${organizationId}; nothing was put. Only the organization's accounts are evaluated.`,
    );
  }
}
