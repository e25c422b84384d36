import type { Connection } from 'jsforce';
import { kindOfCode, SalesforceError, toSalesforceError } from './errors.ts';
import { soqlString } from './soql.ts';

/** One custom notification: who gets it, what it says, and the record it opens. */
export interface CustomNotification {
  typeId: string;
  recipientIds: string[];
  title: string;
  body: string;
  targetId: string;
}

interface ActionResult {
  isSuccess: boolean;
  errors: { statusCode: string; message: string }[] | null;
}

/** The id of the Custom Notification Type with this DeveloperName; undefined when the org has none (not deployed). */
export async function notificationTypeId(conn: Connection, developerName: string): Promise<string | undefined> {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(developerName))
    throw new SalesforceError(`Not a DeveloperName: ${developerName}`, 'INVALID_NAME', 'permanent');
  const result = await conn.query<{ Id: string }>(
    `SELECT Id FROM CustomNotificationType WHERE DeveloperName = ${soqlString(developerName)} LIMIT 1`,
  );
  return result.records[0]?.Id;
}

/**
 * Sends notifications with the standard customNotificationAction (POST /services/data/vXX.X/actions/standard/
 * customNotificationAction, `{ inputs: [...] }`); one outcome per notification, in order. Each input succeeds or
 * fails alone: when they all fail Salesforce answers HTTP 400 with the same per-input results.
 */
export async function sendCustomNotifications(conn: Connection, notes: CustomNotification[]): Promise<(SalesforceError | undefined)[]> {
  if (notes.length === 0) return [];
  const inputs = notes.map((n) => ({
    customNotifTypeId: n.typeId,
    recipientIds: n.recipientIds,
    title: n.title.slice(0, 250),
    body: n.body.slice(0, 750),
    targetId: n.targetId,
  }));
  let results: ActionResult[];
  try {
    results = await conn.requestPost<ActionResult[]>('/actions/standard/customNotificationAction', { inputs });
  } catch (raw) {
    const parsed = perInputResults(raw, notes.length);
    if (!parsed) return notes.map(() => toSalesforceError(raw));
    results = parsed;
  }
  return notes.map((_, i) => {
    const r = results[i];
    if (r?.isSuccess) return undefined;
    const e = r?.errors?.[0];
    if (!e) return new SalesforceError('Salesforce gave no result for this notification', 'MISSING_RESULT', 'retryable');
    return new SalesforceError(`${e.statusCode}: ${e.message}`, e.statusCode, kindOfCode(e.statusCode, undefined, e.message));
  });
}

/**
 * The per-input results inside a 400: jsforce hands one result over as the raw body of an ERROR_HTTP_400 (it has no
 * `message` field), several as MULTIPLE_API_ERRORS with the array in `data`.
 */
function perInputResults(raw: unknown, count: number): ActionResult[] | undefined {
  const e = raw as { errorCode?: string; message?: string; data?: unknown };
  let body: unknown;
  try {
    if (e?.errorCode === 'MULTIPLE_API_ERRORS') body = e.data;
    else if (e?.errorCode === 'ERROR_HTTP_400' && typeof e.message === 'string') body = JSON.parse(e.message);
  } catch {
    return undefined;
  }
  return Array.isArray(body) && body.length === count && body.every((r) => r && typeof r === 'object' && 'isSuccess' in r)
    ? (body as ActionResult[])
    : undefined;
}
