-- Alerts leave trays for an archive after a set age; the hourly sweep finds them here.
-- (A partial index: PostgreSQL supports the same syntax.)
CREATE INDEX alerts_unarchived ON alerts (created_at) WHERE archived_at IS NULL;
