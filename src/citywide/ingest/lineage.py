"""Lineage: the ``source_file`` row of every table of every file, loaded or failed.

Each row is inserted by column name (never by position: ``record_kind`` was added to older
databases by ALTER, at the end), and its new ``source_file_id`` returned.
"""

from __future__ import annotations

import json

import duckdb

from citywide.ingest.outcome import PreparedTable, TableReport
from citywide.ingest.records import insert_into
from citywide.schema import SOURCE_FILE


def insert_loaded(
    cursor: duckdb.DuckDBPyConnection, prepared: PreparedTable, survey_round: str
) -> int:
    report = prepared.report
    return _insert_row(
        cursor,
        {
            **_identity(report, survey_round),
            "size_bytes": prepared.size_bytes,
            "format": report.format,
            "status": "loaded",
            "rows_read": report.rows_read,
            "rows_loaded": report.rows_loaded,
            "rows_rejected": report.rows_rejected,
            "rows_superseded": 0,
            "blank_rows": report.blank_rows,
            "warnings": report.warnings,
            "header_row": prepared.header_row,
            "column_map": json.dumps(prepared.column_map, ensure_ascii=False),
            "dropped_columns": report.dropped_columns,
            "unmapped_columns": report.unmapped_columns,
            "message": report.message,
        },
    )


def _identity(report: TableReport, survey_round: str) -> dict[str, object]:
    """The columns that say which table of which file a row is, loaded or failed."""
    return {
        "path": str(report.path),
        "file_name": report.path.name,
        "sha256": report.sha256,
        "encoding": report.encoding,
        "sheet": report.sheet,
        "survey_round": survey_round,
        "record_kind": report.record_kind,
    }


def _insert_row(cursor: duckdb.DuckDBPyConnection, values: dict[str, object]) -> int:
    """Insert one ``source_file`` row, by column name; its new source_file_id."""
    unknown = set(values) - set(SOURCE_FILE.column_names)
    assert not unknown, f"not columns of source_file: {sorted(unknown)}"
    columns = ["source_file_id", *values, "ingested_at"]
    placeholders = ", ".join(["nextval('source_file_seq')", *("?" * len(values)), "now()"])
    row = cursor.execute(
        f"{insert_into(SOURCE_FILE, columns)} VALUES ({placeholders}) RETURNING source_file_id",
        list(values.values()),
    ).fetchone()
    assert row is not None
    return int(row[0])


_ROW_COUNTS = (
    "rows_read",
    "rows_loaded",
    "rows_rejected",
    "rows_superseded",
    "blank_rows",
    "warnings",
)


def record_failure(
    cursor: duckdb.DuckDBPyConnection, report: TableReport, survey_round: str, message: str
) -> TableReport:
    file_id = _insert_row(
        cursor,
        {
            **_identity(report, survey_round),
            "size_bytes": report.path.stat().st_size,
            "format": report.format or report.path.suffix.lstrip(".").lower(),
            "status": "failed",
            **dict.fromkeys(_ROW_COUNTS, 0),
            "column_map": "{}",
            "dropped_columns": [],
            "unmapped_columns": [],
            "message": message,
        },
    )
    return TableReport(
        report.path,
        report.sha256,
        report.sheet,
        "failed",
        report.format,
        report.encoding,
        message=message,
        source_file_id=file_id,
        record_kind=report.record_kind,
        survey_round=survey_round,
    )
