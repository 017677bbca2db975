// The CLI bundle, for the build (scripts/build.mjs), the run of the npm scripts (scripts/cli.mjs) and the tests, so
// that all three build it the same way and agree on when it is out of date.
const { readFileSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

/** The bundle the npm scripts run and the package ships, relative to the repository. */
const CLI_BUNDLE = 'dist/cli.js';
/** The files esbuild read to build CLI_BUNDLE, as a JSON array of paths relative to the repository. */
const CLI_INPUTS = 'dist/cli.inputs.json';
// Not in esbuild's list, yet they change the bundle. Files under node_modules keep the date npm gives every packed
// file (1985-10-26), so a new version of a dependency shows only in package-lock.json.
const BUILD_INPUTS = ['package-lock.json', 'tsconfig.json', 'scripts/cliBundle.cjs'];

/** esbuild's options for the CLI: one file, `cli.js` in `outdir`, for Node 20 and newer, needing no node_modules. */
function cliBuildOptions(outdir) {
  return {
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  };
}

/** Builds CLI_BUNDLE and writes CLI_INPUTS, relative to the working directory (the repository). */
async function buildCliBundle() {
  // Required here, not above: a run that needs no build should not pay for loading esbuild.
  const { build } = require('esbuild');
  // A build cut short must not leave the list of the build before it next to a new bundle.
  rmSync(CLI_INPUTS, { force: true });
  const { metafile } = await build({ ...cliBuildOptions('dist'), metafile: true });
  writeFileSync(CLI_INPUTS, JSON.stringify(Object.keys(metafile.inputs)));
}

/**
 * Whether CLI_BUNDLE under `root` must be built again: it, or the list of what it was built from, is missing, or one
 * of those files is missing or newer than it.
 */
function isCliBundleStale(root) {
  const modified = (path) => statSync(join(root, path), { throwIfNoEntry: false })?.mtimeMs ?? Number.POSITIVE_INFINITY;
  const built = statSync(join(root, CLI_BUNDLE), { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined) return true;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(join(root, CLI_INPUTS), 'utf8'));
  } catch {
    return true;
  }
  return [...inputs, ...BUILD_INPUTS].some((path) => modified(path) > built);
}

module.exports = { CLI_BUNDLE, CLI_INPUTS, buildCliBundle, cliBuildOptions, isCliBundleStale };
