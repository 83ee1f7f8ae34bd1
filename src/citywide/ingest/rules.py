"""Row outcomes: every row read is loaded (perhaps with warnings) or rejected with a reason.

:func:`stage` turns a raw table (text columns named after fields) into a staged table with typed,
normalised columns and, per row, a reject reason or a list of warnings. All per-row work is one
DuckDB query; Python only parses the distinct values of repetitive columns (khet, khwaeng, dates,
enums) through :mod:`citywide.ingest.values`.

Reason and warning codes, with their Thai and English messages, are listed in
:data:`MESSAGES`; docs/ingestion.md explains each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from citywide.gazetteer import Gazetteer
from citywide.ingest import values
from citywide.ingest.columns import Vocabulary

# Bangkok's bounding box with a margin: a point outside it is not in Bangkok, and a point whose
# swapped coordinates fall inside it had latitude and longitude reversed.
LAT_RANGE = (13.45, 14.0)
LON_RANGE = (100.3, 100.98)

COUNT_FIELDS = ("houses", "households", "population", "male", "female")
ENUM_FIELDS = (
    "community_type",
    "land_owner",
    "tenure",
    "eviction_threat",
    "housing_condition",
    "water",
    "electricity",
    "drainage",
    "walkway",
    "flood_risk",
    "baan_mankong_status",
    "savings_group",
)
DATE_FIELDS = ("survey_date", "submission_time")
GEO_COLUMNS = ("geom_lat", "geom_lon", "footprint_wkb")
# A summary row starts with one of these words, alone or followed by a space or colon
# ("รวม", "รวม 6 ชุมชน", "Total:"), so a community named รวมใจ is not one.
SUMMARY_PATTERN = (
    r"^(รวม|รวมทั้งหมด|รวมทั้งสิ้น|รวมทั้งเขต|ยอดรวม|ผลรวม|total|grand total|sum|subtotal)([\s:.]|$)"
)

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "khet": ("เขต", "khet"),
    "khwaeng": ("แขวง", "khwaeng"),
    "community_name": ("ชื่อชุมชน", "community name"),
    "community_code": ("รหัสชุมชน", "community code"),
    "community_type": ("ประเภทชุมชน", "community type"),
    "houses": ("จำนวนบ้าน", "houses"),
    "households": ("จำนวนครัวเรือน", "households"),
    "population": ("จำนวนประชากร", "population"),
    "male": ("จำนวนชาย", "male"),
    "female": ("จำนวนหญิง", "female"),
    "coordinates": ("พิกัด", "coordinates"),
    "survey_date": ("วันที่สำรวจ", "survey date"),
    "submission_time": ("เวลาส่งแบบสำรวจ", "submission time"),
    "record_uuid": ("รหัสแบบสำรวจ (_uuid)", "submission id (_uuid)"),
    "land_owner": ("เจ้าของที่ดิน", "land owner"),
    "tenure": ("สถานะการอยู่อาศัย", "tenure"),
    "eviction_threat": ("การไล่รื้อ", "eviction threat"),
    "housing_condition": ("สภาพบ้าน", "housing condition"),
    "water": ("น้ำประปา", "water"),
    "electricity": ("ไฟฟ้า", "electricity"),
    "drainage": ("ระบบระบายน้ำ", "drainage"),
    "walkway": ("ทางเดิน", "walkway"),
    "flood_risk": ("น้ำท่วม", "flood risk"),
    "baan_mankong_status": ("บ้านมั่นคง", "Baan Mankong status"),
    "savings_group": ("กลุ่มออมทรัพย์", "savings group"),
}

# code -> (Thai template, English template); {field_th}/{field_en}/{value}/{detail_th}/{detail_en}
MESSAGES: dict[str, tuple[str, str]] = {
    # rejections
    "summary_row": ("แถวผลรวม ไม่ใช่ชุมชน", "a summary (total) row, not a community"),
    "missing_community": ("ไม่มีชื่อชุมชนหรือรหัสชุมชน", "no community name or code"),
    "non_numeric_count": (
        '{field_th} "{value}" ไม่ใช่ตัวเลข ต้องเป็นจำนวนเต็มตั้งแต่ 0',
        '{field_en} "{value}" is not a number; expected a whole number from 0',
    ),
    "negative_count": (
        "{field_th} ติดลบ ({value}) ต้องเป็นจำนวนเต็มตั้งแต่ 0",
        "{field_en} is negative ({value}); expected a whole number from 0",
    ),
    "non_integer_count": (
        "{field_th} ต้องเป็นจำนวนเต็ม ไม่ใช่ {value}",
        "{field_en} must be a whole number, found {value}",
    ),
    "missing_khet": (
        "ไม่ระบุเขต และไม่มีพิกัดในกรุงเทพฯ ที่ใช้หาเขตได้ กรุณาระบุเขต",
        "no khet written and no coordinates in Bangkok to find it; write the khet",
    ),
    "unknown_khet": (
        "{detail_th} และไม่มีพิกัดในกรุงเทพฯ กรุณาแก้ชื่อเขต",
        "{detail_en}; no coordinates in Bangkok either; correct the khet",
    ),
    "ambiguous_khet": (
        "{detail_th} และไม่มีพิกัดในกรุงเทพฯ กรุณาเขียนชื่อเขตเต็ม",
        "{detail_en}; no coordinates in Bangkok either; write the khet in full",
    ),
    "duplicate_submission": (
        "แบบสำรวจซ้ำ (_uuid {value} มีในแถวก่อนหน้าแล้ว) นับครั้งเดียว",
        "duplicate submission (_uuid {value} is in an earlier row); counted once",
    ),
    # warnings
    "coordinates_swapped": (
        "ละติจูดและลองจิจูดสลับกัน ({value}) แก้ให้แล้ว",
        "latitude and longitude were swapped ({value}); repaired",
    ),
    "coordinates_outside_bangkok": (
        "พิกัด {value} อยู่นอกกรุงเทพฯ ไม่ได้ใช้พิกัดนี้",
        "coordinates {value} fall outside Bangkok; not used",
    ),
    "coordinates_unreadable": (
        'อ่านพิกัด "{value}" ไม่ได้ ไม่ได้ใช้พิกัดนี้',
        'cannot read the coordinates "{value}"; not used',
    ),
    "khet_from_location": (
        "ใช้เขต {detail_th} จากพิกัด ({value})",
        "khet {detail_en} taken from the coordinates ({value})",
    ),
    "khet_mismatch": (
        "พิกัดอยู่ในเขต {detail_th} ไม่ใช่เขตที่ระบุ ({value}) ใช้เขตที่ระบุ",
        "the point lies in khet {detail_en}, not in the khet written ({value}); kept the khet written",
    ),
    "unknown_khwaeng": ("{detail_th} ไม่ได้บันทึกแขวง", "{detail_en}; khwaeng left empty"),
    "unknown_value": (
        '{field_th}: ไม่รู้จักค่า "{value}" ไม่ได้บันทึก',
        '{field_en}: unknown value "{value}" (expected one of: {detail_en}); left empty',
    ),
    "unreadable_date": (
        'อ่าน{field_th} "{value}" ไม่ได้ (เช่น 15/12/2567 หรือ 2024-12-15) ไม่ได้บันทึก',
        'cannot read the {field_en} "{value}" (e.g. 15/12/2567 or 2024-12-15); left empty',
    ),
    "population_mismatch": (
        "ชาย + หญิง = {detail_th} ไม่เท่ากับประชากร {value}",
        "male + female = {detail_en}, not the population {value}",
    ),
}
REJECTIONS = frozenset(
    {
        "summary_row",
        "missing_community",
        "non_numeric_count",
        "negative_count",
        "non_integer_count",
        "missing_khet",
        "unknown_khet",
        "ambiguous_khet",
        "duplicate_submission",
    }
)
WARNINGS = frozenset(MESSAGES) - REJECTIONS

_MACROS = """
CREATE OR REPLACE TEMP MACRO cw_text(x) AS nullif(trim(regexp_replace(regexp_replace(
    replace(nfc_normalize(x), chr(3661) || chr(3634), chr(3635)),
    '[' || chr(8203) || chr(8204) || chr(8205) || chr(65279) || chr(173) || ']', '', 'g'),
    '\\s+', ' ', 'g')), '');
CREATE OR REPLACE TEMP MACRO cw_digits(x) AS translate(x, '๐๑๒๓๔๕๖๗๘๙', '0123456789');
CREATE OR REPLACE TEMP MACRO cw_placeholder(x) AS lower(x) IN ('-', '–', '—', 'n/a', 'na', '.', '--');
CREATE OR REPLACE TEMP MACRO cw_number_text(x) AS CASE WHEN cw_placeholder(x) THEN NULL
    ELSE nullif(replace(replace(replace(cw_digits(x), ',', ''), ' ', ''), chr(160), ''), '') END;
CREATE OR REPLACE TEMP MACRO cw_name_key(x) AS nullif(regexp_replace(regexp_replace(
    lower(x), '[\\s_\\-.:,;''`"()\\[\\]/\\\\]+', '', 'g'), '^(ชุมชน|community)', ''), '');
"""


@dataclass(frozen=True)
class StageContext:
    gazetteer: Gazetteer
    vocabulary: Vocabulary
    today: dt.date
    lookup_table: str  # table of (khet_code, geom) pieces for point-in-khet


def stage(
    connection: duckdb.DuckDBPyConnection,
    raw: str,
    fields: list[str],
    has_geometry: bool,
    context: StageContext,
) -> str:
    """Create ``{raw}_staged``: typed columns, reject reason and warnings per non-blank row."""
    connection.execute(_MACROS)
    clean = f"{raw}_clean"
    present = set(fields)
    text_columns = [
        f"{_clean_expression(name)} AS {name}" if name in present else f"NULL::VARCHAR AS {name}"
        for name in context.vocabulary.fields
    ]
    geo_types = {"geom_lat": "VARCHAR", "geom_lon": "VARCHAR", "footprint_wkb": "BLOB"}
    geo_columns = [
        f"{name if has_geometry else 'NULL'}::{geo_types[name]} AS {name}" for name in GEO_COLUMNS
    ]
    written = [f"nullif(trim({name}), '')" for name in fields]
    is_blank = f"coalesce({', '.join(written)}) IS NULL" if written else "true"
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE {clean} AS SELECT source_row, "
        f"{', '.join(text_columns)}, {', '.join(geo_columns)}, "
        "lower(nullif(trim(first_cell), '')) AS first_cell, "
        f"{is_blank} AS is_blank FROM {raw}"
    )
    _register_value_tables(connection, clean, context, present)
    connection.execute(_typed_sql(clean, context, present))
    _register_khwaeng_table(connection, f"{clean}_typed", context)
    connection.execute(_outcome_sql(clean, context, present))
    return f"{clean}_staged"


# Values stored as written (names) get the full Unicode clean-up on every row. Repetitive values
# (khet, type, dates, enums) are only trimmed here: each distinct text is normalised once, in
# Python, when it is looked up (values.py). Numbers need no more than trimming either.
_STORED_TEXT = frozenset({"community_name", "community_code", "record_uuid"})


def _clean_expression(name: str) -> str:
    return f"cw_text({name})" if name in _STORED_TEXT else f"nullif(trim({name}), '')"


def blank_rows(connection: duckdb.DuckDBPyConnection, raw: str) -> int:
    row = connection.execute(f"SELECT count(*) FROM {raw}_clean WHERE is_blank").fetchone()
    return int(row[0]) if row else 0


def _register_value_tables(
    connection: duckdb.DuckDBPyConnection, clean: str, context: StageContext, present: set[str]
) -> None:
    def distinct(column: str) -> list[str]:
        if column not in present:
            return []
        rows = connection.execute(
            f"SELECT DISTINCT {column} FROM {clean} WHERE {column} IS NOT NULL"
        ).fetchall()
        return [row[0] for row in rows]

    khet = values.khet_table(distinct("khet"), context.gazetteer)
    dates = values.date_table(
        [text for column in DATE_FIELDS for text in distinct(column)], context.today
    )
    enums = pd.concat(
        [
            values.enum_table(field, distinct(field), context.vocabulary).assign(field=field)
            for field in ENUM_FIELDS
        ],
        ignore_index=True,
    )
    expected = pd.DataFrame(
        {
            "field": list(ENUM_FIELDS),
            "codes": [", ".join(context.vocabulary.enum_codes(f)) for f in ENUM_FIELDS],
        }
    )
    labels = pd.DataFrame(
        [(f, th, en) for f, (th, en) in FIELD_LABELS.items()], columns=["field", "th", "en"]
    )
    messages = pd.DataFrame(
        [(code, th, en) for code, (th, en) in MESSAGES.items()], columns=["code", "th", "en"]
    )
    khets = context.gazetteer.khets
    khet_names = pd.DataFrame(
        {
            "khet_code": khets["khet_code"],
            "label_th": khets["khet_code"] + " " + khets["name_th"],
            "label_en": khets["khet_code"] + " " + khets["name_en"],
        }
    )
    for name, frame in {
        "khet_map": khet,
        "date_map": dates,
        "enum_map": enums,
        "enum_expected": expected,
        "field_label": labels,
        "message_template": messages,
        "khet_name": khet_names,
    }.items():
        connection.register(f"{clean}_{name}", frame)


def _register_khwaeng_table(
    connection: duckdb.DuckDBPyConnection, typed: str, context: StageContext
) -> None:
    pairs = connection.execute(
        f"SELECT DISTINCT khet_code, khwaeng FROM {typed} "
        "WHERE khet_code IS NOT NULL AND khwaeng IS NOT NULL"
    ).fetchall()
    table = values.khwaeng_table([(k, w) for k, w in pairs], context.gazetteer)
    connection.register(f"{typed.removesuffix('_typed')}_khwaeng_map", table)


def _typed_sql(clean: str, context: StageContext, present: set[str]) -> str:
    count_texts = ", ".join(f"cw_number_text(c.{f}) AS {f}_text" for f in COUNT_FIELDS)
    count_numbers = ", ".join(f"TRY_CAST({f}_text AS DOUBLE) AS {f}_number" for f in COUNT_FIELDS)
    counts = ",\n".join(
        f"""CASE WHEN {f}_text IS NULL THEN NULL
                 WHEN {f}_number IS NULL THEN 'non_numeric_count'
                 WHEN {f}_number < 0 THEN 'negative_count'
                 WHEN {f}_number <> floor({f}_number) THEN 'non_integer_count' END AS {f}_problem,
            TRY_CAST({f}_number AS BIGINT) AS {f}_value"""
        for f in COUNT_FIELDS
    )
    enums = ",\n".join(
        f"(SELECT code FROM {clean}_enum_map m WHERE m.field = '{f}' AND m.text = c.{f}) AS {f}_code"
        if f in present
        else f"NULL::VARCHAR AS {f}_code"
        for f in ENUM_FIELDS
    )
    lat_lo, lat_hi = LAT_RANGE
    lon_lo, lon_hi = LON_RANGE
    return f"""
CREATE OR REPLACE TEMP TABLE {clean}_typed AS
WITH count_texts AS (
    SELECT c.*, {count_texts} FROM {clean} c
),
count_numbers AS (
    SELECT *, {count_numbers} FROM count_texts
),
numbers AS (
    SELECT c.*,
        {counts},
        regexp_extract_all(cw_digits(c.coordinates), '-?\\d+(?:\\.\\d+)?') AS coordinate_parts,
        TRY_CAST(cw_number_text(c.lat) AS DOUBLE) AS lat_number,
        TRY_CAST(cw_number_text(c.lon) AS DOUBLE) AS lon_number,
        TRY_CAST(cw_number_text(c.easting) AS DOUBLE) AS easting_number,
        TRY_CAST(cw_number_text(c.northing) AS DOUBLE) AS northing_number,
        {enums},
        k.code AS written_khet, k.method AS khet_method, k.message_th AS khet_message_th,
        k.message_en AS khet_message_en,
        coalesce(d1.parsed, d2.parsed)::DATE AS survey_date_value,
        (c.survey_date IS NOT NULL AND d1.parsed IS NULL) AS survey_date_unreadable,
        nullif(regexp_replace(cw_digits(c.community_code), '\\s', '', 'g'), '') AS code_value
    FROM count_numbers c
    LEFT JOIN {clean}_khet_map k ON k.text = c.khet
    LEFT JOIN {clean}_date_map d1 ON d1.text = c.survey_date
    LEFT JOIN {clean}_date_map d2 ON d2.text = c.submission_time
),
located AS (
    SELECT *,
        coalesce(lat_number, TRY_CAST(coordinate_parts[1] AS DOUBLE),
                 CASE WHEN easting_number IS NOT NULL AND northing_number IS NOT NULL THEN
                     ST_Y(ST_Transform(ST_Point(easting_number, northing_number), 'EPSG:32647', 'EPSG:4326', always_xy := true)) END,
                 TRY_CAST(geom_lat AS DOUBLE)) AS lat_in,
        coalesce(lon_number, TRY_CAST(coordinate_parts[2] AS DOUBLE),
                 CASE WHEN easting_number IS NOT NULL AND northing_number IS NOT NULL THEN
                     ST_X(ST_Transform(ST_Point(easting_number, northing_number), 'EPSG:32647', 'EPSG:4326', always_xy := true)) END,
                 TRY_CAST(geom_lon AS DOUBLE)) AS lon_in,
        coalesce(CASE WHEN lat IS NOT NULL OR lon IS NOT NULL THEN concat_ws(', ', lat, lon) END,
                 coordinates,
                 CASE WHEN easting IS NOT NULL OR northing IS NOT NULL THEN concat_ws(', ', easting, northing) END)
            AS coordinates_written
    FROM numbers
),
repaired AS (
    SELECT *,
        (lat_in IS NOT NULL AND lon_in IS NOT NULL
            AND NOT (lat_in BETWEEN {lat_lo} AND {lat_hi} AND lon_in BETWEEN {lon_lo} AND {lon_hi})
            AND lon_in BETWEEN {lat_lo} AND {lat_hi} AND lat_in BETWEEN {lon_lo} AND {lon_hi}) AS swapped
    FROM located
),
bounded AS (
    SELECT *,
        CASE WHEN swapped THEN lon_in ELSE lat_in END AS lat_fixed,
        CASE WHEN swapped THEN lat_in ELSE lon_in END AS lon_fixed
    FROM repaired
),
inside AS (
    SELECT *,
        lat_fixed BETWEEN {lat_lo} AND {lat_hi} AND lon_fixed BETWEEN {lon_lo} AND {lon_hi} AS in_box
    FROM bounded
),
spatial AS (
    SELECT i.source_row, min(p.khet_code) AS spatial_khet
    FROM inside i JOIN {context.lookup_table} p
      ON ST_Intersects(p.geom, ST_Point(i.lon_fixed, i.lat_fixed))
    WHERE i.in_box
    GROUP BY i.source_row
)
SELECT i.*, s.spatial_khet,
    s.spatial_khet IS NOT NULL AS usable_point,
    coalesce(i.written_khet, s.spatial_khet) AS khet_code
FROM inside i LEFT JOIN spatial s USING (source_row)
"""


# (code, condition, field, value, detail_th, detail_en): one row warning each.
_WARNING_RULES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("coordinates_swapped", "swapped", "coordinates", "coordinates_written", "NULL", "NULL"),
    (
        "coordinates_outside_bangkok",
        "coordinates_written IS NOT NULL AND lat_fixed IS NOT NULL AND lon_fixed IS NOT NULL AND NOT usable_point",
        "coordinates",
        "coordinates_written",
        "NULL",
        "NULL",
    ),
    (
        "coordinates_unreadable",
        "coordinates_written IS NOT NULL AND (lat_fixed IS NULL OR lon_fixed IS NULL)",
        "coordinates",
        "coordinates_written",
        "NULL",
        "NULL",
    ),
    (
        "khet_from_location",
        "written_khet IS NULL AND spatial_khet IS NOT NULL",
        "khet",
        "coalesce(khet, coordinates_written)",
        "spatial_khet_th",
        "spatial_khet_en",
    ),
    (
        "khet_mismatch",
        "written_khet IS NOT NULL AND spatial_khet IS NOT NULL AND written_khet <> spatial_khet",
        "khet",
        "khet",
        "spatial_khet_th",
        "spatial_khet_en",
    ),
    (
        "unknown_khwaeng",
        "khwaeng IS NOT NULL AND khet_code IS NOT NULL AND khwaeng_code IS NULL",
        "khwaeng",
        "khwaeng",
        "khwaeng_message_th",
        "khwaeng_message_en",
    ),
    ("unreadable_date", "survey_date_unreadable", "survey_date", "survey_date", "NULL", "NULL"),
    (
        "population_mismatch",
        "male_value IS NOT NULL AND female_value IS NOT NULL AND population_value IS NOT NULL "
        "AND male_value + female_value <> population_value",
        "population",
        "population",
        "(male_value + female_value)::VARCHAR",
        "(male_value + female_value)::VARCHAR",
    ),
)
# A cheap test before the summary-row pattern: most rows start with none of these.
_SUMMARY_PREFIXES = ("รวม", "ยอดรวม", "ผลรวม", "total", "grand", "sum", "subtotal")


def _warning_rules(clean: str, present: set[str]) -> list[tuple[str, str, str, str, str, str]]:
    enum_rules = [
        (
            "unknown_value",
            f"{f} IS NOT NULL AND {f}_code IS NULL",
            f,
            f,
            "NULL",
            f"(SELECT codes FROM {clean}_enum_expected e WHERE e.field = '{f}')",
        )
        for f in ENUM_FIELDS
        if f in present
    ]
    return [*_WARNING_RULES, *enum_rules]


def _looks_like_summary(expression: str) -> str:
    prefixes = " OR ".join(f"starts_with({expression}, '{p}')" for p in _SUMMARY_PREFIXES)
    return f"(CASE WHEN {prefixes} THEN regexp_matches({expression}, '{SUMMARY_PATTERN}') ELSE false END)"


def _outcome_sql(clean: str, context: StageContext, present: set[str]) -> str:
    count_checks = " ".join(
        f"WHEN {f}_problem IS NOT NULL THEN {{'reason': {f}_problem, 'field': '{f}', 'value': {f}}}"
        for f in COUNT_FIELDS
    )
    rules = _warning_rules(clean, present)
    flags = ",\n        ".join(
        f"coalesce({condition}, false) AS warn_{i}" for i, (_, condition, *_) in enumerate(rules)
    )
    any_flag = " OR ".join(f"warn_{i}" for i in range(len(rules)))
    structs = ",\n            ".join(
        f"CASE WHEN warn_{i} THEN {{'code': '{code}', 'field': '{field}', 'value': {value}, "
        f"'detail_th': {detail_th}::VARCHAR, 'detail_en': {detail_en}::VARCHAR}} END"
        for i, (code, _, field, value, detail_th, detail_en) in enumerate(rules)
    )
    uuid_occurrence = (
        "row_number() OVER (PARTITION BY t.record_uuid ORDER BY t.source_row)"
        if "record_uuid" in present
        else "1"
    )
    name_summary = _looks_like_summary("lower(coalesce(community_name, community_code, khet, ''))")
    return f"""
CREATE OR REPLACE TEMP TABLE {clean}_staged AS
WITH rows AS (
    SELECT t.*, w.code AS khwaeng_code, w.message_th AS khwaeng_message_th, w.message_en AS khwaeng_message_en,
        n.label_th AS spatial_khet_th, n.label_en AS spatial_khet_en,
        {uuid_occurrence} AS uuid_occurrence,
        CASE WHEN t.usable_point THEN t.lat_fixed END AS lat_value,
        CASE WHEN t.usable_point THEN t.lon_fixed END AS lon_value,
        cw_name_key(t.community_name) AS name_key_value
    FROM {clean}_typed t
    LEFT JOIN {clean}_khwaeng_map w ON w.khet_code = t.khet_code AND w.text = t.khwaeng
    LEFT JOIN {clean}_khet_name n ON n.khet_code = t.spatial_khet
    WHERE NOT t.is_blank
),
flagged AS (
    SELECT *,
        {flags}
    FROM rows
),
judged AS (
    SELECT *,
        CASE
            WHEN {_looks_like_summary("coalesce(first_cell, '')")}
                THEN {{'reason': 'summary_row', 'field': NULL, 'value': first_cell}}
            WHEN {name_summary}
                THEN {{'reason': 'summary_row', 'field': NULL, 'value': coalesce(community_name, community_code, khet)}}
            WHEN community_name IS NULL AND code_value IS NULL
                THEN {{'reason': 'missing_community', 'field': 'community_name', 'value': NULL}}
            {count_checks}
            WHEN khet_code IS NULL AND khet IS NULL
                THEN {{'reason': 'missing_khet', 'field': 'khet', 'value': NULL}}
            WHEN khet_code IS NULL AND khet_method = 'ambiguous'
                THEN {{'reason': 'ambiguous_khet', 'field': 'khet', 'value': khet}}
            WHEN khet_code IS NULL
                THEN {{'reason': 'unknown_khet', 'field': 'khet', 'value': khet}}
            WHEN record_uuid IS NOT NULL AND uuid_occurrence > 1
                THEN {{'reason': 'duplicate_submission', 'field': 'record_uuid', 'value': record_uuid}}
        END AS rejection,
        CASE WHEN {any_flag} THEN list_filter([
            {structs}
        ], w -> w IS NOT NULL) ELSE [] END AS warnings
    FROM flagged
)
SELECT *,
    CASE WHEN code_value IS NOT NULL THEN khet_code || ':' || code_value
         ELSE khet_code || ':name:' || name_key_value END AS community_key,
    CASE WHEN area_rai IS NOT NULL OR area_ngan IS NOT NULL OR area_wa IS NOT NULL
         THEN coalesce(TRY_CAST(cw_number_text(area_rai) AS DOUBLE), 0)
              + coalesce(TRY_CAST(cw_number_text(area_ngan) AS DOUBLE), 0) / 4
              + coalesce(TRY_CAST(cw_number_text(area_wa) AS DOUBLE), 0) / 400 END AS area_rai_value
FROM judged
"""
