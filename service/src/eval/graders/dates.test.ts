import { describe, expect, it } from 'vitest';
import { datesGrader } from './dates.ts';
import { subject } from './grader.fixture.ts';

describe('dates grader', () => {
  it('passes due dates and timeline steps on business days inside the window', () => expect(datesGrader.grade(subject())).toEqual([]));
  it('fails a due date on a weekend', () => {
    // 2026-12-05 is a Saturday inside the Discovery window of the fixture (today 2026-11-25).
    expect(datesGrader.grade(subject((p) => (p.csmTasks[0]!.dueDate = '2026-12-05')))).toEqual([
      expect.stringMatching(/2026-12-05 is not a business day/),
    ]);
  });
  it('fails a due date after the window and the renewal, and a timeline step in the past', () => {
    const reasons = datesGrader.grade(
      subject((p) => {
        p.csmTasks[0]!.dueDate = '2027-06-01';
        p.timeline[0]!.date = '2026-11-20';
      }),
    );
    expect(reasons.join('\n')).toMatch(/outside the Discovery window/);
    expect(reasons.join('\n')).toMatch(/after the renewal/);
    expect(reasons.join('\n')).toMatch(/timeline\.0 .*2026-11-20 is outside/);
  });
});
