// Bundles with esbuild: the CLI for Node 20 and newer (scripts/cliBundle.cjs), and each function of template.yaml
// exactly as `sam build` does from its Metadata.BuildProperties (entry points, format, target, minify, source map),
// into dist/<LogicalId>/, so that what the tests and `npm run invoke` run is what SAM deploys.
import { basename, extname } from 'node:path';
import { build } from 'esbuild';
import cliBundle from './cliBundle.cjs';
import samTemplate from './samTemplate.cjs';

const functions = samTemplate.samFunctions(samTemplate.readTemplate('template.yaml'));

await Promise.all([
  cliBundle.buildCliBundle(),
  ...functions.map(({ logicalId, buildProperties: properties }) =>
    build({
      entryPoints: Object.fromEntries(properties.EntryPoints.map((entry) => [basename(entry, extname(entry)), entry])),
      outdir: `dist/${logicalId}`,
      bundle: true,
      platform: 'node',
      // SAM's defaults for what BuildProperties leave out.
      format: properties.Format ?? 'cjs',
      target: properties.Target ?? 'es2020',
      minify: properties.Minify ?? true,
      sourcemap: properties.Sourcemap ?? false,
      logLevel: 'warning',
    }),
  ),
]);
