-- Renewal Action Plans: executions, versioned plans, tasks (which are also the AI task queue),
-- scheduled next-stage workflows, notifications, and sync cursors.

CREATE TABLE workflow_executions (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  opportunity_id   varchar(18)  NOT NULL,
  account_id       varchar(18),
  opportunity_name text         NOT NULL,
  account_name     text,
  stage            varchar(32)  NOT NULL,
  urgency          varchar(16)  NOT NULL,
  renewal_date     date         NOT NULL,
  days_to_renewal  integer      NOT NULL,
  status           varchar(32)  NOT NULL DEFAULT 'in_progress'
                   CHECK (status IN ('in_progress', 'completed', 'cancelled')),
  steps            jsonb        NOT NULL DEFAULT '[]',
  started_by       varchar(18)  NOT NULL,
  csm_user_id      varchar(18),
  created_at       timestamptz  NOT NULL DEFAULT now(),
  updated_at       timestamptz  NOT NULL DEFAULT now()
);
-- One live execution per opportunity and stage: starting twice returns the same one.
CREATE UNIQUE INDEX idx_executions_stage ON workflow_executions (opportunity_id, stage) WHERE status <> 'cancelled';
CREATE INDEX idx_executions_opportunity ON workflow_executions (opportunity_id, created_at DESC);

CREATE TABLE action_plans (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  execution_id   uuid         NOT NULL REFERENCES workflow_executions (id) ON DELETE CASCADE,
  version        integer      NOT NULL,
  status         varchar(16)  NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'finalized', 'superseded')),
  planner        varchar(16)  NOT NULL,
  planner_note   text,
  content        jsonb        NOT NULL,
  context        jsonb        NOT NULL,
  -- per AI task key: the Salesforce change it will make, in words (shown before finalize)
  changes        jsonb        NOT NULL DEFAULT '{}',
  generation     jsonb        NOT NULL DEFAULT '{}',
  created_by     varchar(18)  NOT NULL,
  created_at     timestamptz  NOT NULL DEFAULT now(),
  finalized_by   varchar(18),
  finalized_at   timestamptz,
  finalize_edits jsonb,
  UNIQUE (execution_id, version)
);
CREATE UNIQUE INDEX idx_plans_one_finalized ON action_plans (execution_id) WHERE status = 'finalized';

CREATE TABLE workflow_tasks (
  id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  action_plan_id            uuid         NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
  execution_id              uuid         NOT NULL REFERENCES workflow_executions (id) ON DELETE CASCADE,
  opportunity_id            varchar(18)  NOT NULL,
  plan_task_key             varchar(64)  NOT NULL,
  owner                     varchar(16)  NOT NULL CHECK (owner IN ('AI', 'CSM', 'Customer')),
  action                    text         NOT NULL,
  description               text         NOT NULL DEFAULT '',
  priority                  smallint     NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5),
  due_date                  date,
  status                    varchar(32)  NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'in_progress', 'completed', 'snoozed', 'cancelled')),
  snoozed_until             timestamptz,
  completed_at              timestamptz,
  contact_id                varchar(18),
  assignee_user_id          varchar(18),
  metadata                  jsonb        NOT NULL DEFAULT '{}',
  evidence                  jsonb        NOT NULL DEFAULT '[]',
  -- columns of the product's documented schema
  auto_execute              boolean      NOT NULL DEFAULT false,
  processor                 varchar(255),
  execution_status          varchar(50)  CHECK (execution_status IN ('queued', 'running', 'success', 'failed')),
  execution_result          jsonb,
  executed_at               timestamp,
  parent_task_id            uuid         REFERENCES workflow_tasks (id) ON DELETE CASCADE,
  estimated_completion_time varchar(50),
  complexity                varchar(50)  CHECK (complexity IN ('simple', 'moderate', 'complex')),
  -- queue columns for the executor
  execute_immediately       boolean      NOT NULL DEFAULT false,
  attempts                  integer      NOT NULL DEFAULT 0,
  max_attempts              integer      NOT NULL DEFAULT 3,
  run_after                 timestamptz  NOT NULL DEFAULT now(),
  locked_until              timestamptz,
  claim_token               uuid,
  claimed_by                text,
  last_error                text,
  -- Salesforce mirror
  salesforce_task_id        varchar(18),
  mirror_status             varchar(16)  NOT NULL DEFAULT 'pending' CHECK (mirror_status IN ('pending', 'synced', 'failed', 'skipped')),
  mirror_error              text,
  mirror_attempts           integer      NOT NULL DEFAULT 0,
  mirrored_at               timestamptz,
  created_at                timestamptz  NOT NULL DEFAULT now(),
  updated_at                timestamptz  NOT NULL DEFAULT now(),
  UNIQUE (action_plan_id, plan_task_key)
);
CREATE INDEX idx_tasks_parent ON workflow_tasks (parent_task_id);
CREATE INDEX idx_tasks_auto_execute ON workflow_tasks (auto_execute);
CREATE INDEX idx_tasks_execution_status ON workflow_tasks (execution_status);
CREATE INDEX idx_tasks_claimable ON workflow_tasks (priority, created_at)
  WHERE auto_execute AND execution_status = 'queued';
CREATE INDEX idx_tasks_opportunity ON workflow_tasks (opportunity_id, created_at);
CREATE INDEX idx_tasks_plan ON workflow_tasks (action_plan_id);
CREATE INDEX idx_tasks_mirror_pending ON workflow_tasks (created_at) WHERE mirror_status = 'pending';
CREATE INDEX idx_tasks_snoozed ON workflow_tasks (snoozed_until) WHERE status = 'snoozed';

CREATE TABLE scheduled_workflows (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  source_execution_id  uuid         NOT NULL REFERENCES workflow_executions (id) ON DELETE CASCADE,
  source_plan_id       uuid         NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
  opportunity_id       varchar(18)  NOT NULL,
  stage                varchar(32)  NOT NULL,
  name                 text         NOT NULL,
  trigger_date         date         NOT NULL,
  conditions           jsonb        NOT NULL DEFAULT '[]',
  status               varchar(16)  NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'started', 'cancelled')),
  started_execution_id uuid         REFERENCES workflow_executions (id),
  created_at           timestamptz  NOT NULL DEFAULT now(),
  updated_at           timestamptz  NOT NULL DEFAULT now(),
  UNIQUE (source_plan_id)
);
CREATE INDEX idx_scheduled_due ON scheduled_workflows (trigger_date) WHERE status = 'scheduled';

CREATE TABLE notifications (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id        varchar(18)  NOT NULL,
  opportunity_id varchar(18),
  task_id        uuid         REFERENCES workflow_tasks (id) ON DELETE CASCADE,
  plan_id        uuid         REFERENCES action_plans (id) ON DELETE CASCADE,
  kind           varchar(64)  NOT NULL,
  title          text         NOT NULL,
  body           text         NOT NULL DEFAULT '',
  dedupe_key     text         UNIQUE,
  read_at        timestamptz,
  created_at     timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX idx_notifications_user ON notifications (user_id, created_at DESC);

-- Cursors of background synchronisations (for example the Salesforce Task status poll).
CREATE TABLE sync_state (
  name       text PRIMARY KEY,
  value      jsonb       NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
