-- The book of renewals (issue 16): the portfolio reads each page's last email engagement by opportunity.
CREATE INDEX idx_email_tracking_opportunity ON email_tracking (opportunity_id, last_event_at);
