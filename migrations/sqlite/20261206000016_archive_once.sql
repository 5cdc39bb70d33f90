-- An alert is archived at most once, even when two sweeps run at the same time on two
-- instances: the second finds it there (`ON CONFLICT DO NOTHING`).
CREATE UNIQUE INDEX alerts_archive_alert ON alerts_archive (alert_id);
