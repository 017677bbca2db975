import type { UnknownCause } from '../../src/core/effectiveOptOut';
import { formatReason, formatUnknownCause, type Reason } from '../../src/core/reason';

const ROOT_SERVICES_LOCK = { kind: 'locked', targetId: 'r-exam', policyIds: ['p-root0001'] } as const;
const DEFAULT_CONFLICT: UnknownCause = {
  kind: 'conflict',
  key: 'default',
  targetId: 'ou-exam-11111111',
  policyIds: ['p-defin001', 'p-defout01'],
};
const UNREADABLE: UnknownCause = {
  kind: 'unreadablePolicy',
  targetId: 'ou-exam-11111111',
  policyId: 'p-broken01',
  failure: { kind: 'missingServices' },
};

describe('formatUnknownCause', () => {
  it.each<[string, string, UnknownCause, string]>([
    [
      'a lock under a service key',
      'lex',
      {
        kind: 'undocumentedLock',
        key: 'lex',
        targetId: 'ou-exam-11111111',
        policyId: 'p-child001',
        level: 'entry',
        lock: ROOT_SERVICES_LOCK,
      },
      'p-child001 on ou-exam-11111111 changes it, and AWS does not document whether ["@@none"] under services.lex in p-root0001 on r-exam stops that',
    ],
    [
      'an operator list other than ["@@none"] under opt_out_policy',
      'default',
      {
        kind: 'undocumentedLock',
        key: 'default',
        targetId: '222222222222',
        policyId: 'p-child001',
        level: 'value',
        lock: { kind: 'restricted', targetId: 'r-exam', policyIds: ['p-root0001', 'p-root0002'] },
      },
      'p-child001 on 222222222222 changes it, and AWS does not document whether the @@operators_allowed_for_child_policies list (not ["@@none"]) under services.default.opt_out_policy in p-root0001, p-root0002 on r-exam stops that',
    ],
    [
      'a lock an OU set below a lock of the root',
      'lex',
      {
        kind: 'undocumentedLock',
        key: 'lex',
        targetId: '222222222222',
        policyId: 'p-acctlexin',
        level: 'value',
        lock: {
          kind: 'uncertainLock',
          lock: { kind: 'locked', targetId: 'ou-exam-11111111', policyIds: ['p-oulexlock'] },
          ancestorLevel: 'services',
          ancestor: ROOT_SERVICES_LOCK,
        },
      },
      'p-acctlexin on 222222222222 changes it, and AWS does not document whether ["@@none"] under services.lex.opt_out_policy in p-oulexlock on ou-exam-11111111, set below ["@@none"] under services in p-root0001 on r-exam, stops that',
    ],
    [
      'a lock an OU set below an unreadable policy',
      'lex',
      {
        kind: 'undocumentedLock',
        key: 'lex',
        targetId: '222222222222',
        policyId: 'p-acctlexin',
        level: 'value',
        lock: {
          kind: 'uncertainLock',
          lock: { kind: 'locked', targetId: 'ou-exam-22222222', policyIds: ['p-oulexlock'] },
          ancestorLevel: 'value',
          ancestor: UNREADABLE,
        },
      },
      'p-acctlexin on 222222222222 changes it, and AWS does not document whether ["@@none"] under services.lex.opt_out_policy in p-oulexlock on ou-exam-22222222, set below p-broken01 on ou-exam-11111111 (not a valid AI opt-out policy), stops that',
    ],
    [
      "a key that falls back to default's unknown value",
      'lex',
      DEFAULT_CONFLICT,
      'follows default: p-defin001, p-defout01 on ou-exam-11111111 set different values; AWS picks by attachment order, which no API returns',
    ],
    [
      'any key below an unreadable policy',
      'lex',
      UNREADABLE,
      'p-broken01 on ou-exam-11111111 is not a valid AI opt-out policy: it has no "services" object at the top level',
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
      'the keys that follow default once, after the cause of default',
      {
        kind: 'notOptedOut',
        findings: [
          { key: 'default', value: { kind: 'unknown', cause: DEFAULT_CONFLICT } },
          { key: 'lex', value: { kind: 'unknown', cause: DEFAULT_CONFLICT } },
          { key: 'polly', value: { kind: 'unknown', cause: DEFAULT_CONFLICT } },
        ],
        unnamedServices: undefined,
      },
      'Unknown: default: p-defin001, p-defout01 on ou-exam-11111111 set different values; AWS picks by attachment order, which no API returns; lex, polly follow default.',
    ],
    [
      'one key that follows default',
      {
        kind: 'notOptedOut',
        findings: [
          { key: 'default', value: { kind: 'unknown', cause: DEFAULT_CONFLICT } },
          { key: 'lex', value: { kind: 'unknown', cause: DEFAULT_CONFLICT } },
        ],
        unnamedServices: undefined,
      },
      'Unknown: default: p-defin001, p-defout01 on ou-exam-11111111 set different values; AWS picks by attachment order, which no API returns; lex follows default.',
    ],
    [
      'an unreadable policy once for every key it makes unknown',
      {
        kind: 'notOptedOut',
        findings: [
          { key: 'default', value: { kind: 'unknown', cause: UNREADABLE } },
          { key: 'lex', value: { kind: 'unknown', cause: { ...DEFAULT_CONFLICT, key: 'lex' } } },
          { key: 'polly', value: { kind: 'unknown', cause: { ...UNREADABLE } } },
        ],
        unnamedServices: { kind: 'unknown', cause: UNREADABLE },
      },
      'Unknown: default, polly, any other service: p-broken01 on ou-exam-11111111 is not a valid AI opt-out policy: it has no "services" object at the top level; lex: p-defin001, p-defout01 on ou-exam-11111111 set different values; AWS picks by attachment order, which no API returns.',
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
    [
      'values AWS settles for two conflicts, each named once',
      {
        kind: 'conflictSettledNotOptedOut',
        accountId: '222222222222',
        settled: [
          { key: 'default', cause: DEFAULT_CONFLICT, aws: 'unset' },
          { key: 'le x', cause: { ...DEFAULT_CONFLICT, key: 'le x', targetId: '222222222222' }, aws: 'optIn' },
          { key: 'lex', cause: DEFAULT_CONFLICT, aws: 'optIn' },
        ],
      },
      'Not opted out per AWS\'s effective policy of account 222222222222, which settles what p-defin001, p-defout01 on ou-exam-11111111 set differently: default not set, lex optIn; and what p-defin001, p-defout01 on 222222222222 set differently: "le x" optIn. Make those policies agree on optOut.',
    ],
  ])('says %s', (_name, reason, expected) => {
    expect(formatReason(reason)).toBe(expected);
  });

  it('throws on a reason it does not know', () => {
    expect(() => formatReason({ kind: 'bogus' } as never)).toThrow('Unhandled kind');
  });
});
