import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The external commands some suites need, with how to install each. */
export const REQUIRED_COMMANDS = {
  moto_server: "pip install 'moto[server]'",
  'cfn-lint': 'pip install cfn-lint',
} as const;
export type RequiredCommand = keyof typeof REQUIRED_COMMANDS;

/** The path of an executable file named `command` on PATH, or undefined. */
export function commandOnPath(
  command: string,
  pathVariable: string | undefined = process.env.PATH,
): string | undefined {
  for (const directory of (pathVariable ?? '').split(delimiter)) {
    if (directory === '') continue;
    const candidate = join(directory, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not there, or not executable: keep looking.
    }
  }
  return undefined;
}

/** Why a required command cannot be used, or undefined when it is on PATH. */
export function missingCommand(command: RequiredCommand): string | undefined {
  return commandOnPath(command) === undefined
    ? `${command} is not on PATH; install it with: ${REQUIRED_COMMANDS[command]}`
    : undefined;
}

/**
 * A jest `describe` for suites that need an external command (moto_server, cfn-lint). Without it the suite is skipped
 * (test/support/globalSetup.ts prints the notice once per run), except when CI=true: then it fails, so that a CI run
 * cannot pass without those suites.
 */
export function describeWithCommand(command: RequiredCommand, name: string, fn: () => void): void {
  const missing = missingCommand(command);
  if (missing === undefined) {
    describe(name, fn);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs ${command} (CI=true does not allow skipping)`, () => {
        throw new Error(`${missing}. CI=true: these suites must run, not skip.`);
      });
    });
  } else {
    describe.skip(name, fn);
  }
}
