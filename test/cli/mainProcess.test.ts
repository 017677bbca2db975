import { spawn } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILD_CLI_TIMEOUT_MS, buildCli, cliEnvironment, type Exited, exited, runBuiltCli } from '../support/builtCli';
import { writeLargeSnapshot } from '../support/largeOrganization';
import { parseCsv } from '../support/reportFormats';

// Bounds on a hang for a busy 2-core machine, not speed goals. A run is killed before its test times out, so that a
// hang fails with what the run printed.
const PROCESS_TIMEOUT_MS = 60_000;
const KILL_AFTER_MS = 50_000;
const LARGE_ORGANIZATION_TIMEOUT_MS = 300_000;
const LARGE_KILL_AFTER_MS = 90_000;

let cli: string;
let dir: string;

beforeAll(async () => {
  cli = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'ai-opt-out-process-'));
}, BUILD_CLI_TIMEOUT_MS);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the built CLI on a large organization with its stdout written to a new file; returns how it ended and the file. */
async function runToFile(argv: readonly string[], name: string): Promise<Exited & { file: string }> {
  const file = join(dir, name);
  const fd = openSync(file, 'w');
  try {
    const child = runBuiltCli(cli, argv, { stdio: ['ignore', fd, 'pipe'], killAfterMs: LARGE_KILL_AFTER_MS });
    return { ...(await exited(child)), file };
  } finally {
    closeSync(fd);
  }
}

/** The last line of a file, read from its end (the file may be too large to read whole). */
function lastLine(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(Math.min(size, 4096));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return tail.toString('utf8').trimEnd().split('\n').at(-1) ?? '';
  } finally {
    closeSync(fd);
  }
}

describe('output that cannot be written', () => {
  it.each([
    ['a compliant organization, as a table', true, [], 0],
    ['a non-compliant organization, as JSON', false, ['--format', 'json'], 1],
  ])(
    'ends quietly with the verdict as its exit code when the reader of its output leaves: %s',
    async (_name, locked, format, code) => {
      // Far more than a pipe holds, so that the reader leaves while the report is still being written.
      const snapshot = join(dir, `epipe-${locked}.json`);
      writeLargeSnapshot(snapshot, 5_000, locked);
      const child = runBuiltCli(cli, ['audit', '--snapshot', snapshot, ...format], { killAfterMs: KILL_AFTER_MS });
      child.stdout?.once('data', () => child.stdout?.destroy());
      const run = await exited(child);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code, stderr: '' });
    },
    PROCESS_TIMEOUT_MS,
  );

  (existsSync('/dev/full') ? it : it.skip)(
    'fails in one line with exit code 3 when the output cannot be written',
    async () => {
      const full = openSync('/dev/full', 'w');
      try {
        const child = runBuiltCli(cli, ['audit', '--snapshot', 'events/organizations/01-locked-compliant.json'], {
          stdio: ['ignore', full, 'pipe'],
          killAfterMs: KILL_AFTER_MS,
        });
        const run = await exited(child);
        expect({ code: run.code, stderr: run.stderr }).toEqual({
          code: 3,
          stderr: 'ai-opt-out-audit: cannot write the output: ENOSPC: no space left on device, write\n',
        });
      } finally {
        closeSync(full);
      }
    },
    PROCESS_TIMEOUT_MS,
  );
});

describe('--output', () => {
  it(
    'writes the report of the built CLI to the file, prints nothing and exits with the verdict',
    async () => {
      const file = join(dir, 'report.csv');
      const argv = ['audit', '--snapshot', 'events/organizations/03-ou-opts-lex-in.json', '--format', 'csv'];
      const run = await exited(runBuiltCli(cli, [...argv, '--output', file], { killAfterMs: KILL_AFTER_MS }));
      expect(run).toEqual({ code: 1, signal: null, stdout: '', stderr: '' });
      expect(parseCsv(readFileSync(file, 'utf8')).map((row) => row[1])).toEqual([
        'accountId',
        '111111111111',
        '222222222222',
        '333333333333',
      ]);
    },
    PROCESS_TIMEOUT_MS,
  );
});

describe('--timeout', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let endpoint: string;

  beforeAll(async () => {
    // Accepts connections and never answers, as an endpoint behind a black-holing network does.
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the server has no TCP port');
    endpoint = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    [
      'audit',
      [],
      'reading the organization did not finish within 1 s (--timeout), so nothing was evaluated: run again with a longer --timeout (a large organization, or Organizations throttling, takes longer)',
    ],
    [
      'remediate',
      [],
      'remediate did not finish within 1 s (--timeout), so it may have made only some of its changes: run remediate --dry-run to see what is left, then remediate again (it does only what is left)',
    ],
    [
      'remediate',
      ['--dry-run'],
      'remediate --dry-run did not finish within 1 s (--timeout); a dry run changes nothing: run it again with a longer --timeout',
    ],
  ])(
    'ends %s %j against a server that never answers with exit code 3 and one line, and exits',
    async (command, options, message) => {
      const run = await exited(
        runBuiltCli(cli, [command, ...options, '--timeout', '1'], {
          env: cliEnvironment(endpoint),
          killAfterMs: KILL_AFTER_MS,
        }),
      );
      expect(run).toEqual({ code: 3, signal: null, stdout: '', stderr: `ai-opt-out-audit: ${message}\n` });
    },
    PROCESS_TIMEOUT_MS,
  );
});

describe('an organization of 200,000 accounts', () => {
  let snapshot: string;
  let counts: ReturnType<typeof writeLargeSnapshot>;

  beforeAll(() => {
    snapshot = join(dir, 'large.json');
    counts = writeLargeSnapshot(snapshot, 200_000, true);
  });

  it(
    'is evaluated in both formats',
    async () => {
      const table = await runToFile(['audit', '--snapshot', snapshot], 'large.txt');
      expect({ code: table.code, stderr: table.stderr }).toEqual({ code: 0, stderr: '' });
      expect(lastLine(table.file)).toBe(
        `200000 accounts (* management): ${counts.COMPLIANT} COMPLIANT, 0 NON_COMPLIANT, ${counts.NOT_APPLICABLE} NOT_APPLICABLE. Organization o-exampleorgid is COMPLIANT.`,
      );

      const json = await runToFile(['audit', '--snapshot', snapshot, '--format', 'json'], 'large-report.json');
      expect({ code: json.code, stderr: json.stderr }).toEqual({ code: 0, stderr: '' });
      // Parsed in a process of its own: the report is some 170 MB of JSON.
      const summary = await exited(
        spawn(
          process.execPath,
          [
            '-e',
            'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.stdout.write(JSON.stringify({ compliance: r.compliance, summary: r.summary, evaluations: r.evaluations.length, accounts: r.accounts.length }))',
            json.file,
          ],
          { stdio: ['ignore', 'pipe', 'pipe'], timeout: LARGE_KILL_AFTER_MS },
        ),
      );
      expect(JSON.parse(summary.stdout)).toEqual({
        compliance: 'COMPLIANT',
        summary: counts,
        evaluations: 200_000,
        accounts: 200_000,
      });
    },
    LARGE_ORGANIZATION_TIMEOUT_MS,
  );
});
