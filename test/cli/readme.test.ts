import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import type { CliIo } from '../../src/cli/main';
import { runCliCaptured } from '../support/capturedCli';
import {
  aiPolicy,
  MANAGEMENT_ID,
  mockOrganization,
  organizationFixture,
  ROOT_ID,
  sdkAccount,
  sdkOrganizationalUnit,
} from '../support/organizationsMock';
import { SEED_000 } from '../support/policies';
import { mockLiveOrganization } from '../support/remediationMock';
import { REPOSITORY } from '../support/repositoryCopy';

const PAGES = ['README.md', ...readdirSync(join(REPOSITORY, 'docs')).map((file) => join('docs', file))].filter((page) =>
  page.endsWith('.md'),
);
const README = readFileSync(join(REPOSITORY, 'README.md'), 'utf8');
const packageJson: { name: string; scripts: Record<string, string> } = require('../../package.json');

/** A way the documentation runs the CLI: an npm script of this package in a clone, or the package's bin. */
interface Way {
  readonly typed: string;
  /** The npm script, which runs `node scripts/cli.mjs <command>`. */
  readonly script?: string;
  readonly command?: string;
}

const WAYS: readonly Way[] = [
  { typed: 'npm run --silent audit', script: 'audit', command: 'audit' },
  { typed: 'npm run --silent remediate', script: 'remediate', command: 'remediate' },
  { typed: 'npm start', script: 'start', command: 'examples' },
  { typed: 'ai-opt-out-audit' },
];

/** The argv and npm's environment for a line that runs the CLI one of WAYS, or undefined for another line. */
function invocationOf(line: string): { argv: string[]; env: CliIo['env'] } | undefined {
  for (const { typed, script, command } of WAYS) {
    const separator = script === undefined ? ' ' : ' -- ';
    if (line !== typed && !line.startsWith(`${typed}${separator}`)) continue;
    const args = line
      .slice(typed.length + separator.length)
      .split(/\s+/)
      .filter(Boolean);
    if (script === undefined || command === undefined) return { argv: args, env: {} };
    return { argv: [command, ...args], env: { npm_package_name: packageJson.name, npm_lifecycle_event: script } };
  }
  return undefined;
}

/** Every line of the pages' sh blocks that runs the CLI, without its comment, in the order a reader meets them. */
const cliLines = PAGES.flatMap((page) =>
  [...readFileSync(join(REPOSITORY, page), 'utf8').matchAll(/^```sh\n([\s\S]*?)^```$/gm)]
    .flatMap(([, block = '']) => block.split('\n'))
    .map((line) => line.replace(/(^|\s+)#.*$/, '').trim())
    .filter((line) => invocationOf(line) !== undefined)
    .map((line) => ({ page, line })),
);
// A form holds placeholders ([options], FILE); an example runs as it stands.
const forms = cliLines.filter(({ line }) => line.includes('['));
const examples = cliLines.filter(({ line }) => !line.includes('['));

function cli(argv: readonly string[], env: CliIo['env']) {
  return runCliCaptured(argv, { env });
}

/** The terms of a help's items: the forms of its usage, and the options with their values. */
const terms = (help: string) => help.match(/^ {2}\S.*?(?= {2}|$)/gm)?.map((term) => term.trim()) ?? [];

describe('the command lines of the README and docs/', () => {
  const organizations = mockClient(OrganizationsClient);
  beforeEach(() => {
    organizations.reset();
    mockLiveOrganization(organizations, { status: 'absent' });
  });

  it.each(WAYS.filter((way) => way.script !== undefined))(
    'run the command $command through the npm script $script',
    ({ script = '', command }) => {
      expect(packageJson.scripts[script]).toBe(`node scripts/cli.mjs ${command}`);
    },
  );

  it.each(forms)('show the form of $page "$line" as the help of its command prints it there', async ({ line }) => {
    const { argv, env } = invocationOf(line) ?? { argv: [], env: {} };
    const run = await cli([argv[0] ?? '', '--help'], env);
    expect(run.code).toBe(0);
    expect(terms(run.stdout)).toContain(line);
  });

  describe('run as they stand, one after the other, in a directory of their own', () => {
    let dir: string;
    let sharedFiles: CliIo['env'];
    const cwd = process.cwd();

    beforeAll(() => {
      // The files they name: the examples of events/, and what an earlier line saved. Every profile they name exists.
      dir = mkdtempSync(join(tmpdir(), 'ai-opt-out-readme-'));
      symlinkSync(join(REPOSITORY, 'events'), join(dir, 'events'), 'dir');
      const profiles = examples.flatMap(({ line }) => [...line.matchAll(/--profile (\S+)/g)].map(([, name]) => name));
      const config = profiles.map((name) => `[profile ${name}]\nregion = us-east-1\n`).join('\n');
      sharedFiles = { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
      writeFileSync(join(dir, 'config'), config);
      writeFileSync(join(dir, 'credentials'), '');
      process.chdir(dir);
    });
    afterAll(() => {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    });

    it.each(examples)('$page: $line', async ({ line }) => {
      const { argv, env } = invocationOf(line) ?? { argv: [], env: {} };
      const run = await cli(argv, { ...env, ...sharedFiles });
      expect(run.stderr).toBe('');
      expect([0, 1]).toContain(run.code);
    });
  });

  it('give the policy that allows every call of audit, in the README\'s "Audit your organization from a laptop"', async () => {
    // The section an access denial points a person to (src/errors.ts).
    expect(README).toContain('\n## Audit your organization from a laptop\n');
    const section = README.slice(README.indexOf('## Audit your organization from a laptop'));
    const [, policy = ''] = /^```json\n([\s\S]*?)^```$/m.exec(section) ?? [];
    const allowed = JSON.parse(policy).Statement.flatMap((statement: { Action: string[] }) => statement.Action);
    // An organization with an OU and a policy, read OU by OU (its accounts have no paths): every read action.
    const SANDBOX = 'ou-exam-33333333';
    organizations.reset();
    mockOrganization(
      organizations,
      organizationFixture({
        organizationalUnits: { [ROOT_ID]: [sdkOrganizationalUnit(SANDBOX, 'Sandbox')] },
        accounts: { [ROOT_ID]: [sdkAccount(MANAGEMENT_ID)], [SANDBOX]: [sdkAccount('333333333333')] },
        policies: [aiPolicy('p-seed000optout', JSON.stringify(SEED_000), [ROOT_ID])],
      }),
    );
    const run = await cli(['audit'], {});
    expect(run.stderr).toBe('');
    const called = organizations
      .calls()
      .map((call) => `organizations:${call.args[0].constructor.name.replace(/Command$/, '')}`);
    expect([...new Set(called)].sort()).toEqual([...allowed].sort());
  });
});
