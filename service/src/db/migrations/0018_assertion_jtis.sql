-- Signed user assertions (issue 21): the jti of every accepted assertion, kept until the assertion could no longer be
-- accepted anyway (exp plus the leeway), so a replayed one is refused by every instance. The primary key decides:
-- of two instances inserting the same jti at once, exactly one inserts it.
CREATE TABLE assertion_jtis (
  jti            text        PRIMARY KEY,
  user_id        varchar(18) NOT NULL,
  accepted_until timestamptz NOT NULL
);

-- What the pruning deletes: the rows whose assertion has expired.
CREATE INDEX assertion_jtis_accepted_until ON assertion_jtis (accepted_until);
