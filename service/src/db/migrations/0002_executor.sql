-- The AI task executor: wake-ups, lease recovery, email engagement tracking, provider webhooks and the
-- once-across-all-instances guard of the schedules.

-- Executors LISTEN on this channel; any statement that leaves an AI task queued and due (a finalize, a manual
-- execute, a lease recovery) wakes them at once. One notification per statement, not per row, so a bulk insert of
-- thousands of tasks costs one wake-up. Transition tables need one trigger per event.
CREATE FUNCTION notify_ai_tasks_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM queued_rows WHERE auto_execute AND execution_status = 'queued' AND run_after <= now() + interval '1 second') THEN
    PERFORM pg_notify('ai_tasks_queued', '');
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER trg_ai_tasks_queued_insert AFTER INSERT ON workflow_tasks
  REFERENCING NEW TABLE AS queued_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_ai_tasks_queued();
CREATE TRIGGER trg_ai_tasks_queued_update AFTER UPDATE ON workflow_tasks
  REFERENCING NEW TABLE AS queued_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_ai_tasks_queued();

-- The lease sweep looks only at running tasks.
CREATE INDEX idx_tasks_running_lease ON workflow_tasks (locked_until) WHERE execution_status = 'running';

-- One row per email the email-engagement-tracker watches (the monitoring record), updated as events arrive.
CREATE TABLE email_tracking (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  task_id        uuid         NOT NULL UNIQUE REFERENCES workflow_tasks (id) ON DELETE CASCADE,
  opportunity_id varchar(18)  NOT NULL,
  user_id        varchar(18),
  provider       varchar(16)  NOT NULL,
  email_id       text         NOT NULL,
  email_subject  text         NOT NULL,
  sent_to        text         NOT NULL,
  track_opens    boolean      NOT NULL,
  track_clicks   boolean      NOT NULL,
  notify_on_open boolean      NOT NULL,
  opens          integer      NOT NULL DEFAULT 0,
  clicks         integer      NOT NULL DEFAULT 0,
  replies        integer      NOT NULL DEFAULT 0,
  first_opened_at timestamptz,
  last_event_at  timestamptz,
  created_at     timestamptz  NOT NULL DEFAULT now(),
  updated_at     timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX idx_email_tracking_email ON email_tracking (email_id);

-- Provider events, stored once: `dedupe_key` is the provider's event id (SendGrid sg_event_id) or the signed
-- token (Mailgun), so a replayed request stores and counts nothing.
CREATE TABLE webhook_events (
  id          bigserial PRIMARY KEY,
  provider    varchar(16)  NOT NULL,
  dedupe_key  text         NOT NULL,
  event       varchar(32)  NOT NULL,
  email_id    text,
  occurred_at timestamptz,
  payload     jsonb        NOT NULL,
  received_at timestamptz  NOT NULL DEFAULT now(),
  UNIQUE (provider, dedupe_key)
);

-- A schedule fires once per slot across all instances: the first instance to insert the slot runs it.
CREATE TABLE schedule_runs (
  name        varchar(64)  NOT NULL,
  slot        timestamptz  NOT NULL,
  ran_by      text         NOT NULL,
  started_at  timestamptz  NOT NULL DEFAULT now(),
  finished_at timestamptz,
  result      jsonb,
  PRIMARY KEY (name, slot)
);
