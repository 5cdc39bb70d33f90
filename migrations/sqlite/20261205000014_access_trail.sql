-- The access log becomes a full trail: which record (kind and ID), how the call ended, and
-- the request it came in. IDs only, never names or content. `case_id` stays filled for
-- case records, so older rows and queries keep working.
ALTER TABLE access_log ADD COLUMN record_kind TEXT;
ALTER TABLE access_log ADD COLUMN record_id INTEGER;
ALTER TABLE access_log ADD COLUMN outcome TEXT NOT NULL DEFAULT 'ok';
ALTER TABLE access_log ADD COLUMN request_id TEXT;
UPDATE access_log SET record_kind = 'case', record_id = case_id WHERE case_id IS NOT NULL;
CREATE INDEX access_log_record ON access_log (record_kind, record_id, at);
CREATE INDEX access_log_person ON access_log (person_id, at);
CREATE INDEX access_log_at ON access_log (at);

-- Append-only for the app: no row is ever changed, and none is removed before the
-- retention sweep's floor (a year), whatever a bug or a crafted query tries.
CREATE TRIGGER access_log_append_only BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;
CREATE TRIGGER access_log_kept_a_year BEFORE DELETE ON access_log
WHEN OLD.at > strftime('%Y-%m-%dT%H:%M:%S', 'now', '-365 days')
BEGIN
    SELECT RAISE(ABORT, 'access log rows are kept for at least a year');
END;
