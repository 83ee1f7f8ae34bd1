"""Household enumerations end to end on Bangkok's real geography."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citywide import db
from citywide.cli import app
from citywide.ingest.load import check_file
from tests.ingest import household_returns as returns
from tests.ingest.district_returns import _write_csv
from tests.ingest.test_load import ingest_all, rows
from tests.ingest.traces import assert_nowhere

pytestmark = pytest.mark.real_data
TODAY = dt.date(2026, 11, 21)
HISTORY_TABLES = ["source_file", "household", "household_history", "rejected_row", "row_warning"]


@pytest.fixture
def household_returns(tmp_path: Path) -> Path:
    return returns.write_household_returns(tmp_path)


def test_household_returns_are_loaded_rejected_or_warned(
    survey_db: Path, household_returns: Path
) -> None:
    reports = ingest_all(survey_db, household_returns)
    assert {(r["file"], r["record_kind"], r["status"]) for r in reports} == {
        ("a_communities.csv", "community", "loaded"),
        ("bangrak_households.xlsx", "household", "loaded"),
        ("dusit_households.csv", "household", "loaded"),
    }
    for report in reports:  # every row read is loaded or rejected
        assert report["rows_read"] == int(str(report["rows_loaded"])) + int(
            str(report["rows_rejected"])
        )
    assert rows(survey_db, "SELECT file_name, record_kind FROM source_file ORDER BY 1") == [
        ("a_communities.csv", "community"),
        ("bangrak_households.xlsx", "household"),
        ("dusit_households.csv", "household"),
    ]
    rejected = rows(
        survey_db,
        "SELECT f.file_name, r.source_row, r.reason FROM rejected_row r JOIN source_file f USING (source_file_id)",
    )
    assert {(name, row): reason for name, row, reason in rejected} == returns.EXPECTED_REJECTIONS
    warnings = rows(
        survey_db,
        "SELECT f.file_name, w.source_row, w.code, w.field FROM row_warning w JOIN source_file f USING (source_file_id)",
    )
    assert set(warnings) == returns.EXPECTED_WARNINGS
    ((th, en),) = rows(
        survey_db, "SELECT message_th, message_en FROM row_warning WHERE code = 'unknown_community'"
    )
    assert "099" in th
    assert "1004 บางรัก" in th
    assert en.startswith('community "099" matches no community of khet 1004 Bang Rak')
    (members,) = rows(
        survey_db, "SELECT message_en FROM rejected_row WHERE reason = 'negative_count'"
    )
    assert members == ("household members is negative (-2); expected a whole number from 0",)
    assert rows(survey_db, "SELECT count(*) FROM community") == [(2,)]  # households stay apart


def test_household_values_are_normalised(survey_db: Path, household_returns: Path) -> None:
    ingest_all(survey_db, household_returns)
    columns = (
        "household_key, khet_code, khwaeng_code, community_key, members, monthly_income, tenure, "
        "housing_condition, wants_baan_mankong, years_in_community, survey_date"
    )
    found = {
        row[0]: row[1:]
        for row in rows(survey_db, f"SELECT {columns} FROM household ORDER BY household_key")
    }
    day = dt.date(2024, 12, 15)
    assert found == {
        "1002:D-01": (
            "1002",
            None,
            "1002:name:วัดโสมนัส",
            5,
            9500.0,
            "rent_contract",
            "good",
            True,
            30,
            day,
        ),
        "1002:D-02": ("1002", None, "1002:name:วัดโสมนัส", 4, 15000.0, "own", "fair", False, 10, day),
        "1002:D-04": (
            "1002",
            None,
            "1002:name:วัดโสมนัส",
            2,
            7000.5,
            "squatter",
            "poor",
            True,
            150,
            day,
        ),
        # Thai digits and separators; the name "ชุมชน ซอยพิพัฒน์" found as community 001
        "1004:H001": ("1004", "100402", "1004:001", 4, 12500.0, "squatter", "poor", True, 20, day),
        "1004:H002": (
            "1004",
            None,
            "1004:001",
            3,
            8500.0,
            "rent_no_contract",
            "fair",
            False,
            5,
            day,
        ),
        "1004:H003": ("1004", "100403", "1004:002", 45, 2_500_000.0, "own", "good", True, 12, day),
        "1004:H004": ("1004", "100402", "1004:099", 2, 6000.0, None, "good", False, 3, day),
    }


def test_no_personal_data_of_households_anywhere(survey_db: Path, household_returns: Path) -> None:
    ingest_all(survey_db, household_returns)
    assert_nowhere(survey_db, returns.PERSONAL_VALUES)
    dropped = dict(rows(survey_db, "SELECT file_name, dropped_columns FROM source_file"))
    assert dropped["bangrak_households.xlsx"] == [
        "ชื่อหัวหน้าครัวเรือน",
        "เลขบัตรประชาชน",
        "เบอร์โทรศัพท์",
        "บ้านเลขที่",
    ]
    # a household's address and location are personal too
    assert dropped["dusit_households.csv"] == ["ชื่อ-นามสกุล", "ที่อยู่", "โทรศัพท์", "ละติจูด", "ลองจิจูด"]


def test_later_survey_supersedes_within_the_round_and_reingest_changes_nothing(
    survey_db: Path, household_returns: Path, tmp_path: Path
) -> None:
    ingest_all(survey_db, household_returns)
    later = tmp_path / "later"
    later.mkdir()
    header = ["เขต", "รหัสชุมชน", "รหัสครัวเรือน", "จำนวนสมาชิก", "วันที่สำรวจ"]
    _write_csv(
        later / "resurvey.csv",
        [
            header,
            ["บางรัก", "001", "H001", "6", "20/01/2568"],  # newer: wins
            ["บางรัก", "001", "H002", "9", "01/01/2566"],  # older: goes to history
            ["บางรัก", "001", "H009", "2", "20/01/2568"],  # new household
            ["บางรัก", "001", "H009", "3", "20/01/2568"],  # same date, later row: wins
        ],
        "utf-8",
    )
    reports = ingest_all(survey_db, later)
    assert [(r["rows_loaded"], r["rows_superseded"]) for r in reports] == [(4, 2)]
    members = dict(rows(survey_db, "SELECT household_key, members FROM household"))
    assert (members["1004:H001"], members["1004:H002"], members["1004:H009"]) == (6, 3, 3)
    history = rows(
        survey_db,
        "SELECT household_key, members, superseded_by_row FROM household_history ORDER BY ALL",
    )
    assert history == [("1004:H001", 4, 2), ("1004:H002", 9, 5), ("1004:H009", 2, 5)]
    assert rows(survey_db, "SELECT count(*) - count(DISTINCT household_key) FROM household") == [
        (0,)
    ]
    by_file = dict(rows(survey_db, "SELECT file_name, rows_superseded FROM source_file"))
    assert by_file["bangrak_households.xlsx"] == 1  # its H001

    def snapshot() -> dict[str, object]:
        return {t: rows(survey_db, f"SELECT * FROM {t} ORDER BY ALL") for t in HISTORY_TABLES}

    before = snapshot()
    again = ingest_all(survey_db, household_returns) + ingest_all(survey_db, later)
    assert {r["status"] for r in again} == {"already ingested"}
    assert snapshot() == before


def test_a_fresh_round_of_households_matches_the_full_merge(
    survey_db: Path, household_returns: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from citywide.ingest import households

    ingest_all(survey_db, household_returns, "straight")
    with db.connect(survey_db) as connection:
        connection.execute("DELETE FROM source_file")
    monkeypatch.setattr(households, "goes_straight_in", lambda *_, **__: False)
    ingest_all(survey_db, household_returns, "merged")
    columns = "* EXCLUDE (survey_round, source_file_id)"
    straight, merged = (
        rows(survey_db, f"SELECT {columns} FROM household WHERE survey_round = ? ORDER BY ALL", [r])
        for r in ("straight", "merged")
    )
    assert straight == merged
    assert len(straight) == 7


def test_check_on_a_household_return(survey_db: Path, household_returns: Path) -> None:
    path = household_returns / "bangrak_households.xlsx"
    with db.connect(survey_db, read_only=True) as connection:
        (report,) = check_file(connection, path, TODAY)
    # the summary row is a notice, not a rejection
    assert (report.record_kind, report.rows_read, report.rows_rejected) == ("household", 9, 4)
    assert report.summary_rows == 1
    assert report.accounted
    problems = report.problems
    assert problems is not None
    rejected = problems[problems["outcome"] == "rejected"]
    assert rejected["code"].tolist() == [
        "missing_household",
        "negative_count",
        "non_numeric_amount",
        "unknown_khet",
    ]
    notices = problems[problems["outcome"] == "notice"]
    assert notices["source_row"].tolist()[:1] == [12]
    assert notices["code"].tolist()[:1] == ["summary_row"]
    assert "ไม่มีรหัสครัวเรือน" in rejected["message_th"].iloc[0]
    assert rows(survey_db, "SELECT count(*) FROM source_file") == [(0,)]
    result = CliRunner().invoke(app, ["--duckdb-path", str(survey_db), "check", str(path)])
    assert result.exit_code == 1
    assert "row 8" in result.output
    assert "no household code" in result.output
