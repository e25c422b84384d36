-- Issue 16: customer engagement drives the plan. The engagement rules (config/engagement-rules.json) act on tracked
-- emails; each rule fires once per email and condition, however many instances evaluate it at once.

-- When the email was sent, on the service's clock (a pinned clock in tests and the demo), and its bounces.
ALTER TABLE email_tracking
  ADD COLUMN sent_at       timestamptz,
  ADD COLUMN bounces       integer NOT NULL DEFAULT 0,
  ADD COLUMN bounced_at    timestamptz,
  ADD COLUMN bounce_reason text;

-- One row per rule that fired: the unique key makes a rule fire once per (email, rule, condition) even when
-- several instances run the schedule, or a webhook and the schedule, at the same moment.
CREATE TABLE engagement_rule_firings (
  id             bigserial PRIMARY KEY,
  -- '<source>:<email id>': sendgrid/mailgun/none for emails the tracker watches, salesforce for EmailMessage records
  email_key      text         NOT NULL,
  rule           varchar(32)  NOT NULL,
  condition      varchar(64)  NOT NULL,
  opportunity_id varchar(18)  NOT NULL,
  action_plan_id uuid         NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
  -- the task the rule created or completed
  task_id        uuid         REFERENCES workflow_tasks (id) ON DELETE SET NULL,
  explanation    text         NOT NULL,
  fired_at       timestamptz  NOT NULL,
  UNIQUE (email_key, rule, condition)
);
CREATE INDEX idx_rule_firings_plan ON engagement_rule_firings (action_plan_id);

-- Why the service added or changed a task on its own (an engagement rule), shown on the task in the plan; and an AI
-- task proposed after finalize that runs only once the CSM approves it (it has no execution status until then).
ALTER TABLE workflow_tasks
  ADD COLUMN explanation       text,
  ADD COLUMN awaiting_approval boolean NOT NULL DEFAULT false;
