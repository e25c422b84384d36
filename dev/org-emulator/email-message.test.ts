// Local Salesforce org emulator (not Salesforce): EmailMessage (Enhanced Email) and the Contact's bounce fields.

import type { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OrgEmulator } from './index.ts';
import { DEMO_IDS, loadDemoSeed, startDemoOrg } from '../demo-seed/index.ts';
import { connect, failureOf, TODAY } from './test-support.ts';

const { opportunities: opp, contacts } = DEMO_IDS;
const OPENED = '02s5e0000000001AAA';

let org: OrgEmulator;
let conn: Connection;

beforeEach(async () => {
  const seed = loadDemoSeed();
  seed.EmailMessage = [
    {
      Id: OPENED,
      Subject: 'Usage report',
      ToAddress: 'eric.estrada@acme.example',
      Status: '3',
      RelatedToId: opp.acme,
      MessageDate: { daysFromToday: -2, time: '09:00' },
      IsTracked: true,
      FirstOpenedDate: { daysFromToday: -1, time: '14:00' },
      LastOpenedDate: { daysFromToday: -1, time: '14:00' },
    },
  ];
  org = await startDemoOrg({ today: TODAY, seed });
  conn = connect(org);
});
afterEach(() => org.close());

describe('EmailMessage (E1, E2)', () => {
  it('serves the open tracking fields with their types, filtered by a relative date', async () => {
    const { records } = await conn.query(
      `SELECT Id, FirstOpenedDate, IsTracked, IsBounced, Status, RelatedToId FROM EmailMessage WHERE RelatedToId = '${opp.acme}' AND Incoming = false AND MessageDate = LAST_N_DAYS:30`,
    );
    expect(records).toEqual([
      expect.objectContaining({
        Id: OPENED,
        IsTracked: true,
        IsBounced: false,
        Status: '3',
        FirstOpenedDate: '2026-11-24T14:00:00.000+0000',
      }),
    ]);
  });

  it('refuses writes to the fields the org sets (open tracking, bounce, tracking flag): INVALID_FIELD_FOR_INSERT_UPDATE', async () => {
    const base = { Subject: 'Hello', Status: '3', RelatedToId: opp.acme, ToAddress: 'eric.estrada@acme.example' };
    for (const field of ['FirstOpenedDate', 'LastOpenedDate']) {
      const err = await failureOf(
        conn.sobject('EmailMessage').create({ ...base, [field]: '2026-11-24T14:00:00.000Z' }, { allOrNone: true }),
      );
      expect(err.errorCode ?? err.name).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    }
    for (const field of ['IsBounced', 'IsTracked']) {
      const err = await failureOf(conn.sobject('EmailMessage').create({ ...base, [field]: true }, { allOrNone: true }));
      expect(err.errorCode ?? err.name).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    }
    const created = await conn.sobject('EmailMessage').create({ ...base, Status: '5' });
    expect(created.success).toBe(true);
    const opened = await failureOf(conn.sobject('EmailMessage').update({ Id: created.id!, FirstOpenedDate: '2026-11-24T14:00:00.000Z' }));
    expect(opened.errorCode ?? opened.name).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
  });

  it('updates a sent email only in IsExternallyVisible (E4); a draft in any writable field', async () => {
    const sentEmail = await failureOf(conn.sobject('EmailMessage').update({ Id: OPENED, Subject: 'Edited' }));
    expect(sentEmail.errorCode ?? sentEmail.name).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    expect(sentEmail.message).toContain('Subject (only a draft email can be updated)');
    await conn.sobject('EmailMessage').update({ Id: OPENED, IsExternallyVisible: true });
    const draft = await conn.sobject('EmailMessage').create({ Subject: 'Draft', Status: '5', RelatedToId: opp.acme });
    await conn.sobject('EmailMessage').update({ Id: draft.id!, Subject: 'Draft, edited' });
    expect((await conn.sobject('EmailMessage').retrieve(draft.id!)).Subject).toBe('Draft, edited');
  });

  it('E4: changes a New email to Read, and no other Status change on a sent email', async () => {
    const incoming = await conn.sobject('EmailMessage').create({ Subject: 'Question', Status: '0', Incoming: true, RelatedToId: opp.acme });
    const toSent = await failureOf(conn.sobject('EmailMessage').update({ Id: incoming.id!, Status: '3' }));
    expect(toSent.errorCode ?? toSent.name).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    await conn.sobject('EmailMessage').update({ Id: incoming.id!, Status: '1' });
    expect((await conn.sobject('EmailMessage').retrieve(incoming.id!)).Status).toBe('1');
    const back = await failureOf(conn.sobject('EmailMessage').update({ Id: incoming.id!, Status: '0' }));
    expect(back.errorCode ?? back.name).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    const readWithSubject = await failureOf(conn.sobject('EmailMessage').update({ Id: incoming.id!, Status: '1', Subject: 'x' }));
    expect(readWithSubject.message).toContain('Subject');
  });

  it('takes ActivityId on create only', async () => {
    const task = await conn.sobject('Task').create({ Subject: 'Email: Hello', WhatId: opp.acme });
    const created = await conn.sobject('EmailMessage').create({ Subject: 'Hello', Status: '5', ActivityId: task.id! });
    expect(created.success).toBe(true);
    const moved = await failureOf(conn.sobject('EmailMessage').update({ Id: created.id!, ActivityId: task.id! }));
    expect(moved.errorCode ?? moved.name).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
  });

  it('takes Status only as its picklist codes (3 = Sent), and requires it', async () => {
    const sent = await failureOf(conn.sobject('EmailMessage').create({ Subject: 'x', Status: 'Sent' }, { allOrNone: true }));
    expect(sent.errorCode ?? sent.name).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    const none = await failureOf(conn.sobject('EmailMessage').create({ Subject: 'x' }, { allOrNone: true }));
    expect(none.errorCode ?? none.name).toBe('REQUIRED_FIELD_MISSING');
  });
});

describe('an email sent from Salesforce (the org logs it)', () => {
  it("is a sent, tracked EmailMessage whose tracking fields stay the org's", async () => {
    const id = org.sendEmail({ Subject: 'Q3 usage report', ToAddress: 'eric.estrada@acme.example', RelatedToId: opp.acme });
    const email = await conn.sobject('EmailMessage').retrieve(id);
    expect(email).toMatchObject({ Status: '3', Incoming: false, IsTracked: true, FirstOpenedDate: null, RelatedToId: opp.acme });
    expect(String(email.MessageDate).slice(0, 10)).toBe('2026-11-25');
  });
});

describe('Contact bounce fields (E3)', () => {
  it('writes EmailBouncedReason and EmailBouncedDate; IsEmailBounced follows and is read-only', async () => {
    await conn
      .sobject('Contact')
      .update({ Id: contacts.ericEstrada, EmailBouncedReason: '550 5.1.1 user unknown', EmailBouncedDate: '2026-11-24T10:00:00.000Z' });
    const contact = await conn.sobject('Contact').retrieve(contacts.ericEstrada);
    expect(contact).toMatchObject({
      IsEmailBounced: true,
      EmailBouncedReason: '550 5.1.1 user unknown',
      EmailBouncedDate: '2026-11-24T10:00:00.000+0000',
    });
    const err = await failureOf(conn.sobject('Contact').update({ Id: contacts.ericEstrada, IsEmailBounced: false }));
    expect(err.errorCode ?? err.name).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
  });
});
