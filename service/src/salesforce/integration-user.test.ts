import { describe, expect, it } from 'vitest';
import { accessGaps, RECORD_OBJECTS, SALESFORCE_CALLS } from './integration-user.ts';

/** Describes of the record objects that give every field the calls use, all creatable and updatable. */
function fullAccess(): Map<string, { name: string; createable: boolean; updateable: boolean }[]> {
  const describes = new Map(RECORD_OBJECTS.map((o) => [o, [] as { name: string; createable: boolean; updateable: boolean }[]]));
  for (const use of SALESFORCE_CALLS.flatMap((c) => c.uses))
    for (const name of use.fields) describes.get(use.object)?.push({ name, createable: true, updateable: true });
  return describes;
}

describe('accessGaps (the doctor’s permissions line)', () => {
  it('finds nothing missing when describe gives every field the calls use', () => {
    expect(accessGaps(fullAccess())).toEqual([]);
  });

  it('names the essential call that cannot read a field field-level security hides (absent from describe)', () => {
    const describes = fullAccess();
    describes.set(
      'Task',
      describes.get('Task')!.filter((f) => f.name !== 'Action_Plan_Task_Id__c'),
    );
    const gaps = accessGaps(describes);
    expect(gaps.length).toBeGreaterThan(0);
    expect(gaps.every((g) => g.field === 'Task.Action_Plan_Task_Id__c' && g.need === 'read')).toBe(true);
    expect(gaps.some((g) => g.call.essential && /mirror/.test(g.call.site))).toBe(true);
  });

  it('names the AI task that cannot write a field it changes (describe: not updateable)', () => {
    const describes = fullAccess();
    describes.set(
      'Opportunity',
      describes.get('Opportunity')!.map((f) => (f.name === 'Primary_Contact__c' ? { ...f, updateable: false } : f)),
    );
    expect(accessGaps(describes).map((g) => [g.call.site, g.field, g.need, g.call.essential ?? false])).toEqual([
      ['processors/salesforce-contact-updater', 'Opportunity.Primary_Contact__c', 'edit', false],
    ]);
  });

  it('leaves out the calls made only with a feature or a setting (the Renewal Date field, unless configured)', () => {
    const describes = fullAccess();
    describes.set(
      'Opportunity',
      describes.get('Opportunity')!.filter((f) => f.name !== 'Renewal_Date__c'),
    );
    expect(accessGaps(describes)).toEqual([]);
  });
});
