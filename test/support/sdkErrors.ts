/**
 * The error SDK v3 throws when a 2xx answer's body is not JSON or was cut short: JSON.parse's SyntaxError, to which
 * its deserializer attaches the response (hidden) and `$metadata`. test/aws/readResponse.test.ts checks this shape
 * against the real SDK.
 */
export function unreadableBodyError(message = 'Unterminated string in JSON at position 5'): SyntaxError {
  const error = new SyntaxError(
    `${message}\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.`,
  );
  Object.defineProperty(error, '$response', { value: { statusCode: 200 }, enumerable: false });
  return Object.assign(error, { $metadata: { httpStatusCode: 200 } });
}
