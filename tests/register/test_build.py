"""The linking step through real ingestion on the tiny geography: a registry, two district
rounds arriving khet by khet, a khet returning twice, renamed and moved communities without
their codes, two candidates of equal fit, a decision, a community not found and found again."""

from __future__ import annotations

import csv
import datetime as dt
import math
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from citywide import db, indicators
from citywide.ingest.load import ensure_tables, ingest_file
from citywide.register.build import RegisterBuilt, build_register
from citywide.register.decisions import no_decisions
from citywide.register.link import LinkRules, community_id
from citywide.rounds import REGISTRY_ROUND
from citywide.schema_register import REGISTER_TABLES

TODAY = dt.date(2026, 11, 21)
RULES = LinkRules()
HEADER = ["khet", "community_code", "community_name", "community_type", "households",
          "population", "lat", "lon", "survey_date"]  # fmt: skip
# 1001 Phra Nakhon: squares from lon 100.50 (tests/ingest/tiny_geography.py); 0.001 deg ~ 110 m
REGISTRY = [
    ["1001", "100101001", "ชุมชนวัดใหม่", "slum", "100", "400", "13.710", "100.505", ""],
    ["1001", "100101002", "ชุมชนซอย 5", "slum", "50", "200", "", "", ""],
    ["1001", "100101003", "ชุมชนริมคลอง", "urban", "80", "300", "", "", ""],
    ["1001", "100101004", "ชุมชนตลาดเก่า", "slum", "60", "250", "13.715", "100.515", ""],
    ["1001", "100101005", "ชุมชนบ้านริมทาง", "slum", "40", "150", "", "", ""],
    ["1002", "100201001", "ชุมชนบ้านสวน", "slum", "90", "350", "", "", ""],
    ["1002", "100201002", "ชุมชนท่าน้ำ", "urban", "70", "280", "", "", ""],
    ["1002", "100201003", "ชุมชนสามัคคีร่วมใจ ก", "slum", "30", "120", "", "", ""],
    ["1002", "100201004", "ชุมชนสามัคคีร่วมใจ ข", "slum", "35", "130", "", "", ""],
    ["1003", "100301001", "ชุมชนคลองสาม", "suburban", "55", "210", "", "", ""],
]
ROUND_1 = {
    "a_1001.csv": [
        ["1001", "", "วัดใหม่", "slum", "110", "420", "13.711", "100.505", "1/6/2568"],
        ["1001", "", "ชุมชน ซ.๕", "slum", "55", "210", "", "", "1/6/2568"],
        ["1001", "100101003", "ริมคลอง", "urban", "82", "310", "", "", "1/6/2568"],
        ["1001", "", "ตลาดเกา", "slum", "58", "240", "13.7155", "100.515", "1/6/2568"],
    ],
    "b_1002.csv": [
        ["1002", "", "บ้านสวน", "slum", "100", "380", "", "", "2/6/2568"],
        ["1002", "", "สามัคคีร่วมใจ", "slum", "33", "125", "", "", "2/6/2568"],
    ],
    "c_1002_again.csv": [["1002", "", "ชุมชนบ้านสวน", "slum", "120", "400", "", "", "5/6/2568"]],
    "d_1004.csv": [["1004", "", "ชุมชนใหม่ริมทาง", "slum", "25", "90", "", "", "3/6/2568"]],
}
ROUND_2 = {
    "e_1001.csv": [
        ["1001", "", "ชุมชนวัดใหม่", "slum", "105", "410", "", "", "1/6/2569"],
        ["1001", "", "ซอย 5", "slum", "52", "205", "", "", "1/6/2569"],
        ["1001", "100101003", "ชุมชนริมคลอง", "urban", "85", "320", "", "", "1/6/2569"],
        ["1001", "", "ตลาดเก่า", "slum", "57", "235", "", "", "1/6/2569"],
        ["1001", "", "บ้านริมทาง", "slum", "38", "140", "", "", "1/6/2569"],
    ],
    "f_1004.csv": [["1004", "", "ใหม่ริมทาง", "slum", "27", "95", "", "", "2/6/2569"]],
}
HOUSEHOLDS = [
    ["khet", "community_name", "household_code", "members"],
    ["1002", "บ้านสวน", "H1", "4"],
    ["1002", "ท่าน้ำ", "H2", "3"],
]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


@pytest.fixture(scope="module")
def ingested_db(tiny_geography_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The registry and two district rounds ingested, nothing linked yet (once)."""
    folder = tmp_path_factory.mktemp("rounds")
    path = folder / "citywide.duckdb"
    shutil.copyfile(tiny_geography_db, path)
    with db.connect(path) as connection:
        ensure_tables(connection)
        ingest_file(connection, write_csv(folder / "registry.csv", REGISTRY), REGISTRY_ROUND, TODAY)
        for survey_round, files in (("2568", ROUND_1), ("2569", ROUND_2)):
            for name, rows in files.items():
                ingest_file(connection, write_csv(folder / name, rows), survey_round, TODAY)
            if survey_round == "2568":
                households = write_csv(folder / "households.csv", HOUSEHOLDS[1:], HOUSEHOLDS[0])
                ingest_file(connection, households, survey_round, TODAY)
    return path


@pytest.fixture
def rounds_db(ingested_db: Path, tmp_path: Path) -> Path:
    """A copy of the ingested rounds for one test."""
    path = tmp_path / "citywide.duckdb"
    shutil.copyfile(ingested_db, path)
    return path


def build(database: Path, decisions: pd.DataFrame | None = None) -> RegisterBuilt:
    with db.connect(database) as connection:
        return build_register(connection, RULES, no_decisions() if decisions is None else decisions)


def rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with db.connect(database, read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_coverage_statuses_round_by_round(rounds_db: Path) -> None:
    build(rounds_db)
    assert rows(
        rounds_db,
        "SELECT survey_round, khet_code, status, files, communities_surveyed, "
        "communities_expected, expected_surveyed, communities_new, communities_not_found "
        "FROM khet_coverage ORDER BY survey_round <> 'bma_registry', survey_round, khet_code",
    ) == [
        ("bma_registry", "1001", "complete", 1, 5, 0, 0, 5, 0),
        ("bma_registry", "1002", "complete", 1, 4, 0, 0, 4, 0),
        ("bma_registry", "1003", "complete", 1, 1, 0, 0, 1, 0),
        ("bma_registry", "1004", "not_returned", 0, 0, 0, 0, 0, 0),
        ("2568", "1001", "complete", 1, 4, 5, 4, 0, 1),  # 4 of 5: บ้านริมทาง not found
        ("2568", "1002", "partial", 3, 3, 4, 2, 1, 0),  # returned twice, and households
        ("2568", "1003", "not_returned", 0, 0, 1, 0, 0, 0),
        ("2568", "1004", "complete", 1, 1, 0, 0, 1, 0),  # nothing expected: a new community
        ("2569", "1001", "complete", 1, 5, 4, 4, 0, 0),  # บ้านริมทาง is back
        ("2569", "1002", "not_returned", 0, 0, 5, 0, 0, 0),  # and the one in review
        ("2569", "1003", "not_returned", 0, 0, 1, 0, 0, 0),
        ("2569", "1004", "complete", 1, 1, 1, 1, 0, 0),
    ]
    assert rows(
        rounds_db,
        "SELECT survey_round, round_order, name_en, files, khets_returned, khets_complete "
        "FROM survey_round ORDER BY round_order",
    ) == [
        ("bma_registry", 1, "BMA community registry", 1, 3, 3),
        ("2568", 2, "survey round 2568", 5, 3, 2),
        ("2569", 3, "survey round 2569", 2, 2, 2),
    ]


def test_records_are_linked_by_code_name_fuzzy_or_new(rounds_db: Path) -> None:
    built = build(rounds_db)
    linked = {
        (name, r): (cid, method)
        for name, r, cid, method in rows(
            rounds_db,
            "SELECT community_name, survey_round, community_id, link_method FROM community",
        )
    }
    assert linked["วัดใหม่", "2568"] == ("BMA-100101001", "name")  # no code, moved 110 m
    assert linked["ชุมชน ซ.๕", "2568"] == ("BMA-100101002", "name")
    assert linked["ริมคลอง", "2568"] == ("BMA-100101003", "code")
    assert linked["ตลาดเกา", "2568"] == ("BMA-100101004", "fuzzy")
    assert linked["ชุมชนบ้านสวน", "2568"] == ("BMA-100201001", "name")
    new_one = community_id("2568", "1004:name:ใหม่ริมทาง", "1004")
    assert linked["ชุมชนใหม่ริมทาง", "2568"] == (new_one, "new")
    assert linked["ใหม่ริมทาง", "2569"] == (new_one, "name")
    ambiguous = community_id("2568", "1002:name:สามัคคีร่วมใจ", "1002")
    assert linked["สามัคคีร่วมใจ", "2568"] == (ambiguous, "new")
    assert rows(
        rounds_db,
        "SELECT candidate_rank, candidate_id, reason FROM link_review ORDER BY candidate_rank",
    ) == [(1, "BMA-100201003", "close_fit"), (2, "BMA-100201004", "close_fit")]
    assert built.pending_review == 1
    # every record carries its link: history too, and households through their community
    assert rows(
        rounds_db,
        "SELECT community_name, households, community_id, link_method FROM community_history",
    ) == [("บ้านสวน", 100, "BMA-100201001", "name")]
    assert rows(
        rounds_db, "SELECT household_code, community_id, link_method FROM household ORDER BY 1"
    ) == [("H1", "BMA-100201001", "name"), ("H2", "BMA-100201002", "name")]
    assert rows(
        rounds_db,
        "SELECT count(*) FROM (SELECT community_id FROM community UNION ALL "
        "SELECT community_id FROM community_history) WHERE community_id IS NULL",
    ) == [(0,)]


def test_the_register_and_change_over_time(rounds_db: Path) -> None:
    build(rounds_db)
    register = {
        row[0]: row[1:]
        for row in rows(
            rounds_db,
            "SELECT community_id, first_round, last_round, rounds_seen, status, not_found_round "
            "FROM community_register",
        )
    }
    assert len(register) == 10 + 2  # the registry, the new community and the one in review
    assert register["BMA-100101005"] == ("bma_registry", "2569", 2, "active", "2568")
    assert register["BMA-100301001"] == ("bma_registry", "bma_registry", 1, "active", None)
    new_one = community_id("2568", "1004:name:ใหม่ริมทาง", "1004")
    assert register[new_one] == ("2568", "2569", 2, "active", None)
    change = {
        (row[0], row[1]): row[2:]
        for row in rows(
            rounds_db,
            "SELECT community_id, to_round, from_round, event, households_from, households_to, "
            "households_change FROM community_change",
        )
    }
    assert change["BMA-100201001", "2568"] == ("bma_registry", "seen", 90, 120, 30)
    assert change["BMA-100101005", "2568"] == ("bma_registry", "not_found", 40, None, None)
    assert change["BMA-100101005", "2569"] == ("bma_registry", "seen", 40, 38, -2)
    assert change["BMA-100101001", "2569"] == ("2568", "seen", 110, 105, -5)
    assert change[new_one, "2568"] == (None, "appeared", None, 25, None)
    assert ("BMA-100301001", "2568") not in change  # 1003 not returned: no change recorded


def test_a_decision_links_manually_and_a_second_build_changes_nothing(rounds_db: Path) -> None:
    decisions = pd.DataFrame(
        {
            "survey_round": ["2568", "2568", "2571"],
            "community_key": ["1002:name:สามัคคีร่วมใจ", "1002:name:ไม่มี", "1001:name:x"],
            "decision": ["BMA-100201003", "new", "new"],
            "file_name": ["decided.csv"] * 3,
            "sha256": ["ab" * 32] * 3,
            "sheet": [None] * 3,
            "source_row": [2, 3, 4],
        }
    )
    built = build(rounds_db, decisions)
    assert built.pending_review == 0
    assert (built.decisions_applied, built.decisions_not_applied) == (1, 2)
    assert rows(
        rounds_db,
        "SELECT community_id, link_method FROM community WHERE community_name = 'สามัคคีร่วมใจ'",
    ) == [("BMA-100201003", "manual")]
    assert rows(
        rounds_db,
        "SELECT survey_round, community_key, applied, message, file_name, source_row "
        "FROM link_decision ORDER BY source_row",
    ) == [
        ("2568", "1002:name:สามัคคีร่วมใจ", True, None, "decided.csv", 2),
        ("2568", "1002:name:ไม่มี", False, "no record with this community_key in the round",
         "decided.csv", 3),
        ("2571", "1001:name:x", False, "no such survey round in the database", "decided.csv", 4),
    ]  # fmt: skip
    snapshot = {
        spec.name: rows(rounds_db, f"SELECT * FROM {spec.name} ORDER BY ALL")
        for spec in REGISTER_TABLES
    }
    build(rounds_db, decisions)
    again = {
        spec.name: rows(rounds_db, f"SELECT * FROM {spec.name} ORDER BY ALL")
        for spec in REGISTER_TABLES
    }
    assert again == snapshot


def test_a_khet_not_returned_is_null_in_the_indicators(rounds_db: Path) -> None:
    build(rounds_db)
    with db.connect(rounds_db, read_only=True) as connection:
        counts = indicators.khet_counts(connection)
        per_khwaeng = indicators.level_counts(connection, indicators.KHWAENG_LEVEL)
    # a khwaeng is surveyed when its khet is: both khwaeng of 1003 are not surveyed either
    khwaeng_2568 = per_khwaeng[per_khwaeng["survey_round"] == "2568"].set_index("khwaeng_code")
    assert khwaeng_2568.loc[["100301", "100302"], "coverage_status"].eq("not_returned").all()
    assert khwaeng_2568.loc[["100301", "100302"], "communities"].isna().all()
    assert khwaeng_2568.loc[["100101", "100102"], "coverage_status"].ne("not_returned").all()
    not_surveyed = counts[(counts["survey_round"] == "2568") & (counts["khet_code"] == "1003")]
    assert not_surveyed["coverage_status"].tolist() == ["not_returned"]
    assert not_surveyed["communities"].isna().all()
    surveyed = counts[(counts["survey_round"] == "2568") & (counts["khet_code"] == "1001")]
    assert surveyed["communities"].tolist() == [4]
    assert not math.isnan(float(surveyed["slum_households"].iloc[0]))
