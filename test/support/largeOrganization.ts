import { writeFileSync } from 'node:fs';
import { SEED_000, SEED_004_EXAMPLE_1 } from './policies';
import { ROOT_ID, snapshotOf } from './snapshotBuilder';

/** How many OUs, under the root, hold the accounts of a large organization. */
const OU_COUNT = 20;
/** One account in this many is SUSPENDED (so NOT_APPLICABLE); the others are ACTIVE. */
const SUSPENDED_EVERY = 1000;

/** The verdict counts the report of a large organization must show. */
export interface VerdictCounts {
  readonly COMPLIANT: number;
  readonly NON_COMPLIANT: number;
  readonly NOT_APPLICABLE: number;
}

/**
 * Writes to `file` a snapshot of `accountCount` accounts (the management account included) spread over OUs, one in
 * SUSPENDED_EVERY of them SUSPENDED, and returns the counts its report must show. With `locked`, the root carries
 * AWS's fully locked opt-out (every ACTIVE account COMPLIANT); without, one with no lock under services (every ACTIVE
 * account NON_COMPLIANT).
 */
export function writeLargeSnapshot(file: string, accountCount: number, locked: boolean): VerdictCounts {
  const organizationalUnits = Array.from({ length: OU_COUNT }, (_, i) => ({
    id: `ou-exam-${10_000_000 + i}`,
    parentId: ROOT_ID,
  }));
  const accounts = Array.from({ length: accountCount - 1 }, (_, index) => {
    const i = index + 1;
    return {
      id: String(200_000_000_000 + i),
      parentId: organizationalUnits[i % OU_COUNT]?.id ?? ROOT_ID,
      state: i % SUSPENDED_EVERY === 0 ? ('SUSPENDED' as const) : ('ACTIVE' as const),
    };
  });
  const snapshot = snapshotOf({
    organizationalUnits,
    accounts,
    policies: [{ id: 'p-rootoptout', content: locked ? SEED_004_EXAMPLE_1 : SEED_000, targets: [ROOT_ID] }],
  });
  writeFileSync(file, JSON.stringify(snapshot));
  const suspended = Math.floor((accountCount - 1) / SUSPENDED_EVERY);
  const active = accountCount - suspended;
  return { COMPLIANT: locked ? active : 0, NON_COMPLIANT: locked ? 0 : active, NOT_APPLICABLE: suspended };
}
