import { recordProviderEvents, type EngagementKind, type ProviderEvent } from '../db/email-tracking.ts';
import type { Deps } from '../deps.ts';
import { applyEngagementEvents } from '../engagement/engine.ts';

export type { EngagementKind, ProviderEvent };

/**
 * Stores a batch of email provider events (whole or not at all; a replayed event is a duplicate), then runs the
 * engagement rules of the emails they moved. If the rules fail, the stored state stays and the rules' schedule
 * applies it at its next run.
 */
export async function recordEmailEvents(
  deps: Deps,
  events: { event: ProviderEvent; kind: EngagementKind | undefined }[],
): Promise<('stored' | 'duplicate')[]> {
  const { results, trackingIds } = await recordProviderEvents(deps.db.sql, events, deps.now());
  await applyEngagementEvents(deps, trackingIds).catch((err: Error) =>
    deps.log.warn('engagement rules deferred to their schedule', { count: trackingIds.length, error: err.message }),
  );
  return results;
}
