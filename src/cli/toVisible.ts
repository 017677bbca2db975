// What can move the cursor, recolour, hide or reorder text on a terminal: control characters (C0, DEL, C1), format
// characters (bidirectional overrides, zero-width characters, tags), line and paragraph separators, lone surrogates.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;
// The same, less what JSON.stringify already escapes (C0 and lone surrogates), so its indentation keeps its newlines.
const INVISIBLE_IN_JSON = /[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu;

function escapeUnits(match: string): string {
  return match
    .split('')
    .map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .join('');
}

/** Text from a file or from AWS, safe for a terminal: every invisible character becomes a `\uXXXX` escape. */
export function toVisible(text: string): string {
  return text.replace(INVISIBLE, escapeUnits);
}

/** Indented JSON whose strings show every invisible character as a `\uXXXX` escape: the same data, safe to print. */
export function toVisibleJson(value: unknown): string {
  const json = JSON.stringify(value, null, 2);
  // A search first: on a report of 200,000 accounts, a replace that finds nothing still costs seconds.
  return json.search(INVISIBLE_IN_JSON) === -1 ? json : json.replace(INVISIBLE_IN_JSON, escapeUnits);
}
