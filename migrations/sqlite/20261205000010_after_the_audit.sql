-- After the audit is filed: the Team Manager's action review, grades kept as data,
-- moderation (the panel's sample and the Assistant Director's review of good grades)
-- and Make A Difference. New tables beside the audit; the audit itself never changes.

-- The action review of one filed audit, assigned by the QA Manager to the case's Team
-- Manager (or Service Manager). Finalising locks it.
CREATE TABLE action_reviews (
    id            INTEGER PRIMARY KEY,
    audit_id      INTEGER NOT NULL UNIQUE REFERENCES audits (id),
    reviewer_id   INTEGER NOT NULL REFERENCES people (id),
    assigned_by   INTEGER NOT NULL REFERENCES people (id),
    assigned_at   TEXT NOT NULL,
    finalised_by  INTEGER REFERENCES people (id),
    finalised_at  TEXT,
    cms_reference TEXT
);
CREATE INDEX action_reviews_reviewer ON action_reviews (reviewer_id);

-- An action the Team Manager added in the review (NULL: the auditor's, as filed), and
-- when a done action was done.
ALTER TABLE audit_actions ADD COLUMN added_by INTEGER REFERENCES people (id);
ALTER TABLE audit_actions ADD COLUMN added_at TEXT;
ALTER TABLE audit_actions ADD COLUMN done_on TEXT;

-- Every update to an action in its review: who, when, and what they recorded.
CREATE TABLE action_updates (
    id            INTEGER PRIMARY KEY,
    action_id     INTEGER NOT NULL REFERENCES audit_actions (id),
    progress      TEXT NOT NULL,
    evidence      TEXT NOT NULL,
    evidence_link TEXT,
    status        TEXT NOT NULL CHECK (status IN ('open', 'done')),
    status_on     TEXT NOT NULL,
    by_person     INTEGER NOT NULL REFERENCES people (id),
    at            TEXT NOT NULL
);
CREATE INDEX action_updates_action ON action_updates (action_id, id);

-- Each domain's grade and the overall grade ('#overall') as completed, so agreement is
-- counted per domain without reading the form.
CREATE TABLE audit_grades (
    audit_id         INTEGER NOT NULL REFERENCES audits (id),
    template_version INTEGER NOT NULL,
    domain_key       TEXT NOT NULL,
    grade            TEXT NOT NULL
        CHECK (grade IN ('outstanding', 'good', 'requires_improvement', 'inadequate')),
    PRIMARY KEY (audit_id, domain_key)
);
-- Back-fill from completed audits' forms (SQLite's JSON functions; PostgreSQL's copy uses
-- jsonb_each(draft::jsonb -> 'domains')).
INSERT INTO audit_grades (audit_id, template_version, domain_key, grade)
SELECT a.id, tp.version, j.key, CASE json_extract(j.value, '$.grade')
        WHEN 'Outstanding' THEN 'outstanding'
        WHEN 'Good' THEN 'good'
        WHEN 'RequiresImprovement' THEN 'requires_improvement'
        WHEN 'Inadequate' THEN 'inadequate'
    END
FROM audits a JOIN audit_templates tp ON tp.id = a.template_id, json_each(a.draft, '$.domains') j
WHERE a.state IN ('completed', 'filed_to_record')
  AND json_extract(j.value, '$.grade') IN ('Outstanding', 'Good', 'RequiresImprovement', 'Inadequate');
INSERT INTO audit_grades (audit_id, template_version, domain_key, grade)
SELECT a.id, tp.version, '#overall', a.overall_grade
FROM audits a JOIN audit_templates tp ON tp.id = a.template_id
WHERE a.state IN ('completed', 'filed_to_record') AND a.overall_grade IS NOT NULL;

-- A draw of a round's moderation sample (the first, then any top-ups), with its seed and
-- the strata as they stood, so anyone can verify it.
CREATE TABLE moderation_draws (
    id        INTEGER PRIMARY KEY,
    round_id  INTEGER NOT NULL REFERENCES rounds (id),
    kind      TEXT NOT NULL CHECK (kind IN ('sample', 'top_up')),
    seed      TEXT NOT NULL,
    generator TEXT NOT NULL,
    completed INTEGER NOT NULL,
    size      INTEGER NOT NULL,
    strata    TEXT NOT NULL,
    drawn_by  INTEGER NOT NULL REFERENCES people (id),
    drawn_at  TEXT NOT NULL
);
CREATE INDEX moderation_draws_round ON moderation_draws (round_id, id);

-- Audits drawn for the panel. A withdrawn audit keeps its row; its replacement names it.
CREATE TABLE moderation_sample (
    id               INTEGER PRIMARY KEY,
    draw_id          INTEGER NOT NULL REFERENCES moderation_draws (id),
    audit_id         INTEGER NOT NULL REFERENCES audits (id),
    stratum          TEXT NOT NULL,
    replaces_id      INTEGER REFERENCES moderation_sample (id),
    withdrawn_at     TEXT,
    withdrawn_by     INTEGER REFERENCES people (id),
    withdrawn_reason TEXT
);
CREATE INDEX moderation_sample_draw ON moderation_sample (draw_id);
CREATE INDEX moderation_sample_audit ON moderation_sample (audit_id);

-- One moderator's view of one audit: asked for when the row is made, recorded later.
-- `agreed`/`grade` per domain sit in `grades` as JSON ({"voice":"agree","planning":"good"}).
CREATE TABLE moderation_views (
    id           INTEGER PRIMARY KEY,
    audit_id     INTEGER NOT NULL REFERENCES audits (id),
    person_id    INTEGER NOT NULL REFERENCES people (id),
    part         TEXT NOT NULL CHECK (part IN ('panel', 'assistant_director')),
    asked_at     TEXT NOT NULL,
    overall      TEXT,
    grades       TEXT,
    comments     TEXT,
    recorded_at  TEXT,
    UNIQUE (audit_id, person_id, part)
);
CREATE INDEX moderation_views_person ON moderation_views (person_id) WHERE recorded_at IS NULL;

-- The moderation's outcome, recorded by the QA Manager. `panel_note` says why the panel
-- went on without one of its members (the audit's own auditor).
CREATE TABLE moderation_outcomes (
    audit_id    INTEGER PRIMARY KEY REFERENCES audits (id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('confirmed', 'changed')),
    reason      TEXT NOT NULL,
    panel_note  TEXT,
    recorded_by INTEGER NOT NULL REFERENCES people (id),
    recorded_at TEXT NOT NULL
);
CREATE TABLE moderated_grades (
    audit_id   INTEGER NOT NULL REFERENCES audits (id),
    domain_key TEXT NOT NULL,
    grade      TEXT NOT NULL
        CHECK (grade IN ('outstanding', 'good', 'requires_improvement', 'inadequate')),
    PRIMARY KEY (audit_id, domain_key)
);

-- Make A Difference: a summary of confirmed good practice, drafted, checked and published.
CREATE TABLE difference_summaries (
    id             INTEGER PRIMARY KEY,
    audit_id       INTEGER UNIQUE REFERENCES audits (id),
    team_id        INTEGER REFERENCES teams (id),
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    cleared        TEXT NOT NULL DEFAULT '[]',
    version        INTEGER NOT NULL DEFAULT 1,
    created_by     INTEGER REFERENCES people (id),
    created_at     TEXT NOT NULL,
    updated_by     INTEGER REFERENCES people (id),
    updated_at     TEXT NOT NULL,
    published_by   INTEGER REFERENCES people (id),
    published_at   TEXT
);

-- The Make A Difference interview with the practitioners, arranged by proposed times.
CREATE TABLE difference_interviewees (
    summary_id INTEGER NOT NULL REFERENCES difference_summaries (id),
    person_id  INTEGER NOT NULL REFERENCES people (id),
    added_by   INTEGER NOT NULL REFERENCES people (id),
    added_at   TEXT NOT NULL,
    PRIMARY KEY (summary_id, person_id)
);
CREATE TABLE difference_times (
    id          INTEGER PRIMARY KEY,
    summary_id  INTEGER NOT NULL REFERENCES difference_summaries (id),
    starts_at   TEXT NOT NULL,
    minutes     INTEGER NOT NULL,
    proposed_by INTEGER NOT NULL REFERENCES people (id),
    accepted_by INTEGER REFERENCES people (id),
    accepted_at TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX difference_times_summary ON difference_times (summary_id);
