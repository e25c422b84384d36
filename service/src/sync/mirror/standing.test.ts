import { describe, expect, it } from 'vitest';
import { mirrorStanding, type MirrorState } from './standing.ts';

const HOUR = 60 * 60_000;
const row = (over: Partial<MirrorState>): MirrorState => ({
  id: '00000000-0000-4000-8000-000000000001',
  key: 'csm-1',
  action: 'Call Eric',
  mirrorStatus: 'pending',
  mirrorError: null,
  mirrorRetryAt: null,
  mirrorWaitingSeconds: 5,
  ...over,
});

describe('mirrorStanding', () => {
  it('only counts a task waiting less than the stuck threshold, even after failed attempts', () => {
    const standing = mirrorStanding(
      [row({ mirrorError: 'UNABLE_TO_LOCK_ROW: busy', mirrorRetryAt: new Date(), mirrorWaitingSeconds: 600 })],
      HOUR,
    );
    expect(standing).toEqual({ synced: 0, pending: 1, failed: 0, stuck: [] });
  });

  it('reports a task waiting past the threshold with its real next retry from the backoff', () => {
    const retryAt = new Date('2026-12-01T10:00:00.000Z');
    const standing = mirrorStanding(
      [row({ mirrorError: 'SERVER_UNAVAILABLE: down', mirrorRetryAt: retryAt, mirrorWaitingSeconds: 2 * 3600 })],
      HOUR,
    );
    expect(standing.stuck).toEqual([
      {
        taskId: row({}).id,
        key: 'csm-1',
        action: 'Call Eric',
        reason: 'SERVER_UNAVAILABLE: down',
        retryAt: '2026-12-01T10:00:00.000Z',
        rejected: false,
      },
    ]);
  });

  it('reports a task Salesforce rejected at once, with no retry', () => {
    const standing = mirrorStanding(
      [row({ mirrorStatus: 'failed', mirrorError: 'FIELD_CUSTOM_VALIDATION_EXCEPTION: no', mirrorWaitingSeconds: null })],
      HOUR,
    );
    expect(standing.failed).toBe(1);
    expect(standing.stuck[0]).toMatchObject({ retryAt: null, rejected: true });
  });

  it('says a long-waiting task never tried yet is due at the next sync run (no retry time)', () => {
    const standing = mirrorStanding([row({ mirrorWaitingSeconds: 2 * 3600 })], HOUR);
    expect(standing.stuck[0]).toMatchObject({ reason: 'not copied yet', retryAt: null, rejected: false });
  });
});
