import type { ActionPlanContent } from './schema.ts';

/** A plan's tasks as the dependency checks see them. */
interface Node {
  key: string;
  dependsOn: string[];
}

const nodesOf = (plan: Pick<ActionPlanContent, 'aiTasks' | 'csmTasks'>): Node[] => [...plan.aiTasks, ...plan.csmTasks];

/**
 * What is wrong with a plan's dependencies, in words naming the tasks: a key that is not a task of the plan (a
 * sub-task's key included: a task waits for a whole task), a task waiting for itself, and each cycle, written as the
 * path that closes it (`csm-1 → csm-2 → csm-1`).
 */
export function dependencyErrors(plan: Pick<ActionPlanContent, 'aiTasks' | 'csmTasks'>, where: (key: string) => string): string[] {
  const nodes = nodesOf(plan);
  const keys = new Set(nodes.map((n) => n.key));
  const subKeys = new Set(plan.csmTasks.flatMap((t) => t.subTasks.map((s) => s.key)));
  const errors: string[] = [];
  for (const n of nodes)
    for (const p of n.dependsOn) {
      if (p === n.key) errors.push(`${where(n.key)}: dependsOn names the task itself`);
      else if (subKeys.has(p)) errors.push(`${where(n.key)}: dependsOn names ${p}, a sub-task; a task can wait only for a whole task`);
      else if (!keys.has(p)) errors.push(`${where(n.key)}: dependsOn names ${p}, which is not a task of this plan`);
    }
  for (const cycle of cyclesOf(nodes)) errors.push(`dependsOn: the tasks wait for each other in a cycle: ${cycle.join(' → ')}`);
  return errors;
}

/** The plan's dependency cycles, each as the keys along it ending where it started. */
export const dependencyCycles = (plan: Pick<ActionPlanContent, 'aiTasks' | 'csmTasks'>) => cyclesOf(nodesOf(plan));

/** Each cycle once, as the keys along it ending where it started (self-dependencies are reported on their own). */
function cyclesOf(nodes: Node[]): string[][] {
  const edges = new Map(nodes.map((n) => [n.key, n.dependsOn.filter((p) => p !== n.key)]));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const visit = (key: string) => {
    state.set(key, 'open');
    path.push(key);
    for (const next of edges.get(key) ?? []) {
      if (!edges.has(next)) continue;
      if (state.get(next) === 'open') cycles.push(fromFirst(path.slice(path.indexOf(next))));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(key, 'done');
  };
  // A cycle is named from its task that comes first in the plan, whichever task the search reached it from.
  const order = new Map(nodes.map((n, i) => [n.key, i]));
  const fromFirst = (loop: string[]) => {
    const start = loop.indexOf([...loop].sort((a, b) => order.get(a)! - order.get(b)!)[0]!);
    const rotated = [...loop.slice(start), ...loop.slice(0, start)];
    return [...rotated, rotated[0]!];
  };
  for (const n of nodes) if (!state.has(n.key)) visit(n.key);
  return cycles;
}

/**
 * How deep each task sits in the dependency graph (0: waits for nothing; otherwise one more than its deepest
 * prerequisite), for an acyclic plan. Orders the timeline and the due-date fixes: a task after what it waits for.
 */
export function dependencyDepth(plan: Pick<ActionPlanContent, 'aiTasks' | 'csmTasks'>): Map<string, number> {
  const edges = new Map(nodesOf(plan).map((n) => [n.key, n.dependsOn]));
  const depth = new Map<string, number>();
  const of = (key: string, seen: Set<string>): number => {
    const known = depth.get(key);
    if (known !== undefined) return known;
    if (seen.has(key)) return 0;
    seen.add(key);
    const d = Math.max(-1, ...(edges.get(key) ?? []).filter((p) => edges.has(p)).map((p) => of(p, seen))) + 1;
    depth.set(key, d);
    return d;
  };
  for (const key of edges.keys()) of(key, new Set());
  return depth;
}

/** The keys a plan's tasks wait for that are not in the plan (after tasks were removed), per waiting task. */
export function missingPrerequisites(plan: Pick<ActionPlanContent, 'aiTasks' | 'csmTasks'>): { key: string; missing: string[] }[] {
  const keys = new Set(nodesOf(plan).map((n) => n.key));
  return nodesOf(plan)
    .map((n) => ({ key: n.key, missing: n.dependsOn.filter((p) => !keys.has(p)) }))
    .filter((x) => x.missing.length > 0);
}
