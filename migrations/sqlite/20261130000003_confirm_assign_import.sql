-- Confirming a round, assigning auditors, alert links, Annex A imports and case history.

ALTER TABLE rounds ADD COLUMN confirmed_at TEXT;
ALTER TABLE rounds ADD COLUMN confirmed_by INTEGER REFERENCES people (id);

ALTER TABLE round_cases ADD COLUMN auditor_id INTEGER REFERENCES people (id);
ALTER TABLE round_cases ADD COLUMN assigned_at TEXT;
ALTER TABLE round_cases ADD COLUMN assigned_by INTEGER REFERENCES people (id);
CREATE INDEX round_cases_auditor ON round_cases (auditor_id);

-- Where the alert takes its reader, a path inside the app (never personal data).
ALTER TABLE alerts ADD COLUMN link TEXT;

-- An uploaded Annex A workbook or list, or a staff directory: checked, staged, then applied
-- in one go or discarded; a file with problems is kept as rejected, with its problems.
-- `payload` holds the parsed rows (staged) or the problems (rejected).
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('annex_a', 'directory_teams', 'directory_iros')),
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

-- What the council's files call a team or a worker, mapped once by the QA Manager and
-- remembered for later imports. `name_key` is the name lower-cased without spaces.
CREATE TABLE directory_aliases (
    kind      TEXT NOT NULL CHECK (kind IN ('team', 'worker')),
    name_key  TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    PRIMARY KEY (kind, name_key)
);

-- Every change an import made to a case: list joined or left, team or key worker changed.
CREATE TABLE case_history (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    import_id INTEGER REFERENCES imports (id),
    change    TEXT NOT NULL CHECK (change IN ('created', 'joined_list', 'left_list', 'team', 'key_worker', 'iro')),
    old_value TEXT,
    new_value TEXT,
    at        TEXT NOT NULL
);
CREATE INDEX case_history_case ON case_history (case_id, id);
