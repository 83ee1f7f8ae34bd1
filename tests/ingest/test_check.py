"""`citywide check` as a district office runs it (issue 15): total rows are notices, stated totals
are compared with the rows, suggestions are ranked, rejected rows name their community, every
message is bilingual, `--report` writes the office's rows back, and the command imports nothing
it does not use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from citywide.cli import app
from citywide.ingest.annotated import COLOURS, SUMMARY_SHEET
from tests.ingest import district_returns as returns

HEADER = ["เขต", "แขวง", "ชื่อชุมชน", "จำนวนครัวเรือน", "จำนวนประชากร"]


def _check(database: Path, *arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--duckdb-path", str(database), "check", *arguments])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _return(folder: Path, name: str, rows: list[list[object]]) -> Path:
    path = folder / name
    returns._write_csv(path, [HEADER, *rows], "utf-8")
    return path


def test_a_correct_return_with_a_total_row_exits_0(survey_db: Path, tmp_path: Path) -> None:
    path = _return(
        tmp_path,
        "khlong_toei.csv",
        [
            ["คลองเตย", "คลองเตย", "ชุมชนพัฒนาใหม่", "120", "410"],
            ["คลองเตย", "คลองตัน", "ชุมชนร่วมใจ", "1,250", "4,100"],
            ["รวม", "", "", "1,370", "4,510"],
        ],
    )
    code, output = _check(survey_db, str(path))
    assert code == 0, output
    assert "0 rejected, 1 notices" in output
    assert "notice [summary_row]" in output
    assert "the totals agree with the rows above: households 1,370; population 4,510" in output


def test_a_wrong_total_is_a_warning_naming_both_figures(survey_db: Path, tmp_path: Path) -> None:
    path = _return(
        tmp_path,
        "khlong_toei.csv",
        [
            ["คลองเตย", "คลองเตย", "ชุมชนพัฒนาใหม่", "120", "410"],
            ["คลองเตย", "คลองตัน", "ชุมชนร่วมใจ", "1,250", "4,100"],
            ["รวม", "", "", "1,470", "4,510"],
        ],
    )
    code, output = _check(survey_db, str(path))
    assert code == 0, output  # a warning, not a rejection
    assert "warning [total_mismatch]" in output
    assert "the stated total of households is 1,470, but the 2 rows above add up to 1,370" in output
    assert "ยอดรวมจำนวนครัวเรือนที่เขียนไว้ 1,470" in output
    assert "1,370" in output.split("ยอดรวมจำนวนครัวเรือน")[1]
    assert "population" not in output.split("total_mismatch")[1].split("notice")[0]


def test_subtotals_and_a_grand_total(survey_db: Path, tmp_path: Path) -> None:
    path = _return(
        tmp_path,
        "subtotals.csv",
        [
            ["คลองเตย", "คลองเตย", "ชุมชนหนึ่ง", "10", "30"],
            ["คลองเตย", "คลองเตย", "ชุมชนสอง", "20", "60"],
            ["รวม แขวงคลองเตย", "", "", "30", "90"],
            ["คลองเตย", "คลองตัน", "ชุมชนสาม", "5", "15"],
            ["รวม แขวงคลองตัน", "", "", "6", "15"],
            ["รวมทั้งหมด", "", "", "35", "105"],
            ["ยอดรวม", "", "", "36", ""],
        ],
    )
    code, output = _check(survey_db, str(path))
    assert code == 0, output
    assert output.count("total_mismatch") == 2
    assert "households is 6, but the 1 rows above add up to 5" in output
    # a total right below another total is compared with every row above
    assert "households is 36, but the 3 rows above add up to 35" in output
    assert "0 rejected, 4 notices" in output


def test_rejected_rows_name_their_community_and_suggest_the_closest_khet(
    survey_db: Path, tmp_path: Path
) -> None:
    path = _return(
        tmp_path,
        "typos.csv",
        [
            ["คลองเตีย", "", "ชุมชนริมคลองหลังวัด", "120", "410"],
            ["คลองเตย", "", "ชุมชนบ้านใหม่", "abc", "410"],
        ],
    )
    code, output = _check(survey_db, str(path))
    assert code == 1
    assert "row 2 · ชุมชนริมคลองหลังวัด: ไม่ผ่าน / REJECTED [unknown_khet]" in output
    assert "row 3 · ชุมชนบ้านใหม่: ไม่ผ่าน / REJECTED [non_numeric_count]" in output
    assert "closest: 1033 คลองเตย (Khlong Toei); 1018" in output


def test_missing_and_unreadable_files_are_told_in_thai_and_english(
    survey_db: Path, district_returns: Path, tmp_path: Path
) -> None:
    code, output = _check(survey_db, str(tmp_path / "nothere.xlsx"))
    assert code == 1
    assert "ไม่พบไฟล์" in output
    assert "does not exist" in output
    assert "ตรวจสอบชื่อไฟล์" in output
    assert "check the path" in output
    code, output = _check(survey_db, str(district_returns / "broken.xlsx"))
    assert code == 1
    assert "ไฟล์เสียหาย" in output
    assert "the file is damaged" in output
    code, output = _check(survey_db, str(district_returns / "notes.csv"))
    assert code == 1
    assert "ไม่พบแถวชื่อคอลัมน์" in output
    assert "no header row found" in output
    missing_db = CliRunner().invoke(
        app, ["--duckdb-path", str(tmp_path / "none.duckdb"), "check", str(district_returns)]
    )
    assert missing_db.exit_code == 1
    assert "ยังไม่มีฐานข้อมูล" in missing_db.output
    assert "does not exist yet" in missing_db.output


def test_report_writes_the_offices_rows_back_coloured_by_outcome(
    survey_db: Path, district_returns: Path, tmp_path: Path
) -> None:
    formula = _return(
        tmp_path,
        "formula.csv",
        [
            ["คลองเตย", "คลองเตย", '=HYPERLINK("http://evil","x")', "10", "30"],
            ["คลองเตย", "คลองเตย", "@SUM(1+1)", "-5", "30"],
            ["รวม", "", "", "5", "60"],
        ],
    )
    out = tmp_path / "report" / "checked.xlsx"
    code, output = _check(
        survey_db, str(district_returns / "bangrak_2567.xlsx"), str(formula), "--report", str(out)
    )
    assert code == 1
    assert f"report: {out}" in output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == SUMMARY_SHEET
    bangrak = book[book.sheetnames[1]]
    header = [cell.value for cell in bangrak[2]]
    assert header[0] == "แถว · row"
    assert header[-2:] == ["ผล · outcome", "เหตุผล · reasons"]
    assert "ชื่อชุมชน" in header
    assert "ประธานชุมชน" not in header
    by_row = {row[0].value: row for row in bangrak.iter_rows(min_row=3)}
    assert set(by_row) == {"6", "7", "8", "9", "11", "12", "14"}

    def colour(row: str) -> str:
        return str(by_row[row][3].fill.fgColor.rgb)[-6:]

    assert colour("6") == COLOURS["loaded"].lstrip("#")
    assert colour("11") == COLOURS["warning"].lstrip("#")
    assert colour("12") == COLOURS["rejected"].lstrip("#")
    assert colour("14") == COLOURS["warning"].lstrip("#")  # the total differs from the rows
    assert "households is negative (-5)" in str(by_row["12"][-1].value)
    assert "the stated total of households is 1,425" in str(by_row["14"][-1].value)
    assert "a summary (total) row" in str(by_row["14"][-1].value)
    for value in returns.PERSONAL_VALUES:
        assert all(value not in str(c.value) for row in bangrak.iter_rows() for c in row)
    sheet = book[book.sheetnames[2]]
    cells = [cell for row in sheet.iter_rows(min_row=3) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    texts = [str(cell.value) for cell in cells if cell.value is not None]
    assert '\'=HYPERLINK("http://evil","x")' in texts
    assert "'@SUM(1+1)" in texts
    assert not any(text.startswith(("=", "+", "-", "@")) for text in texts)
    outcomes = [row[-2].value for row in sheet.iter_rows(min_row=3)]
    assert outcomes == ["ผ่าน · loaded", "ไม่ผ่าน · rejected", "หมายเหตุ · notice"]


def test_the_check_command_imports_no_prefect_or_map_libraries() -> None:
    """Structural, not timed: what importing and parsing `citywide check` loads."""
    code = (
        "import sys\n"
        "from citywide import cli\n"
        "from citywide.ingest import load, checking, annotated\n"
        "from citywide.ingest.readers import read_tables\n"
        "heavy = ('prefect', 'geopandas', 'folium', 'matplotlib', 'pyogrio', 'shapely', 'dask')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout
