import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, unstorableJson, unstorableText } from './storable.ts';

const nest = (depth: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

describe('what PostgreSQL can store', () => {
  it('refuses NUL and lone surrogates, accepts other control characters and surrogate pairs', () => {
    expect(unstorableText('a\u0000b')).toMatch(/NUL/);
    expect(unstorableText('a\ud800b')).toMatch(/lone UTF-16 surrogate/);
    expect(unstorableText('\udfff')).toMatch(/lone UTF-16 surrogate/);
    expect(unstorableText('x\ud83d')).toMatch(/lone UTF-16 surrogate/);
    expect(unstorableText('tab\t, bell\u0007, emoji 😀, \u00e9')).toBeUndefined();
  });

  it('names the first bad place in a body the way validation issues do', () => {
    expect(unstorableJson({ edits: [{ key: 'csm-1' }, { description: 'x\u0000' }] })).toEqual({
      path: 'body.edits.1.description',
      message: expect.stringMatching(/NUL/),
    });
    expect(unstorableJson({ input: { ['k\u0000']: 1 } })).toEqual({
      path: 'body.input',
      message: expect.stringMatching(/^has a key that/),
    });
    expect(unstorableJson([1, 'ok', null, true, { a: ['fine'] }])).toBeUndefined();
  });

  it(`bounds nesting at ${MAX_JSON_DEPTH} levels, without recursion however deep the input`, () => {
    expect(unstorableJson(nest(MAX_JSON_DEPTH))).toBeUndefined();
    expect(unstorableJson(nest(MAX_JSON_DEPTH + 1))?.message).toBe(`is nested deeper than ${MAX_JSON_DEPTH} levels`);
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(unstorableJson(deep)?.message).toMatch(/nested deeper/);
  });
});
