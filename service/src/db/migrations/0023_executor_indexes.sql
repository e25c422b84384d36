-- Issue 25: every claim and every completion rewrites a workflow_tasks row and, since neither can be a HOT update (both
-- change execution_status, which the claim's, the lease's and the queue depth's partial indexes filter on), writes a
-- new entry into every index whose predicate the new row meets. Indexes no query reads are pure cost on that path.
-- docs/performance.md gives the measurements (pg_stat_user_indexes after bench:executor, EXPLAIN of each query).

-- No query filters on auto_execute alone: the queue depth, the operator views and the task list's AI filter read the
-- partial indexes WHERE auto_execute (idx_tasks_ai_status, idx_tasks_queue_recent, idx_tasks_last_errors) or a more
-- selective one (execution, opportunity). 0 scans under the bench and the scale bench's routes.
DROP INDEX idx_tasks_auto_execute;

-- Every reader of execution_status either also filters auto_execute (idx_tasks_ai_status answers it) or looks for
-- 'running' rows, which the partial index below holds (the completion, the lease renewal, the release, the sweep).
DROP INDEX idx_tasks_execution_status;

-- The running tasks by claim token (the completion, failure, deferral, lease renewal and release find their rows by
-- token), replacing the index on locked_until: the lease sweep reads the few running rows (at most workers × batch)
-- from this index and checks locked_until on each. locked_until is then in no index, so a lease renewal, which
-- changes nothing else, can be a HOT update (no index entry written).
DROP INDEX idx_tasks_running_lease;
CREATE INDEX idx_tasks_running ON workflow_tasks (claim_token) WHERE execution_status = 'running';

-- Subtasks by parent (the task list's subtasks, the ON DELETE CASCADE of the parent key): most tasks have no parent,
-- and every one of their row versions wrote a NULL entry here. `parent_task_id = x` / `IN (…)` imply IS NOT NULL.
DROP INDEX idx_tasks_parent;
CREATE INDEX idx_tasks_parent ON workflow_tasks (parent_task_id) WHERE parent_task_id IS NOT NULL;

-- Room on each page for a renewed lease's new row version next to the old one (a HOT update needs it on the same page).
ALTER TABLE workflow_tasks SET (fillfactor = 90);
