-- Who made each change to a case's IRO / CP Chair (NULL for older rows and imports' own).
ALTER TABLE case_history ADD COLUMN by_person INTEGER REFERENCES people (id);

-- Changes to a team's Team and Service Manager widen who may see its cases and audits, so
-- they are the QA Manager's decision: made by them at once, or proposed by the
-- Administrator and confirmed or declined by them. Kept with who and when.
CREATE TABLE team_manager_changes (
    id                     INTEGER PRIMARY KEY,
    team_id                INTEGER NOT NULL REFERENCES teams (id),
    old_team_manager_id    INTEGER REFERENCES people (id),
    old_service_manager_id INTEGER REFERENCES people (id),
    team_manager_id        INTEGER REFERENCES people (id),
    service_manager_id     INTEGER REFERENCES people (id),
    proposed_by            INTEGER REFERENCES people (id),
    proposed_at            TEXT NOT NULL,
    -- NULL while the proposal waits for the QA Manager.
    outcome                TEXT CHECK (outcome IN ('confirmed', 'declined')),
    decided_by             INTEGER REFERENCES people (id),
    decided_at             TEXT
);
CREATE INDEX team_manager_changes_team ON team_manager_changes (team_id, id);
CREATE INDEX team_manager_changes_waiting ON team_manager_changes (id) WHERE outcome IS NULL;
