"""The link review workbook a district officer fills in: one row per pending record, its
candidates side by side, a decision dropdown, text never a formula; and `citywide links review`."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner
from xlsxwriter.utility import xl_col_to_name

from citywide import db
from citywide.cli import app
from citywide.register.review import (
    INSTRUCTIONS_SHEET,
    NOTHING_PENDING,
    REVIEW_COLUMNS,
    REVIEW_SHEET,
    write_review_workbook,
)
from citywide.schema import SOURCE_FILE
from tests.register.review_files import HOSTILE_NAME, ROUND, pending_frame, sheet_rows

NAMES = [column.name for column in REVIEW_COLUMNS]


def _sheet_xml(path: Path, index: int) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")


def test_one_row_per_record_with_its_candidates_side_by_side(tmp_path: Path) -> None:
    path = write_review_workbook(pending_frame(), tmp_path / "review.xlsx")
    rows = sheet_rows(path, REVIEW_SHEET)
    thai, english, *records = rows
    assert english == NAMES
    assert thai[0] == "รอบสำรวจ"
    assert thai[NAMES.index("decision")].startswith("การตัดสินใจ")
    assert len(records) == 2  # two records, however many candidates
    first, second = (dict(zip(NAMES, row, strict=True)) for row in records)
    assert first["survey_round"] == ROUND
    assert first["community_key"] == "1001:name:วัดใหม่"
    assert first["khet_name"] == "พระนคร"
    assert first["file_name"] == "เขตดุสิต_2568.xlsx"
    assert first["source_row"] == 7
    assert first["candidate_1_id"] == "BMA-1001-0001"
    assert first["candidate_2_distance_m"] == 420.0
    assert first["candidate_3_id"] == ""  # only two candidates
    assert first["decision"] == ""
    assert second["community_code"] == "0012"  # a code stays text, zeros kept
    assert [second[f"candidate_{r}_id"] for r in (1, 2, 3)] == [
        "BMA-1002-0012", "BMA-1002-0013", "NEW-1002-9f3a"
    ]  # fmt: skip
    assert "BMA-1002-0099" not in str(records)  # the fourth candidate is not shown
    assert second["candidate_1_distance_m"] == ""  # no distance: an empty cell
    assert second["candidate_1_name_score"] == 91.0


def test_a_name_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    path = write_review_workbook(pending_frame(), tmp_path / "review.xlsx")
    records = sheet_rows(path, REVIEW_SHEET)[2:]
    assert records[0][NAMES.index("community_name")] == "'" + HOSTILE_NAME
    xml = _sheet_xml(path, 2)
    assert "<f>" not in xml  # no formula cell anywhere in the sheet
    for row in records:
        for cell in row:
            assert not (isinstance(cell, str) and cell.startswith(("=", "+", "@")))


def test_the_decision_column_offers_the_rows_candidates_and_new(tmp_path: Path) -> None:
    path = write_review_workbook(pending_frame(), tmp_path / "review.xlsx")
    xml = _sheet_xml(path, 2)
    lists = re.findall(r"<formula1>(.*?)</formula1>", xml)
    assert lists == [
        '"BMA-1001-0001,BMA-1001-0002,new"',
        '"BMA-1002-0012,BMA-1002-0013,NEW-1002-9f3a,new"',
    ]
    column = xl_col_to_name(NAMES.index("decision"))
    assert re.findall(r'<dataValidation [^>]*sqref="([A-Z]+[0-9]+)"', xml) == [
        f"{column}3",
        f"{column}4",
    ]
    assert 'ySplit="2"' in xml  # the two header rows stay in view
    assert "<col " in xml  # widths set


def test_instructions_come_first_in_thai_then_english(tmp_path: Path) -> None:
    path = write_review_workbook(pending_frame(), tmp_path / "review.xlsx")
    lines = [row[0] for row in sheet_rows(path, INSTRUCTIONS_SHEET)]
    assert "2 record(s) pending review" in lines[1]
    assert lines.index("ภาษาไทย") < lines.index("English")
    assert any("data/raw/links/" in line and "citywide run" in line for line in lines)


def test_an_empty_review_says_nothing_is_pending(tmp_path: Path) -> None:
    path = write_review_workbook(pending_frame().head(0), tmp_path / "review.xlsx")
    rows = sheet_rows(path, REVIEW_SHEET)
    assert rows[1] == NAMES
    assert rows[2][0] == NOTHING_PENDING
    assert sheet_rows(path, INSTRUCTIONS_SHEET)[1][0] == NOTHING_PENDING


def test_the_workbook_is_replaced_atomically(tmp_path: Path) -> None:
    target = tmp_path / "review.xlsx"
    target.write_bytes(b"old")
    write_review_workbook(pending_frame(file_name=None), target)
    assert zipfile.is_zipfile(target)
    assert [p.name for p in tmp_path.iterdir()] == ["review.xlsx"]  # no temporary file left
    assert sheet_rows(target, REVIEW_SHEET)[2][NAMES.index("file_name")] == ""


# --- citywide links review ---------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "processed" / "citywide.duckdb"
    with db.connect(path) as connection:
        connection.execute(SOURCE_FILE.create_sql())
        connection.execute(
            "INSERT INTO source_file BY NAME SELECT 1 AS source_file_id, ? AS path, "
            "? AS file_name, 'x' AS sha256, 1 AS size_bytes, 'xlsx' AS format, "
            "? AS survey_round, 'loaded' AS status, 0 AS rows_read, 0 AS rows_loaded, "
            "0 AS rows_rejected, 0 AS rows_superseded, 0 AS blank_rows, 0 AS warnings, "
            "'{}' AS column_map, [] AS dropped_columns, [] AS unmapped_columns, "
            "now() AS ingested_at",
            ["surveys/2568/dusit.xlsx", "dusit.xlsx", ROUND],
        )
        db.replace_tables(connection, {"link_review": pending_frame(file_name=None)})
    return path


def test_links_review_writes_the_workbook_and_says_how_to_apply_it(
    database: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app, ["--processed-dir", str(database.parent), "--duckdb-path", str(database),
              "--raw-dir", str(tmp_path / "raw"), "links", "review"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    workbook = database.parent / "link_review.xlsx"
    assert workbook.is_file()
    assert "2 record(s) pending review (6 candidates)" in result.output
    assert str(workbook) in result.output
    assert str(tmp_path / "raw" / "links") in result.output
    assert "citywide run" in result.output
    assert "รอ" in result.output  # Thai too
    records = sheet_rows(workbook, REVIEW_SHEET)[2:]
    assert {row[NAMES.index("file_name")] for row in records} == {"dusit.xlsx"}  # from source_file


def test_links_review_out_option_and_a_database_without_review(
    database: Path, tmp_path: Path
) -> None:
    out = tmp_path / "elsewhere" / "mine.xlsx"
    result = CliRunner().invoke(
        app, ["--duckdb-path", str(database), "links", "review", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.is_file()
    with db.connect(database) as connection:
        connection.execute("DROP TABLE link_review")
    failed = CliRunner().invoke(app, ["--duckdb-path", str(database), "links", "review"])
    assert failed.exit_code == 1
    assert "link_review" in failed.output
    assert "citywide run" in failed.output
