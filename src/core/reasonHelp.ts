import type { Reason } from './reason';

/** What a kind of reason means and how to fix it: the help of reports (SARIF rules) and of docs/report-formats.md. */
export interface ReasonHelp {
  /** A few words: what went wrong, or right. */
  readonly title: string;
  /** What the reason means, in a sentence or two. */
  readonly meaning: string;
  /** What a person does about it. */
  readonly fix: string;
}

/** The help of every kind of reason; a new kind does not compile without its help. */
export const REASON_HELP: Readonly<Record<Reason['kind'], ReasonHelp>> = {
  compliant: {
    title: 'Opted out of all AI services',
    meaning:
      "The root's policies assign optOut to default with every lock RequiredLocks names, and every key on the account's path is optOut or an allowed optIn.",
    fix: 'Nothing to do.',
  },
  notActive: {
    title: 'Account not active',
    meaning:
      'The account is not ACTIVE (it is suspended, pending activation, pending closure or closed), so it is not evaluated.',
    fix: 'Nothing to do.',
  },
  featureSetNotAll: {
    title: 'Organization without all features',
    meaning:
      'The organization has only consolidated billing features; AI opt-out policies need all features, so none applies.',
    fix: 'Enable all features in AWS Organizations, then enable and attach an AI opt-out policy.',
  },
  policyTypeNotEnabled: {
    title: 'AI opt-out policy type not enabled',
    meaning:
      'AISERVICES_OPT_OUT_POLICY is absent, PENDING_ENABLE or PENDING_DISABLE on the root, so no AI opt-out policy applies.',
    fix: 'Enable the AISERVICES_OPT_OUT_POLICY policy type on the root, then wait until it is ENABLED.',
  },
  noRootPolicy: {
    title: 'No AI opt-out policy on the root',
    meaning: 'No AI opt-out policy is attached to the root, so nothing opts the organization out.',
    fix: 'Attach to the root a policy that assigns optOut to default with the locks RequiredLocks names (remediate does it).',
  },
  rootDefaultNotOptOut: {
    title: 'Root does not opt default out',
    meaning:
      "The root's policies do not assign optOut to default: they assign optIn, assign nothing, or a malformed policy or a conflict leaves the value unknown.",
    fix: "Make the root's policies assign optOut under services.default.opt_out_policy, spelled exactly so.",
  },
  rootNotLocked: {
    title: 'Root policy not locked',
    meaning:
      'A level named by RequiredLocks lacks ["@@none"] in the root\'s policies, so a child policy can opt a service, or default, back in.',
    fix: 'Add "@@operators_allowed_for_child_policies": ["@@none"] at that level of the root\'s policy.',
  },
  notOptedOut: {
    title: 'Account not opted out',
    meaning:
      "A key's effective value for the account is optIn (and not allowed), set by nobody, or unknown (a malformed policy, a conflict on one node, an undocumented lock); the message names each key with the policy and target behind it.",
    fix: 'Remove the opt-in or fix the named policy, and lock services on the root so that no child policy can opt a service in.',
  },
  leftOrganization: {
    title: 'Account left the organization',
    meaning: 'An earlier result of an account that is no longer in the organization (AWS Config only).',
    fix: 'Nothing to do.',
  },
  invalidEffectivePolicy: {
    title: 'Effective policy invalid',
    meaning:
      "AWS reports the account's effective AI opt-out policy as invalid: it is not fully enforced, whatever the policies say.",
    fix: 'Run aws organizations list-effective-policy-validation-errors for the account and fix the policies it names.',
  },
  modelDisagreesWithAws: {
    title: 'Rule and AWS disagree',
    meaning:
      "AWS's effective policy of the account gives a key another value than this rule reads from the policies (AWS Config cross-check only).",
    fix: "Report it with the function's logs: the rule misreads AWS's merge. Until then the account counts as not opted out.",
  },
  unreadableEffectivePolicy: {
    title: "AWS's effective policy unreadable",
    meaning:
      'AWS answered DescribeEffectivePolicy in a shape this rule does not read, so it cannot tell what AWS applies (AWS Config cross-check only).',
    fix: "Report it with the function's logs.",
  },
  conflictSettledOptedOut: {
    title: 'Opted out, as AWS settles a conflict',
    meaning:
      "The only doubt was two policies on one node that set a key differently, and AWS's effective policy applies optOut, or an allowed optIn.",
    fix: 'Make those policies agree, so that they alone prove it.',
  },
  conflictSettledNotOptedOut: {
    title: 'Not opted out, as AWS settles a conflict',
    meaning:
      "The only doubt was two policies on one node that set a key differently, and AWS's effective policy applies optIn or nothing to the keys named.",
    fix: 'Make those policies agree on optOut.',
  },
};
