import { describe, expect, it } from 'vitest';
import { processorCatalog } from './catalog.ts';

describe('processor catalog', () => {
  it('rejects metadata keys a processor does not know, so no field outside the whitelist slips through', () => {
    const updater = processorCatalog['crm-opportunity-updater'].metadata;
    expect(updater.safeParse({ fields: { NextStep: 'Call', Description: null, Probability: null } }).success).toBe(true);
    const extra = updater.safeParse({ fields: { NextStep: 'Call', Description: null, Probability: null, Amount: 1 } });
    expect(extra.success).toBe(false);
    expect(JSON.stringify(extra.error?.issues)).toMatch(/Amount/);
    const reminder = processorCatalog['follow-up-reminder-creator'].metadata;
    expect(reminder.safeParse({ daysUntilReminder: 3, reminderMessage: 'x', reminderPriority: 2, relatedAction: 'y', shell: 'rm -rf /' }).success).toBe(false);
  });
});
