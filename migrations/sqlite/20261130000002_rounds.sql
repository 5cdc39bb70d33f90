-- Audit rounds and their draws.

-- Days that are not working days besides weekends: bank holidays loaded after the shipped
-- ones, and council closure days.
CREATE TABLE closure_days (
    day      TEXT PRIMARY KEY,
    kind     TEXT NOT NULL CHECK (kind IN ('bank_holiday', 'council_closure')),
    reason   TEXT NOT NULL,
    added_by INTEGER REFERENCES people (id),
    added_at TEXT NOT NULL
);

-- One round per audit month; due on the month's last working day.
CREATE TABLE rounds (
    id          INTEGER PRIMARY KEY,
    audit_month TEXT NOT NULL UNIQUE,
    due_on      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'drawn', 'confirmed', 'closed')),
    created_by  INTEGER NOT NULL REFERENCES people (id),
    created_at  TEXT NOT NULL
);

-- Everything needed to re-run the draw: generator, seed, settings and the pool per stratum.
CREATE TABLE draws (
    round_id  INTEGER PRIMARY KEY REFERENCES rounds (id),
    generator TEXT NOT NULL,
    seed      TEXT NOT NULL,
    settings  TEXT NOT NULL,
    strata    TEXT NOT NULL,
    drawn_by  INTEGER NOT NULL REFERENCES people (id),
    drawn_at  TEXT NOT NULL
);

CREATE TABLE round_cases (
    id               INTEGER PRIMARY KEY,
    round_id         INTEGER NOT NULL REFERENCES rounds (id),
    case_id          INTEGER NOT NULL REFERENCES cases (id),
    stratum          INTEGER NOT NULL,
    position         INTEGER NOT NULL,
    selected_by      TEXT NOT NULL CHECK (selected_by IN ('draw', 'replacement')),
    replaces_id      INTEGER REFERENCES round_cases (id),
    withdrawn_at     TEXT,
    withdrawn_by     INTEGER REFERENCES people (id),
    withdrawn_reason TEXT,
    UNIQUE (round_id, case_id)
);
CREATE INDEX round_cases_case ON round_cases (case_id);
