import { describe, expect, it } from 'vitest';
import { expectationsGrader } from './expectations.ts';
import { subject } from './grader.fixture.ts';

describe('expectations grader', () => {
  it('passes a plan meeting every expectation', () =>
    expect(
      expectationsGrader.grade(
        subject(undefined, {
          stage: 'Discovery',
          mustInclude: [{ text: 'economic buyer|CFO', owner: 'CSM' }, { processor: 'salesforce-contact-updater' }],
          mustNotInclude: [{ processor: 'crm-opportunity-updater' }],
          mustCite: [{ type: 'activity', id: '00T000000000002AAA' }],
        }),
      ),
    ).toEqual([]));
  it('fails the wrong stage, a missing task, a forbidden task and an uncited fact', () => {
    const reasons = expectationsGrader.grade(
      subject(undefined, {
        stage: 'Prepare',
        mustInclude: [{ text: 'sign the order form' }],
        mustNotInclude: [{ owner: 'AI' }],
        mustCite: [{ type: 'activity', id: '00T000000000009AAA' }],
      }),
    );
    expect(reasons[0]).toBe('planned in Discovery, expected Prepare');
    expect(reasons).toContain('no task matches {"text":"sign the order form"}');
    expect(reasons.some((r) => /^aiTasks\.0 .* must not appear$/.test(r))).toBe(true);
    expect(reasons.at(-1)).toBe('no task cites activity 00T000000000009AAA');
  });
});
