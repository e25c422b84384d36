// The integration user's calls inventory (service/src/salesforce/integration-user.ts) against what the service really
// sends: the main path (start, generate, finalize, AI tasks, mirror, completion sync), the portfolio, the engagement
// rules and the doctor run against the org emulator (not Salesforce), and every field of every SOQL statement and
// every write it received must be one the inventory lists for that object — so the permission set built from the
// inventory lets these calls through.
import { parseQuery, type Query, type WhereClause } from '@jetstreamapp/soql-parser-js';
import type { Connection, DescribeSObjectResult } from 'jsforce';
import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../dev/org-emulator/index.ts';
import { runEngagementRules } from '../../service/src/engagement/engine.ts';
import { createExecutor } from '../../service/src/executor/index.ts';
import { SALESFORCE_CALLS } from '../../service/src/salesforce/integration-user.ts';
import { checkOrg } from '../../service/src/salesforce/org-check.ts';
import { startSalesforceSync } from '../../service/src/sync/loop.ts';
import { syncTaskStatusFromSalesforce } from '../../service/src/sync/status-sync.ts';
import { startHarness } from '../../testkit/harness.ts';

/** Resolves SOQL field paths to `Object.Field` through the org's describe, as any client of the org would. */
class Schema {
  private readonly cache = new Map<string, Promise<DescribeSObjectResult>>();
  constructor(private readonly conn: Connection) {}

  describe(object: string): Promise<DescribeSObjectResult> {
    if (!this.cache.has(object)) this.cache.set(object, this.conn.sobject(object).describe());
    return this.cache.get(object)!;
  }

  /** `Owner.Name` on Opportunity → `User.Name`. */
  async resolve(object: string, path: string): Promise<string> {
    const parts = path.split('.');
    // UserRecordAccess has no describe in the emulator (it answers queries only): its fields are named as written.
    if (object === 'UserRecordAccess') return `${object}.${path}`;
    let current = object;
    for (const step of parts.slice(0, -1)) {
      const field = (await this.describe(current)).fields.find((f) => f.relationshipName?.toLowerCase() === step.toLowerCase());
      if (!field?.referenceTo?.[0]) throw new Error(`no relationship ${step} on ${current}`);
      current = field.referenceTo[0];
    }
    const name = (await this.describe(current)).fields.find((f) => f.name.toLowerCase() === parts.at(-1)!.toLowerCase())?.name;
    return `${current}.${name ?? parts.at(-1)}`;
  }

  async childObject(object: string, relationship: string): Promise<string> {
    const child = (await this.describe(object)).childRelationships.find((r) => r.relationshipName === relationship);
    if (!child) throw new Error(`no child relationship ${relationship} on ${object}`);
    return child.childSObject;
  }
}

/** Every `Object.Field` a SOQL statement names: its select list, sub-queries, WHERE (semi-joins too) and ORDER BY. */
async function soqlFields(schema: Schema, query: Query, object = query.sObject!): Promise<string[]> {
  const paths: string[] = [];
  const nested: Promise<string[]>[] = [];
  for (const f of query.fields ?? []) {
    if (f.type === 'Field') paths.push(f.field);
    if (f.type === 'FieldRelationship') paths.push([...f.relationships, f.field].join('.'));
    if (f.type === 'FieldSubquery')
      nested.push(schema.childObject(object, f.subquery.relationshipName).then((child) => soqlFields(schema, f.subquery as Query, child)));
  }
  const where = (w: WhereClause | undefined) => {
    if (!w) return;
    const left = w.left as { field?: string; valueQuery?: Query } | null;
    if (left?.field) paths.push(left.field);
    if (left?.valueQuery) nested.push(soqlFields(schema, left.valueQuery));
    where((w as { right?: WhereClause }).right);
  };
  where(query.where);
  for (const o of [query.orderBy ?? []].flat() as { field?: string }[]) if (o.field) paths.push(o.field);
  const own = await Promise.all(paths.map((p) => schema.resolve(object, p)));
  return [...own, ...(await Promise.all(nested)).flat()];
}

/** The SOQL statements and record writes of the recorded requests, composite subrequests opened. */
function callsOf(requests: RecordedRequest[]): { soql: string[]; writes: { object: string; fields: string[] }[] } {
  const soql: string[] = [];
  const writes: { object: string; fields: string[] }[] = [];
  const write = (url: string, body: unknown) => {
    const type = /\/sobjects\/([A-Za-z]\w*)/.exec(url)?.[1];
    const records = (body as { records?: Record<string, unknown>[] } | undefined)?.records ?? [body as Record<string, unknown>];
    for (const r of records) {
      const object = (r?.attributes as { type?: string } | undefined)?.type ?? type;
      if (object && r) writes.push({ object, fields: Object.keys(r).filter((k) => !['attributes', 'Id', 'id'].includes(k)) });
    }
    // An upsert's key is in its URL.
    const key = /\/sobjects\/\w+\/(\w+__c)\//.exec(url)?.[1];
    if (type && key) writes.push({ object: type, fields: [key] });
  };
  for (const r of requests) {
    if (r.soql) soql.push(r.soql);
    const sub = (r.body as { compositeRequest?: { method: string; url: string; body?: unknown }[] } | undefined)?.compositeRequest;
    for (const s of sub ?? []) {
      const q = /\/query\/?\?q=(.*)$/.exec(s.url)?.[1];
      if (q) soql.push(decodeURIComponent(q.replace(/\+/g, ' ')));
      else if (s.method === 'POST' || s.method === 'PATCH') write(s.url, s.body);
    }
    if (!sub && (r.method === 'POST' || r.method === 'PATCH') && /\/sobjects\//.test(r.path)) write(r.path, r.body);
  }
  return { soql, writes };
}

describe("the integration user's calls inventory", () => {
  it(
    'lists every field the service reads or writes on the main path, the portfolio, the engagement rules and the doctor',
    { timeout: 120_000 },
    async () => {
      const h = await startHarness();
      try {
        const start = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
        expect(start.status, JSON.stringify(start.body)).toBe(201);
        const executionId: string = start.body.execution.id;
        expect((await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/generate`)).status).toBe(201);
        const finalized = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, {});
        expect(finalized.status).toBe(200);
        const sync = startSalesforceSync(h.deps, 86_400_000, { runAtStart: false });
        const executor = createExecutor(h.deps, { options: { retryDelayMs: 0, maxAttempts: 3, batchSize: 10 } });
        for (let round = 0; round < 3; round++) {
          await sync.runOnce();
          await executor.runOnce();
        }
        await sync.stop();
        await syncTaskStatusFromSalesforce(h.deps);
        expect((await h.api('GET', '/api/portfolio')).status).toBe(200);
        await runEngagementRules(h.deps);
        await checkOrg({ salesforce: h.deps.salesforce, notificationType: h.deps.env.SF_NOTIFICATION_TYPE, now: h.deps.now });
        expect((await h.api('GET', '/api/admin/org-check', undefined, { user: h.users['Alex Admin'] })).status).toBe(200);

        const listed = new Set(SALESFORCE_CALLS.flatMap((c) => c.uses.flatMap((u) => u.fields.map((f) => `${u.object}.${f}`))));
        const schema = new Schema(h.deps.salesforce.conn);
        const { soql, writes } = callsOf(h.org.requests);
        const read = (await Promise.all(soql.map((q) => soqlFields(schema, parseQuery(q))))).flat();
        const written = writes.flatMap((w) => w.fields.map((f) => `${w.object}.${f}`));
        const used = new Set([...read, ...written].filter((f) => !f.endsWith('.Id')));
        expect([...used].filter((f) => !listed.has(f)).sort()).toEqual([]);
        // The run exercised the calls that matter: the context, the access checks, the mirror, the sync, the AI tasks.
        const objects = new Set([...used].map((f) => f.split('.')[0]));
        for (const o of ['Opportunity', 'Account', 'Contact', 'Task', 'UserRecordAccess', 'FieldPermissions', 'TaskStatus', 'EmailMessage'])
          expect(objects).toContain(o);
        expect(written).toContain('Task.Action_Plan_Task_Id__c');
      } finally {
        await h.close();
      }
    },
  );
});
