-- Traces (issue 28): the W3C traceparent of the request that finalized a plan, kept with the plan and with each task
-- it created, so an AI task's run (a span in another trace, later, in any instance) links to the CSM's click.
ALTER TABLE action_plans ADD COLUMN trace_parent text;
ALTER TABLE workflow_tasks ADD COLUMN trace_parent text;
