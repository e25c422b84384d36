// Local Salesforce org emulator (not Salesforce): the state one running emulator shares across its routes.

import type { Context } from 'hono';
import type { Share } from './access.ts';
import type { JwtConfig, TokenRegistry } from './auth.ts';
import { ApiError } from './errors.ts';
import type { FaultQueue } from './faults.ts';
import type { OrgStore, WriteContext } from './store.ts';
import type { CommitWindow } from './transactions.ts';

export interface RecordedRequest {
  method: string;
  /** URL path without the query string. */
  path: string;
  /** The decoded SOQL of a query or queryAll request. */
  soql?: string;
  /** The parsed JSON body of a write request. */
  body?: unknown;
  status: number;
  /** When the org received it (ISO 8601, the org's clock). */
  at: string;
}

/** A notification the org accepted, per recipient (what the bell of that user would show). */
export interface SentNotification {
  typeId: string;
  recipientId: string;
  title: string;
  body: string;
  targetId: string | null;
  targetPageRef: unknown;
}

export interface Org {
  url: string;
  orgId: string;
  store: OrgStore;
  shares: Share[];
  tokens: TokenRegistry;
  faults: FaultQueue;
  jwt?: JwtConfig;
  requests: RecordedRequest[];
  apiUsage: number;
  latencyMs: number;
  /** Between an upsert's lookup and its write: where concurrent upserts of one new key collide. */
  commits: CommitWindow;
  /** Remaining pages of large query results, by query locator. */
  cursors: Map<string, Record<string, unknown>[]>;
  /** Custom notifications sent with customNotificationAction, one per active recipient. */
  notifications: SentNotification[];
}

export type EmulatorEnv = { Variables: { org: Org; userId: string } };
export type EmulatorContext = Context<EmulatorEnv>;

export const API_LIMIT = 15000;

/** The API version in the URL (`v62.0` -> `62.0`). */
export function apiVersion(c: EmulatorContext): string {
  return (c.req.param('version') ?? 'v62.0').slice(1);
}

/** Who is writing: the user the bearer token runs as. */
export function writeContext(c: EmulatorContext): WriteContext {
  return { userId: c.get('userId') };
}

/** The JSON body, or JSON_PARSER_ERROR like Salesforce when it is not JSON. */
export async function readJson(c: EmulatorContext): Promise<unknown> {
  try {
    return await c.req.json();
  } catch (err) {
    throw new ApiError(400, 'JSON_PARSER_ERROR', `Unexpected character in request body: ${(err as Error).message}`);
  }
}

/** A JSON object body (a record). */
export async function readRecordBody(c: EmulatorContext): Promise<Record<string, unknown>> {
  const body = await readJson(c);
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}
