-- Notifications the CSM also gets in Salesforce (the bell, desktop and mobile) through the customNotificationAction
-- standard action. The in-service notification list stays as it is; these columns track the Salesforce copy.
-- salesforce_state: NULL = not looked at yet; 'sending' = claimed by an instance; 'sent'; 'skipped' (not a kind sent to
-- Salesforce, or turned off); 'failed' (given up, salesforce_error says why).
ALTER TABLE notifications
  ADD COLUMN salesforce_state      varchar(16) CHECK (salesforce_state IN ('sending', 'sent', 'skipped', 'failed')),
  ADD COLUMN salesforce_attempts   integer     NOT NULL DEFAULT 0,
  ADD COLUMN salesforce_error      text,
  ADD COLUMN salesforce_updated_at timestamptz;

-- What is already there was said in the service only: nothing old is sent to Salesforce after an upgrade.
UPDATE notifications SET salesforce_state = 'skipped';

CREATE INDEX idx_notifications_salesforce_due ON notifications (created_at)
  WHERE salesforce_state IS NULL OR salesforce_state = 'sending';
