import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OrgEmulator } from '../../../dev/org-emulator/index.ts';
import { DEMO_IDS, loadDemoSeed, startDemoOrg } from '../../../dev/demo-seed/index.ts';
import { connect, TODAY } from '../../../dev/org-emulator/test-support.ts';
import { notificationTypeId } from './custom-notifications.ts';
import { upsertMeetingEvent } from './events.ts';
import { SalesforceGateway } from './gateway.ts';
import { upsertTask } from './records.ts';
import { changedRenewalDates } from './renewal-dates.ts';
import { soqlDate, soqlDateTime, soqlIdList, soqlLike, soqlString } from './soql.ts';
import { changedMirroredTasks } from './task-mirror.ts';

/**
 * Quotes, backslashes and LIKE wildcards through the one SOQL escaping module and through every call site that puts a
 * value into a query, against the org emulator (whose literals follow "Quoted String Escape Sequences", row S9).
 */
const HOSTILE = [`it's`, String.raw`back\slash`, '100%_off', String.raw`\' OR Name != '`, String.raw`a\\'b`, 'tab\there\nnext'];
const ACME = DEMO_IDS.opportunities.acme;

let org: OrgEmulator;
let sf: SalesforceGateway;
beforeAll(async () => {
  org = await startDemoOrg({ today: TODAY, seed: loadDemoSeed() });
  sf = new SalesforceGateway(connect(org), { compositeWindowMs: 0 });
});
afterAll(() => org.close());
beforeEach(() => org.resetRequests());

const ids = async (soql: string) => (await sf.conn.query<{ Id: string }>(soql)).records.map((r) => r.Id);

describe('soql literals', () => {
  it('soqlString and soqlLike find exactly the record whose text holds quotes, backslashes, % and _', async () => {
    const created = new Map<string, string>();
    for (const name of [...HOSTILE, '100ab-off', 'itXs']) {
      const { id } = (await sf.conn.sobject('Account').create({ Name: name })) as { id: string };
      created.set(name, id);
    }
    for (const name of HOSTILE) {
      const id = created.get(name);
      expect(await ids(`SELECT Id FROM Account WHERE Name = ${soqlString(name)}`), name).toEqual([id]);
      expect(await ids(`SELECT Id FROM Account WHERE Name LIKE ${soqlLike(name)}`), name).toEqual([id]);
      expect(await ids(`SELECT Id FROM Account WHERE Name LIKE ${soqlLike(name.slice(0, -1), 'prefix')}`), name).toEqual([id]);
      expect(await ids(`SELECT Id FROM Account WHERE Name LIKE ${soqlLike(name.slice(1), 'contains')}`), name).toEqual([id]);
    }
    // Unescaped, `100%_off` would also match `100ab-off`: the escaped % and _ are the characters themselves.
    expect(await ids(`SELECT Id FROM Account WHERE Name LIKE ${soqlLike('100%_', 'prefix')}`)).toEqual([created.get('100%_off')]);
  });

  it('writes the exact literal text', () => {
    expect(soqlString(String.raw`O'Br\en`)).toBe(String.raw`'O\'Br\\en'`);
    expect(soqlString('a\nb')).toBe(String.raw`'a\nb'`);
    expect(soqlLike('5%_x', 'contains')).toBe(String.raw`'%5\%\_x%'`);
    expect(soqlIdList([ACME])).toBe(`('${ACME}')`);
    expect(soqlDate('2026-11-25')).toBe('2026-11-25');
    expect(soqlDateTime('2026-11-25T10:00:00.123Z')).toBe('2026-11-25T10:00:00Z');
    expect(soqlDateTime(Date.parse('2026-11-25T10:00:00Z'))).toBe('2026-11-25T10:00:00Z');
  });

  it('refuses what is not an id, a date or a datetime instead of quoting it', () => {
    expect(() => soqlIdList([`${ACME}' OR Id != '`])).toThrow(expect.objectContaining({ code: 'MALFORMED_ID' }));
    expect(() => soqlIdList([])).toThrow(expect.objectContaining({ code: 'MALFORMED_QUERY' }));
    expect(() => soqlDate("2026-11-25' OR")).toThrow(expect.objectContaining({ code: 'MALFORMED_QUERY' }));
    expect(() => soqlDateTime('yesterday OR Id != null')).toThrow(expect.objectContaining({ code: 'MALFORMED_QUERY' }));
  });
});

describe('every call site that puts a value into SOQL', () => {
  /**
   * Salesforce answers an update through upsert with 204 and no body (API 45.0 and earlier), and the service then looks
   * the record up by its key: this gateway drops the PATCH answers (the emulator answers v62.0's 200) so that lookup runs.
   */
  const withoutUpsertBody = (): SalesforceGateway =>
    Object.create(sf, {
      composite: {
        value: {
          send: async (req: { method: string }, windowMs?: number) =>
            req.method === 'PATCH' ? (await sf.composite.send(req as never, windowMs), null) : sf.composite.send(req as never, windowMs),
        },
      },
    }) as SalesforceGateway;

  it('upsertTask and upsertMeetingEvent find their record by an external id with quotes, backslashes, % and _', async () => {
    for (const key of HOSTILE.map((v) => `soql-test:${v}`)) {
      const taskId = await upsertTask(withoutUpsertBody(), key, { WhatId: ACME, Subject: 'Escaping' });
      expect(org.records('Task').find((t) => t.Action_Plan_Task_Id__c === key)?.Id, key).toBe(taskId);
      const { eventId } = await upsertMeetingEvent(
        withoutUpsertBody(),
        key,
        { WhatId: ACME, Subject: 'Escaping', StartDateTime: '2026-12-01T10:00:00Z', EndDateTime: '2026-12-01T10:30:00Z' },
        [],
      );
      expect(org.records('Event').find((e) => e.Action_Plan_Event_Id__c === key)?.Id, key).toBe(eventId);
    }
  });

  it('notificationTypeId reads a name with _ and refuses a name with a quote or backslash before any request', async () => {
    expect(await notificationTypeId(sf.conn, 'Renewal_Action_Plan_Alert')).toMatch(/^0ML/);
    expect(await notificationTypeId(sf.conn, 'Renewal_Action_Plan_Alerts')).toBeUndefined();
    org.resetRequests();
    for (const name of HOSTILE) await expect(notificationTypeId(sf.conn, name), name).rejects.toMatchObject({ code: 'INVALID_NAME' });
    expect(org.requests).toEqual([]);
  });

  it('the id and datetime call sites refuse a hostile value before any request', async () => {
    const user = DEMO_IDS.users.jordanLee;
    for (const bad of [`${ACME}'`, String.raw`${ACME}\'`]) {
      await expect(sf.access.readable(user, [bad]), bad).rejects.toThrow();
      await expect(sf.access.readable(bad, [ACME]), bad).rejects.toThrow();
      await expect(changedMirroredTasks(sf.conn, { since: '2026-11-01T00:00:00Z', lastId: bad }), bad).rejects.toMatchObject({
        code: 'MALFORMED_ID',
      });
    }
    await expect(changedMirroredTasks(sf.conn, { since: "2026-11-01' OR Id != null" })).rejects.toMatchObject({ code: 'MALFORMED_QUERY' });
    await expect(changedRenewalDates(sf.conn, [ACME], "2026-11-01' OR Id != null")).rejects.toMatchObject({ code: 'MALFORMED_QUERY' });
    expect(org.requests).toEqual([]);
  });
});
