-- Re-planning a finalized plan (issue 4): per task key of a new version, the task of the finalized version it
-- carries over (the row finalize re-points, keeping its Salesforce Task) and what the CSM had done to it.
ALTER TABLE action_plans ADD COLUMN carried jsonb NOT NULL DEFAULT '{}';
