"""What ingesting or checking one table of a file came to, and a table prepared for merging.

Both are plain values: they cross process boundaries (the Dask task runner), the manifest of a
prepared file, the flows, the CLI and the run report.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from citywide.ingest.layout import RecordKind
from citywide.locations import PREPARED_MANIFEST

TableStatus = Literal["loaded", "failed", "already ingested", "checked"]


@dataclass(frozen=True)
class AnnotatedRows:
    """A checked table's rows as the office wrote them, for the annotated workbook.

    ``rows``: ``source_row``, then one column per header of ``headers`` (``c0``, ``c1``, ...:
    survey columns only, as text), ``outcome`` and ``reasons``.
    """

    headers: tuple[str, ...]
    rows: pd.DataFrame


@dataclass(frozen=True)
class TableReport:
    """What happened to one table of one file."""

    path: Path
    sha256: str
    sheet: str | None
    status: TableStatus
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
    record_kind: RecordKind | None = None  # None if the file is unreadable
    survey_round: str | None = None  # None when checked (no round) or already ingested
    summary_rows: int = 0  # checked: total rows, notices (not in rows_rejected)
    annotated: AnnotatedRows | None = None  # checked with a report: the rows, annotated

    @property
    def accounted(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_rejected + self.summary_rows


@dataclass(frozen=True)
class PreparedTable:
    """One table of a file, read and checked, waiting to be merged into the database.

    ``relations`` names, for each of rows / rejections / warnings / footprints, a temporary view
    of the preparing connection or (after :func:`save_prepared`) a Parquet file. Small and
    picklable, so that preparing can run in another process (the Dask task runner).
    """

    report: TableReport
    size_bytes: int = 0
    header_row: int | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    relations: dict[str, str] = field(default_factory=dict)
    failure: str | None = None
    communities_seen: int = 0  # households: communities_mark() of the round when prepared

    @classmethod
    def failed(
        cls,
        path: Path,
        sha256: str,
        sheet: str | None,
        fmt: str,
        encoding: str | None,
        message: str,
        record_kind: RecordKind | None = None,
        survey_round: str | None = None,
    ) -> PreparedTable:
        report = TableReport(
            path,
            sha256,
            sheet,
            "failed",
            fmt,
            encoding,
            record_kind=record_kind,
            survey_round=survey_round,
        )
        return cls(report, failure=message)

    def to_json(self) -> dict[str, object]:
        """Plain values for the manifest of a prepared file (no per-row problems)."""
        plain = dataclasses.replace(self.report, problems=None, annotated=None)
        report = dataclasses.asdict(plain)
        return {
            **dataclasses.asdict(self),
            "report": {**report, "path": str(self.report.path)},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PreparedTable:
        report = TableReport(**{**data["report"], "path": Path(data["report"]["path"])})
        return cls(**{**data, "report": report})


def write_manifest(folder: Path, prepared: list[PreparedTable]) -> None:
    """A prepared file's tables, as JSON in its folder (atomically: a killed run leaves none)."""
    from citywide.files import write_files

    text = json.dumps([table.to_json() for table in prepared], ensure_ascii=False, indent=1)
    write_files(folder, {PREPARED_MANIFEST: text})


def read_manifest(folder: Path) -> list[PreparedTable] | None:
    """The tables an earlier run prepared in ``folder``, or None when it left none."""
    manifest = folder / PREPARED_MANIFEST
    if not manifest.is_file():
        return None
    entries = json.loads(manifest.read_text(encoding="utf-8"))
    return [PreparedTable.from_json(entry) for entry in entries]
