import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STAGE_IDS } from '../../stages/stages.ts';
import { loadWorkflows } from './workflows.ts';

const workflows = loadWorkflows();

const CONFIG = new URL('../../../../config/workflows.json', import.meta.url);
const EXPECTED_STEPS: Record<string, string[]> = {
  Monitor: ['account-health', 'stakeholder-mapping', 'recommendations', 'action-plan'],
  Discovery: ['csm-assessment', 'contract-analysis', 'pricing-strategy', 'stakeholder-mapping', 'recommendations', 'action-plan'],
  Prepare: ['open-tasks-review', 'value-case', 'pricing-strategy', 'stakeholder-mapping', 'recommendations', 'action-plan'],
  Engage: ['open-tasks-review', 'stakeholder-mapping', 'objection-log', 'recommendations', 'action-plan'],
  Negotiate: ['open-tasks-review', 'pricing-finalization', 'objection-log', 'contract-analysis', 'recommendations', 'action-plan'],
  Finalize: ['open-tasks-review', 'contract-analysis', 'paperwork-status', 'recommendations', 'action-plan'],
  Signature: ['open-tasks-review', 'paperwork-status', 'stakeholder-mapping', 'recommendations', 'action-plan'],
  Critical: ['open-tasks-review', 'csm-assessment', 'escalation-path', 'paperwork-status', 'recommendations', 'action-plan'],
  Emergency: ['open-tasks-review', 'escalation-path', 'contract-analysis', 'recommendations', 'action-plan'],
  Overdue: ['open-tasks-review', 'churn-risk', 'csm-assessment', 'escalation-path', 'recommendations', 'action-plan'],
};

/** Writes a modified copy of the shipped configuration and loads it. */
function loadVariant(change: (config: any) => void) {
  const config = JSON.parse(readFileSync(CONFIG, 'utf8'));
  change(config);
  const file = join(mkdtempSync(join(tmpdir(), 'rap-workflows-')), 'workflows.json');
  writeFileSync(file, JSON.stringify(config));
  return () => loadWorkflows(file);
}

describe('the workflow configuration', () => {
  it.each(STAGE_IDS.map((s) => [s]))('the %s workflow has its configured steps, ending in the action plan', (stage) => {
    const w = workflows.find((x) => x.stage === stage)!;
    expect(w.steps.map((s) => s.id)).toEqual(EXPECTED_STEPS[stage]);
    expect(w.steps.at(-1)!.definition.type).toBe('planning');
  });

  it('Discovery asks the CSM for the assessment and analyses the rest', () => {
    const d = workflows.find((x) => x.stage === 'Discovery')!;
    expect(d.steps.map((s) => `${s.name}:${s.definition.type}`)).toEqual([
      'CSM Assessment:input',
      'Contract Analysis:analysis',
      'Pricing Strategy:analysis',
      'Stakeholder Mapping:analysis',
      'Recommendations:review',
      'Action Plan:planning',
    ]);
  });

  it('renames a step per workflow', () => {
    expect(workflows.find((x) => x.stage === 'Negotiate')!.steps.find((s) => s.id === 'contract-analysis')!.name).toBe('Terms Review');
  });

  it('rejects an unknown step, naming it', () => {
    expect(loadVariant((c) => c.workflows[1].steps.splice(0, 1, { step: 'crystal-ball' }))).toThrowError(
      /workflows\.1\.steps\.0\.step: unknown step "crystal-ball"/,
    );
  });
  it('rejects a workflow that does not end in the action plan', () => {
    expect(loadVariant((c) => c.workflows[2].steps.pop())).toThrowError(/the Prepare workflow must end with the action-plan step/);
  });
  it('rejects a missing stage and a duplicated one', () => {
    expect(loadVariant((c) => (c.workflows[3].stage = 'Prepare'))).toThrowError(
      /stage Prepare has 2 workflows[\s\S]*stage Engage has no workflow/,
    );
  });
  it('rejects a step listed twice', () => {
    expect(loadVariant((c) => c.workflows[0].steps.unshift({ step: 'recommendations' }))).toThrowError(
      /step "recommendations" appears twice in Monitor/,
    );
  });
});
