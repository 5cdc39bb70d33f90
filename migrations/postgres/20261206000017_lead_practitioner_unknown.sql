-- A case may join the pool before its team and lead practitioner are known: Annex A's
-- List 2 carries neither. Such a case is never drawn until both are set, which a
-- Lead practitioners file (a new kind of import) or the case page does.
ALTER TABLE cases ALTER COLUMN team_id DROP NOT NULL;
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check CHECK (kind IN (
    'annex_a', 'directory_teams', 'directory_iros', 'directory_leads'
));
