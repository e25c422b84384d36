import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { zodResponseFormat } from 'openai/helpers/zod';
import { decodeJson } from '../plan/llm-schema.ts';
import { ModelMasking } from '../plan/masking.ts';
import type { ModelEndpoint } from '../plan/model-client.ts';
import type { PlanningInput } from '../plan/planner.ts';
import { buildPlanPrompt } from '../plan/prompt.ts';

/** The rubric shipped with the harness (service/src/eval/judge-rubric.md); `--judge-rubric FILE` brings another. */
const SHIPPED_RUBRIC = new URL('./judge-rubric.md', import.meta.url).pathname;

const Verdict = z.object({
  pass: z.boolean(),
  score: z.number().int().min(1).max(5),
  reasons: z.array(z.string().max(300)).max(10),
});
export type JudgeVerdict = z.infer<typeof Verdict>;

/**
 * The optional LLM-as-judge (off unless `--judge`): a model reads the rubric, the renewal's CRM data as the planner saw it
 * and the plan, and answers pass or fail with a score and reasons. It is an opinion beside the hard graders, never one
 * of them: the report gives how often it agrees with them. What it is sent is masked like a plan request.
 */
export function llmJudge(endpoint: ModelEndpoint, rubricFile: string = SHIPPED_RUBRIC) {
  const rubric = readFileSync(rubricFile, 'utf8');
  const schema = zodResponseFormat(Verdict, 'verdict').json_schema.schema as Record<string, unknown>;
  return async (plan: unknown, input: PlanningInput, signal?: AbortSignal): Promise<JudgeVerdict | { error: string }> => {
    const masking = new ModelMasking(input.context);
    const data = buildPlanPrompt(input).user;
    const user = masking.mask(`${data}\n<plan>\n${JSON.stringify(plan).replace(/</g, '\\u003c')}\n</plan>`);
    try {
      const answer = await endpoint.complete(
        {
          purpose: 'judge',
          system: rubric,
          messages: [{ role: 'user', content: user }],
          format: { name: 'verdict', schema },
          maxCompletionTokens: 2000,
        },
        signal,
      );
      const decoded = decodeJson(answer.content);
      if (!decoded.ok) return { error: decoded.error };
      const verdict = Verdict.safeParse(masking.unmask(decoded.value));
      return verdict.success ? verdict.data : { error: `the verdict does not fit its schema (${verdict.error.issues[0]?.message})` };
    } catch (err) {
      return { error: (err as Error).message.slice(0, 200) };
    }
  };
}

/** A judge as the harness calls it. */
export type Judge = ReturnType<typeof llmJudge>;
