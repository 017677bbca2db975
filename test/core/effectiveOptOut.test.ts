import {
  applyNode,
  EMPTY_PATH,
  type KeyValue,
  type Lock,
  lockedLevels,
  type PathState,
  toEffectiveOptOut,
} from '../../src/core/effectiveOptOut';
import { parseOptOutPolicy } from '../../src/core/parseOptOutPolicy';
import {
  optIn,
  optOut,
  SEED_000,
  SEED_001,
  SEED_004_BASIC,
  SEED_004_EXAMPLE_1,
  SEED_004_EXAMPLE_2_CHILD,
  SEED_004_EXAMPLE_2_PARENT,
  SEED_004_EXAMPLE_3,
  SEED_004_ROOT_EXAMPLE,
} from '../support/policies';

type Node = readonly [targetId: string, policies: readonly (readonly [policyId: string, content: object | string])[]];

const ROOT = 'r-exam';
const OU = 'ou-exam-11111111';
const CHILD_OU = 'ou-exam-22222222';
const ACCOUNT = '222222222222';

function stateAlong(path: readonly Node[]): PathState {
  return path.reduce(
    (state, [targetId, policies]) =>
      applyNode(state, {
        targetId,
        policies: policies.map(([policyId, content]) => ({
          policyId,
          document: parseOptOutPolicy(typeof content === 'string' ? content : JSON.stringify(content)),
        })),
      }),
    EMPTY_PATH,
  );
}

function lock({ kind, policyIds, targetId }: Lock): string {
  return `${kind} ${policyIds.join(',')}@${targetId}`;
}

/** A short, readable form of a value: `optOut p-root@r-exam`, `unknown conflict p-a,p-b@ou-...`. */
function brief(value: KeyValue): string {
  switch (value.kind) {
    case 'optOut':
    case 'optIn':
      return `${value.kind} ${value.policyId}@${value.targetId}`;
    case 'unset':
      return 'unset';
    default: {
      const cause = value.cause;
      if (cause.kind === 'conflict')
        return `unknown ${cause.key} conflict ${cause.policyIds.join(',')}@${cause.targetId}`;
      if (cause.kind === 'unreadablePolicy') return `unknown unreadable ${cause.policyId}@${cause.targetId}`;
      const by = `by ${cause.policyId}@${cause.targetId}`;
      if (cause.lock.kind !== 'uncertainLock') return `unknown ${cause.key} ${cause.level} ${lock(cause.lock)} ${by}`;
      const { ancestor, ancestorLevel } = cause.lock;
      const below =
        ancestor.kind === 'unreadablePolicy' ? `unreadable ${ancestor.policyId}@${ancestor.targetId}` : lock(ancestor);
      return `unknown ${cause.key} ${cause.level} ${lock(cause.lock.lock)} below ${ancestorLevel} ${below} ${by}`;
    }
  }
}

function effective(path: readonly Node[]) {
  const result = toEffectiveOptOut(stateAlong(path));
  return {
    default: brief(result.default),
    services: Object.fromEntries([...result.services].map(([key, value]) => [key, brief(value)])),
    unnamed: result.unnamedServices === undefined ? undefined : brief(result.unnamedServices),
  };
}

const LOCKED_DEFAULT_ONLY = {
  services: {
    '@@operators_allowed_for_child_policies': ['@@none'],
    default: { opt_out_policy: { '@@assign': 'optOut' } },
  },
};
const ENTRY_LOCK_ONLY = {
  services: {
    default: { '@@operators_allowed_for_child_policies': ['@@none'], opt_out_policy: { '@@assign': 'optOut' } },
  },
};
const RESTRICTED_VALUE = {
  services: {
    default: { opt_out_policy: { '@@operators_allowed_for_child_policies': ['@@append'], '@@assign': 'optOut' } },
  },
};
const RESTRICTED_SERVICES = {
  services: {
    '@@operators_allowed_for_child_policies': ['@@append'],
    default: { opt_out_policy: { '@@assign': 'optOut' } },
  },
};
const LOCK_LEX_ONLY = {
  services: { lex: { opt_out_policy: { '@@operators_allowed_for_child_policies': ['@@none'], '@@assign': 'optOut' } } },
};
const LOCK_DEFAULT_VALUE = {
  services: {
    default: { opt_out_policy: { '@@operators_allowed_for_child_policies': ['@@none'], '@@assign': 'optOut' } },
  },
};
const LOCK_LEX_ENTRY = {
  services: { lex: { '@@operators_allowed_for_child_policies': ['@@none'], opt_out_policy: { '@@assign': 'optOut' } } },
};
const SERVICES_AND_ENTRY_LOCKED = {
  services: {
    '@@operators_allowed_for_child_policies': ['@@none'],
    default: { '@@operators_allowed_for_child_policies': ['@@none'], opt_out_policy: { '@@assign': 'optOut' } },
  },
};
const COMPREHEND_IN = { services: { comprehend: { opt_out_policy: { '@@assign': 'optIn' } } } };
const REKOGNITION_OUT = { services: { rekognition: { opt_out_policy: { '@@assign': 'optOut' } } } };
const LOWERCASE = { services: { default: { opt_out_policy: { '@@assign': 'optout' } } } };

describe('toEffectiveOptOut after applyNode', () => {
  it.each<[string, readonly Node[], ReturnType<typeof effective>]>([
    [
      'nothing attached anywhere',
      [
        [ROOT, []],
        [ACCOUNT, []],
      ],
      { default: 'unset', services: {}, unnamed: undefined },
    ],
    [
      'seed 004 Example 1 on the root',
      [
        [ROOT, [['p-root', SEED_004_EXAMPLE_1]]],
        [ACCOUNT, []],
      ],
      { default: 'optOut p-root@r-exam', services: {}, unnamed: undefined },
    ],
    [
      'seed 004 Example 2: the parent on the root, the child (lex optIn) on the account',
      [
        [ROOT, [['p-root', SEED_004_EXAMPLE_2_PARENT]]],
        [ACCOUNT, [['p-child', SEED_004_EXAMPLE_2_CHILD]]],
      ],
      { default: 'optOut p-root@r-exam', services: { lex: 'optIn p-child@222222222222' }, unnamed: undefined },
    ],
    [
      'seed 004 Example 2 child under Example 1: the lock under services keeps lex out',
      [
        [ROOT, [['p-root', SEED_004_EXAMPLE_1]]],
        [ACCOUNT, [['p-child', SEED_004_EXAMPLE_2_CHILD]]],
      ],
      { default: 'optOut p-root@r-exam', services: { lex: 'optOut p-root@r-exam' }, unnamed: undefined },
    ],
    [
      'seed 004 basic syntax on an account under seed 000: lex opts in',
      [
        [ROOT, [['p-root', SEED_000]]],
        [OU, []],
        [ACCOUNT, [['p-acct', SEED_004_BASIC]]],
      ],
      {
        default: 'optOut p-root@r-exam',
        services: { lex: 'optIn p-acct@222222222222', rekognition: 'optOut p-acct@222222222222' },
        unnamed: undefined,
      },
    ],
    [
      'seed 004 root example: comprehend is locked, rekognition may be changed',
      [
        [ROOT, [['p-root', SEED_004_ROOT_EXAMPLE]]],
        [OU, [['p-ou', { services: { ...COMPREHEND_IN.services, ...REKOGNITION_OUT.services } }]]],
        [ACCOUNT, []],
      ],
      {
        default: 'optOut p-root@r-exam',
        services: { comprehend: 'optOut p-root@r-exam', rekognition: 'optOut p-ou@ou-exam-11111111' },
        unnamed: undefined,
      },
    ],
    [
      'seed 004 Example 3 on the root: nothing assigns default',
      [
        [ROOT, [['p-root', SEED_004_EXAMPLE_3]]],
        [ACCOUNT, [['p-acct', optIn('rekognition')]]],
      ],
      { default: 'unset', services: { rekognition: 'optOut p-root@r-exam' }, unnamed: undefined },
    ],
    [
      'seed 000 on the root and lex opted in on an OU',
      [
        [ROOT, [['p-root', SEED_000]]],
        [OU, [['p-ou', optIn('lex')]]],
        [ACCOUNT, []],
      ],
      { default: 'optOut p-root@r-exam', services: { lex: 'optIn p-ou@ou-exam-11111111' }, unnamed: undefined },
    ],
    [
      'seed 000 on the root and default opted in on an OU: the value lock holds',
      [
        [ROOT, [['p-root', SEED_000]]],
        [OU, [['p-ou', optIn('default')]]],
        [ACCOUNT, []],
      ],
      { default: 'optOut p-root@r-exam', services: {}, unnamed: undefined },
    ],
    [
      'seed 001 on the root and default opted in on the account: nothing locks it',
      [
        [ROOT, [['p-root', SEED_001]]],
        [ACCOUNT, [['p-acct', optIn('default')]]],
      ],
      { default: 'optIn p-acct@222222222222', services: {}, unnamed: undefined },
    ],
    [
      'a lock in a parent OU holds a value against a child OU',
      [
        [ROOT, [['p-root', SEED_001]]],
        [OU, [['p-parent', LOCK_LEX_ONLY]]],
        [CHILD_OU, [['p-childou', optIn('lex')]]],
        [ACCOUNT, [['p-acct', optIn('lex')]]],
      ],
      { default: 'optOut p-root@r-exam', services: { lex: 'optOut p-parent@ou-exam-11111111' }, unnamed: undefined },
    ],
    [
      'a child OU changing a value only an entry lock guards',
      [
        [ROOT, [['p-root', ENTRY_LOCK_ONLY]]],
        [OU, [['p-ou', optIn('default')]]],
        [ACCOUNT, []],
      ],
      {
        default: 'unknown default entry locked p-root@r-exam by p-ou@ou-exam-11111111',
        services: {},
        unnamed: undefined,
      },
    ],
    [
      'a child OU changing default when only services is locked',
      [
        [ROOT, [['p-root', LOCKED_DEFAULT_ONLY]]],
        [OU, [['p-ou', optIn('default')]]],
        [ACCOUNT, []],
      ],
      {
        default: 'unknown default services locked p-root@r-exam by p-ou@ou-exam-11111111',
        services: {},
        unnamed: undefined,
      },
    ],
    [
      'a child OU repeating the guarded value: certain either way',
      [
        [ROOT, [['p-root', LOCKED_DEFAULT_ONLY]]],
        [OU, [['p-ou', optOut('default')]]],
        [ACCOUNT, []],
      ],
      { default: 'optOut p-root@r-exam', services: {}, unnamed: undefined },
    ],
    [
      'a change under a child-control list that is not ["@@none"]',
      [
        [ROOT, [['p-root', RESTRICTED_VALUE]]],
        [ACCOUNT, [['p-acct', optIn('default')]]],
      ],
      {
        default: 'unknown default value restricted p-root@r-exam by p-acct@222222222222',
        services: {},
        unnamed: undefined,
      },
    ],
    [
      'a new service key under a services list that is not ["@@none"], same value as default',
      [
        [ROOT, [['p-root', RESTRICTED_SERVICES]]],
        [ACCOUNT, [['p-acct', optOut('lex')]]],
      ],
      { default: 'optOut p-root@r-exam', services: { lex: 'optOut p-root@r-exam' }, unnamed: undefined },
    ],
    [
      'a new service key under a services list that is not ["@@none"], opting in',
      [
        [ROOT, [['p-root', RESTRICTED_SERVICES]]],
        [ACCOUNT, [['p-acct', optIn('lex')]]],
      ],
      {
        default: 'optOut p-root@r-exam',
        services: { lex: 'unknown lex services restricted p-root@r-exam by p-acct@222222222222' },
        unnamed: undefined,
      },
    ],
    [
      'two policies on the root that agree',
      [
        [
          ROOT,
          [
            ['p-a', SEED_001],
            ['p-b', SEED_004_EXAMPLE_1],
          ],
        ],
        [ACCOUNT, []],
      ],
      { default: 'optOut p-a@r-exam', services: {}, unnamed: undefined },
    ],
    [
      'two policies on one OU that set lex differently',
      [
        [ROOT, [['p-root', SEED_000]]],
        [
          OU,
          [
            ['p-in', optIn('lex')],
            ['p-out', optOut('lex')],
          ],
        ],
        [ACCOUNT, []],
      ],
      {
        default: 'optOut p-root@r-exam',
        services: { lex: 'unknown lex conflict p-in,p-out@ou-exam-11111111' },
        unnamed: undefined,
      },
    ],
    [
      'two policies on the root that set default differently',
      [
        [
          ROOT,
          [
            ['p-out', SEED_004_EXAMPLE_1],
            ['p-in', optIn('default')],
          ],
        ],
        [ACCOUNT, []],
      ],
      { default: 'unknown default conflict p-out,p-in@r-exam', services: {}, unnamed: undefined },
    ],
    [
      'two policies on one node: their locks intersect, so one lock binds the children',
      [
        [
          ROOT,
          [
            ['p-a', SEED_001],
            ['p-b', LOCKED_DEFAULT_ONLY],
          ],
        ],
        [ACCOUNT, [['p-acct', optIn('lex')]]],
      ],
      { default: 'optOut p-a@r-exam', services: { lex: 'optOut p-a@r-exam' }, unnamed: undefined },
    ],
    [
      'a policy on the same node as a lock is not bound by it',
      [
        [
          ROOT,
          [
            ['p-a', SEED_004_EXAMPLE_1],
            ['p-b', optIn('lex')],
          ],
        ],
        [ACCOUNT, []],
      ],
      { default: 'optOut p-a@r-exam', services: { lex: 'optIn p-b@r-exam' }, unnamed: undefined },
    ],
    [
      'two policies on an OU that disagree on a value only an outer lock guards',
      [
        [ROOT, [['p-root', LOCKED_DEFAULT_ONLY]]],
        [
          OU,
          [
            ['p-in', optIn('default')],
            ['p-out', optOut('default')],
          ],
        ],
        [ACCOUNT, []],
      ],
      { default: 'unknown default conflict p-in,p-out@ou-exam-11111111', services: {}, unnamed: undefined },
    ],
    [
      'lowercase optout on the root: the policy is unreadable and could say anything',
      [
        [ROOT, [['p-root', LOWERCASE]]],
        [ACCOUNT, []],
      ],
      { default: 'unknown unreadable p-root@r-exam', services: {}, unnamed: 'unknown unreadable p-root@r-exam' },
    ],
    [
      'an unreadable policy on an OU under a fully locked root touches nothing',
      [
        [ROOT, [['p-root', SEED_004_EXAMPLE_1]]],
        [OU, [['p-bad', '{']]],
        [ACCOUNT, [['p-acct', optIn('lex')]]],
      ],
      { default: 'optOut p-root@r-exam', services: { lex: 'optOut p-root@r-exam' }, unnamed: undefined },
    ],
    [
      'an unreadable policy on an OU under seed 000 could add any service',
      [
        [ROOT, [['p-root', SEED_000]]],
        [OU, [['p-bad', '{']]],
        [ACCOUNT, []],
      ],
      { default: 'optOut p-root@r-exam', services: {}, unnamed: 'unknown unreadable p-bad@ou-exam-11111111' },
    ],
    [
      'an unreadable policy on an OU under seed 001 could change default too',
      [
        [ROOT, [['p-root', SEED_001]]],
        [OU, [['p-bad', '{']]],
        [ACCOUNT, []],
      ],
      {
        default: 'unknown unreadable p-bad@ou-exam-11111111',
        services: {},
        unnamed: 'unknown unreadable p-bad@ou-exam-11111111',
      },
    ],
    [
      'an unreadable policy beside a readable one on the same OU',
      [
        [ROOT, [['p-root', SEED_000]]],
        [
          OU,
          [
            ['p-lex', optOut('lex')],
            ['p-bad', '[]'],
            ['p-bad2', '{'],
          ],
        ],
        [ACCOUNT, []],
      ],
      {
        default: 'optOut p-root@r-exam',
        services: { lex: 'unknown unreadable p-bad@ou-exam-11111111' },
        unnamed: 'unknown unreadable p-bad@ou-exam-11111111',
      },
    ],
    [
      'a descendant changing a value an unreadable ancestor may have locked',
      [
        [ROOT, [['p-root', SEED_001]]],
        [OU, [['p-bad', '{']]],
        [CHILD_OU, [['p-fix', optOut('default')]]],
        [ACCOUNT, []],
      ],
      {
        default: 'unknown unreadable p-bad@ou-exam-11111111',
        services: {},
        unnamed: 'unknown unreadable p-bad@ou-exam-11111111',
      },
    ],
    [
      'a new key below an unreadable ancestor and a later services lock',
      [
        [ROOT, [['p-root', SEED_000]]],
        [OU, [['p-bad', '{']]],
        [CHILD_OU, [['p-lock', LOCKED_DEFAULT_ONLY]]],
        [ACCOUNT, [['p-acct', optOut('lex')]]],
      ],
      {
        default: 'optOut p-root@r-exam',
        services: { lex: 'unknown unreadable p-bad@ou-exam-11111111' },
        unnamed: 'unknown unreadable p-bad@ou-exam-11111111',
      },
    ],
    [
      'a new key below an unreadable ancestor with services still open',
      [
        [ROOT, [['p-root', SEED_000]]],
        [OU, [['p-bad', '{']]],
        [ACCOUNT, [['p-acct', optOut('lex')]]],
      ],
      {
        default: 'optOut p-root@r-exam',
        services: { lex: 'unknown unreadable p-bad@ou-exam-11111111' },
        unnamed: 'unknown unreadable p-bad@ou-exam-11111111',
      },
    ],
    [
      "a value lock an OU restates under the root's lock under services: AWS does not say it binds (issue 8)",
      [
        [
          ROOT,
          [
            ['p-root', SEED_004_EXAMPLE_1],
            ['p-lex', optOut('lex')],
          ],
        ],
        [OU, [['p-oulock', LOCK_LEX_ONLY]]],
        [ACCOUNT, [['p-acct', optIn('lex')]]],
      ],
      {
        default: 'optOut p-root@r-exam',
        services: {
          lex: 'unknown lex value locked p-oulock@ou-exam-11111111 below services locked p-root@r-exam by p-acct@222222222222',
        },
        unnamed: undefined,
      },
    ],
    [
      'the same value restated under that uncertain lock: certain either way',
      [
        [
          ROOT,
          [
            ['p-root', SEED_004_EXAMPLE_1],
            ['p-lex', optOut('lex')],
          ],
        ],
        [OU, [['p-oulock', LOCK_LEX_ONLY]]],
        [ACCOUNT, [['p-acct', optOut('lex')]]],
      ],
      { default: 'optOut p-root@r-exam', services: { lex: 'optOut p-lex@r-exam' }, unnamed: undefined },
    ],
    [
      "a value lock an OU restates under the root's entry lock",
      [
        [ROOT, [['p-root', SERVICES_AND_ENTRY_LOCKED]]],
        [OU, [['p-oulock', LOCK_DEFAULT_VALUE]]],
        [ACCOUNT, [['p-acct', optIn('default')]]],
      ],
      {
        default:
          'unknown default value locked p-oulock@ou-exam-11111111 below entry locked p-root@r-exam by p-acct@222222222222',
        services: {},
        unnamed: undefined,
      },
    ],
    [
      'a value lock an OU restates under a list that is not ["@@none"] at the same level',
      [
        [ROOT, [['p-root', RESTRICTED_VALUE]]],
        [OU, [['p-oulock', LOCK_DEFAULT_VALUE]]],
        [ACCOUNT, [['p-acct', optIn('default')]]],
      ],
      {
        default:
          'unknown default value locked p-oulock@ou-exam-11111111 below value restricted p-root@r-exam by p-acct@222222222222',
        services: {},
        unnamed: undefined,
      },
    ],
    [
      'a value lock under an entry lock that was itself uncertain names the nearer one',
      [
        [
          ROOT,
          [
            ['p-root', SEED_004_EXAMPLE_1],
            ['p-lex', optOut('lex')],
          ],
        ],
        [OU, [['p-ouentry', LOCK_LEX_ENTRY]]],
        [CHILD_OU, [['p-childou', LOCK_LEX_ONLY]]],
        [ACCOUNT, [['p-acct', optIn('lex')]]],
      ],
      {
        default: 'optOut p-root@r-exam',
        services: {
          lex: 'unknown lex value locked p-childou@ou-exam-22222222 below entry locked p-ouentry@ou-exam-11111111 by p-acct@222222222222',
        },
        unnamed: undefined,
      },
    ],
    [
      'a value lock added below an unreadable policy',
      [
        [ROOT, [['p-root', SEED_001]]],
        [OU, [['p-bad', '{']]],
        [CHILD_OU, [['p-childou', LOCK_LEX_ONLY]]],
        [ACCOUNT, [['p-acct', optIn('lex')]]],
      ],
      {
        default: 'unknown unreadable p-bad@ou-exam-11111111',
        services: {
          lex: 'unknown lex value locked p-childou@ou-exam-22222222 below value unreadable p-bad@ou-exam-11111111 by p-acct@222222222222',
        },
        unnamed: 'unknown unreadable p-bad@ou-exam-11111111',
      },
    ],
    [
      'a lock under services added below a services list that is not ["@@none"] does not keep new keys out',
      [
        [ROOT, [['p-root', RESTRICTED_SERVICES]]],
        [OU, [['p-oulock', LOCKED_DEFAULT_ONLY]]],
        [ACCOUNT, [['p-acct', optIn('lex')]]],
      ],
      {
        default: 'optOut p-root@r-exam',
        services: {
          lex: 'unknown lex services locked p-oulock@ou-exam-11111111 below services restricted p-root@r-exam by p-acct@222222222222',
        },
        unnamed: undefined,
      },
    ],
    [
      'a lock an OU adds where every guard above is open binds its descendants',
      [
        [ROOT, [['p-root', SEED_001]]],
        [OU, [['p-oulock', LOCKED_DEFAULT_ONLY]]],
        [ACCOUNT, [['p-acct', optIn('lex')]]],
      ],
      {
        default: 'optOut p-oulock@ou-exam-11111111',
        services: { lex: 'optOut p-oulock@ou-exam-11111111' },
        unnamed: undefined,
      },
    ],
  ])('%s', (_name, path, expected) => {
    expect(effective(path)).toEqual(expected);
  });
});

describe('lockedLevels', () => {
  it.each<[string, readonly Node[], ReturnType<typeof lockedLevels>]>([
    [
      'seed 004 Example 1',
      [[ROOT, [['p', SEED_004_EXAMPLE_1]]]],
      { services: true, default: true, opt_out_policy: true },
    ],
    ['seed 000', [[ROOT, [['p', SEED_000]]]], { services: false, default: true, opt_out_policy: true }],
    ['seed 001', [[ROOT, [['p', SEED_001]]]], { services: false, default: false, opt_out_policy: false }],
    ['no default at all', [[ROOT, [['p', LOCK_LEX_ONLY]]]], { services: false, default: false, opt_out_policy: false }],
    [
      'a list other than ["@@none"]',
      [[ROOT, [['p', RESTRICTED_SERVICES]]]],
      { services: false, default: false, opt_out_policy: false },
    ],
    [
      'locks spread over two policies on the root',
      [
        [
          ROOT,
          [
            ['p-a', SEED_000],
            ['p-b', LOCKED_DEFAULT_ONLY],
          ],
        ],
      ],
      { services: true, default: true, opt_out_policy: true },
    ],
  ])('reads %s', (_name, path, expected) => {
    expect(lockedLevels(stateAlong(path))).toEqual(expected);
  });
});
