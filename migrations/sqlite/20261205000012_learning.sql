-- Learning from audits: development themes and their tags, the monthly summary report with
-- its versions and comments, feedback / learning / support sessions, and the newsletter's
-- summaries. Tags sit beside the locked audit; the audit itself never changes.

-- Development themes, kept by the QA team. A retired theme keeps its tags. `domain_key`
-- names the audit form's domain whose grades show whether later audits improved.
CREATE TABLE themes (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    domain_key  TEXT,
    retired_at  TEXT,
    created_by  INTEGER NOT NULL REFERENCES people (id),
    created_at  TEXT NOT NULL,
    updated_by  INTEGER NOT NULL REFERENCES people (id),
    updated_at  TEXT NOT NULL
);

-- A theme on one finding: an audit's strengths or areas for development, one required
-- action, one piece of feedback on the audit, or one session feedback. `item_id` is the
-- audit's ID for its strengths and areas for development, else the action's, feedback's
-- or session feedback's, so (finding, item_id) names one thing. `round_id` places it in a
-- round for trends.
CREATE TABLE theme_tags (
    theme_id  INTEGER NOT NULL REFERENCES themes (id),
    finding   TEXT NOT NULL CHECK (finding IN ('strengths', 'development', 'action',
                  'feedback', 'session_feedback')),
    audit_id  INTEGER REFERENCES audits (id),
    item_id   INTEGER NOT NULL,
    round_id  INTEGER REFERENCES rounds (id),
    tagged_by INTEGER NOT NULL REFERENCES people (id),
    tagged_at TEXT NOT NULL,
    PRIMARY KEY (theme_id, finding, item_id)
);
CREATE INDEX theme_tags_audit ON theme_tags (audit_id);
CREATE INDEX theme_tags_round ON theme_tags (round_id, theme_id);

-- The summary report of one round or a range of rounds. The sections are the current
-- version's; every saved version is kept in report_versions. Finalising freezes the
-- figures as they stood (`figures`, JSON) so later moderation cannot change a kept report.
CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,
    first_month     TEXT NOT NULL,
    last_month      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    main_findings   TEXT NOT NULL,
    key_strengths   TEXT NOT NULL,
    improvement     TEXT NOT NULL,
    recommendations TEXT NOT NULL,
    cleared         TEXT NOT NULL DEFAULT '[]',
    figures         TEXT,
    created_by      INTEGER NOT NULL REFERENCES people (id),
    created_at      TEXT NOT NULL,
    updated_by      INTEGER NOT NULL REFERENCES people (id),
    updated_at      TEXT NOT NULL,
    finalised_by    INTEGER REFERENCES people (id),
    finalised_at    TEXT,
    presented_on    TEXT,
    presented_by    INTEGER REFERENCES people (id),
    UNIQUE (first_month, last_month)
);
CREATE TABLE report_versions (
    report_id       INTEGER NOT NULL REFERENCES reports (id),
    version         INTEGER NOT NULL,
    main_findings   TEXT NOT NULL,
    key_strengths   TEXT NOT NULL,
    improvement     TEXT NOT NULL,
    recommendations TEXT NOT NULL,
    saved_by        INTEGER NOT NULL REFERENCES people (id),
    saved_at        TEXT NOT NULL,
    PRIMARY KEY (report_id, version)
);
CREATE TABLE report_comments (
    id        INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports (id),
    version   INTEGER NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people (id),
    body      TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX report_comments_report ON report_comments (report_id, id);

-- Feedback sessions after a round, learning sessions and tools for a theme, and support
-- sessions that build managers' confidence in auditing.
CREATE TABLE learning_sessions (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('feedback', 'learning', 'support')),
    title          TEXT NOT NULL,
    round_id       INTEGER REFERENCES rounds (id),
    theme_id       INTEGER REFERENCES themes (id),
    starts_at      TEXT NOT NULL,
    minutes        INTEGER NOT NULL,
    place          TEXT NOT NULL,
    online_link    TEXT,
    audience       TEXT NOT NULL DEFAULT '',
    materials_link TEXT,
    created_by     INTEGER NOT NULL REFERENCES people (id),
    created_at     TEXT NOT NULL
);
CREATE INDEX learning_sessions_theme ON learning_sessions (theme_id);

-- Who is invited, whether they said they would come, and whether they came.
CREATE TABLE session_invitees (
    session_id  INTEGER NOT NULL REFERENCES learning_sessions (id),
    person_id   INTEGER NOT NULL REFERENCES people (id),
    invited_at  TEXT NOT NULL,
    accepted_at TEXT,
    attended    INTEGER CHECK (attended IN (0, 1)),
    PRIMARY KEY (session_id, person_id)
);
CREATE INDEX session_invitees_person ON session_invitees (person_id);

-- One attendee's feedback: ratings from 1 (not at all) to 5 (very), and their words.
CREATE TABLE session_feedback (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES learning_sessions (id),
    person_id  INTEGER NOT NULL REFERENCES people (id),
    useful     INTEGER NOT NULL CHECK (useful BETWEEN 1 AND 5),
    discussion INTEGER NOT NULL CHECK (discussion BETWEEN 1 AND 5),
    improve    TEXT NOT NULL,
    comments   TEXT NOT NULL,
    given_at   TEXT NOT NULL,
    UNIQUE (session_id, person_id)
);

-- The newsletter's summary of audit activity, one per issue of the newsletter.
CREATE TABLE newsletters (
    id           INTEGER PRIMARY KEY,
    issue        TEXT NOT NULL UNIQUE,
    period_from  TEXT NOT NULL,
    period_to    TEXT NOT NULL,
    body         TEXT NOT NULL,
    cleared      TEXT NOT NULL DEFAULT '[]',
    version      INTEGER NOT NULL DEFAULT 1,
    created_by   INTEGER NOT NULL REFERENCES people (id),
    created_at   TEXT NOT NULL,
    updated_by   INTEGER NOT NULL REFERENCES people (id),
    updated_at   TEXT NOT NULL,
    finalised_by INTEGER REFERENCES people (id),
    finalised_at TEXT
);
