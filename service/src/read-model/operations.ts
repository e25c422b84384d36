/** What the metrics route reads at scrape time: the shared queues' depth and age, skipped Tasks, change-event positions. */
export { oldestPendingMirrorSeconds } from '../db/mirror-queue.ts';
export { replayPositions } from '../db/pubsub-replay.ts';
export { queueDepth } from '../db/queue.ts';
export { skippedSalesforceTaskCounts } from '../db/task-provenance.ts';
