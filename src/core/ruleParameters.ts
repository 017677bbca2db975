import { DEFAULT_SERVICE_KEY } from './parseOptOutPolicy';
import { fail, ok, type Result } from './result';

/** The levels where the root's policies can carry `["@@none"]`, outermost first. */
export const LOCK_LEVELS = ['services', 'default', 'opt_out_policy'] as const;
export type LockLevel = (typeof LOCK_LEVELS)[number];

/** The rule parameter names, as AWS Config passes them in `ruleParameters`. */
export const RULE_PARAMETER_NAMES = ['RequiredLocks', 'AllowedOptInServices'] as const;

/** The word that makes RequiredLocks require no lock at all. */
export const NO_LOCKS = 'none';

export interface RuleParameters {
  /** Levels that must carry `["@@none"]` in the root's policies, in LOCK_LEVELS order. */
  readonly requiredLocks: readonly LockLevel[];
  /** Service keys whose effective value may be optIn. */
  readonly allowedOptInServices: readonly string[];
}

/** The parameters a rule has when none are given: every lock required, no service allowed to opt in. */
export const DEFAULT_RULE_PARAMETERS: RuleParameters = { requiredLocks: LOCK_LEVELS, allowedOptInServices: [] };

function items(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parseRequiredLocks(value: string): Result<readonly LockLevel[], string> {
  const given = items(value);
  if (given.length === 0) return ok(LOCK_LEVELS);
  if (given.length === 1 && given[0] === NO_LOCKS) return ok([]);
  const unknown = given.find((item) => !LOCK_LEVELS.some((level) => level === item));
  if (unknown !== undefined) {
    return fail(
      `RequiredLocks: "${unknown}" is not a lock level; use a comma-separated list of ${LOCK_LEVELS.join(', ')} (case-sensitive), or ${NO_LOCKS}`,
    );
  }
  return ok(LOCK_LEVELS.filter((level) => given.includes(level)));
}

function parseAllowedOptInServices(value: string): Result<readonly string[], string> {
  const given = items(value);
  if (given.includes(DEFAULT_SERVICE_KEY)) {
    return fail('AllowedOptInServices: "default" cannot be allowed to opt in, because it covers every AI service');
  }
  const operator = given.find((item) => item.startsWith('@@'));
  if (operator !== undefined) {
    return fail(`AllowedOptInServices: "${operator}" is an operator, not a service key such as lex or rekognition`);
  }
  return ok([...new Set(given)]);
}

/**
 * Parses rule parameters as AWS Config passes them (string values by name). A missing or empty parameter takes its
 * default. Returns a one-line message naming the parameter and the valid values on any problem.
 */
export function parseRuleParameters(raw: Readonly<Record<string, unknown>>): Result<RuleParameters, string> {
  const unknownName = Object.keys(raw).find((name) => !RULE_PARAMETER_NAMES.some((known) => known === name));
  if (unknownName !== undefined) {
    return fail(`Unknown rule parameter "${unknownName}"; valid parameters: ${RULE_PARAMETER_NAMES.join(', ')}`);
  }
  const text = (name: (typeof RULE_PARAMETER_NAMES)[number]): Result<string, string> => {
    const value = raw[name] ?? '';
    return typeof value === 'string' ? ok(value) : fail(`${name} must be a string, got ${JSON.stringify(value)}`);
  };
  const locksText = text('RequiredLocks');
  if (!locksText.ok) return locksText;
  const requiredLocks = parseRequiredLocks(locksText.value);
  if (!requiredLocks.ok) return requiredLocks;
  const servicesText = text('AllowedOptInServices');
  if (!servicesText.ok) return servicesText;
  const allowedOptInServices = parseAllowedOptInServices(servicesText.value);
  if (!allowedOptInServices.ok) return allowedOptInServices;
  return ok({ requiredLocks: requiredLocks.value, allowedOptInServices: allowedOptInServices.value });
}

/** Writes parameters back in the form AWS Config takes, for reports. */
export function formatRuleParameters(
  parameters: RuleParameters,
): Record<(typeof RULE_PARAMETER_NAMES)[number], string> {
  return {
    RequiredLocks: parameters.requiredLocks.length === 0 ? NO_LOCKS : parameters.requiredLocks.join(','),
    AllowedOptInServices: parameters.allowedOptInServices.join(','),
  };
}
