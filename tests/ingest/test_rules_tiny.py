"""Row rules and merges on the tiny synthetic geography: no ../shared needed, seconds to run.

One file for the ingestion's rules and merges as seen through the public entry points
(ingest_file / check_file): they are one pipeline, and the tiny geography is its only fixture.
The real-data tests (test_rules.py, test_load.py, ...) stay and run in CI.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from citywide import db
from citywide.ingest.load import check_file, ingest_file
from tests.ingest.tiny_geography import point_in

TODAY = dt.date(2026, 11, 21)
ROUND = "2568-1"


def write_csv(path: Path, lines: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(lines)
    return path


def ingest(database: Path, *files: Path) -> None:
    with db.connect(database) as connection:
        for file in files:
            ingest_file(connection, file, ROUND, TODAY)


def rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with db.connect(database, read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_counts_are_read_or_rejected(tiny_survey_db: Path, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "counts.csv",
        [
            ["เขต", "ชื่อชุมชน", "ครัวเรือน", "ประชากร"],
            ["ดุสิต", "ชุมชนหนึ่ง", "1,200", "๓๔๕๖"],
            ["ดุสิต", "ชุมชนสอง", "-", ""],
            ["ดุสิต", "ชุมชนสาม", "-5", "10"],
            ["ดุสิต", "ชุมชนสี่", "12.5", "10"],
            ["ดุสิต", "ชุมชนห้า", "abc", "10"],
            ["รวม", "", "1200", "3456"],
            ["", "", "", ""],
        ],
    )
    ingest(tiny_survey_db, path)
    assert rows(
        tiny_survey_db,
        "SELECT khet_code, community_name, households, population FROM community ORDER BY 2",
    ) == [("1002", "ชุมชนสอง", None, None), ("1002", "ชุมชนหนึ่ง", 1200, 3456)]
    assert rows(
        tiny_survey_db,
        "SELECT source_row, reason, field, value, message_th, message_en FROM rejected_row"
        " ORDER BY 1",
    ) == [
        (
            4,
            "negative_count",
            "households",
            "-5",
            "จำนวนครัวเรือน ติดลบ (-5) ต้องเป็นจำนวนเต็มตั้งแต่ 0",
            "households is negative (-5); expected a whole number from 0",
        ),
        (
            5,
            "non_integer_count",
            "households",
            "12.5",
            "จำนวนครัวเรือน ต้องเป็นจำนวนเต็ม ไม่ใช่ 12.5",
            "households must be a whole number, found 12.5",
        ),
        (
            6,
            "non_numeric_count",
            "households",
            "abc",
            'จำนวนครัวเรือน "abc" ไม่ใช่ตัวเลข ต้องเป็นจำนวนเต็มตั้งแต่ 0',
            'households "abc" is not a number; expected a whole number from 0',
        ),
        (
            7,
            "summary_row",
            None,
            "รวม",
            "แถวผลรวม ไม่ใช่ชุมชน",
            "a summary (total) row, not a community",
        ),
    ]  # the blank row 8 is skipped, neither loaded nor rejected
    assert rows(tiny_survey_db, "SELECT count(*) FROM row_warning") == [(0,)]


def test_khet_from_the_point(tiny_survey_db: Path, tmp_path: Path) -> None:
    lat, lon = point_in("1002", 1)
    lat4, lon4 = point_in("1004", 0)
    path = write_csv(
        tmp_path / "points.csv",
        [
            ["เขต", "แขวง", "ชื่อชุมชน", "ครัวเรือน", "ละติจูด", "ลองจิจูด"],
            ["ดุสิต", "วชิรพยาบาล", "ชุมชนตรง", "10", str(lat), str(lon)],
            ["ดุสิต", "", "ชุมชนผิดเขต", "10", str(lat4), str(lon4)],
            ["", "", "ชุมชนไม่มีเขต", "10", str(lat), str(lon)],
            ["ดุสิต", "", "ชุมชนสลับ", "10", str(lon), str(lat)],
            ["ดุสิต", "", "ชุมชนนอก", "10", "15.0", "101.5"],
            ["ดุสิต", "", "ชุมชนอ่านไม่ได้", "10", "abc", "xyz"],
            ["ดุสิต", "สีลม", "ชุมชนแขวงอื่น", "10", "", ""],
            ["ดุสิต", "ไม่มีแขวงนี้", "ชุมชนแขวงไม่รู้", "10", "", ""],
        ],
    )
    ingest(tiny_survey_db, path)
    assert rows(
        tiny_survey_db, "SELECT community_name, khet_code, khwaeng_code FROM community ORDER BY 1"
    ) == [
        ("ชุมชนตรง", "1002", "100202"),
        ("ชุมชนนอก", "1002", None),
        ("ชุมชนผิดเขต", "1002", None),
        ("ชุมชนสลับ", "1002", None),
        ("ชุมชนอ่านไม่ได้", "1002", None),
        ("ชุมชนแขวงอื่น", "1002", None),
        ("ชุมชนแขวงไม่รู้", "1002", None),
        ("ชุมชนไม่มีเขต", "1002", None),
    ]
    assert rows(tiny_survey_db, "SELECT count(*) FROM rejected_row") == [(0,)]
    assert rows(
        tiny_survey_db,
        "SELECT source_row, code, field, value, message_en FROM row_warning ORDER BY 1",
    ) == [
        (
            3,
            "khet_mismatch",
            "khet",
            "ดุสิต",
            "the point lies in khet 1004 Bang Rak, not in the khet written (ดุสิต);"
            " kept the khet written",
        ),
        (
            4,
            "khet_from_location",
            "khet",
            "13.71, 100.535",
            "khet 1002 Dusit taken from the coordinates (13.71, 100.535)",
        ),
        (
            5,
            "coordinates_swapped",
            "coordinates",
            "100.535, 13.71",
            "latitude and longitude were swapped (100.535, 13.71); repaired",
        ),
        (
            6,
            "coordinates_outside_bangkok",
            "coordinates",
            "15.0, 101.5",
            "coordinates 15.0, 101.5 fall outside Bangkok; not used",
        ),
        (
            7,
            "coordinates_unreadable",
            "coordinates",
            "abc, xyz",
            'cannot read the coordinates "abc, xyz"; not used',
        ),
        (
            8,
            "unknown_khwaeng",
            "khwaeng",
            "สีลม",
            'unknown khwaeng "สีลม", closest: 100402 สีลม (Si Lom); khwaeng left empty',
        ),
        (
            9,
            "unknown_khwaeng",
            "khwaeng",
            "ไม่มีแขวงนี้",
            'unknown khwaeng "ไม่มีแขวงนี้", closest: -; khwaeng left empty',
        ),
    ]


def test_names_codes_enums_dates_privacy_and_duplicates(
    tiny_survey_db: Path, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "misc.csv",
        [
            [
                "_uuid",
                "เขต",
                "ชื่อชุมชน",
                "รหัสชุมชน",
                "ประเภทชุมชน",
                "วันที่สำรวจ",
                "ครัวเรือน",
                "ประชากร",
                "ชาย",
                "หญิง",
            ],
            ["u1", "ดุสิต", "ชุมชนก", "C1", "ชุมชนแออัด", "15/12/2567", "10", "30", "10", "20"],
            ["u1", "ดุสิต", "ชุมชนข", "C2", "", "", "10", "", "", ""],
            ["u3", "ดุสิต", "", "", "", "", "10", "", "", ""],
            ["u4", "ดุสิต", "ชุมชนค", "C4", "ไม่รู้จัก", "32/13/2567", "10", "30", "10", "10"],
            ["u5", "ดุสิต", "ชุมชนง 0812345678", "C5", "", "2024-01-05", "10", "", "", ""],
            ["u6", "ดุสิต", "ชุมชนจ", "0812345678", "", "", "10", "", "", ""],
            ["u7", "ดุสิต", "ชุมชนฉ", "1101700203450", "", "", "10", "", "", ""],
        ],
    )
    ingest(tiny_survey_db, path)
    assert rows(
        tiny_survey_db,
        "SELECT community_name, community_code, community_type, survey_date, population"
        " FROM community ORDER BY 1",
    ) == [
        ("ชุมชนก", "C1", "slum", dt.date(2024, 12, 15), 30),  # Buddhist-era date
        ("ชุมชนค", "C4", None, None, 30),
        ("ชุมชนง", "C5", None, dt.date(2024, 1, 5), None),  # the phone number masked away
    ]
    assert rows(
        tiny_survey_db,
        "SELECT source_row, reason, field, value, message_en FROM rejected_row ORDER BY 1",
    ) == [
        (
            3,
            "duplicate_submission",
            "record_uuid",
            "u1",
            "duplicate submission (_uuid u1 is in an earlier row); counted once",
        ),
        (4, "missing_community", "community_name", None, "no community name or code"),
        (
            7,
            "personal_id",
            "community_code",
            None,
            "the community code is a phone number, which is personal data; row not loaded:"
            " use a code that is not an ID card or phone number",
        ),
        (
            8,
            "personal_id",
            "community_code",
            None,
            "the community code is a Thai national ID number, which is personal data; row not"
            " loaded: use a code that is not an ID card or phone number",
        ),
    ]
    assert rows(
        tiny_survey_db,
        "SELECT source_row, code, field, value, message_en FROM row_warning ORDER BY 1, 2",
    ) == [
        (
            5,
            "population_mismatch",
            "population",
            "30",
            "male + female = 20, not the population 30",
        ),
        (
            5,
            "unknown_value",
            "community_type",
            "ไม่รู้จัก",
            'community type: unknown value "ไม่รู้จัก" (expected one of: high_rise,'
            " housing_estate, nha_housing, slum, suburban, urban); left empty",
        ),
        (
            5,
            "unreadable_date",
            "survey_date",
            "32/13/2567",
            'cannot read the survey date "32/13/2567" (e.g. 15/12/2567 or 2024-12-15); left empty',
        ),
        (
            6,
            "personal_data_masked",
            "community_name",
            None,
            "the community name held a phone number, which is personal data; removed it:"
            " keep personal data out of this column",
        ),
    ]
    # no personal number is stored anywhere
    assert rows(
        tiny_survey_db,
        "SELECT count(*) FROM rejected_row WHERE row_values LIKE '%0812345678%'"
        " OR row_values LIKE '%1101700203450%'",
    ) == [(0,)]


def test_one_record_per_community_per_round(tiny_survey_db: Path, tmp_path: Path) -> None:
    header = ["เขต", "ชื่อชุมชน", "รหัสชุมชน", "ครัวเรือน", "วันที่สำรวจ"]
    first = write_csv(
        tmp_path / "a_first.csv",
        [
            header,
            ["ดุสิต", "ชุมชนก", "C1", "100", "01/12/2567"],
            ["ดุสิต", "ชุมชนข", "", "200", "01/12/2567"],
            ["ดุสิต", "ชุมชนค", "C3", "300", "01/12/2567"],
        ],
    )
    second = write_csv(
        tmp_path / "b_second.csv",
        [
            header,
            ["ดุสิต", "ชุมชนก", "", "110", "02/12/2567"],
            ["ดุสิต", "ชุมชนข", "", "150", "01/11/2567"],
            ["ดุสิต", "ชุมชนค", "C3", "310", "01/12/2567"],
            ["ดุสิต", "ชุมชนค", "C3", "320", "01/12/2567"],
        ],
    )
    ingest(tiny_survey_db, first, second, first)
    assert rows(
        tiny_survey_db,
        "SELECT community_key, community_name, community_code, households FROM community"
        " ORDER BY 1",
    ) == [
        ("1002:C1", "ชุมชนก", None, 110),  # name-only, later date: joins the coded record
        ("1002:C3", "ชุมชนค", "C3", 320),  # same date: later file, then later row wins
        ("1002:name:ข", "ชุมชนข", None, 200),  # an older survey does not replace a newer one
    ]
    assert rows(
        tiny_survey_db,
        "SELECT community_key, community_name, households FROM community_history ORDER BY 1, 3",
    ) == [
        ("1002:C1", "ชุมชนก", 100),
        ("1002:C3", "ชุมชนค", 300),
        ("1002:C3", "ชุมชนค", 310),
        ("1002:name:ข", "ชุมชนข", 150),
    ]
    # the first file ingested again (same sha256) changes nothing
    assert rows(
        tiny_survey_db,
        "SELECT file_name, rows_read, rows_loaded, rows_rejected, rows_superseded"
        " FROM source_file ORDER BY 1",
    ) == [("a_first.csv", 3, 3, 0, 2), ("b_second.csv", 4, 4, 0, 2)]


def test_check_reports_in_thai_and_english_and_writes_nothing(
    tiny_survey_db: Path, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "check.csv",
        [["เขต", "ชื่อชุมชน", "ครัวเรือน"], ["ดุสิต", "ชุมชนก", "abc"], ["ดุสิต", "ชุมชนข", "5"]],
    )
    with db.connect(tiny_survey_db, read_only=True) as connection:
        (report,) = check_file(connection, path, TODAY)
    assert (report.rows_read, report.rows_rejected) == (2, 1)
    problems = report.problems
    assert problems is not None
    assert problems[["outcome", "code", "message_th", "message_en"]].values.tolist() == [
        [
            "rejected",
            "non_numeric_count",
            'จำนวนครัวเรือน "abc" ไม่ใช่ตัวเลข ต้องเป็นจำนวนเต็มตั้งแต่ 0',
            'households "abc" is not a number; expected a whole number from 0',
        ]
    ]
    assert rows(tiny_survey_db, "SELECT count(*) FROM source_file") == [(0,)]


def test_households_refer_to_the_rounds_communities(tiny_survey_db: Path, tmp_path: Path) -> None:
    communities = write_csv(
        tmp_path / "a_communities.csv",
        [["เขต", "รหัสชุมชน", "ชื่อชุมชน", "ครัวเรือน"], ["บางรัก", "001", "ชุมชนวัดแขก", "85"]],
    )
    header = ["เขต", "ชื่อชุมชน", "รหัสครัวเรือน", "จำนวนสมาชิกในครัวเรือน", "วันที่สำรวจ"]
    households = write_csv(
        tmp_path / "b_households.csv",
        [
            header,
            ["บางรัก", "ชุมชนวัดแขก", "H-01", "๕", "15/12/2567"],
            ["บางรัก", "ชุมชนไม่มี", "H-02", "3", "15/12/2567"],
            ["ดุสิต", "ชุมชนไม่มี", "H-03", "3", "15/12/2567"],
            ["บางรัก", "ชุมชนวัดแขก", "H-01", "6", "16/12/2567"],
        ],
    )
    ingest(tiny_survey_db, communities, households)
    assert rows(
        tiny_survey_db,
        "SELECT household_key, community_key, members, survey_date FROM household ORDER BY 1",
    ) == [
        ("1002:H-03", "1002:name:ไม่มี", 3, dt.date(2024, 12, 15)),
        ("1004:H-01", "1004:001", 6, dt.date(2024, 12, 16)),  # the later survey wins
        ("1004:H-02", "1004:name:ไม่มี", 3, dt.date(2024, 12, 15)),
    ]
    assert rows(tiny_survey_db, "SELECT household_key, members FROM household_history") == [
        ("1004:H-01", 5)
    ]
    # unknown_community only in Bang Rak, whose communities this round holds; not in Dusit
    assert rows(
        tiny_survey_db,
        "SELECT source_row, code, field, value, message_en FROM row_warning ORDER BY 1",
    ) == [
        (
            3,
            "unknown_community",
            "community_name",
            "ชุมชนไม่มี",
            'community "ชุมชนไม่มี" matches no community of khet 1004 Bang Rak in this round;'
            " household loaded, check the community code or name",
        )
    ]
    assert rows(tiny_survey_db, "SELECT count(*) FROM rejected_row") == [(0,)]
