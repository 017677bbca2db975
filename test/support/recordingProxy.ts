import { type ClientRequest, createServer, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';

/** How long a forwarded request may wait for the upstream's answer before the proxy gives up on it. */
const UPSTREAM_TIMEOUT_MS = 60_000;

/** One request that went through a recording proxy: its X-Amz-Target header (JSON protocols) and its body. */
export interface RecordedRequest {
  readonly target: string | undefined;
  readonly body: string;
}

/** A pass-through HTTP proxy on 127.0.0.1 that records what goes through it, until it is stopped. */
export interface RecordingProxy {
  readonly endpoint: string;
  /** Every request forwarded so far, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /**
   * Refuses new connections, cuts the open ones and waits until every request already forwarded upstream has been
   * answered, so that nothing sent through this proxy reaches the upstream afterwards. Safe to call twice.
   */
  stop(): Promise<void>;
}

/**
 * Starts a pass-through proxy on a free port of 127.0.0.1 in front of `upstream`. Each moto test gets its own
 * (test/support/motoServer.ts): whatever a test left running, even after its timeout, cannot reach moto once the test
 * has ended, nor record into the next test's requests.
 */
export function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const { hostname, port } = new URL(upstream);
  const requests: RecordedRequest[] = [];
  const inFlight = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  let stopping: Promise<void> | undefined;
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      if (stopping !== undefined) {
        outgoing.destroy();
        return;
      }
      const body = Buffer.concat(chunks);
      const target = incoming.headers['x-amz-target'];
      requests.push({ target: typeof target === 'string' ? target : undefined, body: body.toString('utf8') });
      let forwarded: ClientRequest | undefined;
      const answered = new Promise<void>((done) => {
        forwarded = httpRequest(
          { hostname, port, method: incoming.method, path: incoming.url, headers: incoming.headers },
          (answer) => {
            answer.on('end', done).on('error', done);
            if (outgoing.destroyed) {
              answer.resume();
              return;
            }
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          },
        );
        forwarded.setTimeout(UPSTREAM_TIMEOUT_MS, () => forwarded?.destroy(new Error('no answer from upstream')));
        forwarded.on('error', (error) => {
          done();
          if (!outgoing.headersSent && !outgoing.destroyed) outgoing.writeHead(502).end(`proxy: ${error.message}`);
        });
      });
      inFlight.add(answered);
      void answered.then(() => inFlight.delete(answered));
      forwarded?.end(body);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('the recording proxy has no TCP address'));
        return;
      }
      resolvePromise({
        endpoint: `http://127.0.0.1:${address.port}`,
        requests,
        stop: () => {
          stopping ??= (async () => {
            const closed = new Promise<void>((done) => server.close(() => done()));
            for (const socket of sockets) socket.destroy();
            // What already reached the upstream finishes there before anything else may touch it.
            await Promise.all([...inFlight]);
            await closed;
          })();
          return stopping;
        },
      });
    });
  });
}
