import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { AssumeRoleCommand, type Credentials, type STSClient } from '@aws-sdk/client-sts';
import { MemberRoleError } from '../errors';
import { HTTP_TIMEOUTS } from './httpTimeouts';

/** Credentials are renewed this long before they expire. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

const SESSION_NAME = 'ai-opt-out-config-rule';

export interface MemberConfigClientOptions {
  /** The partition of the function's ARN: aws, aws-us-gov, aws-cn. */
  readonly partition: string;
  /** The rule parameter ExecutionRoleName. */
  readonly roleName: string;
  /** The function's own role, which the member role must trust; named in errors when known. */
  readonly trustedRoleArn: string | undefined;
  /** The clock, in milliseconds since the epoch. */
  readonly now: () => number;
}

interface Assumed {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

function toAssumed(credentials: Credentials | undefined, roleArn: string): Assumed {
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = credentials ?? {};
  if (
    AccessKeyId === undefined ||
    SecretAccessKey === undefined ||
    SessionToken === undefined ||
    Expiration === undefined
  ) {
    throw new Error(`AssumeRole of ${roleArn} returned no credentials`);
  }
  return {
    accessKeyId: AccessKeyId,
    secretAccessKey: SecretAccessKey,
    sessionToken: SessionToken,
    expiration: Expiration,
  };
}

/**
 * Returns a function that gives a Config client acting in a member account, through the role named ExecutionRoleName
 * there. The role is assumed on first use (so a missing or unassumable role fails at once, with MemberRoleError
 * naming the role ARN and the trust it needs) and its credentials are kept per account for the container's life,
 * renewed shortly before they expire.
 */
export function createMemberConfigClients(
  sts: STSClient,
  options: MemberConfigClientOptions,
): (accountId: string) => Promise<ConfigServiceClient> {
  const clients = new Map<string, ConfigServiceClient>();
  const assumed = new Map<string, Assumed>();

  const assume = async (accountId: string): Promise<Assumed> => {
    const known = assumed.get(accountId);
    if (known !== undefined && known.expiration.getTime() - options.now() > RENEW_BEFORE_EXPIRY_MS) return known;
    const roleArn = `arn:${options.partition}:iam::${accountId}:role/${options.roleName}`;
    try {
      const output = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: SESSION_NAME }));
      const fresh = toAssumed(output.Credentials, roleArn);
      assumed.set(accountId, fresh);
      return fresh;
    } catch (error) {
      throw new MemberRoleError(roleArn, options.trustedRoleArn, { cause: error });
    }
  };

  return async (accountId) => {
    await assume(accountId);
    let client = clients.get(accountId);
    if (client === undefined) {
      client = new ConfigServiceClient({ credentials: () => assume(accountId), requestHandler: HTTP_TIMEOUTS });
      clients.set(accountId, client);
    }
    return client;
  };
}
