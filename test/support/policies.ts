/** Policy documents from the seed documents, verbatim in substance. */

const NONE = ['@@none'];

/** Seed 004, the basic syntax example: meant for an account; one service out, one in. */
export const SEED_004_BASIC = {
  services: {
    rekognition: { opt_out_policy: { '@@assign': 'optOut' } },
    lex: { opt_out_policy: { '@@assign': 'optIn' } },
  },
};

/** Seed 004, the root example: default out, comprehend locked out, rekognition in for the whole organization. */
export const SEED_004_ROOT_EXAMPLE = {
  services: {
    default: { opt_out_policy: { '@@assign': 'optOut' } },
    comprehend: { opt_out_policy: { '@@operators_allowed_for_child_policies': NONE, '@@assign': 'optOut' } },
    rekognition: { opt_out_policy: { '@@assign': 'optIn' } },
  },
};

/** Seed 004, Example 1: opted out of every AI service, locked at all three levels. */
export const SEED_004_EXAMPLE_1 = {
  services: {
    '@@operators_allowed_for_child_policies': NONE,
    default: {
      '@@operators_allowed_for_child_policies': NONE,
      opt_out_policy: { '@@operators_allowed_for_child_policies': NONE, '@@assign': 'optOut' },
    },
  },
};

/** Seed 004, Example 2, the parent: default locked, but no lock under services. */
export const SEED_004_EXAMPLE_2_PARENT = {
  services: {
    default: {
      '@@operators_allowed_for_child_policies': NONE,
      opt_out_policy: { '@@operators_allowed_for_child_policies': NONE, '@@assign': 'optOut' },
    },
  },
};

/** Seed 004, Example 2, the child: opts in to Lex only. */
export const SEED_004_EXAMPLE_2_CHILD = { services: { lex: { opt_out_policy: { '@@assign': 'optIn' } } } };

/** Seed 004, Example 3: one service out and locked; nothing about default. */
export const SEED_004_EXAMPLE_3 = {
  services: {
    rekognition: { opt_out_policy: { '@@assign': 'optOut', '@@operators_allowed_for_child_policies': NONE } },
  },
};

/** Seed 000, the scanner's remediation: default locked, but no lock under services. */
export const SEED_000 = SEED_004_EXAMPLE_2_PARENT;

/** Seeds 001 and 002, the guides' policy: default out, no lock at all. */
export const SEED_001 = { services: { default: { opt_out_policy: { '@@assign': 'optOut' } } } };
export const SEED_002 = SEED_001;

/** A child policy that opts one service in. */
export function optIn(service: string): object {
  return { services: { [service]: { opt_out_policy: { '@@assign': 'optIn' } } } };
}

/** A child policy that opts one service out. */
export function optOut(service: string): object {
  return { services: { [service]: { opt_out_policy: { '@@assign': 'optOut' } } } };
}
