-- First tables: staff and their roles, teams, cases on the Annex A lists,
-- sign-in sessions, tray alerts and the access log.
-- Portable SQL: the PostgreSQL backend will carry its own copy of these migrations.

CREATE TABLE teams (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    team_manager_id    INTEGER REFERENCES people (id),
    service_manager_id INTEGER REFERENCES people (id),
    created_at         TEXT NOT NULL
);

CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    display_name  TEXT NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    team_id       INTEGER REFERENCES teams (id),
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TEXT NOT NULL
);

CREATE TABLE person_roles (
    person_id INTEGER NOT NULL REFERENCES people (id),
    role      TEXT NOT NULL CHECK (role IN (
        'qa_manager', 'auditor', 'key_worker', 'team_manager', 'service_manager',
        'iro_cp_chair', 'psw_qa_practice_improvement', 'safeguarding_review_manager',
        'assistant_director', 'practice_improvement_team', 'administrator'
    )),
    PRIMARY KEY (person_id, role)
);

-- A case is identified by the case-management system's ID (Annex A "Child Unique ID").
-- Only what the audit process needs is kept: no names, dates of birth or addresses.
CREATE TABLE cases (
    id              INTEGER PRIMARY KEY,
    child_unique_id TEXT NOT NULL UNIQUE,
    subject         TEXT NOT NULL CHECK (subject IN (
        'child', 'young_person', 'care_experienced_young_adult', 'family'
    )),
    team_id         INTEGER NOT NULL REFERENCES teams (id),
    key_worker_id   INTEGER REFERENCES people (id),
    iro_id          INTEGER REFERENCES people (id),
    closed_on       TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX cases_team ON cases (team_id);
CREATE INDEX cases_key_worker ON cases (key_worker_id);
CREATE INDEX cases_iro ON cases (iro_id);

-- A case may sit on more than one Annex A list.
CREATE TABLE case_lists (
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    annex_list INTEGER NOT NULL CHECK (annex_list IN (2, 6, 7, 8, 9)),
    PRIMARY KEY (case_id, annex_list)
);

-- Only a hash of the session token is stored, so a copy of the database cannot sign anyone in.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people (id),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people (id),
    kind        TEXT NOT NULL,
    case_id     INTEGER REFERENCES cases (id),
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    read_at     TEXT,
    archived_at TEXT
);
CREATE INDEX alerts_person ON alerts (person_id, id);

-- Who saw or changed what. IDs only, never names.
CREATE TABLE access_log (
    id        INTEGER PRIMARY KEY,
    person_id INTEGER REFERENCES people (id),
    action    TEXT NOT NULL,
    case_id   INTEGER REFERENCES cases (id),
    at        TEXT NOT NULL
);
CREATE INDEX access_log_case ON access_log (case_id);
