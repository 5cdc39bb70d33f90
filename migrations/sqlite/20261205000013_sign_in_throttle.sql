-- Sign-in failures per account (the email address as typed, lower-cased, whether or not
-- anyone has it) and per client address, for throttling; a lock lasts until `locked_until`
-- unless the Administrator lifts it.
CREATE TABLE sign_in_throttle (
    kind          TEXT NOT NULL CHECK (kind IN ('account', 'address')),
    key           TEXT NOT NULL,
    failures      INTEGER NOT NULL,
    first_at      TEXT NOT NULL,
    last_at       TEXT NOT NULL,
    locked_until  TEXT,
    PRIMARY KEY (kind, key)
);
