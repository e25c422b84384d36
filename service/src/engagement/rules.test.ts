import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEngagementRules, ruleFor } from './rules.ts';

const write = (content: unknown) => {
  const file = join(mkdtempSync(join(tmpdir(), 'rules-')), 'engagement-rules.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
};
const base = {
  noOpenAfterBusinessDays: 3,
  completeOn: ['reply'],
  followUpOn: [],
  followUpDueInBusinessDays: 1,
  onBounce: 'propose-contact-update',
};

describe('engagement rules configuration', () => {
  it('loads the shipped rules: a stage overrides the default field by field', () => {
    const rules = loadEngagementRules();
    expect(ruleFor(rules, 'Discovery')).toMatchObject({ noOpenAfterBusinessDays: 3, completeOn: ['reply'], followUpOn: [] });
    expect(ruleFor(rules, 'Critical')).toMatchObject({ noOpenAfterBusinessDays: 1, followUpOn: ['click'], followUpDueInBusinessDays: 0 });
    expect(ruleFor(rules, 'Engage')).toEqual(rules.default);
  });

  it('refuses a bad file at startup, naming the entry', () => {
    expect(() => loadEngagementRules(write({ default: { ...base, noOpenAfterBusinessDays: 0 }, stages: {} }))).toThrow(
      /default\.noOpenAfterBusinessDays/,
    );
    expect(() => loadEngagementRules(write({ default: base, stages: { Discovry: {} } }))).toThrow(
      /at stages: Unrecognized key: "Discovry"/,
    );
    expect(() => loadEngagementRules(write({ default: base, stages: { Discovery: { completeOn: ['bounce'] } } }))).toThrow(
      /stages\.Discovery\.completeOn\.0/,
    );
    expect(() => loadEngagementRules(write({ default: { ...base, unknown: true }, stages: {} }))).toThrow(/Unrecognized key/);
  });
});
