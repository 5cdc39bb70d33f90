-- The audit itself: templates as data, the audit and its moves, discussion times,
-- feedback, and required actions once filed.

-- The audit form's domains, versioned: a new version is a new row; old audits keep theirs.
CREATE TABLE audit_templates (
    id         INTEGER PRIMARY KEY,
    version    INTEGER NOT NULL UNIQUE,
    domains    TEXT NOT NULL,
    created_at TEXT NOT NULL
);

INSERT INTO audit_templates (version, domains, created_at) VALUES (1, '[
 {"key":"voice","title":"Voice and lived experience of the child","prompt":"How well does the work show the child''s wishes, feelings and daily life, and act on them?"},
 {"key":"assessment","title":"Assessment and analysis of risk and need","prompt":"Is the assessment current, analytical and clear about risk, need and strengths?"},
 {"key":"planning","title":"Planning and review","prompt":"Is there a clear, timely plan that is reviewed and progressed?"},
 {"key":"oversight","title":"Management oversight and supervision","prompt":"Is management oversight regular, reflective and driving the plan?"},
 {"key":"multi_agency","title":"Multi-agency working","prompt":"Are partners involved, sharing information and working to the plan?"},
 {"key":"recording","title":"Recording quality","prompt":"Is the record up to date, accurate and written for the child?"},
 {"key":"impact","title":"Impact and outcomes","prompt":"What difference has the work made for the child?"}
]', '2026-11-30T00:00:00Z');

-- One audit per selected case that has an auditor. `version` guards against lost updates.
CREATE TABLE audits (
    id             INTEGER PRIMARY KEY,
    round_case_id  INTEGER NOT NULL UNIQUE REFERENCES round_cases (id),
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    auditor_id     INTEGER NOT NULL REFERENCES people (id),
    template_id    INTEGER NOT NULL REFERENCES audit_templates (id),
    state          TEXT NOT NULL CHECK (state IN ('selected', 'assigned', 'discussion_arranged',
                       'in_progress', 'findings_discussed', 'completed', 'filed_to_record')),
    version        INTEGER NOT NULL DEFAULT 1,
    draft          TEXT NOT NULL DEFAULT '{}',
    saved_by       INTEGER REFERENCES people (id),
    saved_at       TEXT,
    reflection     TEXT,
    case_note      TEXT,
    cms_reference  TEXT,
    completed_at   TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX audits_auditor ON audits (auditor_id);
CREATE INDEX audits_case ON audits (case_id);

-- Every move: who and when.
CREATE TABLE audit_moves (
    id         INTEGER PRIMARY KEY,
    audit_id   INTEGER NOT NULL REFERENCES audits (id),
    from_state TEXT,
    to_state   TEXT NOT NULL,
    by_person  INTEGER NOT NULL REFERENCES people (id),
    at         TEXT NOT NULL
);
CREATE INDEX audit_moves_audit ON audit_moves (audit_id, id);

-- Times proposed for the discussion; one is accepted.
CREATE TABLE discussion_times (
    id          INTEGER PRIMARY KEY,
    audit_id    INTEGER NOT NULL REFERENCES audits (id),
    starts_at   TEXT NOT NULL,
    minutes     INTEGER NOT NULL,
    proposed_by INTEGER NOT NULL REFERENCES people (id),
    accepted_at TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX discussion_times_audit ON discussion_times (audit_id);

-- Feedback from the child or young person, parents, carers and the IRO / CP Chair.
CREATE TABLE audit_feedback (
    id          INTEGER PRIMARY KEY,
    audit_id    INTEGER NOT NULL REFERENCES audits (id),
    from_whom   TEXT NOT NULL CHECK (from_whom IN ('child', 'parent', 'carer', 'iro', 'other')),
    how         TEXT NOT NULL CHECK (how IN ('visit', 'phone', 'form', 'advocacy', 'meeting', 'email')),
    given_on    TEXT NOT NULL,
    said        TEXT NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES people (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX audit_feedback_audit ON audit_feedback (audit_id);

-- Required actions, as filed with the completed audit.
CREATE TABLE audit_actions (
    id       INTEGER PRIMARY KEY,
    audit_id INTEGER NOT NULL REFERENCES audits (id),
    action   TEXT NOT NULL,
    owner    TEXT NOT NULL,
    due_on   TEXT NOT NULL,
    status   TEXT NOT NULL CHECK (status IN ('open', 'done'))
);
CREATE INDEX audit_actions_audit ON audit_actions (audit_id);
