// How many Organizations calls a read makes, and how long it takes, against a throttling fake endpoint on 127.0.0.1:
// prints figures, asserts nothing (timing goals are not tests). Run with `npm run bench:read`; `-- --quick` runs only
// the 1,000-account organization.
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { readAccountInOrganization } from '../src/aws/readAccountInOrganization';
import { type ReadAccountSnapshotOptions, readAccountSnapshot } from '../src/aws/readAccountSnapshot';
import { DEFAULT_CONCURRENCY, ORGANIZATIONS_CLIENT_CONFIG, readOrgSnapshot } from '../src/aws/readOrgSnapshot';
import { evaluatePosture } from '../src/core/evaluatePosture';
import type { OrgSnapshot } from '../src/core/orgSnapshot';
import { DEFAULT_RULE_PARAMETERS } from '../src/core/ruleParameters';
import { type FakeOrganizations, startFakeOrganizations } from '../test/support/fakeOrganizations';
import { generateOrganization } from '../test/support/generatedOrganization';

const LATENCY_MS = 50;
const POLICIES = 20;
const DEPTH = 5;
/** Every 7th page of each listing is empty but carries a NextToken, as AWS may send. */
const EMPTY_PAGE_EVERY = 7;
const MAX_RESULTS_PER_PAGE = 20;

interface Shape {
  readonly accounts: number;
  readonly organizationalUnits: number;
}

/** The responses a List operation needs for `fullPages` pages of items when every EMPTY_PAGE_EVERY-th one is empty. */
function listResponses(fullPages: number): number {
  return fullPages + Math.floor((fullPages - 1) / (EMPTY_PAGE_EVERY - 1));
}

/**
 * The calls any read that decides every account must make, once each, for an organization as `model` holds it and
 * the fake serves it: DescribeOrganization, ListRoots, the pages of ListPolicies, DescribePolicy and the pages of
 * ListTargetsForPolicy for each policy, the pages of ListAccounts (every account with its parent chain, when Paths
 * are sent), and the pages of ListAccountsWithInvalidEffectivePolicy; with the empty pages the endpoint inserts into
 * each List operation, which no reader can avoid.
 */
function lowerBound(model: OrgSnapshot): number {
  const pages = (items: number) => Math.max(1, Math.ceil(items / MAX_RESULTS_PER_PAGE));
  const targetPages = model.policies.reduce((sum, policy) => sum + pages(policy.targets.length), 0);
  return (
    1 +
    listResponses(1) +
    listResponses(pages(model.policies.length)) +
    model.policies.length +
    listResponses(targetPages) +
    listResponses(pages(model.accounts.length)) +
    listResponses(pages(model.accountsWithInvalidEffectivePolicy.length))
  );
}

/**
 * The calls a walk adds to `lowerBound` when no path is sent: for the root and each OU, the pages of
 * ListOrganizationalUnitsForParent and of ListAccountsForParent, with the inserted empty pages. The walk keeps the full
 * ListAccounts (in `lowerBound`) as its check that no account moved out of its sight during the walk.
 */
function walkCalls(model: OrgSnapshot): number {
  const pages = (items: number) => Math.max(1, Math.ceil(items / MAX_RESULTS_PER_PAGE));
  const children = new Map<string, { organizationalUnits: number; accounts: number }>();
  const of = (parentId: string) => {
    const known = children.get(parentId) ?? { organizationalUnits: 0, accounts: 0 };
    children.set(parentId, known);
    return known;
  };
  of(model.root.id);
  for (const ou of model.organizationalUnits) {
    of(ou.id);
    of(ou.parentId).organizationalUnits += 1;
  }
  for (const account of model.accounts) of(account.parentId).accounts += 1;
  const parents = [...children.values()];
  // The endpoint counts responses per operation, so the empty pages go by each operation's pages in all.
  const responses = (count: (parent: (typeof parents)[number]) => number) =>
    listResponses(parents.reduce((total, parent) => total + pages(count(parent)), 0));
  return responses((parent) => parent.organizationalUnits) + responses((parent) => parent.accounts);
}

/**
 * The calls a consistent read needs besides `lowerBound`: the root, the policies and the invalid list a second time,
 * after the tree (DescribeOrganization and ListAccounts are read once).
 */
function secondFrameCalls(model: OrgSnapshot): number {
  return lowerBound(model) - 1 - listResponses(Math.max(1, Math.ceil(model.accounts.length / MAX_RESULTS_PER_PAGE)));
}

/** How the adaptive limit moved during a read: each value it took, with when. */
function concurrencyTrace(start: number) {
  const started = process.hrtime.bigint();
  const changes: { readonly at: number; readonly limit: number }[] = [{ at: 0, limit: start }];
  return {
    onConcurrency: (limit: number) => changes.push({ at: Number(process.hrtime.bigint() - started) / 1e9, limit }),
    /** The limit's range, how often it was halved, and its mean over the read's `seconds`, weighted by time. */
    format(seconds: number): string {
      const limits = changes.map((change) => change.limit);
      const halvings = changes.filter((change, i) => i > 0 && change.limit < (changes[i - 1]?.limit ?? 0)).length;
      const weighted = changes.reduce((total, change, i) => {
        const until = changes[i + 1]?.at ?? seconds;
        return total + change.limit * Math.max(0, until - change.at);
      }, 0);
      return `adaptive limit ${start} at the start, ${Math.min(...limits)} to ${Math.max(...limits)}, halved ${halvings} times, ${(weighted / seconds).toFixed(1)} on average, ${limits[limits.length - 1]} at the end`;
    },
  };
}

function sum(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((total, count) => total + count, 0);
}

function client(endpoint: string): OrganizationsClient {
  return new OrganizationsClient({
    ...ORGANIZATIONS_CLIENT_CONFIG,
    endpoint,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
}

/** Samples the resident set size while `work` runs; returns its result and the peak in MiB. */
async function withPeakMemory<T>(work: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMiB: peak / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

function formatCalls(fake: FakeOrganizations): string {
  return Object.entries(fake.calls())
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, count]) => `${operation} ${count}`)
    .join(', ');
}

/** Which read: the rule function's (Scope=Organization), or the CLI audit's, which also reads the OUs' names. */
type Reader = 'rule read (Scope=Organization)' | 'CLI audit';

async function measureRuleRead(shape: Shape, requestsPerSecond: number, paths: boolean, reader: Reader): Promise<void> {
  const model = generateOrganization({
    accounts: shape.accounts,
    organizationalUnits: shape.organizationalUnits,
    depth: DEPTH,
    policies: POLICIES,
    seed: 7,
  });
  const fake = await startFakeOrganizations(model, {
    latencyMs: LATENCY_MS,
    requestsPerSecond,
    emptyPageEvery: EMPTY_PAGE_EVERY,
    paths,
  });
  const organizations = client(fake.endpoint);
  try {
    const started = process.hrtime.bigint();
    const trace = concurrencyTrace(DEFAULT_CONCURRENCY);
    const { result: report, peakMiB } = await withPeakMemory(async () =>
      evaluatePosture(
        await readOrgSnapshot(organizations, {
          organizationalUnitNames: reader === 'CLI audit',
          onConcurrency: trace.onConcurrency,
        }),
        DEFAULT_RULE_PARAMETERS,
      ),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const bound = lowerBound(model);
    // What this way of reading cannot avoid: the frame before and after the tree, and the walk when it walks.
    const ownBound = bound + secondFrameCalls(model) + (paths ? 0 : walkCalls(model));
    const ownBoundText = `; ${(fake.total() / ownBound).toFixed(2)} x the ${ownBound} a consistent ${paths ? 'read by Paths' : 'walk'} needs`;
    console.log(
      [
        `${reader}, ${shape.accounts} accounts, ${shape.organizationalUnits} OUs, ${requestsPerSecond} req/s, Paths ${paths ? 'on' : 'off'}:`,
        `  ${fake.total()} calls (${(fake.total() / bound).toFixed(2)} x the lower bound of ${bound}${ownBoundText}), ${sum(fake.throttled())} throttled, peak ${fake.peakInFlight()} in flight`,
        `  ${trace.format(seconds)}`,
        `  ${seconds.toFixed(1)} s, peak RSS ${peakMiB.toFixed(0)} MiB, ${report.decisions.length} accounts decided (${report.compliance})`,
        `  ${formatCalls(fake)}`,
      ].join('\n'),
    );
  } finally {
    organizations.destroy();
    await fake.stop();
  }
}

/**
 * A member's run (Scope=Account) as the handler makes it: DescribeAccount, then the account's path, deciding it. In a
 * warm container the organization and the last root read are shared (`shared`), as the handler shares them.
 */
async function memberRun(
  organizations: OrganizationsClient,
  accountId: string,
  shared: ReadAccountSnapshotOptions | undefined,
): Promise<ReadAccountSnapshotOptions> {
  const account = await readAccountInOrganization(organizations, accountId);
  if (account === undefined) throw new Error(`${accountId} is not in the organization`);
  const read = await readAccountSnapshot(organizations, account, shared ?? {});
  const [decision] = evaluatePosture(read.snapshot, DEFAULT_RULE_PARAMETERS).decisions;
  if (decision?.account.id !== accountId) throw new Error(`no decision for ${accountId}`);
  return { organization: read.snapshot.organization, rootFrame: read.rootFrame };
}

/** 100 member runs in a row in one warm container, then 20 at once in 20 cold containers (nothing shared). */
async function measureMemberRuns(shape: Shape, requestsPerSecond: number): Promise<void> {
  const model = generateOrganization({
    accounts: shape.accounts,
    organizationalUnits: shape.organizationalUnits,
    depth: DEPTH,
    policies: POLICIES,
    seed: 7,
  });
  const fake = await startFakeOrganizations(model, { latencyMs: LATENCY_MS, requestsPerSecond, paths: true });
  const members = model.accounts.slice(1);
  const inRow = members.slice(0, 100);
  const atOnce = members.slice(100, 120);
  const clients = Array.from({ length: atOnce.length }, () => client(fake.endpoint));
  try {
    const report = (label: string, runs: number, seconds: number) => {
      const calls = fake.total();
      console.log(
        [
          `member runs (Scope=Account, Paths on), ${shape.accounts} accounts, ${requestsPerSecond} req/s, ${label}:`,
          `  ${(calls / runs).toFixed(1)} calls a run (${calls} in all), ${sum(fake.throttled())} throttled, ${seconds.toFixed(1)} s in all, ${((seconds / runs) * 1000).toFixed(0)} ms a run`,
          `  ${formatCalls(fake)}`,
        ].join('\n'),
      );
      fake.resetCounters();
    };
    const [first] = clients;
    if (first === undefined) throw new Error('no client');
    let started = process.hrtime.bigint();
    let shared: ReadAccountSnapshotOptions | undefined;
    for (const account of inRow) shared = await memberRun(first, account.id, shared);
    report(
      `${inRow.length} in a row, one warm container`,
      inRow.length,
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    started = process.hrtime.bigint();
    await Promise.all(atOnce.map((account, i) => memberRun(clients[i] ?? first, account.id, undefined)));
    report(`${atOnce.length} at once, cold containers`, atOnce.length, Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    for (const organizations of clients) organizations.destroy();
    await fake.stop();
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const shapes: Shape[] = [
    { accounts: 1_000, organizationalUnits: 100 },
    ...(quick ? [] : [{ accounts: 10_000, organizationalUnits: 1_000 }]),
  ];
  console.log(
    `Node ${process.version}; fake Organizations endpoint on 127.0.0.1: ${LATENCY_MS} ms a response, token bucket, an empty page every ${EMPTY_PAGE_EVERY}; ${POLICIES} policies besides the root's, OUs ${DEPTH} deep`,
  );
  for (const shape of shapes) {
    for (const requestsPerSecond of [10, 20]) {
      for (const paths of [true, false]) {
        await measureRuleRead(shape, requestsPerSecond, paths, 'rule read (Scope=Organization)');
      }
      await measureRuleRead(shape, requestsPerSecond, true, 'CLI audit');
      await measureMemberRuns(shape, requestsPerSecond);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
