"""A synthetic link review (two records in review, with 2 and 4 candidates) and a person filling
in the review workbook: the workbook read with python-calamine, written again with xlsxwriter
with the decision cells set, as a spreadsheet program would save it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import python_calamine
import xlsxwriter

from citywide.register.review import DECISION, HEADER_ROWS
from citywide.schema_register import LINK_REVIEW
from tests.table_rows import spec_frame

HOSTILE_NAME = '=HYPERLINK("http://x","click")'
# record -> (khet, name as written, code as written, row, reason, candidates (id, name, score, m))
Candidate = tuple[str, str, float, float | None]
RECORDS: dict[str, tuple[str, str, str | None, int, str, list[Candidate]]] = {
    "1001:name:วัดใหม่": ("1001", HOSTILE_NAME, None, 7, "same_name", [
        ("BMA-1001-0001", "ชุมชนวัดใหม่", 100.0, 350.0),
        ("BMA-1001-0002", "ชุมชนวัดใหม่", 100.0, 420.0),
    ]),
    "1002:0012": ("1002", "ชุมชนริมคลอง", "0012", 12, "close_fit", [
        ("BMA-1002-0012", "ชุมชนริมคลองเปรม", 91.0, None),
        ("BMA-1002-0013", "ชุมชนริมคลองประปา", 90.0, 80.0),
        ("NEW-1002-9f3a", "ริมคลอง", 89.5, 60.0),
        ("BMA-1002-0099", "ชุมชนริม", 70.0, 900.0),  # a fourth: not shown
    ]),
}  # fmt: skip
ROUND = "2568"


def pending_frame(file_name: str | None = "เขตดุสิต_2568.xlsx") -> pd.DataFrame:
    rows = [
        {
            "survey_round": ROUND, "community_key": key, "khet_code": khet,
            "community_name": name, "community_code": code, "source_file_id": 1,
            "source_row": row, "candidate_rank": rank, "candidate_id": candidate,
            "candidate_name": candidate_name, "name_score": score, "distance_m": distance,
            "fit": score - (distance or 0) / 100, "reason": reason,
        }
        for key, (khet, name, code, row, reason, candidates) in RECORDS.items()
        for rank, (candidate, candidate_name, score, distance) in enumerate(candidates, 1)
    ]  # fmt: skip
    frame = spec_frame(LINK_REVIEW, rows)
    return frame.assign(file_name=file_name) if file_name else frame


def sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def fill(workbook: Path, decisions: Mapping[str, str], target: Path) -> Path:
    """``workbook`` saved as ``target`` with the decision of each community_key in ``decisions``."""
    source = python_calamine.CalamineWorkbook.from_path(str(workbook))
    out = xlsxwriter.Workbook(str(target), {"strings_to_formulas": False})
    for name in source.sheet_names:
        rows = source.get_sheet_by_name(name).to_python(skip_empty_area=False)
        sheet = out.add_worksheet(name)
        header = rows[HEADER_ROWS - 1] if len(rows) >= HEADER_ROWS else []
        for index, row in enumerate(rows):
            cells = [None if cell == "" else cell for cell in row]
            if DECISION in header and index >= HEADER_ROWS:
                key = row[header.index("community_key")]
                cells[header.index(DECISION)] = decisions.get(str(key))
            sheet.write_row(index, 0, cells)
    out.close()
    return target
