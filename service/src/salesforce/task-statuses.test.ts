import { describe, expect, it } from 'vitest';
import { STANDARD_TASK_STATUSES, taskStatusesFor } from './task-statuses.ts';

const row = (ApiName: string, IsClosed = false, IsDefault = false) => ({ ApiName, IsClosed, IsDefault });

describe('taskStatusesFor', () => {
  it('keeps the standard values in an org that has them', () => {
    const rows = Object.values(STANDARD_TASK_STATUSES).map((v) => row(v, v === 'Completed', v === 'Not Started'));
    expect(taskStatusesFor(rows)).toEqual(STANDARD_TASK_STATUSES);
  });

  it("maps a customised picklist by meaning: the default open value, the first closed, a value naming 'wait'", () => {
    const rows = [row('Open', false, true), row('In Progress'), row('Waiting on Customer'), row('Done', true), row('Dropped', true)];
    expect(taskStatusesFor(rows)).toEqual({
      pending: 'Open',
      inProgress: 'In Progress',
      completed: 'Done',
      waiting: 'Waiting on Customer',
      deferred: 'Dropped',
    });
  });

  it('lets configuration override any state, and falls back to the nearest meaning without one', () => {
    const rows = [row('Offen', false, true), row('Erledigt', true)];
    expect(taskStatusesFor(rows, { deferred: 'Offen' })).toEqual({
      pending: 'Offen',
      inProgress: 'Offen',
      completed: 'Erledigt',
      waiting: 'Offen',
      deferred: 'Offen',
    });
  });

  it('refuses an org with no closed status unless configured', () => {
    expect(() => taskStatusesFor([row('Open', false, true)])).toThrow(/TASK_STATUS_MAP/);
    expect(taskStatusesFor([row('Open', false, true)], { completed: 'Open' }).completed).toBe('Open');
  });
});
