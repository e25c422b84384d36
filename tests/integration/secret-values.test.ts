import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llmPlannerFromEnv } from '../../service/src/plan/llm-planner.ts';
import { redactSecrets } from '../../service/src/secrets.ts';
import { stepModelFromEnv } from '../../service/src/workflows/steps/model.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/**
 * Secrets redacted by value (issue 21): a key of no recognisable shape, configured as OPENAI_API_KEY, that a model
 * endpoint echoes in its 401 (as a self-hosted OpenAI-compatible server may) reaches no response, no database row and
 * no log line. The endpoint is a tiny local server (not OpenAI) that quotes back whatever Bearer key the real openai
 * SDK sent it; the service, the org emulator and the database are the test harness's real ones.
 */
describe('a configured secret of any shape', () => {
  const KEY = 'vllm-3f9-local-key';
  let h: Harness;
  let endpoint: Server;
  /** Every key the endpoint was sent, as it echoed it. */
  const echoed: string[] = [];

  beforeAll(async () => {
    endpoint = createServer((req, res) => {
      const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      echoed.push(key);
      req.resume();
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { message: `Invalid API key: ${key} (the keys of this server are listed in --api-key)`, type: 'auth_error' },
        }),
      );
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/v1`;
    h = await startHarness({
      env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: url, OPENAI_MODEL: 'local', OPENAI_TIMEOUT_SECONDS: '5', OPENAI_MAX_RETRIES: '0' },
    });
    h.deps.planner = llmPlannerFromEnv(h.deps.env)!;
    h.deps.stepModel = stepModelFromEnv(h.deps.env);
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((resolve) => endpoint?.close(resolve));
  });

  /** Every text and jsonb column of every table, as text. */
  async function databaseText(): Promise<{ column: string; text: string }[]> {
    const columns = await h.sql<{ table: string; column: string }[]>`
      SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
       WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')`;
    const out: { column: string; text: string }[] = [];
    for (const c of columns) {
      const [row] = await h.sql<{ t: string | null }[]>`SELECT string_agg(${h.sql(c.column)}::text, '|') AS t FROM ${h.sql(c.table)}`;
      out.push({ column: `${c.table}.${c.column}`, text: row!.t ?? '' });
    }
    return out;
  }

  it('is not a key by shape: only its value gives it away', () => {
    expect(redactSecrets(`Invalid API key: ${KEY}`)).toBe('Invalid API key: [redacted]');
    expect(redactSecrets('Invalid API key: vllm-4a0-other-key')).toBe('Invalid API key: vllm-4a0-other-key');
  });

  it('echoed in a 401 by the model endpoint, reaches no response, row or log line', async () => {
    const responses: { text: string }[] = [];
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await h.api(method, path, body);
      responses.push(res);
      return res;
    };
    const { id } = (await call('POST', '/api/workflows/executions', { opportunityId: h.discoveryId })).body.execution;
    const step = await call('POST', `/api/workflows/executions/${id}/steps/recommendations/run`);
    expect(step.status).toBe(200);
    const generated = await call('POST', `/api/workflows/executions/${id}/action-plan/generate`);
    expect(generated.status).toBe(201);
    expect(generated.body.plan.planner).toBe('playbook');
    expect(generated.text).toContain('[redacted]');
    await call('GET', `/api/workflows/executions/${id}`);
    await call('GET', `/api/workflows/executions/${id}/action-plan`);
    await call('POST', `/api/workflows/executions/${id}/action-plan/finalize`, {});
    await call('GET', '/api/notifications');

    // The endpoint did quote the key back, to the step model and the planner both.
    expect(echoed.length).toBeGreaterThanOrEqual(2);
    expect(new Set(echoed)).toEqual(new Set([KEY]));
    for (const r of responses) expect(r.text).not.toContain(KEY);
    const leaks = (await databaseText()).filter((c) => c.text.includes(KEY)).map((c) => c.column);
    expect(leaks).toEqual([]);
    expect(h.logLines.length).toBeGreaterThan(0);
    expect(h.logLines.filter((l) => l.includes(KEY))).toEqual([]);
  });
});
