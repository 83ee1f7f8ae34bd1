"""Every insert names its columns: a database whose tables hold their columns in another order
(as an ALTER or a migration leaves them) still gets every value in its own column."""

from __future__ import annotations

from pathlib import Path

from citywide import db
from citywide.ingest.kinds import RECORD_KINDS
from citywide.schema import REJECTED_ROW, ROW_WARNING, SOURCE_FILE, TableSpec
from tests.ingest.test_rules_tiny import ROUND, ingest, rows, write_csv

_TABLES = [
    SOURCE_FILE,
    REJECTED_ROW,
    ROW_WARNING,
    *(spec.table for spec in RECORD_KINDS.values()),
    *(spec.history for spec in RECORD_KINDS.values()),
]


def _reverse_columns(database: Path, spec: TableSpec) -> None:
    columns = ", ".join(reversed(spec.column_names))
    with db.connect(database) as connection:
        connection.execute(f"CREATE TABLE reordered AS SELECT {columns} FROM {spec.name}")
        connection.execute(f"DROP TABLE {spec.name}")
        connection.execute(f"ALTER TABLE reordered RENAME TO {spec.name}")


def test_inserts_do_not_depend_on_the_order_of_columns(
    tiny_survey_db: Path, tmp_path: Path
) -> None:
    for spec in _TABLES:
        _reverse_columns(tiny_survey_db, spec)
    communities = write_csv(
        tmp_path / "communities.csv",
        [
            ["เขต", "รหัสชุมชน", "ชื่อชุมชน", "ครัวเรือน", "ประชากร", "วันที่สำรวจ"],
            ["ดุสิต", "11", "ชุมชนหนึ่ง", "12", "40", "2568-01-05"],
            ["ดุสิต", "12", "ชุมชนสอง", "-5", "10", "2568-01-05"],
        ],
    )
    again = write_csv(  # the same community later: one record, the first to history
        tmp_path / "again.csv",
        [
            ["เขต", "รหัสชุมชน", "ชื่อชุมชน", "ครัวเรือน", "ประชากร", "วันที่สำรวจ"],
            ["ดุสิต", "11", "ชุมชนหนึ่ง", "15", "41", "2568-02-05"],
        ],
    )
    households = write_csv(
        tmp_path / "households.csv",
        [
            ["เขต", "ชื่อชุมชน", "รหัสครัวเรือน", "จำนวนสมาชิก"],
            ["ดุสิต", "ชุมชนหนึ่ง", "H1", "4"],
            ["ดุสิต", "ชุมชนหนึ่ง", "H1", "5"],
        ],
    )
    ingest(tiny_survey_db, communities, again, households)
    assert rows(
        tiny_survey_db,
        "SELECT file_name, survey_round, status, record_kind, rows_read, rows_loaded, "
        "rows_rejected, rows_superseded FROM source_file ORDER BY source_file_id",
    ) == [
        ("communities.csv", ROUND, "loaded", "community", 2, 1, 1, 1),
        ("again.csv", ROUND, "loaded", "community", 1, 1, 0, 0),
        ("households.csv", ROUND, "loaded", "household", 2, 2, 0, 1),
    ]
    assert rows(tiny_survey_db, "SELECT source_row, reason, field, value FROM rejected_row") == [
        (3, "negative_count", "households", "-5")
    ]
    assert rows(
        tiny_survey_db,
        "SELECT survey_round, community_code, community_name, households, population "
        "FROM community",
    ) == [(ROUND, "11", "ชุมชนหนึ่ง", 15, 41)]
    assert rows(
        tiny_survey_db,
        "SELECT households, superseded_by_file, superseded_by_row FROM community_history",
    ) == [(12, 2, 2)]
    assert rows(tiny_survey_db, "SELECT household_code, members, community_key FROM household") == [
        ("H1", 5, "1002:11")
    ]
    assert rows(tiny_survey_db, "SELECT members FROM household_history") == [(4,)]
