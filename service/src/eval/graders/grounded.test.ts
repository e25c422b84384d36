import { describe, expect, it } from 'vitest';
import { subject } from './grader.fixture.ts';
import { groundedGrader } from './grounded.ts';

describe('grounded grader', () => {
  it('passes tasks whose evidence are records of the context', () => expect(groundedGrader.grade(subject())).toEqual([]));
  it('accepts a contact cited by its 15-character id', () =>
    expect(
      groundedGrader.grade(subject((p) => (p.csmTasks[0]!.evidence = [{ type: 'contact', id: '003000000000001', field: null }]))),
    ).toEqual([]));
  it('fails evidence that is not in the context, and a task citing nothing', () => {
    const reasons = groundedGrader.grade(
      subject((p) => {
        p.csmTasks[0]!.evidence = [{ type: 'activity', id: '00T000000000999AAA', field: null }];
        p.csmTasks[1]!.evidence = [];
      }),
    );
    expect(reasons).toEqual([
      expect.stringMatching(/activity 00T000000000999AAA is not a record/),
      expect.stringMatching(/cites no evidence/),
    ]);
  });
  it('fails an id of the wrong type (an activity cited as a contact)', () =>
    expect(
      groundedGrader.grade(subject((p) => (p.csmTasks[0]!.evidence = [{ type: 'contact', id: '00T000000000001AAA', field: null }]))),
    ).toHaveLength(1));
});
