import { dependencyErrors } from '../../plan/dependencies.ts';
import type { Grader } from './grader.ts';

/**
 * Dependencies acyclic and dates ordered: every dependsOn names another whole task of the plan and no cycle forms; a CSM
 * task is not due before a CSM task it waits for; the timeline is in date order, numbered 1..n, and a step is not dated
 * before a step holding a task it waits for.
 */
export const dependenciesGrader: Grader = {
  name: 'dependencies',
  checks: 'dependencies acyclic, due dates and timeline ordered',
  grade({ plan }) {
    const reasons = dependencyErrors(plan, (key) => `task ${key}`);
    const csm = new Map(plan.csmTasks.map((t) => [t.key, t]));
    for (const t of plan.csmTasks)
      for (const k of t.dependsOn) {
        const before = csm.get(k);
        if (before && before.dueDate > t.dueDate)
          reasons.push(`task ${t.key}: due ${t.dueDate}, before ${k} (due ${before.dueDate}) which it waits for`);
      }
    plan.timeline.forEach((s, i) => {
      if (s.step !== i + 1) reasons.push(`timeline.${i}: numbered ${s.step}, expected ${i + 1}`);
      const prev = plan.timeline[i - 1];
      if (prev && prev.date > s.date) reasons.push(`timeline.${i} ("${s.title}"): ${s.date} comes after ${prev.date} in the list`);
    });
    const deps = new Map([...plan.aiTasks, ...plan.csmTasks].map((t) => [t.key, t.dependsOn]));
    for (const step of plan.timeline) {
      const waitsFor = new Set(step.taskKeys.flatMap((k) => deps.get(k) ?? []));
      for (const other of plan.timeline)
        if (other !== step && other.date > step.date && other.taskKeys.some((k) => waitsFor.has(k)))
          reasons.push(`timeline "${step.title}" (${step.date}) is before "${other.title}" (${other.date}), which it waits for`);
    }
    return reasons;
  },
};
