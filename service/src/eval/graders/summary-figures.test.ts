import { describe, expect, it } from 'vitest';
import { subject } from './grader.fixture.ts';
import { summaryFiguresGrader } from './summary-figures.ts';

describe('summary figures grader', () => {
  it("passes the CRM's figures, also rounded as a writer would", () =>
    expect(
      summaryFiguresGrader.grade(subject((p) => p.summary.keyDecisions.push('Protect the $265k renewal (ARR $248,000 today).'))),
    ).toEqual([]));
  it('fails an invented amount', () =>
    expect(summaryFiguresGrader.grade(subject((p) => p.summary.keyDecisions.push('Upsell to $400,000.')))).toEqual([
      expect.stringMatching(/^keyDecisions\.\d+: \$400,000 is not a figure of the CRM/),
    ]));
  it('fails a labelled metric that misstates the CRM', () => {
    const reasons = summaryFiguresGrader.grade(
      subject((p) => {
        p.summary.keyMetrics.find((m) => m.label === 'Days to renewal')!.value = '120';
        p.summary.keyMetrics.find((m) => m.label === 'Stakeholders')!.value = '7';
      }),
    );
    expect(reasons).toEqual([
      expect.stringMatching(/"Days to renewal": 120, but the CRM's days to renewal is 165/),
      expect.stringMatching(/"Stakeholders": 7, but the CRM's contact role count is 2/),
    ]);
  });
});
