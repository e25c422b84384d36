-- Issue 25: the executor's hot path on a narrow queue table. Until now every claim and every completion rewrote a wide
-- workflow_tasks row (about 40 columns, 15 indexes; neither update could be HOT), and every UPDATE of workflow_tasks
-- captured a transition table for the NOTIFY trigger of 0002. docs/performance.md gives the counts before and after.
--
-- task_queue holds one row per AI task that is queued or running, and nothing else: the claim, the lease renewal, the
-- release and the lease sweep touch only it; workflow_tasks is written once when a run ends (result, status, and the
-- attempt count and worker copied back). A row here with a claim token is a running task; workflow_tasks keeps
-- `queued` until the run ends (readers ask liveExecutionStatus in db/tasks.ts).
CREATE TABLE task_queue (
  task_id      uuid        PRIMARY KEY REFERENCES workflow_tasks (id) ON DELETE CASCADE,
  -- The claim's order, copied from the task (priority 1 first, then oldest).
  priority     smallint    NOT NULL,
  created_at   timestamptz NOT NULL,
  run_after    timestamptz NOT NULL,
  attempts     integer     NOT NULL,
  max_attempts integer     NOT NULL,
  -- The claim: a fresh token per claim (the fence every write that ends a run checks), the worker, the lease on the
  -- database's clock.
  claim_token  uuid,
  claimed_by   text,
  locked_until timestamptz
) WITH (fillfactor = 50);
-- The only other index: the claim's order, over the unclaimed rows. Partial, so the claim walks only what it may take
-- and the planner picks this index even before the table has statistics (a queue filled and drained between two
-- autovacuum runs: without the predicate it estimated `claim_token IS NULL` at 0.5% and sorted a sequential scan,
-- 12 ms instead of 0.07 ms per claim on 10,000 rows). The claim leaves this index (one new entry, in the primary key);
-- a lease renewal changes no indexed column and is a HOT update (fillfactor 50 leaves room on the page). The lease
-- sweep reads the table, which holds only the backlog, never the finished tasks.
CREATE INDEX task_queue_order ON task_queue (priority, created_at) WHERE claim_token IS NULL;

-- The queued and running AI tasks of the previous version, with their claims: a worker that held one keeps it until
-- its lease expires (then the sweep re-queues it), exactly as before.
INSERT INTO task_queue (task_id, priority, created_at, run_after, attempts, max_attempts, claim_token, claimed_by, locked_until)
SELECT id, priority, created_at, run_after, attempts, max_attempts,
       CASE WHEN execution_status = 'running' THEN coalesce(claim_token, gen_random_uuid()) END,
       CASE WHEN execution_status = 'running' THEN claimed_by END,
       CASE WHEN execution_status = 'running' THEN coalesce(locked_until, now()) END
  FROM workflow_tasks
 WHERE auto_execute AND execution_status IN ('queued', 'running') AND status <> 'cancelled';
UPDATE workflow_tasks SET execution_status = 'queued' WHERE auto_execute AND execution_status = 'running';

-- The claim's state lives in task_queue now: the token, the lease and their index leave workflow_tasks.
DROP INDEX idx_tasks_running;
ALTER TABLE workflow_tasks DROP COLUMN claim_token, DROP COLUMN locked_until;

-- Every writer that makes an AI task queued (finalize, an approval, an operator's retry, a meeting booking, a
-- processor's follow-up task) or takes it out of the queue (a cancel, a re-plan, a CSM closing it) keeps task_queue in
-- step through this trigger, in its own transaction. A claimed row is never touched: its run ends through the
-- executor's own statements, which check the token.
CREATE FUNCTION sync_task_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.auto_execute AND NEW.execution_status = 'queued' AND NEW.status <> 'cancelled' THEN
    INSERT INTO task_queue (task_id, priority, created_at, run_after, attempts, max_attempts)
    VALUES (NEW.id, NEW.priority, NEW.created_at, NEW.run_after, NEW.attempts, NEW.max_attempts)
    -- A row already queued takes what this statement changed, nothing else: a retry's due time and attempt count
    -- live in task_queue and are not in step with workflow_tasks until the run ends.
    ON CONFLICT (task_id) DO UPDATE SET
      priority = EXCLUDED.priority,
      run_after = CASE WHEN NEW.run_after IS DISTINCT FROM OLD.run_after THEN EXCLUDED.run_after ELSE task_queue.run_after END,
      attempts = CASE WHEN NEW.attempts IS DISTINCT FROM OLD.attempts THEN EXCLUDED.attempts ELSE task_queue.attempts END
      WHERE task_queue.claim_token IS NULL;
  ELSE
    DELETE FROM task_queue WHERE task_id = NEW.id AND claim_token IS NULL;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER trg_task_queue_insert AFTER INSERT ON workflow_tasks
  FOR EACH ROW WHEN (NEW.auto_execute AND NEW.execution_status = 'queued') EXECUTE FUNCTION sync_task_queue();
CREATE TRIGGER trg_task_queue_update AFTER UPDATE OF auto_execute, execution_status, status, run_after, priority, attempts ON workflow_tasks
  FOR EACH ROW WHEN (OLD.execution_status = 'queued' OR NEW.execution_status = 'queued') EXECUTE FUNCTION sync_task_queue();

-- The wake-up moves to the queue: a row that becomes claimable and due (a new task, a release, a recovered lease, an
-- earlier run_after) notifies the executors. A row trigger with a WHEN that PostgreSQL checks without calling the
-- function: a claim (claim_token set) and a lease renewal (claim_token not in its SET list) never call it; PostgreSQL
-- folds identical notifications of one transaction into one. The statement triggers of 0002 on every UPDATE of
-- workflow_tasks, and their transition tables, go.
DROP TRIGGER trg_ai_tasks_queued_insert ON workflow_tasks;
DROP TRIGGER trg_ai_tasks_queued_update ON workflow_tasks;
DROP FUNCTION notify_ai_tasks_queued();
CREATE FUNCTION notify_task_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ai_tasks_queued', '');
  RETURN NULL;
END $$;
CREATE TRIGGER trg_task_queue_notify AFTER INSERT OR UPDATE OF claim_token, run_after ON task_queue
  FOR EACH ROW WHEN (NEW.claim_token IS NULL AND NEW.run_after <= now() + interval '1 second')
  EXECUTE FUNCTION notify_task_queue();
