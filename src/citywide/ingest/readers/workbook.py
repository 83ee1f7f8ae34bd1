"""Workbook returns (xlsx, xlsm, xls, xlsb, ods): every sheet with a survey header is a table.

Cells are read with python-calamine and turned to text one by one in Python, then loaded as a
frame; the whole of this module is the part a faster workbook reader would replace.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy
import pandas as pd
import python_calamine

from citywide.ingest.columns import Vocabulary
from citywide.ingest.layout import Layout, find_layout
from citywide.ingest.readers.kobo import is_kobo, skipped_repeat
from citywide.ingest.readers.table import RawTable, frame_loader, no_header


def read_workbook(path: Path, vocab: Vocabulary) -> list[RawTable]:
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    tables: list[RawTable] = []
    skipped: list[str] = []
    first_grid: list[list[str]] = []
    for sheet_name in workbook.sheet_names:
        cells = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        grid = [[_cell_text(value) for value in row] for row in cells]
        first_grid = first_grid or grid
        layout = find_layout(grid, vocab)
        if layout is None or skipped_repeat(layout):
            skipped.append(sheet_name)
            continue
        frame = _grid_frame(grid, layout)
        fmt = "kobo-xlsx" if is_kobo(layout) else path.suffix.lower().lstrip(".")
        tables.append(RawTable(path, fmt, None, sheet_name, layout, frame_loader(frame)))
    if not tables:
        raise no_header(path, ", ".join(skipped) or None, first_grid, vocab)
    for table in tables:
        if skipped:
            table.notes.append(f"sheets without a survey table, skipped: {', '.join(skipped)}")
    return tables


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _grid_frame(grid: list[list[str]], layout: Layout) -> pd.DataFrame:
    first = layout.header_row + 1
    data = grid[first:]
    columns = {
        name: pd.Series([row[index] if index < len(row) else "" for row in data], dtype="string")
        for name, index in layout.mapped.items()
    }
    first_cells = pd.Series(
        [next((cell for cell in row if cell.strip()), "") for row in data], dtype="string"
    )
    return pd.DataFrame(
        {
            "source_row": numpy.arange(first + 1, first + 1 + len(data), dtype=numpy.int64),
            **columns,
            "first_cell": first_cells,
            "unclosed_quote": numpy.zeros(len(data), dtype=bool),
        }
    )
