import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { operationsOf } from '../../testkit/salesforce-calls.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { bulkSeed, renewalId } from './seed.ts';

const BULK = '/api/workflows/executions/bulk';
const MISSING = renewalId(9_999_999); // no such opportunity

describe('POST /api/workflows/executions/bulk', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ seed: bulkSeed(260) });
  });
  afterAll(() => h.close());
  beforeEach(() => h.org.resetRequests());

  const executions = async (ids: string[]) =>
    (await h.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM workflow_executions WHERE opportunity_id = ANY(${ids})`)[0]!.n;

  it('starts 200 opportunities from one service call in one Salesforce call: created, already running, forbidden, not found', async () => {
    const running = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
    expect(running.status).toBe(201);
    await h.api('POST', `/api/workflows/executions/${running.body.execution.id}/action-plan/generate`);
    h.org.resetRequests();
    const fresh = Array.from({ length: 197 }, (_, i) => renewalId(i + 1));
    // A Flow's batch: the ids as Apex serializes them (18 characters), one forbidden (Morgan's) and one that does not exist.
    const ids = [h.discoveryId, renewalId(0), MISSING, ...fresh];
    expect(ids).toHaveLength(200);

    const res = await h.api('POST', BULK, { opportunityIds: ids });

    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ created: 197, already_running: 1, forbidden: 1, not_found: 1, not_renewal: 0, failed: 0 });
    expect(res.body.results.map((r: { opportunityId: string }) => r.opportunityId)).toEqual(ids);
    const [already, forbidden, missing, created] = res.body.results;
    expect(already).toMatchObject({ outcome: 'already_running', executionId: running.body.execution.id, planId: expect.any(String) });
    expect(forbidden).toEqual({ opportunityId: renewalId(0), outcome: 'forbidden', message: expect.stringContaining('cannot edit') });
    expect(missing).toMatchObject({ outcome: 'not_found', message: expect.stringContaining('was not found') });
    expect(created).toMatchObject({ outcome: 'created', executionId: expect.any(String) });
    expect(created.generation).toBeUndefined();
    expect(await executions(fresh)).toBe(197);
    expect(await executions([renewalId(0)])).toBe(0);

    // ≤ 3 Salesforce calls: here one composite request holding one UserRecordAccess query, one context query, one account-team query
    // and the RENEWAL_CRITERIA check (renewalsAmong). One
    // access query per 200 ids is the most Salesforce allows ("Up to 200 record IDs can be queried", Object Reference,
    // UserRecordAccess; the emulator refuses more: conformance row S7, dev/org-emulator/access.test.ts).
    expect(h.org.requests.length).toBeLessThanOrEqual(3);
    expect(h.org.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /services/data/v62.0/composite']);
    const ops = operationsOf(h.org.requests);
    expect(ops.filter((o) => o.soql?.includes('FROM UserRecordAccess'))).toHaveLength(1);
    // The contexts are one query, and the account teams a second one in the same composite request.
    expect(ops.filter((o) => o.soql?.includes('FROM OpportunityContactRoles'))).toHaveLength(1);
    expect(ops.filter((o) => o.soql?.includes('FROM AccountTeamMember'))).toHaveLength(1);
  });

  it('answers already_running for every opportunity the second time, and creates nothing twice', async () => {
    const ids = [renewalId(1), renewalId(2)];
    const res = await h.api('POST', BULK, { opportunityIds: ids });
    expect(res.body.counts).toMatchObject({ created: 0, already_running: 2 });
    expect(await executions(ids)).toBe(2);
  });

  it('collapses duplicates, a 15- and an 18-character id of one record included', async () => {
    const id = renewalId(201);
    const res = await h.api('POST', BULK, { opportunityIds: [id, id.slice(0, 15), id] });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([expect.objectContaining({ opportunityId: id, outcome: 'created' })]);
  });

  it('creates each execution once when two bulk starts of the same opportunities run at once', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => renewalId(210 + i));
    const [a, b] = await Promise.all([h.api('POST', BULK, { opportunityIds: ids }), h.api('POST', BULK, { opportunityIds: ids })]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.counts.created + b.body.counts.created).toBe(40);
    expect(a.body.counts.already_running + b.body.counts.already_running).toBe(40);
    expect(await executions(ids)).toBe(40);
    const executionOf = (r: { results: { opportunityId: string; executionId: string }[] }) =>
      Object.fromEntries(r.results.map((x) => [x.opportunityId, x.executionId]));
    expect(executionOf(a.body)).toEqual(executionOf(b.body));
  });

  it.each([
    ['no ids', { opportunityIds: [] }, 'body.opportunityIds'],
    ['201 ids', { opportunityIds: Array.from({ length: 201 }, (_, i) => renewalId(i)) }, 'body.opportunityIds'],
    ['a malformed id', { opportunityIds: [renewalId(1), "006' OR Id != '"] }, 'body.opportunityIds.1'],
    ['an 18-character id with a wrong suffix', { opportunityIds: [`${renewalId(1).slice(0, 15)}ZZZ`] }, 'body.opportunityIds.0'],
    ['generate not a boolean', { opportunityIds: [renewalId(1)], generate: 'yes' }, 'body.generate'],
    ['an unknown field', { opportunityIds: [renewalId(1)], userId: 'x' }, 'body'],
    ['no body', undefined, 'body.opportunityIds'],
  ])('refuses %s with a 400 naming the field', async (_name, body, path) => {
    const res = await h.api('POST', BULK, body);
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(h.org.requests).toHaveLength(0);
  });

  it('is described in the OpenAPI document, with its limit of 200 ids', async () => {
    const doc = (await h.app.request('/openapi.json')).json() as Promise<any>;
    const route = (await doc).paths['/api/workflows/executions/bulk'].post;
    const body = route.requestBody.content['application/json'].schema;
    expect(body.properties.opportunityIds).toMatchObject({ type: 'array', minItems: 1, maxItems: 200 });
    expect(Object.keys(route.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
  });

  it('needs the service key', async () => {
    const res = await h.api('POST', BULK, { opportunityIds: [renewalId(1)] }, { key: null });
    expect(res.status).toBe(401);
  });
});
