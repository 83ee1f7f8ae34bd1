"""The UN-Habitat household deprivations (SDG 11.1.1), on the tiny synthetic geography.

Two messy household returns (tests/ingest/household_returns.py: Dusit's workbook with Thai
headers and words, Bang Rak's Kobo export with English headers, codes and blanks) are ingested;
each household's five conditions are judged by citywide.deprivations; khet_need and khwaeng_need
count them, and the published views hide what the privacy rule hides. Every expected figure below
is counted by hand from the rows in household_returns.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from citywide import db, deprivations, indicators
from citywide.ingest.columns import vocabulary
from citywide.ingest.load import ingest_file
from citywide.register.build import build_register
from citywide.register.decisions import no_decisions
from citywide.register.link import LinkRules
from tests.ingest import household_returns as returns

TODAY = dt.date(2026, 11, 21)
ROUND = "2568-1"
FIELDS = (
    "members, water_source, toilet_type, toilet_shared, rooms, floor_area, wall_material, "
    "roof_material, floor_material, tenure_document"
)
# Per household, by hand from household_returns.py: the conditions it lacks / can be judged for.
LACKS = {
    "1002:D01": set(),
    "1002:D02": {"water", "sanitation", "living_area", "tenure_document"},  # 7 in 2 rooms
    "1002:D03": {"sanitation", "durability"},  # over water; metal-sheet walls; 3 in 1 room is ok
    "1002:D04": set(),  # 5 people, no rooms written but 12 m2 = 3 rooms of 4 m2
    "1002:D05": {"living_area"},  # 2 rooms written, but 6.5 m2 holds one room of 4 m2
    "1002:D06": {"durability"},  # scrap, tarpaulin, earth; its water is 'unknown'
    "1002:D07": set(),  # 6 in 2 rooms: exactly 3 per room
    "1002:D08": {"sanitation", "living_area", "tenure_document"},
    "1002:D09": {"sanitation"},  # a public toilet; no members, so no living area
    "1002:D10": set(),
    "1004:B01": set(),
    "1004:B02": {"water", "sanitation", "living_area", "durability", "tenure_document"},
    "1004:B03": set(),
    "1004:B04": set(),
}
JUDGED = {
    "1002:D01": {"water", "sanitation", "living_area", "durability", "tenure_document"},
    "1002:D02": {"water", "sanitation", "living_area", "durability", "tenure_document"},
    "1002:D03": {"water", "sanitation", "living_area", "durability", "tenure_document"},
    "1002:D04": {"water", "sanitation", "living_area", "durability", "tenure_document"},
    "1002:D05": {"water", "sanitation", "living_area", "durability", "tenure_document"},
    "1002:D06": {"durability"},
    "1002:D07": {"living_area"},
    "1002:D08": {"water", "sanitation", "living_area", "durability", "tenure_document"},
    "1002:D09": {"water", "sanitation", "durability"},
    "1002:D10": {"water", "sanitation", "living_area", "durability", "tenure_document"},
    "1004:B01": {"water", "sanitation", "living_area", "durability", "tenure_document"},
    "1004:B02": {"water", "sanitation", "living_area", "durability", "tenure_document"},
    "1004:B03": set(),
    "1004:B04": {"water", "sanitation", "living_area", "durability", "tenure_document"},
}
# khet -> (households judged, households lacking) per deprivation, by hand from LACKS and JUDGED
DUSIT = {
    "deprived": (10, 6),
    "water": (8, 1),
    "sanitation": (8, 4),
    "living_area": (8, 3),
    "durability": (9, 2),
    "tenure_document": (7, 2),
}
BANG_RAK = {
    "deprived": (3, 1),
    "water": (3, 1),
    "sanitation": (3, 1),
    "living_area": (3, 1),
    "durability": (3, 1),
    "tenure_document": (3, 1),
}
BY_KEY = {d.key: d for d in deprivations.ALL}


def rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with db.connect(database, read_only=True) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture
def enumerated(tiny_survey_db: Path, tmp_path: Path) -> Path:
    """The tiny database with the two deprivation returns ingested into round 2568-1."""
    folder = returns.write_deprivation_returns(tmp_path)
    with db.connect(tiny_survey_db) as connection:
        for path in sorted(folder.iterdir()):
            ingest_file(connection, path, ROUND, TODAY)
    return tiny_survey_db


def test_the_lacking_and_adequate_codes_split_every_vocabulary() -> None:
    """Every code of the catalogue but 'unknown' is declared lacking or adequate, never both."""
    catalogue = vocabulary()
    assert set(deprivations.LACKING_CODES) == set(deprivations.ADEQUATE_CODES)
    for field, lacking in deprivations.LACKING_CODES.items():
        adequate = set(deprivations.ADEQUATE_CODES[field])
        assert not set(lacking) & adequate, field
        assert set(lacking) | adequate | {"unknown"} == set(catalogue.enum_codes(field)), field
    judged = {f for d in deprivations.FIVE for f in d.fields}
    assert judged == {*deprivations.LACKING_CODES, "members", "rooms", "floor_area"}


def test_messy_household_returns_read_the_deprivation_fields(enumerated: Path) -> None:
    found = {
        key: values
        for key, *values in rows(enumerated, f"SELECT household_key, {FIELDS} FROM household")
    }
    assert {k: tuple(v) for k, v in found.items()} == returns.EXPECTED_DEPRIVATION_RECORDS
    warnings = rows(
        enumerated,
        "SELECT f.file_name, w.source_row, w.code, w.field "
        "FROM row_warning w JOIN source_file f USING (source_file_id)",
    )
    assert set(warnings) == returns.EXPECTED_DEPRIVATION_WARNINGS
    rejected = rows(
        enumerated,
        "SELECT f.file_name, r.source_row, r.reason, r.field "
        "FROM rejected_row r JOIN source_file f USING (source_file_id)",
    )
    assert {(f, r): reason for f, r, reason, _ in rejected} == (
        returns.EXPECTED_DEPRIVATION_REJECTIONS
    )
    assert ("dusit_deprivations.xlsx", 14, "non_numeric_count", "rooms") in rejected
    (message,) = rows(enumerated, "SELECT message_en FROM row_warning WHERE field = 'floor_area'")
    assert message[0].startswith("floor area (m²) 2,500 is implausibly high")
    dropped = dict(rows(enumerated, "SELECT file_name, dropped_columns FROM source_file"))
    assert dropped == {
        "dusit_deprivations.xlsx": ["ชื่อหัวหน้าครัวเรือน"],
        "bangrak_kobo.csv": ["household/respondent_name"],
    }
    # the Kobo groups, the community written two ways, the khwaeng of each Dusit row
    assert rows(
        enumerated,
        "SELECT community_key, count(*), list_sort(list(DISTINCT khwaeng_code)) "
        "FROM household GROUP BY ALL ORDER BY 1",
    ) == [
        ("1002:name:สอง", 3, ["100201", "100202"]),
        ("1002:name:สาม", 3, ["100201", "100202"]),
        ("1002:name:หนึ่ง", 4, ["100201", "100202"]),
        ("1004:name:soiphiphat", 4, [None]),  # the Kobo form asks no khwaeng
    ]


def test_each_household_is_judged_by_the_five_rules(enumerated: Path) -> None:
    flags = ", ".join(f"{d.key}_reported, {d.key}_lacking" for d in deprivations.ALL)
    found = rows(
        enumerated,
        f"SELECT household_key, {flags} FROM "
        f"(SELECT household_key, {deprivations.flags_sql()} FROM household) ORDER BY 1",
    )
    assert [key for key, *_ in found] == sorted(LACKS)
    for key, *values in found:
        judged = {d.key for d, value in zip(deprivations.ALL, values[0::2], strict=True) if value}
        lacking = {d.key for d, value in zip(deprivations.ALL, values[1::2], strict=True) if value}
        five = {d.key for d in deprivations.FIVE}
        assert judged & five == JUDGED[key], key
        assert lacking & five == LACKS[key], key
        assert ("deprived" in judged) == bool(JUDGED[key]), key
        assert ("deprived" in lacking) == bool(LACKS[key]), key


def _need_tables(database: Path) -> dict[str, Any]:
    with db.connect(database) as connection:
        build_register(connection, LinkRules(), no_decisions())
        tables = indicators.every_need_table(connection, indicators.DEFAULT_WEIGHTS)
        db.replace_tables(connection, tables, views=indicators.views(indicators.SuppressionRule()))
    return tables


def test_khet_and_khwaeng_need_count_households_lacking_each_condition(enumerated: Path) -> None:
    tables = _need_tables(enumerated)
    khet = tables["khet_need"][tables["khet_need"]["survey_round"] == ROUND]
    khet = khet.set_index("khet_code")
    for code, expected in (("1002", DUSIT), ("1004", BANG_RAK)):
        found = {
            d.key: (int(khet.loc[code, d.households]), int(khet.loc[code, d.count]))
            for d in deprivations.ALL
        }
        assert found == expected, code
        for key, (judged, lacking) in expected.items():
            share = khet.loc[code, BY_KEY[key].share]
            assert share == pytest.approx(round(100 * lacking / judged, 3)), (code, key)
    assert khet.loc["1002", "deprived_households_share"] == 60.0
    assert khet.loc["1002", "non_durable_households_share"] == pytest.approx(22.222)
    assert (khet.loc["1002", [d.communities for d in deprivations.ALL]] == 3).all()
    assert (khet.loc["1004", [d.communities for d in deprivations.ALL]] == 1).all()
    assert khet.loc["1002", "enumerated_households"] == 10
    # no household records in a surveyed khet: no data, never zero; 1001, 1003 not surveyed
    for code in ("1001", "1003"):
        assert khet.loc[code, [d.count for d in deprivations.ALL]].isna().all(), code
    # khwaeng: Dusit's odd rows are in ดุสิต, the even ones in วชิรพยาบาล
    khwaeng = tables["khwaeng_need"][tables["khwaeng_need"]["survey_round"] == ROUND]
    khwaeng = khwaeng.set_index("khwaeng_code")
    assert khwaeng.loc["100201", "deprived_households"] == 3  # D02, D06, D08
    assert khwaeng.loc["100202", "deprived_households"] == 3  # D03, D05, D09
    assert khwaeng.loc["100201", "overcrowded_households"] == 2  # D02, D08
    assert khwaeng.loc["100202", "lacking_sanitation_households"] == 2  # D03, D09
    assert khwaeng.loc["100202", "living_area_households"] == 4  # D01, D03, D05, D07


def test_the_published_views_hide_thin_deprivation_figures(enumerated: Path) -> None:
    _need_tables(enumerated)
    names = [name for d in deprivations.ALL for name in (d.count, d.share)]
    with db.connect(enumerated, read_only=True) as connection:
        published = {
            code: dict(zip(["suppressed", *names], values, strict=True))
            for code, *values in connection.execute(
                f"SELECT khet_code, suppressed_indicators, {', '.join(names)} "
                "FROM khet_need_published WHERE survey_round = ? ORDER BY 1",
                [ROUND],
            ).fetchall()
        }
    dusit, bang_rak = published["1002"], published["1004"]
    # Dusit: 10 households of 3 communities said at least one, so deprived is shown; each of
    # the five was answered by 7 to 9 households, fewer than 10: hidden
    assert (dusit["deprived_households"], dusit["deprived_households_share"]) == (6, 60.0)
    five = [name for d in deprivations.FIVE for name in (d.count, d.share)]
    assert all(dusit[name] is None for name in five)
    assert set(five) <= set(dusit["suppressed"])
    assert "deprived_households" not in dusit["suppressed"]
    # Bang Rak: one community: everything hidden
    assert all(bang_rak[name] is None for name in names)
    assert set(names) <= set(bang_rak["suppressed"])


def test_more_households_lift_the_suppression_and_the_shares_follow(enumerated: Path) -> None:
    """Ten more Dusit households that all answer everything: every figure is published."""
    with db.connect(enumerated) as connection:
        connection.execute(
            "INSERT INTO household SELECT * REPLACE ("
            "household_key || 'x' AS household_key, household_code || 'x' AS household_code, "
            "3 AS members, 1 AS rooms, 'piped' AS water_source, 'flush' AS toilet_type, "
            "'private' AS toilet_shared, 'masonry' AS wall_material, 'tile' AS roof_material, "
            "'tile' AS floor_material, 'lease' AS tenure_document) "
            "FROM household WHERE khet_code = '1002'"
        )
    tables = _need_tables(enumerated)
    khet = tables["khet_need"].set_index("khet_code")
    # the ten copies lack nothing and answer all five: judged + 10, lacking unchanged
    found = {
        d.key: (int(khet.loc["1002", d.households]), int(khet.loc["1002", d.count]))
        for d in deprivations.ALL
    }
    assert found == {key: (judged + 10, lacking) for key, (judged, lacking) in DUSIT.items()}
    with db.connect(enumerated, read_only=True) as connection:
        row = connection.execute(
            "SELECT lacking_sanitation_households, lacking_sanitation_households_share, "
            "suppressed_indicators FROM khet_need_published WHERE khet_code = '1002'"
        ).fetchone()
    assert row == (4, pytest.approx(100 * 4 / 18, abs=1e-3), [])
