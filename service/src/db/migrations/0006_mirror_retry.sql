-- Issue 9: a task's copy to Salesforce is retried for ever, with a capped backoff, instead of giving up after ten
-- attempts; how long it has been waiting is tracked so a stuck one is reported (log, notification, metric, CLI).

-- When the next attempt is due (NULL = at the next sync run).
ALTER TABLE workflow_tasks ADD COLUMN mirror_retry_at timestamptz;
-- Since when the task's current state has been waiting to reach Salesforce (NULL unless mirror_status = 'pending').
ALTER TABLE workflow_tasks ADD COLUMN mirror_pending_since timestamptz;

UPDATE workflow_tasks SET mirror_pending_since = updated_at WHERE mirror_status = 'pending';
-- Tasks the old ten-attempt limit left behind are due again.
UPDATE workflow_tasks SET mirror_attempts = 0 WHERE mirror_status = 'pending';

-- Every statement that makes a task pending (finalize, a CSM's edit, an AI task's result, resurfacing, a cancel...)
-- starts its wait; leaving pending ends it. One trigger instead of a rule each writer must remember.
CREATE FUNCTION track_mirror_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.mirror_status = 'pending' THEN
    IF TG_OP = 'INSERT' OR OLD.mirror_status IS DISTINCT FROM 'pending' THEN
      NEW.mirror_pending_since := now();
      NEW.mirror_retry_at := NULL;
    END IF;
  ELSE
    NEW.mirror_pending_since := NULL;
    NEW.mirror_retry_at := NULL;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER trg_tasks_mirror_pending BEFORE INSERT OR UPDATE OF mirror_status ON workflow_tasks
  FOR EACH ROW EXECUTE FUNCTION track_mirror_pending();

CREATE INDEX idx_tasks_mirror_waiting ON workflow_tasks (mirror_pending_since) WHERE mirror_status = 'pending';
