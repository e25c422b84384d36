import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testkit/harness.ts';

describe('notifications', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.finalizedPlan();
  });
  afterAll(async () => h?.close());

  it("lists the CSM's own notifications, newest first, and marks one read", async () => {
    const all = await h.api('GET', '/api/notifications');
    expect(all.status).toBe(200);
    expect(all.body.notifications.map((n: any) => n.kind)).toContain('plan-finalized');
    const note = all.body.notifications.find((n: any) => n.kind === 'plan-finalized');
    expect(note).toMatchObject({ title: 'Action plan finalized', readAt: null, opportunityId: h.discoveryId });
    const read = await h.api('POST', `/api/notifications/${note.id}/read`);
    expect(read.status).toBe(200);
    const unread = await h.api('GET', '/api/notifications?unread=true');
    expect(unread.body.notifications.some((n: any) => n.id === note.id)).toBe(false);
  });

  it("never shows or touches another user's notifications", async () => {
    const mine = (await h.api('GET', '/api/notifications')).body.notifications;
    const theirs = await h.api('GET', '/api/notifications', undefined, { user: h.users['Morgan Diaz'] });
    expect(theirs.body.notifications).toEqual([]);
    const steal = await h.api('POST', `/api/notifications/${mine[0].id}/read`, undefined, { user: h.users['Morgan Diaz'] });
    expect(steal.status).toBe(404);
  });

  it('rejects bad filters naming them', async () => {
    const res = await h.api('GET', '/api/notifications?unread=yes&limit=0');
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i: any) => i.path).sort()).toEqual(['query.limit', 'query.unread']);
    expect((await h.api('GET', '/api/notifications', undefined, { key: null })).status).toBe(401);
  });
});
