"""Ingest a file into the database, or check it without writing.

One transaction per table of a file: its ``source_file`` row, its rejected rows, its warnings, its
footprints and its communities appear together or not at all. A file whose sha256 is already in
``source_file`` is not read again. Within a survey round each community is stored once: the
record with the latest survey date wins, ties go to the file ingested last (then the later row);
the others move to ``community_history``. A household return (a table with a household code)
goes to ``household`` the same way. What differs by kind of record (shape, tables, merge) is
looked up once in :data:`citywide.ingest.kinds.RECORD_KINDS`: :mod:`~citywide.ingest.communities`
and :mod:`~citywide.ingest.households` hold each kind's merge.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from pathlib import Path

import duckdb

from citywide.errors import DatabaseError, describe_error, reraise_interruption
from citywide.gazetteer import load_gazetteer
from citywide.ingest import checking, lineage, messages
from citywide.ingest.columns import vocabulary
from citywide.ingest.kinds import RECORD_KINDS
from citywide.ingest.outcome import PreparedTable, TableReport, TableStatus
from citywide.ingest.readers import FileUnreadable, RawTable, read_tables
from citywide.ingest.records import RecordKindSpec, insert_into
from citywide.ingest.rules import blank_rows, create_macros
from citywide.ingest.staging import StageContext, stage
from citywide.schema import INGEST_TABLES, REJECTED_ROW, ROW_WARNING
from citywide.sources import file_sha256

LOOKUP_TABLE = "khet_lookup"
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
            problem_th="ฐานข้อมูลยังไม่มีข้อมูลเขตและแขวง",
            fix_th="สร้างก่อนด้วย `citywide geography build` (หรือ `citywide run`)",
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
    known = already_ingested(connection, path, sha256, survey_round)
    if known:
        return known
    with connection.cursor() as cursor:
        return [
            merge_prepared(cursor, prepared, survey_round)
            for prepared in prepare_file(cursor, path, sha256, survey_round, today)
        ]


def already_ingested(
    connection: duckdb.DuckDBPyConnection, path: Path, sha256: str, survey_round: str | None = None
) -> list[TableReport]:
    """Reports for a file whose sha256 is already in ``source_file`` (empty when it is new);
    ``survey_round``: the round it was given this time."""
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
            survey_round=survey_round,
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
            reraise_interruption(error)
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
    if any(
        t.report.record_kind is not None
        and RECORD_KINDS[t.report.record_kind].reads_communities
        and t.communities_seen != mark
        for t in saved
    ):
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
        return lineage.record_failure(cursor, report, survey_round, prepared.failure)
    try:
        file_id = _merge_table(cursor, prepared, survey_round)
    except Exception as error:  # recorded, so that the file is not silently lost
        reraise_interruption(error)
        message = _table_failure(error)
        return lineage.record_failure(cursor, report, survey_round, message)
    superseded = cursor.execute(
        "SELECT rows_superseded FROM source_file WHERE source_file_id = ?", [file_id]
    ).fetchone()
    return dataclasses.replace(
        report,
        source_file_id=file_id,
        rows_superseded=int(superseded[0]) if superseded else 0,
    )


def check_file(
    connection: duckdb.DuckDBPyConnection, path: Path, today: dt.date, annotate: bool = False
) -> list[TableReport]:
    """The same reading and rules as :func:`ingest_file`, writing nothing.

    A summary row is a notice (``summary_rows``), not a rejection; its stated figures are
    compared with the rows' sums (:mod:`citywide.ingest.checking`). ``annotate``: also keep
    every row as written with its outcome, for ``citywide check --report``. Like
    :func:`prepare_file`, a table that cannot be read or checked becomes a ``failed`` report with
    the reason: one bad table (or file) never stops the others.
    """
    try:
        sha256 = file_sha256(path)
    except OSError as error:  # permissions, a share gone: this file fails, the others go on
        return [TableReport(path, "", None, "failed", message=_cannot_open(path, error))]
    try:
        tables = read_tables(path)
    except FileUnreadable as error:
        return [TableReport(path, sha256, None, "failed", message=str(error))]
    reports = []
    for table in tables:
        try:
            with connection.cursor() as cursor:
                reports.append(_check_table(cursor, table, sha256, today, annotate))
        except Exception as error:  # the file's rows are loaded (materialised) only here
            reraise_interruption(error)
            reports.append(
                TableReport(
                    path,
                    sha256,
                    table.sheet,
                    "failed",
                    table.format,
                    table.encoding,
                    message=_table_failure(error),
                    record_kind=table.layout.record_kind,
                )
            )
    return reports


def _cannot_open(path: Path, error: OSError) -> str:
    return str(
        FileUnreadable(
            f"{path.name}: the file cannot be opened",
            expected="a file this account may read",
            found=error.strerror or str(error),
            where=str(path),
            fix="let the account that runs citywide read it, or copy the file again",
            problem_th=f"{path.name}: เปิดไฟล์ไม่ได้",
            fix_th="ให้สิทธิ์อ่านไฟล์แก่ผู้ที่รัน citywide หรือคัดลอกไฟล์ใหม่",
        )
    )


def _check_table(
    cursor: duckdb.DuckDBPyConnection,
    table: RawTable,
    sha256: str,
    today: dt.date,
    annotate: bool,
) -> TableReport:
    staged = _stage_table(cursor, table, today)
    report = _report(table, sha256, "checked", cursor, staged)
    totals = checking.total_checks(cursor, staged, table.fields)
    problems = checking.check_problems(cursor, staged, table, totals)
    summary = problems[(problems["outcome"] == "notice") & problems["code"].isin(
        list(checking.NOTICE_REASONS))]["source_row"].nunique()  # fmt: skip
    mismatches = sum(not check.agrees for check in totals)
    return dataclasses.replace(
        report,
        rows_rejected=report.rows_rejected - summary,
        summary_rows=summary,
        warnings=report.warnings + mismatches,
        problems=problems,
        annotated=checking.annotated_rows(cursor, staged, table, problems) if annotate else None,
    )


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
    shape = RECORD_KINDS[table.layout.record_kind].shape
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
    spec = RECORD_KINDS[table.layout.record_kind]
    if spec.refer is not None:
        spec.refer(cursor, staged, survey_round)
    report = dataclasses.replace(
        _report(table, sha256, "loaded", cursor, staged), survey_round=survey_round
    )
    relations = {
        "rows": f"SELECT * FROM {staged} WHERE rejection IS NULL",
        "rejections": messages.rejections_sql(staged, table.fields),
        "warnings": messages.warnings_sql(staged),
        **spec.relations(staged),
    }
    for kind, sql in relations.items():
        cursor.execute(f"CREATE TEMP VIEW {staged}_{kind} AS {sql}")
    column_map = {
        name: next(c.header for c in table.layout.columns if c.index == index)
        for name, index in table.layout.mapped.items()
    }
    return PreparedTable(
        report=report,
        communities_seen=communities_mark(cursor, survey_round) if spec.reads_communities else 0,
        size_bytes=table.path.stat().st_size,
        header_row=table.layout.header_row + 1,
        column_map=column_map,
        relations={kind: f"{staged}_{kind}" for kind in relations},
    )


def _merge_table(
    cursor: duckdb.DuckDBPyConnection, prepared: PreparedTable, survey_round: str
) -> int:
    relations, kind = prepared.relations, prepared.report.record_kind
    assert kind is not None  # a prepared (not failed) table knows its kind
    spec = RECORD_KINDS[kind]
    # the rejections relation names the reason `code`, as warnings do
    problems = ", ".join(
        "code AS reason" if name == "reason" else name for name in REJECTED_ROW.column_names[1:]
    )
    warned = ", ".join(ROW_WARNING.column_names[1:])
    cursor.execute("BEGIN TRANSACTION")
    try:
        file_id = lineage.insert_loaded(cursor, prepared, survey_round)
        cursor.execute(
            f"{insert_into(REJECTED_ROW)} SELECT ?, {problems} FROM {relations['rejections']}",
            [file_id],
        )
        cursor.execute(
            f"{insert_into(ROW_WARNING)} SELECT ?, {warned} FROM {relations['warnings']}",
            [file_id],
        )
        fresh = spec.merge(cursor, spec, relations, file_id, prepared.report.sha256, survey_round)
        if not fresh:
            _require_one_record_per_key(cursor, survey_round, prepared.report.path, spec)
        cursor.execute(
            f"UPDATE source_file SET rows_superseded = (SELECT count(*) FROM {spec.history.name} h "
            "WHERE h.source_file_id = source_file.source_file_id) "
            "WHERE survey_round = ? AND record_kind = ?",
            [survey_round, prepared.report.record_kind],
        )
        cursor.execute("COMMIT")
    except BaseException:
        cursor.execute("ROLLBACK")
        raise
    return file_id


def _require_one_record_per_key(
    cursor: duckdb.DuckDBPyConnection, survey_round: str, where: Path, spec: RecordKindSpec
) -> None:
    """The round's invariant, checked inside the transaction (the table declares no key)."""
    table, key = spec.table.name, spec.key
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
