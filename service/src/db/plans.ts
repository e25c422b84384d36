import type { FieldChange } from '../plan/change-preview.ts';
import type { CarriedTask } from '../plan/carry-over.ts';
import type { PlanDiff } from '../plan/diff.ts';
import type { ActionPlanContent } from '../plan/schema.ts';
import { CrmContextSchema, type CrmContext } from '../salesforce/context.ts';
import type { Sql, TransactionSql } from './sql.ts';
import { redactSecretValuesIn } from '../secret-values.ts';
import { jsonParam } from './json.ts';

export interface PlanRow {
  id: string;
  executionId: string;
  version: number;
  status: 'draft' | 'finalized' | 'superseded';
  planner: 'playbook' | 'llm';
  plannerNote: string | null;
  content: ActionPlanContent;
  /** Per AI task key, the Salesforce change it will make, in words. */
  changes: Record<string, string | null>;
  /** Per AI task key, the exact Salesforce field changes (object, record, field, old → new) for the approval gate. */
  changeDetails: Record<string, FieldChange[]>;
  /** Against the version this one replaced (null for the first version). */
  diff: PlanDiff | null;
  /** Per task key of a re-plan of a finalized version, the task it carries over (see carryOver). */
  carried: Record<string, CarriedTask>;
  generation: Record<string, unknown>;
  createdBy: string;
  createdAt: Date;
  finalizedBy: string | null;
  finalizedAt: Date | null;
}

/** Plan columns without the (large) CRM context snapshot, which only finalize needs: see planContext. */
const columns = (sql: Sql | TransactionSql) => sql`
  id, execution_id AS "executionId", version, status, planner, planner_note AS "plannerNote", content, changes,
  change_details AS "changeDetails", diff, carried, generation, created_by AS "createdBy", created_at AS "createdAt", finalized_by AS "finalizedBy", finalized_at AS "finalizedAt"`;

/**
 * Stores a new draft version of an execution's plan and supersedes older drafts, in one transaction. A finalized
 * version stays in force until the new draft is finalized. Refuses (returns undefined) when the finalized version is
 * no longer the one the draft was planned against (`basedOn`: its id, or null for none): it was planned on stale data.
 * Keeps the newest `keepDrafts` versions that were never finalized (the new one included) and deletes older ones;
 * every version that was ever finalized stays (its tasks, notifications and schedules point to it).
 */
export async function insertDraftPlan(
  sql: Sql,
  p: Pick<PlanRow, 'executionId' | 'planner' | 'plannerNote' | 'content' | 'changes' | 'generation' | 'createdBy'> &
    Partial<Pick<PlanRow, 'changeDetails' | 'diff' | 'carried'>> & { context: CrmContext; basedOn: string | null; keepDrafts: number },
): Promise<PlanRow | undefined> {
  return sql.begin(async (tx) => {
    // Lock the execution row so two generates cannot pick the same version number.
    await tx`SELECT id FROM workflow_executions WHERE id = ${p.executionId} FOR UPDATE`;
    const [finalized] = await tx<
      { id: string }[]
    >`SELECT id FROM action_plans WHERE execution_id = ${p.executionId} AND status = 'finalized'`;
    if ((finalized?.id ?? null) !== p.basedOn) return undefined;
    await tx`UPDATE action_plans SET status = 'superseded' WHERE execution_id = ${p.executionId} AND status = 'draft'`;
    // The plan's texts can quote a model's words: stored without any configured secret (generate-plan.ts also applies
    // the shape rules to the note and the generation record, which quote providers).
    const [row] = await tx<PlanRow[]>`
      INSERT INTO action_plans (execution_id, version, planner, planner_note, content, context, changes, change_details, diff, carried, generation, created_by)
      VALUES (${p.executionId},
              (SELECT coalesce(max(version), 0) + 1 FROM action_plans WHERE execution_id = ${p.executionId}),
              ${p.planner}, ${redactSecretValuesIn(p.plannerNote)}, ${jsonParam(tx, redactSecretValuesIn(p.content))}, ${jsonParam(tx, p.context)}, ${tx.json(p.changes)}, ${jsonParam(tx, p.changeDetails ?? {})}, ${p.diff ? jsonParam(tx, p.diff) : null},
              ${jsonParam(tx, p.carried ?? {})}, ${jsonParam(tx, redactSecretValuesIn(p.generation))}, ${p.createdBy})
      RETURNING ${columns(tx)}`;
    await tx`
      DELETE FROM action_plans
       WHERE execution_id = ${p.executionId} AND status = 'superseded' AND finalized_at IS NULL
         AND version < (SELECT min(version) FROM (
               SELECT version FROM action_plans WHERE execution_id = ${p.executionId} AND finalized_at IS NULL
                ORDER BY version DESC LIMIT ${p.keepDrafts}) AS kept)`;
    return row;
  });
}

/**
 * The plan a CSM sees: the latest version that is not superseded. That is the finalized one, or a draft: the first
 * one, or a re-plan under review while the finalized version it will replace stays in force (see finalizedPlan).
 */
export async function currentPlan(sql: Sql, executionId: string): Promise<PlanRow | undefined> {
  const [row] = await sql<PlanRow[]>`
    SELECT ${columns(sql)} FROM action_plans
     WHERE execution_id = ${executionId} AND status <> 'superseded'
     ORDER BY version DESC LIMIT 1`;
  return row;
}

/** The version in force (its tasks are live), if one was finalized. */
export async function finalizedPlan(sql: Sql, executionId: string): Promise<(PlanRow & { finalizeEdits: unknown }) | undefined> {
  const [row] = await sql<(PlanRow & { finalizeEdits: unknown })[]>`
    SELECT ${columns(sql)}, finalize_edits AS "finalizeEdits" FROM action_plans WHERE execution_id = ${executionId} AND status = 'finalized'`;
  return row;
}

export async function getPlan(sql: Sql, id: string): Promise<PlanRow | undefined> {
  const [row] = await sql<PlanRow[]>`SELECT ${columns(sql)} FROM action_plans WHERE id = ${id}`;
  return row;
}

/** The CRM context the plan was generated from (to validate the CSM's edits against it at finalize). */
export async function planContext(sql: Sql, id: string): Promise<CrmContext> {
  const [row] = await sql<{ context: unknown }[]>`SELECT context FROM action_plans WHERE id = ${id}`;
  // Stored JSON is parsed, not trusted: a snapshot that no longer fits the type fails here, not deep inside finalize.
  return CrmContextSchema.parse(row!.context);
}

/** The current plan's id (as currentPlan picks it) of each of these executions that has one. */
export async function currentPlanIds(sql: Sql, executionIds: string[]): Promise<Map<string, string>> {
  if (executionIds.length === 0) return new Map();
  const rows = await sql<{ executionId: string; id: string }[]>`
    SELECT DISTINCT ON (execution_id) execution_id AS "executionId", id FROM action_plans
     WHERE execution_id = ANY(${executionIds}::uuid[]) AND status <> 'superseded'
     ORDER BY execution_id, version DESC`;
  return new Map(rows.map((r) => [r.executionId, r.id]));
}

export { columns as planColumns };
