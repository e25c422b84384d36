// Local Salesforce org emulator (not Salesforce): /services/data/vXX.X/limits — the org's limits, of which the
// emulator tracks the one a client acts on: DailyApiRequests, the same count the Sforce-Limit-Info header reports.
// REST API Developer Guide, "Limits": each limit is `{ Max, Remaining }`.

import { Hono } from 'hono';
import { API_LIMIT, type EmulatorEnv } from '../org.ts';

export const limits = new Hono<EmulatorEnv>();

limits.get('/', (c) => {
  const used = c.get('org').apiUsage;
  return c.json({ DailyApiRequests: { Max: API_LIMIT, Remaining: Math.max(0, API_LIMIT - used) } });
});
