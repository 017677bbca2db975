import {
  asFields,
  formatJsonValue,
  formatKey,
  type JsonTextFailure,
  joinPath,
  parseJsonText,
  TOP_LEVEL,
} from './jsonKeys';
import { assertNever, OPT_OUT_POLICY_KEY, OPT_OUT_VALUES, type OptOutValue } from './parseOptOutPolicy';
import { fail, ok, type Result } from './result';

/** AWS's effective value of each service key its effective policy lists (`default` included), keys as AWS writes them. */
export type EffectivePolicyValues = ReadonlyMap<string, OptOutValue>;

/**
 * What DescribeEffectivePolicy answered for an account: the effective policy's content, or `none` when AWS has no
 * effective AI opt-out policy for it (EffectivePolicyNotFoundException).
 */
export type EffectivePolicyAnswer = { readonly kind: 'content'; readonly content: string } | { readonly kind: 'none' };

/** Why AWS's effective policy content is not in the shape this rule knows; `path` is where, e.g. `services.lex`. */
export type EffectivePolicyParseFailure =
  | JsonTextFailure
  | { readonly kind: 'notAnObject'; readonly path: string }
  | { readonly kind: 'unexpectedKey'; readonly path: string; readonly key: string }
  | { readonly kind: 'missingKey'; readonly path: string; readonly key: string }
  | { readonly kind: 'invalidValue'; readonly path: string; readonly value: string };

/** The one key an object must hold, and nothing else. */
function only(value: unknown, path: string, key: string): Result<unknown, EffectivePolicyParseFailure> {
  const fields = asFields(value);
  if (fields === undefined) return fail({ kind: 'notAnObject', path });
  const other = Object.keys(fields).find((candidate) => candidate !== key);
  if (other !== undefined) return fail({ kind: 'unexpectedKey', path, key: other });
  return key in fields ? ok(fields[key]) : fail({ kind: 'missingKey', path, key });
}

/**
 * Parses the PolicyContent of DescribeEffectivePolicy for AISERVICES_OPT_OUT_POLICY, which AWS writes without operators:
 * `{"services":{"default":{"opt_out_policy":"optOut"},"lex":{"opt_out_policy":"optIn"}}}`. Strict: anything else (an
 * operator, another key, a value other than exactly `optOut` or `optIn`, a repeated key) is a failure, since this rule
 * can then not tell what AWS applies.
 */
export function parseEffectivePolicy(content: string): Result<EffectivePolicyValues, EffectivePolicyParseFailure> {
  const json = parseJsonText(content);
  if (!json.ok) return json;
  const services = only(json.value, TOP_LEVEL, 'services');
  if (!services.ok) return services;
  const entries = asFields(services.value);
  if (entries === undefined) return fail({ kind: 'notAnObject', path: 'services' });
  const values = new Map<string, OptOutValue>();
  for (const [key, entry] of Object.entries(entries)) {
    const path = joinPath('services', key);
    const assigned = only(entry, path, OPT_OUT_POLICY_KEY);
    if (!assigned.ok) return assigned;
    const value = OPT_OUT_VALUES.find((candidate) => candidate === assigned.value);
    if (value === undefined) {
      return fail({
        kind: 'invalidValue',
        path: joinPath(path, OPT_OUT_POLICY_KEY),
        value: formatJsonValue(assigned.value),
      });
    }
    values.set(key, value);
  }
  return ok(values);
}

/** Says in plain words why AWS's effective policy content is not usable, naming the place in it. */
export function formatEffectivePolicyParseFailure(failure: EffectivePolicyParseFailure): string {
  switch (failure.kind) {
    case 'invalidJson':
      return `it is not valid JSON (${failure.detail})`;
    case 'duplicateKey':
      return `the key ${formatKey(failure.key)} appears twice under ${failure.path}`;
    case 'notAnObject':
      return `${failure.path} is not a JSON object`;
    case 'unexpectedKey':
      return `it has ${formatKey(failure.key)} under ${failure.path}`;
    case 'missingKey':
      return `${failure.path} has no ${formatKey(failure.key)}`;
    case 'invalidValue':
      return `${failure.path} is ${failure.value}, not "optOut" or "optIn"`;
    default:
      return assertNever(failure);
  }
}
