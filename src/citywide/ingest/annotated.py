"""The annotated workbook of `citywide check --report`: the office's own rows, each with its outcome
and reasons beside it, coloured by outcome.

One summary sheet (the legend and each table's counts, Thai and English), then one sheet per
checked table: the row number as in the office's file, the survey columns under their headers as
written (personal-data columns are never read, so never written back; personal numbers inside a
kept cell are removed), the outcome and the reasons. Every cell is written as text, never as a
formula, number or link, and a text a spreadsheet would run as a formula (= + - @) gets a
leading ``'`` as in :func:`citywide.files.neutralise_formulas`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from citywide.files import neutralise_formulas, write_atomically
from citywide.ingest.checking import OUTCOME_LABELS, OUTCOMES, Outcome
from citywide.ingest.outcome import AnnotatedRows, TableReport

SUMMARY_SHEET = "สรุป · summary"
# Fill colours by outcome (Excel's own good / neutral / bad styles, and a blue for notices).
COLOURS: dict[Outcome, str] = {
    "loaded": "#C6EFCE",
    "warning": "#FFEB9C",
    "rejected": "#FFC7CE",
    "notice": "#DDEBF7",
}
LEGEND: dict[Outcome, str] = {
    "loaded": "แถวนี้จะนำเข้าได้ · the row will load",
    "warning": "นำเข้าได้ แต่กรุณาตรวจสอบ · the row will load; please check what it says",
    "rejected": "แถวนี้จะไม่ถูกนำเข้า แก้ตามเหตุผลแล้วส่งใหม่ · the row will not load: fix it "
    "as the reason says and send the file again",
    "notice": "ไม่ใช่ชุมชน (เช่น แถวรวม) ไม่นำเข้า และไม่ใช่ข้อผิดพลาด · not a community (e.g. "
    "a total row): not loaded, and not a mistake",
}
ROW_HEADER = "แถว · row"
OUTCOME_HEADER = "ผล · outcome"
REASONS_HEADER = "เหตุผล · reasons"
_SHEET_NAME_LIMIT = 31
_BAD_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")


def write_check_workbook(reports: Sequence[TableReport], target: Path) -> Path:
    """Write the annotated workbook of ``reports`` (checked with ``annotate``) to ``target``,
    atomically."""
    return write_atomically(target, lambda path: _write(reports, path))


def _write(reports: Sequence[TableReport], path: Path) -> None:
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(path), {**options, "nan_inf_to_errors": True})
    base = {"text_wrap": True, "valign": "top", "border": 1, "border_color": "#BFBFBF"}
    formats: dict[str, Any] = {
        outcome: workbook.add_format({**base, "bg_color": COLOURS[outcome]}) for outcome in OUTCOMES
    }
    formats["header"] = workbook.add_format({**base, "bold": True, "bg_color": "#D9D9D9"})
    formats["title"] = workbook.add_format({"bold": True, "font_size": 13})
    formats["text"] = workbook.add_format({"text_wrap": True, "valign": "top"})
    summary = workbook.add_worksheet(SUMMARY_SHEET)
    names: set[str] = {SUMMARY_SHEET}
    lines = []
    for report in reports:
        label = f"{report.path.name}" + (f" [{report.sheet}]" if report.sheet else "")
        if report.annotated is None:
            lines.append(f"{label}: อ่านไฟล์ไม่ได้ / cannot read the file: {report.message or ''}")
            continue
        lines.append(f"{label}: {_counts(report)}")
        name = _sheet_name(report, names)
        names.add(name)
        _table_sheet(workbook.add_worksheet(name), label, report.annotated, formats)
    _summary_sheet(summary, lines, formats)
    summary.activate()
    workbook.close()


def _counts(report: TableReport) -> str:
    return (
        f"อ่าน {report.rows_read} แถว: ผ่าน {report.rows_loaded}, ไม่ผ่าน {report.rows_rejected}, "
        f"หมายเหตุ {report.summary_rows}, คำเตือน {report.warnings} · read {report.rows_read} "
        f"rows: {report.rows_loaded} would load, {report.rows_rejected} rejected, "
        f"{report.summary_rows} notices, {report.warnings} warnings"
    )


def _sheet_name(report: TableReport, taken: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    wanted = report.path.stem + (f" {report.sheet}" if report.sheet else "")
    wanted = _BAD_SHEET_CHARACTERS.sub("_", wanted).strip("'") or "sheet"
    name = wanted[:_SHEET_NAME_LIMIT]
    number = 2
    while name.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({number})"
        name = wanted[: _SHEET_NAME_LIMIT - len(suffix)] + suffix
        number += 1
    return name


def _summary_sheet(sheet: Worksheet, lines: list[str], formats: dict[str, Any]) -> None:
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 100, formats["text"])
    sheet.write_string(0, 0, "ผลการตรวจแบบสำรวจ · Survey return check", formats["title"])
    sheet.write_string(
        1,
        0,
        "แต่ละแผ่นงานคือแถวของไฟล์ตามที่เขียนไว้ พร้อมผลและเหตุผลทางขวา (ไม่มีคอลัมน์ข้อมูลส่วนบุคคล) · "
        "each sheet holds a file's rows as written, with the outcome and the reasons on the "
        "right (personal-data columns left out)",
    )
    for offset, outcome in enumerate(OUTCOMES):
        sheet.write_string(3 + offset, 0, OUTCOME_LABELS[outcome], formats[outcome])
        sheet.write_string(3 + offset, 1, LEGEND[outcome])
    start = 4 + len(OUTCOMES)
    for offset, line in enumerate(lines):
        sheet.write_string(start + offset, 0, line)


def _table_sheet(
    sheet: Worksheet, label: str, annotated: AnnotatedRows, formats: dict[str, Any]
) -> None:
    headers = [ROW_HEADER, *annotated.headers, OUTCOME_HEADER, REASONS_HEADER]
    sheet.write_string(0, 0, label, formats["title"])
    sheet.write_row(1, 0, headers, formats["header"])
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, len(annotated.headers), 16)
    sheet.set_column(len(headers) - 2, len(headers) - 2, 16)
    sheet.set_column(len(headers) - 1, len(headers) - 1, 90)
    sheet.freeze_panes(2, 1)
    rows = annotated.rows
    data = [f"c{i}" for i in range(len(annotated.headers))]
    cells = neutralise_formulas(rows[data].astype("string"))
    outcomes = rows["outcome"].tolist()
    reasons = neutralise_formulas(rows[["reasons"]].astype("string"))["reasons"]
    written = zip(
        rows["source_row"].tolist(),
        cells.astype(object).where(cells.notna(), None).itertuples(index=False, name=None),
        outcomes,
        reasons.astype(object).where(reasons.notna(), None).tolist(),
        strict=True,
    )
    # xlsxwriter writes cell by cell: one call per row, the library loops its cells
    for offset, (source_row, values, outcome, reason) in enumerate(written):
        sheet.write_row(
            2 + offset,
            0,
            [str(source_row), *values, OUTCOME_LABELS[outcome], reason],
            formats[outcome],
        )
    if len(rows):
        sheet.autofilter(1, 0, 1 + len(rows), len(headers) - 1)
