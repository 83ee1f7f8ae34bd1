
CREATE OR REPLACE TEMP TABLE raw_x_staged AS
WITH base AS (
    SELECT r.source_row, r.first_cell, r.unclosed_quote, r.khet, r.khwaeng, r.community_name, r.community_code, NULL::VARCHAR AS community_type, NULL::VARCHAR AS houses, NULL::VARCHAR AS households, NULL::VARCHAR AS population, NULL::VARCHAR AS male, NULL::VARCHAR AS female, NULL::VARCHAR AS lat, NULL::VARCHAR AS lon, NULL::VARCHAR AS coordinates, NULL::VARCHAR AS easting, NULL::VARCHAR AS northing, r.survey_date, NULL::VARCHAR AS submission_time, NULL::VARCHAR AS record_uuid, NULL::VARCHAR AS area_rai, NULL::VARCHAR AS area_ngan, NULL::VARCHAR AS area_wa, NULL::VARCHAR AS land_owner, NULL::VARCHAR AS tenure, NULL::VARCHAR AS eviction_threat, NULL::VARCHAR AS housing_condition, NULL::VARCHAR AS water, NULL::VARCHAR AS electricity, NULL::VARCHAR AS drainage, NULL::VARCHAR AS walkway, NULL::VARCHAR AS flood_risk, NULL::VARCHAR AS baan_mankong_status, NULL::VARCHAR AS savings_group, r.household_code, r.members, r.monthly_income, NULL::VARCHAR AS wants_baan_mankong, NULL::VARCHAR AS years_in_community, NULL::VARCHAR AS water_source, NULL::VARCHAR AS toilet_type, NULL::VARCHAR AS toilet_shared, NULL::VARCHAR AS rooms, NULL::VARCHAR AS floor_area, NULL::VARCHAR AS wall_material, NULL::VARCHAR AS roof_material, NULL::VARCHAR AS floor_material, NULL::VARCHAR AS tenure_document, NULL::BLOB AS footprint_wkb
    FROM raw_x r
    
    WHERE cw_written(r.community_code) OR cw_written(r.community_name) OR cw_written(r.household_code) OR cw_written(r.khet) OR cw_written(r.khwaeng) OR cw_written(r.members) OR cw_written(r.monthly_income) OR cw_written(r.survey_date) OR r.unclosed_quote
),
parsed AS (
    SELECT b.*, CASE WHEN strlen(b.community_code) > 1000 AND length(b.community_code) > 1000 THEN 'community_code' WHEN strlen(b.community_name) > 1000 AND length(b.community_name) > 1000 THEN 'community_name' WHEN strlen(b.household_code) > 1000 AND length(b.household_code) > 1000 THEN 'household_code' WHEN strlen(b.khet) > 1000 AND length(b.khet) > 1000 THEN 'khet' WHEN strlen(b.khwaeng) > 1000 AND length(b.khwaeng) > 1000 THEN 'khwaeng' WHEN strlen(b.members) > 1000 AND length(b.members) > 1000 THEN 'members' WHEN strlen(b.monthly_income) > 1000 AND length(b.monthly_income) > 1000 THEN 'monthly_income' WHEN strlen(b.survey_date) > 1000 AND length(b.survey_date) > 1000 THEN 'survey_date' END AS too_long_field,
        CASE WHEN strlen(b.community_code) > 1000 AND length(b.community_code) > 1000 THEN length(b.community_code) WHEN strlen(b.community_name) > 1000 AND length(b.community_name) > 1000 THEN length(b.community_name) WHEN strlen(b.household_code) > 1000 AND length(b.household_code) > 1000 THEN length(b.household_code) WHEN strlen(b.khet) > 1000 AND length(b.khet) > 1000 THEN length(b.khet) WHEN strlen(b.khwaeng) > 1000 AND length(b.khwaeng) > 1000 THEN length(b.khwaeng) WHEN strlen(b.members) > 1000 AND length(b.members) > 1000 THEN length(b.members) WHEN strlen(b.monthly_income) > 1000 AND length(b.monthly_income) > 1000 THEN length(b.monthly_income) WHEN strlen(b.survey_date) > 1000 AND length(b.survey_date) > 1000 THEN length(b.survey_date) END AS too_long_length,
        CASE WHEN t_community_name.text IS NOT NULL THEN t_community_name.cleaned ELSE nullif(b.community_name, '') END AS name_text,
        cw_code(b.community_code, CASE WHEN t_community_code.text IS NOT NULL THEN t_community_code.cleaned ELSE nullif(b.community_code, '') END) AS code_value,
        cw_code(b.household_code, CASE WHEN t_household_code.text IS NOT NULL THEN t_household_code.cleaned ELSE nullif(b.household_code, '') END) AS household_code_value,
        NULL::VARCHAR AS uuid_text,
        NULL::BIGINT AS houses_fast,
        NULL::BIGINT AS households_fast,
        NULL::BIGINT AS population_fast,
        NULL::BIGINT AS male_fast,
        NULL::BIGINT AS female_fast,
        cw_whole_number(b.members) AS members_fast,
        NULL::BIGINT AS years_in_community_fast,
        NULL::BIGINT AS rooms_fast,
        cw_whole_number(b.monthly_income) AS monthly_income_fast,
        NULL::BIGINT AS floor_area_fast,
        NULL::DOUBLE AS lat_number,
        NULL::DOUBLE AS lon_number,
        NULL::DOUBLE AS easting_number,
        NULL::DOUBLE AS northing_number,
        NULL::VARCHAR[] AS coordinate_parts,
        false AS coordinates_written,
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
        NULL::VARCHAR AS tenure_code,
        NULL::BOOLEAN AS tenure_unknown,
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
LEFT JOIN raw_x_text_map t_household_code ON t_household_code.text = b.household_code
LEFT JOIN raw_x_khet_map k ON k.text = b.khet
LEFT JOIN raw_x_date_map d1 ON d1.text = b.survey_date
),
counted AS (SELECT *, NULL::VARCHAR AS houses_text,
        NULL::VARCHAR AS households_text,
        NULL::VARCHAR AS population_text,
        NULL::VARCHAR AS male_text,
        NULL::VARCHAR AS female_text,
        CASE WHEN members_fast IS NULL THEN cw_number_text(members) END AS members_text,
        NULL::VARCHAR AS years_in_community_text,
        NULL::VARCHAR AS rooms_text,
        CASE WHEN monthly_income_fast IS NULL THEN cw_number_text(monthly_income) END AS monthly_income_text,
        NULL::VARCHAR AS floor_area_text FROM parsed),
measured AS (SELECT *, NULL::DOUBLE AS houses_number,
        NULL::DOUBLE AS households_number,
        NULL::DOUBLE AS population_number,
        NULL::DOUBLE AS male_number,
        NULL::DOUBLE AS female_number,
        cw_decimal(members_text) AS members_number,
        NULL::DOUBLE AS years_in_community_number,
        NULL::DOUBLE AS rooms_number,
        cw_decimal(monthly_income_text) AS monthly_income_number,
        NULL::DOUBLE AS floor_area_number FROM counted),
checked AS (SELECT *, NULL::VARCHAR AS houses_problem,
        NULL::BIGINT AS houses_value,
        NULL::VARCHAR AS households_problem,
        NULL::BIGINT AS households_value,
        NULL::VARCHAR AS population_problem,
        NULL::BIGINT AS population_value,
        NULL::VARCHAR AS male_problem,
        NULL::BIGINT AS male_value,
        NULL::VARCHAR AS female_problem,
        NULL::BIGINT AS female_value,
        CASE WHEN members_text IS NULL THEN NULL
                 WHEN members_number IS NULL THEN 'non_numeric_count'
                 WHEN members_number < 0 THEN 'negative_count'
                 WHEN members_number <> floor(members_number) THEN 'non_integer_count' END AS members_problem,
        coalesce(members_fast, TRY_CAST(members_number AS BIGINT)) AS members_value,
        NULL::VARCHAR AS years_in_community_problem,
        NULL::BIGINT AS years_in_community_value,
        NULL::VARCHAR AS rooms_problem,
        NULL::BIGINT AS rooms_value,
        CASE WHEN monthly_income_text IS NULL THEN NULL
                 WHEN monthly_income_number IS NULL THEN 'non_numeric_amount'
                 WHEN monthly_income_number < 0 THEN 'negative_amount' END AS monthly_income_problem,
        coalesce(monthly_income_fast::DOUBLE, monthly_income_number) AS monthly_income_value,
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
flagged AS (SELECT *, coalesce(written_khet IS NULL AND spatial_khet IS NOT NULL, false) AS warn_0,
        coalesce(written_khet IS NOT NULL AND spatial_khet IS NOT NULL AND written_khet <> spatial_khet, false) AS warn_1,
        coalesce(khwaeng_unknown, false) AS warn_2,
        coalesce(survey_date_unreadable, false) AS warn_3,
        coalesce(members_value > 30, false) AS warn_4,
        coalesce(monthly_income_value > 1000000, false) AS warn_5 FROM named),
judged AS (
    SELECT *,
        CASE
            WHEN unclosed_quote THEN {'reason': 'unclosed_quote', 'field': NULL, 'value': NULL, 'detail_th': NULL, 'detail_en': NULL}
            WHEN too_long_field IS NOT NULL THEN {'reason': 'field_too_long', 'field': too_long_field, 'value': too_long_length::VARCHAR, 'detail_th': '1,000', 'detail_en': '1,000'}
            WHEN (CASE WHEN regexp_matches(coalesce(household_code_value, name_text, code_value, trim(khet)), '^\s*(?i:รวม|ยอดรวม|ผลรวม|total|grand|sum|sub)') THEN regexp_matches(lower(trim(coalesce(household_code_value, name_text, code_value, trim(khet)))), '^(รวม|รวมทั้งหมด|รวมทั้งสิ้น|รวมทั้งเขต|ยอดรวม|ผลรวม|total|grand total|sum|subtotal)([\s:.]|$)') ELSE false END) THEN {'reason': 'summary_row', 'field': NULL, 'value': coalesce(household_code_value, name_text, code_value, trim(khet)), 'detail_th': NULL, 'detail_en': NULL}
            WHEN (CASE WHEN regexp_matches(first_cell, '^\s*(?i:รวม|ยอดรวม|ผลรวม|total|grand|sum|sub)') THEN regexp_matches(lower(trim(first_cell)), '^(รวม|รวมทั้งหมด|รวมทั้งสิ้น|รวมทั้งเขต|ยอดรวม|ผลรวม|total|grand total|sum|subtotal)([\s:.]|$)') ELSE false END) THEN {'reason': 'summary_row', 'field': NULL, 'value': NULL::VARCHAR, 'detail_th': NULL, 'detail_en': NULL}
            WHEN household_code_value IS NULL THEN {'reason': 'missing_household', 'field': 'household_code', 'value': NULL, 'detail_th': NULL, 'detail_en': NULL}
            WHEN members_problem IS NOT NULL THEN {'reason': members_problem, 'field': 'members', 'value': trim(members), 'detail_th': NULL, 'detail_en': NULL}
            WHEN monthly_income_problem IS NOT NULL THEN {'reason': monthly_income_problem, 'field': 'monthly_income', 'value': trim(monthly_income), 'detail_th': NULL, 'detail_en': NULL}
            WHEN khet_code IS NULL AND NOT khet_written THEN {'reason': 'missing_khet', 'field': 'khet', 'value': NULL, 'detail_th': NULL, 'detail_en': NULL}
            WHEN khet_code IS NULL THEN {'reason': CASE WHEN khet_method = 'ambiguous' THEN 'ambiguous_khet' ELSE 'unknown_khet' END, 'field': 'khet', 'value': trim(khet), 'detail_th': khet_message_th, 'detail_en': khet_message_en}
        END AS rejection,
        CASE WHEN warn_0 OR warn_1 OR warn_2 OR warn_3 OR warn_4 OR warn_5 THEN list_filter([
            CASE WHEN warn_0 THEN {'code': 'khet_from_location', 'field': 'khet', 'value': coalesce(nullif(trim(khet), ''), coalesce(
    CASE WHEN cw_written(lat) OR cw_written(lon)
         THEN concat_ws(', ', nullif(trim(lat), ''), nullif(trim(lon), '')) END,
    nullif(trim(coordinates), ''),
    CASE WHEN cw_written(easting) OR cw_written(northing)
         THEN concat_ws(', ', nullif(trim(easting), ''), nullif(trim(northing), '')) END)), 'detail_th': spatial_label_th::VARCHAR, 'detail_en': spatial_label_en::VARCHAR} END,
            CASE WHEN warn_1 THEN {'code': 'khet_mismatch', 'field': 'khet', 'value': trim(khet), 'detail_th': spatial_label_th::VARCHAR, 'detail_en': spatial_label_en::VARCHAR} END,
            CASE WHEN warn_2 THEN {'code': 'unknown_khwaeng', 'field': 'khwaeng', 'value': trim(khwaeng), 'detail_th': khwaeng_message_th::VARCHAR, 'detail_en': khwaeng_message_en::VARCHAR} END,
            CASE WHEN warn_3 THEN {'code': 'unreadable_date', 'field': 'survey_date', 'value': trim(survey_date), 'detail_th': NULL::VARCHAR, 'detail_en': NULL::VARCHAR} END,
            CASE WHEN warn_4 THEN {'code': 'implausible_value', 'field': 'members', 'value': trim(members), 'detail_th': '30'::VARCHAR, 'detail_en': '30'::VARCHAR} END,
            CASE WHEN warn_5 THEN {'code': 'implausible_value', 'field': 'monthly_income', 'value': trim(monthly_income), 'detail_th': '1,000,000'::VARCHAR, 'detail_en': '1,000,000'::VARCHAR} END
        ], lambda w: w IS NOT NULL) END AS warnings,
        NULL::DOUBLE AS area_value
    FROM flagged
)
SELECT source_row, rejection, warnings, 
    khet_code || ':' || household_code_value AS household_key,
    khet_code, khwaeng_code, CASE WHEN code_value IS NOT NULL THEN khet_code || ':' || code_value
         WHEN name_text IS NOT NULL THEN khet_code || ':name:' || cw_name_key(name_text) END AS community_key,
    code_value AS community_code, name_text AS community_name,
    household_code_value AS household_code, members_value AS members,
    monthly_income_value AS monthly_income, tenure_code AS tenure,
    housing_condition_code AS housing_condition,
    wants_baan_mankong_code = 'yes' AS wants_baan_mankong,
    years_in_community_value AS years_in_community,
    water_source_code AS water_source, toilet_type_code AS toilet_type,
    toilet_shared_code AS toilet_shared, rooms_value AS rooms, floor_area_value AS floor_area,
    wall_material_code AS wall_material, roof_material_code AS roof_material,
    floor_material_code AS floor_material, tenure_document_code AS tenure_document,
    survey_date_value AS survey_date, uuid_text AS record_uuid
FROM judged
