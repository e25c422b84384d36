import { describe, expect, it } from 'vitest';
import { subject } from './grader.fixture.ts';
import { processorsGrader } from './processors.ts';

describe('processors grader', () => {
  it("passes AI tasks of the stage's allow-list", () => {
    const s = subject();
    expect(s.plan.aiTasks.length).toBeGreaterThan(0);
    expect(processorsGrader.grade(s)).toEqual([]);
  });
  it('fails a processor the stage does not allow', () => {
    const s = subject((p) => (p.aiTasks[0]!.processor = 'contact-bounce-recorder'));
    expect(s.input.stage.processors).not.toContain('contact-bounce-recorder');
    expect(processorsGrader.grade(s)).toEqual([expect.stringMatching(/contact-bounce-recorder is not allowed in Discovery/)]);
  });
});
