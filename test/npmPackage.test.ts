import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyRepository, REPOSITORY } from './support/repositoryCopy';

// A bound on a hang for a busy 2-core machine (npm pack builds every bundle first), not a speed goal.
const PACK_TIMEOUT_MS = 180_000;

interface Packed {
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

let repository: string;
let packed: Packed;
let unpacked: string;

beforeAll(() => {
  // Packed from a copy, so that its build never rewrites this repository's dist/ under another suite.
  repository = copyRepository();
  const [result] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', repository], {
      cwd: repository,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  packed = result;
  unpacked = mkdtempSync(join(tmpdir(), 'ai-opt-out-unpacked-'));
  execFileSync('tar', ['-xzf', join(repository, packed.filename), '-C', unpacked]);
}, PACK_TIMEOUT_MS);
afterAll(() => {
  rmSync(repository, { recursive: true, force: true });
  rmSync(unpacked, { recursive: true, force: true });
});

const inPackage = (file: string) => join(unpacked, 'package', file);

describe('the npm package (npm pack)', () => {
  it('holds the CLI bundle, the README and the docs it links, the licence and the schemas, and no source, test or Lambda bundle', () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining(['dist/cli.js', 'README.md', 'docs/cli.md', 'docs/report-formats.md', 'package.json']),
    );
    for (const path of paths) {
      expect(path).toMatch(
        /^(dist\/cli\.js|(README|CHANGELOG|SECURITY)\.md|LICENSE|package\.json|schemas\/.+|docs\/.+\.md)$/,
      );
    }
  });

  it('declares its bin, Node 20 or newer, and no private flag that would stop npm publish', () => {
    const manifest = JSON.parse(readFileSync(inPackage('package.json'), 'utf8'));
    expect(manifest).toMatchObject({ bin: { 'ai-opt-out-audit': 'dist/cli.js' }, engines: { node: '>=20' } });
    expect(manifest.private).toBeUndefined();
  });

  it('has a bin that starts with a shebang for node', () => {
    expect(readFileSync(inPackage('dist/cli.js'), 'utf8').split('\n', 1)[0]).toBe('#!/usr/bin/env node');
  });

  it('runs its bin with Node alone, no node_modules, out of the repository', () => {
    const run = (argv: readonly string[]) =>
      execFileSync(process.execPath, [inPackage('dist/cli.js'), ...argv], { cwd: unpacked, encoding: 'utf8' });
    expect(run(['--version'])).toBe(`${require('../package.json').version}\n`);
    const snapshot = join(REPOSITORY, 'events/organizations/01-locked-compliant.json');
    expect(run(['audit', '--snapshot', snapshot])).toContain('Organization o-a1b2c3d4e5 is COMPLIANT.');
  });
});
