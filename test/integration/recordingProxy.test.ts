import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { startRecordingProxy } from '../support/recordingProxy';

/** Generous: two local HTTP servers on a busy machine; nothing here asserts a duration. */
const TEST_TIMEOUT_MS = 30_000;

interface Upstream {
  readonly endpoint: string;
  /** The bodies the upstream received, in order. */
  readonly received: string[];
  /** Answers the oldest request left waiting (the upstream holds a request whose body is "hold"). */
  release(): void;
  /** Resolves once the upstream holds a request. */
  holding(): Promise<void>;
  close(): Promise<void>;
}

function startUpstream(): Promise<Upstream> {
  const received: string[] = [];
  const held: ServerResponse[] = [];
  let onHold: (() => void) | undefined;
  const server: Server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    let body = '';
    incoming.setEncoding('utf8').on('data', (chunk: string) => {
      body += chunk;
    });
    incoming.on('end', () => {
      received.push(body);
      if (body === 'hold') {
        held.push(outgoing);
        onHold?.();
      } else {
        outgoing.end(`echo ${body}`);
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        received,
        release: () => held.shift()?.end('released'),
        holding: () =>
          new Promise<void>((done) => {
            if (held.length > 0) done();
            else onHold = done;
          }),
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

describe('the recording proxy that gates each moto test', () => {
  let upstream: Upstream;
  beforeEach(async () => {
    upstream = await startUpstream();
  });
  afterEach(() => upstream.close());

  it(
    'forwards requests, records their target and body, and passes the answer back',
    async () => {
      const proxy = await startRecordingProxy(upstream.endpoint);
      try {
        const answer = await fetch(proxy.endpoint, {
          method: 'POST',
          headers: { 'x-amz-target': 'Service.Operation' },
          body: 'one',
        });

        expect(await answer.text()).toBe('echo one');
        expect(proxy.requests).toEqual([{ target: 'Service.Operation', body: 'one' }]);
      } finally {
        await proxy.stop();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'waits on stop for a request already forwarded, then refuses every new one, so nothing reaches the upstream after',
    async () => {
      const proxy = await startRecordingProxy(upstream.endpoint);
      const leftOver = fetch(proxy.endpoint, { method: 'POST', body: 'hold' }).then(
        () => 'answered',
        () => 'cut',
      );
      await upstream.holding();

      let stopped = false;
      const stopping = proxy.stop().then(() => {
        stopped = true;
      });
      // The stop cannot end while the upstream still works on the forwarded request.
      await new Promise((resolve) => setImmediate(resolve));
      expect(stopped).toBe(false);
      upstream.release();
      await stopping;

      await expect(leftOver).resolves.toBe('cut');
      await expect(fetch(proxy.endpoint, { method: 'POST', body: 'late' })).rejects.toThrow();
      expect(upstream.received).toEqual(['hold']);
      expect(proxy.requests).toEqual([{ target: undefined, body: 'hold' }]);
    },
    TEST_TIMEOUT_MS,
  );
});
