-- A case may join the pool before its team and lead practitioner are known: Annex A's
-- List 2 carries neither. Such a case is never drawn until both are set, which a
-- Lead practitioners file (a new kind of import) or the case page does.
-- SQLite cannot drop NOT NULL or change a CHECK in place, so both tables are rebuilt (its
-- 12-step way). `Store::connect` runs migrations with foreign keys off and checks them
-- after, as that way needs.
CREATE TABLE cases_rebuilt (
    id              INTEGER PRIMARY KEY,
    child_unique_id TEXT NOT NULL UNIQUE,
    subject         TEXT NOT NULL CHECK (subject IN (
        'child', 'young_person', 'care_experienced_young_adult', 'family'
    )),
    team_id         INTEGER REFERENCES teams (id),
    key_worker_id   INTEGER REFERENCES people (id),
    iro_id          INTEGER REFERENCES people (id),
    closed_on       TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
INSERT INTO cases_rebuilt (id, child_unique_id, subject, team_id, key_worker_id, iro_id,
                           closed_on, created_at, updated_at)
    SELECT id, child_unique_id, subject, team_id, key_worker_id, iro_id,
           closed_on, created_at, updated_at FROM cases;
DROP TABLE cases;
ALTER TABLE cases_rebuilt RENAME TO cases;
CREATE INDEX cases_team ON cases (team_id);
CREATE INDEX cases_key_worker ON cases (key_worker_id);
CREATE INDEX cases_iro ON cases (iro_id);
CREATE TABLE imports_rebuilt (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN (
        'annex_a', 'directory_teams', 'directory_iros', 'directory_leads'
    )),
    file_name   TEXT NOT NULL,
    -- NULL for a whole workbook; the list number for a single-list CSV.
    annex_list  INTEGER,
    status      TEXT NOT NULL CHECK (status IN ('rejected', 'staged', 'applied', 'discarded')),
    payload     TEXT NOT NULL,
    summary     TEXT,
    uploaded_by INTEGER NOT NULL REFERENCES people (id),
    uploaded_at TEXT NOT NULL,
    applied_at  TEXT
);
INSERT INTO imports_rebuilt (id, kind, file_name, annex_list, status, payload, summary,
                             uploaded_by, uploaded_at, applied_at)
    SELECT id, kind, file_name, annex_list, status, payload, summary,
           uploaded_by, uploaded_at, applied_at FROM imports;
DROP TABLE imports;
ALTER TABLE imports_rebuilt RENAME TO imports;
