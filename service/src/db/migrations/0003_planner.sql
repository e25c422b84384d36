-- The LLM planner (issue 4): per AI task the exact Salesforce field changes shown before finalize, and the
-- difference of a plan version from the version it replaced.
ALTER TABLE action_plans
  ADD COLUMN change_details jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN diff           jsonb;
