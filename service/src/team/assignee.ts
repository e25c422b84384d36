import type { CrmContext, TeamMember } from '../salesforce/context.ts';
import type { TeamRoles } from './roles.ts';

type AssigneeSource = 'opportunity-team' | 'account-team' | 'queue' | 'owner-fallback';

/** Who owns a task: the person (or queue) its Salesforce Task is assigned to, and why. */
export interface Assignee {
  /** The Salesforce Task's OwnerId: a user, or a queue id. */
  id: string;
  name: string;
  /** The plan role the task asked for; null when it asked for none (the opportunity owner). */
  role: string | null;
  source: AssigneeSource;
  /** Why the task did not go to the role, in words the CSM reads on the task; null when it did. */
  note: string | null;
  /** The person notifications about the task go to: the user, or for a queue the opportunity owner. */
  userId: string;
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Resolves a task's team role to its owner: the active opportunity team member in one of the role's team member
 * roles, then the account team's, then the role's queue when one is configured, else the opportunity owner with a
 * note saying so. Several members in the role: the first by name, so the answer is the same every time.
 *
 *   resolveAssignee('Executive Sponsor', ctx, roles)
 *   // → { id: '005…', name: 'Riley Park', role: 'Executive Sponsor', source: 'opportunity-team', note: null, … }
 */
function resolveAssignee(role: string | null, ctx: CrmContext, roles: TeamRoles): Assignee {
  const owner = { id: ctx.owner.id, name: ctx.owner.name, userId: ctx.owner.id };
  if (role === null) return { ...owner, role: null, source: 'owner-fallback', note: null };
  const configured = Object.entries(roles).find(([name]) => same(name, role))?.[1];
  const memberRoles = configured?.teamMemberRoles ?? [role];
  const inRole = (members: TeamMember[] | undefined) =>
    (members ?? [])
      .filter((m) => m.isActive && m.role !== null && memberRoles.some((r) => same(r, m.role!)))
      .sort((a, b) => a.name.localeCompare(b.name))[0];
  const onOpportunity = inRole(ctx.team?.opportunity);
  if (onOpportunity)
    return {
      id: onOpportunity.userId,
      name: onOpportunity.name,
      userId: onOpportunity.userId,
      role,
      source: 'opportunity-team',
      note: null,
    };
  const onAccount = inRole(ctx.team?.account);
  if (onAccount) return { id: onAccount.userId, name: onAccount.name, userId: onAccount.userId, role, source: 'account-team', note: null };
  const off = ctx.team?.unavailable ?? [];
  // Teams the org does not have (Team Selling or Account Teams off) cannot hold the role: say so, not "no one in it".
  const missing =
    off.length === 2
      ? `No opportunity or account teams in this org (${role})`
      : off.length === 1
        ? `No ${role} on the ${off[0] === 'opportunity' ? 'account' : 'opportunity'} team (${off[0]} teams are off in this org)`
        : `No ${role} on the opportunity or account team`;
  if (configured?.queueId) {
    const queue = configured.queueName ?? `queue ${configured.queueId}`;
    return {
      id: configured.queueId,
      name: queue,
      userId: owner.id,
      role,
      source: 'queue',
      note: `${missing}: assigned to the ${queue} queue`,
    };
  }
  return { ...owner, role, source: 'owner-fallback', note: `${missing}: assigned to the owner` };
}

/** Each top-level task's owner in a plan, by key (what finalize writes and the approval gate shows). */
export function assigneesOfPlan(
  plan: { aiTasks: { key: string; assigneeRole: string | null }[]; csmTasks: { key: string; assigneeRole: string | null }[] },
  ctx: CrmContext,
  roles: TeamRoles,
): Record<string, Assignee> {
  return Object.fromEntries([...plan.aiTasks, ...plan.csmTasks].map((t) => [t.key, resolveAssignee(t.assigneeRole ?? null, ctx, roles)]));
}
