import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CLI_BUNDLE, CLI_INPUTS, isCliBundleStale } from '../../scripts/cliBundle.cjs';

const BUILT_AT = new Date('2026-01-01T12:00:00Z');
const BEFORE = new Date('2026-01-01T11:00:00Z');
const AFTER = new Date('2026-01-01T13:00:00Z');
const ESBUILD_INPUTS = ['src/cli/main.ts', 'src/core/evaluatePosture.ts', 'package.json'];
const OTHER_INPUTS = ['package-lock.json', 'tsconfig.json', 'scripts/cliBundle.cjs'];

let root: string;

/** Writes `file` under root, modified at `time`. */
function write(file: string, time: Date): void {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  utimesSync(path, time, time);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ai-opt-out-bundle-'));
  for (const file of [...ESBUILD_INPUTS, ...OTHER_INPUTS]) write(file, BEFORE);
  write(CLI_BUNDLE, BUILT_AT);
  writeFileSync(join(root, CLI_INPUTS), JSON.stringify(ESBUILD_INPUTS));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('isCliBundleStale', () => {
  it('is false when every file the bundle was built from is older than it', () => {
    expect(isCliBundleStale(root)).toBe(false);
  });

  it.each([...ESBUILD_INPUTS, ...OTHER_INPUTS])('is true when %s is newer than the bundle', (file) => {
    write(file, AFTER);
    expect(isCliBundleStale(root)).toBe(true);
  });

  it.each([
    ['the bundle', CLI_BUNDLE],
    ['the list of what it was built from', CLI_INPUTS],
    ['a file it was built from', 'src/core/evaluatePosture.ts'],
  ])('is true when %s is missing', (_name, file) => {
    rmSync(join(root, file));
    expect(isCliBundleStale(root)).toBe(true);
  });

  it('is true when the list of what it was built from is not JSON', () => {
    writeFileSync(join(root, CLI_INPUTS), '["src/cli/ma');
    expect(isCliBundleStale(root)).toBe(true);
  });
});
