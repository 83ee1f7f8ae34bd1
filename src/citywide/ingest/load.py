"""Ingest a file into the database, or check it without writing.

One transaction per table of a file: its ``source_file`` row, its rejected rows, its warnings, its
footprints and its communities appear together or not at all. A file whose sha256 is already in
``source_file`` is not read again. Within a survey round each community is stored once: the
record with the latest survey date wins, ties go to the file ingested last (then the later row);
the others move to ``community_history``. A household return (a table with a household code)
goes to ``household`` the same way, through :mod:`citywide.ingest.households`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
from pathlib import Path

import duckdb

from citywide.errors import DatabaseError, describe_error
from citywide.gazetteer import load_gazetteer
from citywide.ingest import households, messages
from citywide.ingest.columns import vocabulary
from citywide.ingest.outcome import PreparedTable, TableReport, TableStatus
from citywide.ingest.readers import FileUnreadable, RawTable, read_tables
from citywide.ingest.rules import (
    StageContext,
    blank_rows,
    create_macros,
    loaded_rows,
    round_is_empty,
    stage,
)
from citywide.schema import COMMUNITY, INGEST_TABLES
from citywide.sources import file_sha256

LOOKUP_TABLE = "khet_lookup"
_COMMUNITY_COLUMNS = COMMUNITY.column_names
_table_numbers = itertools.count(1)


def ensure_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the ingestion tables if this database has none yet.

    An older database's tables were brought to the current schema when it was opened for writing
    (citywide.migrations).
    """
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
    """Ingest every table of one file (or record why it cannot be read), in this process."""
    sha256 = file_sha256(path)
    known = already_ingested(connection, path, sha256)
    if known:
        return known
    with connection.cursor() as cursor:
        return [
            merge_prepared(cursor, prepared, survey_round)
            for prepared in prepare_file(cursor, path, sha256, survey_round, today)
        ]


def already_ingested(
    connection: duckdb.DuckDBPyConnection, path: Path, sha256: str
) -> list[TableReport]:
    """Reports for a file whose sha256 is already in ``source_file`` (empty when it is new)."""
    known = connection.execute(
        "SELECT source_file_id, sheet, status FROM source_file WHERE sha256 = ? ORDER BY 1",
        [sha256],
    ).fetchall()
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


def prepare_file(
    cursor: duckdb.DuckDBPyConnection, path: Path, sha256: str, survey_round: str, today: dt.date
) -> list[PreparedTable]:
    """Read and check every table of a file, writing nothing to the database.

    Needs ``khet_lookup`` and, for household returns, the round's communities as they are now
    (a read-only connection will do). Each table's loaded rows, rejections,
    warnings and footprints become temporary views of ``cursor``; :func:`save_prepared` writes
    them to Parquet so that another process can merge them. A table that cannot be read or
    checked becomes a failure, to be recorded by the merge: one bad table never stops the others.
    """
    try:
        tables = read_tables(path)
    except FileUnreadable as error:
        return [PreparedTable.failed(path, sha256, None, path.suffix.lstrip(".").lower(), None,
                                     str(error), survey_round=survey_round)]  # fmt: skip
    prepared = []
    for table in tables:
        try:
            prepared.append(_prepare_table(cursor, table, sha256, survey_round, today))
        except Exception as error:  # one bad table must not stop the others: record it
            message = _table_failure(error)
            prepared.append(
                PreparedTable.failed(
                    path,
                    sha256,
                    table.sheet,
                    table.format,
                    table.encoding,
                    message,
                    table.layout.record_kind,
                    survey_round,
                )
            )
    return prepared


def save_prepared(
    cursor: duckdb.DuckDBPyConnection, prepared: PreparedTable, folder: Path
) -> PreparedTable:
    """Write a prepared table's relations to Parquet files in ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for kind, relation in prepared.relations.items():
        target = folder / f"{relation}.parquet"
        cursor.table(relation).write_parquet(str(target))
        files[kind] = str(target)
    return dataclasses.replace(prepared, relations=files)


def open_prepared(cursor: duckdb.DuckDBPyConnection, prepared: PreparedTable) -> PreparedTable:
    """Temporary views over the Parquet files of :func:`save_prepared`, ready for
    :func:`merge_prepared`; :func:`close_prepared` drops them.

    Temporary: they live in the connection only, never in the database file (a view left there
    would point at Parquet files removed after the merge, and break every tool that lists views).
    """
    create_macros(cursor)
    views = {}
    for kind, file in prepared.relations.items():
        view = f"prepared_{next(_table_numbers)}_{kind}"
        literal = "'" + file.replace("'", "''") + "'"  # a view's SQL cannot take parameters
        cursor.execute(
            f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM read_parquet({literal})"
        )
        views[kind] = view
    return dataclasses.replace(prepared, relations=views)


def close_prepared(cursor: duckdb.DuckDBPyConnection, prepared: PreparedTable) -> None:
    """Drop the temporary views of :func:`open_prepared`."""
    for view in prepared.relations.values():
        cursor.execute(f"DROP VIEW IF EXISTS temp.{view}")


def merge_saved(
    cursor: duckdb.DuckDBPyConnection,
    saved: list[PreparedTable],
    survey_round: str,
    today: dt.date,
) -> list[TableReport]:
    """Merge the tables of one file prepared elsewhere (:func:`save_prepared`).

    Household tables prepared before a community list of their round was merged (in the same
    run) are prepared again here, so that they refer to those communities exactly as a file
    ingested after them would.
    """
    mark = communities_mark(cursor, survey_round)
    if any(t.report.record_kind == "household" and t.communities_seen != mark for t in saved):
        report = saved[0].report
        tables = prepare_file(cursor, report.path, report.sha256, survey_round, today)
        return [merge_prepared(cursor, table, survey_round) for table in tables]
    reports = []
    for table in saved:
        opened = open_prepared(cursor, table)
        try:
            reports.append(merge_prepared(cursor, opened, survey_round))
        finally:
            close_prepared(cursor, opened)
    return reports


def last_file_id(connection: duckdb.DuckDBPyConnection) -> int:
    """The newest source_file_id: it changes with every file merged, by whatever command."""
    row = connection.execute("SELECT coalesce(max(source_file_id), 0) FROM source_file").fetchone()
    return int(row[0]) if row else 0


def communities_mark(cursor: duckdb.DuckDBPyConnection, survey_round: str) -> int:
    """Changes whenever a community table is merged into the round (its last source_file_id)."""
    row = cursor.execute(
        "SELECT coalesce(max(source_file_id), 0) FROM source_file "
        "WHERE survey_round = ? AND record_kind = 'community' AND status = 'loaded'",
        [survey_round],
    ).fetchone()
    return int(row[0]) if row else 0


def merge_prepared(
    cursor: duckdb.DuckDBPyConnection, prepared: PreparedTable, survey_round: str
) -> TableReport:
    """Add a prepared table to the database in one transaction (or record its failure)."""
    report = dataclasses.replace(prepared.report, survey_round=survey_round)
    if prepared.failure is not None:
        return _record_failure(cursor, report, survey_round, prepared.failure)
    try:
        file_id = _merge_table(cursor, prepared, survey_round)
    except Exception as error:  # recorded, so that the file is not silently lost
        message = _table_failure(error)
        return _record_failure(cursor, report, survey_round, message)
    superseded = cursor.execute(
        "SELECT rows_superseded FROM source_file WHERE source_file_id = ?", [file_id]
    ).fetchone()
    return dataclasses.replace(
        report,
        source_file_id=file_id,
        rows_superseded=int(superseded[0]) if superseded else 0,
    )


def check_file(
    connection: duckdb.DuckDBPyConnection, path: Path, today: dt.date
) -> list[TableReport]:
    """The same reading and rules as :func:`ingest_file`, writing nothing.

    Like :func:`prepare_file`, a table that cannot be read or checked becomes a ``failed``
    report with the reason: one bad table (or file) never stops the others.
    """
    sha256 = file_sha256(path)
    try:
        tables = read_tables(path)
    except FileUnreadable as error:
        return [TableReport(path, sha256, None, "failed", message=str(error))]
    reports = []
    for table in tables:
        try:
            with connection.cursor() as cursor:
                staged = _stage_table(cursor, table, today)
                report = dataclasses.replace(
                    _report(table, sha256, "checked", cursor, staged),
                    problems=messages.problems(cursor, staged, table.fields),
                )
        except Exception as error:  # the file's rows are loaded (materialised) only here
            report = TableReport(
                path,
                sha256,
                table.sheet,
                "failed",
                table.format,
                table.encoding,
                message=_table_failure(error),
                record_kind=table.layout.record_kind,
            )
        reports.append(report)
    return reports


def _table_failure(error: Exception) -> str:
    """The message of a table that could not be read or checked (the project's errors say
    what to fix; others are named by type)."""
    if isinstance(error, FileUnreadable):
        return str(error)
    return f"could not ingest this table: {describe_error(error)}"


# ---------------------------------------------------------------------------------------------


def _stage_table(cursor: duckdb.DuckDBPyConnection, table: RawTable, today: dt.date) -> str:
    raw = f"raw_{next(_table_numbers)}"
    table.materialise(cursor, raw)
    context = StageContext(load_gazetteer(), vocabulary(), today, LOOKUP_TABLE)
    shape = households.SHAPE if table.layout.record_kind == "household" else None
    return stage(cursor, raw, table.fields, table.has_geometry, context, shape)


def _report(
    table: RawTable,
    sha256: str,
    status: TableStatus,
    cursor: duckdb.DuckDBPyConnection,
    staged: str,
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


def _prepare_table(
    cursor: duckdb.DuckDBPyConnection,
    table: RawTable,
    sha256: str,
    survey_round: str,
    today: dt.date,
) -> PreparedTable:
    staged = _stage_table(cursor, table, today)
    household = table.layout.record_kind == "household"
    if household:
        households.refer_to_communities(cursor, staged, survey_round)
    report = dataclasses.replace(
        _report(table, sha256, "loaded", cursor, staged), survey_round=survey_round
    )
    relations = {
        "rows": f"SELECT * FROM {staged} WHERE rejection IS NULL",
        "rejections": messages.rejections_sql(staged, table.fields),
        "warnings": messages.warnings_sql(staged),
    }
    if not household:
        relations["footprints"] = (
            f"SELECT source_row, footprint_wkb FROM {staged} "
            "WHERE rejection IS NULL AND footprint_wkb IS NOT NULL"
        )
    for kind, sql in relations.items():
        cursor.execute(f"CREATE TEMP VIEW {staged}_{kind} AS {sql}")
    column_map = {
        name: next(c.header for c in table.layout.columns if c.index == index)
        for name, index in table.layout.mapped.items()
    }
    return PreparedTable(
        report=report,
        communities_seen=communities_mark(cursor, survey_round) if household else 0,
        size_bytes=table.path.stat().st_size,
        header_row=table.layout.header_row + 1,
        column_map=column_map,
        relations={kind: f"{staged}_{kind}" for kind in relations},
    )


def _merge_table(
    cursor: duckdb.DuckDBPyConnection, prepared: PreparedTable, survey_round: str
) -> int:
    relations = prepared.relations
    household = prepared.report.record_kind == "household"
    history = "household_history" if household else "community_history"
    records = households.KEYS if household else ("community", "community_key")
    cursor.execute("BEGIN TRANSACTION")
    try:
        file_id = _insert_source_file(cursor, prepared, survey_round)
        cursor.execute(
            f"INSERT INTO rejected_row SELECT ?, * FROM {relations['rejections']}",
            [file_id],
        )
        cursor.execute(
            f"INSERT INTO row_warning SELECT ?, * FROM {relations['warnings']}",
            [file_id],
        )
        rows, sha256 = relations["rows"], prepared.report.sha256
        if household:
            fresh = households.merge(cursor, rows, file_id, sha256, survey_round)
        else:
            _insert_footprints(cursor, relations["footprints"], file_id)
            fresh = _merge_communities(cursor, rows, file_id, sha256, survey_round)
        if not fresh:
            _require_one_record_per_community(cursor, survey_round, prepared.report.path, *records)
        cursor.execute(
            f"UPDATE source_file SET rows_superseded = (SELECT count(*) FROM {history} h "
            "WHERE h.source_file_id = source_file.source_file_id) "
            "WHERE survey_round = ? AND record_kind = ?",
            [survey_round, prepared.report.record_kind],
        )
        cursor.execute("COMMIT")
    except BaseException:
        cursor.execute("ROLLBACK")
        raise
    return file_id


def _insert_source_file(
    cursor: duckdb.DuckDBPyConnection, prepared: PreparedTable, survey_round: str
) -> int:
    report = prepared.report
    row = cursor.execute(
        """
        INSERT INTO source_file VALUES (
            nextval('source_file_seq'), ?, ?, ?, ?, ?, ?, ?, ?, 'loaded', ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?,
            now(), ?)
        RETURNING source_file_id
        """,
        [
            str(report.path),
            report.path.name,
            report.sha256,
            prepared.size_bytes,
            report.format,
            report.encoding,
            report.sheet,
            survey_round,
            report.rows_read,
            report.rows_loaded,
            report.rows_rejected,
            report.blank_rows,
            report.warnings,
            prepared.header_row,
            json.dumps(prepared.column_map, ensure_ascii=False),
            report.dropped_columns,
            report.unmapped_columns,
            report.message,
            report.record_kind,
        ],
    ).fetchone()
    assert row is not None
    return int(row[0])


def _record_failure(
    cursor: duckdb.DuckDBPyConnection, report: TableReport, survey_round: str, message: str
) -> TableReport:
    row = cursor.execute(
        """
        INSERT INTO source_file VALUES (
            nextval('source_file_seq'), ?, ?, ?, ?, ?, ?, ?, ?, 'failed', 0, 0, 0, 0, 0, 0, NULL,
            '{}', [], [], ?, now(), ?)
        RETURNING source_file_id
        """,
        [
            str(report.path),
            report.path.name,
            report.sha256,
            report.path.stat().st_size,
            report.format or report.path.suffix.lstrip(".").lower(),
            report.encoding,
            report.sheet,
            survey_round,
            message,
            report.record_kind,
        ],
    ).fetchone()
    return TableReport(
        report.path,
        report.sha256,
        report.sheet,
        "failed",
        report.format,
        report.encoding,
        message=message,
        source_file_id=int(row[0]) if row else None,
        record_kind=report.record_kind,
        survey_round=survey_round,
    )


def _insert_footprints(cursor: duckdb.DuckDBPyConnection, footprints: str, file_id: int) -> None:
    cursor.execute(
        f"""
        INSERT INTO community_footprint
        SELECT ?, source_row, ST_GeomFromWKB(footprint_wkb)::GEOMETRY('EPSG:4326')
        FROM {footprints}
        """,
        [file_id],
    )


def _incoming_select(staged: str) -> str:
    """The loaded rows of a staged table, shaped like ``community``."""
    point = "CASE WHEN lat IS NOT NULL THEN ST_Point(lon, lat)::GEOMETRY('EPSG:4326') END"
    return loaded_rows(staged, _COMMUNITY_COLUMNS, {"geom": point})


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
    if not round_is_empty(cursor, "community", survey_round):
        return False
    row = cursor.execute(
        f"SELECT count(*), count(DISTINCT community_key), count(community_code) "
        f"FROM {staged} WHERE rejection IS NULL"
    ).fetchone()
    rows, keys, coded = row if row else (0, 0, 0)
    return bool(rows == keys == coded)
