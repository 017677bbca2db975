import type { Context } from 'aws-lambda';

/**
 * A Lambda context as the Node.js runtime hands it to a function of template.yaml: `functionName` (the rule's function
 * unless given), its version, ARN and memory, request id `request-1` and 300 seconds left, unless `fields` say otherwise.
 */
export function lambdaContext(fields: Partial<Context> = {}): Context {
  const functionName = fields.functionName ?? 'ai-services-opt-out-rule-rule';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: 'request-1',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/22/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => 300_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...fields,
  };
}
