import { HARD_GRADERS, SCHEMA_GRADER } from './graders/index.ts';
import type { EvalComparison } from './compare.ts';
import { passedAll, type EvalReport } from './run.ts';

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/**
 * The report as one self-contained HTML page (no script, no external file): per-grader pass rates, the failing plans
 * with each grader's reasons, tokens and latency per plan, and the fallback reasons.
 */
export function reportHtml(report: EvalReport, comparison?: EvalComparison): string {
  const t = report.totals;
  const checks = new Map<string, string>([
    [SCHEMA_GRADER.name, SCHEMA_GRADER.checks],
    ...HARD_GRADERS.map((g) => [g.name, g.checks] as const),
  ]);
  const graderRows = t.byGrader
    .map(
      (g) =>
        `<tr><td>${esc(g.grader)}</td><td>${esc(checks.get(g.grader) ?? '')}</td><td class="n">${pct(g.rate)}</td><td class="n">${g.passed}</td><td class="n">${g.failed}</td><td class="n">${g.skipped}</td></tr>`,
    )
    .join('');
  const planRows = report.scenarios
    .flatMap((s) =>
      s.runs.map(
        (r) =>
          `<tr class="${passedAll(r) ? 'ok' : 'bad'}"><td>${esc(s.name)}</td><td>${esc(s.stage)}</td><td class="n">${r.run}</td><td>${esc(r.writtenBy)}</td><td class="n">${r.latencyMs}</td><td class="n">${r.calls}</td><td class="n">${r.promptTokens}</td><td class="n">${r.completionTokens}</td>${report.graders
            .map((g) => {
              const v = r.grades.find((x) => x.grader === g)?.pass ?? null;
              return `<td class="${v === null ? 'skip' : v ? 'pass' : 'fail'}">${v === null ? '–' : v ? '✓' : '✗'}</td>`;
            })
            .join('')}</tr>`,
      ),
    )
    .join('');
  const failures = report.scenarios
    .flatMap((s) =>
      s.runs
        .filter((r) => !passedAll(r) || r.fallbackReason)
        .map(
          (r) =>
            `<li><b>${esc(s.name)}</b> (run ${r.run}, ${esc(s.description)})<ul>${r.fallbackReason ? `<li>fallback: ${esc(r.fallbackReason)}</li>` : ''}${r.grades
              .filter((g) => g.pass === false)
              .flatMap((g) => g.reasons.map((x) => `<li><code>${esc(g.grader)}</code>: ${esc(x)}</li>`))
              .join('')}</ul></li>`,
        ),
    )
    .join('');
  const compared = comparison
    ? `<h2>Compared with the earlier report</h2><table><tr><th>grader</th><th>before</th><th>after</th></tr>${comparison.byGrader
        .map(
          (g) =>
            `<tr><td>${esc(g.grader)}</td><td class="n">${g.before === null ? 'n/a' : pct(g.before)}</td><td class="n">${g.after === null ? 'n/a' : pct(g.after)}</td></tr>`,
        )
        .join(
          '',
        )}</table><p>Now failing: ${comparison.broke.map((x) => esc(`${x.scenario} / ${x.grader}`)).join(', ') || 'none'}. Now passing: ${
        comparison.fixed.map((x) => esc(`${x.scenario} / ${x.grader}`)).join(', ') || 'none'
      }.</p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Plan evaluation</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#181818}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
.n{text-align:right}.pass{color:#2e844a}.fail{color:#ba0517;font-weight:bold}.skip{color:#888}tr.bad td:first-child{border-left:4px solid #ba0517}code{background:#f3f3f3}</style></head>
<body><h1>Plan evaluation</h1>
<p>Planner <b>${esc(report.planner)}</b>${report.model ? `, model <b>${esc(report.model)}</b> (profile ${esc(report.profile)})` : ''}; ${report.scenarios.length} scenarios × ${report.repeat}; ${esc(report.generatedAt)}.
<b>${t.passedAll} of ${t.plans}</b> plans pass every grader; ${t.fallbacks} fallbacks; ${t.promptTokens} prompt and ${t.completionTokens} completion tokens; ${(t.durationMs / 1000).toFixed(1)} s.${
    report.repeat > 1 ? ` Spread over runs: ${t.spread.perRun.map(pct).join(', ')}.` : ''
  }</p>
${
  t.judge
    ? `<p>LLM judge (an opinion beside the hard graders): ${t.judge.passed} of ${t.judge.judged} judged plans pass; it agrees with the hard graders on ${pct(t.judge.agreement)} of them.</p>`
    : ''
}
<h2>Graders</h2><table><tr><th>grader</th><th>checks</th><th>pass rate</th><th>passed</th><th>failed</th><th>not graded</th></tr>${graderRows}</table>
${compared}
<h2>Failing plans and fallbacks</h2>${failures ? `<ul>${failures}</ul>` : '<p>None.</p>'}
<h2>Every plan</h2><table><tr><th>scenario</th><th>stage</th><th>run</th><th>by</th><th>ms</th><th>calls</th><th>prompt tokens</th><th>completion tokens</th>${report.graders.map((g) => `<th>${esc(g)}</th>`).join('')}</tr>${planRows}</table>
</body></html>
`;
}
