import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BUNDLE } from '../../scripts/cliBundle.cjs';
import { copyRepository } from '../support/repositoryCopy';

// A bound on a hang for a busy 2-core machine (a step may build the CLI), not a speed goal.
const BUILD_TIMEOUT_MS = 120_000;
const { version } = require('../../package.json');

let repository: string;

beforeAll(() => {
  repository = copyRepository();
});
afterAll(() => rmSync(repository, { recursive: true, force: true }));

/** `node scripts/cli.mjs ...argv` in the copy, as `npm run audit -- ...` runs it; returns what it printed. */
function runScript(argv: readonly string[]): string {
  return execFileSync(process.execPath, ['scripts/cli.mjs', ...argv], { cwd: repository, encoding: 'utf8' });
}

const bundleModified = () => statSync(join(repository, CLI_BUNDLE)).mtimeMs;

describe('scripts/cli.mjs, which npm run audit, remediate and start run', () => {
  it(
    'builds the CLI when there is none, then runs it',
    () => {
      expect(runScript(['--version'])).toBe(`${version}\n`);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'runs the CLI it built without building it again while nothing changed',
    () => {
      const built = bundleModified();
      expect(runScript(['--version'])).toBe(`${version}\n`);
      expect(bundleModified()).toBe(built);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'builds it again before the run when a file it is built from changed, so that the run shows the change',
    () => {
      const packageJson = join(repository, 'package.json');
      writeFileSync(
        packageJson,
        readFileSync(packageJson, 'utf8').replace(`"version": "${version}"`, '"version": "9.9.9"'),
      );
      // Saved a second after the build, whatever the file system's clock resolution.
      const later = new Date(bundleModified() + 1000);
      utimesSync(packageJson, later, later);
      expect(runScript(['--version'])).toBe('9.9.9\n');
    },
    BUILD_TIMEOUT_MS,
  );
});
