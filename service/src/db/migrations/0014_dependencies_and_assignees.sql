-- Issue 15: tasks that wait for other tasks, and tasks owned by a team role (resolved at finalize).

-- One row per "task waits for prerequisite", both tasks of the same plan. The claim skips an AI task while any of
-- its prerequisites is unfinished (a NOT EXISTS over these rows, in the claim's one statement); the plan view and the
-- completion of a CSM task read them the same way.
CREATE TABLE task_dependencies (
  task_id         uuid NOT NULL REFERENCES workflow_tasks (id) ON DELETE CASCADE,
  prerequisite_id uuid NOT NULL REFERENCES workflow_tasks (id) ON DELETE CASCADE,
  PRIMARY KEY (task_id, prerequisite_id),
  CHECK (task_id <> prerequisite_id)
);
-- A completion looks up the tasks waiting for it.
CREATE INDEX idx_task_dependencies_prerequisite ON task_dependencies (prerequisite_id);

-- Who owns a task, as finalize resolved the plan's team role: the role asked for (NULL: the opportunity owner), where
-- the owner came from, their name, and a note when the role could not be filled. A task given to a queue keeps a
-- person in assignee_user_id (notifications go to people) and the queue in assignee_queue_id (the Salesforce Task's
-- OwnerId).
ALTER TABLE workflow_tasks
  ADD COLUMN assignee_role     text,
  ADD COLUMN assignee_source   varchar(32) CHECK (assignee_source IN ('opportunity-team', 'account-team', 'queue', 'owner-fallback')),
  ADD COLUMN assignee_name     text,
  ADD COLUMN assignee_note     text,
  ADD COLUMN assignee_queue_id varchar(18);
