// Local Salesforce org emulator (not Salesforce): /services/data/vXX.X/actions/standard/customNotificationAction —
// the standard action that sends a custom notification (the bell, desktop and mobile).
// Inputs as documented (Actions Developer Guide, "Custom Notification Actions"): customNotifTypeId (required, a
// CustomNotificationType id), recipientIds (required, up to 500), title (required, at most 250 characters), body
// (required, at most 750), senderId (optional), targetId or targetPageRef (one of them is required), actionGroup.

import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError } from '../errors.ts';
import { toId18 } from '../ids.ts';
import { readJson, type EmulatorEnv, type Org, type SentNotification } from '../org.ts';

export const actions = new Hono<EmulatorEnv>();

const ACTION = 'customNotificationAction';
const INPUTS = new Set(['customNotifTypeId', 'recipientIds', 'senderId', 'title', 'body', 'targetId', 'targetPageRef', 'actionGroup']);
const MAX_RECIPIENTS = 500;

type ActionError = { statusCode: string; message: string; fields: string[] };

/** The record of that id and type, when it exists (15 or 18 characters). */
function recordOf(org: Org, id: unknown, type?: string) {
  // Custom notifications off in this org's shape: no type exists to send with.
  if (type && org.store.shape && !org.store.shape.exists(type)) return undefined;
  const id18 = typeof id === 'string' ? toId18(id) : undefined;
  const found = id18 ? org.store.lookup(id18) : undefined;
  return found && !found.record.IsDeleted && (!type || found.type === type) ? found : undefined;
}

/** Checks one input like the platform does; the errors, or the notifications it sends (inactive users get none). */
function checkInput(org: Org, input: unknown): ActionError[] | SentNotification[] {
  const error = (statusCode: string, message: string, fields: string[] = []): ActionError[] => [{ statusCode, message, fields }];
  if (!input || typeof input !== 'object' || Array.isArray(input))
    return error('INVALID_INPUT', 'Each input must be a JSON object of input parameters');
  const i = input as Record<string, unknown>;
  const unknown = Object.keys(i).find((k) => !INPUTS.has(k));
  if (unknown) return error('INVALID_INPUT', `Invalid parameter value for: ${unknown}`, [unknown]);
  for (const name of ['customNotifTypeId', 'recipientIds', 'title', 'body'] as const) {
    if (i[name] === undefined || i[name] === null || i[name] === '')
      return error('REQUIRED_FIELD_MISSING', `Missing required input parameter: ${name}`, [name]);
  }
  if (!recordOf(org, i.customNotifTypeId, 'CustomNotificationType'))
    return error(
      'INVALID_ID_FIELD',
      `Invalid parameter value for: customNotifTypeId (no CustomNotificationType ${String(i.customNotifTypeId)})`,
      ['customNotifTypeId'],
    );
  const recipients = Array.isArray(i.recipientIds) ? i.recipientIds : [i.recipientIds];
  if (recipients.length === 0 || recipients.length > MAX_RECIPIENTS)
    return error('INVALID_INPUT', `recipientIds takes 1 to ${MAX_RECIPIENTS} ids`, ['recipientIds']);
  const users = recipients.map((id) => recordOf(org, id));
  const bad = recipients.find((_, k) => !users[k]);
  if (bad !== undefined) return error('INVALID_ID_FIELD', `Invalid parameter value for: recipientIds (${String(bad)})`, ['recipientIds']);
  if (users.some((u) => u!.type !== 'User'))
    return error(
      'NOT_SUPPORTED_BY_ORG_EMULATOR',
      'The org emulator sends to user ids only (not account, opportunity team, group or queue ids)',
      ['recipientIds'],
    );
  if (typeof i.title !== 'string' || i.title.length > 250)
    return error('STRING_TOO_LONG', 'title: a string of at most 250 characters', ['title']);
  if (typeof i.body !== 'string' || i.body.length > 750)
    return error('STRING_TOO_LONG', 'body: a string of at most 750 characters', ['body']);
  if (i.targetId === undefined && i.targetPageRef === undefined)
    return error('REQUIRED_FIELD_MISSING', 'You must specify either a targetId or a targetPageRef', ['targetId']);
  if (i.targetId !== undefined && !recordOf(org, i.targetId))
    return error('INVALID_ID_FIELD', `Invalid parameter value for: targetId (${String(i.targetId)})`, ['targetId']);
  if (i.senderId !== undefined && !recordOf(org, i.senderId, 'User'))
    return error('INVALID_ID_FIELD', `Invalid parameter value for: senderId (${String(i.senderId)})`, ['senderId']);
  return users
    .filter((u) => u!.record.IsActive !== false)
    .map((u) => ({
      typeId: String(recordOf(org, i.customNotifTypeId)!.record.Id),
      recipientId: String(u!.record.Id),
      title: i.title as string,
      body: i.body as string,
      targetId: i.targetId === undefined ? null : String(recordOf(org, i.targetId)!.record.Id),
      targetPageRef: i.targetPageRef ?? null,
    }));
}

actions.post(`/standard/${ACTION}`, async (c) => {
  const org = c.get('org');
  const body = (await readJson(c)) as { inputs?: unknown } | null;
  if (!body || typeof body !== 'object' || !Array.isArray(body.inputs) || body.inputs.length === 0)
    throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body must be { "inputs": [ { ...input parameters } ] }');
  const results = body.inputs.map((input) => {
    const checked = checkInput(org, input);
    const failed = checked.length > 0 && 'statusCode' in checked[0]!;
    if (failed) return { actionName: ACTION, errors: checked as ActionError[], isSuccess: false, outputValues: null };
    org.notifications.push(...(checked as SentNotification[]));
    return {
      actionName: ACTION,
      errors: null,
      isSuccess: true,
      outputValues: { SuccessMessage: 'Your custom notification is processed successfully.' },
    };
  });
  // Each input succeeds or fails alone; a request where none succeeded answers 400 with the same per-input body.
  const status: ContentfulStatusCode = results.some((r) => r.isSuccess) ? 200 : 400;
  return c.json(results, status);
});

actions.on(['GET', 'HEAD'], `/standard/${ACTION}`, (c) =>
  c.json({
    name: ACTION,
    label: 'Send Custom Notification',
    type: 'CUSTOM_NOTIFICATION_ACTION',
    inputs: [...INPUTS].map((name) => ({ name })),
  }),
);
