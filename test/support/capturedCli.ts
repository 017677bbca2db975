import { type CliIo, runCli } from '../../src/cli/main';

/** What one in-process run of the CLI gave: its exit code and what it wrote on stdout and stderr. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the CLI in this process with `argv` and returns what it wrote: not a terminal, an empty environment and the
 * real clock unless `io` says otherwise.
 */
export async function runCliCaptured(
  argv: readonly string[],
  io: Partial<Pick<CliIo, 'stdoutIsTty' | 'stderrIsTty' | 'env' | 'now'>> = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stdoutIsTty: io.stdoutIsTty ?? false,
    stderrIsTty: io.stderrIsTty ?? false,
    env: io.env ?? {},
    now: io.now ?? (() => new Date()),
  });
  return { code, stdout, stderr };
}
