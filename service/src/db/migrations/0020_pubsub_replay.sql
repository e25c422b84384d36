-- Change Data Capture through the Pub/Sub API (issue 27): the replay id of the last change event the subscriber
-- applied, per channel, so a restarted (or newly elected) subscriber resumes after it. `event_at` is the commit time
-- of that event (or of the keepalive that carried the id), what the replay-age metric reads: Salesforce keeps change
-- events 72 hours, an id older than that can no longer be replayed.
CREATE TABLE pubsub_replay (
  channel    text        PRIMARY KEY,
  replay_id  bytea       NOT NULL,
  event_at   timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
