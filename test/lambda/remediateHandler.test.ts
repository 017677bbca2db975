import {
  AccessDeniedException,
  AttachPolicyCommand,
  CreatePolicyCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DEFAULT_REMEDIATION_POLICY_NAME } from '../../src/core/planRemediation';
import {
  InvalidEventError,
  RemediationAccessDeniedError,
  RemediationFailedError,
  RemediationIncompleteError,
} from '../../src/errors';
import { handler } from '../../src/lambda/remediateHandler';
import { captureOutput } from '../support/capturedOutput';
import { emfLine } from '../support/emfLine';
import { lambdaContext } from '../support/lambdaContext';
import { aiPolicy, MANAGEMENT_ID, ORG_ID, ROOT_ID } from '../support/organizationsMock';
import { optIn } from '../support/policies';
import { CREATED_ID, mockLiveOrganization, SANDBOX_ACCOUNT } from '../support/remediationMock';

const organizations = mockClient(OrganizationsClient);
const context = lambdaContext({ functionName: 'ai-services-opt-out-rule-remediate' });

const output = captureOutput();

beforeEach(() => {
  organizations.reset();
});

const logLines = output.logLines;

/** The Organizations commands sent that change something. */
function writesSent(): string[] {
  return organizations
    .calls()
    .map((call) => call.args[0].constructor.name)
    .filter((name) => /^(Enable|Disable|Create|Update|Delete|Attach|Detach)/.test(name));
}

describe('remediateHandler', () => {
  it('plans on a dry run, changes nothing, and logs one INFO line without policy content', async () => {
    // EnablePolicyType would leave the type ENABLED at once; the dry run must not send it anyway.
    mockLiveOrganization(organizations, { status: 'absent' });

    const result = await handler({ dryRun: true, resourceId: SANDBOX_ACCOUNT }, context);

    expect(writesSent()).toEqual([]);
    expect(result).toMatchObject({ organizationId: ORG_ID, dryRun: true, changed: false, done: [] });
    expect(result.plan.map((step) => step.kind)).toEqual([
      'enablePolicyType',
      'waitForPolicyType',
      'createPolicy',
      'attachPolicy',
    ]);
    expect(logLines()).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'Planned the remediation (dry run)',
        function_name: 'ai-services-opt-out-rule-remediate',
        function_request_id: 'request-1',
        organizationId: ORG_ID,
        resourceId: SANDBOX_ACCOUNT,
        policyName: DEFAULT_REMEDIATION_POLICY_NAME,
        dryRun: true,
        changed: false,
        steps: ['enablePolicyType', 'waitForPolicyType', 'createPolicy', 'attachPolicy'],
        done: [],
        remaining: ['enablePolicyType', 'waitForPolicyType', 'createPolicy', 'attachPolicy'],
        needsPerson: 0,
      }),
    ]);
    expect(output.text()).not.toContain('@@');
  });

  it('remediates with the policy name it is given and returns JSON the runbook can show', async () => {
    mockLiveOrganization(organizations, { status: 'absent' });

    const result = await handler({ dryRun: false, policyName: 'org-ai-opt-out' }, context);

    expect(writesSent()).toEqual(['EnablePolicyTypeCommand', 'CreatePolicyCommand', 'AttachPolicyCommand']);
    expect(organizations).toHaveReceivedCommandWith(CreatePolicyCommand, { Name: 'org-ai-opt-out' });
    expect(organizations).toHaveReceivedCommandWith(AttachPolicyCommand, { PolicyId: CREATED_ID, TargetId: ROOT_ID });
    expect(result).toMatchObject({ policyName: 'org-ai-opt-out', changed: true, remaining: [], needsPerson: [] });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(logLines()).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'Remediated the organization',
        changed: true,
        done: ['enablePolicyType:enabled', 'waitForPolicyType:ready', 'createPolicy:created', 'attachPolicy:attached'],
        remaining: [],
        needsPerson: 0,
      }),
    ]);
    expect(output.text()).not.toContain('@@');
  });

  it('succeeds with what needs a person listed, as the remediation did all it safely could', async () => {
    mockLiveOrganization(organizations, {
      policies: [aiPolicy('p-rootlexin', JSON.stringify(optIn('lex')), [ROOT_ID])],
    });

    const result = await handler({ dryRun: false }, context);

    expect(result.needsPerson).toEqual([
      {
        kind: 'notOptedOut',
        message: `Opted in: lex via p-rootlexin on ${ROOT_ID}.`,
        accountIds: [MANAGEMENT_ID, SANDBOX_ACCOUNT],
      },
    ]);
    expect(logLines()).toEqual([expect.objectContaining({ level: 'INFO', changed: true, needsPerson: 1 })]);
    expect(output.metricLines()).toEqual([
      emfLine([
        ['RemediationChangedOrganization', 'Count', 1],
        ['RemediationNeedsPerson', 'Count', 1],
      ]),
    ]);
  });

  it('fails, after logging, when a read after the changes still shows steps to do', async () => {
    mockLiveOrganization(organizations, { unseen: ['AttachPolicy'] });

    await expect(handler({ dryRun: false }, context)).rejects.toThrow(
      new RemediationIncompleteError([
        `attach policy "${DEFAULT_REMEDIATION_POLICY_NAME}" (${CREATED_ID}) to root ${ROOT_ID}`,
      ]),
    );
    expect(logLines().map((line) => [line.level, line.message])).toEqual([
      ['INFO', 'Remediated the organization'],
      ['ERROR', 'Organizations still shows steps to do after the remediation'],
    ]);
    expect(output.metricLines()).toEqual([
      expect.objectContaining({ RemediationChangedOrganization: 1, RemediationNeedsPerson: 0 }),
    ]);
  });

  it('fails visibly when a step fails, naming the IAM action', async () => {
    mockLiveOrganization(organizations, {
      faults: { AttachPolicy: [new AccessDeniedException({ $metadata: {}, message: 'no' })] },
    });

    const error = await handler({ dryRun: false }, context).then(
      () => undefined,
      (rejected: unknown) => rejected,
    );

    expect(error).toBeInstanceOf(RemediationFailedError);
    expect(error).toMatchObject({ cause: expect.any(RemediationAccessDeniedError) });
    expect(String(error)).toContain('Access denied to organizations:AttachPolicy');
    expect(logLines()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'The remediation failed',
        dryRun: false,
        error: expect.objectContaining({ name: 'RemediationFailedError' }),
      }),
    ]);
  });

  it.each([
    ['no dryRun', {}],
    ['dryRun as a string', { dryRun: 'true' }],
    ['an unknown field', { dryRun: true, DryRun: true }],
  ])('rejects a Payload with %s and sends nothing', async (_, payload) => {
    await expect(handler(payload, context)).rejects.toBeInstanceOf(InvalidEventError);
    expect(organizations.calls()).toHaveLength(0);
    expect(logLines()).toEqual([
      expect.objectContaining({ level: 'ERROR', message: 'Rejected the Payload; nothing was changed' }),
    ]);
  });
});
