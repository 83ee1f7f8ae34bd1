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

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import duckdb
import pandas as pd

from citywide.gazetteer import Gazetteer
from citywide.geography import LOOKUP_CELLS_PER_DEGREE
from citywide.ingest import privacy, values
from citywide.ingest.columns import Vocabulary, vocabulary
from citywide.ingest.messages import FIELD_LABELS, MAX_FIELD_LENGTH, MESSAGES
from citywide.schema import SURVEY_FIELDS
from citywide.text import NEEDS_CLEANUP, clean_text

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
_LOCATION_NUMBERS = tuple(_CATALOGUE.location_fields("number"))  # lat, lon, easting, northing
# Text kept from a return as written, cleaned by citywide.text.clean_text (once per distinct
# text): the name and every code (khet, khwaeng and coordinates are parsed, not kept).
CLEANED_FIELDS = ("community_name", *_CATALOGUE.fields_of_kind("code"))
# A summary row starts with one of these words, alone or followed by a space or colon
# ("รวม", "รวม 6 ชุมชน", "Total:"), so a community named รวมใจ is not one.
SUMMARY_PATTERN = (
    r"^(รวม|รวมทั้งหมด|รวมทั้งสิ้น|รวมทั้งเขต|ยอดรวม|ผลรวม|total|grand total|sum|subtotal)([\s:.]|$)"
)


_MACROS = """
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
CREATE OR REPLACE TEMP MACRO cw_name_key(x) AS nullif(regexp_replace(regexp_replace(
    lower(x), '[\\s_\\-.:,;''`"()\\[\\]/\\\\]+', '', 'g'), '^(ชุมชน|community)', ''), '');
CREATE OR REPLACE TEMP MACRO cw_written(x) AS x IS NOT NULL AND NOT regexp_full_match(x, '\\s*');
""" + "".join(
    f"CREATE OR REPLACE TEMP MACRO cw_personal_{lang}(k) AS CASE k "
    + " ".join(f"WHEN '{kind}' THEN '{labels[i]}'" for kind, labels in privacy.KIND_LABELS.items())
    + " END;\n"
    for i, lang in enumerate(("th", "en"))
)
# Texts are cleaned by citywide.text.clean_text, once per distinct text that needs it (the
# {raw}_text_map table, see _register_value_tables); cw_code takes a code and its cleaned text.


# A community's identity within a round, from the staged columns; households refer to it.
COMMUNITY_KEY_SQL = """CASE WHEN code_value IS NOT NULL THEN khet_code || ':' || code_value
         WHEN name_text IS NOT NULL THEN khet_code || ':name:' || cw_name_key(name_text) END"""


@dataclass(frozen=True)
class RecordShape:
    """What a row of a table is a record of: when it has no identity, and what it keeps.

    ``columns`` is the select list of the staged table's record columns, over the staging
    query's last step (e.g. ``khet_code``, ``code_value``, ``{field}_value``, ``{field}_code``).
    """

    kind: str
    missing_reason: str  # rejection code of a row without an identity
    missing_field: str
    missing_when: str  # SQL: the row has no identity
    summary_identity: str  # SQL: the text that says a row is a summary row ("รวม")
    columns: str
    warnings: tuple[WarningRule, ...] = ()


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
    _register_value_tables(connection, raw, context, present)
    connection.execute(_cells_sql(raw, context.lookup_table))
    connection.execute(
        _staged_sql(
            raw, present, has_geometry, context.vocabulary, shape or COMMUNITY_SHAPE, personal
        )
    )
    return f"{raw}_staged"


def loaded_rows(staged: str, columns: Sequence[str], computed: Mapping[str, str]) -> str:
    """SELECT of a staged table's loaded rows shaped like a record table (``columns`` in order).

    Columns not in ``computed`` are taken as they are; lineage comes from the query parameters
    ``$round``, ``$file_id`` and ``$sha256``.
    """
    lineage = {
        "survey_round": "$round::VARCHAR",
        "source_file_id": "$file_id::BIGINT",
        "source_sha256": "$sha256::VARCHAR",
    }
    expressions = {name: name for name in columns} | lineage | dict(computed)
    select = ", ".join(f"{expressions[name]} AS {name}" for name in columns)
    return f"SELECT {select} FROM {staged} WHERE rejection IS NULL"


def round_is_empty(cursor: duckdb.DuckDBPyConnection, table: str, survey_round: str) -> bool:
    """True when the record table (community or household) holds nothing of the round yet."""
    row = cursor.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE survey_round = ? LIMIT 1)",
        [survey_round],
    ).fetchone()
    return not (row and row[0])


def create_macros(connection: duckdb.DuckDBPyConnection) -> None:
    """The SQL macros the rules and the merge use (temporary: one set per connection)."""
    connection.execute(_MACROS)


def blank_rows(connection: duckdb.DuckDBPyConnection, raw: str) -> int:
    """Rows of the raw table with nothing written in any survey column (not counted as read)."""
    row = connection.execute(
        f"SELECT (SELECT count(*) FROM {raw}) - (SELECT count(*) FROM {raw}_staged)"
    ).fetchone()
    return int(row[0]) if row else 0


def _register_value_tables(
    connection: duckdb.DuckDBPyConnection, raw: str, context: StageContext, present: frozenset[str]
) -> None:
    def distinct(column: str) -> list[str]:
        if column not in present:
            return []
        rows = connection.execute(
            f"SELECT DISTINCT {column} FROM {raw} WHERE {column} IS NOT NULL"
        ).fetchall()
        return [row[0] for row in rows]

    tables: dict[str, pd.DataFrame] = {
        "khet_map": values.khet_table(distinct("khet"), context.gazetteer),
        "date_map": values.date_table(
            [text for column in DATE_FIELDS for text in distinct(column)], context.today
        ),
        "field_label": pd.DataFrame(
            [(f, th, en) for f, (th, en) in FIELD_LABELS.items()], columns=["field", "th", "en"]
        ),
        "message_template": pd.DataFrame(
            [(code, th, en) for code, (th, en) in MESSAGES.items()], columns=["code", "th", "en"]
        ),
        "khet_name": _khet_names(context.gazetteer),
        "text_map": _text_map(connection, raw, present),
    }
    for field in ENUM_FIELDS:
        if field in present:
            tables[f"enum_{field}"] = values.enum_table(field, distinct(field), context.vocabulary)
    for name, frame in tables.items():
        connection.register(f"{raw}_{name}", frame)
    if "khwaeng" in present:  # needs the khet map registered above
        khwaeng = _khwaeng_map(connection, raw, context.gazetteer, present)
        connection.register(f"{raw}_khwaeng_map", khwaeng)


def _text_map(
    connection: duckdb.DuckDBPyConnection, raw: str, present: frozenset[str]
) -> pd.DataFrame:
    """text -> cleaned text, for the distinct texts of the cleaned fields that need cleaning.

    The texts are the cells as written and, for cells that held a personal number, the same
    cells without it (``{raw}_personal``, registered first): the staging query reads the latter.
    DuckDB picks them out with the same pattern as :func:`citywide.text.needs_cleanup`; the
    others are kept as written. An empty result is NULL.
    """
    columns = [f for f in CLEANED_FIELDS if f in present]
    texts: list[str] = []
    if columns:
        pattern = _sql_text(NEEDS_CLEANUP)
        union = " UNION ".join(
            f"SELECT {f} AS t FROM {raw} WHERE regexp_matches({f}, {pattern}) UNION "
            f"SELECT masked FROM {raw}_personal WHERE field = '{f}' "
            f"AND regexp_matches(masked, {pattern})"
            for f in columns
        )
        texts = [row[0] for row in connection.execute(union).fetchall()]
    cleaned = [clean_text(t) or None for t in texts]
    return pd.DataFrame(
        {"text": pd.Series(texts, dtype="object"), "cleaned": pd.Series(cleaned, dtype="object")}
    )


def _khet_names(gazetteer: Gazetteer) -> pd.DataFrame:
    khets = gazetteer.khets
    return pd.DataFrame(
        {
            "khet_code": khets["khet_code"],
            "label_th": khets["khet_code"] + " " + khets["name_th"],
            "label_en": khets["khet_code"] + " " + khets["name_en"],
        }
    )


def _khwaeng_map(
    connection: duckdb.DuckDBPyConnection,
    raw: str,
    gazetteer: Gazetteer,
    present: frozenset[str],
) -> pd.DataFrame:
    """(khet code, khwaeng text) -> khwaeng code, for every pair a row can end up with.

    A row's khet is the one written or, failing that, the one its point lies in, which is only
    known later in the same query: a khwaeng written on a row without a known khet is resolved
    within every khet.
    """
    khet_join = f"LEFT JOIN {raw}_khet_map k ON k.text = r.khet" if "khet" in present else ""
    khet_code = "k.code" if "khet" in present else "NULL::VARCHAR"
    pairs = connection.execute(
        f"SELECT DISTINCT {khet_code}, r.khwaeng FROM {raw} r {khet_join} "
        "WHERE r.khwaeng IS NOT NULL"
    ).fetchall()
    every_khet = gazetteer.khets["khet_code"].tolist()
    resolved = [(code, text) for code, text in pairs if code is not None]
    resolved += [(code, text) for known, text in pairs if known is None for code in every_khet]
    return values.khwaeng_table(resolved, gazetteer)


def _cells_sql(raw: str, lookup_table: str) -> str:
    """One row per grid cell: the khet covering it whole, or the khet pieces to test."""
    return f"""
CREATE OR REPLACE TEMP TABLE {raw}_khet_cells AS
SELECT cell_x, cell_y,
    min(khet_code) FILTER (WHERE covers_cell) AS whole_khet,
    list({{'khet_code': khet_code, 'geom': geom}} ORDER BY khet_code)
        FILTER (WHERE NOT covers_cell) AS pieces
FROM {lookup_table}
GROUP BY cell_x, cell_y
"""


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
_GEOMETRY_RULES = (
    WarningRule("geometry_repaired", "geom_issue = 'repaired'", "geometry", "NULL"),
    WarningRule("geometry_unusable", "geom_issue <> 'repaired'", "geometry", "geom_issue"),
)
# A summary row starts with one of these words; the cheap test comes before the full pattern.
_SUMMARY_START = r"^\s*(?i:รวม|ยอดรวม|ผลรวม|total|grand|sum|sub)"


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _warning_rules(
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
            detail_en=_sql_text(", ".join(vocabulary.enum_codes(f))),
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
        f"(CASE WHEN regexp_matches({expression}, {_sql_text(_SUMMARY_START)}) "
        f"THEN regexp_matches(lower(trim({expression})), {_sql_text(SUMMARY_PATTERN)}) "
        "ELSE false END)"
    )


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
        **{f"{f}_number": given(f, f"cw_number(b.{f})", "DOUBLE") for f in _LOCATION_NUMBERS},
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
    return _Step(_select(columns), "\n".join(joins))


def _counted(present: frozenset[str]) -> _Step:
    """counted: the text of each number the fast path could not read."""
    return _Step(
        _select(
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
        _select(
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
    return _Step(_select(columns))


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
        _select(
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
    return _Step(_select(columns), joins)


def _flagged(rules: Sequence[WarningRule]) -> _Step:
    """flagged: one boolean per warning rule."""
    return _Step(
        _select({f"warn_{i}": f"coalesce({rule.condition}, false)" for i, rule in enumerate(rules)})
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
        _select(
            {
                "rejection": _rejection_case(present, shape, personal),
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
) -> str:
    """One query from the raw table to the staged rows (``sql/staged.sql``); each CTE is one step.

    Columns a file does not have become typed NULL constants here, so the query spends nothing
    on them. The fields in ``personal`` hold personal numbers (:mod:`citywide.ingest.privacy`):
    from the first step on they are read without them, with ``{field}_personal`` saying which.
    """
    rules = _warning_rules(present, vocabulary, shape, personal)
    if has_geometry:
        rules += _GEOMETRY_RULES
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
        named_columns=named.columns,
        named_joins=named.joins,
        flagged_columns=_flagged(rules).columns,
        judged_columns=_judged(present, shape, personal, rules).columns,
        final_columns=shape.columns,
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


def _select(columns: dict[str, str]) -> str:
    return ",\n        ".join(f"{expression} AS {name}" for name, expression in columns.items())


def _struct(reason: str, field: str, value: str, detail: str = "NULL") -> str:
    return (
        f"{{'reason': {reason}, 'field': {field}, 'value': {value}, "
        f"'detail_th': {detail.format(lang='th')}, 'detail_en': {detail.format(lang='en')}}}"
    )


def _rejection_case(
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
