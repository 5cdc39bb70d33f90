-- The overall grade beside the draft, so dashboards count grades without parsing forms.
ALTER TABLE audits ADD COLUMN overall_grade TEXT
    CHECK (overall_grade IN ('outstanding', 'good', 'requires_improvement', 'inadequate'));
-- SQLite's JSON functions; the PostgreSQL copy uses draft::jsonb ->> 'overall'.
UPDATE audits SET overall_grade = CASE json_extract(draft, '$.overall')
    WHEN 'Outstanding' THEN 'outstanding'
    WHEN 'Good' THEN 'good'
    WHEN 'RequiresImprovement' THEN 'requires_improvement'
    WHEN 'Inadequate' THEN 'inadequate'
END;
