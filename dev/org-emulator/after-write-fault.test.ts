import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OrgEmulator } from './index.ts';
import { DEMO_IDS, startDemoOrg } from '../demo-seed/index.ts';

describe('org emulator after-write fault (not Salesforce)', () => {
  let org: OrgEmulator;
  let conn: Connection;
  beforeAll(async () => {
    org = await startDemoOrg({ today: new Date('2026-11-25T10:00:00Z') });
    conn = new Connection({ instanceUrl: org.url, accessToken: 'any', version: '62.0' });
  });
  afterAll(async () => org?.close());

  it('applies the write, then answers with the injected error', async () => {
    org.injectFault({ count: 1, errorCode: 'SERVER_UNAVAILABLE', mode: 'after-write' });
    const before = org.records('Task').length;
    await expect(
      conn.sobject('Task').create({ Subject: 'Lost answer', WhatId: DEMO_IDS.opportunities.acme } as never),
    ).rejects.toMatchObject({ name: 'SERVER_UNAVAILABLE' });
    const tasks = org.records('Task');
    expect(tasks).toHaveLength(before + 1);
    expect(tasks.some((t) => t.Subject === 'Lost answer')).toBe(true);
    // The fault is spent: the next write answers normally.
    await expect(conn.sobject('Task').create({ Subject: 'Second', WhatId: DEMO_IDS.opportunities.acme } as never)).resolves.toMatchObject({
      success: true,
    });
  });

  it('leaves reads alone by default', async () => {
    org.injectFault({ count: 1, errorCode: 'SERVER_UNAVAILABLE', mode: 'after-write' });
    const { totalSize } = await conn.query('SELECT Id FROM Account');
    expect(totalSize).toBeGreaterThan(0);
    // The fault is still there for the next write, which it fails after applying it.
    await expect(
      conn.sobject('Task').create({ Subject: 'consumes the fault', WhatId: DEMO_IDS.opportunities.acme } as never),
    ).rejects.toMatchObject({
      name: 'SERVER_UNAVAILABLE',
    });
    expect(org.records('Task').some((t) => t.Subject === 'consumes the fault')).toBe(true);
  });
});
