import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SalesforceId } from '../salesforce/ids.ts';

/**
 * The plan's team roles ("Executive Sponsor", "Solutions Engineer", "Renewal Manager", "CSM") and what they are in
 * the org: the TeamMemberRole picklist values of opportunity and account team members that fill each role, and
 * optionally a queue (a Group of Type Queue that supports Task) that takes the role's tasks when no one on the teams
 * holds it. A role not listed matches the team member role of the same name.
 */
const TeamRoleConfig = z.strictObject({
  teamMemberRoles: z.array(z.string().min(1).max(255)).min(1).max(20).describe("The org's TeamMemberRole values that fill this role"),
  queueId: SalesforceId.refine((id) => id.startsWith('00G'), 'must be a queue id (a Group id, 00G...)')
    .nullable()
    .default(null)
    .describe('A queue (Group of Type Queue supporting Task) that owns the tasks when no team member holds the role'),
  queueName: z.string().min(1).max(80).nullable().default(null).describe('The queue as users know it (shown on the task)'),
});
export const TeamRolesSchema = z
  .record(z.string().min(1).max(80), TeamRoleConfig)
  .refine((r) => Object.keys(r).length <= 20, 'at most 20 roles')
  .refine((r) => Object.values(r).every((c) => !c.queueName || c.queueId), 'queueName needs a queueId');
export type TeamRoles = z.infer<typeof TeamRolesSchema>;

/** config/team-roles.json: the default mapping, used when TEAM_ROLES is not set. */
export function defaultTeamRoles(path: string | URL = new URL('../../../config/team-roles.json', import.meta.url)): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}
