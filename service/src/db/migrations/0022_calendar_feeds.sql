-- Per-CSM calendar feeds (issue 26): a private iCalendar subscription URL per Salesforce user. Only the SHA-256 of
-- the URL's token is stored, so a database read does not give anyone a working URL. Revoking sets revoked_at;
-- creating a new one revokes the user's others (a rotation).
CREATE TABLE calendar_feeds (
  id          uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     varchar(18)  NOT NULL,
  token_hash  bytea        NOT NULL UNIQUE,
  created_at  timestamptz  NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX calendar_feeds_user ON calendar_feeds (user_id) WHERE revoked_at IS NULL;

-- What each feed item looked like when last served, so its SEQUENCE moves on when it changes (RFC 5545 3.8.7.4):
-- calendar clients take a higher SEQUENCE as the newer version of the same UID.
CREATE TABLE calendar_feed_items (
  user_id      varchar(18)  NOT NULL,
  uid          text         NOT NULL,
  fingerprint  text         NOT NULL,
  sequence     integer      NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, uid)
);
