import { describe, expect, it } from 'vitest';
import { dependenciesGrader } from './dependencies.ts';
import { subject } from './grader.fixture.ts';

describe('dependencies grader', () => {
  it('passes an acyclic plan in date order', () => expect(dependenciesGrader.grade(subject())).toEqual([]));
  it('fails a cycle, naming it', () => {
    const reasons = dependenciesGrader.grade(
      subject((p) => {
        p.csmTasks[0]!.dependsOn = [p.csmTasks[1]!.key];
        p.csmTasks[1]!.dependsOn = [p.csmTasks[0]!.key];
      }),
    );
    expect(reasons.join('\n')).toMatch(/cycle: (csm-\d+) → csm-\d+ → \1/);
  });
  it('fails a task due before what it waits for, and a timeline out of order', () => {
    const reasons = dependenciesGrader.grade(
      subject((p) => {
        const [a, b] = p.csmTasks as [(typeof p.csmTasks)[number], (typeof p.csmTasks)[number]];
        b.dependsOn = [a.key];
        b.dueDate = '2026-11-30';
        a.dueDate = '2026-12-10';
        p.timeline.reverse();
      }),
    );
    expect(reasons.join('\n')).toMatch(/due 2026-11-30, before csm-\d+ \(due 2026-12-10\)/);
    expect(reasons.join('\n')).toMatch(/timeline\.0: numbered/);
  });
});
