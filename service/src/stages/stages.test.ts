import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStages, renewalStageFor, STAGE_IDS } from './stages.ts';

const stages = loadStages();

describe('renewal stages', () => {
  it.each([
    [400, 'Monitor'],
    [180, 'Monitor'],
    [179, 'Discovery'],
    [165, 'Discovery'],
    [150, 'Discovery'],
    [149, 'Prepare'],
    [120, 'Prepare'],
    [119, 'Engage'],
    [90, 'Engage'],
    [89, 'Negotiate'],
    [60, 'Negotiate'],
    [59, 'Finalize'],
    [30, 'Finalize'],
    [29, 'Signature'],
    [15, 'Signature'],
    [14, 'Critical'],
    [7, 'Critical'],
    [6, 'Emergency'],
    [0, 'Emergency'],
    [-1, 'Overdue'],
    [-400, 'Overdue'],
  ])('%i days to renewal is %s', (days, stage) => {
    expect(renewalStageFor(days, stages).id).toBe(stage);
  });

  it('has ten stages, each pointing at the next, the last with none', () => {
    const table = stages;
    expect(table.map((s) => s.id)).toEqual([...STAGE_IDS]);
    table.slice(0, -1).forEach((s, i) => expect(s.nextStage?.id).toBe(table[i + 1]!.id));
    expect(table.at(-1)!.nextStage).toBeNull();
    expect(table.find((s) => s.id === 'Discovery')!.nextStage!.triggerDaysToRenewal).toBe(140);
  });

  it("names each stage's next stage from the table", () => {
    const renamed = structuredClone(stages);
    renamed[2]!.name = 'Preparation';
    const dir = mkdtempSync(join(tmpdir(), 'stages-'));
    const file = join(dir, 'stages.json');
    writeFileSync(file, JSON.stringify({ stages: renamed }));
    expect(loadStages(file as unknown as URL).find((s) => s.id === 'Discovery')!.nextStage).toEqual({
      id: 'Prepare',
      name: 'Preparation',
      triggerDaysToRenewal: 140,
    });
  });

  it('rejects a configuration with a gap between windows, naming the stage', () => {
    const raw = { stages: structuredClone(stages) };
    raw.stages[2]!.maxDays = 140; // Prepare would end at 140 while Discovery starts at 150
    const dir = mkdtempSync(join(tmpdir(), 'stages-'));
    const file = join(dir, 'stages.json');
    writeFileSync(file, JSON.stringify(raw));
    expect(() => loadStages(file as unknown as URL)).toThrowError(/stages\.1: windows must be contiguous/);
  });
});
