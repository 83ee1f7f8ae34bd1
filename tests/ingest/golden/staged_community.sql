
CREATE OR REPLACE TEMP TABLE raw_x_staged AS
WITH base AS (
    SELECT r.source_row, r.first_cell, r.unclosed_quote, r.khet, r.khwaeng, r.community_name, r.community_code, NULL::VARCHAR AS community_type, NULL::VARCHAR AS houses, r.households, r.population, r.male, r.female, r.lat, r.lon, NULL::VARCHAR AS coordinates, NULL::VARCHAR AS easting, NULL::VARCHAR AS northing, r.survey_date, NULL::VARCHAR AS submission_time, NULL::VARCHAR AS record_uuid, NULL::VARCHAR AS area_rai, NULL::VARCHAR AS area_ngan, NULL::VARCHAR AS area_wa, NULL::VARCHAR AS land_owner, r.tenure, NULL::VARCHAR AS eviction_threat, NULL::VARCHAR AS housing_condition, NULL::VARCHAR AS water, NULL::VARCHAR AS electricity, NULL::VARCHAR AS drainage, NULL::VARCHAR AS walkway, NULL::VARCHAR AS flood_risk, NULL::VARCHAR AS baan_mankong_status, NULL::VARCHAR AS savings_group, NULL::VARCHAR AS household_code, NULL::VARCHAR AS members, NULL::VARCHAR AS monthly_income, NULL::VARCHAR AS wants_baan_mankong, NULL::VARCHAR AS years_in_community, NULL::VARCHAR AS water_source, NULL::VARCHAR AS toilet_type, NULL::VARCHAR AS toilet_shared, NULL::VARCHAR AS rooms, NULL::VARCHAR AS floor_area, NULL::VARCHAR AS wall_material, NULL::VARCHAR AS roof_material, NULL::VARCHAR AS floor_material, NULL::VARCHAR AS tenure_document, NULL::BLOB AS footprint_wkb
    FROM raw_x r
    
    WHERE cw_written(r.community_code) OR cw_written(r.community_name) OR cw_written(r.female) OR cw_written(r.households) OR cw_written(r.khet) OR cw_written(r.khwaeng) OR cw_written(r.lat) OR cw_written(r.lon) OR cw_written(r.male) OR cw_written(r.population) OR cw_written(r.survey_date) OR cw_written(r.tenure) OR r.unclosed_quote
),
parsed AS (
    SELECT b.*, CASE WHEN strlen(b.community_code) > 1000 AND length(b.community_code) > 1000 THEN 'community_code' WHEN strlen(b.community_name) > 1000 AND length(b.community_name) > 1000 THEN 'community_name' WHEN strlen(b.female) > 1000 AND length(b.female) > 1000 THEN 'female' WHEN strlen(b.households) > 1000 AND length(b.households) > 1000 THEN 'households' WHEN strlen(b.khet) > 1000 AND length(b.khet) > 1000 THEN 'khet' WHEN strlen(b.khwaeng) > 1000 AND length(b.khwaeng) > 1000 THEN 'khwaeng' WHEN strlen(b.lat) > 1000 AND length(b.lat) > 1000 THEN 'lat' WHEN strlen(b.lon) > 1000 AND length(b.lon) > 1000 THEN 'lon' WHEN strlen(b.male) > 1000 AND length(b.male) > 1000 THEN 'male' WHEN strlen(b.population) > 1000 AND length(b.population) > 1000 THEN 'population' WHEN strlen(b.survey_date) > 1000 AND length(b.survey_date) > 1000 THEN 'survey_date' WHEN strlen(b.tenure) > 1000 AND length(b.tenure) > 1000 THEN 'tenure' END AS too_long_field,
        CASE WHEN strlen(b.community_code) > 1000 AND length(b.community_code) > 1000 THEN length(b.community_code) WHEN strlen(b.community_name) > 1000 AND length(b.community_name) > 1000 THEN length(b.community_name) WHEN strlen(b.female) > 1000 AND length(b.female) > 1000 THEN length(b.female) WHEN strlen(b.households) > 1000 AND length(b.households) > 1000 THEN length(b.households) WHEN strlen(b.khet) > 1000 AND length(b.khet) > 1000 THEN length(b.khet) WHEN strlen(b.khwaeng) > 1000 AND length(b.khwaeng) > 1000 THEN length(b.khwaeng) WHEN strlen(b.lat) > 1000 AND length(b.lat) > 1000 THEN length(b.lat) WHEN strlen(b.lon) > 1000 AND length(b.lon) > 1000 THEN length(b.lon) WHEN strlen(b.male) > 1000 AND length(b.male) > 1000 THEN length(b.male) WHEN strlen(b.population) > 1000 AND length(b.population) > 1000 THEN length(b.population) WHEN strlen(b.survey_date) > 1000 AND length(b.survey_date) > 1000 THEN length(b.survey_date) WHEN strlen(b.tenure) > 1000 AND length(b.tenure) > 1000 THEN length(b.tenure) END AS too_long_length,
        CASE WHEN t_community_name.text IS NOT NULL THEN t_community_name.cleaned ELSE nullif(b.community_name, '') END AS name_text,
        cw_code(b.community_code, CASE WHEN t_community_code.text IS NOT NULL THEN t_community_code.cleaned ELSE nullif(b.community_code, '') END) AS code_value,
        NULL::VARCHAR AS household_code_value,
        NULL::VARCHAR AS uuid_text,
        NULL::BIGINT AS houses_fast,
        cw_whole_number(b.households) AS households_fast,
        cw_whole_number(b.population) AS population_fast,
        cw_whole_number(b.male) AS male_fast,
        cw_whole_number(b.female) AS female_fast,
        NULL::BIGINT AS members_fast,
        NULL::BIGINT AS years_in_community_fast,
        NULL::BIGINT AS rooms_fast,
        NULL::BIGINT AS monthly_income_fast,
        NULL::BIGINT AS floor_area_fast,
        cw_number(b.lat) AS lat_number,
        cw_number(b.lon) AS lon_number,
        NULL::DOUBLE AS easting_number,
        NULL::DOUBLE AS northing_number,
        NULL::VARCHAR[] AS coordinate_parts,
        cw_written(b.lat) OR cw_written(b.lon) AS coordinates_written,
        k.code AS written_khet,
        coalesce(k.written, false) AS khet_written,
        k.method AS khet_method,
        k.message_th AS khet_message_th,
        k.message_en AS khet_message_en,
        coalesce(d1.parsed)::DATE AS survey_date_value,
        coalesce(d1.written, false) AND d1.parsed IS NULL AS survey_date_unreadable,
        NULL::VARCHAR AS community_type_code,
        NULL::BOOLEAN AS community_type_unknown,
        NULL::VARCHAR AS land_owner_code,
        NULL::BOOLEAN AS land_owner_unknown,
        e_tenure.code AS tenure_code,
        coalesce(e_tenure.written, false) AND e_tenure.code IS NULL AS tenure_unknown,
        NULL::VARCHAR AS eviction_threat_code,
        NULL::BOOLEAN AS eviction_threat_unknown,
        NULL::VARCHAR AS housing_condition_code,
        NULL::BOOLEAN AS housing_condition_unknown,
        NULL::VARCHAR AS water_code,
        NULL::BOOLEAN AS water_unknown,
        NULL::VARCHAR AS electricity_code,
        NULL::BOOLEAN AS electricity_unknown,
        NULL::VARCHAR AS drainage_code,
        NULL::BOOLEAN AS drainage_unknown,
        NULL::VARCHAR AS walkway_code,
        NULL::BOOLEAN AS walkway_unknown,
        NULL::VARCHAR AS flood_risk_code,
        NULL::BOOLEAN AS flood_risk_unknown,
        NULL::VARCHAR AS baan_mankong_status_code,
        NULL::BOOLEAN AS baan_mankong_status_unknown,
        NULL::VARCHAR AS savings_group_code,
        NULL::BOOLEAN AS savings_group_unknown,
        NULL::VARCHAR AS wants_baan_mankong_code,
        NULL::BOOLEAN AS wants_baan_mankong_unknown,
        NULL::VARCHAR AS water_source_code,
        NULL::BOOLEAN AS water_source_unknown,
        NULL::VARCHAR AS toilet_type_code,
        NULL::BOOLEAN AS toilet_type_unknown,
        NULL::VARCHAR AS toilet_shared_code,
        NULL::BOOLEAN AS toilet_shared_unknown,
        NULL::VARCHAR AS wall_material_code,
        NULL::BOOLEAN AS wall_material_unknown,
        NULL::VARCHAR AS roof_material_code,
        NULL::BOOLEAN AS roof_material_unknown,
        NULL::VARCHAR AS floor_material_code,
        NULL::BOOLEAN AS floor_material_unknown,
        NULL::VARCHAR AS tenure_document_code,
        NULL::BOOLEAN AS tenure_document_unknown
    FROM base b
    LEFT JOIN raw_x_text_map t_community_name ON t_community_name.text = b.community_name
LEFT JOIN raw_x_text_map t_community_code ON t_community_code.text = b.community_code
LEFT JOIN raw_x_khet_map k ON k.text = b.khet
LEFT JOIN raw_x_date_map d1 ON d1.text = b.survey_date
LEFT JOIN raw_x_enum_tenure e_tenure ON e_tenure.text = b.tenure
),
counted AS (SELECT *, NULL::VARCHAR AS houses_text,
        CASE WHEN households_fast IS NULL THEN cw_number_text(households) END AS households_text,
        CASE WHEN population_fast IS NULL THEN cw_number_text(population) END AS population_text,
        CASE WHEN male_fast IS NULL THEN cw_number_text(male) END AS male_text,
        CASE WHEN female_fast IS NULL THEN cw_number_text(female) END AS female_text,
        NULL::VARCHAR AS members_text,
        NULL::VARCHAR AS years_in_community_text,
        NULL::VARCHAR AS rooms_text,
        NULL::VARCHAR AS monthly_income_text,
        NULL::VARCHAR AS floor_area_text FROM parsed),
measured AS (SELECT *, NULL::DOUBLE AS houses_number,
        cw_decimal(households_text) AS households_number,
        cw_decimal(population_text) AS population_number,
        cw_decimal(male_text) AS male_number,
        cw_decimal(female_text) AS female_number,
        NULL::DOUBLE AS members_number,
        NULL::DOUBLE AS years_in_community_number,
        NULL::DOUBLE AS rooms_number,
        NULL::DOUBLE AS monthly_income_number,
        NULL::DOUBLE AS floor_area_number FROM counted),
checked AS (SELECT *, NULL::VARCHAR AS houses_problem,
        NULL::BIGINT AS houses_value,
        CASE WHEN households_text IS NULL THEN NULL
                 WHEN households_number IS NULL THEN 'non_numeric_count'
                 WHEN households_number < 0 THEN 'negative_count'
                 WHEN households_number <> floor(households_number) THEN 'non_integer_count' END AS households_problem,
        coalesce(households_fast, TRY_CAST(households_number AS BIGINT)) AS households_value,
        CASE WHEN population_text IS NULL THEN NULL
                 WHEN population_number IS NULL THEN 'non_numeric_count'
                 WHEN population_number < 0 THEN 'negative_count'
                 WHEN population_number <> floor(population_number) THEN 'non_integer_count' END AS population_problem,
        coalesce(population_fast, TRY_CAST(population_number AS BIGINT)) AS population_value,
        CASE WHEN male_text IS NULL THEN NULL
                 WHEN male_number IS NULL THEN 'non_numeric_count'
                 WHEN male_number < 0 THEN 'negative_count'
                 WHEN male_number <> floor(male_number) THEN 'non_integer_count' END AS male_problem,
        coalesce(male_fast, TRY_CAST(male_number AS BIGINT)) AS male_value,
        CASE WHEN female_text IS NULL THEN NULL
                 WHEN female_number IS NULL THEN 'non_numeric_count'
                 WHEN female_number < 0 THEN 'negative_count'
                 WHEN female_number <> floor(female_number) THEN 'non_integer_count' END AS female_problem,
        coalesce(female_fast, TRY_CAST(female_number AS BIGINT)) AS female_value,
        NULL::VARCHAR AS members_problem,
        NULL::BIGINT AS members_value,
        NULL::VARCHAR AS years_in_community_problem,
        NULL::BIGINT AS years_in_community_value,
        NULL::VARCHAR AS rooms_problem,
        NULL::BIGINT AS rooms_value,
        NULL::VARCHAR AS monthly_income_problem,
        NULL::DOUBLE AS monthly_income_value,
        NULL::VARCHAR AS floor_area_problem,
        NULL::DOUBLE AS floor_area_value FROM measured),
located AS (
    SELECT *,
        coalesce(lat_number, TRY_CAST(coordinate_parts[1] AS DOUBLE)) AS lat_in,
        coalesce(lon_number, TRY_CAST(coordinate_parts[2] AS DOUBLE)) AS lon_in
    FROM checked
),
repaired AS (
    SELECT *,
        (lat_in IS NOT NULL AND lon_in IS NOT NULL
            AND NOT (lat_in BETWEEN 13.45 AND 14.0 AND lon_in BETWEEN 100.3 AND 100.98)
            AND lon_in BETWEEN 13.45 AND 14.0 AND lat_in BETWEEN 100.3 AND 100.98)
            AS swapped
    FROM located
),
bounded AS (
    SELECT *,
        CASE WHEN swapped THEN lon_in ELSE lat_in END AS lat_fixed,
        CASE WHEN swapped THEN lat_in ELSE lon_in END AS lon_fixed
    FROM repaired
),
celled AS (
    SELECT *,
        CASE WHEN lat_fixed BETWEEN 13.45 AND 14.0 AND lon_fixed BETWEEN 100.3 AND 100.98 THEN floor(lon_fixed * 1000)::INTEGER END AS cell_x,
        CASE WHEN lat_fixed BETWEEN 13.45 AND 14.0 AND lon_fixed BETWEEN 100.3 AND 100.98 THEN floor(lat_fixed * 1000)::INTEGER END AS cell_y
    FROM bounded
),
wanted AS (
    SELECT DISTINCT cell_x, cell_y FROM celled WHERE cell_x IS NOT NULL
),
khet_cells AS (
    SELECT l.cell_x, l.cell_y,
        min(l.khet_code) FILTER (WHERE l.covers_cell) AS whole_khet,
        list({'khet_code': l.khet_code, 'geom': l.geom} ORDER BY l.khet_code)
            FILTER (WHERE NOT l.covers_cell) AS pieces
    FROM khet_lookup l
    SEMI JOIN wanted w ON w.cell_x = l.cell_x AND w.cell_y = l.cell_y
    GROUP BY l.cell_x, l.cell_y
),
placed AS (
    SELECT c.*,
        CASE WHEN g.whole_khet IS NOT NULL THEN g.whole_khet
             WHEN g.pieces IS NOT NULL THEN list_min(list_transform(list_filter(g.pieces,
                 lambda p: ST_Intersects(p.geom, ST_Point(c.lon_fixed, c.lat_fixed))),
                 lambda p: p.khet_code)) END AS spatial_khet
    FROM celled c
    LEFT JOIN khet_cells g ON g.cell_x = c.cell_x AND g.cell_y = c.cell_y
),
khet_found AS (
    SELECT *, coalesce(written_khet, spatial_khet) AS khet_code FROM placed
),
named AS (
    SELECT x.*, w.code AS khwaeng_code,
        w.message_th AS khwaeng_message_th,
        w.message_en AS khwaeng_message_en,
        coalesce(w.written, false) AND x.khet_code IS NOT NULL AND w.code IS NULL AS khwaeng_unknown,
        1 AS uuid_occurrence,
        n.label_th AS spatial_label_th, n.label_en AS spatial_label_en
    FROM khet_found x
    LEFT JOIN raw_x_khet_name n ON n.khet_code = x.spatial_khet
    LEFT JOIN raw_x_khwaeng_map w ON w.khet_code = x.khet_code AND w.text = x.khwaeng
),
flagged AS (SELECT *, coalesce(swapped, false) AS warn_0,
        coalesce(coordinates_written AND lat_fixed IS NOT NULL AND lon_fixed IS NOT NULL AND spatial_khet IS NULL, false) AS warn_1,
        coalesce(coordinates_written AND (lat_fixed IS NULL OR lon_fixed IS NULL), false) AS warn_2,
        coalesce(written_khet IS NULL AND spatial_khet IS NOT NULL, false) AS warn_3,
        coalesce(written_khet IS NOT NULL AND spatial_khet IS NOT NULL AND written_khet <> spatial_khet, false) AS warn_4,
        coalesce(khwaeng_unknown, false) AS warn_5,
        coalesce(survey_date_unreadable, false) AS warn_6,
        coalesce(male_value + female_value <> population_value, false) AS warn_7,
        coalesce(tenure_unknown, false) AS warn_8 FROM named),
judged AS (
    SELECT *,
        CASE
            WHEN unclosed_quote THEN {'reason': 'unclosed_quote', 'field': NULL, 'value': NULL, 'detail_th': NULL, 'detail_en': NULL}
            WHEN too_long_field IS NOT NULL THEN {'reason': 'field_too_long', 'field': too_long_field, 'value': too_long_length::VARCHAR, 'detail_th': '1,000', 'detail_en': '1,000'}
            WHEN (CASE WHEN regexp_matches(coalesce(name_text, code_value, trim(khet)), '^\s*(?i:รวม|ยอดรวม|ผลรวม|total|grand|sum|sub)') THEN regexp_matches(lower(trim(coalesce(name_text, code_value, trim(khet)))), '^(รวม|รวมทั้งหมด|รวมทั้งสิ้น|รวมทั้งเขต|ยอดรวม|ผลรวม|total|grand total|sum|subtotal)([\s:.]|$)') ELSE false END) THEN {'reason': 'summary_row', 'field': NULL, 'value': coalesce(name_text, code_value, trim(khet)), 'detail_th': NULL, 'detail_en': NULL}
            WHEN (CASE WHEN regexp_matches(first_cell, '^\s*(?i:รวม|ยอดรวม|ผลรวม|total|grand|sum|sub)') THEN regexp_matches(lower(trim(first_cell)), '^(รวม|รวมทั้งหมด|รวมทั้งสิ้น|รวมทั้งเขต|ยอดรวม|ผลรวม|total|grand total|sum|subtotal)([\s:.]|$)') ELSE false END) THEN {'reason': 'summary_row', 'field': NULL, 'value': NULL::VARCHAR, 'detail_th': NULL, 'detail_en': NULL}
            WHEN name_text IS NULL AND code_value IS NULL THEN {'reason': 'missing_community', 'field': 'community_name', 'value': NULL, 'detail_th': NULL, 'detail_en': NULL}
            WHEN households_problem IS NOT NULL THEN {'reason': households_problem, 'field': 'households', 'value': trim(households), 'detail_th': NULL, 'detail_en': NULL}
            WHEN population_problem IS NOT NULL THEN {'reason': population_problem, 'field': 'population', 'value': trim(population), 'detail_th': NULL, 'detail_en': NULL}
            WHEN male_problem IS NOT NULL THEN {'reason': male_problem, 'field': 'male', 'value': trim(male), 'detail_th': NULL, 'detail_en': NULL}
            WHEN female_problem IS NOT NULL THEN {'reason': female_problem, 'field': 'female', 'value': trim(female), 'detail_th': NULL, 'detail_en': NULL}
            WHEN khet_code IS NULL AND NOT khet_written THEN {'reason': 'missing_khet', 'field': 'khet', 'value': NULL, 'detail_th': NULL, 'detail_en': NULL}
            WHEN khet_code IS NULL THEN {'reason': CASE WHEN khet_method = 'ambiguous' THEN 'ambiguous_khet' ELSE 'unknown_khet' END, 'field': 'khet', 'value': trim(khet), 'detail_th': khet_message_th, 'detail_en': khet_message_en}
        END AS rejection,
        CASE WHEN warn_0 OR warn_1 OR warn_2 OR warn_3 OR warn_4 OR warn_5 OR warn_6 OR warn_7 OR warn_8 THEN list_filter([
            CASE WHEN warn_0 THEN {'code': 'coordinates_swapped', 'field': 'coordinates', 'value': coalesce(
    CASE WHEN cw_written(lat) OR cw_written(lon)
         THEN concat_ws(', ', nullif(trim(lat), ''), nullif(trim(lon), '')) END,
    nullif(trim(coordinates), ''),
    CASE WHEN cw_written(easting) OR cw_written(northing)
         THEN concat_ws(', ', nullif(trim(easting), ''), nullif(trim(northing), '')) END), 'detail_th': NULL::VARCHAR, 'detail_en': NULL::VARCHAR} END,
            CASE WHEN warn_1 THEN {'code': 'coordinates_outside_bangkok', 'field': 'coordinates', 'value': coalesce(
    CASE WHEN cw_written(lat) OR cw_written(lon)
         THEN concat_ws(', ', nullif(trim(lat), ''), nullif(trim(lon), '')) END,
    nullif(trim(coordinates), ''),
    CASE WHEN cw_written(easting) OR cw_written(northing)
         THEN concat_ws(', ', nullif(trim(easting), ''), nullif(trim(northing), '')) END), 'detail_th': NULL::VARCHAR, 'detail_en': NULL::VARCHAR} END,
            CASE WHEN warn_2 THEN {'code': 'coordinates_unreadable', 'field': 'coordinates', 'value': coalesce(
    CASE WHEN cw_written(lat) OR cw_written(lon)
         THEN concat_ws(', ', nullif(trim(lat), ''), nullif(trim(lon), '')) END,
    nullif(trim(coordinates), ''),
    CASE WHEN cw_written(easting) OR cw_written(northing)
         THEN concat_ws(', ', nullif(trim(easting), ''), nullif(trim(northing), '')) END), 'detail_th': NULL::VARCHAR, 'detail_en': NULL::VARCHAR} END,
            CASE WHEN warn_3 THEN {'code': 'khet_from_location', 'field': 'khet', 'value': coalesce(nullif(trim(khet), ''), coalesce(
    CASE WHEN cw_written(lat) OR cw_written(lon)
         THEN concat_ws(', ', nullif(trim(lat), ''), nullif(trim(lon), '')) END,
    nullif(trim(coordinates), ''),
    CASE WHEN cw_written(easting) OR cw_written(northing)
         THEN concat_ws(', ', nullif(trim(easting), ''), nullif(trim(northing), '')) END)), 'detail_th': spatial_label_th::VARCHAR, 'detail_en': spatial_label_en::VARCHAR} END,
            CASE WHEN warn_4 THEN {'code': 'khet_mismatch', 'field': 'khet', 'value': trim(khet), 'detail_th': spatial_label_th::VARCHAR, 'detail_en': spatial_label_en::VARCHAR} END,
            CASE WHEN warn_5 THEN {'code': 'unknown_khwaeng', 'field': 'khwaeng', 'value': trim(khwaeng), 'detail_th': khwaeng_message_th::VARCHAR, 'detail_en': khwaeng_message_en::VARCHAR} END,
            CASE WHEN warn_6 THEN {'code': 'unreadable_date', 'field': 'survey_date', 'value': trim(survey_date), 'detail_th': NULL::VARCHAR, 'detail_en': NULL::VARCHAR} END,
            CASE WHEN warn_7 THEN {'code': 'population_mismatch', 'field': 'population', 'value': population_value::VARCHAR, 'detail_th': (male_value + female_value)::VARCHAR::VARCHAR, 'detail_en': (male_value + female_value)::VARCHAR::VARCHAR} END,
            CASE WHEN warn_8 THEN {'code': 'unknown_value', 'field': 'tenure', 'value': trim(tenure), 'detail_th': NULL::VARCHAR, 'detail_en': 'own, permitted, rent_contract, rent_no_contract, squatter, unknown'::VARCHAR} END
        ], lambda w: w IS NOT NULL) END AS warnings,
        NULL::DOUBLE AS area_value
    FROM flagged
)
SELECT source_row, rejection, warnings, 
    CASE WHEN code_value IS NOT NULL THEN khet_code || ':' || code_value
         WHEN name_text IS NOT NULL THEN khet_code || ':name:' || cw_name_key(name_text) END AS community_key,
    khet_code, khwaeng_code, code_value AS community_code, name_text AS community_name,
    community_type_code AS community_type,
    houses_value AS houses, households_value AS households, population_value AS population,
    male_value AS male, female_value AS female, area_value AS area_rai,
    CASE WHEN spatial_khet IS NOT NULL THEN lat_fixed END AS lat,
    CASE WHEN spatial_khet IS NOT NULL THEN lon_fixed END AS lon,
    survey_date_value AS survey_date, uuid_text AS record_uuid,
    land_owner_code AS land_owner, tenure_code AS tenure, eviction_threat_code AS eviction_threat, housing_condition_code AS housing_condition, water_code AS water, electricity_code AS electricity, drainage_code AS drainage, walkway_code AS walkway, flood_risk_code AS flood_risk, baan_mankong_status_code AS baan_mankong_status, savings_group_code AS savings_group, footprint_wkb
FROM judged
