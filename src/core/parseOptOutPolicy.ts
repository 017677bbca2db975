import {
  asFields,
  formatJsonValue,
  formatKey,
  type JsonTextFailure,
  joinPath,
  parseJsonText,
  TOP_LEVEL,
} from './jsonKeys';
import { fail, ok, type Result } from './result';

/** The values `@@assign` may take under `opt_out_policy`; case-sensitive. */
export const OPT_OUT_VALUES = ['optOut', 'optIn'] as const;
export type OptOutValue = (typeof OPT_OUT_VALUES)[number];

export const DEFAULT_SERVICE_KEY = 'default';
export const OPT_OUT_POLICY_KEY = 'opt_out_policy';
export const ASSIGN_OPERATOR = '@@assign';
export const CHILD_CONTROL_OPERATOR = '@@operators_allowed_for_child_policies';

/** Operators AWS documents for management policies, and those AI opt-out policies forbid. */
const CHILD_CONTROL_VALUES = ['@@all', '@@assign', '@@append', '@@remove', '@@none'] as const;
const FORBIDDEN_OPERATORS = ['@@append', '@@remove', '@@enforced_for'] as const;

/**
 * What one `@@operators_allowed_for_child_policies` lets child policies do at its level:
 * - `open`: absent, or a list with `@@all` or `@@assign`: children may assign;
 * - `locked`: exactly `["@@none"]`, the only list this project counts as a lock;
 * - `restricted`: a list of other operators (`["@@append"]`): children may not assign, by the general syntax, but the
 *   AI opt-out pages document only `@@assign` and `@@none` here, so a change under it is treated as unknown.
 */
export type ChildControl = 'open' | 'locked' | 'restricted';

/** One service key's statement: `services.<key>.opt_out_policy.@@assign` and the child controls around it. */
export interface ServiceStatement {
  readonly key: string;
  /** The child control directly under the service key (it guards the keys inside the entry). */
  readonly entryControl: ChildControl;
  /** The child control under `opt_out_policy` (it guards the value). */
  readonly valueControl: ChildControl;
  readonly assign: OptOutValue;
}

/** A well-formed AI services opt-out policy document. */
export interface OptOutPolicyDocument {
  /** The child control directly under `services` (it guards adding or changing service keys). */
  readonly servicesControl: ChildControl;
  readonly statements: readonly ServiceStatement[];
}

/** Why a policy's content is not a usable AI services opt-out policy; `path` is where, e.g. `services.lex`. */
export type PolicyParseFailure =
  | JsonTextFailure
  | { readonly kind: 'notAnObject'; readonly path: string }
  | { readonly kind: 'missingServices' }
  | { readonly kind: 'unexpectedKey'; readonly path: string; readonly key: string; readonly allowed: string }
  | { readonly kind: 'forbiddenOperator'; readonly path: string; readonly operator: string }
  | { readonly kind: 'bareString'; readonly path: string; readonly value: string }
  | { readonly kind: 'missingOptOutPolicy'; readonly path: string }
  | { readonly kind: 'missingAssign'; readonly path: string }
  | { readonly kind: 'invalidAssign'; readonly path: string; readonly value: string }
  | { readonly kind: 'invalidChildControl'; readonly path: string; readonly value: string; readonly problem: string };

type Parsed<T> = Result<T, PolicyParseFailure>;

function keyFailure(path: string, key: string, allowed: string): PolicyParseFailure {
  const operator = FORBIDDEN_OPERATORS.find((forbidden) => forbidden === key);
  return operator === undefined
    ? { kind: 'unexpectedKey', path, key, allowed }
    : { kind: 'forbiddenOperator', path, operator };
}

/** Parses the child control that stands under `path` (the level it guards). */
function parseChildControl(value: unknown, path: string): Parsed<ChildControl> {
  const invalid = (problem: string) =>
    fail<PolicyParseFailure>({ kind: 'invalidChildControl', path, value: formatJsonValue(value), problem });
  if (!Array.isArray(value)) return invalid('it must be a list such as ["@@none"]');
  if (value.length === 0) return invalid('the list is empty');
  const operators: string[] = [];
  for (const item of value) {
    const known = CHILD_CONTROL_VALUES.find((operator) => operator === item);
    if (known === undefined)
      return invalid(`${formatJsonValue(item)} is not one of ${CHILD_CONTROL_VALUES.join(', ')}`);
    operators.push(known);
  }
  if (operators.includes('@@none')) return operators.length === 1 ? ok('locked') : invalid('@@none must stand alone');
  return ok(operators.includes('@@all') || operators.includes('@@assign') ? 'open' : 'restricted');
}

function parseOptOutPolicyEntry(
  value: unknown,
  path: string,
): Parsed<{ valueControl: ChildControl; assign: OptOutValue }> {
  if (typeof value === 'string') return fail({ kind: 'bareString', path, value: formatJsonValue(value) });
  const fields = asFields(value);
  if (fields === undefined) return fail({ kind: 'notAnObject', path });
  let valueControl: ChildControl = 'open';
  for (const [key, item] of Object.entries(fields)) {
    if (key === CHILD_CONTROL_OPERATOR) {
      const control = parseChildControl(item, path);
      if (!control.ok) return control;
      valueControl = control.value;
    } else if (key !== ASSIGN_OPERATOR) {
      return fail(keyFailure(path, key, `${ASSIGN_OPERATOR} and ${CHILD_CONTROL_OPERATOR}`));
    }
  }
  if (!(ASSIGN_OPERATOR in fields)) return fail({ kind: 'missingAssign', path });
  const assign = OPT_OUT_VALUES.find((candidate) => candidate === fields[ASSIGN_OPERATOR]);
  if (assign === undefined)
    return fail({ kind: 'invalidAssign', path, value: formatJsonValue(fields[ASSIGN_OPERATOR]) });
  return ok({ valueControl, assign });
}

function parseServiceStatement(key: string, value: unknown): Parsed<ServiceStatement> {
  const path = joinPath('services', key);
  const fields = asFields(value);
  if (fields === undefined) return fail({ kind: 'notAnObject', path });
  let entryControl: ChildControl = 'open';
  let entry: { valueControl: ChildControl; assign: OptOutValue } | undefined;
  for (const [innerKey, item] of Object.entries(fields)) {
    if (innerKey === CHILD_CONTROL_OPERATOR) {
      const control = parseChildControl(item, path);
      if (!control.ok) return control;
      entryControl = control.value;
    } else if (innerKey === OPT_OUT_POLICY_KEY) {
      const parsed = parseOptOutPolicyEntry(item, joinPath(path, innerKey));
      if (!parsed.ok) return parsed;
      entry = parsed.value;
    } else {
      return fail(keyFailure(path, innerKey, `${OPT_OUT_POLICY_KEY} and ${CHILD_CONTROL_OPERATOR}`));
    }
  }
  if (entry === undefined) return fail({ kind: 'missingOptOutPolicy', path });
  return ok({ key, entryControl, ...entry });
}

function parseDocument(json: unknown): Parsed<OptOutPolicyDocument> {
  const document = asFields(json);
  if (document === undefined) return fail({ kind: 'notAnObject', path: TOP_LEVEL });
  for (const key of Object.keys(document)) {
    if (key !== 'services') return fail(keyFailure(TOP_LEVEL, key, 'services'));
  }
  if (!('services' in document)) return fail({ kind: 'missingServices' });
  const services = asFields(document.services);
  if (services === undefined) return fail({ kind: 'notAnObject', path: 'services' });
  let servicesControl: ChildControl = 'open';
  const statements: ServiceStatement[] = [];
  for (const [key, value] of Object.entries(services)) {
    if (key === CHILD_CONTROL_OPERATOR) {
      const control = parseChildControl(value, 'services');
      if (!control.ok) return control;
      servicesControl = control.value;
    } else if (key.startsWith('@@')) {
      return fail(keyFailure('services', key, `service keys and ${CHILD_CONTROL_OPERATOR}`));
    } else {
      const statement = parseServiceStatement(key, value);
      if (!statement.ok) return statement;
      statements.push(statement.value);
    }
  }
  return ok({ servicesControl, statements });
}

/**
 * Parses a policy's raw `Content` into a typed AI services opt-out document, or the first reason it is not one.
 * Service keys are accepted whatever they are (AWS keeps adding services) and kept exactly as written.
 */
export function parseOptOutPolicy(content: string): Parsed<OptOutPolicyDocument> {
  const json = parseJsonText(content);
  return json.ok ? parseDocument(json.value) : json;
}

/** Says in plain words why a policy is not usable, naming the place in the document. */
export function formatPolicyParseFailure(failure: PolicyParseFailure): string {
  switch (failure.kind) {
    case 'invalidJson':
      return `the content is not valid JSON (${failure.detail})`;
    case 'duplicateKey':
      return `the key ${formatKey(failure.key)} appears twice under ${failure.path}, and AWS documents no rule for which one applies`;
    case 'notAnObject':
      return `${failure.path} must be a JSON object`;
    case 'missingServices':
      return 'it has no "services" object at the top level';
    case 'unexpectedKey':
      return `${formatKey(failure.key)} is not allowed under ${failure.path}; only ${failure.allowed} may stand there`;
    case 'forbiddenOperator':
      return `${failure.operator} under ${failure.path} is not allowed in AI services opt-out policies`;
    case 'bareString':
      return `${failure.path} is the bare string ${failure.value}; write {"@@assign": ${failure.value}}`;
    case 'missingOptOutPolicy':
      return `${failure.path} has no ${OPT_OUT_POLICY_KEY}`;
    case 'missingAssign':
      return `${failure.path} has no ${ASSIGN_OPERATOR}`;
    case 'invalidAssign':
      return `${ASSIGN_OPERATOR} under ${failure.path} is ${failure.value}, but only "optOut" or "optIn" work (case-sensitive)`;
    case 'invalidChildControl':
      return `${CHILD_CONTROL_OPERATOR} under ${failure.path} is ${failure.value}: ${failure.problem}`;
    default:
      return assertNever(failure);
  }
}

/** Fails the build when a switch misses a kind; at run time it throws on a value that has no kind it knows. */
export function assertNever(value: never): never {
  throw new Error(`Unhandled kind: ${JSON.stringify(value)}`);
}
