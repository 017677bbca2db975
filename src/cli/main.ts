import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { loadSharedConfigFiles } from '@smithy/core/config';
import { name as packageName, version } from '../../package.json';
import { ORGANIZATIONS_CLIENT_CONFIG, readOrgSnapshot } from '../aws/readOrgSnapshot';
import { remediateOrganization } from '../aws/remediateOrganization';
import { evaluatePosture } from '../core/evaluatePosture';
import { findDuplicateKey, formatKey } from '../core/jsonKeys';
import type { OrgSnapshot } from '../core/orgSnapshot';
import { parseOrgSnapshot } from '../core/parseOrgSnapshot';
import { DEFAULT_REMEDIATION_POLICY_NAME, parsePolicyName } from '../core/planRemediation';
import { parseRuleParameters, type RuleParameters } from '../core/ruleParameters';
import {
  AppError,
  AwsCredentialsError,
  CommandTimeoutError,
  InputError,
  OrganizationsAccessDeniedError,
  OutputError,
  RemediationAccessDeniedError,
  RemediationFailedError,
  UsageError,
} from '../errors';
import { EXIT_CODES, exitCodeFor } from './exitCode';
import { formatRemediation } from './formatRemediation';
import { formatReportJson, formatReportTable } from './formatReport';
import { formatReportCsv } from './formatReportCsv';
import { formatReportJunit } from './formatReportJunit';
import { formatReportMarkdown } from './formatReportMarkdown';
import { formatReportSarif } from './formatReportSarif';
import { type ReportJson, type ReportProvenance, type ReportSource, toReportJson } from './toReportJson';
import { toVisible, toVisibleJson } from './toVisible';
import { writeFileAtomic } from './writeFileAtomic';

const PROGRAM = 'ai-opt-out-audit';
const DEFAULT_EXAMPLES_DIR = 'events/organizations';
/**
 * How long a live command may take, in seconds, unless --timeout says otherwise: as long as the rule's function (the
 * walk of 10,000 accounts in 1,000 OUs takes about 300 s at 10 requests/s; docs/performance.md).
 */
const DEFAULT_TIMEOUT_SECONDS = 900;
// setTimeout fires at once for delays past 2^31 - 1 ms (about 24.8 days); a day is more than any read needs.
const MAX_TIMEOUT_SECONDS = 86_400;
/** How long the CLI waits for STS to name the credentials that AWS denied, in milliseconds. */
const CALLER_IDENTITY_TIMEOUT_MS = 5_000;
/** Where the help wraps its text, in characters. */
const HELP_WIDTH = 100;
/** The column where the help's explanations start. */
const HELP_INDENT = 27;

const COMMAND_NAMES = ['audit', 'examples', 'remediate'] as const;
type Command = (typeof COMMAND_NAMES)[number];

interface CommandHelp {
  /** What it does, in one line of the list of commands. */
  readonly summary: string;
  /** Its forms: the arguments after the command, and what the command does with them. */
  readonly synopsis: readonly (readonly [args: string, what: string])[];
  readonly exitCodes: string;
}

const COMMANDS = {
  audit: {
    summary: 'evaluate the live organization, or a saved snapshot of it',
    synopsis: [
      [
        '[--profile P] [--region R] [--save-snapshot FILE] [--timeout S] [options]',
        'read the live organization (management account or delegated administrator) and evaluate it',
      ],
      ['--snapshot FILE [options]', 'evaluate a saved organization snapshot'],
    ],
    exitCodes: '0 COMPLIANT, 1 NON_COMPLIANT, 2 usage or input error, 3 failure while running.',
  },
  examples: {
    summary: 'evaluate every *.json snapshot in a directory',
    synopsis: [['[DIR] [options]', `evaluate every *.json snapshot in DIR (default ${DEFAULT_EXAMPLES_DIR})`]],
    exitCodes:
      '0 once every file was evaluated, whatever the verdicts; 2 usage or input error; 3 failure while running.',
  },
  remediate: {
    summary: 'make the organization pass every check: attach the fully locked opt-out policy to the root',
    synopsis: [
      [
        '[--dry-run] [--policy-name NAME] [--profile P] [--region R] [--timeout S] [options]',
        'enable AI opt-out policies on the root and attach the fully locked opt-out policy; never touches another policy',
      ],
    ],
    exitCodes:
      '0 nothing is left to do, 1 a dry run plans changes or something needs a person, 2 usage error, 3 failure while running (what was done stays done: run remediate --dry-run to see what is left).',
  },
} as const satisfies Record<Command, CommandHelp>;

interface OptionHelp {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** What the value stands for in the help, such as FILE. */
  readonly value?: string;
  /** The commands that take it; the others refuse it. */
  readonly commands: readonly Command[];
  readonly help: string;
}

/**
 * Every option, in the order of the help: parseArgs reads its `type` and `short`, each command's help lists the
 * options that name it, and a command refuses the others. Adding an option is adding an entry here.
 */
const OPTIONS = {
  snapshot: {
    type: 'string',
    value: 'FILE',
    commands: ['audit'],
    help: 'organization snapshot, JSON (format: docs/snapshot-format.md)',
  },
  profile: {
    type: 'string',
    value: 'P',
    commands: ['audit', 'remediate'],
    help: 'AWS profile (default: AWS_PROFILE, or the default credential chain)',
  },
  region: {
    type: 'string',
    value: 'R',
    commands: ['audit', 'remediate'],
    help: 'Organizations endpoint region (default: us-east-1; AWS_ENDPOINT_URL wins)',
  },
  'save-snapshot': {
    type: 'string',
    value: 'FILE',
    commands: ['audit'],
    help: 'also write the snapshot the live read saw, as evidence',
  },
  timeout: {
    type: 'string',
    value: 'S',
    commands: ['audit', 'remediate'],
    help: `give up after S seconds (fractions allowed), with exit code 3 (default ${DEFAULT_TIMEOUT_SECONDS})`,
  },
  'dry-run': { type: 'boolean', commands: ['remediate'], help: 'print the plan, change nothing' },
  'policy-name': {
    type: 'string',
    value: 'NAME',
    commands: ['remediate'],
    help: `the policy it owns (default ${DEFAULT_REMEDIATION_POLICY_NAME})`,
  },
  format: {
    type: 'string',
    value: 'F',
    commands: COMMAND_NAMES,
    help: 'output format: table (default) or json; audit also csv, markdown, junit or sarif (docs/report-formats.md)',
  },
  output: {
    type: 'string',
    value: 'FILE',
    commands: ['audit'],
    help: 'write the report to FILE, whole or not at all, not to stdout',
  },
  'only-failures': {
    type: 'boolean',
    commands: ['audit', 'examples'],
    help: 'list only NON_COMPLIANT accounts (counts stay whole)',
  },
  quiet: { type: 'boolean', commands: ['audit'], help: 'write no report; the exit code is the verdict' },
  'required-locks': {
    type: 'string',
    value: 'LIST',
    commands: ['audit', 'examples'],
    help: 'rule parameter RequiredLocks: comma-separated services, default, opt_out_policy, or none (default: all three)',
  },
  'allowed-opt-in': {
    type: 'string',
    value: 'LIST',
    commands: ['audit', 'examples'],
    help: 'rule parameter AllowedOptInServices: comma-separated service keys that may be optIn (default: none)',
  },
  help: { type: 'boolean', short: 'h', commands: COMMAND_NAMES, help: 'show this help' },
  version: { type: 'boolean', commands: COMMAND_NAMES, help: 'show the version' },
} as const satisfies Record<string, OptionHelp>;

/**
 * The npm scripts of package.json that run a command (`node scripts/cli.mjs <command>`), and what a person types to
 * run one with arguments.
 */
const NPM_SCRIPTS = new Map<string, { readonly command: Command; readonly typed: string }>([
  ['audit', { command: 'audit', typed: 'npm run --silent audit --' }],
  ['remediate', { command: 'remediate', typed: 'npm run --silent remediate --' }],
  ['start', { command: 'examples', typed: 'npm start --' }],
]);

/**
 * What a person types to run `command` where they are: the npm script of this package that ran it, such as
 * `npm run --silent audit --`, or else the program, `ai-opt-out-audit audit` (the package's bin).
 */
function typedCommand(command: Command, env: CliIo['env']): string {
  const script = env.npm_package_name === packageName ? NPM_SCRIPTS.get(env.npm_lifecycle_event ?? '') : undefined;
  return script?.command === command ? script.typed : `${PROGRAM} ${command}`;
}

/** `text` in lines of at most `width` characters, broken between words. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

/** A term (an option, a command) and its explanation, which starts at HELP_INDENT, on its line or below it. */
function helpItem(term: string, explanation: string): string {
  const indent = ' '.repeat(HELP_INDENT);
  const [first = '', ...rest] = wrap(explanation, HELP_WIDTH - HELP_INDENT);
  const head =
    term.length + 2 < HELP_INDENT ? `  ${term.padEnd(HELP_INDENT - 2)}${first}` : `  ${term}\n${indent}${first}`;
  return [head, ...rest.map((line) => `${indent}${line}`)].join('\n');
}

/** The options that every one of `commands` takes, one item each. */
function optionsHelp(commands: readonly Command[]): string {
  return Object.entries<OptionHelp>(OPTIONS)
    .filter(([, option]) => commands.every((command) => option.commands.includes(command)))
    .map(([option, { short, value, help }]) =>
      helpItem(`${short === undefined ? '' : `-${short}, `}--${option}${value === undefined ? '' : ` ${value}`}`, help),
    )
    .join('\n');
}

/** The help of `command`: its forms as a person types them here, its options and its exit codes. */
function commandHelp(command: Command, env: CliIo['env']): string {
  const { synopsis, exitCodes } = COMMANDS[command];
  return [
    'Usage:',
    ...synopsis.map(([args, what]) => helpItem(`${typedCommand(command, env)} ${args}`, what)),
    '',
    'Options:',
    optionsHelp([command]),
    '',
    ...wrap(`Exit codes: ${exitCodes}`, HELP_WIDTH),
    '',
  ].join('\n');
}

/** The help of the program: its commands, and the options every command takes. */
function programHelp(): string {
  return [
    `Usage: ${PROGRAM} COMMAND [options]`,
    '',
    'Commands:',
    ...COMMAND_NAMES.map((command) => helpItem(command, COMMANDS[command].summary)),
    helpItem('help [COMMAND]', 'show this help, or the help of COMMAND'),
    '',
    `Run "${PROGRAM} COMMAND --help" for the forms, options and exit codes of a command.`,
    '',
    'Options:',
    optionsHelp(COMMAND_NAMES),
    '',
  ].join('\n');
}

const FORMATS = ['table', 'json', 'csv', 'markdown', 'junit', 'sarif'] as const;
type Format = (typeof FORMATS)[number];
/** The formats of examples (many reports) and remediate (no report). */
const TEXT_FORMATS = ['table', 'json'] as const;

/** Every format but the table, which also needs to know about colour. */
const FORMATTERS: Readonly<Record<Exclude<Format, 'table'>, (report: ReportJson) => string>> = {
  json: formatReportJson,
  csv: formatReportCsv,
  markdown: formatReportMarkdown,
  junit: formatReportJunit,
  sarif: formatReportSarif,
};

/** Where the CLI writes, and what it knows of its terminal and environment. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutIsTty: boolean;
  readonly stderrIsTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The clock: when a live read starts, and when a report is made. */
  readonly now: () => Date;
}

function errorText(error: unknown): string {
  // Not `instanceof Error`: errors from another realm (a test VM, a worker) are errors too.
  const message = typeof error === 'object' && error !== null && 'message' in error ? error.message : error;
  return String(message).replace(/\s*\n\s*/g, ' ');
}

type Values = ReturnType<typeof parseArguments>['values'];

const PARSE_CONFIG = { options: OPTIONS, allowPositionals: true, strict: true, tokens: true } as const;

function parseArguments(argv: readonly string[]) {
  let parsed: ReturnType<typeof parseArgs<typeof PARSE_CONFIG>>;
  try {
    parsed = parseArgs({ ...PARSE_CONFIG, args: [...argv] });
  } catch (error) {
    // parseArgs explains at length how to pass a positional that starts with a dash; keep the first sentence.
    const message = errorText(error).replace(/\. To specify a positional.*$/, '');
    throw new UsageError(`${message.charAt(0).toLowerCase()}${message.slice(1)} (see --help)`);
  }
  // parseArgs keeps the last of two values without a word; which one the user meant is not ours to guess.
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} given twice (see --help)`);
    seen.add(token.name);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

async function loadSnapshot(file: string): Promise<OrgSnapshot> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new InputError(`cannot read snapshot ${file}: ${errorText(error)}`, { cause: error });
  }
  let text: string;
  try {
    // Fatal: readFile's 'utf8' would turn bad bytes into U+FFFD and evaluate names the file does not hold. A UTF-8
    // byte order mark, which some editors write, is dropped (RFC 8259 allows a parser to ignore it).
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new InputError(`${file}: not UTF-8 text; save it as UTF-8`, { cause: error });
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

function formatFrom(values: Values, formats: readonly Format[]): Format {
  const format = formats.find((candidate) => candidate === (values.format ?? 'table'));
  if (format === undefined) {
    const names = `${formats.slice(0, -1).join(', ')} or ${formats.at(-1)}`;
    throw new UsageError(`--format must be ${names}, got "${values.format}"`);
  }
  return format;
}

/** How a command writes its reports: --format, --output, --only-failures and --quiet. */
interface ReportOptions {
  readonly format: Format;
  /** The file to write the report to, instead of stdout. */
  readonly output: string | undefined;
  readonly onlyFailures: boolean;
  /** Write no report at all. */
  readonly quiet: boolean;
}

function reportOptionsFrom(values: Values, formats: readonly Format[]): ReportOptions {
  const quiet = values.quiet === true;
  if (quiet) rejectOptions(values, ['format', 'output', 'only-failures'], 'shapes a report, and --quiet writes none');
  const output = values.output;
  if (output === '') throw new UsageError('--output needs a file name (see --help)');
  const snapshotFile = values.snapshot ?? values['save-snapshot'];
  if (output !== undefined && snapshotFile !== undefined && resolve(output) === resolve(snapshotFile)) {
    throw new UsageError(`--output ${output} is the snapshot file; write the report to another file (see --help)`);
  }
  return { format: formatFrom(values, formats), output, onlyFailures: values['only-failures'] === true, quiet };
}

/** Whether the table may colour its verdicts: on a terminal, unless https://no-color.org or a dumb terminal says no. */
function colorFor(io: CliIo): boolean {
  // A NO_COLOR that is present and not empty turns colour off.
  return io.stdoutIsTty && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
}

function render(report: ReportJson, format: Format, color: boolean): string {
  return format === 'table' ? formatReportTable(report, color) : FORMATTERS[format](report);
}

function provenance(generatedAt: Date, source: ReportSource): ReportProvenance {
  return { generatedAt: generatedAt.toISOString(), tool: { name: PROGRAM, version }, source };
}

/** Writes a file whole or not at all (see writeFileAtomic); fails with OutputError naming `what` and the file. */
async function writeOutput(file: string, text: string, what: string): Promise<void> {
  try {
    await writeFileAtomic(file, text);
  } catch (error) {
    // Not the temporary file's path that Node's message ends with (", open '…'"): the file the user named.
    const reason = errorText(error).replace(/, \w+ '.*$/, '');
    throw new OutputError(`cannot write ${what} ${file}: ${reason}`, { cause: error });
  }
}

/** Writes a report to --output or to stdout, in --format. */
async function writeReport(report: ReportJson, options: ReportOptions, io: CliIo): Promise<void> {
  if (options.output === undefined) {
    io.stdout(`${render(report, options.format, colorFor(io))}\n`);
  } else {
    await writeOutput(options.output, `${render(report, options.format, false)}\n`, 'report');
  }
}

/** The Organizations client of a live command: the default credential chain, or --profile and --region. */
function organizationsClient(values: Values): OrganizationsClient {
  return new OrganizationsClient({
    ...ORGANIZATIONS_CLIENT_CONFIG,
    ...(values.region === undefined ? {} : { region: values.region }),
    ...(values.profile === undefined ? {} : { profile: values.profile }),
  });
}

/** The --timeout of a live command, in seconds. */
function timeoutFrom(values: Values): number {
  if (values.timeout === undefined) return DEFAULT_TIMEOUT_SECONDS;
  const seconds = /^\d+(\.\d+)?$/.test(values.timeout) ? Number(values.timeout) : Number.NaN;
  if (!(seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS)) {
    throw new UsageError(
      `--timeout must be a positive number of seconds, at most ${MAX_TIMEOUT_SECONDS}, got "${values.timeout}" (see --help)`,
    );
  }
  return seconds;
}

/**
 * Refuses the profile of a live command (--profile, else AWS_PROFILE) when neither shared file defines it: the SDK
 * would go on down its credential chain without a word, as far as the role of the EC2 instance it runs on.
 */
async function checkProfile(values: Values, env: CliIo['env']): Promise<void> {
  const profile = values.profile ?? env.AWS_PROFILE;
  if (profile === undefined) return;
  // The files the SDK reads: these variables, or else ~/.aws/config and ~/.aws/credentials.
  const configFilepath = env.AWS_CONFIG_FILE || undefined;
  const filepath = env.AWS_SHARED_CREDENTIALS_FILE || undefined;
  const { configFile, credentialsFile } = await loadSharedConfigFiles({
    ...(configFilepath === undefined ? {} : { configFilepath }),
    ...(filepath === undefined ? {} : { filepath }),
  });
  if (Object.hasOwn(configFile, profile) || Object.hasOwn(credentialsFile, profile)) return;
  throw new UsageError(
    `profile ${profile}${values.profile === undefined ? ' (AWS_PROFILE)' : ''} not found in ${configFilepath ?? '~/.aws/config'} or ${filepath ?? '~/.aws/credentials'}`,
  );
}

/** Whether `error` is an access denial, or a remediation step that failed with one. */
function isAccessDenied(error: unknown): boolean {
  if (error instanceof OrganizationsAccessDeniedError || error instanceof RemediationAccessDeniedError) return true;
  return error instanceof RemediationFailedError && isAccessDenied(error.cause);
}

/** The ARN of the credentials `client` signs with, as STS GetCallerIdentity (which needs no permission) says. */
async function callerArn(client: OrganizationsClient): Promise<string | undefined> {
  const sts = new STSClient({ region: client.config.region, credentials: client.config.credentials, maxAttempts: 1 });
  try {
    const { Arn } = await sts.send(new GetCallerIdentityCommand({}), {
      abortSignal: AbortSignal.timeout(CALLER_IDENTITY_TIMEOUT_MS),
    });
    return Arn;
  } catch {
    // Who was denied only helps; the denial is the news.
    return undefined;
  } finally {
    sts.destroy();
  }
}

/**
 * `error` told to the person at the terminal when it is an access denial: the action their credentials lack, not what
 * the rule's or the remediation function's role lacks (the Lambda's wording). A failed remediation step keeps its
 * account of what was done.
 */
function toCallersError(error: unknown, caller: string): unknown {
  if (error instanceof OrganizationsAccessDeniedError || error instanceof RemediationAccessDeniedError) {
    return new OrganizationsAccessDeniedError(error.action, { cause: error }, caller);
  }
  if (error instanceof RemediationFailedError) {
    return new RemediationFailedError(error.failedAt, error.done, { cause: toCallersError(error.cause, caller) });
  }
  return error;
}

/**
 * Runs a live command with a client, closing it after; refuses a profile that does not exist, says how to give
 * credentials when there are none, and names the caller's credentials when AWS denies them an action. After `seconds`
 * it aborts the signal it gave `work` and fails with CommandTimeoutError(`seconds`, `timeoutMessage`); work that
 * ignores the signal ends when the process exits, at once (see the entry point below).
 */
async function withOrganizations<T>(
  values: Values,
  env: CliIo['env'],
  seconds: number,
  timeoutMessage: string,
  work: (client: OrganizationsClient, abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  await checkProfile(values, env);
  const client = organizationsClient(values);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new CommandTimeoutError(seconds, timeoutMessage);
      controller.abort(error);
      reject(error);
    }, seconds * 1000);
  });
  try {
    return await Promise.race([work(client, controller.signal), deadline]);
  } catch (error) {
    if (error instanceof Error && error.name === 'CredentialsProviderError') {
      throw new AwsCredentialsError(`no AWS credentials (${errorText(error)}): use --profile P, or set AWS_PROFILE`, {
        cause: error,
      });
    }
    if (!isAccessDenied(error)) throw error;
    const profile = values.profile ?? env.AWS_PROFILE;
    const who = (await callerArn(client)) ?? (profile === undefined ? undefined : `profile ${profile}`);
    throw toCallersError(error, who === undefined ? 'your credentials' : `your credentials (${who})`);
  } finally {
    clearTimeout(timer);
    client.destroy();
  }
}

/**
 * Reads the live organization with the same reader as the Lambda, and the names of its OUs for the table; progress
 * goes to stderr, only on a terminal.
 */
async function readLiveSnapshot(
  values: Values,
  seconds: number,
  io: CliIo,
): Promise<OrgSnapshot & { readonly capturedAt: string }> {
  const startedAt = io.now().toISOString();
  const onProgress = (accountsRead: number) => io.stderr(`\rRead ${accountsRead} accounts...`);
  const timeoutMessage = `reading the organization did not finish within ${seconds} s (--timeout), so nothing was evaluated: run again with a longer --timeout (a large organization, or Organizations throttling, takes longer)`;
  try {
    const snapshot = await withOrganizations(values, io.env, seconds, timeoutMessage, (client, abortSignal) =>
      readOrgSnapshot(client, {
        abortSignal,
        organizationalUnitNames: true,
        ...(io.stderrIsTty ? { onProgress } : {}),
      }),
    );
    return { capturedAt: startedAt, ...snapshot };
  } finally {
    if (io.stderrIsTty) io.stderr('\r\u001b[2K');
  }
}

function rejectOptions(values: Values, names: readonly (keyof Values)[], why: string): void {
  const given = names.find((name) => values[name] !== undefined);
  if (given !== undefined) throw new UsageError(`--${given} ${why} (see --help)`);
}

/** Refuses an option that `command` does not take, naming the commands that do. */
function refuseOptionsNotFor(command: Command, values: Values): void {
  for (const [option, { commands }] of Object.entries<OptionHelp>(OPTIONS)) {
    if (option in values && !commands.includes(command)) {
      throw new UsageError(`--${option} is for ${commands.join(' and ')}, not ${command} (see --help)`);
    }
  }
}

async function audit(positionals: readonly string[], values: Values, io: CliIo) {
  if (positionals.length > 0) throw new UsageError(`audit takes no arguments, got "${positionals[0]}" (see --help)`);
  const options = reportOptionsFrom(values, FORMATS);
  const parameters = ruleParametersFrom(values);
  let snapshot: OrgSnapshot;
  let source: ReportSource;
  if (values.snapshot === undefined) {
    const live = await readLiveSnapshot(values, timeoutFrom(values), io);
    const saved = values['save-snapshot'];
    if (saved !== undefined) await writeOutput(saved, `${JSON.stringify(live, null, 2)}\n`, 'snapshot');
    snapshot = live;
    source = { kind: 'live', file: saved ?? null, capturedAt: live.capturedAt };
  } else {
    rejectOptions(values, ['profile', 'region', 'save-snapshot', 'timeout'], 'is for a live read, not with --snapshot');
    snapshot = await loadSnapshot(values.snapshot);
    source = { kind: 'snapshot', file: values.snapshot, capturedAt: snapshot.capturedAt ?? null };
  }
  const report = evaluatePosture(snapshot, parameters);
  if (!options.quiet) {
    await writeReport(toReportJson(report, parameters, provenance(io.now(), source), options), options, io);
  }
  return exitCodeFor(report);
}

async function examples(positionals: readonly string[], values: Values, io: CliIo) {
  if (positionals.length > 1)
    throw new UsageError(`examples takes one directory, got ${positionals.length} (see --help)`);
  const options = reportOptionsFrom(values, TEXT_FORMATS);
  const parameters = ruleParametersFrom(values);
  const dir = positionals[0] ?? DEFAULT_EXAMPLES_DIR;
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    throw new InputError(`cannot read examples directory ${dir}: ${errorText(error)}`, { cause: error });
  }
  if (names.length === 0) throw new InputError(`no *.json snapshots in ${dir}`);
  const generatedAt = io.now();
  const reports: { file: string; report: ReportJson }[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const snapshot = await loadSnapshot(file);
    const source = { kind: 'snapshot', file, capturedAt: snapshot.capturedAt ?? null } as const;
    const report = evaluatePosture(snapshot, parameters);
    reports.push({ file: name, report: toReportJson(report, parameters, provenance(generatedAt, source), options) });
  }
  if (options.format === 'json') {
    io.stdout(`${toVisibleJson(reports)}\n`);
  } else {
    const color = colorFor(io);
    io.stdout(reports.map(({ file, report }) => `== ${file} ==\n${formatReportTable(report, color)}\n`).join('\n'));
  }
  return EXIT_CODES.compliant;
}

async function remediate(positionals: readonly string[], values: Values, io: CliIo) {
  if (positionals.length > 0)
    throw new UsageError(`remediate takes no arguments, got "${positionals[0]}" (see --help)`);
  const format = formatFrom(values, TEXT_FORMATS);
  const name = parsePolicyName(values['policy-name'] ?? DEFAULT_REMEDIATION_POLICY_NAME);
  if (!name.ok) throw new UsageError(`--policy-name: ${name.error}`);
  const dryRun = values['dry-run'] === true;
  const seconds = timeoutFrom(values);
  // Organizations carries out a change it received even when its answer never comes back, so "nothing" cannot be said.
  const timeoutMessage = dryRun
    ? `remediate --dry-run did not finish within ${seconds} s (--timeout); a dry run changes nothing: run it again with a longer --timeout`
    : `remediate did not finish within ${seconds} s (--timeout), so it may have made only some of its changes: run remediate --dry-run to see what is left, then remediate again (it does only what is left)`;
  const result = await withOrganizations(values, io.env, seconds, timeoutMessage, (client) =>
    remediateOrganization(client, { policyName: name.value, dryRun }),
  );
  io.stdout(`${format === 'json' ? toVisibleJson(result) : formatRemediation(result)}\n`);
  const left = result.needsPerson.length > 0 || (dryRun && result.plan.length > 0);
  return left ? EXIT_CODES.nonCompliant : EXIT_CODES.compliant;
}

const isCommand = (word: string | undefined): word is Command => COMMAND_NAMES.some((command) => command === word);

function unknownCommand(word: string | undefined): UsageError {
  return new UsageError(
    word === undefined ? 'no command given (see --help)' : `unknown command "${word}" (see --help)`,
  );
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArguments(argv);
  if (values.version) {
    io.stdout(`${version}\n`);
    return EXIT_CODES.compliant;
  }
  const [word, ...rest] = positionals;
  if (word === 'help' || values.help) {
    // `help audit` is `audit --help`; `help` or `--help` alone asks for the program's.
    const [about, ...more] = word === 'help' ? rest : [word];
    if (more.length > 0) throw new UsageError('help takes one command (see --help)');
    if (about !== undefined && !isCommand(about)) throw unknownCommand(about);
    io.stdout(about === undefined ? programHelp() : commandHelp(about, io.env));
    return EXIT_CODES.compliant;
  }
  if (!isCommand(word)) throw unknownCommand(word);
  refuseOptionsNotFor(word, values);
  const commands = { audit, examples, remediate } as const satisfies Record<Command, unknown>;
  return commands[word](rest, values, io);
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
    // Messages can quote a file or AWS (a JSON.parse error quotes the bytes it choked on): escapes, not raw bytes.
    io.stderr(`${PROGRAM}: ${toVisible(`${name}${errorText(error)}`)}\n`);
    return error instanceof UsageError || error instanceof InputError ? EXIT_CODES.usage : EXIT_CODES.failure;
  }
}

/**
 * The exit code once the output is flushed: `code`, unless writing failed. A reader that left (EPIPE: `audit | head
 * -1`) changes nothing, since what was decided still stands; any other write error is exit 3.
 */
function exitCodeAfterWrites(code: number, writeErrors: ReadonlyMap<NodeJS.WriteStream, Error>): number {
  let exitCode = code;
  for (const [stream, error] of writeErrors) {
    if ('code' in error && error.code === 'EPIPE') continue;
    if (stream === process.stdout && !writeErrors.has(process.stderr)) {
      process.stderr.write(`${PROGRAM}: cannot write the output: ${errorText(error)}\n`);
    }
    exitCode = EXIT_CODES.failure;
  }
  return exitCode;
}

/**
 * The program: runs the command line of this process, writes to its stdout and stderr, and exits with the code. For
 * `node dist/cli.js` and the bin, and for scripts/cli.mjs, which loads the bundle and calls it.
 */
export function main(): void {
  // The SDK warns on every run that its releases after January 2027 need Node 22; it is no news to an auditor.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const streams = [process.stdout, process.stderr];
  // A failed write surfaces later, as an 'error' event; unheard, Node prints it with a stack trace and exits 1.
  const writeErrors = new Map<NodeJS.WriteStream, Error>();
  for (const stream of streams) {
    stream.on('error', (error) => {
      if (!writeErrors.has(stream)) writeErrors.set(stream, error);
    });
  }
  void runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutIsTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    env: process.env,
    now: () => new Date(),
  }).then(async (code) => {
    // The callback of an empty write comes after every earlier write is flushed or failed.
    await Promise.all(streams.map((stream) => new Promise((resolve) => stream.write('', resolve))));
    // Exit now: a request that --timeout abandoned may still hold a socket open.
    process.exit(exitCodeAfterWrites(code, writeErrors));
  });
}

if (require.main === module) main();
