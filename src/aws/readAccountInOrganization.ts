import {
  AccessDeniedException,
  AccountNotFoundException,
  DescribeAccountCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { OrganizationsAccessDeniedError } from '../errors';
import { readResponse } from './readResponse';

/**
 * Whether `accountId` is an account of the caller's organization, in one DescribeAccount call: the management account
 * and a delegated administrator describe only their own organization's accounts and get AccountNotFoundException for
 * any other (Organizations API reference, DescribeAccount). Throws OrganizationsAccessDeniedError when the call is
 * denied, and what readResponse throws for an unreadable answer or a timeout; other errors propagate unchanged.
 */
export async function readAccountInOrganization(client: OrganizationsClient, accountId: string): Promise<boolean> {
  try {
    const { Account: account } = await readResponse('organizations:DescribeAccount', () =>
      client.send(new DescribeAccountCommand({ AccountId: accountId })),
    );
    return account?.Id === accountId;
  } catch (error) {
    if (error instanceof AccountNotFoundException) return false;
    if (error instanceof AccessDeniedException) {
      throw new OrganizationsAccessDeniedError('organizations:DescribeAccount', { cause: error });
    }
    throw error;
  }
}
