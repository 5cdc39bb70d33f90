-- The live event stream: one row per recipient, written in the same transaction as the
-- change, so a browser that reconnects (or a restarted server) replays from here.
-- AUTOINCREMENT: IDs only ever increase, even after old events are pruned.
-- (PostgreSQL: BIGINT GENERATED ALWAYS AS IDENTITY.)
CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX events_person ON events (person_id, id);
