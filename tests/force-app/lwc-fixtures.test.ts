import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MeetingSlotsResponse } from '../../service/src/routes/meetings.ts';
import { PortfolioPage } from '../../service/src/routes/portfolio.ts';
import { ExecutionView, PlanView } from '../../service/src/routes/views.ts';

const LWC = fileURLToPath(new URL('../../force-app/main/default/lwc/', import.meta.url));
/** The API's response bodies the components receive, by their one top-level key. */
const RESPONSES: Record<string, z.ZodType> = {
  plan: z.object({ plan: PlanView }).strict(),
  execution: z.object({ execution: ExecutionView }).strict(),
  rows: PortfolioPage.strict(),
  slots: MeetingSlotsResponse.strict(),
};
const fixtures = readdirSync(LWC).flatMap((component) => {
  const dir = join(LWC, component, '__tests__', 'data');
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.map((name) => ({ name: `${component}/${name}`, body: JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown }));
});

/**
 * The LWC tests' fixtures are the API's real answers (`npm run fixtures:lwc` writes them): each parses with the
 * response schema, and parsing keeps every field (the schemas drop a field they do not know), so a field the view
 * gained, lost or renamed without the fixtures being written again fails here.
 */
describe('LWC fixtures', () => {
  it('exist', () => {
    expect(fixtures.map((f) => f.name)).toEqual(
      expect.arrayContaining(['renewalActionPlan/draftPlan.json', 'renewalActionPlan/execution.json']),
    );
  });

  it.each(fixtures.map((f) => [f.name, f.body] as const))('%s is a response of the API, field for field', (_name, body) => {
    const key = Object.keys(body as object)[0] ?? '';
    const schema = RESPONSES[key];
    expect(schema, `a fixture holds one of ${Object.keys(RESPONSES).join(', ')}`).toBeDefined();
    const parsed = schema!.safeParse(body);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.data).toStrictEqual(body);
  });

  it('fails a fixture with a field the view does not have, or without one it has', () => {
    const draft = fixtures.find((f) => f.name === 'renewalActionPlan/draftPlan.json')!.body as { plan: Record<string, unknown> };
    const schema = RESPONSES.plan!;
    const extra = { plan: { ...draft.plan, legacyField: 1 } };
    expect(schema.parse(extra)).not.toStrictEqual(extra);
    const missing: Record<string, unknown> = { ...draft.plan };
    delete missing.summary;
    expect(schema.safeParse({ plan: missing }).success).toBe(false);
  });
});
