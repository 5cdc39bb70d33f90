-- Going live: the demo council marked as such, people's history, staff imports from the
-- HR system, and one-time links (invitations and password resets) kept only as hashes.

-- A database holding the demo council's people (whose shared password is published) must
-- never serve real cases: production refuses to start on it.
ALTER TABLE people ADD COLUMN demo BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE people SET demo = TRUE WHERE email LIKE '%@anytown.example';
ALTER TABLE people ADD COLUMN deactivated_at TEXT;
-- When the person last chose a password; NULL until they follow their invitation.
ALTER TABLE people ADD COLUMN password_set_at TEXT;
UPDATE people SET password_set_at = created_at WHERE password_hash <> '!';

CREATE TABLE staff_imports (
    id          INTEGER PRIMARY KEY,
    file_name   TEXT NOT NULL,
    -- The file lists all staff: people missing from it are listed for deactivation.
    full_list   BOOLEAN NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
    -- The applied plan, or the problems found.
    payload     TEXT NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES people (id),
    uploaded_at TEXT NOT NULL
);

-- Every change to a person or their roles: who, when, and what it was.
CREATE TABLE person_history (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES people (id),
    change          TEXT NOT NULL CHECK (change IN (
        'added', 'name', 'email', 'team', 'role_granted', 'role_removed',
        'deactivated', 'reactivated', 'invited', 'reset_sent', 'password_set',
        'password_changed'
    )),
    old_value       TEXT,
    new_value       TEXT,
    -- NULL when made on the server's command line, or by the person themselves.
    by_person       INTEGER REFERENCES people (id),
    staff_import_id INTEGER REFERENCES staff_imports (id),
    at              TEXT NOT NULL
);
CREATE INDEX person_history_person ON person_history (person_id, id);

CREATE TABLE one_time_links (
    token_hash TEXT PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    created_by INTEGER REFERENCES people (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX one_time_links_person ON one_time_links (person_id);
