import {
  AccessDeniedException,
  AttachPolicyCommand,
  AWSOrganizationsNotInUseException,
  ConcurrentModificationException,
  ConstraintViolationException,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DetachPolicyCommand,
  DisablePolicyTypeCommand,
  DuplicatePolicyException,
  EnablePolicyTypeCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
  PolicyChangesInProgressException,
  TooManyRequestsException,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  DEFAULT_RETRY,
  DEFAULT_WAIT_FOR,
  REMEDIATION_POLICY_DESCRIPTION,
  type RemediateOrganizationOptions,
  remediateOrganization,
} from '../../src/aws/remediateOrganization';
import { DEFAULT_REMEDIATION_POLICY_NAME, LOCKED_OPT_OUT_POLICY_CONTENT } from '../../src/core/planRemediation';
import {
  OrganizationNotInUseError,
  OrganizationsBusyError,
  PolicyNameTakenError,
  PolicyNotOwnedError,
  PolicyTypeNotEnabledError,
  RemediationAccessDeniedError,
  RemediationFailedError,
} from '../../src/errors';
import { aiPolicy, MANAGEMENT_ID, ORG_ID, ROOT_ID } from '../support/organizationsMock';
import { optIn, SEED_000, SEED_001 } from '../support/policies';
import {
  CREATED_ID,
  type Handled,
  type LiveOptions,
  mockLiveOrganization,
  named,
  OWNER_TAG,
  SANDBOX,
  SANDBOX_ACCOUNT,
} from '../support/remediationMock';

const organizations = mockClient(OrganizationsClient);

const NAME = DEFAULT_REMEDIATION_POLICY_NAME;
const OURS_ID = 'p-ours00001';
const ACCESS_DENIED = () => new AccessDeniedException({ $metadata: {}, message: 'not allowed' });
const IN_PROGRESS = () => new PolicyChangesInProgressException({ $metadata: {}, message: 'changes in progress' });
const CONCURRENT = () => new ConcurrentModificationException({ $metadata: {}, message: 'concurrent change' });

/** The write commands the remediation may send, and those it must never send. */
const WRITES = [EnablePolicyTypeCommand, CreatePolicyCommand, UpdatePolicyCommand, AttachPolicyCommand] as const;
const NEVER_SENT = [DetachPolicyCommand, DeletePolicyCommand, DisablePolicyTypeCommand] as const;

let sleeps: number[];
const sleep = async (milliseconds: number) => {
  sleeps.push(milliseconds);
};

function remediate(overrides: Partial<RemediateOrganizationOptions> = {}) {
  return remediateOrganization(new OrganizationsClient({}), { policyName: NAME, dryRun: false, sleep, ...overrides });
}

/** Awaits a rejection and returns the error, to look at its cause. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the remediation to fail');
    },
    (error: unknown) => error,
  );
}

/** The names of the commands sent, in order. */
function commandsSent(): string[] {
  return organizations.calls().map((call) => call.args[0].constructor.name);
}

/** The names of the write commands sent, in order. */
function writesSent(): string[] {
  const writes: readonly string[] = WRITES.map((command) => command.name);
  return commandsSent().filter((name) => writes.includes(name));
}

beforeEach(() => {
  organizations.reset();
  sleeps = [];
});

afterEach(() => {
  // Whatever happened, no other policy was ever detached or deleted, and the policy type was never disabled.
  expect(commandsSent().filter((name) => NEVER_SENT.some((command) => command.name === name))).toEqual([]);
});

describe('remediateOrganization', () => {
  it('enables the policy type, waits until ENABLED, creates the locked policy and attaches it to the root', async () => {
    mockLiveOrganization(organizations, { status: 'absent', pendingChecks: 2 });

    const result = await remediate();

    expect(organizations).toHaveReceivedCommandWith(EnablePolicyTypeCommand, {
      RootId: ROOT_ID,
      PolicyType: 'AISERVICES_OPT_OUT_POLICY',
    });
    expect(organizations.commandCalls(CreatePolicyCommand).map((call) => call.args[0].input)).toEqual([
      {
        Type: 'AISERVICES_OPT_OUT_POLICY',
        Name: NAME,
        Description: REMEDIATION_POLICY_DESCRIPTION,
        Content: LOCKED_OPT_OUT_POLICY_CONTENT,
        Tags: [{ Key: 'managed-by', Value: 'ai-opt-out-config-rule' }],
      },
    ]);
    // No policy had the name before the changes; the read after them checks the tag of the one it created.
    expect(organizations.commandCalls(ListTagsForResourceCommand).map((call) => call.args[0].input)).toEqual([
      { ResourceId: CREATED_ID, NextToken: undefined },
    ]);
    expect(organizations.commandCalls(AttachPolicyCommand).map((call) => call.args[0].input)).toEqual([
      { PolicyId: CREATED_ID, TargetId: ROOT_ID },
    ]);
    expect(writesSent()).toEqual(['EnablePolicyTypeCommand', 'CreatePolicyCommand', 'AttachPolicyCommand']);
    expect(sleeps).toEqual([1_000, 2_000]);
    expect(result).toEqual({
      organizationId: ORG_ID,
      policyName: NAME,
      dryRun: false,
      changed: true,
      plan: [
        { kind: 'enablePolicyType', rootId: ROOT_ID },
        { kind: 'waitForPolicyType', rootId: ROOT_ID },
        { kind: 'createPolicy', name: NAME, content: LOCKED_OPT_OUT_POLICY_CONTENT },
        { kind: 'attachPolicy', policyId: 'created', name: NAME, rootId: ROOT_ID },
      ],
      done: [
        { kind: 'enablePolicyType', rootId: ROOT_ID, outcome: 'enabled' },
        { kind: 'waitForPolicyType', rootId: ROOT_ID, outcome: 'ready', checks: 3 },
        { kind: 'createPolicy', name: NAME, policyId: CREATED_ID, outcome: 'created' },
        { kind: 'attachPolicy', name: NAME, policyId: CREATED_ID, rootId: ROOT_ID, outcome: 'attached' },
      ],
      remaining: [],
      needsPerson: [],
      summary: `Changed: enabled AISERVICES_OPT_OUT_POLICY on root ${ROOT_ID}; AISERVICES_OPT_OUT_POLICY is ENABLED on root ${ROOT_ID} (3 check(s)); created policy "${NAME}" (${CREATED_ID}) with the fully locked opt-out content; attached policy "${NAME}" (${CREATED_ID}) to root ${ROOT_ID}.`,
    });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('changes nothing and sends no write the second time', async () => {
    mockLiveOrganization(organizations, { status: 'absent' });
    await remediate();
    organizations.resetHistory();

    const second = await remediate();

    expect(writesSent()).toEqual([]);
    expect(second).toMatchObject({ changed: false, plan: [], done: [], remaining: [], needsPerson: [] });
    expect(second.summary).toBe(
      `Nothing to change: AISERVICES_OPT_OUT_POLICY is enabled on root ${ROOT_ID}, policy "${NAME}" with the fully locked opt-out content is attached to it, and every account is COMPLIANT.`,
    );
  });

  it('pages through empty pages with a NextToken while waiting and while looking a policy up', async () => {
    mockLiveOrganization(organizations, {
      status: 'absent',
      emptyFirstPages: true,
      race: { CreatePolicy: (state) => state.policies.push(named(OURS_ID, LOCKED_OPT_OUT_POLICY_CONTENT, [])) },
    });

    const result = await remediate();

    expect(result.done.map((step) => step.outcome)).toEqual(['enabled', 'ready', 'alreadyExisted', 'attached']);
    expect(result.remaining).toEqual([]);
    expect(organizations).toHaveReceivedCommandWith(ListRootsCommand, { NextToken: 'second-page' });
    expect(organizations).toHaveReceivedCommandWith(ListPoliciesCommand, { NextToken: 'second-page' });
    expect(organizations).toHaveReceivedCommandWith(ListTagsForResourceCommand, { NextToken: 'second-page' });
  });

  it('plans and sends no write call on a dry run', async () => {
    mockLiveOrganization(organizations, { status: 'absent', policies: [named(OURS_ID, JSON.stringify(SEED_000), [])] });

    const result = await remediate({ dryRun: true });

    expect(writesSent()).toEqual([]);
    const plan = [
      { kind: 'enablePolicyType', rootId: ROOT_ID },
      { kind: 'waitForPolicyType', rootId: ROOT_ID },
      { kind: 'updatePolicy', policyId: OURS_ID, name: NAME, content: LOCKED_OPT_OUT_POLICY_CONTENT },
      { kind: 'attachPolicy', policyId: OURS_ID, name: NAME, rootId: ROOT_ID },
    ];
    expect(result).toMatchObject({ dryRun: true, changed: false, plan, done: [], remaining: plan, needsPerson: [] });
    expect(result.summary).toBe(
      `Dry run, nothing changed. Would enable AISERVICES_OPT_OUT_POLICY on root ${ROOT_ID}; wait until AISERVICES_OPT_OUT_POLICY is ENABLED on root ${ROOT_ID}; replace the content of policy "${NAME}" (${OURS_ID}) with the fully locked opt-out content; attach policy "${NAME}" (${OURS_ID}) to root ${ROOT_ID}.`,
    );
  });

  it('says on a dry run what needs a person', async () => {
    mockLiveOrganization(organizations, {
      policies: [aiPolicy('p-rootlexin', JSON.stringify(optIn('lex')), [ROOT_ID])],
    });

    const result = await remediate({ dryRun: true });

    expect(result.summary).toMatch(
      /^Dry run, nothing changed\. Would create .*\. Needs a person: Opted in: lex via p-rootlexin on r-exam\.$/,
    );
  });

  it('sends UpdatePolicy with the content only, keeping the name and a description a person wrote', async () => {
    mockLiveOrganization(organizations, { policies: [named(OURS_ID, JSON.stringify(SEED_000), [ROOT_ID])] });

    const result = await remediate();

    expect(organizations.commandCalls(UpdatePolicyCommand).map((call) => call.args[0].input)).toEqual([
      { PolicyId: OURS_ID, Content: LOCKED_OPT_OUT_POLICY_CONTENT },
    ]);
    expect(writesSent()).toEqual(['UpdatePolicyCommand']);
    expect(result.done).toEqual([{ kind: 'updatePolicy', name: NAME, policyId: OURS_ID, outcome: 'updated' }]);
    expect(result).toMatchObject({ changed: true, remaining: [], needsPerson: [] });
  });

  it('only waits when the policy type is PENDING_ENABLE, and reports no change', async () => {
    mockLiveOrganization(organizations, {
      status: 'PENDING_ENABLE',
      // The first read sees PENDING_ENABLE twice (it reads the root before and after the tree); the wait sees it once
      // more, then ENABLED.
      pendingChecks: 3,
      policies: [named(OURS_ID, LOCKED_OPT_OUT_POLICY_CONTENT, [ROOT_ID])],
    });

    const result = await remediate();

    expect(writesSent()).toEqual([]);
    expect(result).toMatchObject({
      changed: false,
      done: [{ kind: 'waitForPolicyType', rootId: ROOT_ID, outcome: 'ready', checks: 2 }],
      remaining: [],
    });
    expect(result.summary).toBe(
      `Nothing changed: AISERVICES_OPT_OUT_POLICY is ENABLED on root ${ROOT_ID} (2 check(s)).`,
    );
  });

  describe('tolerates what a concurrent change already did', () => {
    it('goes on after PolicyTypeAlreadyEnabledException', async () => {
      mockLiveOrganization(organizations, {
        status: 'absent',
        race: { EnablePolicyType: (state) => Object.assign(state, { status: 'ENABLED' }) },
      });

      const result = await remediate();

      expect(result.done[0]).toEqual({ kind: 'enablePolicyType', rootId: ROOT_ID, outcome: 'alreadyEnabled' });
      expect(result).toMatchObject({ changed: true, remaining: [] });
      expect(result.summary).toMatch(/^Changed: AISERVICES_OPT_OUT_POLICY was already enabled on root r-exam; /);
    });

    it('looks the policy up by name after DuplicatePolicyException and attaches that one', async () => {
      mockLiveOrganization(organizations, {
        race: { CreatePolicy: (state) => state.policies.push(named(OURS_ID, LOCKED_OPT_OUT_POLICY_CONTENT, [])) },
      });

      const result = await remediate();

      expect(result.done).toEqual([
        { kind: 'createPolicy', name: NAME, policyId: OURS_ID, outcome: 'alreadyExisted' },
        { kind: 'attachPolicy', name: NAME, policyId: OURS_ID, rootId: ROOT_ID, outcome: 'attached' },
      ]);
      expect(organizations).toHaveReceivedCommandWith(ListPoliciesCommand, { Filter: 'AISERVICES_OPT_OUT_POLICY' });
      expect(organizations).toHaveReceivedCommandWith(AttachPolicyCommand, { PolicyId: OURS_ID, TargetId: ROOT_ID });
      expect(result.summary).toContain(`policy "${NAME}" (${OURS_ID}) already existed; attached policy`);
    });

    it('reports no change after DuplicatePolicyAttachmentException', async () => {
      mockLiveOrganization(organizations, {
        policies: [named(OURS_ID, LOCKED_OPT_OUT_POLICY_CONTENT, [])],
        race: {
          AttachPolicy: (state) => {
            state.policies = [named(OURS_ID, LOCKED_OPT_OUT_POLICY_CONTENT, [ROOT_ID])];
          },
        },
      });

      const result = await remediate();

      expect(result).toMatchObject({
        changed: false,
        done: [{ kind: 'attachPolicy', name: NAME, policyId: OURS_ID, rootId: ROOT_ID, outcome: 'alreadyAttached' }],
        remaining: [],
        summary: `Nothing changed: policy "${NAME}" (${OURS_ID}) was already attached to root ${ROOT_ID}.`,
      });
    });

    it('fails with PolicyNameTakenError when CreatePolicy says the name is taken but no AI opt-out policy has it', async () => {
      mockLiveOrganization(organizations, {
        faults: { CreatePolicy: [new DuplicatePolicyException({ $metadata: {}, message: 'an SCP has it' })] },
      });

      const error = await failure(remediate());

      expect(error).toBeInstanceOf(RemediationFailedError);
      expect(error).toMatchObject({ done: [], cause: expect.any(PolicyNameTakenError) });
      expect(organizations).not.toHaveReceivedCommand(AttachPolicyCommand);
    });
  });

  describe('touches only a policy of its name that carries its tag', () => {
    // The case of the issue: someone else's policy of the same name opts lex in and is attached to an OU.
    const foreign = named(OURS_ID, JSON.stringify(optIn('lex')), [SANDBOX], NAME, [{ Key: 'team', Value: 'ml' }]);

    it.each([false, true])(
      'sends no write and needs a person when that policy lacks the tag (dry run: %s)',
      async (dryRun) => {
        mockLiveOrganization(organizations, { status: 'absent', policies: [foreign] });

        const result = await remediate({ dryRun });

        expect(writesSent()).toEqual([]);
        expect(organizations.commandCalls(ListTagsForResourceCommand).map((call) => call.args[0].input)).toEqual([
          { ResourceId: OURS_ID, NextToken: undefined },
        ]);
        expect(result).toMatchObject({ changed: false, plan: [], done: [], remaining: [] });
        expect(result.needsPerson.map((item) => item.kind)).toEqual(['policyNotOwned', 'policyTypeNotEnabled']);
        expect(result.needsPerson[0]).toMatchObject({ policyId: OURS_ID, ownership: 'notOwned' });
        expect(result.summary).toMatch(
          new RegExp(
            `^Nothing the remediation may change\\. Needs a person: Policy "${NAME}" \\(${OURS_ID}\\) has the remediation's policy name but not its tag managed-by=ai-opt-out-config-rule`,
          ),
        );
      },
    );

    it('reads an AccessDenied on ListTagsForResource as unknown, never as owned, and sends no write', async () => {
      mockLiveOrganization(organizations, {
        policies: [named(OURS_ID, JSON.stringify(SEED_000), [ROOT_ID])],
        faults: { ListTagsForResource: [ACCESS_DENIED()] },
      });

      const result = await remediate();

      expect(writesSent()).toEqual([]);
      expect(result.needsPerson[0]).toMatchObject({ kind: 'policyNotOwned', policyId: OURS_ID, ownership: 'unknown' });
    });

    it('fails, before any write, when ListTagsForResource fails otherwise', async () => {
      const unavailable = new Error('ServiceException: try again');
      mockLiveOrganization(organizations, {
        policies: [named(OURS_ID, JSON.stringify(SEED_000), [ROOT_ID])],
        faults: { ListTagsForResource: [unavailable] },
      });

      await expect(remediate()).rejects.toBe(unavailable);
      expect(writesSent()).toEqual([]);
    });

    it.each<[string, NonNullable<LiveOptions['faults']>, string, string]>([
      ['lacks the tag', {}, 'notOwned', 'does not carry the tag managed-by=ai-opt-out-config-rule'],
      [
        'has tags it may not read',
        { ListTagsForResource: [ACCESS_DENIED()] },
        'unknown',
        'has tags that could not be read (allow organizations:ListTagsForResource on it)',
      ],
    ])('does not attach a policy that took its name during the run and %s', async (_, faults, ownership, why) => {
      mockLiveOrganization(organizations, {
        faults,
        race: { CreatePolicy: (state) => state.policies.push({ ...foreign, targets: [] }) },
      });

      const error = await failure(remediate());

      expect(writesSent()).toEqual(['CreatePolicyCommand']);
      expect(error).toBeInstanceOf(RemediationFailedError);
      expect(error).toMatchObject({ done: [], cause: expect.any(PolicyNotOwnedError) });
      expect(error).toHaveProperty(
        'cause',
        expect.objectContaining({ policyName: NAME, policyId: OURS_ID, ownership }),
      );
      expect(String(error)).toBe(
        `RemediationFailedError: The remediation failed to create policy "${NAME}" with the fully locked opt-out content, before any change. CreatePolicy answered DuplicatePolicyException for "${NAME}": policy ${OURS_ID} took that name since the remediation read the organization, and it ${why}, so it was not attached; run the remediation again to see what needs a person`,
      );
    });

    it('updates and attaches its tagged policy even where someone attached it to an OU, which it leaves', async () => {
      mockLiveOrganization(organizations, {
        policies: [named(OURS_ID, JSON.stringify(optIn('lex')), [SANDBOX], NAME, [OWNER_TAG])],
      });

      const result = await remediate();

      expect(writesSent()).toEqual(['UpdatePolicyCommand', 'AttachPolicyCommand']);
      expect(result).toMatchObject({ changed: true, remaining: [], needsPerson: [] });
    });
  });

  describe('retries what Organizations asks to retry later', () => {
    it.each([
      ['PolicyChangesInProgressException', IN_PROGRESS],
      ['ConcurrentModificationException', CONCURRENT],
    ])('sends AttachPolicy again after %s, with growing pauses', async (_, exception) => {
      mockLiveOrganization(organizations, { faults: { AttachPolicy: [exception(), exception()] } });

      const result = await remediate();

      expect(organizations).toHaveReceivedCommandTimes(AttachPolicyCommand, 3);
      expect(sleeps).toEqual([1_000, 2_000]);
      expect(result).toMatchObject({ changed: true, remaining: [] });
    });

    it.each<[string, LiveOptions]>([
      ['EnablePolicyType', { status: 'absent', faults: { EnablePolicyType: [CONCURRENT()] } }],
      ['CreatePolicy', { faults: { CreatePolicy: [IN_PROGRESS()] } }],
      ['UpdatePolicy', { policies: [named(OURS_ID, 'old', [ROOT_ID])], faults: { UpdatePolicy: [CONCURRENT()] } }],
    ])('retries %s', async (_, options) => {
      mockLiveOrganization(organizations, options);

      const result = await remediate();

      expect(result).toMatchObject({ changed: true, remaining: [] });
      expect(sleeps).toEqual([1_000]);
    });

    it('gives up after DEFAULT_RETRY.attempts with OrganizationsBusyError, saying what was done', async () => {
      mockLiveOrganization(organizations, {
        faults: { AttachPolicy: Array.from({ length: DEFAULT_RETRY.attempts }, IN_PROGRESS) },
      });

      const error = await failure(remediate());

      expect(organizations).toHaveReceivedCommandTimes(AttachPolicyCommand, 5);
      expect(sleeps).toEqual([1_000, 2_000, 4_000, 8_000]);
      expect(error).toBeInstanceOf(RemediationFailedError);
      expect(error).toMatchObject({
        failedAt: `attach policy "${NAME}" (${CREATED_ID}) to root ${ROOT_ID}`,
        done: [`created policy "${NAME}" (${CREATED_ID}) with the fully locked opt-out content`],
        cause: expect.any(OrganizationsBusyError),
      });
      expect(error).toHaveProperty('cause.action', 'organizations:AttachPolicy');
      expect(error).toHaveProperty('cause.attempts', 5);
      expect(error).toHaveProperty('cause.exception', 'PolicyChangesInProgressException');
      expect(String(error)).toBe(
        `RemediationFailedError: The remediation failed to attach policy "${NAME}" (${CREATED_ID}) to root ${ROOT_ID}, after it had done: created policy "${NAME}" (${CREATED_ID}) with the fully locked opt-out content. Organizations refused organizations:AttachPolicy with PolicyChangesInProgressException 5 times: another change to the organization's policies is in progress; run the remediation again later`,
      );
    });

    it('uses the retry settings it is given, and a real timer when given no sleep', async () => {
      mockLiveOrganization(organizations, { faults: { CreatePolicy: [CONCURRENT(), CONCURRENT()] } });

      const error = await failure(
        remediateOrganization(new OrganizationsClient({}), {
          policyName: NAME,
          dryRun: false,
          retry: { attempts: 2, delayMs: 0 },
        }),
      );

      expect(organizations).toHaveReceivedCommandTimes(CreatePolicyCommand, 2);
      expect(error).toMatchObject({ done: [], cause: expect.any(OrganizationsBusyError) });
      expect(error).toHaveProperty('cause.exception', 'ConcurrentModificationException');
    });

    it('does not retry other errors, and keeps them as the cause', async () => {
      const limit = new ConstraintViolationException({
        $metadata: {},
        message: 'too many policies',
        Reason: 'POLICY_NUMBER_LIMIT_EXCEEDED',
      });
      mockLiveOrganization(organizations, { faults: { AttachPolicy: [limit] } });

      const error = await failure(remediate());

      expect(organizations).toHaveReceivedCommandTimes(AttachPolicyCommand, 1);
      expect(error).toMatchObject({ cause: limit });
      expect(String(error)).toMatch(
        /failed to attach policy .* after it had done: created policy .*\. too many policies$/,
      );
    });
  });

  it('fails when CreatePolicy answers without a policy id, before attaching anything', async () => {
    mockLiveOrganization(organizations);
    organizations.on(CreatePolicyCommand).resolves({});

    const error = await failure(remediate());

    expect(error).toHaveProperty('cause.message', `CreatePolicy returned no policy id for "${NAME}"`);
    expect(organizations).not.toHaveReceivedCommand(AttachPolicyCommand);
  });

  describe('waits for the policy type', () => {
    it('fails with PolicyTypeNotEnabledError when it never becomes ENABLED, and creates nothing', async () => {
      mockLiveOrganization(organizations, { status: 'absent', pendingChecks: Number.POSITIVE_INFINITY });

      const error = await failure(remediate());

      // The read checks the root twice (before and after the tree), then the wait checks it each attempt.
      expect(organizations).toHaveReceivedCommandTimes(ListRootsCommand, 2 + DEFAULT_WAIT_FOR.attempts);
      expect(sleeps).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 20_000, 20_000, 20_000, 20_000]);
      expect(error).toMatchObject({
        failedAt: `wait until AISERVICES_OPT_OUT_POLICY is ENABLED on root ${ROOT_ID}`,
        done: [`enabled AISERVICES_OPT_OUT_POLICY on root ${ROOT_ID}`],
        cause: expect.any(PolicyTypeNotEnabledError),
      });
      expect(error).toHaveProperty('cause.status', 'PENDING_ENABLE');
      expect(error).toHaveProperty('cause.checks', 10);
      expect(organizations).not.toHaveReceivedCommand(CreatePolicyCommand);
    });

    it('reads the status as absent when ListRoots does not list the type, and uses the settings it is given', async () => {
      mockLiveOrganization(organizations, { status: 'absent', unseen: ['EnablePolicyType'] });

      const error = await failure(remediate({ waitFor: { attempts: 2, delayMs: 50 } }));

      expect(sleeps).toEqual([50]);
      expect(error).toHaveProperty('cause.status', 'absent');
      expect(error).toHaveProperty('cause.checks', 2);
    });

    it('reads the status as absent when ListRoots does not list the root', async () => {
      mockLiveOrganization(organizations, { status: 'absent' });
      const listRoots = organizations.on(ListRootsCommand);
      listRoots
        .resolvesOnce({ Roots: [{ Id: ROOT_ID, PolicyTypes: [] }] })
        .resolvesOnce({ Roots: [{ Id: ROOT_ID, PolicyTypes: [] }] })
        .resolves({ Roots: [] });

      const error = await failure(remediate({ waitFor: { attempts: 1, delayMs: 0 } }));

      expect(error).toHaveProperty('cause.status', 'absent');
    });
    it('keeps another error of ListRoots as the cause', async () => {
      const unavailable = new Error('ServiceException: try again');
      mockLiveOrganization(organizations, {
        status: 'absent',
        faults: { ListRoots: [undefined, undefined, unavailable] },
      });

      const error = await failure(remediate());

      expect(error).toMatchObject({ cause: unavailable });
    });
  });

  describe('access denied', () => {
    it.each<[Handled, (typeof WRITES)[number], LiveOptions]>([
      ['EnablePolicyType', EnablePolicyTypeCommand, { status: 'absent' }],
      ['CreatePolicy', CreatePolicyCommand, {}],
      ['UpdatePolicy', UpdatePolicyCommand, { policies: [named(OURS_ID, 'old', [ROOT_ID])] }],
      ['AttachPolicy', AttachPolicyCommand, {}],
    ])('names organizations:%s when that write is denied, and does not retry it', async (action, command, options) => {
      mockLiveOrganization(organizations, { ...options, faults: { [action]: [ACCESS_DENIED()] } });

      const error = await failure(remediate());

      expect(error).toBeInstanceOf(RemediationFailedError);
      expect(error).toMatchObject({ cause: expect.any(RemediationAccessDeniedError) });
      expect(error).toHaveProperty('cause.action', `organizations:${action}`);
      expect(String(error)).toContain(
        `Access denied to organizations:${action}: allow organizations:${action} to the remediation function's role`,
      );
      expect(commandsSent().filter((name) => name === command.name)).toHaveLength(1);
    });

    it.each<[string, Handled, LiveOptions]>([
      ['ListRoots while waiting', 'ListRoots', { status: 'absent' }],
      [
        'ListPolicies while looking a policy up',
        'ListPolicies',
        { race: { CreatePolicy: (state) => state.policies.push(named(OURS_ID, LOCKED_OPT_OUT_POLICY_CONTENT, [])) } },
      ],
    ])('names the action when %s is denied', async (_, command, options) => {
      mockLiveOrganization(organizations, { ...options, faults: { [command]: [undefined, ACCESS_DENIED()] } });

      const error = await failure(remediate());

      expect(error).toHaveProperty('cause.action', `organizations:${command}`);
    });

    it('throws RemediationAccessDeniedError, not wrapped, when the first read is denied', async () => {
      mockLiveOrganization(organizations, { faults: { DescribeOrganization: [ACCESS_DENIED()] } });

      const error = await failure(remediate());

      expect(error).toBeInstanceOf(RemediationAccessDeniedError);
      expect(error).toMatchObject({ action: 'organizations:DescribeOrganization' });
      expect(writesSent()).toEqual([]);
    });
  });

  it('passes the reader’s other errors through when the first read fails', async () => {
    mockLiveOrganization(organizations, {
      faults: { DescribeOrganization: [new AWSOrganizationsNotInUseException({ $metadata: {}, message: 'no' })] },
    });

    await expect(remediate()).rejects.toBeInstanceOf(OrganizationNotInUseError);
  });

  it('fails with what it did when the read after the changes fails', async () => {
    const throttled = new TooManyRequestsException({ $metadata: { attempts: 10 }, message: 'slow down' });
    mockLiveOrganization(organizations, { faults: { DescribeOrganization: [undefined, throttled] } });

    const error = await failure(remediate());

    expect(error).toMatchObject({
      failedAt: 'read the organization again to check the result',
      done: [
        `created policy "${NAME}" (${CREATED_ID}) with the fully locked opt-out content`,
        `attached policy "${NAME}" (${CREATED_ID}) to root ${ROOT_ID}`,
      ],
    });
    expect(String(error)).toContain('kept throttling organizations:DescribeOrganization');
  });

  it('reports the steps a read after the changes still shows', async () => {
    mockLiveOrganization(organizations, { unseen: ['AttachPolicy'] });

    const result = await remediate();

    expect(result.remaining).toEqual([{ kind: 'attachPolicy', policyId: CREATED_ID, name: NAME, rootId: ROOT_ID }]);
    expect(result.changed).toBe(true);
    expect(result.summary).toMatch(
      /\. Still to do \(Organizations may not show a change at once; run again\): attach policy "ai-services-opt-out-locked" \(p-created01\) to root r-exam\.$/,
    );
  });

  describe('needs a person', () => {
    it('does what it can and lists, with the real ids, another root policy that opts lex in', async () => {
      mockLiveOrganization(organizations, {
        policies: [aiPolicy('p-rootlexin', JSON.stringify(optIn('lex')), [ROOT_ID])],
      });

      const result = await remediate();

      expect(writesSent()).toEqual(['CreatePolicyCommand', 'AttachPolicyCommand']);
      expect(organizations).not.toHaveReceivedCommandWith(UpdatePolicyCommand, { PolicyId: 'p-rootlexin' });
      expect(result).toMatchObject({
        changed: true,
        remaining: [],
        needsPerson: [
          {
            kind: 'notOptedOut',
            message: `Opted in: lex via p-rootlexin on ${ROOT_ID}.`,
            accountIds: [MANAGEMENT_ID, SANDBOX_ACCOUNT],
          },
        ],
      });
      expect(result.summary).toMatch(/\. Needs a person: Opted in: lex via p-rootlexin on r-exam\.$/);
    });

    it('changes nothing in an organization with only consolidated billing', async () => {
      mockLiveOrganization(organizations, { featureSet: 'CONSOLIDATED_BILLING', status: 'absent' });

      const result = await remediate();

      expect(writesSent()).toEqual([]);
      expect(result).toMatchObject({ changed: false, plan: [], needsPerson: [{ kind: 'featureSetNotAll' }] });
      expect(result.summary).toBe(
        `Nothing the remediation may change. Needs a person: Organization ${ORG_ID} has only CONSOLIDATED_BILLING features; AI opt-out policies need all features. Enable all features in AWS Organizations.`,
      );
    });

    it('creates but does not attach when five policies are on the root, and counts the other problems', async () => {
      const others = ['p-other001', 'p-other002', 'p-other003', 'p-other004', 'p-other005'];
      mockLiveOrganization(organizations, {
        policies: others.map((id) => aiPolicy(id, JSON.stringify(SEED_001), [ROOT_ID])),
      });

      const result = await remediate();

      expect(writesSent()).toEqual(['CreatePolicyCommand']);
      expect(result.remaining).toEqual([]);
      expect(result.needsPerson.map((item) => item.kind)).toEqual(['tooManyRootPolicies', 'rootNotLocked']);
      expect(result.summary).toMatch(
        /^Changed: created .*\. Needs a person: Root r-exam already has 5 AI opt-out policies attached .* \(and 1 more in needsPerson\)$/,
      );
    });
  });

  it.each([
    ['waitFor', { waitFor: { attempts: 0, delayMs: 1 } }],
    ['waitFor', { waitFor: { attempts: 1.5, delayMs: 1 } }],
    ['retry', { retry: { attempts: 1, delayMs: -1 } }],
    ['retry', { retry: { attempts: 1, delayMs: Number.NaN } }],
  ])(
    'rejects %s settings that are not a positive number of attempts and a delay of 0 or more',
    async (name, options) => {
      await expect(remediate(options)).rejects.toThrow(
        new RangeError(`${name} needs a positive integer of attempts and a delay of 0 ms or more`),
      );
      expect(organizations.calls()).toHaveLength(0);
    },
  );
});
