"""Row outcomes: every row read is loaded (perhaps with warnings) or rejected with a reason.

:func:`stage` turns a raw table (text columns named after fields) into a staged table with typed,
normalised columns and, per row, a reject reason or a list of warnings. All per-row work is one
DuckDB query, which reads the raw table once and writes only the columns the loader needs; Python
only parses the distinct values of repetitive columns (khet, khwaeng, dates, enums) through
:mod:`citywide.ingest.values`. Expensive clean-ups (Unicode, Thai digits, separators) run only on
the values that need them: a cheap test picks those out first.

Reason and warning codes, with their Thai and English messages, are listed in
:data:`MESSAGES`; docs/ingestion.md explains each.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from citywide.ingest import privacy
from citywide.ingest.columns import Vocabulary, vocabulary
from citywide.ingest.messages import MAX_FIELD_LENGTH
from citywide.ingest.records import RecordShape
from citywide.register.normalise import name_key_sql
from citywide.schema import SURVEY_FIELDS

# Bangkok's bounding box with a margin: a point outside it is not in Bangkok, and a point whose
# swapped coordinates fall inside it had latitude and longitude reversed.
LAT_RANGE = (13.45, 14.0)
LON_RANGE = (100.3, 100.98)

# What each field is, from the catalogue (aliases.toml `kind` and `location`), in its order.
_CATALOGUE = vocabulary()
COUNT_FIELDS = tuple(_CATALOGUE.fields_of_kind("count"))  # whole numbers >= 0
AMOUNT_FIELDS = tuple(_CATALOGUE.fields_of_kind("amount"))  # >= 0, may have decimals (baht)
NUMBER_FIELDS = COUNT_FIELDS + AMOUNT_FIELDS
ENUM_FIELDS = tuple(_CATALOGUE.fields_of_kind("enum"))
DATE_FIELDS = tuple(_CATALOGUE.fields_of_kind("date"))
LOCATION_FIELDS = tuple(_CATALOGUE.location_fields())
LOCATION_NUMBERS = tuple(_CATALOGUE.location_fields("number"))  # lat, lon, easting, northing
# Text kept from a return as written, cleaned by citywide.text.clean_text (once per distinct
# text): the name and every code (khet, khwaeng and coordinates are parsed, not kept).
CLEANED_FIELDS = ("community_name", *_CATALOGUE.fields_of_kind("code"))
# A summary row starts with one of these words, alone or followed by a space or colon
# ("รวม", "รวม 6 ชุมชน", "Total:"), so a community named รวมใจ is not one.
SUMMARY_PATTERN = (
    r"^(รวม|รวมทั้งหมด|รวมทั้งสิ้น|รวมทั้งเขต|ยอดรวม|ผลรวม|total|grand total|sum|subtotal)([\s:.]|$)"
)


_MACROS = (
    """
CREATE OR REPLACE TEMP MACRO cw_digits(x) AS translate(x, '๐๑๒๓๔๕๖๗๘๙', '0123456789');
CREATE OR REPLACE TEMP MACRO cw_placeholder(x) AS regexp_full_match(x, '\\s*(-|–|—|--|\\.|(?i:n/?a))\\s*');
CREATE OR REPLACE TEMP MACRO cw_number_text(x) AS CASE WHEN cw_placeholder(x) THEN NULL
    ELSE nullif(replace(replace(replace(cw_digits(x), ',', ''), ' ', ''), chr(160), ''), '') END;
CREATE OR REPLACE TEMP MACRO cw_whole_number(x) AS CASE
    WHEN regexp_full_match(x, '[0-9]{1,18}') THEN x::BIGINT
    WHEN regexp_full_match(x, '[0-9]{1,3}(,[0-9]{3}){1,5}') THEN replace(x, ',', '')::BIGINT END;
CREATE OR REPLACE TEMP MACRO cw_decimal(x) AS CASE
    WHEN regexp_full_match(x, '-?([0-9]+\\.?[0-9]*|\\.[0-9]+)') THEN TRY_CAST(x AS DOUBLE) END;
CREATE OR REPLACE TEMP MACRO cw_number(x) AS
    coalesce(TRY_CAST(x AS DOUBLE), TRY_CAST(cw_number_text(x) AS DOUBLE));
CREATE OR REPLACE TEMP MACRO cw_code(x, cleaned) AS CASE
    WHEN regexp_full_match(x, '[!-~]+') THEN x
    ELSE nullif(regexp_replace(cw_digits(cleaned), '\\s', '', 'g'), '') END;
CREATE OR REPLACE TEMP MACRO cw_name_key(x) AS """
    + name_key_sql("x")
    + """;
CREATE OR REPLACE TEMP MACRO cw_written(x) AS x IS NOT NULL AND NOT regexp_full_match(x, '\\s*');
"""
    + "".join(
        f"CREATE OR REPLACE TEMP MACRO cw_personal_{lang}(k) AS CASE k "
        + " ".join(
            f"WHEN '{kind}' THEN '{labels[i]}'" for kind, labels in privacy.KIND_LABELS.items()
        )
        + " END;\n"
        for i, lang in enumerate(("th", "en"))
    )
)
# Texts are cleaned by citywide.text.clean_text, once per distinct text that needs it (the
# {raw}_text_map table, see register_value_tables); cw_code takes a code and its cleaned text.


# A community's identity within a round, from the staged columns; households refer to it.
COMMUNITY_KEY_SQL = """CASE WHEN code_value IS NOT NULL THEN khet_code || ':' || code_value
         WHEN name_text IS NOT NULL THEN khet_code || ':name:' || cw_name_key(name_text) END"""


def create_macros(connection: duckdb.DuckDBPyConnection) -> None:
    """The SQL macros the rules and the merge use (temporary: one set per connection)."""
    connection.execute(_MACROS)


def blank_rows(connection: duckdb.DuckDBPyConnection, raw: str) -> int:
    """Rows of the raw table with nothing written in any survey column (not counted as read)."""
    row = connection.execute(
        f"SELECT (SELECT count(*) FROM {raw}) - (SELECT count(*) FROM {raw}_staged)"
    ).fetchone()
    return int(row[0]) if row else 0


_COORDINATES_TEXT = """coalesce(
    CASE WHEN cw_written(lat) OR cw_written(lon)
         THEN concat_ws(', ', nullif(trim(lat), ''), nullif(trim(lon), '')) END,
    nullif(trim(coordinates), ''),
    CASE WHEN cw_written(easting) OR cw_written(northing)
         THEN concat_ws(', ', nullif(trim(easting), ''), nullif(trim(northing), '')) END)"""
_LOCATION_FIELDS = frozenset(LOCATION_FIELDS)


@dataclass(frozen=True)
class WarningRule:
    """A row warning: when ``condition`` holds, the row loads with this warning.

    ``value`` and the details are SQL over the row, computed only on rows that have the
    warning. The rule applies to a table that has all of ``needs_all`` and any of
    ``needs_any`` (when given); otherwise it cannot fire and is left out of the query.
    """

    code: str
    condition: str
    field: str
    value: str
    detail_th: str = "NULL"
    detail_en: str = "NULL"
    needs_all: frozenset[str] = frozenset()
    needs_any: frozenset[str] = frozenset()

    def applies(self, present: frozenset[str]) -> bool:
        return self.needs_all <= present and (not self.needs_any or bool(self.needs_any & present))


_WARNING_RULES = (
    WarningRule(
        "coordinates_swapped",
        "swapped",
        "coordinates",
        _COORDINATES_TEXT,
        needs_any=_LOCATION_FIELDS,
    ),
    WarningRule(
        "coordinates_outside_bangkok",
        "coordinates_written AND lat_fixed IS NOT NULL AND lon_fixed IS NOT NULL "
        "AND spatial_khet IS NULL",
        "coordinates",
        _COORDINATES_TEXT,
        needs_any=_LOCATION_FIELDS,
    ),
    WarningRule(
        "coordinates_unreadable",
        "coordinates_written AND (lat_fixed IS NULL OR lon_fixed IS NULL)",
        "coordinates",
        _COORDINATES_TEXT,
        needs_any=_LOCATION_FIELDS,
    ),
    WarningRule(
        "khet_from_location",
        "written_khet IS NULL AND spatial_khet IS NOT NULL",
        "khet",
        f"coalesce(nullif(trim(khet), ''), {_COORDINATES_TEXT})",
        "spatial_label_th",
        "spatial_label_en",
    ),
    WarningRule(
        "khet_mismatch",
        "written_khet IS NOT NULL AND spatial_khet IS NOT NULL AND written_khet <> spatial_khet",
        "khet",
        "trim(khet)",
        "spatial_label_th",
        "spatial_label_en",
        needs_all=frozenset({"khet"}),
    ),
    WarningRule(
        "unknown_khwaeng",
        "khwaeng_unknown",
        "khwaeng",
        "trim(khwaeng)",
        "khwaeng_message_th",
        "khwaeng_message_en",
        needs_all=frozenset({"khwaeng"}),
    ),
    WarningRule(
        "unreadable_date",
        "survey_date_unreadable",
        "survey_date",
        "trim(survey_date)",
        needs_all=frozenset({"survey_date"}),
    ),
    WarningRule(
        "population_mismatch",
        "male_value + female_value <> population_value",
        "population",
        "population_value::VARCHAR",
        "(male_value + female_value)::VARCHAR",
        "(male_value + female_value)::VARCHAR",
        needs_all=frozenset({"male", "female", "population"}),
    ),
)
# A GIS layer's own geometry (``geom_issue`` from the reader: repaired, or what was unusable).
GEOMETRY_RULES = (
    WarningRule("geometry_repaired", "geom_issue = 'repaired'", "geometry", "NULL"),
    WarningRule("geometry_unusable", "geom_issue <> 'repaired'", "geometry", "geom_issue"),
)
# A summary row starts with one of these words; the cheap test comes before the full pattern.
_SUMMARY_START = r"^\s*(?i:รวม|ยอดรวม|ผลรวม|total|grand|sum|sub)"


def sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def warning_rules(
    present: frozenset[str],
    vocabulary: Vocabulary,
    shape: RecordShape,
    personal: frozenset[str] = frozenset(),
) -> list[WarningRule]:
    enum_rules = [
        WarningRule(
            "unknown_value",
            f"{f}_unknown",
            f,
            f"trim({f})",
            detail_en=sql_text(", ".join(vocabulary.enum_codes(f))),
            needs_all=frozenset({f}),
        )
        for f in ENUM_FIELDS
    ]
    masked_rules = [
        WarningRule(
            "personal_data_masked",
            f"{f}_personal IS NOT NULL",
            f,
            "NULL",
            f"cw_personal_th({f}_personal)",
            f"cw_personal_en({f}_personal)",
        )
        for f in sorted(personal - privacy.identity_fields())
    ]
    rules = (*masked_rules, *_WARNING_RULES, *enum_rules, *shape.warnings)
    return [rule for rule in rules if rule.applies(present)]


def _looks_like_summary(expression: str) -> str:
    return (
        f"(CASE WHEN regexp_matches({expression}, {sql_text(_SUMMARY_START)}) "
        f"THEN regexp_matches(lower(trim({expression})), {sql_text(SUMMARY_PATTERN)}) "
        "ELSE false END)"
    )


COMMUNITY_SHAPE = RecordShape(
    kind="community",
    missing_reason="missing_community",
    missing_field="community_name",
    missing_when="name_text IS NULL AND code_value IS NULL",
    summary_identity="coalesce(name_text, code_value, trim(khet))",
    columns=f"""
    {COMMUNITY_KEY_SQL} AS community_key,
    khet_code, khwaeng_code, code_value AS community_code, name_text AS community_name,
    community_type_code AS community_type,
    houses_value AS houses, households_value AS households, population_value AS population,
    male_value AS male, female_value AS female, area_value AS area_rai,
    CASE WHEN spatial_khet IS NOT NULL THEN lat_fixed END AS lat,
    CASE WHEN spatial_khet IS NOT NULL THEN lon_fixed END AS lon,
    survey_date_value AS survey_date, uuid_text AS record_uuid,
    {", ".join(f"{c.name}_code AS {c.name}" for c in SURVEY_FIELDS)}, footprint_wkb""",
)


def select_list(columns: dict[str, str]) -> str:
    return ",\n        ".join(f"{expression} AS {name}" for name, expression in columns.items())


def _struct(reason: str, field: str, value: str, detail: str = "NULL") -> str:
    return (
        f"{{'reason': {reason}, 'field': {field}, 'value': {value}, "
        f"'detail_th': {detail.format(lang='th')}, 'detail_en': {detail.format(lang='en')}}}"
    )


def rejection_case(
    present: frozenset[str], shape: RecordShape, personal: frozenset[str] = frozenset()
) -> str:
    """The first reason, in this order, that rejects the row; NULL when it loads.

    Stored values are survey fields only, read without personal numbers: a summary row
    recognised by its first cell (which may be any column, even one never read) stores none.
    """
    identities = [
        f"WHEN {f}_personal IS NOT NULL THEN "
        + _struct("'personal_id'", f"'{f}'", "NULL", f"cw_personal_{{lang}}({f}_personal)")
        for f in sorted(personal & privacy.identity_fields())
    ]
    counts = [
        f"WHEN {f}_problem IS NOT NULL THEN " + _struct(f"{f}_problem", f"'{f}'", f"trim({f})")
        for f in NUMBER_FIELDS
        if f in present
    ]
    duplicate = (
        [
            "WHEN uuid_text IS NOT NULL AND uuid_occurrence > 1 THEN "
            + _struct("'duplicate_submission'", "'record_uuid'", "uuid_text")
        ]
        if "record_uuid" in present
        else []
    )
    identity = shape.summary_identity
    whens = [
        "WHEN unclosed_quote THEN " + _struct("'unclosed_quote'", "NULL", "NULL"),
        "WHEN too_long_field IS NOT NULL THEN "
        + _struct(
            "'field_too_long'",
            "too_long_field",
            "too_long_length::VARCHAR",
            f"'{MAX_FIELD_LENGTH:,}'",
        ),
        *identities,
        f"WHEN {_looks_like_summary(identity)} THEN " + _struct("'summary_row'", "NULL", identity),
        f"WHEN {_looks_like_summary('first_cell')} THEN "
        + _struct("'summary_row'", "NULL", "NULL::VARCHAR"),
        f"WHEN {shape.missing_when} THEN "
        + _struct(f"'{shape.missing_reason}'", f"'{shape.missing_field}'", "NULL"),
        *counts,
        "WHEN khet_code IS NULL AND NOT khet_written THEN "
        + _struct("'missing_khet'", "'khet'", "NULL"),
        "WHEN khet_code IS NULL THEN "
        + _struct(
            "CASE WHEN khet_method = 'ambiguous' THEN 'ambiguous_khet' ELSE 'unknown_khet' END",
            "'khet'",
            "trim(khet)",
            "khet_message_{lang}",
        ),
        *duplicate,
    ]
    return "CASE\n            " + "\n            ".join(whens) + "\n        END"
