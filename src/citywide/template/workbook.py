"""The .xlsx return template of one khet and round: what an office fills in and sends back.

Sheets: instructions (Thai, then English), communities (the khet's registered communities
pre-filled), households, and a hidden sheet of the dropdowns' lists. Each data sheet has a title
row, the Thai labels, the English labels beneath (the ingestion reads the two as one header) and
the data from the fourth row; every column is a field of :func:`record_fields`, with a dropdown
(khet, khwaeng, every enum) or a number, date or length rule. Only the two data sheets hold a
survey header: the writer checks that the ingestion finds no table in the other two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from citywide.files import FORMULA_PREFIXES, write_atomically
from citywide.ingest.columns import Kind, vocabulary
from citywide.ingest.layout import RecordKind, find_layout
from citywide.ingest.messages import MAX_FIELD_LENGTH
from citywide.ingest.values import BUDDHIST_ERA_OFFSET, EARLIEST_SURVEY
from citywide.template.fields import FormField, record_fields, reference_fields
from citywide.template.frame import KhetFrame

INSTRUCTIONS_SHEET = "คำแนะนำ · instructions"
SHEETS: dict[RecordKind, str] = {
    "community": "ชุมชน · communities",
    "household": "ครัวเรือน · households",
}
LISTS_SHEET = "รายการ · lists"
TITLE_ROW, THAI_ROW, ENGLISH_ROW = 0, 1, 2
FIRST_DATA_ROW = 3
# Rows with rules (dropdowns, numbers, dates) below the pre-filled ones.
SPARE_ROWS: dict[RecordKind, int] = {"community": 300, "household": 5000}
KIND_LABELS: dict[RecordKind, tuple[str, str]] = {
    "community": ("ชุมชน", "communities"),
    "household": ("ครัวเรือน", "households"),
}
# What to write in a column of each kind (Thai, English).
KIND_HINTS: dict[Kind, tuple[str, str]] = {
    "text": ("ข้อความ", "text"),
    "code": ("รหัส ตามที่ใช้อยู่", "a code, as used"),
    "count": ("จำนวนเต็ม 0 ขึ้นไป", "a whole number, 0 or more"),
    "amount": ("ตัวเลข 0 ขึ้นไป มีทศนิยมได้", "a number, 0 or more, decimals allowed"),
    "number": ("ตัวเลข มีทศนิยมได้", "a number, decimals allowed"),
    "date": (
        "วันที่ วัน/เดือน/ปี พ.ศ. หรือ ค.ศ. เช่น 15/03/2568",
        "a date day/month/year, Buddhist or Common Era, e.g. 15/03/2568",
    ),
    "enum": ("เลือกจากรายการ", "choose from the list"),
}
PLACE_HINTS = {
    "khet": ("เลือกจากรายการ: เขตนี้", "choose from the list: this khet"),
    "khwaeng": ("เลือกจากรายการ: แขวงของเขตนี้", "choose from the list: this khet's khwaeng"),
}
REQUIRED = ("ต้องกรอก", "required")


@dataclass(frozen=True)
class TemplateList:
    """A dropdown's list on the lists sheet, under a defined name."""

    name: str  # the workbook's defined name, e.g. list_khwaeng
    values: tuple[str, ...]


def list_name(field: FormField) -> str:
    return f"list_{field.name}"


def field_values(field: FormField, frame: KhetFrame) -> tuple[str, ...] | None:
    """What a field's dropdown offers (Thai names and labels, as the ingestion reads them)."""
    if field.place == "khet":
        return (frame.khet.name_th,)
    if field.place == "khwaeng":
        return tuple(place.name_th for place in frame.khwaeng)
    if field.choices:
        return tuple(choice.label_th for choice in field.choices)
    return None


def date_rule(cell: str) -> str:
    """A custom rule for a date cell: a date from EARLIEST_SURVEY to today, the same in the
    Buddhist era (2568 typed as a year: the ingestion reads it so), or a text day/month/year."""
    start = EARLIEST_SURVEY
    be = start.year + BUDDHIST_ERA_OFFSET
    c = cell
    return (
        f"=OR(AND(ISNUMBER({c}),OR(AND({c}>=DATE({start.year},{start.month},{start.day}),"
        f"{c}<=TODAY()),AND({c}>=DATE({be},{start.month},{start.day}),"
        f"{c}<=EDATE(TODAY(),{BUDDHIST_ERA_OFFSET * 12})))),AND(ISTEXT({c}),"
        f'LEN({c})-LEN(SUBSTITUTE({c},"/",""))=2,ISNUMBER(-SUBSTITUTE({c},"/",""))))'
    )


def _rule(field: FormField, cell: str) -> dict[str, Any]:
    """The data validation of a column, without its list (lists are added by the caller)."""
    if field.kind == "count":
        return {"validate": "integer", "criteria": ">=", "value": 0}
    if field.kind == "amount":
        return {"validate": "decimal", "criteria": ">=", "value": 0}
    if field.kind == "number":
        return {"validate": "decimal", "criteria": "between", "minimum": -1e9, "maximum": 1e9}
    if field.kind == "date":
        return {"validate": "custom", "value": date_rule(cell)}
    return {"validate": "length", "criteria": "<=", "value": MAX_FIELD_LENGTH}


def hint(field: FormField) -> tuple[str, str]:
    thai, english = PLACE_HINTS[field.place] if field.place else KIND_HINTS[field.kind]
    if field.required:
        thai, english = f"{thai} ({REQUIRED[0]})", f"{english} ({REQUIRED[1]})"
    return thai, english


def _safe(text: str) -> str:
    """A text a spreadsheet would run as a formula gets a leading apostrophe (citywide.files)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_template(frame: KhetFrame, survey_round: str, built: dt.date, path: Path) -> Path:
    """The template of ``frame``'s khet for ``survey_round`` at ``path``, written atomically."""
    return write_atomically(path, lambda staging: _write(frame, survey_round, built, staging))


def _write(frame: KhetFrame, survey_round: str, built: dt.date, path: Path) -> None:
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(path), options)
    formats = _formats(workbook)
    kinds = {kind: record_fields(kind) for kind in SHEETS}
    instructions = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    sheets = {kind: workbook.add_worksheet(name) for kind, name in SHEETS.items()}
    lists_sheet = workbook.add_worksheet(LISTS_SHEET)
    lists = _lists(workbook, lists_sheet, kinds, frame)
    instructions_grid = _instructions(instructions, kinds, frame, survey_round, built, formats)
    rows = {
        "community": [
            {
                "khet": frame.khet.name_th,
                "khwaeng": c.khwaeng,
                "community_name": c.name,
                "community_code": c.community_code,
            }
            for c in frame.communities
        ],
        "household": [],
    }
    for kind, sheet in sheets.items():
        _data_sheet(sheet, kind, kinds[kind], rows[kind], frame, survey_round, lists, formats)
    _household_references(sheets, kinds, len(frame.communities))
    lists_sheet.hide()
    instructions.activate()
    workbook.close()
    _require_no_survey_table(instructions_grid, INSTRUCTIONS_SHEET)
    _require_no_survey_table(_list_grid(lists), LISTS_SHEET)


def _formats(workbook: Workbook) -> dict[str, Any]:
    return {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "thai": workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
        ),
        "required": workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#FFD966", "border": 1}
        ),
        "english": workbook.add_format(
            {"italic": True, "text_wrap": True, "font_color": "#595959", "border": 1}
        ),
        "text": workbook.add_format({"num_format": "@"}),
        "date": workbook.add_format({"num_format": "d/m/yyyy"}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "heading": workbook.add_format({"bold": True}),
    }


def _lists(
    workbook: Workbook,
    sheet: Worksheet,
    kinds: dict[RecordKind, tuple[FormField, ...]],
    frame: KhetFrame,
) -> dict[str, TemplateList]:
    """Every dropdown's list, one column each on the lists sheet, under a defined name."""
    lists: dict[str, TemplateList] = {}
    for field in (f for fields in kinds.values() for f in fields):
        values = field_values(field, frame)
        if values is None or list_name(field) in lists:
            continue
        column = len(lists)
        lists[list_name(field)] = TemplateList(list_name(field), values)
        sheet.write_string(0, column, list_name(field))
        for offset, value in enumerate(values, start=1):
            sheet.write_string(offset, column, _safe(value))
        letter = xl_col_to_name(column)
        last = max(len(values), 1) + 1
        workbook.define_name(list_name(field), f"='{LISTS_SHEET}'!${letter}$2:${letter}${last}")
    return lists


def _list_grid(lists: dict[str, TemplateList]) -> list[list[str]]:
    columns = [[entry.name, *entry.values] for entry in lists.values()]
    height = max((len(c) for c in columns), default=0)
    return [[c[i] if i < len(c) else "" for c in columns] for i in range(height)]


def _data_sheet(
    sheet: Worksheet,
    kind: RecordKind,
    fields: Sequence[FormField],
    rows: list[dict[str, str | None]],
    frame: KhetFrame,
    survey_round: str,
    lists: dict[str, TemplateList],
    formats: dict[str, Any],
) -> None:
    thai, english = KIND_LABELS[kind]
    khet = frame.khet
    sheet.write_string(
        TITLE_ROW,
        0,
        f"{thai} เขต{khet.name_th} รอบสำรวจ {survey_round} · {english.capitalize()}, "
        f"{khet.name_en}, survey round {survey_round}",
        formats["title"],
    )
    last = FIRST_DATA_ROW + len(rows) + SPARE_ROWS[kind] - 1
    for index, field in enumerate(fields):
        header = formats["required"] if field.required else formats["thai"]
        sheet.write_string(THAI_ROW, index, field.label_th, header)
        sheet.write_string(ENGLISH_ROW, index, field.label_en, formats["english"])
        cell_format = formats["date"] if field.kind == "date" else None
        if field.kind in ("text", "code"):
            cell_format = formats["text"]
        sheet.set_column(index, index, max(12, min(len(field.label_en) + 4, 30)), cell_format)
        top = xl_rowcol_to_cell(FIRST_DATA_ROW, index)
        rule = _rule(field, top)
        if list_name(field) in lists:
            rule = {"validate": "list", "source": f"={list_name(field)}"}
        hint_th, hint_en = hint(field)
        sheet.data_validation(
            FIRST_DATA_ROW,
            index,
            last,
            index,
            {
                **rule,
                "input_title": field.label_th[:32],
                "input_message": f"{hint_th}\n{hint_en}"[:255],
                "error_title": f"{field.label_th} · {field.label_en}"[:32],
                "error_message": f"{hint_th} · {hint_en}"[:255],
            },
        )
        values = [row.get(field.name) for row in rows]
        for offset, value in enumerate(values):
            if value is not None:
                sheet.write_string(FIRST_DATA_ROW + offset, index, _safe(value))
    sheet.set_row(THAI_ROW, 36)
    sheet.freeze_panes(FIRST_DATA_ROW, 0)


def _household_references(
    sheets: dict[RecordKind, Worksheet],
    kinds: dict[RecordKind, tuple[FormField, ...]],
    communities: int,
) -> None:
    """A household's community name and code: a dropdown of the communities sheet's column
    (a warning, not a refusal, for a community not on it yet)."""
    community_columns = {f.name: i for i, f in enumerate(kinds["community"])}
    spare_end = FIRST_DATA_ROW + communities + SPARE_ROWS["community"]
    last = FIRST_DATA_ROW + SPARE_ROWS["household"] - 1
    for field in reference_fields():
        if field.place or field.kind == "date":
            continue
        source = community_columns[field.name]
        index = next(i for i, f in enumerate(kinds["household"]) if f.name == field.name)
        letter = xl_col_to_name(source)
        sheets["household"].data_validation(
            FIRST_DATA_ROW,
            index,
            last,
            index,
            {
                "validate": "list",
                "source": f"='{SHEETS['community']}'!${letter}${FIRST_DATA_ROW + 1}:"
                f"${letter}${spare_end}",
                "error_type": "warning",
                "input_title": field.label_th[:32],
                "input_message": "เลือกจากแผ่นงานชุมชน · choose from the communities sheet",
                "error_title": f"{field.label_th} · {field.label_en}"[:32],
                "error_message": "ไม่อยู่ในแผ่นงานชุมชน: เพิ่มชุมชนนั้นก่อน · not on the "
                "communities sheet: add the community there first",
            },
        )


INSTRUCTIONS_TH = (
    "แผ่นงาน “ชุมชน” มีชุมชนที่ลงทะเบียนไว้ของเขตนี้อยู่แล้ว (รหัส ชื่อ แขวง): "
    "แก้ไขให้ตรงกับปัจจุบัน กรอกข้อมูลที่เหลือ และเพิ่มชุมชนใหม่ในแถวว่างด้านล่าง",
    "ลบแถวของชุมชนที่ไม่มีอยู่แล้ว (ถูกไล่รื้อ ย้ายออก หรือรวมกับชุมชนอื่น)",
    "แผ่นงาน “ครัวเรือน” ใช้เมื่อสำรวจรายครัวเรือน: หนึ่งแถวต่อหนึ่งครัวเรือน พร้อมชื่อหรือรหัสชุมชนตามแผ่นงานชุมชน",
    "ห้ามกรอกชื่อบุคคล เบอร์โทรศัพท์ เลขบัตรประชาชน หรือบ้านเลขที่: ระบบจะตัดทิ้งและไม่เก็บ",
    "ห้ามแก้ไขหรือลบหัวตารางสามแถวแรก ช่องที่มีรายการให้เลือกจากรายการเท่านั้น",
    "ห้ามเพิ่มแถวรวม (รวม) ระบบรวมให้เอง",
    "ตรวจไฟล์ก่อนส่งด้วย citywide check ไฟล์.xlsx แล้วส่งให้ผู้ดูแลระบบ",
)
INSTRUCTIONS_EN = (
    "The sheet “communities” already holds this khet's registered communities (code, name, "
    "khwaeng): correct them where they changed, fill in the rest, and add new communities in "
    "the empty rows below.",
    "Delete the rows of communities that no longer exist (evicted, moved, merged).",
    "The sheet “households” is for household enumerations: one row per household, with its "
    "community's name or code as on the communities sheet.",
    "Write no person's name, phone, ID card number or house number: they are dropped, never "
    "stored.",
    "Do not change or delete the three header rows; where a cell has a list, choose from it.",
    "Add no total row (รวม): citywide sums the rows itself.",
    "Check the file before sending it with `citywide check FILE.xlsx`, then send it.",
)


def _instructions(
    sheet: Worksheet,
    kinds: dict[RecordKind, tuple[FormField, ...]],
    frame: KhetFrame,
    survey_round: str,
    built: dt.date,
    formats: dict[str, Any],
) -> list[list[str]]:
    """Instructions in one column, then one line per field (label, what to write, in Thai and
    English); returns the grid written, for the check that it holds no survey header."""
    khet = frame.khet
    grid: list[list[str]] = [
        [f"แบบรายงานการสำรวจ เขต{khet.name_th} · Survey return, {khet.name_en}"],
        [f"รอบสำรวจ {survey_round} · survey round {survey_round}"],
        [
            f"ชุมชนที่ลงทะเบียน {len(frame.communities)} แห่ง จากทะเบียนชุมชนของ citywide "
            f"(ทะเบียนชุมชน กทม. และรอบสำรวจก่อน) สร้างเมื่อ {built.isoformat()} · "
            f"{len(frame.communities)} registered communities from citywide's community "
            f"register (BMA registry and earlier rounds), made {built.isoformat()}"
        ],
        [""],
        ["ภาษาไทย"],
        *([line] for line in INSTRUCTIONS_TH),
        [""],
        ["English"],
        *([line] for line in INSTRUCTIONS_EN),
    ]
    for kind, fields in kinds.items():
        thai, english = KIND_LABELS[kind]
        grid += [[""], [f"แผ่นงาน{thai} · sheet {english}: คอลัมน์ · columns"]]
        for field in fields:
            hint_th, hint_en = hint(field)
            values = " / ".join(f"{c.label_th} = {c.label_en}" for c in field.choices)
            grid.append(
                [
                    f"{field.label_th} · {field.label_en}: {hint_th} · {hint_en}"
                    + (f" ({values})" if values else "")
                ]
            )
    sheet.set_column(0, 0, 120, formats["wrap"])
    for row, (line,) in enumerate(grid):
        cell_format = formats["title"] if row == 0 else None
        sheet.write_string(row, 0, _safe(line), cell_format)
    return grid


def _require_no_survey_table(grid: list[list[str]], sheet: str) -> None:
    """The ingestion must find no survey header on a helper sheet (it would read it as data)."""
    layout = find_layout(grid, vocabulary())
    if layout is not None:
        raise ValueError(
            f"template sheet {sheet!r} reads as a survey table (row {layout.header_row + 1}: "
            f"{sorted(layout.mapped)}): rename the catalogue text that collides"
        )
