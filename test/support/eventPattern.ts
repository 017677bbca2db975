type Json = Record<string, unknown>;

/** Whether a JSON value is an object (not null, not an array). */
export function isFields(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * EventBridge's matching for the only pattern forms the template's rules use: an array of exact strings matches a value
 * equal to one of them (or an array value holding one), and an object matches when each of its fields matches.
 * Anything else (prefix, exists, numeric...) throws, so that a rule cannot grow a form the tests would judge wrongly.
 */
export function matchesEventPattern(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    for (const allowed of pattern) {
      if (typeof allowed !== 'string') throw new Error(`Unsupported pattern value ${JSON.stringify(allowed)}`);
    }
    return Array.isArray(value) ? value.some((item) => pattern.includes(item)) : pattern.includes(value);
  }
  if (isFields(pattern)) {
    return isFields(value) && Object.entries(pattern).every(([key, field]) => matchesEventPattern(field, value[key]));
  }
  throw new Error(`Unsupported pattern ${JSON.stringify(pattern)}`);
}
