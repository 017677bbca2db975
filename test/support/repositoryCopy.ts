import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository these tests run in. */
export const REPOSITORY = resolve(__dirname, '../..');

// What a clone does not hold, or what a build, a test run or git makes.
const NOT_COPIED = new Set(['.git', 'node_modules', 'dist', 'coverage', '.aws-sam']);

/**
 * Copies the repository into a new temporary directory, as a clone with `npm ci` done would hold it: without dist/, and
 * with a link to this repository's node_modules. What runs there builds and writes there, never here.
 */
export function copyRepository(): string {
  const copy = mkdtempSync(join(tmpdir(), 'ai-opt-out-repository-'));
  cpSync(REPOSITORY, copy, {
    recursive: true,
    filter: (source) => !NOT_COPIED.has(source.slice(REPOSITORY.length + 1)),
  });
  symlinkSync(join(REPOSITORY, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
}
