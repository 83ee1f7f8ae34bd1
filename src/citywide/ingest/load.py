"""Ingest a file into the database, or check it without writing.

One transaction per table of a file: its ``source_file`` row, its rejected rows, its warnings, its
footprints and its communities appear together or not at all. A file whose sha256 is already in
``source_file`` is not read again. Within a survey round each community is stored once: the
record with the latest survey date wins, ties go to the file ingested last (then the later row);
the others move to ``community_history``. A household return (a table with a household code)
goes to ``household`` the same way, through :mod:`citywide.ingest.households`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from citywide.errors import DatabaseError
from citywide.gazetteer import load_gazetteer
from citywide.ingest import households
from citywide.ingest.columns import vocabulary
from citywide.ingest.readers import FileUnreadable, RawTable, read_tables
from citywide.ingest.rules import StageContext, blank_rows, stage
from citywide.schema import COMMUNITY, INGEST_TABLES
from citywide.sources import file_sha256

LOOKUP_TABLE = "khet_lookup"
_COMMUNITY_COLUMNS = COMMUNITY.column_names
_table_numbers = itertools.count(1)


@dataclass
class TableReport:
    """What happened to one table of one file."""

    path: Path
    sha256: str
    sheet: str | None
    status: str  # loaded, failed, already ingested, checked
    format: str = ""
    encoding: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_superseded: int = 0
    blank_rows: int = 0
    warnings: int = 0
    dropped_columns: list[str] = field(default_factory=list)
    unmapped_columns: list[str] = field(default_factory=list)
    message: str | None = None
    source_file_id: int | None = None
    problems: pd.DataFrame | None = None  # per-row rejections and warnings (check mode)
    record_kind: str | None = None  # community or household; None if the file is unreadable

    @property
    def accounted(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_rejected

    def summary(self) -> dict[str, object]:
        """Plain values for logs, Prefect results and run reports."""
        return {
            "file": self.path.name,
            "path": str(self.path),
            "sheet": self.sheet,
            "status": self.status,
            "format": self.format,
            "record_kind": self.record_kind,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "rows_superseded": self.rows_superseded,
            "warnings": self.warnings,
            "dropped_columns": self.dropped_columns,
            "message": self.message,
        }


def ensure_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the ingestion tables if this database has none yet."""
    connection.execute("CREATE SEQUENCE IF NOT EXISTS source_file_seq START 1")
    for spec in INGEST_TABLES:
        connection.execute(spec.create_sql(replace=False))


def require_geography(connection: duckdb.DuckDBPyConnection, where: str) -> None:
    found = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND database_name = current_database()",
        [LOOKUP_TABLE],
    ).fetchone()
    if not found or not found[0]:
        raise DatabaseError(
            "the database has no geography yet",
            expected="tables khet, khwaeng and khet_lookup",
            found="none",
            where=where,
            fix="build it first: `citywide geography build` (or `citywide run`)",
        )


def ingest_file(
    connection: duckdb.DuckDBPyConnection, path: Path, survey_round: str, today: dt.date
) -> list[TableReport]:
    """Ingest every table of one file (or record why it cannot be read)."""
    sha256 = file_sha256(path)
    known = connection.execute(
        "SELECT source_file_id, sheet, status FROM source_file WHERE sha256 = ? ORDER BY 1",
        [sha256],
    ).fetchall()
    if known:
        return [
            TableReport(
                path,
                sha256,
                sheet,
                "already ingested",
                source_file_id=file_id,
                message=f"same sha256 as source_file {file_id} ({status}); nothing changed",
            )
            for file_id, sheet, status in known
        ]
    try:
        tables = read_tables(path)
    except FileUnreadable as error:
        return [_record_failure(connection, path, sha256, survey_round, None, "", None, str(error))]
    reports = []
    for table in tables:
        try:
            reports.append(_ingest_table(connection, table, sha256, survey_round, today))
        except Exception as error:  # one bad table must not stop the others: record it
            message = f"could not ingest this table: {type(error).__name__}: {error}"
            reports.append(
                _record_failure(
                    connection,
                    path,
                    sha256,
                    survey_round,
                    table.sheet,
                    table.format,
                    table.encoding,
                    message,
                    table.layout.record_kind,
                )
            )
    return reports


def check_file(
    connection: duckdb.DuckDBPyConnection, path: Path, today: dt.date
) -> list[TableReport]:
    """The same reading and rules as :func:`ingest_file`, writing nothing."""
    sha256 = file_sha256(path)
    try:
        tables = read_tables(path)
    except FileUnreadable as error:
        return [TableReport(path, sha256, None, "failed", message=str(error))]
    reports = []
    for table in tables:
        with connection.cursor() as cursor:
            staged = _stage_table(cursor, table, today)
            report = _report(table, sha256, "checked", cursor, staged)
            report.problems = _problems(cursor, staged, table.fields)
        reports.append(report)
    return reports


# ---------------------------------------------------------------------------------------------


def _stage_table(cursor: duckdb.DuckDBPyConnection, table: RawTable, today: dt.date) -> str:
    raw = f"raw_{next(_table_numbers)}"
    table.materialise(cursor, raw)
    context = StageContext(load_gazetteer(), vocabulary(), today, LOOKUP_TABLE)
    shape = households.SHAPE if table.layout.record_kind == "household" else None
    return stage(cursor, raw, table.fields, table.has_geometry, context, shape)


def _report(
    table: RawTable, sha256: str, status: str, cursor: duckdb.DuckDBPyConnection, staged: str
) -> TableReport:
    row = cursor.execute(
        f"SELECT count(*), count(rejection), sum(len(warnings)) FILTER (WHERE rejection IS NULL) "
        f"FROM {staged}"
    ).fetchone()
    read, rejected, warnings = (int(v or 0) for v in (row or (0, 0, 0)))
    return TableReport(
        path=table.path,
        sha256=sha256,
        sheet=table.sheet,
        status=status,
        format=table.format,
        encoding=table.encoding,
        rows_read=read,
        rows_loaded=read - rejected,
        rows_rejected=rejected,
        blank_rows=blank_rows(cursor, staged.removesuffix("_staged")),
        warnings=warnings,
        dropped_columns=table.layout.dropped,
        unmapped_columns=table.layout.unmapped,
        message="; ".join(table.notes) or None,
        record_kind=table.layout.record_kind,
    )


def _ingest_table(
    connection: duckdb.DuckDBPyConnection,
    table: RawTable,
    sha256: str,
    survey_round: str,
    today: dt.date,
) -> TableReport:
    household = table.layout.record_kind == "household"
    history = "household_history" if household else "community_history"
    records = households.KEYS if household else ("community", "community_key")
    with connection.cursor() as cursor:
        staged = _stage_table(cursor, table, today)
        if household:
            households.refer_to_communities(cursor, staged, survey_round)
        report = _report(table, sha256, "loaded", cursor, staged)
        cursor.execute("BEGIN TRANSACTION")
        try:
            file_id = _insert_source_file(cursor, table, report, survey_round)
            _insert_rejections(cursor, staged, table.fields, file_id)
            _insert_warnings(cursor, staged, file_id)
            if household:
                fresh = households.merge(cursor, staged, file_id, sha256, survey_round)
            else:
                _insert_footprints(cursor, staged, file_id)
                fresh = _merge_communities(cursor, staged, file_id, sha256, survey_round)
            if not fresh:
                _require_one_record_per_community(cursor, survey_round, table.path, *records)
            cursor.execute(
                f"UPDATE source_file SET rows_superseded = (SELECT count(*) FROM {history} h "
                "WHERE h.source_file_id = source_file.source_file_id) "
                "WHERE survey_round = ? AND record_kind = ?",
                [survey_round, report.record_kind],
            )
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        superseded = cursor.execute(
            "SELECT rows_superseded FROM source_file WHERE source_file_id = ?", [file_id]
        ).fetchone()
    report.source_file_id = file_id
    report.rows_superseded = int(superseded[0]) if superseded else 0
    return report


def _insert_source_file(
    cursor: duckdb.DuckDBPyConnection, table: RawTable, report: TableReport, survey_round: str
) -> int:
    column_map = {
        name: next(c.header for c in table.layout.columns if c.index == index)
        for name, index in table.layout.mapped.items()
    }
    row = cursor.execute(
        """
        INSERT INTO source_file VALUES (
            nextval('source_file_seq'), ?, ?, ?, ?, ?, ?, ?, ?, 'loaded', ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?,
            now(), ?)
        RETURNING source_file_id
        """,
        [
            str(table.path),
            table.path.name,
            report.sha256,
            table.path.stat().st_size,
            table.format,
            table.encoding,
            table.sheet,
            survey_round,
            report.rows_read,
            report.rows_loaded,
            report.rows_rejected,
            report.blank_rows,
            report.warnings,
            table.layout.header_row + 1,
            json.dumps(column_map, ensure_ascii=False),
            report.dropped_columns,
            report.unmapped_columns,
            report.message,
            report.record_kind,
        ],
    ).fetchone()
    assert row is not None
    return int(row[0])


def _record_failure(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    sha256: str,
    survey_round: str,
    sheet: str | None,
    fmt: str,
    encoding: str | None,
    message: str,
    record_kind: str | None = None,
) -> TableReport:
    row = connection.execute(
        """
        INSERT INTO source_file VALUES (
            nextval('source_file_seq'), ?, ?, ?, ?, ?, ?, ?, ?, 'failed', 0, 0, 0, 0, 0, 0, NULL,
            '{}', [], [], ?, now(), ?)
        RETURNING source_file_id
        """,
        [
            str(path),
            path.name,
            sha256,
            path.stat().st_size,
            fmt or path.suffix.lstrip(".").lower(),
            encoding,
            sheet,
            survey_round,
            message,
            record_kind,
        ],
    ).fetchone()
    file_id = int(row[0]) if row else None
    return TableReport(
        path,
        sha256,
        sheet,
        "failed",
        fmt,
        encoding,
        message=message,
        source_file_id=file_id,
        record_kind=record_kind,
    )


_RENDER = """
    replace(replace(replace(replace(replace({template},
        '{{field_th}}', coalesce(l.th, '')), '{{field_en}}', coalesce(l.en, '')),
        '{{value}}', coalesce({item}.value, '')),
        '{{detail_th}}', coalesce({item}.detail_th, '')),
        '{{detail_en}}', coalesce({item}.detail_en, ''))
"""


def _rendered(item: str) -> str:
    """Thai and English messages of a rejection or warning struct, from the templates."""
    th = _RENDER.format(template="t.th", item=item)
    en = _RENDER.format(template="t.en", item=item)
    return f"{th} AS message_th, {en} AS message_en"


def _rejections_sql(staged: str, fields: list[str]) -> str:
    """Rejected rows: source_row, reason, field, value, message_th, message_en, row_values.

    ``row_values`` holds the row as written (trimmed), from the raw table: the staged table
    keeps only the typed columns.
    """
    raw = staged.removesuffix("_staged")
    written = [f for f in fields if f != "record_uuid"]
    pairs = ", ".join(f"'{f}', nullif(trim(r.{f}), '')" for f in written)
    row_values = f"json_object({pairs})" if written else "'{}'::JSON"
    return f"""
        SELECT s.source_row, s.rejection.reason AS code, s.rejection.field AS field,
            s.rejection.value AS value, {_rendered("s.rejection")}, {row_values} AS row_values
        FROM {staged} s
        JOIN {raw} r ON r.source_row = s.source_row
        JOIN {raw}_message_template t ON t.code = s.rejection.reason
        LEFT JOIN {raw}_field_label l ON l.field = s.rejection.field
        WHERE s.rejection IS NOT NULL
    """


def _warnings_sql(staged: str) -> str:
    """Warnings of loaded rows: source_row, code, field, value, message_th, message_en."""
    raw = staged.removesuffix("_staged")
    return f"""
        SELECT w.source_row, w.w.code AS code, w.w.field AS field, w.w.value AS value,
            {_rendered("w.w")}
        FROM (
            SELECT s.source_row, unnest(s.warnings) AS w FROM {staged} s
            WHERE s.rejection IS NULL AND s.warnings IS NOT NULL
        ) w
        JOIN {raw}_message_template t ON t.code = w.w.code
        LEFT JOIN {raw}_field_label l ON l.field = w.w.field
    """


def _insert_rejections(
    cursor: duckdb.DuckDBPyConnection, staged: str, fields: list[str], file_id: int
) -> None:
    cursor.execute(
        f"INSERT INTO rejected_row SELECT ?, * FROM ({_rejections_sql(staged, fields)})",
        [file_id],
    )


def _insert_warnings(cursor: duckdb.DuckDBPyConnection, staged: str, file_id: int) -> None:
    cursor.execute(f"INSERT INTO row_warning SELECT ?, * FROM ({_warnings_sql(staged)})", [file_id])


def _insert_footprints(cursor: duckdb.DuckDBPyConnection, staged: str, file_id: int) -> None:
    cursor.execute(
        f"""
        INSERT INTO community_footprint
        SELECT ?, source_row, ST_GeomFromWKB(footprint_wkb)::GEOMETRY('EPSG:4326')
        FROM {staged} WHERE rejection IS NULL AND footprint_wkb IS NOT NULL
        """,
        [file_id],
    )


def _incoming_select(staged: str) -> str:
    """The loaded rows of a staged table, shaped like ``community``."""
    columns = {name: name for name in _COMMUNITY_COLUMNS}
    columns |= {
        "survey_round": "$round::VARCHAR",
        "geom": "CASE WHEN lat IS NOT NULL THEN ST_Point(lon, lat)::GEOMETRY('EPSG:4326') END",
        "source_file_id": "$file_id::BIGINT",
        "source_sha256": "$sha256::VARCHAR",
    }
    select = ", ".join(f"{expression} AS {name}" for name, expression in columns.items())
    return f"SELECT {select} FROM {staged} WHERE rejection IS NULL"


def _merge_communities(
    cursor: duckdb.DuckDBPyConnection, staged: str, file_id: int, sha256: str, survey_round: str
) -> bool:
    """Add a table's loaded rows to its round: one record per community, the rest to history.

    Returns True when the rows went straight in (see :func:`_is_fresh`, which has then
    already shown that every key is unique), False after a full merge.
    """
    parameters = {"round": survey_round, "file_id": file_id, "sha256": sha256}
    if _is_fresh(cursor, staged, survey_round):
        cursor.execute(f"INSERT INTO community {_incoming_select(staged)}", parameters)
        return True
    columns = ", ".join(_COMMUNITY_COLUMNS)
    cursor.execute(
        f"CREATE TEMP TABLE incoming AS SELECT *, cw_name_key(community_name) AS name_key "
        f"FROM ({_incoming_select(staged)})",
        parameters,
    )
    # rows of this round that may be the same communities: same key, or same khet and name
    cursor.execute(
        f"""
        CREATE TEMP TABLE candidates AS
        SELECT {columns}, name_key, true AS is_new FROM incoming
        UNION ALL
        SELECT * FROM (
            SELECT {columns}, cw_name_key(community_name) AS name_key, false AS is_new
            FROM community c
            WHERE c.survey_round = ? AND c.khet_code IN (SELECT khet_code FROM incoming)
        ) c
        WHERE c.community_key IN (SELECT community_key FROM incoming)
            OR EXISTS (SELECT 1 FROM incoming i WHERE i.khet_code = c.khet_code AND i.name_key = c.name_key)
        """,
        [survey_round],
    )
    # a record without a code is the same community as a coded record of the same khet and name
    cursor.execute(
        """
        CREATE TEMP TABLE ranked AS
        WITH coded AS (
            SELECT khet_code, name_key, min(community_key) AS coded_key FROM candidates
            WHERE community_code IS NOT NULL AND name_key IS NOT NULL GROUP BY ALL
        ),
        identified AS (
            SELECT c.* REPLACE (CASE WHEN c.community_code IS NULL AND k.coded_key IS NOT NULL
                                     THEN k.coded_key ELSE c.community_key END AS community_key),
                c.community_key AS own_key
            FROM candidates c LEFT JOIN coded k USING (khet_code, name_key)
        )
        SELECT *, row_number() OVER (
            PARTITION BY community_key
            ORDER BY survey_date DESC NULLS LAST, source_file_id DESC, source_row DESC) AS rank
        FROM identified
        """
    )
    cursor.execute(
        """
        DELETE FROM community c WHERE c.survey_round = ? AND EXISTS (
            SELECT 1 FROM ranked r WHERE NOT r.is_new AND r.own_key = c.community_key)
        """,
        [survey_round],
    )
    cursor.execute(f"INSERT INTO community SELECT {columns} FROM ranked WHERE rank = 1")
    cursor.execute(
        f"""
        INSERT INTO community_history
        SELECT {", ".join(f"r.{c}" for c in _COMMUNITY_COLUMNS)},
            w.source_file_id, w.source_row, now()
        FROM ranked r JOIN ranked w ON w.community_key = r.community_key AND w.rank = 1
        WHERE r.rank > 1
        """
    )
    for name in ("incoming", "candidates", "ranked"):
        cursor.execute(f"DROP TABLE {name}")
    return False


def _require_one_record_per_community(
    cursor: duckdb.DuckDBPyConnection,
    survey_round: str,
    where: Path,
    table: str = "community",
    key: str = "community_key",
) -> None:
    """The round's invariant, checked inside the transaction (the table declares no key).

    ``table`` and ``key`` name another record table of the schema (``household``).
    """
    row = cursor.execute(
        f"SELECT count(*) - count(DISTINCT {key}) FROM {table} WHERE survey_round = ?",
        [survey_round],
    ).fetchone()
    if row and row[0]:
        raise DatabaseError(
            f"round {survey_round} would hold a {table} twice",
            expected=f"one record per {key} in the round",
            found=f"{row[0]} extra records",
            where=str(where),
            fix="report this as a bug in citywide's merge; nothing was written",
        )


def _is_fresh(cursor: duckdb.DuckDBPyConnection, staged: str, survey_round: str) -> bool:
    """True when the rows can go straight in: nothing to merge with, nothing to supersede.

    That is: the round holds no community yet, every loaded row has a community code, and no
    two rows share a key. (Rows without a code may be the same community as a coded row, found
    by name: the full merge decides.)
    """
    in_round = cursor.execute(
        "SELECT count(*) FROM (SELECT 1 FROM community WHERE survey_round = ? LIMIT 1)",
        [survey_round],
    ).fetchone()
    if in_round and in_round[0]:
        return False
    row = cursor.execute(
        f"SELECT count(*), count(DISTINCT community_key), count(community_code) "
        f"FROM {staged} WHERE rejection IS NULL"
    ).fetchone()
    rows, keys, coded = row if row else (0, 0, 0)
    return bool(rows == keys == coded)


def _problems(cursor: duckdb.DuckDBPyConnection, staged: str, fields: list[str]) -> pd.DataFrame:
    """Per-row rejections and warnings with rendered messages, for `citywide check`."""
    return cursor.execute(
        f"""
        SELECT source_row, 'rejected' AS outcome, code, field, message_th, message_en
        FROM ({_rejections_sql(staged, fields)})
        UNION ALL
        SELECT source_row, 'warning', code, field, message_th, message_en
        FROM ({_warnings_sql(staged)})
        ORDER BY 1, 2 DESC
        """
    ).df()
