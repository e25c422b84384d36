import type { Connection } from 'jsforce';

/**
 * The optional features of an org the service reads from: each one off means its object does not exist there, and a
 * query naming it fails (INVALID_TYPE). Account Teams and Team Selling are off in a new org and unavailable below
 * Enterprise Edition; Enhanced Email brings EmailMessage; custom notifications need their type deployed.
 */
export interface OrgFeatures {
  accountTeams: boolean;
  opportunityTeams: boolean;
  enhancedEmail: boolean;
  customNotifications: boolean;
}

/** What the service assumes until it has asked the org (a script, or a test that never asked). */
export const ALL_FEATURES: OrgFeatures = { accountTeams: true, opportunityTeams: true, enhancedEmail: true, customNotifications: true };

const FEATURE_OBJECTS: Record<keyof OrgFeatures, string> = {
  accountTeams: 'AccountTeamMember',
  opportunityTeams: 'OpportunityTeamMember',
  enhancedEmail: 'EmailMessage',
  customNotifications: 'CustomNotificationType',
};

/** The org's features, from one describeGlobal call (`GET /sobjects`): a feature is on when its object is listed. */
export async function readOrgFeatures(conn: Connection): Promise<OrgFeatures> {
  const names = new Set((await conn.describeGlobal()).sobjects.map((o) => o.name));
  return Object.fromEntries(
    Object.entries(FEATURE_OBJECTS).map(([feature, object]) => [feature, names.has(object)]),
  ) as unknown as OrgFeatures;
}
