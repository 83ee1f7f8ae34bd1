"""Need indicators: the pure transform on tiny frames, the published view's suppression."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from citywide import db, deprivations, errors, indicators
from citywide.ingest.load import ensure_tables
from citywide.register.build import build_register
from citywide.register.decisions import no_decisions
from citywide.register.link import LinkRules
from citywide.schema import (
    COMMUNITY,
    COMMUNITY_HISTORY,
    HOUSEHOLD,
    HOUSEHOLD_HISTORY,
    KHET,
    KHET_NEED,
    SOURCE_FILE,
)
from tests.ingest.tiny_geography import build_tiny_tables

KHET_ONLY = (indicators.KHET_LEVEL,)  # tests of khet_need alone: no khwaeng tables, no views
COUNTED = [
    "communities",
    "communities_without_khwaeng",
    "households",
    "population",
    "slum_communities",
    "slum_households",
    "slum_population",
    "tenure_communities",
    "insecure_tenure_households",
    "eviction_communities",
    "eviction_threat_households",
    "condition_communities",
    "poor_housing_households",
    "services_communities",
    "lacking_services_households",
    "tenure_households",
    "condition_households",
    "enumerated_households",
    "enumerated_households_without_khwaeng",
    "programme_communities",
    "programme_households",
    "income_households",
    "baan_mankong_demand_households",
    "income_communities",
    *deprivations.columns(),
]


def counts(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Counts frames as khet_counts returns them; unspecified counts are 0."""
    base = {
        "survey_round": "r1",
        "round_order": 1,
        "name_th": "เขต",
        "name_en": "Khet",
        "area_km2": 10.0,
        "registered_population": 10_000,
        "coverage_status": "complete",
        "first_survey_date": None,
        "last_survey_date": None,
    }
    base["median_household_income"] = None
    frame = pd.DataFrame([{**base, **dict.fromkeys(COUNTED, 0), **row} for row in rows])
    frame[COUNTED] = frame[COUNTED].astype("Int64")
    return frame


def test_shares_densities_and_deprivations() -> None:
    need = indicators.khet_need(
        counts(
            [
                {
                    "khet_code": "1001",
                    "slum_communities": 4,
                    "slum_households": 500,
                    "slum_population": 2_000,
                    "tenure_communities": 2,
                    "insecure_tenure_households": 120,
                },
                {"khet_code": "1002"},
            ]
        ),
        indicators.DEFAULT_WEIGHTS,
    )
    first, second = need.to_dict("records")
    assert first["slum_population_share"] == 20.0
    assert first["slum_households_per_km2"] == 50.0
    assert first["insecure_tenure_households"] == 120
    assert pd.isna(first["eviction_threat_households"])  # nobody reported it: no data, not 0
    assert second["slum_households"] == 0
    assert pd.isna(second["insecure_tenure_households"])


def test_index_is_a_weighted_mean_of_scaled_indicators_ranked_within_the_round() -> None:
    frame = counts(
        [
            {"khet_code": "1001", "slum_households": 100},
            {"khet_code": "1002", "slum_households": 300},
            {"khet_code": "1003", "slum_households": 500},
            {"khet_code": "1004", "slum_households": 500},
        ]
    )
    need = indicators.khet_need(frame, {"slum_households": 1.0})
    assert need["need_index"].tolist() == [0.0, 50.0, 100.0, 100.0]
    assert need["need_rank"].tolist() == [4, 3, 1, 1]
    # a second indicator with data only in some khets counts only where it has data
    frame.loc[[0, 1], "tenure_communities"] = 1
    frame.loc[0, "insecure_tenure_households"] = 50
    need = indicators.khet_need(frame, {"slum_households": 1.0, "insecure_tenure_households": 1.0})
    assert need["need_index"].tolist() == [50.0, 25.0, 100.0, 100.0]


def test_change_since_the_previous_round() -> None:
    frame = counts(
        [
            {"khet_code": "1001", "slum_households": 100},
            {"khet_code": "1002", "slum_households": 200},
            {"khet_code": "1001", "slum_households": 150, "survey_round": "r2", "round_order": 2},
            {"khet_code": "1002", "slum_households": 100, "survey_round": "r2", "round_order": 2},
        ]
    )
    need = indicators.khet_need(frame, {"slum_households": 1.0}).set_index(
        ["survey_round", "khet_code"]
    )
    assert need["previous_round"].isna().sum() == 2  # nothing before the first round
    assert need.loc[("r2", "1001"), "previous_round"] == "r1"
    assert need.loc[("r2", "1001"), "slum_households_change"] == 50
    assert need.loc[("r2", "1002"), "slum_households_change"] == -100
    assert need.loc[("r2", "1001"), "need_index_change"] == 100.0


@pytest.mark.parametrize(
    "weights", [{}, {"slum_households": 0}, {"slum_households": -1}, {"chairman": 1}]
)
def test_unusable_weights_are_refused(weights: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="expected weights >= 0"):
        indicators.validate_weights(weights)


def test_published_view_hides_values_built_from_too_few_communities() -> None:
    need = indicators.khet_need(
        counts(
            [
                {
                    "khet_code": "1001",
                    "communities": 5,
                    "slum_communities": 2,
                    "slum_households": 40,
                },
                {
                    "khet_code": "1002",
                    "communities": 5,
                    "slum_communities": 3,
                    "slum_households": 90,
                },
                {"khet_code": "1003", "communities": 2},
            ]
        ),
        indicators.DEFAULT_WEIGHTS,
    )
    connection = duckdb.connect()
    connection.execute(KHET_NEED.create_sql())
    connection.register("need", need[list(KHET_NEED.column_names)])
    connection.execute("INSERT INTO khet_need SELECT * FROM need")
    connection.execute("CREATE TABLE khet_need_current AS SELECT * FROM khet_need")
    for name, sql in indicators.views(indicators.SuppressionRule(), KHET_ONLY).items():
        connection.execute(f"CREATE VIEW {name} AS {sql}")
    rows = connection.execute(
        "SELECT khet_code, communities, slum_communities, slum_households, need_index, "
        "need_rank, suppressed_indicators, suppressed_reason_en "
        "FROM khet_need_published ORDER BY khet_code"
    ).fetchall()
    thin, shown, few = rows
    # community counts are public; a value from 2 slum communities is not; the index and its
    # rank are published for every surveyed khet
    assert thin[1:4] == (5, 2, None)
    assert (thin[4], thin[5]) == (need.loc[0, "need_index"], need.loc[0, "need_rank"])
    assert thin[6] == ["slum_households", "slum_households_change", "slum_households_per_km2",
                       "slum_population", "slum_population_share"]  # fmt: skip
    assert thin[7] == "fewer than 3 communities: not shown, to protect privacy"
    assert shown[1:4] == (5, 3, 90)
    assert shown[6] == []
    assert shown[7] is None
    assert few[1:3] == (2, 0)  # zero slum communities is a true zero


def fill(
    connection: duckdb.DuckDBPyConnection,
    communities: Sequence[Mapping[str, object]],
    households: Sequence[Mapping[str, object]],
) -> None:
    """Two khets, one round, and the given records."""
    for spec in (KHET, SOURCE_FILE, COMMUNITY, HOUSEHOLD):
        connection.execute(spec.create_sql())
    connection.execute(
        "INSERT INTO khet VALUES ('1001', 'พระนคร', 'Phra Nakhon', 5.5, 50000, "
        "ST_GeomFromText('POLYGON((0 0, 1 0, 1 1, 0 0))')), "
        "('1002', 'ดุสิต', 'Dusit', 10.7, 100000, ST_GeomFromText('POLYGON((1 1, 2 1, 2 2, 1 1))'))"
    )
    connection.execute(
        "INSERT INTO source_file (source_file_id, path, file_name, sha256, size_bytes, format, "
        "survey_round, status, rows_read, rows_loaded, rows_rejected, rows_superseded, "
        "blank_rows, warnings, column_map, dropped_columns, unmapped_columns, ingested_at) "
        "VALUES (1, 'a.csv', 'a.csv', 'x', 1, 'csv', 'r1', 'loaded', 0, 0, 0, 0, 0, 0, '{}', [], "
        "[], now())"
    )
    insert_records(connection, communities, households)


def insert_records(
    connection: duckdb.DuckDBPyConnection,
    communities: Sequence[Mapping[str, object]],
    households: Sequence[Mapping[str, object]],
) -> None:
    """The records (of round r1 and source file 1 unless they say otherwise), then coverage."""
    for table, records in (("community", communities), ("household", households)):
        for record in records:
            base = {
                "survey_round": "r1",
                "source_file_id": 1,
                "source_sha256": "x",
                "source_row": 2,
            }
            values = {**base, **record}
            connection.execute(
                f"INSERT INTO {table} ({', '.join(values)}) "
                f"VALUES ({', '.join('?' for _ in values)})",
                list(values.values()),
            )
    coverage(connection)


def coverage(connection: duckdb.DuckDBPyConnection) -> None:
    """The linking step, as a run does it before the indicators: survey_round, khet_coverage."""
    for spec in (COMMUNITY_HISTORY, HOUSEHOLD_HISTORY):
        connection.execute(spec.create_sql(replace=False))
    build_register(connection, LinkRules(), no_decisions())


def test_household_records_replace_community_figures_where_a_khet_has_them(
    tmp_path: Path,
) -> None:
    communities = [
        {
            "community_key": f"{khet}:{code}",
            "khet_code": khet,
            "community_code": code,
            "households": 100,
            "tenure": "squatter",
            "housing_condition": "poor",
        }
        for khet in ("1001", "1002")
        for code in ("1", "2", "3")
    ]
    households = [
        {
            "household_key": f"1001:H{i}",
            "khet_code": "1001",
            "household_code": f"H{i}",
            "community_key": f"1001:{i % 3 + 1}",
            "tenure": "squatter" if i < 4 else "own",
            "housing_condition": "poor" if i < 2 else "good",
            "wants_baan_mankong": i % 2 == 0,
            "monthly_income": 1000.0 * (i + 1),
        }
        for i in range(10)
    ]
    with db.connect(tmp_path / "survey.duckdb") as connection:
        fill(connection, communities, households)
        counts = indicators.khet_counts(connection)
    need = indicators.khet_need(counts, indicators.DEFAULT_WEIGHTS)
    by_khet = need.set_index("khet_code")
    enumerated, community_only = by_khet.loc["1001"], by_khet.loc["1002"]
    # 1001: counted from its 10 household records (3 communities behind them)
    assert enumerated["enumerated_households"] == 10
    assert enumerated["insecure_tenure_households"] == 4
    assert enumerated["poor_housing_households"] == 2
    assert enumerated["tenure_communities"] == 3
    assert enumerated["baan_mankong_demand_households"] == 5
    assert enumerated["median_household_income"] == 5500.0
    # 1002: no household records, so the community-level figures as before
    assert community_only["enumerated_households"] == 0
    assert community_only["insecure_tenure_households"] == 300
    assert community_only["poor_housing_households"] == 300
    assert (
        community_only[["baan_mankong_demand_households", "median_household_income"]].isna().all()
    )
    # the survey totals still come from the communities
    assert enumerated["households"] == 300


def test_household_figures_from_too_few_communities_are_not_published(tmp_path: Path) -> None:
    households = [
        {
            "household_key": f"1001:H{i}",
            "khet_code": "1001",
            "household_code": f"H{i}",
            "community_key": "1001:1",
            "wants_baan_mankong": True,
            "monthly_income": 9000.0,
        }
        for i in range(40)
    ]
    # a household without a community reference counts as a community of its own
    households.append({**households[0], "household_key": "1001:X", "community_key": None})
    with db.connect(tmp_path / "survey.duckdb") as connection:
        fill(connection, [], households)
        tables = indicators.need_tables(
            indicators.khet_counts(connection), indicators.DEFAULT_WEIGHTS
        )
        need = tables["khet_need"]
        db.replace_tables(
            connection, tables, views=indicators.views(indicators.SuppressionRule(), KHET_ONLY)
        )
        row = connection.execute(
            "SELECT baan_mankong_demand_households, median_household_income, "
            "suppressed_indicators FROM khet_need_published WHERE khet_code = '1001'"
        ).fetchone()
    assert row is not None
    assert row[:2] == (None, None)  # 41 households, but from 2 communities
    assert {"baan_mankong_demand_households", "median_household_income"} <= set(row[2])
    assert need.set_index("khet_code").loc["1001", "programme_communities"] == 2


def test_a_round_that_covers_two_of_four_khets_leaves_the_others_null_never_zero() -> None:
    frame = counts(
        [
            {"khet_code": "1001", "slum_households": 100},
            {"khet_code": "1002", "slum_households": 300},
            {"khet_code": "1003", "coverage_status": "not_returned"},
            {"khet_code": "1004", "coverage_status": "not_returned"},
        ]
    )
    frame.loc[frame["coverage_status"] == "not_returned", COUNTED] = pd.NA
    need = indicators.khet_need(frame, {"slum_households": 1.0}).set_index("khet_code")
    assert need.loc[["1001", "1002"], "need_rank"].tolist() == [2, 1]
    assert (need["surveyed_khets"] == 2).all()
    unsurveyed = need.loc[["1003", "1004"]]
    for column in ["slum_households", "need_index", "need_rank", "slum_population_share"]:
        assert unsurveyed[column].isna().all(), column


def test_change_is_against_the_khets_own_previous_surveyed_round() -> None:
    rounds = {"A": 1, "B": 2, "C": 3}
    frame = counts(
        [
            {"khet_code": "1001", "survey_round": "A", "slum_households": 100},
            {"khet_code": "1001", "survey_round": "B", "coverage_status": "not_returned"},
            {"khet_code": "1001", "survey_round": "C", "slum_households": 160},
            {"khet_code": "1002", "survey_round": "A", "slum_households": 10},
            {"khet_code": "1002", "survey_round": "B", "slum_households": 20},
            {"khet_code": "1002", "survey_round": "C", "slum_households": 30},
        ]
    )
    frame["round_order"] = frame["survey_round"].map(rounds)
    frame.loc[frame["coverage_status"] == "not_returned", COUNTED] = pd.NA
    need = indicators.khet_need(frame, {"slum_households": 1.0}).set_index(
        ["survey_round", "khet_code"]
    )
    assert need.loc[("C", "1001"), "previous_round"] == "A"
    assert need.loc[("C", "1001"), "slum_households_change"] == 60
    assert need["previous_round"].isna()[("B", "1001")]
    assert need.loc[("C", "1002"), "previous_round"] == "B"
    current = indicators.khet_need_current(need.reset_index(), {"slum_households": 1.0})
    by_khet = current.set_index("khet_code")
    assert by_khet["survey_round"].tolist() == ["C", "C"]
    assert by_khet.loc["1001", "slum_households"] == 160
    assert by_khet.loc["1001", "need_rank"] == 1


def test_the_current_picture_is_the_registry_for_untouched_khets(tmp_path: Path) -> None:
    communities = [
        {"community_key": f"{khet}:1", "khet_code": khet, "community_code": "1",
         "community_type": "slum", "households": households, "survey_round": survey_round}
        for khet, households, survey_round in (
            ("1001", 100, "bma_registry"), ("1002", 200, "bma_registry"), ("1002", 50, "r2"))
    ]  # fmt: skip
    with db.connect(tmp_path / "survey.duckdb") as connection:
        fill(connection, [], [])
        connection.execute("UPDATE source_file SET survey_round = 'bma_registry'")
        connection.execute(
            "INSERT INTO source_file SELECT * REPLACE (2 AS source_file_id, 'b.csv' AS path, "
            "'r2' AS survey_round) FROM source_file"
        )
        for record in communities:
            values = {"source_file_id": 1, "source_sha256": "x", "source_row": 2, **record}
            connection.execute(
                f"INSERT INTO community ({', '.join(values)}) "
                f"VALUES ({', '.join('?' for _ in values)})",
                list(values.values()),
            )
        coverage(connection)
        need = indicators.khet_need(indicators.khet_counts(connection), indicators.DEFAULT_WEIGHTS)
        current = indicators.khet_need_current(need, indicators.DEFAULT_WEIGHTS)
        db.replace_tables(
            connection, {"khet_need": need, "khet_need_current": current},
            views=indicators.views(indicators.SuppressionRule(), KHET_ONLY),
        )  # fmt: skip
        published = connection.execute(
            "SELECT khet_code, survey_round FROM khet_need_current_published ORDER BY 1"
        ).fetchall()
    r2 = need[(need["survey_round"] == "r2") & (need["khet_code"] == "1001")]
    assert r2["slum_households"].isna().all()
    assert r2["coverage_status"].tolist() == ["not_returned"]
    by_khet = current.set_index("khet_code")
    assert by_khet.loc["1001", "survey_round"] == "bma_registry"
    assert by_khet.loc["1001", "slum_households"] == 100
    assert by_khet.loc["1002", "survey_round"] == "r2"
    assert by_khet.loc["1002", "slum_households"] == 50
    assert published == [("1001", "bma_registry"), ("1002", "r2")]


def test_indicators_without_coverage_say_to_run_the_register_step(tmp_path: Path) -> None:
    with db.connect(tmp_path / "survey.duckdb") as connection:
        fill(connection, [], [])
        connection.execute("DROP TABLE khet_coverage")
        with pytest.raises(errors.CoverageMissing, match="citywide run"):
            indicators.khet_counts(connection)


def test_a_change_is_hidden_when_the_previous_rounds_value_is() -> None:
    frame = counts(
        [
            {"khet_code": "1001", "slum_communities": 2, "slum_households": 70},
            {"khet_code": "1001", "slum_communities": 4, "slum_households": 400,
             "survey_round": "r2", "round_order": 2},
        ]
    )  # fmt: skip
    tables = indicators.need_tables(frame, indicators.DEFAULT_WEIGHTS)
    connection = duckdb.connect()
    for name, table in tables.items():
        connection.register(f"{name}_frame", table)
        connection.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_frame")
    for name, sql in indicators.views(indicators.SuppressionRule(), KHET_ONLY).items():
        connection.execute(f"CREATE VIEW {name} AS {sql}")
    row = connection.execute(
        "SELECT slum_households, slum_households_change, suppressed_indicators "
        "FROM khet_need_published WHERE survey_round = 'r2'"
    ).fetchone()
    assert tables["khet_need"]["slum_households_change"].tolist()[1] == 330
    assert row == (400, None, ["slum_households_change"])  # 400 - 330 would be r1's 70


def test_the_indicator_table_in_the_docs_is_the_catalogue() -> None:
    text = (Path(__file__).parents[1] / "docs" / "indicators.md").read_text(encoding="utf-8")
    rows = [line.split(" | ") for line in text.splitlines() if line.startswith("| `")]
    documented = {row[0].strip("| `"): row[-1].rstrip(" |") for row in rows if len(row) == 6}

    def basis(indicator: indicators.Indicator) -> str:
        counts = [c for c in (indicator.basis, indicator.households_basis) if c]
        return ", ".join(f"`{c}`" for c in counts) or "never hidden (public)"

    assert documented == {i.name: basis(i) for i in indicators.INDICATORS}


# --- khwaeng level, on the tiny geography (four khets of two khwaeng each) ---------------------


def _community(khet: str, code: str, khwaeng: str | None, households: int) -> dict[str, object]:
    return {"community_key": f"{khet}:{code}", "khet_code": khet, "community_code": code,
            "khwaeng_code": khwaeng, "community_type": "slum", "households": households,
            "population": 4 * households}  # fmt: skip


def test_khwaeng_need_counts_each_khwaeng_as_khet_need_counts_each_khet(tmp_path: Path) -> None:
    communities = [
        *(_community("1001", str(i), "100101", 100) for i in range(1, 4)),  # 3 in 100101
        _community("1001", "4", "100102", 50),  # 1 in 100102: thin
        _community("1001", "5", None, 70),  # no khwaeng: counted in the khet only
        *(_community("1003", str(i), "100301", 10) for i in range(1, 5)),  # 100302 has none
    ]  # 1002 and 1004 returned nothing: not surveyed, nor are their khwaeng
    households = [
        {"household_key": "1001:H1", "khet_code": "1001", "household_code": "H1",
         "community_key": "1001:1", "monthly_income": 8000.0},  # its community's khwaeng
        {"household_key": "1001:H2", "khet_code": "1001", "household_code": "H2",
         "khwaeng_code": "100102", "monthly_income": 4000.0},  # its own khwaeng
        {"household_key": "1001:H3", "khet_code": "1001", "household_code": "H3",
         "monthly_income": 2000.0},  # neither
    ]  # fmt: skip
    with db.connect(tmp_path / "survey.duckdb") as connection:
        db.replace_tables(connection, build_tiny_tables())
        ensure_tables(connection)
        connection.execute(
            "INSERT INTO source_file (source_file_id, path, file_name, sha256, size_bytes, "
            "format, survey_round, status, rows_read, rows_loaded, rows_rejected, "
            "rows_superseded, blank_rows, warnings, column_map, dropped_columns, "
            "unmapped_columns, ingested_at) VALUES (1, 'a.csv', 'a.csv', 'x', 1, 'csv', 'r1', "
            "'loaded', 0, 0, 0, 0, 0, 0, '{}', [], [], now())"
        )
        insert_records(connection, communities, households)
        tables = indicators.every_need_table(connection, indicators.DEFAULT_WEIGHTS)
        db.replace_tables(connection, tables, views=indicators.views(indicators.SuppressionRule()))
        published = connection.execute(
            "SELECT khwaeng_code, khet_name_en, communities, slum_households, need_index, "
            "suppressed_indicators FROM khwaeng_need_published ORDER BY khwaeng_code"
        ).fetchall()
        current = connection.execute(
            "SELECT count(*), count(need_index) FROM khwaeng_need_current_published"
        ).fetchone()
    khet = tables["khet_need"].set_index("khet_code")
    khwaeng = tables["khwaeng_need"].set_index("khwaeng_code")
    assert list(khwaeng.index) == [c for k in ("1001", "1002", "1003", "1004") for c in
                                   (f"{k}01", f"{k}02")]  # fmt: skip
    # every community is in its khet; those with a khwaeng in it too, and the rest are counted
    assert khet.loc["1001", "communities"] == 5
    assert khet.loc["1001", "communities_without_khwaeng"] == 1
    assert khwaeng.loc[["100101", "100102"], "communities"].tolist() == [3, 1]
    assert khwaeng.loc[["100101", "100102"], "slum_households"].tolist() == [300, 50]
    area = khwaeng["area_km2"].astype("float64")["100101"]
    assert khwaeng.loc["100101", "slum_households_per_km2"] == pytest.approx(300 / area, abs=1e-3)
    # a khwaeng of a surveyed khet with no community is a true zero; of a khet not surveyed, NULL
    assert khwaeng.loc["100302", "coverage_status"] != "not_returned"
    assert khwaeng.loc["100302", "communities"] == 0
    assert khwaeng.loc[["100201", "100202"], "coverage_status"].tolist() == ["not_returned"] * 2
    assert khwaeng.loc[["100201", "100202", "100401"], "communities"].isna().all()
    # households: a record without a khwaeng lies in its community's; with neither, khet only
    assert khwaeng.loc[["100101", "100102"], "enumerated_households"].tolist() == [1, 1]
    assert khet.loc["1001", "enumerated_households"] == 3
    assert khet.loc["1001", "enumerated_households_without_khwaeng"] == 1
    # no registered population per khwaeng: the share is NULL, the index uses the rest
    assert khwaeng["slum_population_share"].isna().all()
    assert khwaeng["surveyed_khwaeng"].eq(4).all()
    assert khwaeng.loc[["100101", "100102", "100301", "100302"], "need_rank"].notna().all()
    assert khwaeng.loc["100101", "need_rank"] == 1
    # the published view, the same rule as per khet: 100102's single slum community hides its
    # slum households; community counts and the index are public
    by_code = {row[0]: row[1:] for row in published}
    assert len(by_code) == 8
    assert by_code["100101"][:4] == ("Phra Nakhon", 3, 300, 100.0)
    assert by_code["100102"][1:3] == (1, None)
    assert by_code["100102"][3] is not None
    assert "slum_households" in by_code["100102"][4]
    assert by_code["100101"][4] == ["median_household_income"]  # one household: < 10
    assert by_code["100302"][1:3] == (0, 0)  # zero communities is a true zero, shown
    assert current == (8, 4)  # 1002 and 1004 never surveyed: no index
