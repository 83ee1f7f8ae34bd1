"""How a raw table is staged: one DuckDB query, a dbt-style skeleton (``sql/staged.sql``) with
one named CTE per step, and one small builder per CTE returning its select list and joins.

:func:`stage` creates ``{raw}_staged``: typed columns, the reject reason and the warnings of
every non-blank row. The rules it applies (fields, warning rules, the rejection CASE, record
shapes) live in :mod:`citywide.ingest.rules`; the value tables it joins in
:mod:`citywide.ingest.value_tables`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import duckdb

from citywide.gazetteer import Gazetteer
from citywide.ingest import privacy
from citywide.ingest.columns import Vocabulary
from citywide.ingest.messages import MAX_FIELD_LENGTH
from citywide.ingest.records import RecordShape
from citywide.ingest.rules import (
    AMOUNT_FIELDS,
    CLEANED_FIELDS,
    COMMUNITY_SHAPE,
    COUNT_FIELDS,
    ENUM_FIELDS,
    GEOMETRY_RULES,
    LAT_RANGE,
    LOCATION_FIELDS,
    LOCATION_NUMBERS,
    LON_RANGE,
    NUMBER_FIELDS,
    WarningRule,
    create_macros,
    rejection_case,
    select_list,
    warning_rules,
)
from citywide.ingest.value_tables import register_value_tables
from citywide.schema_geography import LOOKUP_CELLS_PER_DEGREE


@dataclass(frozen=True)
class StageContext:
    gazetteer: Gazetteer
    vocabulary: Vocabulary
    today: dt.date
    lookup_table: str  # khet_lookup: grid cells with the khet pieces in them


def stage(
    connection: duckdb.DuckDBPyConnection,
    raw: str,
    fields: list[str],
    has_geometry: bool,
    context: StageContext,
    shape: RecordShape | None = None,
) -> str:
    """Create ``{raw}_staged``: typed columns, reject reason and warnings per non-blank row.

    The rows are communities unless ``shape`` says otherwise.
    """
    create_macros(connection)
    present = frozenset(fields)
    personal = frozenset(privacy.register(connection, raw, fields))
    register_value_tables(connection, raw, context, present)
    connection.execute(
        _staged_sql(
            raw,
            present,
            has_geometry,
            context.vocabulary,
            shape or COMMUNITY_SHAPE,
            personal,
            context.lookup_table,
        )
    )
    return f"{raw}_staged"


_STAGED_SKELETON = "\n" + (
    resources.files("citywide.ingest").joinpath("sql/staged.sql").read_text(encoding="utf-8")
)


@dataclass(frozen=True)
class _Step:
    """One CTE's select list (over its input) and the joins it reads them from."""

    columns: str
    joins: str = ""


def _given(present: frozenset[str], field: str, expression: str, sql_type: str) -> str:
    """The expression when the file has the field, else a typed NULL that costs nothing."""
    return expression if field in present else f"NULL::{sql_type}"


def _cleaned(field: str) -> str:
    """The field's text as citywide.text.clean_text leaves it ('' becomes NULL)."""
    return (
        f"CASE WHEN t_{field}.text IS NOT NULL THEN t_{field}.cleaned "
        f"ELSE nullif(b.{field}, '') END"
    )


def _base(
    raw: str,
    present: frozenset[str],
    has_geometry: bool,
    vocabulary: Vocabulary,
    personal: frozenset[str],
) -> _Step:
    """base: the raw row's fields (personal numbers masked), blank rows left out."""
    columns = [
        (f"{privacy.masked_value('r', name)} AS {name}" if name in personal else f"r.{name}")
        if name in present
        else f"NULL::VARCHAR AS {name}"
        for name in vocabulary.fields
    ]
    columns += [f"p_{name}.kind AS {name}_personal" for name in sorted(personal)]
    columns.append(
        "r.geom_lat::VARCHAR AS geom_lat, r.geom_lon::VARCHAR AS geom_lon, "
        "r.footprint_wkb::BLOB AS footprint_wkb, r.geom_issue::VARCHAR AS geom_issue"
        if has_geometry
        else "NULL::BLOB AS footprint_wkb"
    )
    joins = "\n    ".join(privacy.masked_join(raw, "r", f) for f in sorted(personal))
    return _Step(", ".join(columns), joins)


def _base_where(present: frozenset[str]) -> str:
    written = " OR ".join(f"cw_written(r.{name})" for name in sorted(present)) or "false"
    return f"{written} OR r.unclosed_quote"


def _parsed(raw: str, present: frozenset[str]) -> _Step:
    """parsed: texts cleaned, codes, fast numbers, khet, dates and enums from the value tables."""

    def given(field: str, expression: str, sql_type: str) -> str:
        return _given(present, field, expression, sql_type)

    joins = [
        f"LEFT JOIN {raw}_text_map t_{field} ON t_{field}.text = b.{field}"
        for field in CLEANED_FIELDS
        if field in present
    ]
    if "khet" in present:
        joins.append(f"LEFT JOIN {raw}_khet_map k ON k.text = b.khet")
    dates = []
    for alias, field in (("d1", "survey_date"), ("d2", "submission_time")):
        if field in present:
            joins.append(f"LEFT JOIN {raw}_date_map {alias} ON {alias}.text = b.{field}")
            dates.append(f"{alias}.parsed")
    enums = {}
    for field in ENUM_FIELDS:
        if field in present:
            joins.append(f"LEFT JOIN {raw}_enum_{field} e_{field} ON e_{field}.text = b.{field}")
        enums[f"{field}_code"] = given(field, f"e_{field}.code", "VARCHAR")
        enums[f"{field}_unknown"] = given(
            field, f"coalesce(e_{field}.written, false) AND e_{field}.code IS NULL", "BOOLEAN"
        )
    located = [f for f in LOCATION_FIELDS if f in present]
    limit = MAX_FIELD_LENGTH
    # strlen (bytes) costs nothing; length (characters) is counted only on long cells
    too_long = [
        (f"WHEN strlen(b.{f}) > {limit} AND length(b.{f}) > {limit} THEN", f)
        for f in sorted(present)
    ]
    columns = {
        "too_long_field": " ".join(["CASE", *(f"{w} '{f}'" for w, f in too_long), "END"])
        if present
        else "NULL::VARCHAR",
        "too_long_length": " ".join(["CASE", *(f"{w} length(b.{f})" for w, f in too_long), "END"])
        if present
        else "NULL::BIGINT",
        "name_text": given("community_name", _cleaned("community_name"), "VARCHAR"),
        "code_value": given(
            "community_code",
            f"cw_code(b.community_code, {_cleaned('community_code')})",
            "VARCHAR",
        ),
        "household_code_value": given(
            "household_code",
            f"cw_code(b.household_code, {_cleaned('household_code')})",
            "VARCHAR",
        ),
        "uuid_text": given("record_uuid", _cleaned("record_uuid"), "VARCHAR"),
        **{f"{f}_fast": given(f, f"cw_whole_number(b.{f})", "BIGINT") for f in NUMBER_FIELDS},
        **{f"{f}_number": given(f, f"cw_number(b.{f})", "DOUBLE") for f in LOCATION_NUMBERS},
        "coordinate_parts": given(
            "coordinates",
            r"regexp_extract_all(cw_digits(b.coordinates), '-?\d+(?:\.\d+)?')",
            "VARCHAR[]",
        ),
        "coordinates_written": " OR ".join(f"cw_written(b.{f})" for f in located) or "false",
        "written_khet": given("khet", "k.code", "VARCHAR"),
        "khet_written": given("khet", "coalesce(k.written, false)", "BOOLEAN"),
        "khet_method": given("khet", "k.method", "VARCHAR"),
        "khet_message_th": given("khet", "k.message_th", "VARCHAR"),
        "khet_message_en": given("khet", "k.message_en", "VARCHAR"),
        "survey_date_value": f"coalesce({', '.join(dates)})::DATE" if dates else "NULL::DATE",
        "survey_date_unreadable": given(
            "survey_date", "coalesce(d1.written, false) AND d1.parsed IS NULL", "BOOLEAN"
        ),
        **enums,
    }
    return _Step(select_list(columns), "\n".join(joins))


def _counted(present: frozenset[str]) -> _Step:
    """counted: the text of each number the fast path could not read."""
    return _Step(
        select_list(
            {
                f"{f}_text": _given(
                    present,
                    f,
                    f"CASE WHEN {f}_fast IS NULL THEN cw_number_text({f}) END",
                    "VARCHAR",
                )
                for f in NUMBER_FIELDS
            }
        )
    )


def _measured(present: frozenset[str]) -> _Step:
    """measured: that text read as a decimal."""
    return _Step(
        select_list(
            {
                f"{f}_number": _given(present, f, f"cw_decimal({f}_text)", "DOUBLE")
                for f in NUMBER_FIELDS
            }
        )
    )


def _checked(present: frozenset[str]) -> _Step:
    """checked: each count's and amount's problem and value."""
    columns: dict[str, str] = {}
    for f in COUNT_FIELDS:
        columns[f"{f}_problem"] = _given(
            present,
            f,
            f"""CASE WHEN {f}_text IS NULL THEN NULL
                 WHEN {f}_number IS NULL THEN 'non_numeric_count'
                 WHEN {f}_number < 0 THEN 'negative_count'
                 WHEN {f}_number <> floor({f}_number) THEN 'non_integer_count' END""",
            "VARCHAR",
        )
        columns[f"{f}_value"] = _given(
            present, f, f"coalesce({f}_fast, TRY_CAST({f}_number AS BIGINT))", "BIGINT"
        )
    for f in AMOUNT_FIELDS:
        columns[f"{f}_problem"] = _given(
            present,
            f,
            f"""CASE WHEN {f}_text IS NULL THEN NULL
                 WHEN {f}_number IS NULL THEN 'non_numeric_amount'
                 WHEN {f}_number < 0 THEN 'negative_amount' END""",
            "VARCHAR",
        )
        columns[f"{f}_value"] = _given(
            present, f, f"coalesce({f}_fast::DOUBLE, {f}_number)", "DOUBLE"
        )
    return _Step(select_list(columns))


def _located(present: frozenset[str], has_geometry: bool) -> _Step:
    """located: the first readable position (lat/lon, coordinates, UTM, geometry)."""
    utm = (
        "ST_Transform(ST_Point(easting_number, northing_number), 'EPSG:32647', 'EPSG:4326', "
        "always_xy := true)"
    )
    lat_sources = ["lat_number", "TRY_CAST(coordinate_parts[1] AS DOUBLE)"]
    lon_sources = ["lon_number", "TRY_CAST(coordinate_parts[2] AS DOUBLE)"]
    if {"easting", "northing"} <= present:
        lat_sources.append(f"ST_Y({utm})")
        lon_sources.append(f"ST_X({utm})")
    if has_geometry:
        lat_sources.append("TRY_CAST(geom_lat AS DOUBLE)")
        lon_sources.append("TRY_CAST(geom_lon AS DOUBLE)")
    return _Step(
        select_list(
            {
                "lat_in": f"coalesce({', '.join(lat_sources)})",
                "lon_in": f"coalesce({', '.join(lon_sources)})",
            }
        )
    )


def _named(raw: str, present: frozenset[str]) -> _Step:
    """named: the khwaeng within the khet found, and which submission of a uuid this is."""

    def given(expression: str, sql_type: str) -> str:
        return _given(present, "khwaeng", expression, sql_type)

    columns = {
        "khwaeng_code": given("w.code", "VARCHAR"),
        "khwaeng_message_th": given("w.message_th", "VARCHAR"),
        "khwaeng_message_en": given("w.message_en", "VARCHAR"),
        "khwaeng_unknown": given(
            "coalesce(w.written, false) AND x.khet_code IS NOT NULL AND w.code IS NULL", "BOOLEAN"
        ),
        "uuid_occurrence": "row_number() OVER (PARTITION BY uuid_text ORDER BY source_row)"
        if "record_uuid" in present
        else "1",
    }
    joins = (
        f"LEFT JOIN {raw}_khwaeng_map w ON w.khet_code = x.khet_code AND w.text = x.khwaeng"
        if "khwaeng" in present
        else ""
    )
    return _Step(select_list(columns), joins)


def _flagged(rules: Sequence[WarningRule]) -> _Step:
    """flagged: one boolean per warning rule."""
    return _Step(
        select_list(
            {f"warn_{i}": f"coalesce({rule.condition}, false)" for i, rule in enumerate(rules)}
        )
    )


def _warnings(rules: Sequence[WarningRule]) -> str:
    if not rules:
        return (
            "NULL::STRUCT(code VARCHAR, field VARCHAR, value VARCHAR, detail_th VARCHAR, "
            "detail_en VARCHAR)[]"
        )
    structs = ",\n            ".join(
        f"CASE WHEN warn_{i} THEN {{'code': '{rule.code}', 'field': '{rule.field}', "
        f"'value': {rule.value}, 'detail_th': {rule.detail_th}::VARCHAR, "
        f"'detail_en': {rule.detail_en}::VARCHAR}} END"
        for i, rule in enumerate(rules)
    )
    flags = " OR ".join(f"warn_{i}" for i in range(len(rules)))
    return (
        f"CASE WHEN {flags} THEN list_filter([\n            {structs}\n        ], "
        "lambda w: w IS NOT NULL) END"
    )


def _area(present: frozenset[str]) -> str:
    area_fields = [f for f in ("area_rai", "area_ngan", "area_wa") if f in present]
    if not area_fields:
        return "NULL::DOUBLE"
    return (
        f"CASE WHEN {' OR '.join(f'cw_written({f})' for f in area_fields)} "
        "THEN coalesce(cw_number(area_rai), 0) + coalesce(cw_number(area_ngan), 0) / 4 "
        "+ coalesce(cw_number(area_wa), 0) / 400 END"
    )


def _judged(
    present: frozenset[str],
    shape: RecordShape,
    personal: frozenset[str],
    rules: Sequence[WarningRule],
) -> _Step:
    """judged: the rejection, the warnings and the area of each row."""
    return _Step(
        select_list(
            {
                "rejection": rejection_case(present, shape, personal),
                "warnings": _warnings(rules),
                "area_value": _area(present),
            }
        )
    )


def _staged_sql(
    raw: str,
    present: frozenset[str],
    has_geometry: bool,
    vocabulary: Vocabulary,
    shape: RecordShape,
    personal: frozenset[str] = frozenset(),
    lookup_table: str = "khet_lookup",
) -> str:
    """One query from the raw table to the staged rows (``sql/staged.sql``); each CTE is one step.

    Columns a file does not have become typed NULL constants here, so the query spends nothing
    on them. The fields in ``personal`` hold personal numbers (:mod:`citywide.ingest.privacy`):
    from the first step on they are read without them, with ``{field}_personal`` saying which.
    """
    rules = warning_rules(present, vocabulary, shape, personal)
    if has_geometry:
        rules += GEOMETRY_RULES
    base = _base(raw, present, has_geometry, vocabulary, personal)
    parsed = _parsed(raw, present)
    named = _named(raw, present)
    lat_lo, lat_hi = LAT_RANGE
    lon_lo, lon_hi = LON_RANGE
    return _STAGED_SKELETON.format(
        raw=raw,
        base_columns=base.columns,
        base_joins=base.joins,
        base_where=_base_where(present),
        parsed_columns=parsed.columns,
        parsed_joins=parsed.joins,
        counted_columns=_counted(present).columns,
        measured_columns=_measured(present).columns,
        checked_columns=_checked(present).columns,
        located_columns=_located(present, has_geometry).columns,
        lat_lo=lat_lo,
        lat_hi=lat_hi,
        lon_lo=lon_lo,
        lon_hi=lon_hi,
        in_box=(
            f"lat_fixed BETWEEN {lat_lo} AND {lat_hi} AND lon_fixed BETWEEN {lon_lo} AND {lon_hi}"
        ),
        cells=LOOKUP_CELLS_PER_DEGREE,
        lookup_table=lookup_table,
        named_columns=named.columns,
        named_joins=named.joins,
        flagged_columns=_flagged(rules).columns,
        judged_columns=_judged(present, shape, personal, rules).columns,
        final_columns=shape.columns,
    )
