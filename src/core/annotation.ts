/** AWS Config's limit on an evaluation's Annotation, in characters. */
export const MAX_ANNOTATION_LENGTH = 256;

const ELLIPSIS = '…';

/**
 * Fits a message into a Config annotation: unchanged when short enough, else cut at the last word boundary that
 * leaves room for an ellipsis (never inside a surrogate pair), so that it is at most MAX_ANNOTATION_LENGTH long.
 */
export function toAnnotation(message: string): string {
  if (message.length <= MAX_ANNOTATION_LENGTH) return message;
  let head = message.slice(0, MAX_ANNOTATION_LENGTH - ELLIPSIS.length);
  const space = head.lastIndexOf(' ');
  if (space > MAX_ANNOTATION_LENGTH / 2) head = head.slice(0, space);
  else if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return `${head.replace(/[\s,;:.]+$/, '')}${ELLIPSIS}`;
}
