/**
 * What PostgreSQL can store and the service can process, checked once at the door for every JSON body: no NUL
 * character (text and jsonb reject it), no lone UTF-16 surrogate (jsonb rejects it, text would silently turn it into
 * U+FFFD), and no nesting deep enough to overflow a recursive serializer (JSON.stringify, postgres.js, zod).
 * The routes check every JSON body with it (routes/storable.ts): one body-level check covers every stored text field,
 * today's and tomorrow's, where a per-field refinement would have to be remembered on each. Anything else that stores
 * text from outside (a model's answer, a provider's payload) can use the same functions.
 */
export const MAX_JSON_DEPTH = 32;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a text cannot be stored, or undefined when it can. */
export function unstorableText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'must not contain a lone UTF-16 surrogate (invalid Unicode)';
  return undefined;
}

/**
 * The first place in a parsed JSON value that cannot be stored, named like the validation issues (`body.edits.0.description`),
 * or undefined. Walks with an explicit stack, so a hostile nesting depth cannot overflow this check either.
 */
export function unstorableJson(value: unknown, root = 'body'): { path: string; message: string } | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (stack.length) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = unstorableText(v);
      if (problem) return { path, message: problem };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return { path, message: `is nested deeper than ${MAX_JSON_DEPTH} levels` };
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const keyProblem = unstorableText(key);
      if (keyProblem) return { path, message: `has a key that ${keyProblem}` };
      stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return undefined;
}
