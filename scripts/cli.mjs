// `node scripts/cli.mjs ARGS` runs the CLI as `node dist/cli.js ARGS` does, in this process, after building it (only
// it) when a file it is built from is newer than the bundle: `npm run audit` starts at once, yet never runs code
// older than what src/ says.
import { createRequire } from 'node:module';
import cliBundle from './cliBundle.cjs';

if (cliBundle.isCliBundleStale('.')) await cliBundle.buildCliBundle();
createRequire(import.meta.url)(`../${cliBundle.CLI_BUNDLE}`).main();
