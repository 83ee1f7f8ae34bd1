"""The exports' Excel workbook: one sheet per level and picture, and a notes sheet.

``khet_need.xlsx`` holds, for each level (khet now; a khwaeng level is one more :class:`Level`
in :data:`LEVELS` with its own published frames), the current picture and then each round, each
on its own sheet: two header rows (Thai, English beneath), frozen with the khet's code and
names, number formats from the indicators' decimals, empty cells where the published view has
NULL (never 0). The notes sheet comes first: what each sheet holds, the privacy rule, the
rounds, the sources (the reference-source registry) and every column's definition, each taken
from the one catalogue (:data:`citywide.indicators.INDICATORS`, the table specs in
:mod:`citywide.schema`); a column the catalogue does not know is refused, not guessed.

Only the published views' rows reach it (:class:`citywide.exports.Picture`). Every text cell
that a spreadsheet would run as a formula starts with ``'`` (as in the CSVs), and text is
written as text (never turned into a formula, number or link).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from citywide.errors import PublishError
from citywide.files import FORMULA_PREFIXES
from citywide.indicators import INDICATOR_BY_NAME, KHET_LEVEL, KHWAENG_LEVEL
from citywide.rounds import display_name
from citywide.schema import KHET_NEED, KHWAENG_NEED, SUPPRESSION_COLUMNS
from citywide.schema_register import SURVEY_ROUND
from citywide.sources import REGISTRY, Source
from citywide.table_spec import Column, TableSpec

NOTES_SHEET = "คำอธิบาย · notes"
HEADER_ROWS = 2
TITLE_TH = "ความต้องการด้านที่อยู่อาศัยของชุมชน กรุงเทพมหานคร"
TITLE_EN = "Housing need of communities, Bangkok"
EMPTY_TH = "ช่องว่าง = ไม่มีค่า: ยังไม่ได้สำรวจ ไม่แสดงเพื่อคุ้มครองข้อมูลส่วนบุคคล หรือไม่มีข้อมูล (ไม่ใช่ 0)"
EMPTY_EN = "An empty cell has no value: not surveyed, not shown (privacy) or no data; never 0."
_SHEET_NAME_LIMIT = 31  # Excel's
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
Kind = Literal["text", "number", "date"]
# The exports name each row's round by the survey_round table's display names.
_ROUND_NAMES = tuple(
    replace(column, name=f"round_{column.name}", label_th=th, label_en=en)
    for column, th, en in zip(
        (c for c in SURVEY_ROUND.columns if c.name in ("name_th", "name_en")),
        ("ชื่อรอบสำรวจ", "ชื่อรอบสำรวจภาษาอังกฤษ"),
        ("Round name (Thai)", "Round name"),
        strict=True,
    )
)


@dataclass(frozen=True)
class Level:
    """A geography the exports publish: its names, its table spec and its published views."""

    name: str
    name_th: str
    name_en: str
    spec: TableSpec  # the table behind the published views (each column's meaning)
    current_view: str
    every_round_view: str


KHET = Level("khet", "เขต", "khet", KHET_NEED, KHET_LEVEL.current_published, KHET_LEVEL.published)
KHWAENG = Level(
    "khwaeng", "แขวง", "khwaeng", KHWAENG_NEED, KHWAENG_LEVEL.current_published,
    KHWAENG_LEVEL.published,
)  # fmt: skip
LEVELS: tuple[Level, ...] = (KHET, KHWAENG)


@dataclass(frozen=True)
class LevelPicture:
    """A level's published rows: the current picture and every round (no geometry needed)."""

    level: Level
    current: pd.DataFrame
    every_round: pd.DataFrame


@dataclass(frozen=True)
class WorkbookNotes:
    """What the notes sheet says besides the definitions."""

    built_at: str
    privacy_th: str
    privacy_en: str
    rounds: pd.DataFrame  # the survey_round table, in round order


@dataclass(frozen=True)
class Field:
    """A published column as the workbook shows it."""

    name: str
    label_th: str
    label_en: str
    meaning: str
    unit: str
    kind: Kind
    number_format: str


@dataclass(frozen=True)
class Sheet:
    """One sheet of published rows: its name, what it holds and the rows."""

    name: str
    level: Level
    scope_th: str
    scope_en: str
    view: str
    rows: pd.DataFrame


def describe(name: str, level: Level) -> Field:
    """A column of ``level``'s published views, from the catalogue (PublishError if unknown)."""
    columns = {c.name: c for c in (*level.spec.columns, *SUPPRESSION_COLUMNS, *_ROUND_NAMES)}
    column = columns.get(name)
    if column is None:
        raise PublishError(
            f"the workbook cannot describe the published column {name}",
            expected=f"every column of {level.every_round_view} in the catalogue",
            found=f"{name}, not in INDICATORS, {level.spec.name} or SUPPRESSION_COLUMNS",
            where="citywide.workbook",
            fix="declare the column (with label_th, label_en) in src/citywide/schema.py",
        )
    kind = _kind(column)
    indicator = INDICATOR_BY_NAME.get(name)
    if indicator is not None:
        unit = indicator.unit_th
        if indicator.unit_en != indicator.unit_th:
            unit = f"{indicator.unit_th} · {indicator.unit_en}"
        meaning = (
            f"{column.meaning}. From: {indicator.source_fields}; not shown when built from "
            f"too few communities ({indicator.basis})"
        )
        places = "." + "0" * indicator.decimals if indicator.decimals else ""
        return Field(
            name, indicator.label_th, indicator.label_en, meaning, unit, kind, f"#,##0{places}"
        )
    if not column.label_th:
        raise PublishError(
            f"the workbook has no header for the published column {name}",
            expected="label_th and label_en on its Column",
            found=f"{level.spec.name}.{name} without labels",
            where="citywide.workbook",
            fix="add the labels in src/citywide/schema.py (_PUBLISHED_LABELS)",
        )
    formats = {"number": "#,##0.00" if column.sql_type == "DOUBLE" else "#,##0",
               "date": "yyyy-mm-dd", "text": "@"}  # fmt: skip
    return Field(name, column.label_th, column.label_en, column.meaning, "", kind, formats[kind])


def _kind(column: Column) -> Kind:
    if column.sql_type in ("BIGINT", "INTEGER", "DOUBLE"):
        return "number"
    if column.sql_type == "DATE":
        return "date"
    return "text"


def sheets(pictures: Sequence[LevelPicture]) -> list[Sheet]:
    """Each level's current picture, then its rounds in round order."""
    found: list[Sheet] = []
    taken: set[str] = {NOTES_SHEET.casefold()}
    for picture in pictures:
        level = picture.level
        current = _sheet_name(f"{level.name_th} ปัจจุบัน · {level.name} current", taken)
        found.append(
            Sheet(current, level, "ภาพรวมปัจจุบัน", "current picture", level.current_view,
                  _tabular(picture.current))
        )  # fmt: skip
        every = _tabular(picture.every_round)
        if every.empty:
            continue
        order = [c for c in ("round_order", "khet_code", "khwaeng_code") if c in every.columns]
        ordered = every.sort_values(order, kind="stable") if order else every
        for label, rows in ordered.groupby("survey_round", sort=False):
            th, en = display_name(str(label))
            name = _sheet_name(f"{level.name_th} {label} · {level.name}", taken)
            found.append(
                Sheet(name, level, th, en, level.every_round_view, rows.reset_index(drop=True))
            )
    return found


def _tabular(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows without outlines; the hidden indicators as one comma-separated text."""
    rows = pd.DataFrame(frame.drop(columns=["geometry"], errors="ignore"))
    if "suppressed_indicators" in rows.columns:
        rows["suppressed_indicators"] = rows["suppressed_indicators"].map(_joined)
    return rows


def _joined(names: Any) -> str | None:
    """A list of names (a list, tuple or array from DuckDB) as "a, b"; text stays text."""
    if names is None or isinstance(names, str):
        return names
    if isinstance(names, float) and math.isnan(names):
        return None
    return ", ".join(str(name) for name in names)


def _sheet_name(wanted: str, taken: set[str]) -> str:
    """A name Excel accepts: no []:*?/\\, no leading or trailing ', at most 31 characters,
    unique (Excel compares names without case)."""
    cleaned = _NOT_IN_SHEET_NAMES.sub("_", wanted).strip("'") or "sheet"
    name = cleaned[:_SHEET_NAME_LIMIT]
    count = 1
    while name.casefold() in taken:
        count += 1
        suffix = f" ({count})"
        name = cleaned[: _SHEET_NAME_LIMIT - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


def safe_text(value: str) -> str:
    """A text a spreadsheet would run as a formula, with ``'`` first (as in the CSVs)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def write_workbook(pictures: Sequence[LevelPicture], notes: WorkbookNotes, path: Path) -> Path:
    """The workbook at ``path`` (see the module's docstring)."""
    found = sheets(pictures)
    fields = {
        sheet.name: [describe(str(name), sheet.level) for name in sheet.rows.columns]
        for sheet in found
    }
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(path), options)
    styles = _Styles(workbook)
    _notes_sheet(workbook.add_worksheet(NOTES_SHEET), found, fields, notes, styles)
    for sheet in found:
        worksheet = workbook.add_worksheet(sheet.name)
        _data_sheet(worksheet, sheet, fields[sheet.name], styles)
        if sheet is found[0]:
            worksheet.activate()
    workbook.close()
    return path


class _Styles:
    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.workbook = workbook
        self.header_th = workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
        )
        self.header_en = workbook.add_format(
            {"italic": True, "text_wrap": True, "valign": "top", "font_color": "#404040",
             "bg_color": "#F2F2F2", "border": 1}
        )  # fmt: skip
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.heading = workbook.add_format({"bold": True, "font_size": 12, "bg_color": "#DDEBF7"})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.bold = workbook.add_format({"bold": True, "valign": "top"})
        self._numbers: dict[str, Format] = {}

    def number(self, pattern: str) -> Format:
        if pattern not in self._numbers:
            self._numbers[pattern] = self.workbook.add_format({"num_format": pattern})
        return self._numbers[pattern]


def _data_sheet(sheet: Worksheet, content: Sheet, fields: list[Field], styles: _Styles) -> None:
    for index, field in enumerate(fields):
        sheet.write_string(0, index, field.label_th, styles.header_th)
        sheet.write_string(1, index, field.label_en, styles.header_en)
        width = 22 if field.kind == "text" else 14
        sheet.set_column(index, index, width, styles.number(field.number_format))
    sheet.set_row(0, 36)
    names = [field.name for field in fields]
    frozen = names.index("name_en") + 1 if "name_en" in names else 1
    sheet.freeze_panes(HEADER_ROWS, frozen)
    rows = content.rows
    for index, field in enumerate(fields):
        cell_format = styles.number(field.number_format)
        for offset, value in enumerate(rows[field.name].tolist()):
            _write_cell(sheet, HEADER_ROWS + offset, index, value, field.kind, cell_format)
    if len(rows) > 0:
        sheet.autofilter(HEADER_ROWS - 1, 0, HEADER_ROWS + len(rows) - 1, len(fields) - 1)


def _write_cell(
    sheet: Worksheet, row: int, column: int, value: Any, kind: Kind, cell_format: Format
) -> None:
    """One value: nothing for NULL (an empty cell), else a number, a date or a text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return
    if isinstance(value, float) and math.isnan(value):
        return
    if kind == "number":
        sheet.write_number(row, column, float(value), cell_format)
    elif kind == "date" and isinstance(value, datetime | date | pd.Timestamp):
        moment = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
        if isinstance(moment, datetime):
            moment = moment.replace(tzinfo=None)
        sheet.write_datetime(row, column, moment, cell_format)
    elif str(value):  # an empty text (no hidden indicator) is an empty cell
        sheet.write_string(row, column, safe_text(str(value)))


def _notes_sheet(
    sheet: Worksheet,
    found: list[Sheet],
    fields: dict[str, list[Field]],
    notes: WorkbookNotes,
    styles: _Styles,
) -> None:
    sheet.set_column(0, 0, 30, styles.wrap)
    sheet.set_column(1, 2, 28, styles.wrap)
    sheet.set_column(3, 3, 70, styles.wrap)
    sheet.set_column(4, 5, 18, styles.wrap)
    lines: list[tuple[str, list[str]]] = [
        ("title", [f"{TITLE_TH} · {TITLE_EN}"]),
        ("", [f"สร้างเมื่อ · built {notes.built_at}"]),
        ("", [notes.privacy_th]),
        ("", [notes.privacy_en]),
        ("", [EMPTY_TH]),
        ("", [EMPTY_EN]),
        ("heading", ["แผ่นงาน · Sheets"]),
        ("bold", ["แผ่นงาน · sheet", "ระดับ · level", "ข้อมูล · holds", "มุมมอง · view",
                  "แถว · rows"]),
        *(
            ("", [s.name, f"{s.level.name_th} · {s.level.name_en}",
                  f"{s.scope_th} · {s.scope_en}", s.view, str(len(s.rows))])
            for s in found
        ),
        ("heading", ["รอบสำรวจ · Survey rounds"]),
        ("bold", ["รอบ · round", "ชื่อ · name (Thai)", "name",
                  "เขตที่ส่ง / ครบ · khets returned / complete"]),
        *(("", _round_line(row)) for row in notes.rounds.itertuples(index=False)),
        ("heading", ["ที่มา · Sources"]),
        ("", ["การสำรวจ · surveys", "ตามรอบสำรวจข้างต้น", "the survey rounds above",
              "community and household returns, counted per khet; no personal data"]),
        *(("", _source_line(source)) for source in REGISTRY),
        *(line for level in _levels(found) for line in _definitions(level, found, fields)),
    ]  # fmt: skip
    style = {"title": styles.title, "heading": styles.heading, "bold": styles.bold, "": None}
    for row, (kind, cells) in enumerate(lines):
        for column, text in enumerate(cells):
            sheet.write_string(row, column, safe_text(text), style[kind])


def _round_line(row: Any) -> list[str]:
    return [
        str(row.survey_round),
        str(row.name_th),
        str(row.name_en),
        f"{row.khets_returned} / {row.khets_complete}",
    ]


def _source_line(source: Source) -> list[str]:
    addresses = " ; ".join(file.url for file in source.files)
    return [source.id, source.title, source.caveats, addresses]


def definitions_heading(level: Level) -> str:
    """The heading of a level's column definitions on the notes sheet."""
    return f"คำอธิบายคอลัมน์ ระดับ{level.name_th} · Column definitions, {level.name_en} sheets"


def _levels(found: list[Sheet]) -> list[Level]:
    return list(dict.fromkeys(sheet.level for sheet in found))


def _definitions(
    level: Level, found: list[Sheet], fields: dict[str, list[Field]]
) -> list[tuple[str, list[str]]]:
    """A level's columns, each once (a name means a khet's name on khet sheets, a khwaeng's on
    khwaeng sheets, so each level has its own definitions)."""
    seen: dict[str, Field] = {}
    for sheet in found:
        if sheet.level == level:
            for field in fields[sheet.name]:
                seen.setdefault(field.name, field)
    return [
        ("heading", [definitions_heading(level)]),
        ("bold", ["คอลัมน์ · column", "หัวตาราง · header (Thai)", "header", "ความหมาย · definition",
                  "หน่วย · unit", "รูปแบบ · format"]),
        *(("", [f.name, f.label_th, f.label_en, f.meaning, f.unit,
                "ข้อความ · text" if f.kind == "text" else f.number_format])
          for f in seen.values()),
    ]  # fmt: skip
