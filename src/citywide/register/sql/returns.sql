-- Per round and khet: the files with records of the khet, when they came, the last survey date.
WITH records AS (
    SELECT survey_round, khet_code, source_file_id, survey_date FROM community
    UNION ALL SELECT survey_round, khet_code, source_file_id, survey_date FROM community_history
    UNION ALL SELECT survey_round, khet_code, source_file_id, survey_date FROM household
    UNION ALL SELECT survey_round, khet_code, source_file_id, survey_date FROM household_history
),
per_khet AS (
    SELECT survey_round, khet_code, source_file_id, max(survey_date) AS last_survey_date
    FROM records GROUP BY ALL
)
SELECT p.survey_round, p.khet_code, count(DISTINCT p.source_file_id) AS files,
    min(f.ingested_at) AS first_return_at, max(f.ingested_at) AS last_return_at,
    max(p.last_survey_date) AS last_survey_date
FROM per_khet p JOIN source_file f USING (source_file_id)
GROUP BY ALL
