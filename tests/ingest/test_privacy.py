"""Personal data never reaches the database, messages, `citywide check` or the run report.

The returns below hold a fake name and phone in personal columns, in a notes column and in kept
survey fields, national IDs (valid and invalid checksums) as codes, and a line that makes
DuckDB's CSV reader fail.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from citywide import report
from citywide.cli import app
from citywide.errors import describe_error
from citywide.ingest import privacy
from citywide.plan import Plan, PublishedState
from tests.ingest.test_load import as_row, ingest_reports, rows
from tests.ingest.traces import assert_nowhere

NAME = "สมชาย ทดสอบ"
PHONE = "081-234-5678"
VALID_ID = "3100500123458"  # checksum valid (stdnum.th.pin)
VALID_ID_GROUPED = "1-1007-00123-45-5"
INVALID_ID = "3100500123454"  # same form, wrong check digit: not an ID, an ordinary code
SECRETS = (NAME, PHONE, "0812345678", VALID_ID, "1100700123455", VALID_ID_GROUPED,
           "0898765432", "02-123-4567", "+66 2 987 6543")  # fmt: skip
pytestmark = pytest.mark.real_data


@pytest.mark.parametrize(
    ("text", "kind", "masked"),
    [
        (VALID_ID, privacy.NATIONAL_ID, None),
        (VALID_ID_GROUPED, privacy.NATIONAL_ID, None),
        ("1 1007 00123 45 5", privacy.NATIONAL_ID, None),
        ("๓๑๐๐๕๐๐๑๒๓๔๕๘", privacy.NATIONAL_ID, None),
        ("ชุมชน 3100500123458 ก", privacy.NATIONAL_ID, "ชุมชน ก"),
        (PHONE, privacy.PHONE, None),
        ("08-1234-5678", privacy.PHONE, None),
        ("0812345678", privacy.PHONE, None),
        ("๐๘๑-๒๓๔-๕๖๗๘", privacy.PHONE, None),
        ("02-123-4567", privacy.PHONE, None),
        ("+66 81 234 5678", privacy.PHONE, None),
        ("+66-2-123-4567", privacy.PHONE, None),
        ("ชุมชนวัดแขก โทร 081-234-5678", privacy.PHONE, "ชุมชนวัดแขก โทร"),
        # legitimate codes and values: not personal
        (INVALID_ID, None, INVALID_ID),
        ("100303006", None, "100303006"),  # a BMA community code
        ("1004", None, "1004"),  # a khet code
        ("1004-001-0023", None, "1004-001-0023"),
        ("2024-12-15", None, "2024-12-15"),
        ("2024-12-15T10:30:00.000+07:00", None, "2024-12-15T10:30:00.000+07:00"),
        ("1,250", None, "1,250"),
        ("13.72461, 100.53023", None, "13.72461, 100.53023"),
        ("665432 1517234", None, "665432 1517234"),  # UTM easting and northing
        ("a1b2c3d4-0812-3456-7890-abcdef123456", None, "a1b2c3d4-0812-3456-7890-abcdef123456"),
        ("ชุมชนเจริญกรุง ๔๒", None, "ชุมชนเจริญกรุง ๔๒"),
    ],
)
def test_personal_numbers_are_found_by_form_and_checksum(
    text: str, kind: str | None, masked: str | None
) -> None:
    assert privacy.scan(text) == (kind, masked)


def test_parser_errors_keep_the_facts_and_drop_the_content(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(f"a,b,c\n{NAME},{PHONE},{'x' * 2_100_000}\n", encoding="utf-8")
    with pytest.raises(duckdb.Error) as raised:
        duckdb.connect().execute(
            "SELECT * FROM read_csv(?, header = true, columns = {'a': 'VARCHAR', "
            "'b': 'VARCHAR', 'c': 'VARCHAR'}, auto_detect = false)",
            [str(path)],
        ).fetchall()
    assert NAME in str(raised.value)  # DuckDB quotes the line
    text = describe_error(raised.value)
    assert text.startswith("InvalidInputException: ")
    assert "Line: 2" in text
    assert "Maximum line size of 2000000 bytes exceeded" in text
    with pytest.raises(duckdb.Error) as converted:
        duckdb.connect().execute(f"SELECT '{NAME} {PHONE}'::INTEGER").fetchall()
    undecodable = UnicodeDecodeError("utf-8", f"{NAME},{PHONE}".encode(), 3, 4, "invalid byte")
    assert describe_error(undecodable) == ("UnicodeDecodeError: not utf-8: invalid byte at byte 3")
    for error in (raised.value, converted.value, ValueError(f"bad {NAME} at {PHONE}")):
        assert NAME not in describe_error(error)
        assert PHONE not in describe_error(error)
        assert "0812345678" not in describe_error(error)


def _write_returns(folder: Path) -> None:
    folder.mkdir()
    header = "หมายเหตุ,เขต,รหัสชุมชน,ชื่อชุมชน,ครัวเรือน,ชื่อประธานชุมชน,เบอร์โทร"
    lines = [
        header,
        f"ปกติ,บางรัก,100402001,ชุมชนซอยพิพัฒน์,120,{NAME},{PHONE}",
        f",บางรัก,100402002,ชุมชนวัดแขก โทร 0898765432,85,{NAME},{PHONE}",
        f",บางรัก,{VALID_ID},ชุมชนบัตรประชาชน,40,{NAME},{PHONE}",  # an ID as the code
        f",บางรัก,{INVALID_ID},ชุมชนรหัสยาว,30,{NAME},{PHONE}",  # not an ID: loaded
        f",บางรัก,100402005,ชุมชนสวนหลวง,-3,{NAME},{PHONE}",  # rejected: values masked
        f"รวม โทร {PHONE} {NAME},,,,275,,",  # a summary row found by its notes cell
    ]
    (folder / "bangrak.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # a line longer than DuckDB's 2 MB limit, after good ones (read again with a larger limit)
    long_line = f"บางรัก,100409999,ชุมชนยาว,10,{NAME},{PHONE}" + "x" * 2_100_000
    header = "เขต,รหัสชุมชน,ชื่อชุมชน,ครัวเรือน,ชื่อประธานชุมชน,เบอร์โทร\n"
    good = "".join(f"บางรัก,1004099{i:02},ชุมชน {i},10,{NAME},{PHONE}\n" for i in range(40))
    (folder / "long_line.csv").write_text(f"{header}{good}{long_line}\n", encoding="utf-8")
    # the same line among the first rows, beyond Python's csv module's field limit
    (folder / "long_head.csv").write_text(f"{header}{long_line}\n", encoding="utf-8")
    # no header: the message must not quote these rows
    (folder / "notes.csv").write_text(
        f"ผู้ติดต่อ {NAME}\nโทร {PHONE}\n{NAME},{PHONE},{VALID_ID}\n", encoding="utf-8"
    )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "ครัวเรือน"
    sheet.append(["เขต", "รหัสชุมชน", "ชื่อชุมชน", "รหัสครัวเรือน", "ชื่อหัวหน้าครัวเรือน",
                  "เบอร์โทรศัพท์", "จำนวนสมาชิก"])  # fmt: skip
    sheet.append(["บางรัก", "100402001", "ชุมชนซอยพิพัฒน์", "1004-001-0001", NAME, PHONE, 4])
    sheet.append(["บางรัก", "100402001", "ชุมชนซอยพิพัฒน์", VALID_ID_GROUPED, NAME, PHONE, 3])
    sheet.append(["บางรัก", "100402001", "ชุมชนซอยพิพัฒน์", "08-1234-5678", NAME, PHONE, 2])
    sheet.append(["บางรัก", "100402001", "ชุมชนซอยพิพัฒน์", 1100700123455, NAME, PHONE, 5])
    sheet.append(["บางรัก", "100402001", "ชุมชนซอยพิพัฒน์ +66 2 987 6543", "1004-001-0005",
                  NAME, PHONE, 6])  # fmt: skip
    sheet.append(["บางรัก", "100402001", "ชุมชนซอยพิพัฒน์", INVALID_ID, NAME, PHONE, 1])
    sheet.append(["บางรัก", "100402001", "ชุมชนซอยพิพัฒน์", "1004-001-0007", NAME, "02-123-4567",
                  "เจ็ด"])  # fmt: skip
    book.save(folder / "bangrak_households.xlsx")


def _outcomes(path: Path, file_name: str) -> dict[int, str]:
    found = rows(
        path,
        "SELECT r.source_row, r.reason FROM rejected_row r JOIN source_file f "
        "USING (source_file_id) WHERE f.file_name = ?",
        [file_name],
    )
    return dict(found)


def test_no_personal_data_in_database_messages_check_or_report(
    survey_db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "returns"
    _write_returns(folder)
    tables = ingest_reports(survey_db, folder)
    reports = [as_row(table) for table in tables]
    by_file = {str(r["file"]): r for r in reports}

    # every table, every text column
    assert_nowhere(survey_db, SECRETS)

    # long lines are read (the long cell is a personal column, never kept); the failure still
    # says what and where
    assert (by_file["long_line.csv"]["status"], by_file["long_line.csv"]["rows_loaded"]) == (
        "loaded",
        41,
    )
    assert (by_file["long_head.csv"]["status"], by_file["long_head.csv"]["rows_loaded"]) == (
        "loaded",
        1,
    )
    assert by_file["notes.csv"]["status"] == "failed"
    assert "no cell of the first 30 rows names a survey column" in str(
        by_file["notes.csv"]["message"]
    )

    # community return: an ID as code rejected, a phone in a name masked, an invalid ID loaded
    assert _outcomes(survey_db, "bangrak.csv") == {
        4: "personal_id",
        6: "negative_count",
        7: "summary_row",
    }
    communities = dict(
        rows(survey_db, "SELECT community_code, community_name FROM community ORDER BY 1")
    )
    assert communities["100402002"] == "ชุมชนวัดแขก โทร"
    assert communities[INVALID_ID] == "ชุมชนรหัสยาว"
    masked = rows(
        survey_db,
        "SELECT source_row, field, value, message_th, message_en FROM row_warning "
        "WHERE code = 'personal_data_masked' ORDER BY source_row",
    )
    assert [(r[0], r[1], r[2]) for r in masked] == [
        (3, "community_name", None),
        (6, "community_name", None),
    ]
    assert "หมายเลขโทรศัพท์" in masked[0][3]
    assert "a phone number" in masked[0][4]
    summary = rows(survey_db, "SELECT value FROM rejected_row WHERE reason = 'summary_row'")
    assert summary == [(None,)]
    personal = rows(
        survey_db,
        "SELECT r.source_row, r.field, r.value, r.message_en, r.row_values::VARCHAR "
        "FROM rejected_row r WHERE reason = 'personal_id' ORDER BY source_row, field",
    )
    assert [(r[0], r[1], r[2]) for r in personal] == [
        (3, "household_code", None),
        (4, "community_code", None),
        (4, "household_code", None),
        (5, "household_code", None),
    ]
    assert "a Thai national ID number" in personal[1][3]
    assert "a phone number" in personal[2][3]

    # household return: IDs and a phone as household codes rejected, an invalid ID loaded
    assert _outcomes(survey_db, "bangrak_households.xlsx") == {
        3: "personal_id",
        4: "personal_id",
        5: "personal_id",
        8: "non_numeric_count",
    }
    households = dict(
        rows(survey_db, "SELECT household_code, community_name FROM household ORDER BY 1")
    )
    assert set(households) == {"1004-001-0001", "1004-001-0005", INVALID_ID}
    assert households["1004-001-0005"] == "ชุมชนซอยพิพัฒน์"
    for file in reports:
        assert file["status"] == "failed" or file["rows_read"] == (
            int(str(file["rows_loaded"])) + int(str(file["rows_rejected"]))
        )

    # `citywide check` on the same files
    runner = CliRunner()
    for path in sorted(folder.iterdir()):
        result = runner.invoke(app, ["--duckdb-path", str(survey_db), "check", str(path)])
        assert result.exception is None or isinstance(result.exception, SystemExit), path
        clean = path.name in ("long_line.csv", "long_head.csv")  # nothing rejected there
        assert result.exit_code == (0 if clean else 1), (path, result.output)
        for secret in SECRETS:
            assert secret not in result.output, (path, secret)

    # the run report, in HTML and markdown, built from the same reports
    run = report.run_report(
        run_name="privacy",
        started_at=dt.datetime(2026, 11, 21, 6, 0, tzinfo=dt.UTC),
        finished_at=dt.datetime(2026, 11, 21, 6, 1, tzinfo=dt.UTC),
        plan=Plan(False, (), (), True, True, {}, ()),
        before=PublishedState(),
        ingested=tables,
        geography=None,
        need_after={},
        khet_names={},
        maps=[],
    )
    rendered = report.html(run) + report.markdown(run) + str(report.file_table(run))
    assert "long_line.csv" in rendered
    for secret in SECRETS:
        assert secret not in rendered, secret
