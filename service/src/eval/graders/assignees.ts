import { idKey } from '../../salesforce/ids.ts';
import { tasksOf, type Grader } from './grader.ts';

/**
 * Assignees resolvable: a task's assigneeRole is one of the plan's team roles (TEAM_ROLES, as offered to the planner) or
 * a role someone holds on the opportunity or account team; a CSM task's contact is a contact of the account.
 */
export const assigneesGrader: Grader = {
  name: 'assignees',
  checks: 'assignee roles are team roles; task contacts are contacts of the account',
  grade({ plan, input }) {
    const ctx = input.context;
    const roles = new Set(
      [...(input.teamRoles ?? []), ...[...(ctx.team?.opportunity ?? []), ...(ctx.team?.account ?? [])].map((m) => m.role)]
        .filter((r): r is string => Boolean(r))
        .map((r) => r.toLowerCase()),
    );
    const accountContacts = new Set(ctx.contactRoles.filter((r) => r.contact.accountId === ctx.account.id).map((r) => idKey(r.contactId)));
    const reasons: string[] = [];
    for (const { task, where } of tasksOf(plan)) {
      if (task.assigneeRole !== null && !roles.has(task.assigneeRole.toLowerCase()))
        reasons.push(
          `${where}: assigneeRole "${task.assigneeRole}" is no team role (${[...(input.teamRoles ?? [])].join(', ') || 'none'})`,
        );
      if ('contactId' in task && task.contactId && !accountContacts.has(idKey(task.contactId)))
        reasons.push(`${where}: contact ${task.contactId} is not a contact of ${ctx.account.name}`);
    }
    return reasons;
  },
};
