/** AWS Config's limit on an evaluation's Annotation, in characters. */
export const MAX_ANNOTATION_LENGTH = 256;

const ELLIPSIS = '…';

/**
 * Fits a message into a Config annotation: unchanged when short enough, else cut after the last whole clause (or,
 * failing that, word) that leaves room for an ellipsis, never inside a surrogate pair.
 */
export function toAnnotation(message: string): string {
  if (message.length <= MAX_ANNOTATION_LENGTH) return message;
  const head = message.slice(0, MAX_ANNOTATION_LENGTH - ELLIPSIS.length);
  const clause = Math.max(head.lastIndexOf('; '), head.lastIndexOf('. '));
  const word = head.lastIndexOf(' ');
  const minimum = MAX_ANNOTATION_LENGTH / 2;
  const cut = clause > minimum ? clause : word > minimum ? word : head.length - (/[\uD800-\uDBFF]$/.test(head) ? 1 : 0);
  return `${head.slice(0, cut).replace(/[\s,;:.]+$/, '')}${ELLIPSIS}`;
}
