import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toId18 } from '../../service/src/salesforce/ids.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

describe('the batch context loader', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('reads in one query the same contexts as one query per opportunity (sub-query limits per opportunity)', async () => {
    const ids = Object.values(h.opportunities);
    expect(ids.length).toBeGreaterThan(1);
    h.org.resetRequests();
    const batch = await h.deps.salesforce.loadContexts(ids);
    expect(h.org.requests).toHaveLength(1);
    for (const id of ids) expect(batch.get(id)).toEqual(await h.deps.salesforce.loadContext(id));
    expect([...batch.values()].some((c) => 'activities' in c && c.activities.length > 0)).toBe(true);
  });

  it('leaves out an opportunity that does not exist, and refuses more than 200 ids', async () => {
    const missing = toId18('006Bk0000000999')!;
    const batch = await h.deps.salesforce.loadContexts([h.discoveryId, missing]);
    expect([...batch.keys()]).toEqual([h.discoveryId]);
    await expect(h.deps.salesforce.loadContexts(Array.from({ length: 201 }, () => h.discoveryId))).rejects.toThrow(/at most 200/);
  });
});
