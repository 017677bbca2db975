import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { type RecordedRequest, type RecordingProxy, startRecordingProxy } from './recordingProxy';
import { describeWithCommand, type REQUIRED_COMMANDS } from './requiredCommand';

/** The executable of moto's standalone server (moto 5: `pip install 'moto[server]'`). */
export const MOTO_SERVER_COMMAND = 'moto_server' satisfies keyof typeof REQUIRED_COMMANDS;

/** How long to wait for moto_server to answer, in milliseconds; it usually answers within half a second. */
export const MOTO_START_TIMEOUT_MS = 20_000;

const MOTO_HOST = '127.0.0.1';
const READY_POLL_INTERVAL_MS = 50;
const READY_REQUEST_TIMEOUT_MS = 1_000;
const STOP_TIMEOUT_MS = 5_000;
const OUTPUT_TAIL_CHARS = 2_000;

/** The proxy that answers the calls moto lacks; every endpoint the tests get goes through it. */
const GAPS_PROXY_SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'moto-gaps-proxy.mjs');
const GAPS_PROXY_LISTENING = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m;

/**
 * A running moto_server bound to 127.0.0.1 with scripts/moto-gaps-proxy.mjs in front of it, both owned by the test
 * process that started them.
 */
export interface MotoServer {
  /** `http://127.0.0.1:PORT` of the gap-filling proxy in front of moto, for the SDK's `endpoint`. */
  readonly endpoint: string;
  /** `http://127.0.0.1:PORT` of moto itself, without the gap-filler. */
  readonly motoEndpoint: string;
  /** Clears the state of every emulated service (POST /moto-api/reset); throws when moto does not answer 200. */
  reset(): Promise<void>;
  /** Stops the proxy and the server (SIGTERM, then SIGKILL after 5 s) and waits for both to exit; safe to call twice. */
  stop(): Promise<void>;
}

/** SDK v3 client settings that send every call to moto with dummy credentials, never to AWS. */
export interface MotoClientConfig {
  readonly region: 'us-east-1';
  readonly endpoint: string;
  readonly credentials: { readonly accessKeyId: 'testing'; readonly secretAccessKey: 'testing' };
}

/** Settings for an Organizations or Config client that talks to the moto server at `endpoint`. */
export function motoClientConfig(endpoint: string): MotoClientConfig {
  return { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
}

/**
 * Starts moto_server on a free port of 127.0.0.1, and scripts/moto-gaps-proxy.mjs in front of it, and resolves once
 * both answer. Throws when either cannot be spawned, exits early, or does not answer within MOTO_START_TIMEOUT_MS;
 * the error carries the tail of its output.
 */
export async function startMotoServer(): Promise<MotoServer> {
  const port = await findFreePort();
  const motoEndpoint = `http://${MOTO_HOST}:${port}`;
  const child = spawn(MOTO_SERVER_COMMAND, ['-H', MOTO_HOST, '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Werkzeug logs every request on stderr: keep draining it, or a full pipe would block the server.
  let outputTail = '';
  const tail = (): string => outputTail || '(no output)';
  const keepTail = (chunk: Buffer): void => {
    outputTail = (outputTail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  const exited = waitForExit(child);

  let proxy: GapsProxy;
  try {
    await waitUntilReady(motoEndpoint, exited, tail);
    proxy = await startGapsProxy(motoEndpoint);
  } catch (error) {
    await terminate(child, exited);
    throw error;
  }

  return {
    endpoint: proxy.endpoint,
    motoEndpoint,
    async reset(): Promise<void> {
      const response = await fetch(`${motoEndpoint}/moto-api/reset`, { method: 'POST' });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`moto reset at ${motoEndpoint} answered HTTP ${response.status}`);
    },
    async stop(): Promise<void> {
      await proxy.stop();
      await terminate(child, exited);
    },
  };
}

interface GapsProxy {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts `node scripts/moto-gaps-proxy.mjs <motoEndpoint> 0` and resolves with the endpoint it prints. */
async function startGapsProxy(motoEndpoint: string): Promise<GapsProxy> {
  const child = spawn(process.execPath, [GAPS_PROXY_SCRIPT, motoEndpoint, '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = waitForExit(child);
  let output = '';
  const listening = new Promise<string>((resolveEndpoint, reject) => {
    const onOutput = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
      const endpoint = GAPS_PROXY_LISTENING.exec(output)?.[1];
      if (endpoint !== undefined) resolveEndpoint(endpoint);
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    void exited.then((exit) =>
      reject(
        new Error(`${GAPS_PROXY_SCRIPT} ${describeExit(exit)} before it listened. Output:\n${output || '(none)'}`),
      ),
    );
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${GAPS_PROXY_SCRIPT} did not listen within ${MOTO_START_TIMEOUT_MS} ms`)),
      MOTO_START_TIMEOUT_MS,
    );
  });
  try {
    const endpoint = await Promise.race([listening, timeout]);
    return { endpoint, stop: () => terminate(child, exited) };
  } catch (error) {
    await terminate(child, exited);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** What a test of a moto suite sees: its own gate in front of the shared server, and what went through it. */
export interface MotoTest {
  /** `http://127.0.0.1:PORT` of this test's gate, for the SDK's `endpoint`; it refuses everything once the test ends. */
  readonly endpoint: string;
  /** `http://127.0.0.1:PORT` of moto itself, without the gap-filler or the gate. */
  readonly motoEndpoint: string;
  /** Every request this test sent through its gate, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Clears the state of every emulated service, as done before each test. */
  reset(): Promise<void>;
}

/**
 * The longest an integration test may take, in milliseconds: generous, since a busy 2-core machine runs moto, the
 * build and jest at once; nothing asserts a duration.
 */
export const MOTO_TEST_TIMEOUT_MS = 120_000;

/** How long a test's gate may take to close, waiting for what it already forwarded to be answered. */
const GATE_STOP_TIMEOUT_MS = 70_000;

/**
 * A jest `describe` for suites that need moto_server. It starts one server (behind its gap-filling proxy) before the
 * suite and stops both after. Each test starts from a reset server behind its own gate (a recording proxy): when the
 * test ends, even by its timeout, the gate refuses what the test left running and waits for what it already forwarded,
 * so that no test sees another's requests or state. `fn` receives an accessor for the current test's view (valid
 * inside tests and hooks that run per test). Without moto_server the suite is skipped with a notice, except when
 * CI=true: then it fails, so that a CI run cannot pass without its integration tests.
 */
export function describeWithMoto(name: string, fn: (moto: () => MotoTest) => void): void {
  describeWithCommand(MOTO_SERVER_COMMAND, name, () => {
    let starting: Promise<MotoServer> | undefined;
    let server: MotoServer | undefined;
    let gate: RecordingProxy | undefined;
    beforeAll(async () => {
      starting = startMotoServer();
      server = await starting;
    }, MOTO_START_TIMEOUT_MS + STOP_TIMEOUT_MS);
    beforeEach(async () => {
      if (server === undefined) throw new Error('moto_server did not start');
      await server.reset();
      gate = await startRecordingProxy(server.endpoint);
    }, MOTO_TEST_TIMEOUT_MS);
    afterEach(async () => {
      await gate?.stop();
      gate = undefined;
    }, GATE_STOP_TIMEOUT_MS);
    afterAll(async () => {
      // A start that outlived beforeAll's timeout still owns a process: wait for it, then stop it.
      const started = await starting?.catch(() => undefined);
      await started?.stop();
    }, STOP_TIMEOUT_MS * 2);
    fn(() => {
      if (server === undefined || gate === undefined) {
        throw new Error('moto_server is not running: use it inside tests and per-test hooks only');
      }
      return {
        endpoint: gate.endpoint,
        motoEndpoint: server.motoEndpoint,
        requests: gate.requests,
        reset: server.reset,
      };
    });
  });
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, MOTO_HOST, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      probe.close(() => {
        if (port === undefined) reject(new Error('could not read the port of a listening socket'));
        else resolve(port);
      });
    });
  });
}

type ExitOutcome = { readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly error?: Error };

function waitForExit(child: ChildProcess): Promise<ExitOutcome> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

async function waitUntilReady(endpoint: string, exited: Promise<ExitOutcome>, tail: () => string): Promise<void> {
  let exit: ExitOutcome | undefined;
  void exited.then((outcome) => {
    exit = outcome;
  });
  const deadline = Date.now() + MOTO_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new Error(describeEarlyExit(exit, tail()));
    if (await answers(endpoint)) return;
    await sleep(READY_POLL_INTERVAL_MS);
  }
  throw new Error(
    `${MOTO_SERVER_COMMAND} did not answer at ${endpoint} within ${MOTO_START_TIMEOUT_MS} ms. Output tail:\n${tail()}`,
  );
}

function describeEarlyExit(exit: ExitOutcome, tail: string): string {
  if (exit.error !== undefined) return `${MOTO_SERVER_COMMAND} could not be started: ${exit.error.message}`;
  return `${MOTO_SERVER_COMMAND} ${describeExit(exit)} before it answered. Output tail:\n${tail}`;
}

function describeExit(exit: ExitOutcome): string {
  if (exit.error !== undefined) return `could not be started (${exit.error.message})`;
  return `exited with ${exit.signal === null ? `code ${exit.code}` : `signal ${exit.signal}`}`;
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(READY_REQUEST_TIMEOUT_MS) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

async function terminate(child: ChildProcess, exited: Promise<ExitOutcome>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    await exited;
    return;
  }
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
