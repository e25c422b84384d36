-- Salesforce Tasks that carry a plan task's key but are not the Task the mirror wrote (issue 21): another Id than the
-- stored salesforce_task_id, or another WhatId than the plan's opportunity. The completion pull never applies them;
-- it records them here, once per Salesforce Task, for the operator (`npm run tasks -- mirrors`) and the metrics.
CREATE TABLE salesforce_task_skips (
  salesforce_task_id  varchar(18) PRIMARY KEY,
  action_plan_task_id uuid        NOT NULL,
  what_id             varchar(18),
  reason              text        NOT NULL CHECK (reason IN ('not-the-mirrored-task', 'other-opportunity')),
  status              text,
  times_seen          integer     NOT NULL DEFAULT 1,
  first_seen_at       timestamptz NOT NULL DEFAULT now(),
  last_seen_at        timestamptz NOT NULL DEFAULT now()
);
