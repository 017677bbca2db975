// Runs a built function of template.yaml once, locally: `npm run invoke -- events/FILE.json [LogicalId]`.
// It talks to whatever the default AWS credential chain and AWS_ENDPOINT_URL point at (moto's server, or AWS).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import samTemplate from './samTemplate.cjs';

const [eventFile, logicalId = 'RuleFunction'] = process.argv.slice(2);
// As in Lambda, where SAM sets NODE_OPTIONS=--enable-source-maps for Sourcemap: true.
process.setSourceMapsEnabled(true);
// Lambda runs Node 24; the SDK's warning that it will soon need Node 22 is no news here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const fail = (message) => {
  process.stderr.write(`invoke: ${message}\n`);
  process.exit(2);
};
if (eventFile === undefined) fail('usage: npm run invoke -- events/FILE.json [LogicalId]');
const fn = samTemplate.samFunctions(samTemplate.readTemplate('template.yaml')).find((f) => f.logicalId === logicalId);
if (fn === undefined) fail(`template.yaml has no esbuild function ${logicalId}`);
let event;
try {
  event = JSON.parse(readFileSync(eventFile, 'utf8'));
} catch (error) {
  fail(`cannot read ${eventFile}: ${error.message}`);
}

// The function's ARN names the account it runs in: here, the account of the local credentials.
const STS_TIMEOUT_MS = 30_000;
const sts = new STSClient({});
let caller;
try {
  // Bounded, as every call of the project is: an endpoint that accepts and never answers must not hang the command.
  caller = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(STS_TIMEOUT_MS) });
} catch (error) {
  const why = error.name === 'AbortError' ? `no answer within ${STS_TIMEOUT_MS / 1000} s` : error.message;
  fail(`cannot tell the AWS account of the local credentials: ${why}`);
} finally {
  sts.destroy();
}
const partition = caller.Arn?.split(':')[1] ?? 'aws';
const region = (await sts.config.region()) ?? 'us-east-1';

// As in Lambda: the function's environment from the template (such as its Powertools service name and namespace),
// unless this shell sets a variable itself.
for (const [name, value] of Object.entries(fn.environment)) process.env[name] ??= value;

const [file, exported] = fn.handler.split('.');
const handler = createRequire(import.meta.url)(`../dist/${logicalId}/${file}.js`)[exported];
const deadline = Date.now() + fn.timeoutSeconds * 1000;
const context = {
  functionName: `local-${logicalId}`,
  invokedFunctionArn: `arn:${partition}:lambda:${region}:${caller.Account}:function:local-${logicalId}`,
  awsRequestId: `local-${process.pid}-${Date.now()}`,
  getRemainingTimeInMillis: () => deadline - Date.now(),
};
let exitCode = 0;
try {
  const result = await handler(event, context);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} catch (error) {
  process.stderr.write(`invoke: the function failed: ${error?.name ?? 'Error'}: ${error?.message ?? String(error)}\n`);
  exitCode = 1;
}
// Exit once the output is flushed, rather than when the event loop empties: a request the failed handler abandoned
// can hold a socket open for minutes.
await Promise.all(
  [process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))),
);
process.exit(exitCode);
