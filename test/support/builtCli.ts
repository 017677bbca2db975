import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { cliBuildOptions } from '../../scripts/cliBundle.cjs';

/** How long bundling the CLI may take on a busy machine, in milliseconds (a jest timeout, not a speed goal). */
export const BUILD_CLI_TIMEOUT_MS = 120_000;

/**
 * Bundles the CLI as `npm run build` does (scripts/cliBundle.cjs), but into a directory of its own, so that a suite
 * that runs `npm run build` at the same time never hands it a half-written dist/cli.js. Returns the path of the bundle.
 */
export async function buildCli(): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), 'ai-opt-out-cli-'));
  await build(cliBuildOptions(outdir));
  return join(outdir, 'cli.js');
}

/** What a run of the built CLI printed, and how it ended. */
export interface Exited {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Collects what `child` writes on the pipes it has, until it exits and its pipes close. */
export function exited(child: ChildProcess): Promise<Exited> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * The environment of a run of the built CLI (or of scripts/invoke.mjs): dummy credentials, every AWS call to
 * `endpoint`, no AWS configuration of this machine, and `extra`.
 */
export function cliEnvironment(endpoint: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  return {
    ...inherited,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    ...extra,
  };
}

/** Options of runBuiltCli. */
export interface RunOptions {
  /** The environment; by default cliEnvironment of a loopback port nothing listens on. */
  readonly env?: NodeJS.ProcessEnv;
  /** stdin, stdout, stderr; by default stdin closed, stdout and stderr piped. */
  readonly stdio?: ('ignore' | 'pipe' | number)[];
  /** After how many milliseconds the run is killed, so that a hang fails its test instead of outliving it. */
  readonly killAfterMs: number;
}

/** Runs `node <cli> ...argv`. */
export function runBuiltCli(cli: string, argv: readonly string[], options: RunOptions): ChildProcess {
  return spawn(process.execPath, [cli, ...argv], {
    env: options.env ?? cliEnvironment('http://127.0.0.1:9'),
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
    timeout: options.killAfterMs,
  });
}
