import { describe, expect, it } from 'vitest';
import { assigneesGrader } from './assignees.ts';
import { subject } from './grader.fixture.ts';

describe('assignees grader', () => {
  it('passes team roles (any case) and the owner (null)', () =>
    expect(assigneesGrader.grade(subject((p) => (p.csmTasks[0]!.assigneeRole = 'executive sponsor')))).toEqual([]));
  it('fails a role no one configured or holds, and a contact outside the account', () => {
    const reasons = assigneesGrader.grade(
      subject((p) => {
        p.csmTasks[0]!.assigneeRole = 'Chief Wizard';
        p.csmTasks[1]!.contactId = '003000000000777AAA';
      }),
    );
    expect(reasons).toEqual([
      expect.stringMatching(/"Chief Wizard" is no team role/),
      expect.stringMatching(/003000000000777AAA is not a contact of Acme/),
    ]);
  });
});
