import { describe, expect, it } from 'vitest';
import { RecordAccess } from './access.ts';
import type { SoqlReader } from './context.ts';

const USER = '0055e000000AAAAAAA';
/** The nth distinct 18-character Opportunity id. */
const recordId = (n: number) => `0065e${n.toString(36).padStart(10, '0')}AAA`;

/**
 * The UserRecordAccess rows Salesforce answers for a query: every record readable, the even ones editable. A stand-in
 * for the org (the gateway's access checks against the org emulator are in tests/integration); here the subject is
 * the cache's bound.
 */
function userRecordAccess(): { reader: SoqlReader; queries: () => number } {
  let queries = 0;
  const reader = (async (soql: string) => {
    queries++;
    const ids = [...soql.matchAll(/'(0065e[0-9a-z]{10}AAA)'/g)].map((m) => m[1]!);
    return ids.map((id) => ({ RecordId: id, HasReadAccess: true, HasEditAccess: parseInt(id.slice(5, 15), 36) % 2 === 0 }));
  }) as SoqlReader;
  return { reader, queries: () => queries };
}

describe('RecordAccess cache', () => {
  it('holds at most its configured entries after 100,000 distinct records', async () => {
    const { reader } = userRecordAccess();
    const access = new RecordAccess(reader, 60_000, () => 0, 1_000);
    for (let i = 0; i < 100_000; i += 200) {
      const editable = await access.editable(
        USER,
        Array.from({ length: 200 }, (_, k) => recordId(i + k)),
      );
      expect(editable.size).toBe(100);
      expect(access.cachedEntries).toBeLessThanOrEqual(1_000);
    }
    expect(access.cachedEntries).toBe(1_000);
  });

  it('answers from the cache while fresh, asks Salesforce again once an answer is older than its age bound', async () => {
    const { reader, queries } = userRecordAccess();
    let now = 1_000;
    const access = new RecordAccess(reader, 30_000, () => now, 1_000);
    expect(await access.canEdit(USER, recordId(2))).toBe(true);
    now += 29_999;
    expect(await access.canEdit(USER, recordId(2))).toBe(true);
    expect(queries()).toBe(1);
    now += 2;
    expect(await access.canEdit(USER, recordId(2))).toBe(true);
    expect(queries()).toBe(2);
  });
});
