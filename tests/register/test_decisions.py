"""Decision files in data/raw/links/: the filled review workbook and plain CSVs read back with
the file and row of each decision; a bad file or row is a problem that names them, never a
stop; the folder's key changes when a file does."""

from __future__ import annotations

import hashlib
from pathlib import Path

import xlsxwriter

from citywide.register.decisions import DECISION_COLUMNS, decisions_key, read_decisions
from citywide.register.review import REVIEW_SHEET, write_review_workbook
from citywide.schema_register import LINK_DECISION
from tests.register.review_files import ROUND, fill, pending_frame

A, B = "1001:name:วัดใหม่", "1002:0012"


def _csv(path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def _filled_workbook(folder: Path, decisions: dict[str, str], name: str = "review.xlsx") -> Path:
    blank = write_review_workbook(pending_frame(), folder.parent / f"blank-{name}")
    return fill(blank, decisions, folder / name)


def test_the_filled_review_workbook_reads_back_with_file_sheet_and_row(tmp_path: Path) -> None:
    links = tmp_path / "links"
    links.mkdir()
    path = _filled_workbook(links, {A: "BMA-1001-0002", B: "new"})
    read = read_decisions(links)
    assert read.problems == ()
    assert list(read.decisions.columns) == list(DECISION_COLUMNS)
    assert set(DECISION_COLUMNS) == set(LINK_DECISION.column_names) - {"applied", "message"}
    rows = read.decisions.to_dict("records")
    assert [(r["survey_round"], r["community_key"], r["decision"]) for r in rows] == [
        (ROUND, A, "BMA-1001-0002"), (ROUND, B, "new")
    ]  # fmt: skip
    assert {r["file_name"] for r in rows} == {"review.xlsx"}
    assert {r["sheet"] for r in rows} == {REVIEW_SHEET}
    assert [r["source_row"] for r in rows] == [3, 4]  # data start on row 3 of the sheet
    assert rows[0]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_empty_decision_is_no_decision_yet(tmp_path: Path) -> None:
    links = tmp_path / "links"
    links.mkdir()
    _filled_workbook(links, {B: "NEW"})  # A left empty; NEW in capitals is new
    read = read_decisions(links)
    assert read.problems == ()
    assert read.decisions[["community_key", "decision"]].values.tolist() == [[B, "new"]]


def test_a_csv_decisions_file_and_a_later_file_wins(tmp_path: Path) -> None:
    links = tmp_path / "links"
    links.mkdir()
    _filled_workbook(links, {A: "BMA-1001-0001", B: "BMA-1002-0013"}, name="a_review.xlsx")
    _csv(links / "b_fix.csv", f"survey_round,community_key,decision,note\n{ROUND},{A},new,ok\n")
    _csv(  # Excel on a Thai Windows saves CSV as Windows-874
        links / "c_thai.csv",
        f"หมายเหตุ,survey_round,community_key,decision\nแก้ไข,{ROUND},{B}, BMA-1002-0012 \n",
        encoding="cp874",
    )
    read = read_decisions(links)
    assert read.problems == ()
    by_key = read.decisions.set_index("community_key")
    assert by_key.loc[A, "decision"] == "new"
    assert by_key.loc[A, "file_name"] == "b_fix.csv"
    assert by_key.loc[A, "source_row"] == 2
    assert by_key["sheet"].isna()[A]  # a CSV has no sheet
    assert by_key.loc[B, "decision"] == "BMA-1002-0012"  # spaces around it dropped
    assert by_key.loc[B, "file_name"] == "c_thai.csv"
    assert len(read.decisions) == 2


def test_a_bad_file_and_a_bad_row_are_problems_naming_them_and_the_rest_is_read(
    tmp_path: Path,
) -> None:
    links = tmp_path / "links"
    links.mkdir()
    (links / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    _csv(links / "columns.csv", "round,key,choice\n2568,1001:1,new\n")
    _csv(
        links / "rows.csv",
        f"survey_round,community_key,decision\n{ROUND},{A},maybe\n,{B},new\n{ROUND},{B},NEW-1002-9f3a\n",
    )
    (links / "~$rows.xlsx").write_bytes(b"lock")  # Excel's lock file: not a decision file
    (links / "notes.txt").write_text("not read")
    read = read_decisions(links)
    problems = {(p.file, p.row): p for p in read.problems}
    assert set(problems) == {("broken.xlsx", None), ("columns.csv", None), ("rows.csv", 2),
                             ("rows.csv", 3)}  # fmt: skip
    assert "cannot read" in problems["broken.xlsx", None].problem
    assert "อ่านไฟล์" in problems["broken.xlsx", None].problem  # Thai first
    assert "survey_round, community_key, decision" in problems["columns.csv", None].expected
    bad = problems["rows.csv", 2]
    assert bad.found == "'maybe'"
    assert "BMA-" in bad.expected
    assert "rows.csv, row 2" in bad.message
    assert "names no record" in problems["rows.csv", 3].problem
    assert read.decisions[["community_key", "decision"]].values.tolist() == [[B, "NEW-1002-9f3a"]]


def test_a_workbook_without_the_columns_is_a_problem(tmp_path: Path) -> None:
    links = tmp_path / "links"
    links.mkdir()
    book = xlsxwriter.Workbook(str(links / "other.xlsx"))
    book.add_worksheet("Sheet1").write_row(0, 0, ["community_key", "ชื่อ", "โทรศัพท์"])
    book.close()
    (problem,) = read_decisions(links).problems
    assert (problem.file, problem.sheet, problem.row) == ("other.xlsx", "Sheet1", None)
    assert problem.found == "of those, only: community_key"  # never the other cells


def test_decisions_key_changes_when_a_file_changes(tmp_path: Path) -> None:
    links = tmp_path / "links"
    empty = decisions_key(links)  # no folder yet
    links.mkdir()
    assert decisions_key(links) == empty == decisions_key(tmp_path / "elsewhere")
    path = _csv(links / "d.csv", f"survey_round,community_key,decision\n{ROUND},{A},new\n")
    first = decisions_key(links)
    assert first != empty
    assert read_decisions(links).key == first
    _csv(path, f"survey_round,community_key,decision\n{ROUND},{A},BMA-1001-0001\n")
    second = decisions_key(links)
    assert second not in {first, empty}
    path.rename(links / "e.csv")
    assert decisions_key(links) not in {first, second, empty}  # the name counts too
    assert read_decisions(tmp_path / "missing").decisions.empty
