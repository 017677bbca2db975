import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliIo, runCli } from '../../src/cli/main';

const EXAMPLES = 'events/organizations';
const example = (name: string) => join(EXAMPLES, name);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(argv: readonly string[], terminal: Partial<Pick<CliIo, 'stdoutIsTty' | 'env'>> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stdoutIsTty: terminal.stdoutIsTty ?? false,
    env: terminal.env ?? {},
  });
  return { code, stdout, stderr };
}

function tempFile(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ai-opt-out-')), name);
  writeFileSync(path, content);
  return path;
}

describe('audit --snapshot', () => {
  it('prints a table and exits 0 for a compliant organization', async () => {
    const run = await cli(['audit', '--snapshot', example('01-locked-compliant.json')]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^ACCOUNT\s+NAME\s+OU PATH\s+VERDICT\s+REASON$/);
    expect(lines).toContainEqual(
      expect.stringMatching(/^222222222222 +prod-payments +Root\/Workloads\/Prod +COMPLIANT +Opted out/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^444444444444 +old-sandbox +Root\/Sandbox +NOT_APPLICABLE +Account is SUSPENDED/),
    );
    expect(lines.at(-1)).toBe(
      '4 accounts (* management): 3 COMPLIANT, 0 NON_COMPLIANT, 1 NOT_APPLICABLE. Organization o-a1b2c3d4e5 is COMPLIANT.',
    );
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('prints exactly the documented JSON and exits 1 for a non-compliant organization', async () => {
    const run = await cli([
      'audit',
      '--snapshot',
      example('03-ou-opts-lex-in.json'),
      '--format',
      'json',
      '--required-locks',
      'default,opt_out_policy',
    ]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ organizationId: 'o-a1b2c3d4e5', compliance: 'NON_COMPLIANT' });
    expect(report.evaluations).toEqual([
      {
        accountId: '111111111111',
        complianceType: 'COMPLIANT',
        annotation: 'Opted out of all AI services by p-seed000optout on r-a1b2, locked under default, opt_out_policy.',
      },
      {
        accountId: '222222222222',
        complianceType: 'COMPLIANT',
        annotation: 'Opted out of all AI services by p-seed000optout on r-a1b2, locked under default, opt_out_policy.',
      },
      {
        accountId: '333333333333',
        complianceType: 'NON_COMPLIANT',
        annotation: 'Opted in: lex via p-sandboxlexin on ou-a1b2-33333333.',
      },
    ]);
    expect(report.ruleParameters).toEqual({ RequiredLocks: 'default,opt_out_policy', AllowedOptInServices: '' });
    expect(report.summary).toEqual({ COMPLIANT: 2, NON_COMPLIANT: 1, NOT_APPLICABLE: 0 });
    expect(report.accounts[2]).toMatchObject({
      accountId: '333333333333',
      organizationalUnits: [{ id: 'ou-a1b2-33333333', name: 'Sandbox' }],
      effective: {
        default: { value: 'optOut', policyId: 'p-seed000optout', targetId: 'r-a1b2' },
        services: { lex: { value: 'optIn', policyId: 'p-sandboxlexin', targetId: 'ou-a1b2-33333333' } },
        otherServices: null,
      },
    });
  });

  it('accepts allowed opt-in services', async () => {
    const run = await cli([
      'audit',
      '--snapshot',
      example('03-ou-opts-lex-in.json'),
      '--required-locks=default,opt_out_policy',
      '--allowed-opt-in=lex',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Opted in as allowed: lex.');
  });

  it('explains unreadable policies in the JSON report', async () => {
    const run = await cli(['audit', '--snapshot', example('05-lowercase-optout.json'), '--format', 'json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.unreadablePolicies).toEqual([
      {
        policyId: 'p-lowercaseout',
        targetId: 'r-a1b2',
        problem:
          '@@assign under services.default.opt_out_policy is "optout", but only "optOut" or "optIn" work (case-sensitive)',
      },
    ]);
    expect(report.accounts[0].effective.default.value).toBe('unknown');
    expect(report.accounts[0].effective.otherServices.value).toBe('unknown');
  });

  it.each([
    ['colours verdicts on a terminal', true, {}, true],
    ['keeps colour with an empty NO_COLOR', true, { NO_COLOR: '' }, true],
    ['drops colour with NO_COLOR', true, { NO_COLOR: '1' }, false],
    ['drops colour on a dumb terminal', true, { TERM: 'dumb' }, false],
    ['drops colour when not on a terminal', false, {}, false],
  ])('%s', async (_name, stdoutIsTty, env, coloured) => {
    const run = await cli(['audit', '--snapshot', example('02-seed-000-no-services-lock.json')], { stdoutIsTty, env });
    expect(run.stdout.includes('\u001b[31mNON_COMPLIANT')).toBe(coloured);
  });
});

describe('examples', () => {
  it('evaluates every example organization and exits 0', async () => {
    const run = await cli(['examples', '--format', 'json']);
    expect(run.code).toBe(0);
    const verdicts = Object.fromEntries(
      JSON.parse(run.stdout).map((item: { file: string; report: { evaluations: { complianceType: string }[] } }) => [
        item.file,
        item.report.evaluations.map((e) => e.complianceType).join(','),
      ]),
    );
    expect(verdicts).toEqual({
      '01-locked-compliant.json': 'COMPLIANT,COMPLIANT,COMPLIANT,NOT_APPLICABLE',
      '02-seed-000-no-services-lock.json': 'NON_COMPLIANT,NON_COMPLIANT,NON_COMPLIANT',
      '03-ou-opts-lex-in.json': 'NON_COMPLIANT,NON_COMPLIANT,NON_COMPLIANT',
      '04-policy-type-pending.json': 'NON_COMPLIANT,NON_COMPLIANT,NON_COMPLIANT',
      '05-lowercase-optout.json': 'NON_COMPLIANT,NON_COMPLIANT,NON_COMPLIANT',
      '06-conflicting-root-policies.json': 'NON_COMPLIANT,NON_COMPLIANT,NON_COMPLIANT',
    });
  });

  it('prints one table per file, headed by its name', async () => {
    const run = await cli(['examples', EXAMPLES]);
    expect(run.code).toBe(0);
    expect(run.stdout.match(/^== .+\.json ==$/gm)).toHaveLength(6);
  });
});

describe('usage and input errors', () => {
  it.each<[string, readonly string[], RegExp]>([
    ['no command', [], /^ai-opt-out-audit: no command given \(see --help\)$/],
    ['an unknown command', ['scan'], /^ai-opt-out-audit: unknown command "scan" \(see --help\)$/],
    [
      'an unknown option',
      ['audit', '--snapshots', 'x'],
      /^ai-opt-out-audit: unknown option '--snapshots' \(see --help\)$/,
    ],
    [
      'an option without its value',
      ['audit', '--snapshot'],
      /^ai-opt-out-audit: option '--snapshot <value>' argument missing \(see --help\)$/,
    ],
    ['audit without --snapshot', ['audit'], /^ai-opt-out-audit: audit needs --snapshot FILE \(see --help\)$/],
    [
      'audit with an argument',
      ['audit', 'file.json'],
      /^ai-opt-out-audit: audit takes no arguments, got "file.json" \(see --help\)$/,
    ],
    [
      'examples with two directories',
      ['examples', 'a', 'b'],
      /^ai-opt-out-audit: examples takes one directory, got 2 \(see --help\)$/,
    ],
    [
      'a bad format',
      ['audit', '--snapshot', 'x', '--format', 'yaml'],
      /^ai-opt-out-audit: --format must be table or json, got "yaml"$/,
    ],
    [
      'a bad lock level',
      ['audit', '--snapshot', 'x', '--required-locks', 'Services'],
      /^ai-opt-out-audit: RequiredLocks: "Services" is not a lock level; use a comma-separated list of services, default, opt_out_policy \(case-sensitive\), or none$/,
    ],
    [
      'default among allowed opt-ins',
      ['audit', '--snapshot', 'x', '--allowed-opt-in', 'default'],
      /^ai-opt-out-audit: AllowedOptInServices: "default" cannot be allowed to opt in/,
    ],
    [
      'a missing snapshot file',
      ['audit', '--snapshot', 'no/such.json'],
      /^ai-opt-out-audit: cannot read snapshot no\/such\.json: ENOENT/,
    ],
    [
      'a missing examples directory',
      ['examples', 'no/such/dir'],
      /^ai-opt-out-audit: cannot read examples directory no\/such\/dir: ENOENT/,
    ],
    [
      'an examples directory without snapshots',
      ['examples', 'src'],
      /^ai-opt-out-audit: no \*\.json snapshots in src$/,
    ],
  ])('reports %s in one line and exits 2', async (_name, argv, message) => {
    const run = await cli(argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^[^\n]*\n$/);
    expect(run.stderr.trimEnd()).toMatch(message);
  });

  it('reports a snapshot that is not JSON with the file name', async () => {
    const file = tempFile('broken.json', '{"organization": ');
    const run = await cli(['audit', '--snapshot', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^ai-opt-out-audit: ${file}: not valid JSON \\(.+\\)\\n$`));
  });

  it('reports an invalid snapshot field with its path, and writes no result', async () => {
    const snapshot = JSON.parse(readFileSync(example('01-locked-compliant.json'), 'utf8'));
    snapshot.accounts[1].state = 'ACTVE';
    const file = tempFile('typo.json', JSON.stringify(snapshot));
    const run = await cli(['audit', '--snapshot', file, '--format', 'json']);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `ai-opt-out-audit: ${file}: accounts[1].state: must be one of PENDING_ACTIVATION, ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, got "ACTVE"\n`,
    });
  });
});

describe('help and version', () => {
  it.each([['--help'], ['-h'], ['help']])('prints usage for %s and exits 0', async (flag) => {
    const run = await cli([flag]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage:');
    expect(run.stdout).toContain('Exit codes: 0 COMPLIANT, 1 NON_COMPLIANT, 2 usage or input error');
  });

  it('prints the package version', async () => {
    const run = await cli(['--version']);
    expect(run).toEqual({ code: 0, stdout: `${require('../../package.json').version}\n`, stderr: '' });
  });
});
