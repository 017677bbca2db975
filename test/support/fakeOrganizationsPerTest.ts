import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { OrgSnapshot } from '../../src/core/orgSnapshot';
import { type FakeOrganizations, type FakeOrganizationsOptions, startFakeOrganizations } from './fakeOrganizations';
import { motoClientConfig } from './motoServer';

/**
 * A fake Organizations endpoint for each test of the calling file: `start` stops the one the test started before, if
 * any, and starts another, returned with an SDK client that makes one attempt; the last is stopped after the test
 * (within `timeoutMs`). `current` is the running one, for a test's hooks that change it during a read.
 */
export function fakeOrganizationsPerTest(timeoutMs: number) {
  let fake: FakeOrganizations | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  }, timeoutMs);
  return {
    async start(
      model: OrgSnapshot,
      options: FakeOrganizationsOptions = {},
    ): Promise<{ readonly server: FakeOrganizations; readonly client: OrganizationsClient }> {
      await fake?.stop();
      fake = await startFakeOrganizations(model, options);
      return { server: fake, client: new OrganizationsClient({ ...motoClientConfig(fake.endpoint), maxAttempts: 1 }) };
    },
    current: (): FakeOrganizations | undefined => fake,
  };
}
