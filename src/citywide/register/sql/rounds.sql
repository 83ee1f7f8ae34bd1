-- Every round with a loaded file, in order: the registry first, then by its first file.
WITH loaded AS (
    SELECT survey_round, source_file_id, ingested_at FROM source_file WHERE status = 'loaded'
),
rounds AS (
    SELECT survey_round, min(source_file_id) AS first_file, count(*) AS files,
        min(ingested_at) AS first_return_at, max(ingested_at) AS last_return_at
    FROM loaded GROUP BY survey_round
),
dates AS (
    SELECT survey_round, min(survey_date) AS first_survey_date,
        max(survey_date) AS last_survey_date
    FROM (SELECT survey_round, survey_date FROM community
          UNION ALL SELECT survey_round, survey_date FROM household)
    GROUP BY survey_round
)
SELECT r.survey_round,
    row_number() OVER (ORDER BY r.survey_round = $registry DESC, r.first_file) AS round_order,
    r.survey_round = $registry AS is_registry, r.files, r.first_return_at, r.last_return_at,
    d.first_survey_date, d.last_survey_date
FROM rounds r LEFT JOIN dates d USING (survey_round)
ORDER BY round_order
