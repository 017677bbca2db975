import type { BuildOptions } from 'esbuild';

/** The bundle the npm scripts run and the package ships, relative to the repository. */
export const CLI_BUNDLE: string;

/** The files esbuild read to build CLI_BUNDLE, as a JSON array of paths relative to the repository. */
export const CLI_INPUTS: string;

/** esbuild's options for the CLI: one file, `cli.js` in `outdir`, for Node 20 and newer, needing no node_modules. */
export function cliBuildOptions(outdir: string): BuildOptions;

/** Builds CLI_BUNDLE and writes CLI_INPUTS, relative to the working directory (the repository). */
export function buildCliBundle(): Promise<void>;

/**
 * Whether CLI_BUNDLE under `root` must be built again: it, or the list of what it was built from, is missing, or one
 * of those files is missing or newer than it.
 */
export function isCliBundleStale(root: string): boolean;
