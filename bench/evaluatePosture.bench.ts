// How long the decision takes, and how much memory it needs, for organizations far larger than most: prints figures,
// asserts nothing (timing goals are not tests). Run with `npm run bench`.
import { toAccountEvaluations } from '../src/core/accountEvaluation';
import { evaluatePosture } from '../src/core/evaluatePosture';
import type { Account, OrganizationalUnit, OrgSnapshot, Policy } from '../src/core/orgSnapshot';
import { parseOrgSnapshot } from '../src/core/parseOrgSnapshot';
import type { ComplianceType } from '../src/core/reason';
import { DEFAULT_RULE_PARAMETERS } from '../src/core/ruleParameters';

const ROOT = 'r-bench';
const LOCKED = JSON.stringify({
  services: {
    '@@operators_allowed_for_child_policies': ['@@none'],
    default: {
      '@@operators_allowed_for_child_policies': ['@@none'],
      opt_out_policy: { '@@operators_allowed_for_child_policies': ['@@none'], '@@assign': 'optOut' },
    },
  },
});
const optIn = (service: string) =>
  JSON.stringify({ services: { [service]: { opt_out_policy: { '@@assign': 'optIn' } } } });

/** An organization with `ousPerLevel` OUs under the root and under each OU, `depth` levels deep, and accounts in each. */
function organization(ousPerLevel: number, depth: number, accountsPerOu: number): OrgSnapshot {
  const organizationalUnits: OrganizationalUnit[] = [];
  const accounts: Account[] = [{ id: '100000000000', name: 'management', state: 'ACTIVE', parentId: ROOT }];
  const policies: Policy[] = [{ id: 'p-locked0001', name: 'locked', content: LOCKED, targets: [ROOT] }];
  let parents = [ROOT];
  for (let level = 0; level < depth; level += 1) {
    const next: string[] = [];
    for (const parentId of parents) {
      for (let i = 0; i < ousPerLevel; i += 1) {
        const id = `ou-bnch-${String(organizationalUnits.length).padStart(8, '0')}`;
        organizationalUnits.push({ id, name: `ou-${level}-${i}`, parentId });
        next.push(id);
        for (let a = 0; a < accountsPerOu; a += 1) {
          accounts.push({
            id: String(100000000001 + accounts.length),
            name: `account-${accounts.length}`,
            state: 'ACTIVE',
            parentId: id,
          });
        }
        // Every tenth OU carries a policy that tries to opt a service in (the root's locks keep it out).
        if (organizationalUnits.length % 10 === 0) {
          policies.push({
            id: `p-optin${String(policies.length).padStart(5, '0')}`,
            name: `opt-in-${policies.length}`,
            content: optIn(`service${policies.length % 40}`),
            targets: [id],
          });
        }
      }
    }
    parents = next;
  }
  return {
    organization: { id: 'o-benchmark00', featureSet: 'ALL', managementAccountId: '100000000000' },
    root: { id: ROOT, policyTypes: [{ type: 'AISERVICES_OPT_OUT_POLICY', status: 'ENABLED' }] },
    organizationalUnits,
    accounts,
    policies,
    accountsWithInvalidEffectivePolicy: [],
  };
}

/** Flat: `accounts` accounts under the root, each with the policies `shape` gives it, and the ids `shape` lists invalid. */
function flat(accounts: number, shape: 'everyAccountInvalid' | 'policyOnEveryAccount'): OrgSnapshot {
  const base = organization(0, 0, 0);
  const extra: Account[] = Array.from({ length: accounts - 1 }, (_, i) => ({
    id: String(200000000000 + i),
    name: `flat-${i}`,
    state: 'ACTIVE',
    parentId: ROOT,
  }));
  const all = [...base.accounts, ...extra];
  if (shape === 'everyAccountInvalid') {
    return { ...base, accounts: all, accountsWithInvalidEffectivePolicy: all.map((account) => account.id) };
  }
  const everywhere: Policy = {
    id: 'p-everywhere1',
    name: 'restates optOut on every account',
    content: JSON.stringify({ services: { default: { opt_out_policy: { '@@assign': 'optOut' } } } }),
    targets: all.map((account) => account.id),
  };
  return { ...base, accounts: all, policies: [...base.policies, everywhere] };
}

function measure(label: string, snapshot: OrgSnapshot, runs: number, expected: ComplianceType = 'COMPLIANT'): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const times: number[] = [];
  const parseTimes: number[] = [];
  let evaluations = 0;
  // The same JSON a snapshot file or the reader hands to parseOrgSnapshot, which validates it first.
  const json: unknown = JSON.parse(JSON.stringify(snapshot));
  for (let run = 0; run < runs; run += 1) {
    const parseStart = process.hrtime.bigint();
    const parsed = parseOrgSnapshot(json);
    parseTimes.push(Number(process.hrtime.bigint() - parseStart) / 1e6);
    if (!parsed.ok) throw new Error(`${label}: ${parsed.error.path}: ${parsed.error.message}`);
    const start = process.hrtime.bigint();
    const report = evaluatePosture(parsed.value, DEFAULT_RULE_PARAMETERS);
    evaluations = toAccountEvaluations(report).length;
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (report.compliance !== expected) throw new Error(`${label}: expected ${expected}, got ${report.compliance}`);
  }
  const heapAfter = process.memoryUsage().heapUsed;
  times.sort((a, b) => a - b);
  parseTimes.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
  const parseMedian = parseTimes[Math.floor(parseTimes.length / 2)] ?? Number.NaN;
  console.log(
    `${label.padEnd(34)} ${String(snapshot.organizationalUnits.length).padStart(6)} OUs ${String(evaluations).padStart(7)} accounts ${String(snapshot.policies.length).padStart(5)} policies  parse ${parseMedian.toFixed(1).padStart(7)} ms  decide median ${median.toFixed(1).padStart(7)} ms  min ${(times[0] ?? Number.NaN).toFixed(1).padStart(7)} ms  heap grew ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(1)} MiB over ${runs} runs${gc ? '' : ' (run with --expose-gc for a cleaner heap figure)'}`,
  );
}

console.log(`Node ${process.version}, ${process.arch}; evaluatePosture with the default rule parameters`);
measure('typical (3 levels, 5 per level)', organization(5, 3, 5), 20);
measure('large (4 levels, 6 per level)', organization(6, 4, 5), 10);
measure('very large (5 levels, 6 per level)', organization(6, 5, 1), 5);
measure('50,000 accounts, all listed invalid', flat(50_000, 'everyAccountInvalid'), 5, 'NON_COMPLIANT');
measure('50,000 accounts, one policy on each', flat(50_000, 'policyOnEveryAccount'), 5);
