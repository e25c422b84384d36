import { describe, expect, it } from 'vitest';
import { subject } from './grader.fixture.ts';
import { schemaErrors } from './schema-valid.ts';

describe('schema grader', () => {
  it('passes a plan of the plan schema', () => expect(schemaErrors(subject().plan)).toEqual([]));
  it('names the field of a plan that is not', () => {
    const plan = subject((p) => (p.csmTasks[0]!.priority = 9)).plan;
    expect(schemaErrors({ ...plan, timeline: undefined })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^csmTasks\.0\.priority: /), expect.stringMatching(/^timeline: /)]),
    );
  });
});
