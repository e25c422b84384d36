import { passedAll, type EvalReport } from './run.ts';

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const mark = (pass: boolean | null) => (pass === null ? '-' : pass ? 'ok' : 'FAIL');

/** The terminal report: one row per scenario (one per plan with --repeat), the failures' reasons, then the totals. */
export function reportText(report: EvalReport): string {
  const head = ['scenario', 'stage', 'run', 'by', 'ms', 'tokens', ...report.graders];
  const rows = report.scenarios.flatMap((s) =>
    s.runs.map((r) => [
      s.name,
      s.stage,
      String(r.run),
      r.writtenBy,
      String(r.latencyMs),
      String(r.promptTokens + r.completionTokens),
      ...report.graders.map((g) => mark(r.grades.find((x) => x.grader === g)?.pass ?? null)),
    ]),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const failures = report.scenarios.flatMap((s) =>
    s.runs
      .filter((r) => !passedAll(r) || r.fallbackReason || (r.judge && !('pass' in r.judge && r.judge.pass)))
      .flatMap((r) => [
        `${s.name} (run ${r.run}):`,
        ...(r.fallbackReason ? [`  fallback: ${r.fallbackReason}`] : []),
        ...r.grades.filter((g) => g.pass === false).flatMap((g) => g.reasons.map((reason) => `  ${g.grader}: ${reason}`)),
        ...(r.judge && 'error' in r.judge ? [`  judge: no verdict (${r.judge.error})`] : []),
        ...(r.judge && 'pass' in r.judge && !r.judge.pass
          ? r.judge.reasons.map((x) => `  judge (${(r.judge as { score: number }).score}/5): ${x}`)
          : []),
      ]),
  );
  const t = report.totals;
  return [
    `Plan evaluation: planner ${report.planner}${report.model ? ` (${report.model}, profile ${report.profile})` : ''}, ${report.scenarios.length} scenarios x ${report.repeat}`,
    '',
    line(head),
    ...rows.map(line),
    '',
    ...(failures.length ? ['Failures and fallbacks:', ...failures, ''] : []),
    'Totals:',
    ...t.byGrader.map(
      (g) =>
        `  ${g.grader.padEnd(16)} ${pct(g.rate).padStart(6)}  (${g.passed} passed, ${g.failed} failed${g.skipped ? `, ${g.skipped} not graded` : ''})`,
    ),
    `  all graders      ${pct(t.plans ? t.passedAll / t.plans : 0).padStart(6)}  (${t.passedAll} of ${t.plans} plans)`,
    ...(report.repeat > 1
      ? [`  spread over runs: ${t.spread.perRun.map(pct).join(', ')} (min ${pct(t.spread.min)}, max ${pct(t.spread.max)})`]
      : []),
    ...(t.judge
      ? [
          `  LLM judge        ${pct(t.judge.judged ? t.judge.passed / t.judge.judged : 0).padStart(6)}  (${t.judge.passed} of ${t.judge.judged} judged plans pass; agrees with the hard graders on ${pct(t.judge.agreement)})`,
        ]
      : []),
    `  fallbacks ${t.fallbacks}, tokens ${t.promptTokens} prompt + ${t.completionTokens} completion, ${(t.durationMs / 1000).toFixed(1)} s`,
  ].join('\n');
}
