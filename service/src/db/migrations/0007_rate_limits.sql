-- Bounds on plan generation (issue 9): one row per limited key (a user, an execution), shared by every instance.
-- `tat` is the generic cell rate algorithm's "theoretical arrival time": the key is allowed a request while
-- tat + interval stays within one window of now; each allowed request moves tat on by one interval.
CREATE TABLE rate_limits (
  key  text        PRIMARY KEY,
  tat  timestamptz NOT NULL
);
