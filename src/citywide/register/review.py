"""The link review workbook: the records the linker would not guess, for a person to decide.

``link_review`` holds one row per record x candidate (a record that fits two register
communities about equally well). :func:`review_rows` turns it into one row per record with its
candidates side by side (up to :data:`MAX_CANDIDATES`); :func:`write_review_workbook` writes that
as an .xlsx a district officer fills in: a ``decision`` per row, a candidate's community_id or
``new``, from a dropdown of the row's candidates.

Header scheme (what citywide.register.decisions reads back): row 1 holds the Thai labels, row 2
the English column names (``survey_round``, ``community_key``, ``decision``, ...); data start on
row 3. Every text is written as a string cell (never a formula, a number or a link), and a text
that a spreadsheet would run as a formula gets a leading ``'`` as in citywide.files; survey
round labels, community keys and ids never start that way, so they are read back as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from citywide import db
from citywide.errors import DatabaseError
from citywide.files import neutralise_formulas, write_atomically
from citywide.gazetteer import load_gazetteer
from citywide.schema_register import LINK_REVIEW

MAX_CANDIDATES = 3
NEW = "new"
DECISION = "decision"
REVIEW_SHEET = "ตรวจสอบ · review"
INSTRUCTIONS_SHEET = "คำแนะนำ · instructions"
HEADER_ROWS = 2  # Thai labels, then English column names; data from the row after
NOTHING_PENDING = "ไม่มีระเบียนที่รอการตรวจสอบ · nothing is pending review"
REASONS = {
    "same_name": "มีหลายชุมชนชื่อนี้ · several communities have this name",
    "close_fit": "ใกล้เคียงพอ ๆ กัน · fits two communities about equally",
}
_KEYS = ["survey_round", "community_key"]


@dataclass(frozen=True)
class ReviewColumn:
    """A column of the review sheet: its English name (row 2), Thai label (row 1), width."""

    name: str
    label_th: str
    width: float
    numeric: bool = False


RECORD_COLUMNS = (
    ReviewColumn("survey_round", "รอบสำรวจ", 12),
    ReviewColumn("khet_code", "รหัสเขต", 9),
    ReviewColumn("khet_name", "เขต", 16),
    ReviewColumn("community_key", "รหัสอ้างอิงระเบียน (ห้ามแก้ไข)", 26),
    ReviewColumn("community_name", "ชื่อชุมชนตามที่เขียน", 30),
    ReviewColumn("community_code", "รหัสชุมชนตามที่เขียน", 14),
    ReviewColumn("file_name", "ไฟล์", 24),
    ReviewColumn("source_row", "แถวในไฟล์", 9, numeric=True),
    ReviewColumn("reason", "เหตุที่ต้องตรวจสอบ", 30),
)
# Per candidate: the link_review column, its suffix here, Thai label, width, whether a number.
CANDIDATE_FIELDS = (
    ("candidate_id", "id", "รหัส", 16, False),
    ("candidate_name", "name", "ชื่อ", 28, False),
    ("name_score", "name_score", "คะแนนความคล้ายของชื่อ (0-100)", 12, True),
    ("distance_m", "distance_m", "ระยะห่าง (เมตร)", 11, True),
    ("fit", "fit", "ความเหมาะสม (0-100)", 12, True),
)
DECISION_COLUMN = ReviewColumn(DECISION, "การตัดสินใจ: รหัสชุมชน หรือ new", 24)


def candidate_columns(rank: int) -> tuple[ReviewColumn, ...]:
    """The columns of the ``rank``-th candidate, e.g. candidate_1_id, candidate_1_name, ..."""
    return tuple(
        ReviewColumn(f"candidate_{rank}_{suffix}", f"ชุมชนที่ {rank}: {label}", width, numeric)
        for _, suffix, label, width, numeric in CANDIDATE_FIELDS
    )


REVIEW_COLUMNS = (
    *RECORD_COLUMNS,
    *(c for rank in range(1, MAX_CANDIDATES + 1) for c in candidate_columns(rank)),
    DECISION_COLUMN,
)

_PENDING_SQL = """
WITH review AS (
    SELECT * FROM link_review
),
files AS (
    SELECT source_file_id, file_name FROM source_file
)
SELECT review.*, files.file_name
FROM review LEFT JOIN files USING (source_file_id)
ORDER BY review.survey_round, review.khet_code, review.community_key, review.candidate_rank
"""

INSTRUCTIONS_TH = (
    "แต่ละแถวในแผ่นงาน “ตรวจสอบ · review” คือระเบียนชุมชนหนึ่งรายการจากรายงานของเขต "
    "ที่ตรงกับชุมชนในทะเบียนได้มากกว่าหนึ่งแห่งพอ ๆ กัน ระบบจึงไม่เดา",
    "ดูชุมชนที่อาจเป็น (สูงสุด 3 แห่ง): รหัส ชื่อ คะแนนความคล้ายของชื่อ ระยะห่าง (เมตร) และความเหมาะสม",
    "ในคอลัมน์ “การตัดสินใจ” (decision) เลือกรหัสชุมชนที่ถูกต้องจากรายการ หรือ new "
    "หากเป็นชุมชนที่ไม่อยู่ในทะเบียน เว้นว่างไว้หากยังไม่แน่ใจ",
    "ห้ามแก้ไขคอลัมน์รอบสำรวจและรหัสอ้างอิงระเบียน (survey_round, community_key) "
    "และห้ามลบสองแถวแรกของหัวตาราง",
    "บันทึกไฟล์ คัดลอกไปไว้ในโฟลเดอร์ data/raw/links/ แล้วสั่ง citywide run: "
    "การตัดสินใจจะถูกนำไปใช้ในการประมวลผลครั้งถัดไป และเก็บไว้ทุกครั้ง",
)
INSTRUCTIONS_EN = (
    "Each row of the sheet “ตรวจสอบ · review” is one community record of a district return that "
    "fits more than one register community about equally well, so it was not guessed.",
    "Look at its candidates (up to 3): id, name, name similarity, distance (metres) and fit.",
    "In the column decision choose the right community's id from the list, or new when the "
    "community is not in the register; leave it empty while unsure.",
    "Do not change survey_round or community_key, and keep the two header rows.",
    "Save the file, copy it into data/raw/links/, then run `citywide run`: the decisions are "
    "applied on the next run, and on every run after (the file is kept).",
)


def pending_links(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """link_review with the name of each record's file (``file_name``), in record order."""
    tables = db.table_names(connection)
    if LINK_REVIEW.name not in tables:
        raise DatabaseError(
            "the database has no link review yet",
            expected="table link_review, written by the register step of a run",
            found="no table link_review",
            where="citywide links review",
            fix="run the pipeline once (`citywide run`), then `citywide links review`",
        )
    return connection.execute(_PENDING_SQL).df()


def review_rows(pending: pd.DataFrame) -> pd.DataFrame:
    """One row per pending record with REVIEW_COLUMNS (``decision`` empty) and ``choices``, the
    list of its candidates' ids and ``new`` for the dropdown.

    ``pending`` has the columns of link_review (and ``file_name`` if known), one row per
    record x candidate; candidates beyond MAX_CANDIDATES are left out.
    """
    columns = [c.name for c in REVIEW_COLUMNS] + ["choices"]
    if pending.empty:
        return pd.DataFrame(columns=columns)  # nothing pending: the sheet says so
    names = load_gazetteer().khets.set_index("khet_code")["name_th"]
    shown = pending[pending["candidate_rank"] <= MAX_CANDIDATES].sort_values(
        [*_KEYS, "candidate_rank"]
    )
    records = shown.drop_duplicates(_KEYS).set_index(_KEYS)
    suffixes = {field: suffix for field, suffix, *_ in CANDIDATE_FIELDS}
    wide = shown.pivot(index=_KEYS, columns="candidate_rank", values=list(suffixes))
    fields, ranks = wide.columns.get_level_values(0), wide.columns.get_level_values(1)
    wide.columns = pd.Index(
        [f"candidate_{r}_{suffixes[str(f)]}" for f, r in zip(fields, ranks, strict=True)]
    )
    choices = shown.groupby(_KEYS, sort=False)["candidate_id"].agg(_with_new)
    rows = records.join(wide).assign(
        khet_name=records["khet_code"].map(names),
        file_name=records.get("file_name"),
        reason=records["reason"].map(REASONS).fillna(records["reason"]),
        decision=None,
        choices=choices,
    )
    types = {c.name: "float64" if c.numeric else "string" for c in REVIEW_COLUMNS}
    rows = rows.reset_index().reindex(columns=columns).astype(types)
    return rows.sort_values(["survey_round", "khet_code", "community_key"], ignore_index=True)


def _with_new(ids: pd.Series) -> list[str]:
    return [*ids.astype(str).tolist(), NEW]


@dataclass(frozen=True)
class ReviewWorkbook:
    """A written review workbook: where, and how many records and candidates it holds."""

    path: Path
    records: int
    candidates: int


def write_review_workbook(pending: pd.DataFrame, path: Path) -> Path:
    """The review workbook of ``pending`` (link_review rows) at ``path``, written atomically.

    An empty ``pending`` writes a workbook that says nothing is pending.
    """
    rows = review_rows(pending)
    return write_atomically(path, lambda staging: _write_workbook(rows, staging))


def write_pending_review(connection: duckdb.DuckDBPyConnection, path: Path) -> ReviewWorkbook:
    """The database's pending links (link_review) as the review workbook at ``path``."""
    pending = pending_links(connection)
    written = write_review_workbook(pending, path)
    records = pending.drop_duplicates(_KEYS)
    return ReviewWorkbook(written, len(records), len(pending))


def review_summary(written: ReviewWorkbook, links_dir: Path) -> str:
    """What `citywide links review` prints: how many are pending, where, how to apply (Thai
    first)."""
    if written.records == 0:
        return f"{NOTHING_PENDING}\nไฟล์ · workbook: {written.path}"
    n, candidates = written.records, written.candidates
    return (
        f"ระเบียนที่รอการตรวจสอบ {n} รายการ ({candidates} ชุมชนที่อาจเป็น) · "
        f"{n} record(s) pending review ({candidates} candidates)\n"
        f"ไฟล์ · workbook: {written.path}\n"
        f"ขั้นต่อไป: กรอกคอลัมน์ decision (รหัสชุมชน หรือ new) คัดลอกไฟล์ไปไว้ใน {links_dir} "
        "แล้วสั่ง citywide run\n"
        f"next: fill in the column decision (a community_id or new), copy the file into "
        f"{links_dir}, then run `citywide run`"
    )


def _write_workbook(rows: pd.DataFrame, path: Path) -> None:
    # Text is never read as a formula, number or link: every str becomes a string cell.
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(path), {**options, "nan_inf_to_errors": True})
    formats = {
        "header": workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
        ),
        "name": workbook.add_format({"italic": True, "font_color": "#595959", "border": 1}),
        "decision_header": workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#FFD966", "border": 1}
        ),
        "decision": workbook.add_format({"bg_color": "#FFF2CC", "border": 1}),
        "text": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "title": workbook.add_format({"bold": True, "font_size": 14}),
    }
    _instructions(workbook.add_worksheet(INSTRUCTIONS_SHEET), len(rows), formats)
    sheet = workbook.add_worksheet(REVIEW_SHEET)
    _review_sheet(sheet, rows, formats)
    sheet.activate()
    workbook.close()


def _instructions(sheet: Worksheet, records: int, formats: dict[str, Any]) -> None:
    sheet.set_column(0, 0, 110, formats["text"])
    sheet.write_string(0, 0, "การตรวจสอบการเชื่อมโยงชุมชน · Community link review", formats["title"])
    pending = (
        f"ระเบียนที่รอการตรวจสอบ {records} รายการ · {records} record(s) pending review"
        if records
        else NOTHING_PENDING
    )
    sheet.write_string(1, 0, pending)
    lines = ["ภาษาไทย", *INSTRUCTIONS_TH, "", "English", *INSTRUCTIONS_EN]
    sheet.write_column(3, 0, lines)


def _review_sheet(sheet: Worksheet, rows: pd.DataFrame, formats: dict[str, Any]) -> None:
    decision_at = len(REVIEW_COLUMNS) - 1
    for index, column in enumerate(REVIEW_COLUMNS):
        header = formats["decision_header"] if column.name == DECISION else formats["header"]
        sheet.write_string(0, index, column.label_th, header)
        sheet.write_string(1, index, column.name, formats["name"])
        sheet.set_column(index, index, column.width)
    sheet.set_row(0, 45)
    frozen = 1 + max(i for i, c in enumerate(REVIEW_COLUMNS) if c.name == "community_name")
    sheet.freeze_panes(HEADER_ROWS, frozen)
    if rows.empty:
        sheet.write_string(HEADER_ROWS, 0, NOTHING_PENDING)
        return
    cells = neutralise_formulas(rows.drop(columns="choices"))
    # xlsxwriter writes cell by cell: one call per column here, the library loops the cells.
    for index, column in enumerate(REVIEW_COLUMNS):
        values = cells[column.name].astype(object)
        cell_format = formats["decision"] if column.name == DECISION else None
        sheet.write_column(
            HEADER_ROWS, index, values.where(values.notna(), None).tolist(), cell_format
        )
    last = HEADER_ROWS + len(rows) - 1
    sheet.autofilter(HEADER_ROWS - 1, 0, last, decision_at)
    for offset, choices in enumerate(rows["choices"]):  # one dropdown per pending record
        sheet.data_validation(
            HEADER_ROWS + offset,
            decision_at,
            HEADER_ROWS + offset,
            decision_at,
            {
                "validate": "list",
                "source": list(choices),
                "error_type": "warning",
                "error_title": "การตัดสินใจ · decision",
                "error_message": "รหัสชุมชนในทะเบียน (BMA-... / NEW-...) หรือ new · "
                "a register community_id (BMA-... / NEW-...) or new",
            },
        )
