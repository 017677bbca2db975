import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

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

const warned = new Set<string>();

/**
 * A jest `describe` for suites that need an external command (moto_server, cfn-lint). Without it the suite is skipped
 * with a notice, except when CI=true: then it fails, so that a CI run cannot pass without those suites.
 */
export function describeWithCommand(command: string, installHint: string, name: string, fn: () => void): void {
  if (commandOnPath(command) !== undefined) {
    describe(name, fn);
    return;
  }
  const reason = `${command} is not on PATH; install it with: ${installHint}`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs ${command} (CI=true does not allow skipping)`, () => {
        throw new Error(`${reason}. CI=true: these suites must run, not skip.`);
      });
    });
    return;
  }
  if (!warned.has(command)) console.warn(`Skipping suites that need ${command}: ${reason}.`);
  warned.add(command);
  describe.skip(name, fn);
}
