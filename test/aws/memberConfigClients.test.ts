import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createMemberConfigClients } from '../../src/aws/memberConfigClients';
import { MemberRoleError } from '../../src/errors';

const sts = mockClient(STSClient);
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-22T08:00:00Z');

function credentials(key: string, expiresAt: number) {
  return {
    Credentials: {
      AccessKeyId: key,
      SecretAccessKey: 'secret',
      SessionToken: `token-${key}`,
      Expiration: new Date(expiresAt),
    },
  };
}

beforeEach(() => sts.reset());

describe('createMemberConfigClients', () => {
  it('assumes the named role in the member account and gives a client with its credentials', async () => {
    sts.on(AssumeRoleCommand).resolves(credentials('ASIA1', T0 + HOUR));
    const clientFor = createMemberConfigClients(new STSClient({}), {
      partition: 'aws-us-gov',
      roleName: 'Evaluations',
      trustedRoleArn: undefined,
      now: () => T0,
    });
    const client = await clientFor('222222222222');
    expect(client).toBeInstanceOf(ConfigServiceClient);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws-us-gov:iam::222222222222:role/Evaluations',
      RoleSessionName: 'ai-opt-out-config-rule',
    });
    await expect(client.config.credentials()).resolves.toMatchObject({
      accessKeyId: 'ASIA1',
      sessionToken: 'token-ASIA1',
    });
  });

  it('keeps one client and one set of credentials per account until they near expiry', async () => {
    let now = T0;
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(credentials('ASIA1', T0 + HOUR))
      .resolvesOnce(credentials('ASIA2', T0 + 2 * HOUR))
      .resolves(credentials('OTHER', T0 + HOUR));
    const clientFor = createMemberConfigClients(new STSClient({}), {
      partition: 'aws',
      roleName: 'Evaluations',
      trustedRoleArn: undefined,
      now: () => now,
    });
    const first = await clientFor('222222222222');
    now = T0 + 50 * 60_000;
    expect(await clientFor('222222222222')).toBe(first);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    now = T0 + 56 * 60_000;
    expect(await clientFor('222222222222')).toBe(first);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    await clientFor('333333333333');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 3);
  });

  it.each([
    ['AssumeRole is denied', new Error('not authorized to perform: sts:AssumeRole')],
    ['AssumeRole returns no credentials', undefined],
  ])('fails with the role ARN and the trust it needs when %s', async (_name, error) => {
    if (error === undefined) sts.on(AssumeRoleCommand).resolves({});
    else sts.on(AssumeRoleCommand).rejects(error);
    const clientFor = createMemberConfigClients(new STSClient({}), {
      partition: 'aws',
      roleName: 'Evaluations',
      trustedRoleArn: 'arn:aws:iam::111111111111:role/RuleFunctionRole',
      now: () => T0,
    });
    const attempt = clientFor('222222222222');
    await expect(attempt).rejects.toThrow(MemberRoleError);
    await expect(attempt).rejects.toThrow(
      'Cannot assume arn:aws:iam::222222222222:role/Evaluations: the role must exist in that account (deploy member-role.yaml there, for example with StackSets) and its trust policy must allow sts:AssumeRole to arn:aws:iam::111111111111:role/RuleFunctionRole',
    );
  });
});
