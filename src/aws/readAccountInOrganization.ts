import {
  AccessDeniedException,
  AccountNotFoundException,
  DescribeAccountCommand,
  type OrganizationsClient,
  type Account as SdkAccount,
} from '@aws-sdk/client-organizations';
import { OrganizationsAccessDeniedError } from '../errors';
import { type OnCall, observeCall } from './observeCall';
import { readResponse } from './readResponse';

/** An account as DescribeAccount returned it, its id checked. */
export type DescribedAccount = SdkAccount & { readonly Id: string };

/**
 * The account `accountId` as DescribeAccount describes it (name, state and, where the endpoint sends them, `Paths`)
 * when it is an account of the caller's organization, or undefined when it is not, in one call, which `onCall` hears:
 * the management account and a delegated administrator describe only their own organization's accounts and get
 * AccountNotFoundException for any other (Organizations API reference, DescribeAccount). Throws
 * OrganizationsAccessDeniedError when the call is denied, and what readResponse throws for an unreadable answer or a
 * timeout; other errors propagate unchanged.
 */
export async function readAccountInOrganization(
  client: OrganizationsClient,
  accountId: string,
  onCall?: OnCall,
): Promise<DescribedAccount | undefined> {
  try {
    const { Account: account } = await readResponse('organizations:DescribeAccount', () =>
      observeCall(() => client.send(new DescribeAccountCommand({ AccountId: accountId })), onCall),
    );
    return account?.Id === accountId ? { ...account, Id: accountId } : undefined;
  } catch (error) {
    if (error instanceof AccountNotFoundException) return undefined;
    if (error instanceof AccessDeniedException) {
      throw new OrganizationsAccessDeniedError('organizations:DescribeAccount', { cause: error });
    }
    throw error;
  }
}
