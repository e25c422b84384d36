-- Draft plans asked for in bulk (issue 15): a bulk start with `generate: true` queues one row per execution instead of
-- generating 200 plans inside the request; the plan-generation schedule works through them under the generation
-- rate limits. One row per execution: asking again while one waits or after it ran queues nothing more.
CREATE TABLE plan_generation_requests (
  execution_id  uuid        PRIMARY KEY REFERENCES workflow_executions (id) ON DELETE CASCADE,
  requested_by  varchar(18) NOT NULL,
  status        text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  attempts      integer     NOT NULL DEFAULT 0,
  run_after     timestamptz NOT NULL,
  lease_until   timestamptz,
  plan_id       uuid,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- What the schedule claims: the waiting rows, oldest first (and running ones whose lease ran out).
CREATE INDEX plan_generation_requests_due ON plan_generation_requests (run_after) WHERE status IN ('queued', 'running');
