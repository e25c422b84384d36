// Local Salesforce org emulator (not Salesforce): who the session is — /services/oauth2/userinfo (OpenID Connect)
// and the identity URL /id/{orgId}/{userId} that a token response names. Clients such as the Salesforce CLI call
// them after logging in with an access token.

import { Hono } from 'hono';
import { formatDateTime } from '../time.ts';
import type { EmulatorContext, EmulatorEnv, Org } from '../org.ts';
import type { StoredRecord } from '../schema.ts';

export const identity = new Hono<EmulatorEnv>();

/** The running user of a valid bearer token, or undefined (the caller answers 403 Bad_OAuth_Token). */
function sessionUser(c: EmulatorContext): StoredRecord | undefined {
  const org = c.get('org');
  const userId = org.tokens.authenticate(c.req.header('Authorization'));
  return userId ? org.store.find(userId, 'User') : undefined;
}

const badToken = (c: EmulatorContext) => c.text('Bad_OAuth_Token', 403);

/** The `urls` map both answers carry; `{version}` is left for the client to fill in, as Salesforce does. */
function urls(org: Org, userId: string) {
  const data = `${org.url}/services/data/v{version}`;
  return {
    enterprise: `${org.url}/services/Soap/c/{version}/${org.orgId}`,
    metadata: `${org.url}/services/Soap/m/{version}/${org.orgId}`,
    partner: `${org.url}/services/Soap/u/{version}/${org.orgId}`,
    rest: `${data}/`,
    sobjects: `${data}/sobjects/`,
    search: `${data}/search/`,
    query: `${data}/query/`,
    recent: `${data}/recent/`,
    tooling_soap: `${org.url}/services/Soap/T/{version}/${org.orgId}`,
    tooling_rest: `${data}/tooling/`,
    profile: `${org.url}/${userId}`,
    feeds: `${data}/chatter/feeds`,
    groups: `${data}/chatter/groups`,
    users: `${data}/chatter/users`,
    feed_items: `${data}/chatter/feed-items`,
    feed_elements: `${data}/chatter/feed-elements`,
    custom_domain: org.url,
  };
}

const common = (org: Org, user: StoredRecord) => ({
  email: user.Email,
  email_verified: true,
  active: user.IsActive === true,
  user_type: 'STANDARD',
  language: 'en_US',
  locale: 'en_US',
  utcOffset: 0,
  is_app_installed: true,
  urls: urls(org, String(user.Id)),
});

for (const method of ['get', 'post'] as const) {
  identity[method]('/services/oauth2/userinfo', (c) => {
    const user = sessionUser(c);
    if (!user) return badToken(c);
    const org = c.get('org');
    return c.json({
      sub: `${org.url}/id/${org.orgId}/${user.Id}`,
      user_id: user.Id,
      organization_id: org.orgId,
      preferred_username: user.Username,
      nickname: String(user.Username).split('@')[0],
      name: user.Name,
      given_name: user.FirstName ?? null,
      family_name: user.LastName,
      zoneinfo: 'GMT',
      updated_at: user.LastModifiedDate,
      ...common(org, user),
    });
  });
}

identity.get('/id/:orgId/:userId', (c) => {
  const user = sessionUser(c);
  const org = c.get('org');
  if (!user) return badToken(c);
  const target = c.req.param('orgId') === org.orgId ? org.store.find(c.req.param('userId'), 'User') : undefined;
  if (!target) return c.text('Bad_Id', 403);
  return c.json({
    id: `${org.url}/id/${org.orgId}/${target.Id}`,
    asserted_user: target.Id === user.Id,
    user_id: target.Id,
    organization_id: org.orgId,
    username: target.Username,
    nick_name: String(target.Username).split('@')[0],
    display_name: target.Name,
    first_name: target.FirstName ?? null,
    last_name: target.LastName,
    timezone: 'GMT',
    status: { created_date: null, body: null },
    last_modified_date: target.LastModifiedDate ?? formatDateTime(org.store.clock.now()),
    ...common(org, target),
  });
});
