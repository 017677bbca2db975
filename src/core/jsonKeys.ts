import { fail, ok, type Result } from './result';

/** How paths name the top level of a JSON document. */
export const TOP_LEVEL = '(top level)';

/** Prints a text in double quotes, with quotes, backslashes and every character outside printable ASCII escaped. */
export function formatQuoted(text: string): string {
  const escaped = text.replace(/[^\x20-\x7e]|["\\]/g, (c) =>
    c === '"' || c === '\\' ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${escaped}"`;
}

/** Prints a key as is when it is plain, else as formatQuoted does. */
export function formatKey(key: string): string {
  return /^[A-Za-z0-9_.@-]+$/.test(key) ? key : formatQuoted(key);
}

/** The path of `key` inside the object at `path`: `services.lex`. */
export function joinPath(path: string, key: string): string {
  return path === TOP_LEVEL ? formatKey(key) : `${path}.${formatKey(key)}`;
}

// The content already parsed, so strings and brackets are the only tokens that matter here.
const TOKEN = /"(?:[^"\\]|\\.)*"(?:\s*:)?|[{}[\]]/g;

/**
 * The first key that an object of a JSON text repeats, with the path of that object, or undefined. JSON.parse keeps
 * the last of two equal keys without a word; call this on text JSON.parse accepted.
 */
export function findDuplicateKey(content: string): { path: string; key: string } | undefined {
  interface Frame {
    readonly path: string;
    readonly keys: Set<string>;
    lastKey: string;
  }
  const stack: Frame[] = [{ path: TOP_LEVEL, keys: new Set(), lastKey: '' }];
  for (const [token] of content.matchAll(TOKEN)) {
    const top = stack[stack.length - 1] as Frame;
    if (token === '{' || token === '[') {
      stack.push({
        path: top.lastKey === '' ? top.path : joinPath(top.path, top.lastKey),
        keys: new Set(),
        lastKey: '',
      });
    } else if (token === '}' || token === ']') {
      stack.pop();
    } else if (token.endsWith(':')) {
      const key = String(JSON.parse(token.slice(0, token.lastIndexOf('"') + 1)));
      if (top.keys.has(key)) return { path: top.path, key };
      top.keys.add(key);
      top.lastKey = key;
    }
  }
  return undefined;
}

/** Why a text is not usable JSON: JSON.parse refused it, or an object repeats a key (JSON.parse keeps the last). */
export type JsonTextFailure =
  | { readonly kind: 'invalidJson'; readonly detail: string }
  | { readonly kind: 'duplicateKey'; readonly path: string; readonly key: string };

/**
 * Parses a JSON text, refusing one that repeats a key in an object: AWS documents no rule for which of two equal keys
 * applies, and JSON.parse would silently keep the last.
 */
export function parseJsonText(content: string): Result<unknown, JsonTextFailure> {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    return fail({ kind: 'invalidJson', detail: String(error).replace(/^SyntaxError: /, '') });
  }
  const duplicate = findDuplicateKey(content);
  return duplicate === undefined ? ok(json) : fail({ kind: 'duplicateKey', ...duplicate });
}

/** A JSON object's fields, or undefined for anything else (an array, a string, null). */
export function asFields(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value))
    : undefined;
}

/** A JSON value as JSON text for a message, cut to 40 characters. */
export function formatJsonValue(value: unknown): string {
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}
