import { DEFAULT_REMEDIATION_POLICY_NAME } from '../../src/core/planRemediation';
import { parseRemediationRequest } from '../../src/lambda/remediationRequest';

describe('parseRemediationRequest', () => {
  it.each([
    [
      'a dry run with nothing else',
      { dryRun: true },
      { dryRun: true, policyName: DEFAULT_REMEDIATION_POLICY_NAME, resourceId: undefined },
    ],
    [
      'a run with a policy name and the account AWS Config remediates',
      { dryRun: false, policyName: 'org-ai-opt-out', resourceId: '222222222222' },
      { dryRun: false, policyName: 'org-ai-opt-out', resourceId: '222222222222' },
    ],
    [
      'runbook parameters left empty',
      { dryRun: false, policyName: '', resourceId: '' },
      { dryRun: false, policyName: DEFAULT_REMEDIATION_POLICY_NAME, resourceId: undefined },
    ],
  ])('accepts %s', (_, payload, expected) => {
    expect(parseRemediationRequest(payload)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['not an object', 'dryRun', 'The Payload must be a JSON object such as {"dryRun": true}'],
    ['an array', [{ dryRun: true }], 'The Payload must be a JSON object such as {"dryRun": true}'],
    ['null', null, 'The Payload must be a JSON object such as {"dryRun": true}'],
    ['no dryRun', {}, 'dryRun must be true or false (a JSON boolean, not a string), got nothing'],
    [
      'dryRun as a string',
      { dryRun: 'false' },
      'dryRun must be true or false (a JSON boolean, not a string), got "false"',
    ],
    [
      'an unknown field',
      { dryRun: true, PolicyName: 'x' },
      'Unknown Payload field "PolicyName"; valid fields: dryRun, policyName, resourceId',
    ],
    ['a policy name that is not a string', { dryRun: true, policyName: 7 }, 'policyName must be a string, got 7'],
    [
      'a policy name that is too long',
      { dryRun: true, policyName: 'x'.repeat(129) },
      'policyName: A policy name must have 1 to 128 characters, got 129',
    ],
    [
      'a policy name with a quote, which the runbook would have written into the JSON',
      { dryRun: true, policyName: 'x"y' },
      'policyName: A policy name may hold only printable ASCII characters other than " and \\, got "\\"" at character 2',
    ],
    [
      'a resourceId that is not an account id',
      { dryRun: true, resourceId: 'r-exam' },
      'resourceId must be a 12-digit account id, got "r-exam"',
    ],
    [
      'a resourceId that is a number',
      { dryRun: true, resourceId: 222222222222 },
      'resourceId must be a 12-digit account id, got 222222222222',
    ],
  ])('rejects %s with a message that names the field', (_, payload, message) => {
    expect(parseRemediationRequest(payload)).toEqual({ ok: false, error: message });
  });
});
