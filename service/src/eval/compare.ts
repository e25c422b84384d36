import { passedAll, type EvalReport } from './run.ts';

/** What changed between an earlier report and this one: per grader pass rates, and the plans each grader now fails or passes. */
export interface EvalComparison {
  byGrader: { grader: string; before: number | null; after: number | null; delta: number | null }[];
  /** Scenario and grader pairs that passed in every earlier run and fail in some run now. */
  broke: { scenario: string; grader: string; reasons: string[] }[];
  /** Pairs that failed in some earlier run and pass in every run now. */
  fixed: { scenario: string; grader: string }[];
  allBefore: number;
  allAfter: number;
  scenariosOnlyBefore: string[];
  scenariosOnlyAfter: string[];
}

/** The verdicts of one grader on one scenario across its runs: true when every run passed it. */
function verdicts(report: EvalReport): Map<string, { pass: boolean; reasons: string[] }> {
  const out = new Map<string, { pass: boolean; reasons: string[] }>();
  for (const s of report.scenarios)
    for (const g of report.graders) {
      const grades = s.runs.map((r) => r.grades.find((x) => x.grader === g));
      out.set(`${s.name}\u0000${g}`, {
        pass: grades.every((x) => x?.pass === true),
        reasons: grades.flatMap((x) => (x?.pass === false ? x.reasons : [])),
      });
    }
  return out;
}

/** Compares two reports (the earlier one first). A scenario in only one of them is listed, not compared. */
export function compareReports(before: EvalReport, after: EvalReport): EvalComparison {
  const a = verdicts(before);
  const b = verdicts(after);
  const broke: EvalComparison['broke'] = [];
  const fixed: EvalComparison['fixed'] = [];
  for (const [key, now] of b) {
    const then = a.get(key);
    if (!then) continue;
    const [scenario, grader] = key.split('\u0000') as [string, string];
    if (then.pass && !now.pass) broke.push({ scenario, grader, reasons: now.reasons.slice(0, 3) });
    if (!then.pass && now.pass) fixed.push({ scenario, grader });
  }
  const rate = (r: EvalReport, g: string) => r.totals.byGrader.find((x) => x.grader === g)?.rate ?? null;
  const graders = [...new Set([...before.graders, ...after.graders])];
  const names = (r: EvalReport) => new Set(r.scenarios.map((s) => s.name));
  const share = (r: EvalReport) => (r.totals.plans ? r.scenarios.flatMap((s) => s.runs).filter(passedAll).length / r.totals.plans : 0);
  return {
    byGrader: graders.map((grader) => {
      const x = rate(before, grader);
      const y = rate(after, grader);
      return { grader, before: x, after: y, delta: x === null || y === null ? null : y - x };
    }),
    broke,
    fixed,
    allBefore: share(before),
    allAfter: share(after),
    scenariosOnlyBefore: [...names(before)].filter((n) => !names(after).has(n)),
    scenariosOnlyAfter: [...names(after)].filter((n) => !names(before).has(n)),
  };
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 1000) / 10}%`);

/** The comparison in words for the terminal. */
export function comparisonText(c: EvalComparison): string {
  return [
    'Compared with the earlier report:',
    ...c.byGrader.map(
      (g) =>
        `  ${g.grader.padEnd(16)} ${pct(g.before).padStart(6)} -> ${pct(g.after).padStart(6)}${g.delta ? ` (${g.delta > 0 ? '+' : ''}${pct(g.delta)})` : ''}`,
    ),
    `  all graders      ${pct(c.allBefore).padStart(6)} -> ${pct(c.allAfter).padStart(6)}`,
    ...(c.broke.length ? ['Now failing:', ...c.broke.map((x) => `  ${x.scenario} / ${x.grader}: ${x.reasons[0] ?? ''}`)] : []),
    ...(c.fixed.length ? ['Now passing:', ...c.fixed.map((x) => `  ${x.scenario} / ${x.grader}`)] : []),
    ...(c.scenariosOnlyBefore.length ? [`Only in the earlier report: ${c.scenariosOnlyBefore.join(', ')}`] : []),
    ...(c.scenariosOnlyAfter.length ? [`New scenarios: ${c.scenariosOnlyAfter.join(', ')}`] : []),
  ].join('\n');
}
