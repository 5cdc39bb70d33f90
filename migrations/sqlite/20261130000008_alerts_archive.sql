-- Archived alerts move to their own table, never deleted. The tray's table then holds only
-- recent alerts, so raising an alert for a thousand people touches a small index however
-- many years of alerts the council has (in one table, ten years of alerts made that 10 times
-- slower). `alert_id` is the alert's ID when it was live.
CREATE TABLE alerts_archive (
    id          INTEGER PRIMARY KEY,
    alert_id    INTEGER NOT NULL,
    person_id   INTEGER NOT NULL REFERENCES people (id),
    kind        TEXT NOT NULL,
    case_id     INTEGER REFERENCES cases (id),
    body        TEXT NOT NULL,
    link        TEXT,
    created_at  TEXT NOT NULL,
    read_at     TEXT,
    archived_at TEXT NOT NULL
);
CREATE INDEX alerts_archive_person ON alerts_archive (person_id, id);

INSERT INTO alerts_archive (alert_id, person_id, kind, case_id, body, link, created_at, read_at, archived_at)
    SELECT id, person_id, kind, case_id, body, link, created_at, read_at, archived_at
    FROM alerts WHERE archived_at IS NOT NULL ORDER BY id;
DELETE FROM alerts WHERE archived_at IS NOT NULL;
