import type { TaskMatcher } from '../scenario.ts';
import { tasksOf, type Grader } from './grader.ts';

/** The scenario's expectations: the stage, tasks that must and must not appear, records that must be cited. */
export const expectationsGrader: Grader = {
  name: 'expectations',
  checks: "the scenario's expectations (stage, tasks that must or must not appear, facts cited)",
  grade({ plan, input, expect }) {
    const reasons: string[] = [];
    if (expect.stage && expect.stage !== input.stage.id) reasons.push(`planned in ${input.stage.id}, expected ${expect.stage}`);
    const tasks = tasksOf(plan);
    const matches = (m: TaskMatcher) =>
      tasks.filter(
        ({ task, owner }) =>
          (!m.owner || m.owner === owner) &&
          (!m.processor || ('processor' in task && task.processor === m.processor)) &&
          (!m.text || new RegExp(m.text, 'i').test(`${task.action}\n${task.description}`)),
      );
    const say = (m: TaskMatcher) => JSON.stringify(m);
    for (const m of expect.mustInclude) if (matches(m).length === 0) reasons.push(`no task matches ${say(m)}`);
    for (const m of expect.mustNotInclude)
      for (const { where } of matches(m)) reasons.push(`${where} matches ${say(m)}, which must not appear`);
    const cited = new Set(tasks.flatMap(({ task }) => task.evidence.map((e) => `${e.type}:${e.id}`)));
    for (const c of expect.mustCite) if (!cited.has(`${c.type}:${c.id}`)) reasons.push(`no task cites ${c.type} ${c.id}`);
    return reasons;
  },
};
