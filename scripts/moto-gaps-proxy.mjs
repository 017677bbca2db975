// Fills the gaps of moto's server that this project's reader and rule run into, as an HTTP proxy on 127.0.0.1 in
// front of it:
//
//   node scripts/moto-gaps-proxy.mjs MOTO_ENDPOINT [PORT]
//   node scripts/moto-gaps-proxy.mjs http://127.0.0.1:5000 5001    # then AWS_ENDPOINT_URL=http://127.0.0.1:5001
//
// It prints `listening on http://127.0.0.1:PORT` on stdout once it accepts requests (PORT 0 or left out: a free
// port) and forwards every request to moto unchanged, except the calls moto does not implement, which it answers
// itself (GAP_ANSWERS below). SIGINT or SIGTERM stops it. It only forwards to moto on this machine (loopback http).
//
// The gaps today, both Organizations calls (JSON 1.1, X-Amz-Target AWSOrganizationsV20161128.<name>) that moto 5.2.1
// answers with an HTML page and HTTP 500:
// - ListAccountsWithInvalidEffectivePolicy, which the reader must not skip: SDK v3 reports that page as a SyntaxError,
//   so the reader could not read an emulated organization at all. This proxy answers `{"Accounts": []}`: moto keeps no
//   effective-policy state (it neither computes nor validates effective policies), so "no account has an invalid
//   effective policy" is the only answer true to what moto holds.
// - DescribeEffectivePolicy, which the rule's cross-check asks: there is no answer true to what moto holds, since AWS's
//   merge is exactly what the cross-check compares with. SDK v3 retries a 500 up to ten times with backoff, so this
//   proxy answers at once with HTTP 400 UnknownOperationException, which says so and is not retried: a run that asks
//   fails after its put (CrossCheckAccounts=0 asks nothing).
// It says nothing about a real organization: never put this in front of AWS.
//
// A development tool with no dependencies and no exports; test/support/motoServer.ts starts it in front of every
// moto_server the integration tests start, so that the tests and a person's local runs share this one gap-filler.
import { createServer, request } from 'node:http';

const USAGE =
  'usage: node scripts/moto-gaps-proxy.mjs MOTO_ENDPOINT [PORT]   (MOTO_ENDPOINT such as http://127.0.0.1:5000; PORT 0 or left out: a free port)';

/** The answers to the calls moto lacks, by X-Amz-Target (AWS JSON 1.1 protocol): HTTP status and body. */
const GAP_ANSWERS = new Map([
  [
    'AWSOrganizationsV20161128.ListAccountsWithInvalidEffectivePolicy',
    { status: 200, body: JSON.stringify({ Accounts: [] }) },
  ],
  [
    'AWSOrganizationsV20161128.DescribeEffectivePolicy',
    {
      status: 400,
      body: JSON.stringify({
        __type: 'UnknownOperationException',
        message:
          'moto does not implement DescribeEffectivePolicy, and scripts/moto-gaps-proxy.mjs has no merge to stand in for AWS',
      }),
    },
  ],
]);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const HOST = '127.0.0.1';

function fail(message) {
  process.stderr.write(`moto-gaps-proxy: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArguments([endpointArgument, portArgument = '0', ...rest]) {
  if (endpointArgument === undefined || rest.length > 0) fail('expected a moto endpoint and at most a port');
  let upstream;
  try {
    upstream = new URL(endpointArgument);
  } catch {
    fail(`${JSON.stringify(endpointArgument)} is not a URL`);
  }
  if (upstream.protocol !== 'http:' || !LOOPBACK_HOSTS.has(upstream.hostname)) {
    fail(`${endpointArgument} is not moto on this machine (http://127.0.0.1, http://localhost or http://[::1])`);
  }
  const port = Number(portArgument);
  if (!/^\d+$/.test(portArgument) || port > 65_535) fail(`${JSON.stringify(portArgument)} is not a port (0-65535)`);
  return { upstream, port };
}

const { upstream, port } = parseArguments(process.argv.slice(2));
const upstreamHost = upstream.hostname.replace(/^\[(.*)\]$/, '$1');

const server = createServer((incoming, outgoing) => {
  const target = incoming.headers['x-amz-target'];
  const answer = typeof target === 'string' ? GAP_ANSWERS.get(target) : undefined;
  if (answer !== undefined) {
    incoming.resume();
    incoming.on('end', () => {
      outgoing.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(answer.body),
      });
      outgoing.end(answer.body);
    });
    return;
  }
  const forwarded = request(
    {
      hostname: upstreamHost,
      port: upstream.port,
      method: incoming.method,
      path: incoming.url,
      headers: incoming.headers,
    },
    (response) => {
      outgoing.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(outgoing);
    },
  );
  forwarded.on('error', (error) => {
    if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
    outgoing.end(`moto-gaps-proxy: cannot reach ${upstream.origin}: ${error.message}`);
  });
  incoming.pipe(forwarded);
});

server.on('error', (error) => {
  process.stderr.write(`moto-gaps-proxy: ${error.message}\n`);
  process.exit(1);
});

server.listen(port, HOST, () => {
  const address = server.address();
  const listening = typeof address === 'object' && address !== null ? address.port : port;
  process.stdout.write(`listening on http://${HOST}:${listening}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
