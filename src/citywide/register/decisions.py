"""Link decision files: what people decided for the records in review, read from data/raw/links/.

Every ``*.xlsx`` and ``*.csv`` in the folder is read, in name order; for the same
(survey_round, community_key) a later file wins (and, within a file, a later row). A file is
either the review workbook written by ``citywide links review`` (citywide.register.review: Thai
labels on row 1, the column names on row 2) or any table, xlsx or CSV, with the columns
``survey_round``, ``community_key`` and ``decision`` on one of its first rows. A decision is a
register community_id (``BMA-...`` or ``NEW-...``) or ``new``; an empty one is no decision yet.

:func:`read_decisions` returns the decisions with the file and row each came from, and the
problems found (an unreadable file, missing columns, a decision that is neither an id nor new),
each with its file, sheet and row; one bad file never stops the others. Whether an id exists is
for the linker to check when it applies them. :func:`decisions_key` changes whenever a file is
added, removed or changed, so a run knows when to apply them again.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import python_calamine

from citywide.errors import describe_error, reraise_interruption
from citywide.ingest.readers.encoding import detect_encoding
from citywide.ingest.readers.workbook import _cell_text as cell_text
from citywide.register.review import DECISION, NEW

SUFFIXES = (".xlsx", ".csv")
REQUIRED = ("survey_round", "community_key", DECISION)
HEADER_SEARCH_ROWS = 10  # the column names are looked for on the first rows of a sheet
ID_PATTERN = re.compile(r"(?:BMA|NEW)-\S+")
DECISION_COLUMNS = (*REQUIRED, "file_name", "sha256", "sheet", "source_row")


@dataclass(frozen=True)
class DecisionProblem:
    """A decision file, or a row of one, that could not be used; the others still are."""

    file: str  # relative to the decisions folder
    sheet: str | None
    row: int | None  # 1-based, as a spreadsheet numbers it
    problem: str  # Thai / English
    expected: str
    found: str
    fix: str

    @property
    def where(self) -> str:
        sheet = f", sheet {self.sheet}" if self.sheet else ""
        row = f", row {self.row}" if self.row is not None else ""
        return f"{self.file}{sheet}{row}"

    @property
    def message(self) -> str:
        return (
            f"{self.problem}\n  where:    {self.where}\n  expected: {self.expected}\n"
            f"  found:    {self.found}\n  fix:      {self.fix}"
        )


@dataclass(frozen=True)
class DecisionFiles:
    """The decisions of a folder (DECISION_COLUMNS: the columns of table link_decision but
    ``applied`` and ``message``), the problems found, and the folder's :func:`decisions_key`."""

    decisions: pd.DataFrame
    problems: tuple[DecisionProblem, ...]
    key: str


@dataclass(frozen=True)
class _File:
    path: Path
    name: str
    sha256: str


@dataclass(frozen=True)
class _Read:
    decisions: pd.DataFrame
    problems: tuple[DecisionProblem, ...]


def decision_files(folder: Path) -> list[Path]:
    """The decision files of ``folder``, by name; hidden files and Excel's lock files skipped."""
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file()
        and path.suffix.lower() in SUFFIXES
        and not path.name.startswith((".", "~$"))
    )


def decisions_key(folder: Path) -> str:
    """sha256 over the decision files' names and sha256s (the same fixed key for no file)."""
    return _key(_hashed(folder))


def read_decisions(folder: Path) -> DecisionFiles:
    files = _hashed(folder)
    read = [_read_file(file) for file in files]
    frames = [r.decisions for r in read if not r.decisions.empty]
    decisions = pd.concat(frames, ignore_index=True) if frames else no_decisions()
    decisions = decisions.drop_duplicates(["survey_round", "community_key"], keep="last")
    decisions = decisions.sort_values(["survey_round", "community_key"], ignore_index=True)
    problems = tuple(problem for r in read for problem in r.problems)
    return DecisionFiles(decisions, problems, _key(files))


def _hashed(folder: Path) -> list[_File]:
    return [
        _File(
            path, path.relative_to(folder).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest()
        )
        for path in decision_files(folder)
    ]


def _key(files: list[_File]) -> str:
    listing = "".join(f"{file.name}\t{file.sha256}\n" for file in files)
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()


NO_DECISIONS_KEY = _key([])  # the key of an empty (or missing) decisions folder


def no_decisions() -> pd.DataFrame:
    """No decision: an empty frame of DECISION_COLUMNS."""
    types = dict.fromkeys(DECISION_COLUMNS, "string") | {"source_row": "int64"}
    return pd.DataFrame(columns=list(DECISION_COLUMNS)).astype(types)


def _read_file(file: _File) -> _Read:
    try:
        sheets = _xlsx_sheets(file.path) if file.path.suffix.lower() == ".xlsx" else _csv(file)
    except Exception as error:  # a corrupt file raises whatever its parser raises
        reraise_interruption(error)
        return _Read(no_decisions(), (_unreadable(file, error),))
    found = [(sheet, grid, _header_row(grid)) for sheet, grid in sheets]
    tables = [(sheet, grid, header) for sheet, grid, header in found if header is not None]
    if not tables:
        return _Read(no_decisions(), (_no_columns(file, found),))
    read = [_table(file, sheet, grid, header) for sheet, grid, header in tables]
    return _Read(
        pd.concat([r.decisions for r in read], ignore_index=True),
        tuple(problem for r in read for problem in r.problems),
    )


def _xlsx_sheets(path: Path) -> list[tuple[str | None, pd.DataFrame]]:
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    return [
        (name, _grid(workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)))
        for name in workbook.sheet_names
    ]


def _csv(file: _File) -> list[tuple[str | None, pd.DataFrame]]:
    data = file.path.read_bytes()
    encoding = detect_encoding(data)
    if encoding == "unknown":
        raise ValueError("the text is neither UTF-8, UTF-16 nor Thai Windows-874 (TIS-620)")
    text = data.decode({"windows-874": "cp874"}.get(encoding, encoding))
    try:
        grid = pd.read_csv(
            io.StringIO(text), header=None, dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    except pd.errors.EmptyDataError:
        grid = pd.DataFrame()
    except pd.errors.ParserError as error:
        raise ValueError(str(error).splitlines()[0]) from error
    return [(None, grid)]


def _grid(cells: Sequence[Sequence[object]]) -> pd.DataFrame:
    """A sheet's cells as text, rows padded to the widest."""
    return pd.DataFrame(cells, dtype=object).map(cell_text) if cells else pd.DataFrame()


def _header_row(grid: pd.DataFrame) -> int | None:
    """The first of the first rows that names every REQUIRED column, if one does."""
    head = grid.head(HEADER_SEARCH_ROWS).fillna("").astype(str)
    names = head.apply(lambda column: column.str.strip().str.lower())
    has_all = pd.concat([(names == name).any(axis=1) for name in REQUIRED], axis=1).all(axis=1)
    return int(has_all.idxmax()) if has_all.any() else None


def _table(file: _File, sheet: str | None, grid: pd.DataFrame, header: int) -> _Read:
    names = grid.iloc[header].fillna("").astype(str).str.strip().str.lower().tolist()
    positions = [names.index(name) for name in REQUIRED]
    body = grid.iloc[header + 1 :, positions].fillna("").astype(str)
    body.columns = pd.Index(REQUIRED)
    body = body.apply(lambda column: column.str.strip())
    body = body.assign(source_row=body.index.to_numpy() + 1)  # grid row 0 is spreadsheet row 1
    body = body[body[DECISION] != ""]
    is_new = body[DECISION].str.lower() == NEW
    body = body.assign(decision=body[DECISION].where(~is_new, NEW))
    valid_id = body[DECISION].str.fullmatch(ID_PATTERN.pattern)
    keyed = (body["survey_round"] != "") & (body["community_key"] != "")
    bad_decision, unkeyed = body[keyed & ~(is_new | valid_id)], body[~keyed]
    problems = (
        *(_problem(BAD_DECISION, file, repr(value[:60]), sheet, int(row))
          for row, value in zip(bad_decision["source_row"], bad_decision[DECISION], strict=True)),
        *(_problem(UNKEYED, file, "survey_round or community_key empty", sheet, int(row))
          for row in unkeyed["source_row"]),
    )  # fmt: skip
    good = body[keyed & (is_new | valid_id)]
    decisions = good.assign(file_name=file.name, sha256=file.sha256, sheet=sheet)
    decisions = decisions.reindex(columns=list(DECISION_COLUMNS)).astype(no_decisions().dtypes)
    return _Read(decisions, tuple(sorted(problems, key=lambda p: p.row or 0)))


@dataclass(frozen=True)
class _Kind:
    """A kind of problem: what it is, what was expected and the fix, Thai / English."""

    problem: str
    expected: str
    fix: str


_FIX_FILE = (
    "บันทึกไฟล์ใหม่เป็น .xlsx หรือ .csv (UTF-8) ที่มีคอลัมน์ survey_round, community_key, "
    "decision / save it again as .xlsx or .csv (UTF-8) with the columns survey_round, "
    "community_key, decision, e.g. from `citywide links review`"
)
UNREADABLE = _Kind(
    "อ่านไฟล์การตัดสินใจไม่ได้ / cannot read the decision file",
    "ไฟล์ .xlsx หรือ .csv ที่เปิดได้ / a readable .xlsx workbook or .csv text file",
    _FIX_FILE,
)
NO_COLUMNS = _Kind(
    "ไฟล์การตัดสินใจไม่มีคอลัมน์ที่ต้องใช้ / the decision file lacks the columns needed",
    f"คอลัมน์ / columns {', '.join(REQUIRED)} on one row among the first {HEADER_SEARCH_ROWS}",
    _FIX_FILE,
)
BAD_DECISION = _Kind(
    "การตัดสินใจไม่ถูกต้อง / the decision is not a community id nor new",
    "รหัสชุมชน BMA-... หรือ NEW-... หรือ new / a community_id (BMA-... or NEW-...) or new",
    "เลือกจากรายการในคอลัมน์ decision หรือเว้นว่าง / choose from the list in the column "
    "decision, or leave it empty",
)
UNKEYED = _Kind(
    "การตัดสินใจไม่ระบุระเบียน / the decision names no record",
    "survey_round และ community_key ของระเบียน / survey_round and community_key of the record, "
    "as the review workbook has them",
    "อย่าแก้ไขคอลัมน์ survey_round และ community_key / keep survey_round and community_key as "
    "`citywide links review` wrote them",
)


def _problem(
    kind: _Kind, file: _File, found: str, sheet: str | None = None, row: int | None = None
) -> DecisionProblem:
    return DecisionProblem(file.name, sheet, row, kind.problem, kind.expected, found, kind.fix)


def _unreadable(file: _File, error: Exception) -> DecisionProblem:
    # the parser's words, never the file's content
    return _problem(UNREADABLE, file, describe_error(error))


def _no_columns(
    file: _File, found: list[tuple[str | None, pd.DataFrame, int | None]]
) -> DecisionProblem:
    """Which of the REQUIRED names the file has at all (never its other cells: personal data)."""
    head = [grid.head(HEADER_SEARCH_ROWS).fillna("").astype(str) for _, grid, _ in found]
    cells = {c.strip().lower() for grid in head for c in grid.to_numpy().ravel().tolist()}
    present = [name for name in REQUIRED if name in cells]
    sheets = ", ".join(str(sheet) for sheet, *_ in found if sheet is not None)
    text = f"of those, only: {', '.join(present)}" if present else "none of those columns"
    return _problem(NO_COLUMNS, file, text, sheet=sheets or None)
