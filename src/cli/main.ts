import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { version } from '../../package.json';
import { ORGANIZATIONS_CLIENT_CONFIG, readOrgSnapshot } from '../aws/readOrgSnapshot';
import { remediateOrganization } from '../aws/remediateOrganization';
import { evaluatePosture, type PostureReport } from '../core/evaluatePosture';
import { findDuplicateKey, formatKey } from '../core/jsonKeys';
import type { OrgSnapshot } from '../core/orgSnapshot';
import { parseOrgSnapshot } from '../core/parseOrgSnapshot';
import { DEFAULT_REMEDIATION_POLICY_NAME, parsePolicyName } from '../core/planRemediation';
import { parseRuleParameters, type RuleParameters } from '../core/ruleParameters';
import { AppError, AwsCredentialsError, InputError, OutputError, UsageError } from '../errors';
import { EXIT_CODES, exitCodeFor } from './exitCode';
import { formatRemediation } from './formatRemediation';
import { formatReportJson, formatReportTable, toReportJson } from './formatReport';

const PROGRAM = 'ai-opt-out-audit';
const DEFAULT_EXAMPLES_DIR = 'events/organizations';

const USAGE = `Usage:
  ${PROGRAM} audit [--profile P] [--region R] [--save-snapshot FILE] [options]
                           read the live organization (management account or delegated
                           administrator) and evaluate it
  ${PROGRAM} audit --snapshot FILE [options]
                           evaluate a saved organization snapshot
  ${PROGRAM} examples [DIR] [options]
                           evaluate every *.json snapshot in DIR (default ${DEFAULT_EXAMPLES_DIR})
  ${PROGRAM} remediate [--dry-run] [--policy-name NAME] [--profile P] [--region R] [--format F]
                           enable AI opt-out policies on the root and attach the fully locked
                           opt-out policy; never touches another policy

Options:
  --snapshot FILE          organization snapshot, JSON (format: README, "Snapshot format")
  --profile P              AWS profile for the live read (default: the default credential chain)
  --region R               Organizations endpoint region (default: us-east-1; AWS_ENDPOINT_URL wins)
  --save-snapshot FILE     also write the snapshot the live read saw, as evidence
  --dry-run                remediate: print the plan, change nothing
  --policy-name NAME       remediate: the policy it owns (default ${DEFAULT_REMEDIATION_POLICY_NAME})
  --format table|json      output format (default: table)
  --required-locks LIST    rule parameter RequiredLocks: comma-separated services, default,
                           opt_out_policy, or none (default: all three)
  --allowed-opt-in LIST    rule parameter AllowedOptInServices: comma-separated service keys
                           that may be optIn (default: none)
  -h, --help               show this help
  --version                show the version

Exit codes: 0 COMPLIANT, 1 NON_COMPLIANT, 2 usage or input error, 3 failure while running.
(examples exits 0 once every file was evaluated, whatever the verdicts; remediate exits 0 when
nothing is left to do, 1 when a dry run plans changes or something needs a person.)
`;

const OPTIONS = {
  snapshot: { type: 'string' },
  profile: { type: 'string' },
  region: { type: 'string' },
  'save-snapshot': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'policy-name': { type: 'string' },
  format: { type: 'string' },
  'required-locks': { type: 'string' },
  'allowed-opt-in': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

const FORMATS = ['table', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** Where the CLI writes, and what it knows of its terminal and environment. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutIsTty: boolean;
  readonly stderrIsTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

function errorText(error: unknown): string {
  // Not `instanceof Error`: errors from another realm (a test VM, a worker) are errors too.
  const message = typeof error === 'object' && error !== null && 'message' in error ? error.message : error;
  return String(message).replace(/\s*\n\s*/g, ' ');
}

type Values = ReturnType<typeof parseArguments>['values'];

function parseArguments(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs explains at length how to pass a positional that starts with a dash; keep the first sentence.
    const message = errorText(error).replace(/\. To specify a positional.*$/, '');
    throw new UsageError(`${message.charAt(0).toLowerCase()}${message.slice(1)} (see --help)`);
  }
}

async function loadSnapshot(file: string): Promise<OrgSnapshot> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read snapshot ${file}: ${errorText(error)}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file}: not valid JSON (${errorText(error)})`, { cause: error });
  }
  // JSON.parse would keep the last of two equal keys without a word, and evaluate what the file does not say.
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    throw new InputError(`${file}: ${duplicate.path}: the key ${formatKey(duplicate.key)} appears twice`);
  }
  const snapshot = parseOrgSnapshot(json);
  if (!snapshot.ok) throw new InputError(`${file}: ${snapshot.error.path}: ${snapshot.error.message}`);
  return snapshot.value;
}

function ruleParametersFrom(values: Values): RuleParameters {
  const parameters = parseRuleParameters({
    RequiredLocks: values['required-locks'],
    AllowedOptInServices: values['allowed-opt-in'],
  });
  if (!parameters.ok) throw new UsageError(parameters.error);
  return parameters.value;
}

function formatFrom(values: Values): Format {
  const format = FORMATS.find((candidate) => candidate === (values.format ?? 'table'));
  if (format === undefined) throw new UsageError(`--format must be table or json, got "${values.format}"`);
  return format;
}

function render(report: PostureReport, parameters: RuleParameters, format: Format, io: CliIo): string {
  if (format === 'json') return formatReportJson(report, parameters);
  // https://no-color.org: a NO_COLOR that is present and not empty turns colour off.
  const color = io.stdoutIsTty && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
  return formatReportTable(report, parameters, color);
}

/** The Organizations client of a live command: the default credential chain, or --profile and --region. */
function organizationsClient(values: Values): OrganizationsClient {
  return new OrganizationsClient({
    ...ORGANIZATIONS_CLIENT_CONFIG,
    ...(values.region === undefined ? {} : { region: values.region }),
    ...(values.profile === undefined ? {} : { profile: values.profile }),
  });
}

/** Runs a live command with a client, closing it after, and says how to give credentials when there are none. */
async function withOrganizations<T>(values: Values, work: (client: OrganizationsClient) => Promise<T>): Promise<T> {
  const client = organizationsClient(values);
  try {
    return await work(client);
  } catch (error) {
    if (error instanceof Error && error.name === 'CredentialsProviderError') {
      throw new AwsCredentialsError(`no AWS credentials (${errorText(error)}): use --profile P, or set AWS_PROFILE`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    client.destroy();
  }
}

/** Reads the live organization with the same reader as the Lambda; progress goes to stderr, only on a terminal. */
async function readLiveSnapshot(values: Values, io: CliIo): Promise<OrgSnapshot> {
  const startedAt = new Date().toISOString();
  const onProgress = (accountsRead: number) => io.stderr(`\rRead ${accountsRead} accounts...`);
  try {
    const snapshot = await withOrganizations(values, (client) =>
      readOrgSnapshot(client, io.stderrIsTty ? { onProgress } : {}),
    );
    return { capturedAt: startedAt, ...snapshot };
  } finally {
    if (io.stderrIsTty) io.stderr('\r\u001b[2K');
  }
}

async function saveSnapshot(file: string, snapshot: OrgSnapshot): Promise<void> {
  try {
    await writeFile(file, `${JSON.stringify(snapshot, null, 2)}\n`);
  } catch (error) {
    throw new OutputError(`cannot write snapshot ${file}: ${errorText(error)}`, { cause: error });
  }
}

function rejectOptions(values: Values, names: readonly (keyof Values)[], why: string): void {
  const given = names.find((name) => values[name] !== undefined);
  if (given !== undefined) throw new UsageError(`--${given} ${why} (see --help)`);
}

async function audit(positionals: readonly string[], values: Values, io: CliIo) {
  if (positionals.length > 0) throw new UsageError(`audit takes no arguments, got "${positionals[0]}" (see --help)`);
  rejectOptions(values, ['dry-run', 'policy-name'], 'is for remediate, not audit');
  const format = formatFrom(values);
  const parameters = ruleParametersFrom(values);
  let snapshot: OrgSnapshot;
  if (values.snapshot === undefined) {
    snapshot = await readLiveSnapshot(values, io);
    if (values['save-snapshot'] !== undefined) await saveSnapshot(values['save-snapshot'], snapshot);
  } else {
    rejectOptions(values, ['profile', 'region', 'save-snapshot'], 'is for a live read, not with --snapshot');
    snapshot = await loadSnapshot(values.snapshot);
  }
  const report = evaluatePosture(snapshot, parameters);
  io.stdout(`${render(report, parameters, format, io)}\n`);
  return exitCodeFor(report);
}

async function examples(positionals: readonly string[], values: Values, io: CliIo) {
  if (positionals.length > 1)
    throw new UsageError(`examples takes one directory, got ${positionals.length} (see --help)`);
  rejectOptions(
    values,
    ['snapshot', 'profile', 'region', 'save-snapshot', 'dry-run', 'policy-name'],
    'is not for examples',
  );
  const format = formatFrom(values);
  const parameters = ruleParametersFrom(values);
  const dir = positionals[0] ?? DEFAULT_EXAMPLES_DIR;
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    throw new InputError(`cannot read examples directory ${dir}: ${errorText(error)}`, { cause: error });
  }
  if (names.length === 0) throw new InputError(`no *.json snapshots in ${dir}`);
  const reports: { file: string; report: PostureReport }[] = [];
  for (const name of names) {
    reports.push({ file: name, report: evaluatePosture(await loadSnapshot(join(dir, name)), parameters) });
  }
  if (format === 'json') {
    const items = reports.map(({ file, report }) => ({ file, report: toReportJson(report, parameters) }));
    io.stdout(`${JSON.stringify(items, null, 2)}\n`);
  } else {
    io.stdout(
      reports
        .map(({ file, report }) => `== ${basename(file)} ==\n${render(report, parameters, format, io)}\n`)
        .join('\n'),
    );
  }
  return EXIT_CODES.compliant;
}

async function remediate(positionals: readonly string[], values: Values, io: CliIo) {
  if (positionals.length > 0)
    throw new UsageError(`remediate takes no arguments, got "${positionals[0]}" (see --help)`);
  rejectOptions(
    values,
    ['snapshot', 'save-snapshot', 'required-locks', 'allowed-opt-in'],
    'is not for remediate, which makes the organization pass every check',
  );
  const format = formatFrom(values);
  const name = parsePolicyName(values['policy-name'] ?? DEFAULT_REMEDIATION_POLICY_NAME);
  if (!name.ok) throw new UsageError(`--policy-name: ${name.error}`);
  const dryRun = values['dry-run'] === true;
  const result = await withOrganizations(values, (client) =>
    remediateOrganization(client, { policyName: name.value, dryRun }),
  );
  io.stdout(`${format === 'json' ? JSON.stringify(result, null, 2) : formatRemediation(result)}\n`);
  const left = result.needsPerson.length > 0 || (dryRun && result.plan.length > 0);
  return left ? EXIT_CODES.nonCompliant : EXIT_CODES.compliant;
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArguments(argv);
  if (values.version) {
    io.stdout(`${version}\n`);
    return EXIT_CODES.compliant;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') {
    io.stdout(USAGE);
    return EXIT_CODES.compliant;
  }
  if (command === 'audit') return audit(rest, values, io);
  if (command === 'examples') return examples(rest, values, io);
  if (command === 'remediate') return remediate(rest, values, io);
  throw new UsageError(
    command === undefined ? 'no command given (see --help)' : `unknown command "${command}" (see --help)`,
  );
}

/**
 * Runs the command line and returns the exit code. Expected errors print one line on stderr (exit 2 for usage and
 * input, 3 for failures while running); nothing else escapes, and no stack trace is ever printed.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    // Errors of this project say what to do; others (the SDK's credential errors, say) are named.
    const name = error instanceof AppError || !(error instanceof Error) ? '' : `${error.name}: `;
    io.stderr(`${PROGRAM}: ${name}${errorText(error)}\n`);
    return error instanceof UsageError || error instanceof InputError ? EXIT_CODES.usage : EXIT_CODES.failure;
  }
}

if (require.main === module) {
  // The SDK warns on every run that its releases after January 2027 need Node 22; it is no news to an auditor.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  void runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutIsTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    env: process.env,
  }).then((code) => {
    process.exitCode = code;
  });
}
