import type { UnknownCause } from '../../src/core/effectiveOptOut';
import { formatReason, formatUnknownCause, type Reason } from '../../src/core/reason';

describe('formatUnknownCause', () => {
  it.each<[string, string, UnknownCause, string]>([
    [
      'a lock under a service key',
      'lex',
      {
        kind: 'undocumentedLock',
        targetId: 'ou-exam-11111111',
        policyId: 'p-child001',
        level: 'entry',
        lock: { kind: 'locked', targetId: 'r-exam', policyIds: ['p-root0001'] },
      },
      'p-child001 on ou-exam-11111111 changes it, and AWS does not document whether ["@@none"] under services.lex in p-root0001 on r-exam stops that',
    ],
    [
      'an operator list other than ["@@none"] under opt_out_policy',
      'default',
      {
        kind: 'undocumentedLock',
        targetId: '222222222222',
        policyId: 'p-child001',
        level: 'value',
        lock: { kind: 'restricted', targetId: 'r-exam', policyIds: ['p-root0001', 'p-root0002'] },
      },
      'p-child001 on 222222222222 changes it, and AWS does not document whether the @@operators_allowed_for_child_policies list (not ["@@none"]) under services.default.opt_out_policy in p-root0001, p-root0002 on r-exam stops that',
    ],
  ])('explains %s', (_name, key, cause, expected) => {
    expect(formatUnknownCause(key, cause)).toBe(expected);
  });

  it('throws on a cause it does not know', () => {
    expect(() => formatUnknownCause('lex', { kind: 'bogus' } as never)).toThrow('Unhandled kind');
  });
});

describe('formatReason', () => {
  it.each<[string, Reason, string]>([
    [
      'a default nobody assigns on the path',
      { kind: 'notOptedOut', findings: [{ key: 'default', value: { kind: 'unset' } }], unnamedServices: undefined },
      "Not opted out: nothing assigns default on this account's path.",
    ],
    [
      'an odd service key, quoted',
      {
        kind: 'notOptedOut',
        findings: [{ key: 'le x', value: { kind: 'optIn', policyId: 'p-child001', targetId: 'r-exam' } }],
        unnamedServices: undefined,
      },
      'Opted in: "le x" via p-child001 on r-exam.',
    ],
    [
      'a compliant account with no lock required',
      {
        kind: 'compliant',
        rootId: 'r-exam',
        policyIds: ['p-a0000001', 'p-b0000001'],
        lockedLevels: [],
        allowedOptIns: [],
      },
      'Opted out of all AI services by p-a0000001, p-b0000001 on r-exam.',
    ],
  ])('says %s', (_name, reason, expected) => {
    expect(formatReason(reason)).toBe(expected);
  });

  it('throws on a reason it does not know', () => {
    expect(() => formatReason({ kind: 'bogus' } as never)).toThrow('Unhandled kind');
  });
});
