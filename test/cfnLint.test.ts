import { execFileSync } from 'node:child_process';
import { describeWithCommand } from './support/requiredCommand';

/** Every CloudFormation template of the repository. */
const TEMPLATES = ['template.yaml', 'conformance-pack.yaml', 'member-role.yaml'];
const CFN_LINT_TIMEOUT_MS = 120_000;

/** cfn-lint's findings (informational ones included) for a file, or '' when it has none. */
function cfnLintFindings(path: string): string {
  try {
    execFileSync('cfn-lint', ['--include-checks', 'I', '--', path], {
      encoding: 'utf8',
      stdio: 'pipe',
      timeout: CFN_LINT_TIMEOUT_MS,
    });
    return '';
  } catch (error) {
    // Not `instanceof Error`: jest runs tests in another realm than the one node:child_process builds its errors in.
    if (typeof error === 'object' && error !== null && 'stdout' in error && 'stderr' in error) {
      return `${String(error.stdout)}${String(error.stderr)}`.trim() || 'cfn-lint failed with no output';
    }
    throw error;
  }
}

describeWithCommand('cfn-lint', 'templates under cfn-lint', () => {
  it.each(TEMPLATES)(
    'finds no error, warning or informational finding in %s',
    (path) => {
      expect(cfnLintFindings(path)).toBe('');
    },
    CFN_LINT_TIMEOUT_MS,
  );
});
