-- community_change: each register community round by round, against the previous round it was
-- surveyed in; and the rounds a complete return did not find it (not_found, read from Python).
WITH linked AS (
    SELECT c.community_id, c.survey_round, r.round_order, c.khet_code, c.community_key,
        c.households, c.population, c.community_type, c.tenure, c.eviction_threat
    FROM community c JOIN survey_round r USING (survey_round)
    WHERE c.community_id IS NOT NULL
),
-- two records of a round linked to one community (a manual decision): the first key speaks
per_round AS (
    SELECT * EXCLUDE (n) FROM (
        SELECT *, row_number() OVER (
            PARTITION BY community_id, survey_round ORDER BY community_key) AS n
        FROM linked)
    WHERE n = 1
),
seen AS (
    SELECT *,
        lag(survey_round) OVER w AS from_round,
        lag(households) OVER w AS households_from,
        lag(population) OVER w AS population_from,
        lag(community_type) OVER w AS community_type_from,
        lag(tenure) OVER w AS tenure_from,
        lag(eviction_threat) OVER w AS eviction_threat_from
    FROM per_round
    WINDOW w AS (PARTITION BY community_id ORDER BY round_order)
),
changes AS (
    SELECT community_id, khet_code, from_round, survey_round AS to_round,
        CASE WHEN from_round IS NULL THEN 'appeared' ELSE 'seen' END AS event,
        households_from, households AS households_to,
        households - households_from AS households_change,
        population_from, population AS population_to,
        population - population_from AS population_change,
        community_type_from, community_type AS community_type_to,
        tenure_from, tenure AS tenure_to, eviction_threat_from, eviction_threat AS eviction_threat_to
    FROM seen
    WHERE survey_round <> $registry
),
last_seen AS (
    SELECT nf.community_id, nf.khet_code, nf.survey_round AS to_round,
        s.survey_round AS from_round, s.households, s.population, s.community_type, s.tenure,
        s.eviction_threat,
        row_number() OVER (PARTITION BY nf.community_id, nf.survey_round
                           ORDER BY s.round_order DESC) AS latest
    FROM not_found nf
    JOIN survey_round t ON t.survey_round = nf.survey_round
    LEFT JOIN per_round s ON s.community_id = nf.community_id AND s.round_order < t.round_order
),
gone AS (
    SELECT community_id, khet_code, from_round, to_round, 'not_found' AS event,
        households AS households_from, NULL::BIGINT AS households_to,
        NULL::BIGINT AS households_change,
        population AS population_from, NULL::BIGINT AS population_to,
        NULL::BIGINT AS population_change,
        community_type AS community_type_from, NULL::VARCHAR AS community_type_to,
        tenure AS tenure_from, NULL::VARCHAR AS tenure_to,
        eviction_threat AS eviction_threat_from, NULL::VARCHAR AS eviction_threat_to
    FROM last_seen
    WHERE latest = 1
)
SELECT * FROM changes
UNION ALL BY NAME
SELECT * FROM gone
ORDER BY community_id, to_round
