"""The raw table every reader returns, the error it raises, and the helpers the readers share.

A :class:`RawTable` knows how to materialise itself into DuckDB; workbook and GIS readers build a
pandas frame and load it with :func:`frame_loader` (:func:`temp_table` does the copy).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from citywide.errors import CitywideError
from citywide.ingest.columns import PERSONAL, Vocabulary
from citywide.ingest.layout import SCAN_ROWS, Layout


class FileUnreadable(CitywideError):
    """A file (or every table in it) cannot be read as a survey return."""


@dataclass
class RawTable:
    """One table of a file, ready to be materialised into DuckDB."""

    path: Path
    format: str
    encoding: str | None
    sheet: str | None
    layout: Layout
    materialise: Callable[[duckdb.DuckDBPyConnection, str], None]
    has_geometry: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def fields(self) -> list[str]:
        return list(self.layout.mapped)


def no_header(
    path: Path, sheet: str | None, first_rows: Sequence[Sequence[str]], vocab: Vocabulary
) -> FileUnreadable:
    """No row names two survey columns. Says which header cells were recognised, never the
    cells themselves: the rows scanned are data as often as headers, and may be personal."""
    recognised = [
        f"{cell.strip()} (row {row_index + 1})"
        for row_index, row in enumerate(first_rows[:SCAN_ROWS])
        for cell in row
        if cell and vocab.field_for(cell.strip()) not in (None, PERSONAL)
    ]
    listed = ", ".join(recognised[:10])
    seen = (
        f"no row naming two survey columns; recognised as column names: {listed}"
        if recognised
        else f"no cell of the first {SCAN_ROWS} rows names a survey column"
    )
    place = f"{path}, sheet {sheet}" if sheet else str(path)
    return FileUnreadable(
        f"{path.name}: no header row found",
        problem_th=f"{path.name}: ไม่พบแถวชื่อคอลัมน์",
        fix_th="ใส่แถวชื่อคอลัมน์หนึ่งแถวเหนือข้อมูล เช่น เขต ชื่อชุมชน ครัวเรือน",
        expected=(
            f"within the first {SCAN_ROWS} rows, a row naming at least two survey columns, "
            "e.g. เขต / District, ชื่อชุมชน / Community, ครัวเรือน / Households"
        ),
        found=seen,
        where=place,
        fix="put one header row above the data, with column names as in docs/ingestion.md",
    )


def frame_loader(frame: pd.DataFrame) -> Callable[[duckdb.DuckDBPyConnection, str], None]:
    def materialise(connection: duckdb.DuckDBPyConnection, table: str) -> None:
        temp_table(connection, table, frame)

    return materialise


def temp_table(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """A temporary table of the connection holding ``frame``'s rows (a copy: the frame may go)."""
    connection.register(f"{table}_frame", frame)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {table}_frame")  # noqa: S608
    connection.unregister(f"{table}_frame")
