-- One mention per (survey_round, community_key): the community as the round's records name it.
-- The current community record first, then a superseded one, then a household naming it.
WITH records AS (
    SELECT survey_round, community_key, khet_code, khwaeng_code, community_code, community_name,
        lat, lon, community_type, source_file_id, source_row, 0 AS pick
    FROM community
    UNION ALL
    SELECT survey_round, community_key, khet_code, khwaeng_code, community_code, community_name,
        lat, lon, community_type, source_file_id, source_row, 1 AS pick
    FROM community_history
    UNION ALL
    SELECT survey_round, community_key, khet_code, khwaeng_code, community_code, community_name,
        NULL, NULL, NULL, source_file_id, source_row, 2 AS pick
    FROM household WHERE community_key IS NOT NULL
    UNION ALL
    SELECT survey_round, community_key, khet_code, khwaeng_code, community_code, community_name,
        NULL, NULL, NULL, source_file_id, source_row, 3 AS pick
    FROM household_history WHERE community_key IS NOT NULL
),
ranked AS (
    SELECT *, row_number() OVER (
        PARTITION BY survey_round, community_key ORDER BY pick, source_file_id DESC, source_row
    ) AS n
    FROM records
)
SELECT survey_round, community_key, khet_code, khwaeng_code, community_code, community_name,
    cw_name_key(community_name) AS name_key, lat, lon, community_type, source_file_id, source_row
FROM ranked
WHERE n = 1
ORDER BY survey_round, community_key
