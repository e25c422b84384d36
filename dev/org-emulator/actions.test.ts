// Local Salesforce org emulator (not Salesforce): the customNotificationAction standard action, through jsforce.

import type { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OrgEmulator } from './index.ts';
import { DEMO_IDS, startDemoOrg } from '../demo-seed/index.ts';
import { connect, failureOf, TODAY } from './test-support.ts';

const PATH = '/actions/standard/customNotificationAction';
const TYPE = DEMO_IDS.notificationTypes.renewalActionPlanAlert;
const valid = {
  customNotifTypeId: TYPE,
  recipientIds: [DEMO_IDS.users.jordanLee],
  title: 'AI task failed',
  body: 'It will not retry.',
  targetId: DEMO_IDS.opportunities.acme,
};

let org: OrgEmulator;
let conn: Connection;

beforeEach(async () => {
  org = await startDemoOrg({ today: TODAY });
  conn = connect(org);
});
afterEach(() => org.close());

/**
 * The per-input results of a request in which every input failed (HTTP 400). jsforce hands one result over as the raw
 * body of an ERROR_HTTP_400 (it has no `message`), several as MULTIPLE_API_ERRORS with the array in `data`.
 */
async function rejected(inputs: unknown[]) {
  const err = await failureOf(conn.requestPost(PATH, { inputs }));
  if (inputs.length === 1) {
    expect(err.errorCode).toBe('ERROR_HTTP_400');
    return JSON.parse(err.message) as { isSuccess: boolean; errors: { statusCode: string; message: string }[] }[];
  }
  expect(err.errorCode).toBe('MULTIPLE_API_ERRORS');
  return err.data as { isSuccess: boolean; errors: { statusCode: string; message: string }[] }[];
}

describe('customNotificationAction', () => {
  it('sends the documented request shape and records the notification', async () => {
    const results = await conn.requestPost(PATH, { inputs: [valid] });
    expect(results).toEqual([
      {
        actionName: 'customNotificationAction',
        errors: null,
        isSuccess: true,
        outputValues: { SuccessMessage: 'Your custom notification is processed successfully.' },
      },
    ]);
    expect(org.notifications).toEqual([
      {
        typeId: TYPE,
        recipientId: DEMO_IDS.users.jordanLee,
        title: valid.title,
        body: valid.body,
        targetId: DEMO_IDS.opportunities.acme,
        targetPageRef: null,
      },
    ]);
    expect(org.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: `/services/data/v62.0${PATH}`,
      body: { inputs: [valid] },
      status: 200,
    });
  });

  it('finds the notification type by DeveloperName with SOQL', async () => {
    const found = await conn.query("SELECT Id FROM CustomNotificationType WHERE DeveloperName = 'Renewal_Action_Plan_Alert'");
    expect(found.records.map((r) => r.Id)).toEqual([TYPE]);
  });

  it.each([
    ['customNotifTypeId', 'REQUIRED_FIELD_MISSING'],
    ['recipientIds', 'REQUIRED_FIELD_MISSING'],
    ['title', 'REQUIRED_FIELD_MISSING'],
    ['body', 'REQUIRED_FIELD_MISSING'],
    ['targetId', 'REQUIRED_FIELD_MISSING'],
  ])('rejects an input without %s', async (name, code) => {
    const input: Record<string, unknown> = { ...valid };
    delete input[name];
    const [result] = await rejected([input]);
    expect(result).toMatchObject({ isSuccess: false, errors: [{ statusCode: code }] });
    expect(org.notifications).toHaveLength(0);
  });

  it('rejects an unknown type, an unknown recipient or target, a title or body too long, and an unknown parameter', async () => {
    const cases = [
      { ...valid, customNotifTypeId: DEMO_IDS.opportunities.acme },
      { ...valid, recipientIds: ['0055e0000000099AAA'] },
      { ...valid, targetId: '0065e0000000099AAA' },
      { ...valid, title: 'x'.repeat(251) },
      { ...valid, body: 'x'.repeat(751) },
      { ...valid, priority: 'high' },
    ];
    const results = await rejected(cases);
    expect(results.map((r) => r.errors[0]!.statusCode)).toEqual([
      'INVALID_ID_FIELD',
      'INVALID_ID_FIELD',
      'INVALID_ID_FIELD',
      'STRING_TOO_LONG',
      'STRING_TOO_LONG',
      'INVALID_INPUT',
    ]);
    expect(org.notifications).toHaveLength(0);
  });

  it('answers each input alone, and sends nothing to an inactive user', async () => {
    const results = await conn.requestPost<{ isSuccess: boolean }[]>(PATH, {
      inputs: [
        { ...valid, title: '' },
        { ...valid, recipientIds: [DEMO_IDS.users.caseyFormer, DEMO_IDS.users.morganDiaz] },
      ],
    });
    expect(results.map((r) => r.isSuccess)).toEqual([false, true]);
    expect(org.notifications.map((n) => n.recipientId)).toEqual([DEMO_IDS.users.morganDiaz]);
  });

  it('rejects a body that is not { inputs: [...] }', async () => {
    const err = await failureOf(conn.requestPost(PATH, valid));
    expect(err.errorCode).toBe('JSON_PARSER_ERROR');
  });
});
