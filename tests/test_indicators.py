"""Need indicators: the pure transform on tiny frames, the published view's suppression."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from citywide import indicators
from citywide.schema import KHET_NEED

COUNTED = [
    "communities",
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
    }
    frame = pd.DataFrame([{**base, **dict.fromkeys(COUNTED, 0), **row} for row in rows])
    frame[COUNTED] = frame[COUNTED].astype("int64")
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
    for name, sql in indicators.views(3).items():
        connection.execute(f"CREATE VIEW {name} AS {sql}")
    rows = connection.execute(
        "SELECT khet_code, communities, slum_communities, slum_households, need_index, "
        "need_rank, suppressed_indicators, suppressed_reason_en "
        "FROM khet_need_published ORDER BY khet_code"
    ).fetchall()
    thin, shown, few = rows
    assert thin[1:6] == (5, None, None, None, None)
    assert "slum_households" in thin[6]
    assert "fewer than 3 communities" in thin[7]
    assert shown[1:4] == (5, 3, 90)
    assert shown[6] == []
    assert shown[7] is None
    assert few[1:3] == (None, 0)  # 2 communities hidden; zero slum communities is a true zero
