// RENEWAL_CRITERIA (issue 23): which opportunities the portfolio and the doctor treat as renewals, each form through the
// real jsforce client against the org emulator (not Salesforce) and the real PostgreSQL server. The german shape's
// restricted Opportunity Type has no 'Renewal' value: its renewals are untagged, the case the issue saw as "0 of 10".
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadShape } from '../../dev/org-emulator/index.ts';
import { opportunityIdsWithExecutions } from '../../service/src/db/executions.ts';
import { checkOrg } from '../../service/src/salesforce/org-check.ts';
import { startScheduledWorkflow } from '../../service/src/schedules/start-scheduled.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

const german = () => loadShape(fileURLToPath(new URL('../../dev/org-emulator/shapes/german.json', import.meta.url)));

/** Jordan's open opportunities (the acting user's own book), with every Type tag removed. */
function untagJordansOpportunities(h: Harness): string[] {
  const jordan = h.users['Jordan Lee']!;
  const open = h.org.records('Opportunity').filter((o) => o.OwnerId === jordan && o.IsClosed !== true);
  for (const o of open) h.org.updateRecord('Opportunity', String(o.Id), { Type: null });
  return open.map((o) => String(o.Id));
}

const BULK_PATH = '/api/workflows/executions/bulk';

const bookOf = async (h: Harness): Promise<string[]> => {
  const res = await h.api('GET', '/api/portfolio?pageSize=50');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.rows.map((r: { opportunityId: string }) => r.opportunityId).sort();
};

const renewalLine = async (h: Harness) =>
  (
    await checkOrg({
      salesforce: h.deps.salesforce,
      notificationType: h.deps.env.SF_NOTIFICATION_TYPE,
      now: h.deps.now,
      renewalCriteriaConfigured: h.deps.env.RENEWAL_CRITERIA !== undefined,
      executionOpportunityIds: () => opportunityIdsWithExecutions(h.sql),
    })
  ).find((l) => l.name === 'renewal-criteria')!;

describe('RENEWAL_CRITERIA', () => {
  it('without a Renewal Type value, the book holds the open opportunities a workflow was started for', { timeout: 60_000 }, async () => {
    const h = await startHarness({ shape: german() });
    try {
      const open = untagJordansOpportunities(h);
      expect(open.length).toBeGreaterThan(1);
      expect(h.deps.salesforce.renewalCriteria).toEqual({ kind: 'execution' });
      // Before any start nothing can be told a renewal, and the book asks Salesforce nothing.
      expect(await bookOf(h)).toEqual([]);
      expect((await renewalLine(h)).detail).toMatch(/default .*no 'Renewal' value.*none yet/);

      const start = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
      expect(start.status, JSON.stringify(start.body)).toBe(201);
      expect(await bookOf(h)).toEqual([h.discoveryId]);
      const line = await renewalLine(h);
      expect(line).toMatchObject({ level: 'degraded', detail: expect.stringMatching(/some are open/) });
    } finally {
      await h.close();
    }
  });

  it('type: a Type value list selects the opportunities tagged with any of them', { timeout: 60_000 }, async () => {
    const h = await startHarness({ shape: german(), env: { RENEWAL_CRITERIA: 'type:Existing Business,Renewal' } });
    try {
      const open = untagJordansOpportunities(h);
      expect(await bookOf(h)).toEqual([]);
      expect(await renewalLine(h)).toMatchObject({ level: 'degraded', detail: expect.stringMatching(/matches no open opportunity/) });

      const tagged = open.slice(0, 2);
      for (const id of tagged) h.org.updateRecord('Opportunity', id, { Type: 'Existing Business' });
      expect(await bookOf(h)).toEqual([...tagged].sort());
      expect(await renewalLine(h)).toEqual({
        name: 'renewal-criteria',
        level: 'ok',
        detail: "RENEWAL_CRITERIA: Type in 'Existing Business', 'Renewal' — matches open opportunities",
      });
    } finally {
      await h.close();
    }
  });

  it('field: a checkbox selects the opportunities it is ticked on', { timeout: 60_000 }, async () => {
    // The emulator's Opportunity has no Is_Renewal__c; Auto_Renewal__c is a checkbox like it.
    const h = await startHarness({ env: { RENEWAL_CRITERIA: 'field:Auto_Renewal__c' } });
    try {
      const open = untagJordansOpportunities(h);
      for (const id of open) h.org.updateRecord('Opportunity', id, { Auto_Renewal__c: false });
      expect(await bookOf(h)).toEqual([]);
      h.org.updateRecord('Opportunity', open[0]!, { Auto_Renewal__c: true });
      expect(await bookOf(h)).toEqual([open[0]]);
      expect(await renewalLine(h)).toMatchObject({
        level: 'ok',
        detail: 'RENEWAL_CRITERIA: Auto_Renewal__c = true — matches open opportunities',
      });
    } finally {
      await h.close();
    }
  });

  it('field: a checkbox the org lacks is blocking in the doctor', { timeout: 60_000 }, async () => {
    const h = await startHarness({ env: { RENEWAL_CRITERIA: 'field:Is_Renewal__c' } });
    try {
      expect(await renewalLine(h)).toMatchObject({ level: 'blocking', detail: expect.stringMatching(/no checkbox Is_Renewal__c/) });
    } finally {
      await h.close();
    }
  });

  it(
    'recordType: the portfolio, the bulk start and the doctor select the opportunities of that record type',
    { timeout: 60_000 },
    async () => {
      // The german shape has Opportunity record types (Renewal, New_Business); its opportunities predate them.
      const h = await startHarness({ shape: german(), env: { RENEWAL_CRITERIA: 'recordType:Renewal' } });
      try {
        const recordType = (name: string) => String(h.org.records('RecordType').find((r) => r.DeveloperName === name)!.Id);
        const other = untagJordansOpportunities(h).find((id) => id !== h.discoveryId)!;
        expect(await bookOf(h)).toEqual([]);
        expect(await renewalLine(h)).toMatchObject({ level: 'degraded', detail: expect.stringMatching(/matches no open opportunity/) });

        h.org.updateRecord('Opportunity', h.discoveryId, { RecordTypeId: recordType('Renewal') });
        h.org.updateRecord('Opportunity', other, { RecordTypeId: recordType('New_Business') });
        expect(await bookOf(h)).toEqual([h.discoveryId]);
        expect(await renewalLine(h)).toEqual({
          name: 'renewal-criteria',
          level: 'ok',
          detail: 'RENEWAL_CRITERIA: record type Renewal — matches open opportunities',
        });
        const bulk = await h.api('POST', BULK_PATH, { opportunityIds: [h.discoveryId, other] });
        expect(bulk.status, JSON.stringify(bulk.body)).toBe(200);
        expect(bulk.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['created', 'not_renewal']);
      } finally {
        await h.close();
      }
    },
  );

  it('recordType: in an org without Opportunity record types the doctor is blocking', { timeout: 60_000 }, async () => {
    // No record types: RecordType has no Opportunity row, and Opportunity has no RecordTypeId (INVALID_FIELD).
    const h = await startHarness({ env: { RENEWAL_CRITERIA: 'recordType:Renewal' } });
    try {
      expect(await renewalLine(h)).toMatchObject({ level: 'blocking', detail: expect.stringMatching(/no such record type/) });
    } finally {
      await h.close();
    }
  });

  it("by default, Type = 'Renewal' where the picklist has it", { timeout: 60_000 }, async () => {
    const h = await startHarness();
    try {
      expect(h.deps.salesforce.renewalCriteria).toEqual({ kind: 'type', values: ['Renewal'] });
      expect(await renewalLine(h)).toMatchObject({ level: 'ok', detail: "default: Type in 'Renewal' — matches open opportunities" });
    } finally {
      await h.close();
    }
  });

  it('the bulk start and the scheduled starts follow the same criteria', { timeout: 60_000 }, async () => {
    const h = await startHarness({ env: { RENEWAL_CRITERIA: 'type:Existing Business' } });
    try {
      const open = untagJordansOpportunities(h).filter((id) => id !== h.discoveryId);
      h.org.updateRecord('Opportunity', h.discoveryId, { Type: 'Existing Business' });
      const bulk = await h.api('POST', BULK_PATH, { opportunityIds: [h.discoveryId, open[0]] });
      expect(bulk.status, JSON.stringify(bulk.body)).toBe(200);
      expect(bulk.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['created', 'not_renewal']);

      // Finalizing schedules the next stage; once retagged, the opportunity is no renewal and the schedule is cancelled.
      const executionId = bulk.body.results[0].executionId;
      await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/generate`);
      expect((await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, {})).status).toBe(200);
      const [scheduled] = await h.sql<{ id: string }[]>`SELECT id FROM scheduled_workflows WHERE source_execution_id = ${executionId}`;
      h.org.updateRecord('Opportunity', h.discoveryId, { Type: 'New Business' });
      expect(await startScheduledWorkflow(h.deps, scheduled!.id)).toMatchObject({ notRenewal: true });
      const [row] = await h.sql<{ status: string }[]>`SELECT status FROM scheduled_workflows WHERE id = ${scheduled!.id}`;
      expect(row!.status).toBe('cancelled');
    } finally {
      await h.close();
    }
  });
});
