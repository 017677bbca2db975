import { AwsTimeoutError, UnreadableResponseError } from '../errors';

/**
 * Sends one read request with `send` and returns AWS's answer. An answer with a success status whose body is not
 * JSON or was cut short is read once more, since the SDK does not retry it; when the second answer is no better, it
 * throws UnreadableResponseError naming `action`. A request that ran out of the client's timeouts on every attempt
 * the SDK made throws AwsTimeoutError. Other errors propagate unchanged. `action` is the IAM action, such as
 * `organizations:ListAccounts`.
 */
export async function readResponse<T>(action: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (unreadableBody(error) === undefined) throw translateTimeout(error, action);
  }
  try {
    return await send();
  } catch (error) {
    const detail = unreadableBody(error);
    if (detail !== undefined) throw new UnreadableResponseError(action, detail, { cause: error });
    throw translateTimeout(error, action);
  }
}

// Errors are read by shape, not with instanceof: node's own errors (a reset socket) come from another realm in jest.
interface ErrorShape {
  readonly name: unknown;
  readonly message: unknown;
}

function shapeOf(error: unknown): ErrorShape | undefined {
  return typeof error === 'object' && error !== null && 'name' in error && 'message' in error ? error : undefined;
}

/**
 * What JSON.parse said, when `error` is the SDK's report of a 2xx answer whose body it could not parse: a
 * SyntaxError to which its deserializer attached the response. The SDK retries such bodies on 5xx answers itself.
 */
function unreadableBody(error: unknown): string | undefined {
  const shape = shapeOf(error);
  if (shape?.name !== 'SyntaxError' || !('$response' in shape) || typeof shape.message !== 'string') return undefined;
  const status = metadataNumber(shape, 'httpStatusCode');
  if (status === undefined || status < 200 || status > 299) return undefined;
  // The SDK appends a second line that points at $response; one line is enough for a person.
  return shape.message.split('\n')[0];
}

function translateTimeout(error: unknown, action: string): unknown {
  const shape = shapeOf(error);
  // @smithy/node-http-handler names every timeout of the connection, the request or the socket `TimeoutError`.
  if (shape?.name !== 'TimeoutError' || typeof shape.message !== 'string') return error;
  const detail = shape.message.replace(/^@smithy\/node-http-handler - (\[ERROR\] )?/, '');
  return new AwsTimeoutError(action, metadataNumber(shape, 'attempts'), detail, { cause: error });
}

/** A number the SDK recorded in the `$metadata` of an answer or an error, read as unknown: mocks may leave it out. */
export function metadataNumber(answer: unknown, key: 'httpStatusCode' | 'attempts'): number | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const metadata: unknown = Reflect.get(answer, '$metadata');
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const value: unknown = Reflect.get(metadata, key);
  return typeof value === 'number' ? value : undefined;
}
