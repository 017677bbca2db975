import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  AccessDeniedException,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { version } from '../../package.json';
import type { CliIo } from '../../src/cli/main';
import { type CliRun, runCliCaptured } from '../support/capturedCli';
import {
  aiPolicy,
  MANAGEMENT_ID,
  mockOrganization,
  organizationFixture,
  ROOT_ID,
  sdkAccount,
  sdkOrganizationalUnit,
  withAccountPaths,
} from '../support/organizationsMock';
import { optIn, SEED_000, SEED_004_EXAMPLE_1 } from '../support/policies';
import { type Handled, mockLiveOrganization, named } from '../support/remediationMock';
import { expectWellFormedReport, validateSnapshot } from '../support/reportFormats';

const EXAMPLES = 'events/organizations';
const CALLER_ARN = 'arn:aws:sts::111111111111:assumed-role/Auditor/alice';
const deniedTo = (caller: string, action: string) =>
  `Access denied: ${caller} may not call ${action}; ask for the IAM policy in README "Audit your organization from a laptop", and use the organization's management account or a delegated administrator for Organizations policies whose delegation policy allows ${action}`;

// Who was denied, when AWS denies an action: STS GetCallerIdentity, which the CLI asks only then.
const sts = mockClient(STSClient);
beforeEach(() => {
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Arn: CALLER_ARN, Account: '111111111111', UserId: 'AROAEXAMPLE:alice' });
});
const example = (name: string) => join(EXAMPLES, name);

/** The clock of every run: reports say they were made at this time. */
const NOW = new Date('2026-11-30T09:15:00.000Z');

/** The value of --format in `argv`, if any. */
function formatOf(argv: readonly string[]): string | undefined {
  const i = argv.indexOf('--format');
  return i >= 0 ? argv[i + 1] : argv.find((arg) => arg.startsWith('--format='))?.slice('--format='.length);
}

/** Runs the CLI in this process; every report it prints on stdout must be well-formed in its format. */
async function cli(
  argv: readonly string[],
  terminal: Partial<Pick<CliIo, 'stdoutIsTty' | 'stderrIsTty' | 'env'>> = {},
): Promise<CliRun> {
  const run = await runCliCaptured(argv, { ...terminal, now: () => NOW });
  if (run.stdout !== '' && run.code <= 1) {
    if (argv[0] === 'audit') expectWellFormedReport(formatOf(argv) ?? 'table', run.stdout);
    if (argv[0] === 'examples' && formatOf(argv) === 'json') {
      for (const { report } of JSON.parse(run.stdout)) expectWellFormedReport('json', JSON.stringify(report));
    }
  }
  return run;
}

function tempFile(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ai-opt-out-')), name);
  writeFileSync(path, content);
  return path;
}

/** An environment whose AWS shared config and credentials files hold these texts. */
function sharedFiles(config: string, credentials: string) {
  return {
    AWS_CONFIG_FILE: tempFile('config', config),
    AWS_SHARED_CREDENTIALS_FILE: tempFile('credentials', credentials),
  };
}

describe('audit --snapshot', () => {
  it('prints a table and exits 0 for a compliant organization', async () => {
    const run = await cli(['audit', '--snapshot', example('01-locked-compliant.json')]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[1]).toBe(
      `Made 2026-11-30T09:15:00.000Z by ai-opt-out-audit ${version} from snapshot events/organizations/01-locked-compliant.json`,
    );
    expect(lines[2]).toMatch(/^ACCOUNT\s+NAME\s+OU PATH\s+VERDICT\s+REASON$/);
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

describe('OUs without names', () => {
  let file: string;

  beforeAll(() => {
    // As the reader leaves them when accounts' paths placed the OUs and no names were asked for.
    const snapshot = JSON.parse(readFileSync(example('01-locked-compliant.json'), 'utf8'));
    delete snapshot.organizationalUnits[0].name;
    file = tempFile('nameless.json', JSON.stringify(snapshot));
  });

  it('shows their ids in the OU path of the table', async () => {
    const run = await cli(['audit', '--snapshot', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^222222222222 +prod-payments +Root\/ou-a1b2-11111111\/Prod +COMPLIANT /m);
  });

  it('leaves their names out of the JSON report', async () => {
    const run = await cli(['audit', '--snapshot', file, '--format', 'json']);
    const report = JSON.parse(run.stdout);
    expect(report.accounts[1].organizationalUnits).toStrictEqual([
      { id: 'ou-a1b2-11111111' },
      { id: 'ou-a1b2-22222222', name: 'Prod' },
    ]);
  });
});

describe('names with invisible characters', () => {
  const NAME = 'prod\u001b[2J\u202e';
  const OU_NAME = 'Work\u009bloads\u200b';
  let file: string;

  beforeAll(() => {
    const snapshot = JSON.parse(readFileSync(example('01-locked-compliant.json'), 'utf8'));
    snapshot.accounts[1].name = NAME;
    snapshot.organizationalUnits[0].name = OU_NAME;
    file = tempFile('names.json', JSON.stringify(snapshot));
  });

  it('shows them escaped in the table', async () => {
    const run = await cli(['audit', '--snapshot', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^222222222222 +prod\\u001b\[2J\\u202e +Root\/Work\\u009bloads\\u200b\/Prod +COMPLIANT /m,
    );
    for (const raw of ['\u001b', '\u202e', '\u009b', '\u200b']) expect(run.stdout).not.toContain(raw);
  });

  it('shows them escaped in JSON that still holds the same names', async () => {
    const run = await cli(['audit', '--snapshot', file, '--format', 'json']);
    expect(run.code).toBe(0);
    for (const raw of ['\u001b', '\u202e', '\u009b', '\u200b']) expect(run.stdout).not.toContain(raw);
    const report = JSON.parse(run.stdout);
    expect(report.accounts[1].name).toBe(NAME);
    expect(report.accounts[1].organizationalUnits[0].name).toBe(OU_NAME);
  });
});

describe('audit of the live organization', () => {
  const organizations = mockClient(OrganizationsClient);
  const SANDBOX = 'ou-exam-33333333';
  const live = organizationFixture({
    organizationalUnits: { [ROOT_ID]: [sdkOrganizationalUnit(SANDBOX, 'Sandbox')] },
    accounts: {
      [ROOT_ID]: [sdkAccount(MANAGEMENT_ID, { Name: 'management' })],
      [SANDBOX]: [sdkAccount('333333333333', { Name: 'sandbox' })],
    },
    policies: [
      aiPolicy('p-seed000optout', JSON.stringify(SEED_000), [ROOT_ID]),
      aiPolicy('p-sandboxlexin', JSON.stringify(optIn('lex')), [SANDBOX]),
    ],
  });

  beforeEach(() => {
    organizations.reset();
    mockOrganization(organizations, live);
  });

  it('reads the organization through Organizations and prints the same report as for a snapshot', async () => {
    const run = await cli(['audit', '--format', 'json', '--required-locks', 'default,opt_out_policy']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).evaluations).toEqual([
      {
        accountId: MANAGEMENT_ID,
        complianceType: 'COMPLIANT',
        annotation: 'Opted out of all AI services by p-seed000optout on r-exam, locked under default, opt_out_policy.',
      },
      {
        accountId: '333333333333',
        complianceType: 'NON_COMPLIANT',
        annotation: 'Opted in: lex via p-sandboxlexin on ou-exam-33333333.',
      },
    ]);
  });

  it('saves the snapshot it read, with the time of the read, in the documented format', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ai-opt-out-')), 'evidence.json');
    const run = await cli(['audit', '--save-snapshot', file, '--format', 'json']);
    expect(run.code).toBe(1);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(validateSnapshot(saved) ? [] : validateSnapshot.errors).toEqual([]);
    expect(saved.capturedAt).toBe(NOW.toISOString());
    expect(saved.policies.map((p: { id: string }) => p.id)).toEqual(['p-seed000optout', 'p-sandboxlexin']);
    const again = await cli(['audit', '--snapshot', file, '--format', 'json']);
    expect(again.code).toBe(1);
    const { source: liveSource, ...live } = JSON.parse(run.stdout);
    const { source: snapshotSource, ...fromSnapshot } = JSON.parse(again.stdout);
    expect(fromSnapshot).toEqual(live);
    expect(liveSource).toEqual({ kind: 'live', file, capturedAt: NOW.toISOString() });
    expect(snapshotSource).toEqual({ kind: 'snapshot', file, capturedAt: NOW.toISOString() });
  });

  it('gives up after --timeout with exit code 3 and one line when Organizations does not answer', async () => {
    organizations.on(ListRootsCommand).callsFake(() => new Promise(() => {}));
    const run = await cli(['audit', '--timeout', '0.05']);
    expect(run).toEqual({
      code: 3,
      stdout: '',
      stderr:
        'ai-opt-out-audit: reading the organization did not finish within 0.05 s (--timeout), so nothing was evaluated: run again with a longer --timeout (a large organization, or Organizations throttling, takes longer)\n',
    });
  });

  it('sends no request after --timeout, while the read would go on paging', async () => {
    organizations.reset();
    mockOrganization(organizations, live, { except: [ListAccountsCommand] });
    // A listing that never ends, a page per turn of the event loop: only --timeout stops the read.
    let pages = 0;
    organizations.on(ListAccountsCommand).callsFake(async () => {
      pages += 1;
      await new Promise((resolve) => setImmediate(resolve));
      return { Accounts: [], NextToken: `accounts-${pages}` };
    });
    const run = await cli(['audit', '--timeout', '0.05']);
    expect(run.code).toBe(3);
    const sentAtTimeout = organizations.calls().length;
    for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(organizations.calls()).toHaveLength(sentAtTimeout);
  });

  it("reads the names of the OUs that the accounts' paths placed, for the table", async () => {
    organizations.reset();
    mockOrganization(organizations, withAccountPaths(live));
    const run = await cli(['audit']);
    expect(run.stdout).toMatch(/^333333333333 +sandbox +Root\/Sandbox +NON_COMPLIANT /m);
    const parentsListed = organizations
      .commandCalls(ListOrganizationalUnitsForParentCommand)
      .map((call) => call.args[0].input.ParentId);
    expect(parentsListed).toStrictEqual([ROOT_ID]);
    expect(organizations.commandCalls(ListAccountsForParentCommand)).toHaveLength(0);
  });

  it('takes a timeout in seconds, fractions included', async () => {
    const run = await cli(['audit', '--timeout', '0.5', '--format', 'json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
  });

  it('uses the profile and region it is given', async () => {
    const env = sharedFiles('[profile audit-profile]\nregion = eu-west-1\n', '');
    await cli(['audit', '--profile', 'audit-profile', '--region', 'us-gov-west-1'], { env });
    const client = organizations.call(0).thisValue as OrganizationsClient;
    await expect(client.config.region()).resolves.toBe('us-gov-west-1');
    expect(client.config.profile).toBe('audit-profile');
  });

  it('shows progress on stderr only on a terminal, and clears it', async () => {
    const onTerminal = await cli(['audit'], { stderrIsTty: true });
    expect(onTerminal.stderr).toContain('Read 2 accounts...');
    expect(onTerminal.stderr.endsWith('\r\u001b[2K')).toBe(true);
    const piped = await cli(['audit']);
    expect(piped.stderr).toBe('');
  });

  describe('when Organizations denies a read', () => {
    beforeEach(() => {
      organizations.reset();
      mockOrganization(organizations, live, {
        fault: { command: ListRootsCommand, error: new AccessDeniedException({ $metadata: {}, message: 'denied' }) },
      });
    });

    it('names the action that the credentials STS names lack, in one line with exit code 3', async () => {
      const run = await cli(['audit']);
      expect(run).toEqual({
        code: 3,
        stdout: '',
        stderr: `ai-opt-out-audit: ${deniedTo(`your credentials (${CALLER_ARN})`, 'organizations:ListRoots')}\n`,
      });
    });

    it('asks STS in the region of the read', async () => {
      const env = sharedFiles('[profile gov]\nregion = us-gov-west-1\n', '');
      await cli(['audit', '--profile', 'gov', '--region', 'us-gov-west-1'], { env });
      const client = sts.call(0).thisValue as STSClient;
      await expect(client.config.region()).resolves.toBe('us-gov-west-1');
    });

    it.each([
      ['--profile', ['--profile', 'auditor'], {}],
      ['AWS_PROFILE', [], { AWS_PROFILE: 'auditor' }],
    ])('names the profile of %s when STS cannot say who was denied', async (_name, options, profile) => {
      sts.reset();
      sts.on(GetCallerIdentityCommand).rejects(new Error('connect ECONNREFUSED'));
      const env = { ...sharedFiles('', '[auditor]\naws_access_key_id = AKIAEXAMPLE\n'), ...profile };
      const run = await cli(['audit', ...options], { env });
      expect(run.stderr).toBe(
        `ai-opt-out-audit: ${deniedTo('your credentials (profile auditor)', 'organizations:ListRoots')}\n`,
      );
    });

    it('says "your credentials" when neither STS nor a profile names them', async () => {
      sts.reset();
      sts.on(GetCallerIdentityCommand).resolves({});
      const run = await cli(['audit']);
      expect(run.stderr).toBe(`ai-opt-out-audit: ${deniedTo('your credentials', 'organizations:ListRoots')}\n`);
    });
  });

  it('says how to give credentials when there are none', async () => {
    organizations.reset();
    const missing = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    organizations.onAnyCommand().rejects(missing);
    const run = await cli(['audit']);
    expect(run).toEqual({
      code: 3,
      stdout: '',
      stderr:
        'ai-opt-out-audit: no AWS credentials (Could not load credentials from any providers): use --profile P, or set AWS_PROFILE\n',
    });
  });

  it('names an error that is not its own, in one line', async () => {
    organizations.reset();
    organizations.onAnyCommand().rejects(new RangeError('Could not load credentials from any providers'));
    const run = await cli(['audit']);
    expect(run).toEqual({
      code: 3,
      stdout: '',
      stderr: 'ai-opt-out-audit: RangeError: Could not load credentials from any providers\n',
    });
  });

  it('fails with exit code 3 when the snapshot cannot be written', async () => {
    const run = await cli(['audit', '--save-snapshot', 'no/such/dir/evidence.json']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^ai-opt-out-audit: cannot write snapshot no\/such\/dir\/evidence\.json: ENOENT/);
  });
});

describe('the profile of a live command', () => {
  const organizations = mockClient(OrganizationsClient);
  const CONFIG =
    '[default]\nregion = eu-west-1\n\n[profile auditor]\nrole_arn = arn:aws:iam::111111111111:role/Auditor\nsource_profile = default\n';
  const CREDENTIALS =
    '[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n\n[ci]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n';

  beforeEach(() => {
    organizations.reset();
    mockLiveOrganization(organizations, {});
  });

  it.each([
    ['audit --profile', ['audit', '--profile', 'audtor'], {}, 'profile audtor'],
    ['remediate --profile', ['remediate', '--dry-run', '--profile', 'audtor'], {}, 'profile audtor'],
    ['AWS_PROFILE', ['audit'], { AWS_PROFILE: 'audtor' }, 'profile audtor (AWS_PROFILE)'],
    [
      '--profile, whatever AWS_PROFILE says',
      ['audit', '--profile', 'audtor'],
      { AWS_PROFILE: 'auditor' },
      'profile audtor',
    ],
  ])(
    'refuses a profile that neither file defines, from %s, in one line with exit code 2',
    async (_name, argv, profile, named) => {
      const env = { ...sharedFiles(CONFIG, CREDENTIALS), ...profile };
      const run = await cli(argv, { env });
      expect(run).toEqual({
        code: 2,
        stdout: '',
        stderr: `ai-opt-out-audit: ${named} not found in ${env.AWS_CONFIG_FILE} or ${env.AWS_SHARED_CREDENTIALS_FILE}\n`,
      });
      expect(organizations.calls()).toHaveLength(0);
    },
  );

  it('names the files the SDK reads when no variable names them', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ai-opt-out-home-'));
    const saved = { HOME: process.env.HOME, USERPROFILE: process.env.USERPROFILE };
    // The SDK reads ~ from the process's own environment.
    process.env.HOME = home;
    process.env.USERPROFILE = home;
    try {
      const run = await cli(['audit', '--profile', 'audtor']);
      expect(run.stderr).toBe('ai-opt-out-audit: profile audtor not found in ~/.aws/config or ~/.aws/credentials\n');
    } finally {
      Object.assign(process.env, saved);
    }
  });

  it.each([
    ['a profile of the config file', ['--profile', 'auditor'], {}],
    ['a profile of the credentials file', ['--profile', 'ci'], {}],
    ['the default profile named by AWS_PROFILE', [], { AWS_PROFILE: 'default' }],
  ])('reads the organization with %s', async (_name, options, profile) => {
    const env = { ...sharedFiles(CONFIG, CREDENTIALS), ...profile };
    const run = await cli(['audit', ...options], { env });
    // The mock's organization has no AI opt-out policy: NON_COMPLIANT, read and evaluated.
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: '' });
    expect(run.stdout).toContain('Organization o-exampleorgid is NON_COMPLIANT.');
  });

  it('does not look for the profile of AWS_PROFILE when it reads a snapshot, which needs no AWS', async () => {
    const env = { ...sharedFiles(CONFIG, CREDENTIALS), AWS_PROFILE: 'audtor' };
    const run = await cli(['audit', '--snapshot', example('01-locked-compliant.json')], { env });
    expect(run.code).toBe(0);
  });
});

describe('remediate', () => {
  const organizations = mockClient(OrganizationsClient);
  const writes = () =>
    organizations
      .calls()
      .map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name)
      .filter((name) => /^(Enable|Create|Update|Attach|Detach|Delete|Disable)/.test(name));

  beforeEach(() => organizations.reset());

  it('prints the plan of a dry run, changes nothing, and exits 1 as there is something to do', async () => {
    mockLiveOrganization(organizations, { status: 'absent' });
    const run = await cli(['remediate', '--dry-run']);
    expect(run.code).toBe(1);
    expect(writes()).toEqual([]);
    expect(run.stdout).toContain('(dry run: nothing was changed)');
    expect(run.stdout).toContain('Would do:\n  1. enable AISERVICES_OPT_OUT_POLICY on root r-exam');
    expect(run.stdout).toContain('create policy "ai-services-opt-out-locked" with the fully locked opt-out content');
  });

  it('remediates, says what it did, and exits 0 when nothing is left', async () => {
    mockLiveOrganization(organizations, { status: 'absent' });
    const run = await cli(['remediate', '--format', 'json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ dryRun: false, changed: true, remaining: [], needsPerson: [] });
    expect(result.done.map((step: { kind: string }) => step.kind)).toEqual([
      'enablePolicyType',
      'waitForPolicyType',
      'createPolicy',
      'attachPolicy',
    ]);
    expect(writes()).toEqual(['EnablePolicyTypeCommand', 'CreatePolicyCommand', 'AttachPolicyCommand']);
  });

  it('exits 1 and names what needs a person, without touching the policy in the way', async () => {
    mockLiveOrganization(organizations, {
      policies: [
        named('p-ours00001', JSON.stringify(SEED_004_EXAMPLE_1), [ROOT_ID], 'ai-services-opt-out-locked'),
        named('p-lexin0001', JSON.stringify(optIn('lex')), [ROOT_ID], 'legacy-lex'),
      ],
    });
    const run = await cli(['remediate']);
    expect(run.code).toBe(1);
    expect(writes()).toEqual([]);
    expect(run.stdout).toMatch(
      /Needs a person \(the remediation never detaches, deletes or edits other policies\):\n {2}1\. Opted in: lex via p-lexin0001 on r-exam\./,
    );
  });

  it.each<[string, Handled, string]>([
    ['a read', 'ListPolicies', ''],
    [
      'a change, and says what it had done',
      'AttachPolicy',
      'The remediation failed to attach policy "ai-services-opt-out-locked" (p-created01) to root r-exam, after it had done: enabled AISERVICES_OPT_OUT_POLICY on root r-exam; AISERVICES_OPT_OUT_POLICY is ENABLED on root r-exam (1 check(s)); created policy "ai-services-opt-out-locked" (p-created01) with the fully locked opt-out content. ',
    ],
  ])('names the action that the credentials lack when Organizations denies %s', async (_name, action, before) => {
    mockLiveOrganization(organizations, {
      status: 'absent',
      faults: { [action]: [new AccessDeniedException({ $metadata: {}, message: 'denied' })] },
    });
    const run = await cli(['remediate']);
    expect(run).toEqual({
      code: 3,
      stdout: '',
      stderr: `ai-opt-out-audit: ${before}${deniedTo(`your credentials (${CALLER_ARN})`, `organizations:${action}`)}\n`,
    });
  });

  it('uses the policy name it is given', async () => {
    mockLiveOrganization(organizations, {});
    const run = await cli(['remediate', '--dry-run', '--policy-name', 'org-ai-opt-out']);
    expect(run.stdout).toContain('policy "org-ai-opt-out"');
  });

  it('refuses a policy name with an invisible character, and shows it escaped', async () => {
    mockLiveOrganization(organizations, {});
    const run = await cli(['remediate', '--dry-run', '--policy-name', 'ai\u202eopt-out']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('\\u202e');
    expect(run.stderr).not.toContain('\u202e');
    expect(organizations.calls()).toHaveLength(0);
  });
});

describe('audit --format, --output, --only-failures and --quiet', () => {
  const EXAMPLE_FILES = readdirSync(EXAMPLES).filter((name) => name.endsWith('.json'));
  const FORMATS = ['table', 'json', 'csv', 'markdown', 'junit', 'sarif'];

  it.each(EXAMPLE_FILES.flatMap((name) => FORMATS.map((format) => [name, format])))(
    'reports %s as %s, well-formed (checked by cli) and with the verdict as exit code',
    async (name, format) => {
      const run = await cli(['audit', '--snapshot', example(name), '--format', format]);
      expect(run.code).toBe(name.startsWith('01-') ? 0 : 1);
      expect(run.stderr).toBe('');
      // Every format names the snapshot it read (Markdown with its punctuation escaped).
      expect(run.stdout.replace(/\\/g, '')).toContain(name);
    },
  );

  it.each(FORMATS)(
    'writes the %s report to --output, whole, prints nothing, and keeps the verdict as exit code',
    async (format) => {
      const file = join(mkdtempSync(join(tmpdir(), 'ai-opt-out-')), `report.${format}`);
      const argv = ['audit', '--snapshot', example('03-ou-opts-lex-in.json'), '--format', format];
      const run = await cli([...argv, '--output', file], { stdoutIsTty: true });
      expect(run).toEqual({ code: 1, stdout: '', stderr: '' });
      const printed = await cli(argv);
      // The same report as on stdout, never coloured, though stdout is a terminal.
      expect(readFileSync(file, 'utf8')).toBe(printed.stdout);
      expectWellFormedReport(format, readFileSync(file, 'utf8'));
      expect(readdirSync(dirname(file))).toEqual([`report.${format}`]);
    },
  );

  it('fails with exit code 3 and one line when --output cannot be written, and leaves what was there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-opt-out-'));
    mkdirSync(join(dir, 'report.json'));
    const run = await cli([
      'audit',
      '--snapshot',
      example('01-locked-compliant.json'),
      '--output',
      join(dir, 'report.json'),
    ]);
    expect(run).toEqual({
      code: 3,
      stdout: '',
      stderr: `ai-opt-out-audit: cannot write report ${join(dir, 'report.json')}: EISDIR: illegal operation on a directory\n`,
    });
    expect(readdirSync(dir)).toEqual(['report.json']);
    const missing = await cli([
      'audit',
      '--snapshot',
      example('01-locked-compliant.json'),
      '--output',
      'no/such/dir/r.csv',
    ]);
    expect(missing).toEqual({
      code: 3,
      stdout: '',
      stderr: 'ai-opt-out-audit: cannot write report no/such/dir/r.csv: ENOENT: no such file or directory\n',
    });
  });

  it('lists only NON_COMPLIANT accounts with --only-failures, and still counts them all', async () => {
    const argv = [
      'audit',
      '--snapshot',
      example('03-ou-opts-lex-in.json'),
      '--required-locks',
      'default,opt_out_policy',
    ];
    const table = await cli([...argv, '--only-failures']);
    expect(table.code).toBe(1);
    expect(table.stdout).not.toMatch(/^1111/m);
    expect(table.stdout).toMatch(/^333333333333 +sandbox-ml +Root\/Sandbox +NON_COMPLIANT /m);
    expect(table.stdout.trimEnd().split('\n').at(-1)).toBe(
      '3 accounts (* management), NON_COMPLIANT ones listed: 2 COMPLIANT, 1 NON_COMPLIANT, 0 NOT_APPLICABLE. Organization o-a1b2c3d4e5 is NON_COMPLIANT.',
    );
    const json = JSON.parse((await cli([...argv, '--only-failures', '--format', 'json'])).stdout);
    expect(json.accounts.map((a: { accountId: string }) => a.accountId)).toEqual(['333333333333']);
    expect(json).toMatchObject({ onlyFailures: true, summary: { COMPLIANT: 2, NON_COMPLIANT: 1, NOT_APPLICABLE: 0 } });
  });

  it.each([
    ['a compliant', '01-locked-compliant.json', 0],
    ['a non-compliant', '02-seed-000-no-services-lock.json', 1],
  ])('prints nothing with --quiet for %s organization, and exits with its verdict', async (_name, file, code) => {
    expect(await cli(['audit', '--snapshot', example(file), '--quiet'])).toEqual({ code, stdout: '', stderr: '' });
  });

  it('still reports an error in one line with --quiet', async () => {
    const run = await cli(['audit', '--snapshot', 'no/such.json', '--quiet']);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(/^ai-opt-out-audit: cannot read snapshot no\/such\.json: ENOENT[^\n]*\n$/);
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

  it('lists only the NON_COMPLIANT accounts of each file with --only-failures', async () => {
    const run = await cli(['examples', '--only-failures', '--format', 'json']);
    expect(run.code).toBe(0);
    const listed = JSON.parse(run.stdout).map(
      (item: { report: { onlyFailures: boolean; accounts: { complianceType: string }[] } }) => [
        item.report.onlyFailures,
        item.report.accounts.map((account) => account.complianceType).join(','),
      ],
    );
    expect(listed[0]).toEqual([true, '']);
    expect(listed[1]).toEqual([true, 'NON_COMPLIANT,NON_COMPLIANT,NON_COMPLIANT']);
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
      /^ai-opt-out-audit: --format must be table, json, csv, markdown, junit or sarif, got "yaml"$/,
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
    [
      '--profile with --snapshot',
      ['audit', '--snapshot', 'x.json', '--profile', 'p'],
      /^ai-opt-out-audit: --profile is for a live read, not with --snapshot \(see --help\)$/,
    ],
    [
      '--save-snapshot with --snapshot',
      ['audit', '--snapshot', 'x.json', '--save-snapshot', 'y.json'],
      /^ai-opt-out-audit: --save-snapshot is for a live read, not with --snapshot \(see --help\)$/,
    ],
    [
      '--snapshot with examples',
      ['examples', '--snapshot', 'x.json'],
      /^ai-opt-out-audit: --snapshot is for audit, not examples \(see --help\)$/,
    ],
    [
      '--dry-run with audit',
      ['audit', '--dry-run'],
      /^ai-opt-out-audit: --dry-run is for remediate, not audit \(see --help\)$/,
    ],
    [
      '--required-locks with remediate',
      ['remediate', '--required-locks', 'services'],
      /^ai-opt-out-audit: --required-locks is for audit and examples, not remediate \(see --help\)$/,
    ],
    [
      '--policy-name with examples',
      ['examples', '--policy-name', 'x'],
      /^ai-opt-out-audit: --policy-name is for remediate, not examples \(see --help\)$/,
    ],
    [
      '--save-snapshot with remediate',
      ['remediate', '--save-snapshot', 'x.json'],
      /^ai-opt-out-audit: --save-snapshot is for audit, not remediate \(see --help\)$/,
    ],
    [
      'remediate with an argument',
      ['remediate', 'now'],
      /^ai-opt-out-audit: remediate takes no arguments, got "now" \(see --help\)$/,
    ],
    [
      'an empty policy name',
      ['remediate', '--policy-name', ''],
      /^ai-opt-out-audit: --policy-name: A policy name must have 1 to 128 characters, got 0$/,
    ],
    [
      'a repeated option',
      ['audit', '--required-locks', 'services', '--required-locks', 'default'],
      /^ai-opt-out-audit: --required-locks given twice \(see --help\)$/,
    ],
    [
      'a repeated option with the same value, once after =',
      ['audit', '--format=json', '--snapshot', 'x.json', '--format', 'json'],
      /^ai-opt-out-audit: --format given twice \(see --help\)$/,
    ],
    ['a repeated flag', ['remediate', '--dry-run', '--dry-run'], /^ai-opt-out-audit: --dry-run given twice/],
    [
      'none with a lock level',
      ['audit', '--snapshot', 'x.json', '--required-locks', 'none,default'],
      /^ai-opt-out-audit: RequiredLocks: none cannot be combined with other levels; give none alone, or levels only$/,
    ],
    [
      'default with a zero-width space among allowed opt-ins',
      ['audit', '--snapshot', 'x.json', '--allowed-opt-in', 'lex,default\u200b'],
      /^ai-opt-out-audit: AllowedOptInServices: "default\\u200b" is not a service key \(lowercase letters and digits, such as lex or rekognition\), and "default" cannot be allowed to opt in/,
    ],
    [
      'a service key with capitals among allowed opt-ins',
      ['audit', '--snapshot', 'x.json', '--allowed-opt-in', 'Lex'],
      /^ai-opt-out-audit: AllowedOptInServices: "Lex" is not a service key \(lowercase letters and digits, such as lex or rekognition\)$/,
    ],
    ...[['0'], ['0.0'], ['-1'], ['5m'], ['1e3'], ['86401'], ['']].map(
      ([value]): [string, readonly string[], RegExp] => [
        `a timeout of "${value}"`,
        ['audit', `--timeout=${value}`],
        new RegExp(
          `^ai-opt-out-audit: --timeout must be a positive number of seconds, at most 86400, got "${value}" \\(see --help\\)$`,
        ),
      ],
    ),
    [
      'a bad timeout for remediate',
      ['remediate', '--timeout', 'soon'],
      /^ai-opt-out-audit: --timeout must be a positive number of seconds, at most 86400, got "soon" \(see --help\)$/,
    ],
    [
      '--timeout with --snapshot',
      ['audit', '--snapshot', 'x.json', '--timeout', '10'],
      /^ai-opt-out-audit: --timeout is for a live read, not with --snapshot \(see --help\)$/,
    ],
    [
      '--timeout with examples',
      ['examples', '--timeout', '10'],
      /^ai-opt-out-audit: --timeout is for audit and remediate, not examples \(see --help\)$/,
    ],
    ...['--format json', '--output r.json', '--only-failures'].map((option): [string, readonly string[], RegExp] => [
      `--quiet with ${option}`,
      ['audit', '--snapshot', 'x.json', '--quiet', ...option.split(' ')],
      new RegExp(
        `^ai-opt-out-audit: ${option.split(' ')[0]} shapes a report, and --quiet writes none \\(see --help\\)$`,
      ),
    ]),
    [
      'an empty --output',
      ['audit', '--snapshot', 'x.json', '--output='],
      /^ai-opt-out-audit: --output needs a file name/,
    ],
    [
      '--output naming the snapshot',
      ['audit', '--snapshot', 'x.json', '--output', './x.json'],
      /^ai-opt-out-audit: --output \.\/x\.json is the snapshot file; write the report to another file \(see --help\)$/,
    ],
    [
      '--output naming the saved snapshot',
      ['audit', '--save-snapshot', 'x.json', '--output', 'x.json'],
      /^ai-opt-out-audit: --output x\.json is the snapshot file/,
    ],
    [
      '--output with examples',
      ['examples', '--output', 'r.txt'],
      /^ai-opt-out-audit: --output is for audit, not examples \(see --help\)$/,
    ],
    [
      '--quiet with examples',
      ['examples', '--quiet'],
      /^ai-opt-out-audit: --quiet is for audit, not examples \(see --help\)$/,
    ],
    [
      'a format examples does not print',
      ['examples', '--format', 'sarif'],
      /^ai-opt-out-audit: --format must be table or json, got "sarif"$/,
    ],
    [
      '--output with remediate',
      ['remediate', '--output', 'r.txt'],
      /^ai-opt-out-audit: --output is for audit, not remediate \(see --help\)$/,
    ],
    [
      'a format remediate does not print',
      ['remediate', '--format', 'csv'],
      /^ai-opt-out-audit: --format must be table or json, got "csv"$/,
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

  it('shows the bytes of a snapshot that is not JSON escaped, not as terminal escape sequences', async () => {
    const file = tempFile('escapes.json', '\u001b[2J\u001b]0;pwned\u0007');
    const run = await cli(['audit', '--snapshot', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^[^\n]*\n$/);
    expect(run.stderr).toContain('\\u001b[2J\\u001b]0;pwned\\u0007');
    for (const raw of ['\u001b', '\u0007']) expect(run.stderr).not.toContain(raw);
  });

  it('shows invisible characters of a snapshot field escaped in the error', async () => {
    const file = tempFile('bidi.json', '{"\u202eorganization\u009b": {}}');
    const run = await cli(['audit', '--snapshot', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(`^ai-opt-out-audit: ${file}: snapshot: unknown field "\\\\u202eorganization\\\\u009b"; expected`),
    );
  });

  it('reads a snapshot that starts with a UTF-8 byte order mark as if it had none', async () => {
    const text = readFileSync(example('01-locked-compliant.json'), 'utf8');
    const file = tempFile('bom.json', `\ufeff${text}`);
    const run = await cli(['audit', '--snapshot', file, '--format', 'json']);
    const plain = await cli(['audit', '--snapshot', example('01-locked-compliant.json'), '--format', 'json']);
    expect({ ...run, stdout: JSON.parse(run.stdout) }).toEqual({
      code: 0,
      stdout: { ...JSON.parse(plain.stdout), source: { kind: 'snapshot', file, capturedAt: null } },
      stderr: '',
    });
  });

  it('refuses a snapshot that is not UTF-8, such as UTF-16, rather than guess its names', async () => {
    const text = readFileSync(example('01-locked-compliant.json'), 'utf8');
    const path = join(mkdtempSync(join(tmpdir(), 'ai-opt-out-')), 'utf16.json');
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const run = await cli(['audit', '--snapshot', path]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `ai-opt-out-audit: ${path}: not UTF-8 text; save it as UTF-8\n`,
    });
  });

  it('refuses a snapshot that repeats a key, rather than evaluate the last one', async () => {
    const text = readFileSync(example('01-locked-compliant.json'), 'utf8').replace(
      '"policies": [',
      '"policies": [], "policies": [',
    );
    const file = tempFile('repeated.json', text);
    const run = await cli(['audit', '--snapshot', file]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `ai-opt-out-audit: ${file}: (top level): the key policies appears twice\n`,
    });
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
  const NPM_AUDIT = { npm_package_name: 'ai-opt-out-config-rule', npm_lifecycle_event: 'audit' };

  /** The terms of a help's items: the forms of its usage, and the options with their values. */
  const terms = (help: string) => help.match(/^ {2}\S.*?(?= {2}|$)/gm)?.map((term) => term.trim()) ?? [];

  it.each([[['--help']], [['-h']], [['help']]])('prints the list of commands for %j and exits 0', async (argv) => {
    const run = await cli(argv);
    expect(run).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^Usage: ai-opt-out-audit COMMAND \[options\]\n/),
      stderr: '',
    });
    expect(terms(run.stdout)).toEqual([
      'audit',
      'examples',
      'remediate',
      'help [COMMAND]',
      '--format F',
      '-h, --help',
      '--version',
    ]);
    expect(run.stdout).toContain(
      'Run "ai-opt-out-audit COMMAND --help" for the forms, options and exit codes of a command.',
    );
  });

  it.each([
    [
      'audit',
      [
        'ai-opt-out-audit audit [--profile P] [--region R] [--save-snapshot FILE] [--timeout S] [options]',
        'ai-opt-out-audit audit --snapshot FILE [options]',
        '--snapshot FILE',
        '--profile P',
        '--region R',
        '--save-snapshot FILE',
        '--timeout S',
        '--format F',
        '--output FILE',
        '--only-failures',
        '--quiet',
        '--required-locks LIST',
        '--allowed-opt-in LIST',
        '-h, --help',
        '--version',
      ],
      'Exit codes: 0 COMPLIANT, 1 NON_COMPLIANT, 2 usage or input error, 3 failure while running.',
    ],
    [
      'examples',
      [
        'ai-opt-out-audit examples [DIR] [options]',
        '--format F',
        '--only-failures',
        '--required-locks LIST',
        '--allowed-opt-in LIST',
        '-h, --help',
        '--version',
      ],
      'Exit codes: 0 once every file was evaluated, whatever the verdicts;',
    ],
    [
      'remediate',
      [
        'ai-opt-out-audit remediate [--dry-run] [--policy-name NAME] [--profile P] [--region R] [--timeout S] [options]',
        '--profile P',
        '--region R',
        '--timeout S',
        '--dry-run',
        '--policy-name NAME',
        '--format F',
        '-h, --help',
        '--version',
      ],
      'Exit codes: 0 nothing is left to do, 1 a dry run plans changes or something needs a person,',
    ],
  ])('prints the forms, options and exit codes of %s, for each way of asking', async (command, expected, exitCodes) => {
    const runs = await Promise.all(
      [
        [command, '--help'],
        [command, '-h'],
        ['help', command],
      ].map((argv) => cli(argv)),
    );
    for (const run of runs) expect(run).toEqual(runs[0]);
    const [run] = runs;
    expect(run?.code).toBe(0);
    expect(terms(run?.stdout ?? '')).toEqual(expected);
    expect(run?.stdout).toContain(exitCodes);
  });

  it('shows the npm script that ran it in the forms of its command, as a person types it there', async () => {
    const run = await cli(['audit', '--help'], { env: NPM_AUDIT });
    expect(terms(run.stdout).slice(0, 2)).toEqual([
      'npm run --silent audit -- [--profile P] [--region R] [--save-snapshot FILE] [--timeout S] [options]',
      'npm run --silent audit -- --snapshot FILE [options]',
    ]);
  });

  it.each([
    ['another command than its script runs', ['remediate', '--help'], NPM_AUDIT],
    ['a script of another package', ['audit', '--help'], { ...NPM_AUDIT, npm_package_name: 'their-tools' }],
    ['a script that runs no command', ['audit', '--help'], { ...NPM_AUDIT, npm_lifecycle_event: 'test' }],
  ])('shows the program in the forms when npm ran it from %s', async (_name, argv, env) => {
    const run = await cli(argv, { env });
    expect(terms(run.stdout)[0]).toMatch(/^ai-opt-out-audit (audit|remediate) \[/);
  });

  it.each<[string, readonly string[], string]>([
    ['an unknown command', ['help', 'scan'], 'unknown command "scan" (see --help)'],
    ['two commands', ['help', 'audit', 'remediate'], 'help takes one command (see --help)'],
    ['--help of an unknown command', ['scan', '--help'], 'unknown command "scan" (see --help)'],
  ])('refuses help for %s in one line with exit code 2', async (_name, argv, message) => {
    expect(await cli(argv)).toEqual({ code: 2, stdout: '', stderr: `ai-opt-out-audit: ${message}\n` });
  });

  it('prints the package version', async () => {
    const run = await cli(['--version']);
    expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});
