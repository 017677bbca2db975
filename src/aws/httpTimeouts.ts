/** How long a client waits for a TCP connection to AWS, in milliseconds. */
export const CONNECTION_TIMEOUT_MS = 5_000;

/**
 * How long a client waits for the answer to one request, in milliseconds: for its headers, and then for each part of
 * its body. Organizations and Config answer in well under a second; a request that times out is retried by the SDK.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The `requestHandler` setting of every AWS client this project creates, so that no request waits forever on a
 * server that accepts and never answers. A request that runs out of time fails with a `TimeoutError`, which the SDK
 * retries as a transient error up to the client's `maxAttempts`.
 */
export const HTTP_TIMEOUTS = {
  connectionTimeout: CONNECTION_TIMEOUT_MS,
  requestTimeout: REQUEST_TIMEOUT_MS,
  // Without it, @smithy/node-http-handler 4 only logs a warning when requestTimeout runs out and keeps waiting.
  throwOnRequestTimeout: true,
  // requestTimeout ends once the headers arrive; this bounds each silence while the body is read.
  socketTimeout: REQUEST_TIMEOUT_MS,
} as const;
