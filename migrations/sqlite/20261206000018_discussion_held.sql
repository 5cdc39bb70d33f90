-- The auditor's record that the discussion with the key worker took place, and when (a
-- London wall-clock time, as discussion times are). The key worker confirms the findings
-- only once the agreed time has come or such a record exists. Every record is kept, so a
-- correction shows in the audit's history; the latest counts.
CREATE TABLE discussions_held (
    id          INTEGER PRIMARY KEY,
    audit_id    INTEGER NOT NULL REFERENCES audits (id),
    held_at     TEXT NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES people (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX discussions_held_audit ON discussions_held (audit_id, id);
