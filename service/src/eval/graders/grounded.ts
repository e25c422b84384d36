import type { Evidence } from '../../plan/schema.ts';
import { idKey } from '../../salesforce/ids.ts';
import { tasksOf, type Grader } from './grader.ts';

/**
 * Every task grounded: it cites at least one record, and each cited record (and a CSM task's contact) is a record of
 * this opportunity's CRM context of that type (or a workflow step the plan was given).
 */
export const groundedGrader: Grader = {
  name: 'grounded',
  checks: "every task cites evidence that resolves to records in the opportunity's context",
  grade({ plan, input }) {
    const ctx = input.context;
    const known: Record<Evidence['type'], Set<string>> = {
      opportunity: new Set([ctx.opportunity.id]),
      account: new Set([ctx.account.id]),
      contact: new Set(ctx.contactRoles.map((r) => r.contactId)),
      contactRole: new Set(ctx.contactRoles.map((r) => r.id)),
      activity: new Set(ctx.activities.map((a) => a.id)),
      user: new Set([ctx.owner.id]),
      step: new Set((input.steps ?? []).map((s) => s.id)),
    };
    const keysOf = Object.fromEntries(Object.entries(known).map(([k, ids]) => [k, new Set([...ids].map(idKey))])) as typeof known;
    const resolves = (type: Evidence['type'], id: string) => known[type].has(id) || (type !== 'step' && keysOf[type].has(idKey(id)));
    const reasons: string[] = [];
    for (const { task, where } of tasksOf(plan)) {
      if (task.evidence.length === 0) reasons.push(`${where}: cites no evidence`);
      for (const e of task.evidence)
        if (!resolves(e.type, e.id)) reasons.push(`${where}: evidence ${e.type} ${e.id} is not a record of this opportunity's context`);
      if ('contactId' in task && task.contactId && !resolves('contact', task.contactId))
        reasons.push(`${where}: contact ${task.contactId} is not a contact of this opportunity`);
    }
    return reasons;
  },
};
