import { describe, expect, it } from 'vitest';
import { processorRegistry } from './registry.ts';

describe('processor registry', () => {
  it('rejects metadata keys a processor does not know, so no field outside the whitelist slips through', () => {
    const updater = processorRegistry.get('crm-opportunity-updater')!.metadata;
    expect(updater.safeParse({ fields: { NextStep: 'Call', Description: null, Probability: null } }).success).toBe(true);
    const extra = updater.safeParse({ fields: { NextStep: 'Call', Description: null, Probability: null, Amount: 1 } });
    expect(extra.success).toBe(false);
    expect(JSON.stringify(extra.error?.issues)).toMatch(/Amount/);
    const reminder = processorRegistry.get('follow-up-reminder-creator')!.metadata;
    expect(
      reminder.safeParse({ daysUntilReminder: 3, reminderMessage: 'x', reminderPriority: 2, relatedAction: 'y', shell: 'rm -rf /' })
        .success,
    ).toBe(false);
  });
});
