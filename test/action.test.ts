import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { type FakeOrganizations, startFakeOrganizations } from './support/fakeOrganizations';
import { generateOrganization } from './support/generatedOrganization';
import { githubCodeScanningProblems, markdownTableRows, validateSarif } from './support/reportFormats';
import { copyRepository, REPOSITORY } from './support/repositoryCopy';

// A bound on a hang for a busy 2-core machine (the install step builds the CLI), not a speed goal.
const ACTION_TIMEOUT_MS = 180_000;

interface Step {
  readonly name: string;
  readonly id?: string;
  readonly shell?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly 'working-directory'?: string;
  readonly env?: Readonly<Record<string, string>>;
}

interface Action {
  readonly inputs: Readonly<Record<string, { readonly default?: string }>>;
  readonly outputs: Readonly<Record<string, { readonly value: string }>>;
  readonly runs: { readonly using: string; readonly steps: readonly Step[] };
}

const action: Action = parse(readFileSync(join(REPOSITORY, 'action.yml'), 'utf8'));

/** What one run of the action gave: its exit code, what it printed, its outputs, and the workspace it ran in. */
interface Run {
  readonly code: number;
  readonly log: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly workspace: string;
}

let actionPath: string;
const workspaces: string[] = [];

beforeAll(() => {
  // The action as GitHub downloads it: the repository without dist/ (a link stands in for the install of its
  // dependencies, which the install step then skips), so that its build writes there, never here.
  actionPath = copyRepository();
}, ACTION_TIMEOUT_MS);
afterAll(() => {
  for (const directory of [actionPath, ...workspaces]) rmSync(directory, { recursive: true, force: true });
});

/** `${{ inputs.x }}`, `${{ github.action_path }}` and `${{ steps.s.outputs.o }}`, as GitHub expands them. */
function expand(text: string, inputs: Readonly<Record<string, string>>, steps: Record<string, Record<string, string>>) {
  return text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, expression: string) => {
    const [scope, name, field, key] = expression.split('.');
    if (scope === 'inputs' && name !== undefined) return inputs[name] ?? action.inputs[name]?.default ?? '';
    if (scope === 'github' && name === 'action_path') return actionPath;
    if (scope === 'steps' && name !== undefined && field === 'outputs' && key !== undefined) {
      return steps[name]?.[key] ?? '';
    }
    throw new Error(`action.yml uses \${{ ${expression} }}, which this test does not expand`);
  });
}

/** Runs every step of action.yml in order, as GitHub runs a composite action's bash steps, until one fails. */
async function runAction(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<Run> {
  const workspace = mkdtempSync(join(tmpdir(), 'ai-opt-out-action-'));
  workspaces.push(workspace);
  const files = { output: join(workspace, '.output'), summary: join(workspace, '.summary') };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const steps: Record<string, Record<string, string>> = {};
  let log = '';
  let code = 0;
  for (const step of action.runs.steps) {
    writeFileSync(files.output, '');
    const stepEnv = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([name, value]) => [name, expand(value, inputs, steps)]),
    );
    try {
      const { stdout, stderr } = await promisify(execFile)(
        'bash',
        ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run ?? ''],
        {
          cwd: step['working-directory'] === undefined ? workspace : expand(step['working-directory'], inputs, steps),
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            GITHUB_ACTION_PATH: actionPath,
            GITHUB_WORKSPACE: workspace,
            GITHUB_OUTPUT: files.output,
            GITHUB_STEP_SUMMARY: files.summary,
            RUNNER_TEMP: workspace,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            ...env,
            ...stepEnv,
          },
        },
      );
      log += stdout + stderr;
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      log += failed.stdout + failed.stderr;
      code = failed.code;
    }
    if (step.id !== undefined) {
      steps[step.id] = Object.fromEntries(
        readFileSync(files.output, 'utf8')
          .split('\n')
          .filter((line) => line.includes('='))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
    }
    if (code !== 0) break;
  }
  const outputs = Object.fromEntries(
    Object.entries(action.outputs).map(([name, output]) => [name, expand(output.value, inputs, steps)]),
  );
  return { code, log, outputs, summary: readFileSync(files.summary, 'utf8'), workspace };
}

function sarifOf(run: Run): { runs: { results: { ruleId: string }[] }[] } {
  const log = JSON.parse(readFileSync(join(run.workspace, run.outputs['sarif-file'] ?? ''), 'utf8'));
  expect(validateSarif(log) ? [] : validateSarif.errors).toEqual([]);
  expect(githubCodeScanningProblems(log)).toEqual([]);
  return log;
}

const example = (file: string) => join(REPOSITORY, 'events/organizations', file);

describe('the GitHub Action (action.yml)', () => {
  it('is a composite action of bash steps only, each of which this test runs as GitHub does', () => {
    expect(action.runs.using).toBe('composite');
    for (const step of action.runs.steps) {
      expect(step).toMatchObject({ shell: 'bash', run: expect.any(String) });
      expect(step.uses).toBeUndefined();
      // Inputs reach a script through env, never pasted into it, where a value could become code.
      expect(step.run).not.toContain('${{');
    }
  });

  it(
    'audits a COMPLIANT snapshot: passes, writes SARIF without results and a summary',
    async () => {
      const run = await runAction({ snapshot: example('01-locked-compliant.json') });
      expect(run.code).toBe(0);
      expect(run.outputs).toEqual({ compliance: 'COMPLIANT', 'sarif-file': 'ai-opt-out-audit.sarif' });
      expect(sarifOf(run).runs[0]?.results).toEqual([]);
      expect(markdownTableRows(run.summary).length).toBeGreaterThan(0);
    },
    ACTION_TIMEOUT_MS,
  );

  it(
    'audits a NON_COMPLIANT snapshot: fails the step with an error, after writing SARIF with one result an account',
    async () => {
      const run = await runAction({ snapshot: example('03-ou-opts-lex-in.json'), 'sarif-file': 'out/audit.sarif' });
      expect(run.code).toBe(1);
      expect(run.log).toContain('::error::The organization is NON_COMPLIANT: see out/audit.sarif and the job summary.');
      expect(run.outputs).toEqual({ compliance: 'NON_COMPLIANT', 'sarif-file': 'out/audit.sarif' });
      expect(sarifOf(run).runs[0]?.results.map((result) => result.ruleId)).toEqual([
        'rootNotLocked',
        'rootNotLocked',
        'rootNotLocked',
      ]);
      const verdicts = markdownTableRows(run.summary).map((row) => row[3]?.trim());
      expect(verdicts.filter((verdict) => verdict === 'NON\\_COMPLIANT')).toHaveLength(3);
    },
    ACTION_TIMEOUT_MS,
  );

  it(
    'only warns of NON_COMPLIANT with fail-on-non-compliant false, and takes the rule parameters',
    async () => {
      const run = await runAction({
        snapshot: example('03-ou-opts-lex-in.json'),
        'fail-on-non-compliant': 'false',
        'required-locks': 'default,opt_out_policy',
      });
      expect(run.code).toBe(0);
      expect(run.log).toContain('::warning::The organization is NON_COMPLIANT');
      // Without the services lock required, only the account under the Lex opt-in fails.
      expect(sarifOf(run).runs[0]?.results.map((result) => result.ruleId)).toEqual(['notOptedOut']);
    },
    ACTION_TIMEOUT_MS,
  );

  it(
    'fails with the CLI’s exit code and one line, and no outputs, when the audit cannot run',
    async () => {
      const missing = await runAction({ snapshot: 'no-such-snapshot.json' });
      expect(missing.code).toBe(2);
      expect(missing.log).toContain('no-such-snapshot.json');
      expect(missing.log).toContain('::error::The audit could not run (exit code 2)');
      expect(missing.outputs).toEqual({ compliance: '', 'sarif-file': '' });

      const wrong = await runAction({ snapshot: example('01-locked-compliant.json'), 'fail-on-non-compliant': 'yes' });
      expect(wrong.code).toBe(2);
      expect(wrong.log).toContain("::error::fail-on-non-compliant must be 'true' or 'false', not 'yes'");
    },
    ACTION_TIMEOUT_MS,
  );

  describe('with the live organization', () => {
    let fake: FakeOrganizations;
    const model = generateOrganization({ accounts: 30, organizationalUnits: 4, depth: 2, policies: 2, seed: 3 });

    beforeAll(async () => {
      fake = await startFakeOrganizations(model);
    }, ACTION_TIMEOUT_MS);
    afterAll(() => fake.stop(), ACTION_TIMEOUT_MS);

    it(
      "reads it with the job's credentials once, and makes the summary from what it read",
      async () => {
        const run = await runAction(
          {},
          {
            AWS_ENDPOINT_URL: fake.endpoint,
            AWS_ACCESS_KEY_ID: 'action',
            AWS_SECRET_ACCESS_KEY: 'action',
            AWS_REGION: 'us-east-1',
          },
        );
        expect([0, 1]).toContain(run.code);
        expect(run.outputs.compliance).toBe(run.code === 0 ? 'COMPLIANT' : 'NON_COMPLIANT');
        sarifOf(run);
        expect(fake.calls().DescribeOrganization).toBe(1);
        const saved = JSON.parse(readFileSync(join(run.workspace, 'ai-opt-out-audit-snapshot.json'), 'utf8'));
        expect(saved.accounts).toHaveLength(model.accounts.length);
        expect(markdownTableRows(run.summary).length).toBeGreaterThan(model.accounts.length);
      },
      ACTION_TIMEOUT_MS,
    );
  });
});
