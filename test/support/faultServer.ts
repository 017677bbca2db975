import { createServer, type ServerResponse } from 'node:http';
import { OrganizationsClient, type OrganizationsClientConfig } from '@aws-sdk/client-organizations';
import { ORGANIZATIONS_CLIENT_CONFIG } from '../../src/aws/readOrgSnapshot';

/** What the server does with one request. */
export type Fault =
  /** Reads the request and never answers. */
  | { readonly kind: 'silent' }
  /** Sends status 200 and the start of a body it announces longer, then falls silent. */
  | { readonly kind: 'stalledBody'; readonly start: string }
  /** Answers with this status and body, as AWS JSON 1.1. */
  | { readonly kind: 'answer'; readonly status: number; readonly body: string };

/** An HTTP server on 127.0.0.1 that answers AWS JSON requests as a test tells it to. */
export interface FaultServer {
  /** `http://127.0.0.1:PORT`, for the SDK's `endpoint`. */
  readonly endpoint: string;
  /** The X-Amz-Target of every request received, in order, such as `AWSOrganizationsV20161128.ListRoots`. */
  readonly targets: readonly string[];
  /** Drops every open connection, silent ones included, and stops listening. */
  stop(): Promise<void>;
}

/**
 * Starts a server on a free port of 127.0.0.1 whose answer to each request is `faultFor(target, n)`: `target` is the
 * request's X-Amz-Target and `n` counts the requests with that target, from 1.
 */
export function startFaultServer(faultFor: (target: string, n: number) => Fault): Promise<FaultServer> {
  const targets: string[] = [];
  const server = createServer((request, response) => {
    const header = request.headers['x-amz-target'];
    const target = typeof header === 'string' ? header : '';
    request.resume();
    request.on('end', () => {
      targets.push(target);
      respond(response, faultFor(target, targets.filter((seen) => seen === target).length));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('the fault server has no TCP address'));
        return;
      }
      resolve({
        endpoint: `http://127.0.0.1:${address.port}`,
        targets,
        stop: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function respond(response: ServerResponse, fault: Fault): void {
  const headers = { 'content-type': 'application/x-amz-json-1.1' };
  switch (fault.kind) {
    case 'silent':
      return;
    case 'stalledBody':
      response.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(fault.start) + 100 });
      response.write(fault.start);
      return;
    case 'answer':
      response.writeHead(fault.status, { ...headers, 'content-length': Buffer.byteLength(fault.body) });
      response.end(fault.body);
      return;
  }
}

/** An Organizations client as the Lambda and the CLI make it, with dummy credentials, `config` on top, to `server`. */
export function organizationsClientOf(
  server: FaultServer,
  config: OrganizationsClientConfig = {},
): OrganizationsClient {
  return new OrganizationsClient({
    ...ORGANIZATIONS_CLIENT_CONFIG,
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    ...config,
  });
}
