// Local Salesforce org emulator (not Salesforce): /__emulator — test controls for a standalone emulator.
// These exist only on the emulator (Salesforce has nothing like them) and need no bearer token.

import { Hono } from 'hono';
import { z } from 'zod';
import { faultSchema } from '../faults.ts';
import type { EmulatorEnv } from '../org.ts';

export const control = new Hono<EmulatorEnv>();

control.post('/faults', async (c) => {
  c.get('org').faults.add(faultSchema.parse(await c.req.json()));
  return c.body(null, 204);
});

control.delete('/faults', (c) => {
  c.get('org').faults.clear();
  return c.body(null, 204);
});

control.post('/latency', async (c) => {
  const { ms } = z.object({ ms: z.number().int().min(0) }).parse(await c.req.json());
  c.get('org').latencyMs = ms;
  return c.body(null, 204);
});

control.post('/api-usage', async (c) => {
  const { used } = z.object({ used: z.number().int().min(0) }).parse(await c.req.json());
  c.get('org').apiUsage = used;
  return c.body(null, 204);
});

control.get('/requests', (c) => c.json(c.get('org').requests));

control.delete('/requests', (c) => {
  c.get('org').requests.length = 0;
  return c.body(null, 204);
});

control.post('/expire-tokens', (c) => {
  c.get('org').tokens.expireAll();
  return c.body(null, 204);
});
