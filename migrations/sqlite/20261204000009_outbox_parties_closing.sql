-- One change, one transaction: the outbox of emails written with the change; who was on each
-- audit, as recorded when its round was confirmed; rounds that close.

-- An email per alert, delivered by the server's sender task after commit, with retries.
-- `message_id` is the idempotency key: the same email keeps it however often it is tried.
-- The address is read when sending, so a leaver's email is dropped, not sent.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,
    person_id       INTEGER NOT NULL REFERENCES people (id),
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    link            TEXT,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until   TEXT,
    sent_at         TEXT,
    failed_at       TEXT,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Who held the case when the round was confirmed; the audit follows these, not whoever
-- holds the case today. A reallocation while the audit is open moves `key_worker_id`
-- and is kept in `audit_handovers`.
ALTER TABLE round_cases ADD COLUMN key_worker_id INTEGER REFERENCES people (id);
ALTER TABLE round_cases ADD COLUMN team_manager_id INTEGER REFERENCES people (id);
ALTER TABLE round_cases ADD COLUMN service_manager_id INTEGER REFERENCES people (id);
ALTER TABLE round_cases ADD COLUMN iro_id INTEGER REFERENCES people (id);
UPDATE round_cases SET
    key_worker_id = (SELECT c.key_worker_id FROM cases c WHERE c.id = round_cases.case_id),
    iro_id = (SELECT c.iro_id FROM cases c WHERE c.id = round_cases.case_id),
    team_manager_id = (SELECT t.team_manager_id FROM cases c JOIN teams t ON t.id = c.team_id
                       WHERE c.id = round_cases.case_id),
    service_manager_id = (SELECT t.service_manager_id FROM cases c JOIN teams t ON t.id = c.team_id
                          WHERE c.id = round_cases.case_id)
WHERE round_id IN (SELECT id FROM rounds WHERE status IN ('confirmed', 'closed'));

CREATE INDEX round_cases_key_worker ON round_cases (key_worker_id);
CREATE INDEX round_cases_iro ON round_cases (iro_id);
CREATE INDEX round_cases_team_manager ON round_cases (team_manager_id);
CREATE INDEX round_cases_service_manager ON round_cases (service_manager_id);

CREATE TABLE audit_handovers (
    id          INTEGER PRIMARY KEY,
    audit_id    INTEGER NOT NULL REFERENCES audits (id),
    part        TEXT NOT NULL CHECK (part IN ('key_worker')),
    from_person INTEGER REFERENCES people (id),
    to_person   INTEGER REFERENCES people (id),
    at          TEXT NOT NULL
);
CREATE INDEX audit_handovers_audit ON audit_handovers (audit_id, id);

-- A round closes when all its audits are filed (or withdrawn), or when the QA Manager
-- closes it after its due date, with a reason for each audit left open.
ALTER TABLE rounds ADD COLUMN closed_at TEXT;
ALTER TABLE rounds ADD COLUMN closed_by INTEGER REFERENCES people (id);
ALTER TABLE round_cases ADD COLUMN left_open_reason TEXT;

-- Cases the draw left out because they had no key worker, for the round page.
ALTER TABLE draws ADD COLUMN unallocated_left_out INTEGER NOT NULL DEFAULT 0;
