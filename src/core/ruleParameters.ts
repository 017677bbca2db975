import { formatQuoted } from './jsonKeys';
import { DEFAULT_SERVICE_KEY } from './parseOptOutPolicy';
import { fail, ok, type Result } from './result';

/** The levels where the root's policies can carry `["@@none"]`, outermost first. */
export const LOCK_LEVELS = ['services', 'default', 'opt_out_policy'] as const;
export type LockLevel = (typeof LOCK_LEVELS)[number];

/** The rule parameter names, as AWS Config passes them in `ruleParameters`. */
export const RULE_PARAMETER_NAMES = [
  'RequiredLocks',
  'AllowedOptInServices',
  'Scope',
  'ExecutionRoleName',
  'CrossCheckAccounts',
] as const;
export type RuleParameterName = (typeof RULE_PARAMETER_NAMES)[number];

/**
 * Which evaluations one invocation puts: `Organization`, every account's (the rule runs in the central account);
 * `Account`, only the invoking account's (organization rules and conformance packs in member accounts).
 */
export const SCOPES = ['Organization', 'Account'] as const;
export type Scope = (typeof SCOPES)[number];

/** The role the function assumes in a member account to put that account's evaluation, when none is named. */
export const DEFAULT_EXECUTION_ROLE_NAME = 'AiOptOutConfigRulePutEvaluations';

// IAM role names: 1 to 64 of letters, digits and +=,.@_- (IAM API reference, CreateRole RoleName).
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** How many accounts a run cross-checks against AWS's own effective policy when CrossCheckAccounts is not given. */
export const DEFAULT_CROSS_CHECK_ACCOUNTS = 10;

/** The most accounts CrossCheckAccounts may ask for: each costs one DescribeEffectivePolicy call per run. */
export const MAX_CROSS_CHECK_ACCOUNTS = 100;

/** The word that makes RequiredLocks require no lock at all. */
export const NO_LOCKS = 'none';

// Every service key AWS documents is lowercase letters and digits (lex, aidevops, chimesdkvoiceanalytics); keys are
// case-sensitive, so `Lex` or `lex` with an invisible character would allow nothing that exists.
const SERVICE_KEY = /^[a-z0-9]+$/;

export interface RuleParameters {
  /** Levels that must carry `["@@none"]` in the root's policies, in LOCK_LEVELS order. */
  readonly requiredLocks: readonly LockLevel[];
  /** Service keys whose effective value may be optIn. */
  readonly allowedOptInServices: readonly string[];
  readonly scope: Scope;
  /** The role name in member accounts, used when the invoking account is not the function's own. */
  readonly executionRoleName: string;
  /**
   * How many accounts of distinct policy paths to compare with AWS's effective policy each run, 0 to
   * MAX_CROSS_CHECK_ACCOUNTS; 0 also leaves conflicts between policies on one node unresolved (no call at all).
   */
  readonly crossCheckAccounts: number;
}

/** The parameters a rule has when none are given: every lock required, no opt-in allowed, every account put. */
export const DEFAULT_RULE_PARAMETERS: RuleParameters = {
  requiredLocks: LOCK_LEVELS,
  allowedOptInServices: [],
  scope: 'Organization',
  executionRoleName: DEFAULT_EXECUTION_ROLE_NAME,
  crossCheckAccounts: DEFAULT_CROSS_CHECK_ACCOUNTS,
};

function items(value: string): string[] {
  // Only ASCII blanks around commas: String.prototype.trim would also drop a byte order mark or a no-break space.
  return value
    .split(',')
    .map((item) => item.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ''))
    .filter((item) => item !== '');
}

function parseRequiredLocks(value: string): Result<readonly LockLevel[], string> {
  const given = items(value);
  if (given.length === 0) return ok(LOCK_LEVELS);
  if (given.includes(NO_LOCKS)) {
    return given.every((item) => item === NO_LOCKS)
      ? ok([])
      : fail(`RequiredLocks: ${NO_LOCKS} cannot be combined with other levels; give ${NO_LOCKS} alone, or levels only`);
  }
  const unknown = given.find((item) => !LOCK_LEVELS.some((level) => level === item));
  if (unknown !== undefined) {
    return fail(
      `RequiredLocks: ${formatQuoted(unknown)} is not a lock level; use a comma-separated list of ${LOCK_LEVELS.join(', ')} (case-sensitive), or ${NO_LOCKS}`,
    );
  }
  return ok(LOCK_LEVELS.filter((level) => given.includes(level)));
}

/** `Default`, `DEFAULT`, `default` with a zero-width space: what a person may have meant as `default`. */
function meansDefault(item: string): boolean {
  return (
    item
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]/gu, '') === DEFAULT_SERVICE_KEY
  );
}

function parseAllowedOptInServices(value: string): Result<readonly string[], string> {
  const given = items(value);
  const bad = given.find((item) => item === DEFAULT_SERVICE_KEY || !SERVICE_KEY.test(item));
  if (bad === undefined) return ok([...new Set(given)]);
  const refusedDefault = `"${DEFAULT_SERVICE_KEY}" cannot be allowed to opt in, because it covers every AI service`;
  if (bad === DEFAULT_SERVICE_KEY) return fail(`AllowedOptInServices: ${refusedDefault}`);
  const notKey = `AllowedOptInServices: ${formatQuoted(bad)} is not a service key (lowercase letters and digits, such as lex or rekognition)`;
  return fail(meansDefault(bad) ? `${notKey}, and ${refusedDefault}` : notKey);
}

function parseScope(value: string): Result<Scope, string> {
  const scope = value.trim() === '' ? 'Organization' : SCOPES.find((candidate) => candidate === value.trim());
  return scope === undefined
    ? fail(`Scope: ${formatQuoted(value)} is not a scope; use ${SCOPES.join(' or ')}`)
    : ok(scope);
}

function parseExecutionRoleName(value: string): Result<string, string> {
  const name = value.trim() === '' ? DEFAULT_EXECUTION_ROLE_NAME : value.trim();
  return ROLE_NAME.test(name)
    ? ok(name)
    : fail(
        `ExecutionRoleName: ${formatQuoted(value)} is not an IAM role name (1 to 64 letters, digits and +=,.@_-, no path)`,
      );
}

function parseCrossCheckAccounts(value: string): Result<number, string> {
  const text = value.trim();
  if (text === '') return ok(DEFAULT_CROSS_CHECK_ACCOUNTS);
  const count = /^(0|[1-9][0-9]{0,2})$/.test(text) ? Number(text) : Number.NaN;
  return count <= MAX_CROSS_CHECK_ACCOUNTS
    ? ok(count)
    : fail(
        `CrossCheckAccounts: ${formatQuoted(value)} is not a whole number from 0 to ${MAX_CROSS_CHECK_ACCOUNTS} (0 turns the cross-check with AWS's effective policy off)`,
      );
}

function field<T>(
  raw: Readonly<Record<string, unknown>>,
  name: RuleParameterName,
  parse: (text: string) => Result<T, string>,
): Result<T, string> {
  const value = raw[name] ?? '';
  return typeof value === 'string' ? parse(value) : fail(`${name} must be a string, got ${JSON.stringify(value)}`);
}

/**
 * Parses rule parameters as AWS Config passes them (string values by name). A missing or empty parameter takes its
 * default. Returns a one-line message naming the parameter and the valid values on any problem.
 */
export function parseRuleParameters(raw: Readonly<Record<string, unknown>>): Result<RuleParameters, string> {
  const unknownName = Object.keys(raw).find((name) => !RULE_PARAMETER_NAMES.some((known) => known === name));
  if (unknownName !== undefined) {
    return fail(
      `Unknown rule parameter ${formatQuoted(unknownName)}; valid parameters: ${RULE_PARAMETER_NAMES.join(', ')}`,
    );
  }
  const requiredLocks = field(raw, 'RequiredLocks', parseRequiredLocks);
  if (!requiredLocks.ok) return requiredLocks;
  const allowedOptInServices = field(raw, 'AllowedOptInServices', parseAllowedOptInServices);
  if (!allowedOptInServices.ok) return allowedOptInServices;
  const scope = field(raw, 'Scope', parseScope);
  if (!scope.ok) return scope;
  const executionRoleName = field(raw, 'ExecutionRoleName', parseExecutionRoleName);
  if (!executionRoleName.ok) return executionRoleName;
  const crossCheckAccounts = field(raw, 'CrossCheckAccounts', parseCrossCheckAccounts);
  if (!crossCheckAccounts.ok) return crossCheckAccounts;
  return ok({
    requiredLocks: requiredLocks.value,
    allowedOptInServices: allowedOptInServices.value,
    scope: scope.value,
    executionRoleName: executionRoleName.value,
    crossCheckAccounts: crossCheckAccounts.value,
  });
}

/** Whether an effective `value` of `key` is an opt-in that AllowedOptInServices allows. */
export function isAllowedOptIn(parameters: RuleParameters, key: string, value: string): boolean {
  return value === 'optIn' && parameters.allowedOptInServices.includes(key);
}

/** Writes parameters back in the form AWS Config takes, for reports. */
export function formatRuleParameters(parameters: RuleParameters): Record<RuleParameterName, string> {
  return {
    RequiredLocks: parameters.requiredLocks.length === 0 ? NO_LOCKS : parameters.requiredLocks.join(','),
    AllowedOptInServices: parameters.allowedOptInServices.join(','),
    Scope: parameters.scope,
    ExecutionRoleName: parameters.executionRoleName,
    CrossCheckAccounts: String(parameters.crossCheckAccounts),
  };
}
