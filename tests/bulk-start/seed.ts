import { type SeedData } from '../../dev/org-emulator/index.ts';
import { loadDemoSeed } from '../../dev/demo-seed/index.ts';
import { toId18 } from '../../service/src/salesforce/ids.ts';

const JORDAN = '0055e0000000001AAA';
const MORGAN = '0055e0000000002AAA';
const ACME_ACCOUNT = '0015e0000000001AAA';
/** An account Morgan owns: Jordan cannot edit its opportunities. */
const MORGAN_ACCOUNT = toId18('0015e00000000Mg')!;

/** The 18-character id of the n-th added renewal opportunity. */
export const renewalId = (n: number) => toId18(`006Bk${String(n).padStart(10, '0')}`)!;

/**
 * The demo org plus `count` renewal opportunities Jordan owns (Discovery: 165 days to renewal) and one Morgan owns on
 * Morgan's account (`renewalId(0)`), for bulk starts of a Flow's or a list view's size.
 */
export function bulkSeed(count: number): SeedData {
  const demo = loadDemoSeed();
  const renewal = (n: number, owner: string, account: string) => ({
    Id: renewalId(n),
    Name: `Renewal ${n}`,
    AccountId: account,
    OwnerId: owner,
    Type: 'Renewal',
    StageName: 'Discovery',
    Amount: 100_000 + n,
    CloseDate: { daysFromToday: 165 },
  });
  return {
    ...demo,
    Account: [...(demo.Account ?? []), { Id: MORGAN_ACCOUNT, Name: 'Morgan Industries', OwnerId: MORGAN }],
    Opportunity: [
      ...(demo.Opportunity ?? []),
      renewal(0, MORGAN, MORGAN_ACCOUNT),
      ...Array.from({ length: count }, (_, i) => renewal(i + 1, JORDAN, ACME_ACCOUNT)),
    ],
  };
}
