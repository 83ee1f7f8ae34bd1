"""What the maps are drawn from, read from the database: the current picture, every round, coverage.

:func:`read_picture` is the maps' only database read (the Prefect task stays a thin wrapper):
``khet_need_current_published`` (one row per khet), ``khet_need_published`` (every round x khet)
with the khet outlines, and each round's progress (``survey_round``, ``khet_coverage``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import geopandas as gpd
import pandas as pd

from citywide import db, exports
from citywide.rounds import RoundProgress, round_progress


def _no_rounds() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame()


@dataclass(frozen=True)
class Picture:
    """The current picture (one row per khet), every round's rows, and each round's progress."""

    current: gpd.GeoDataFrame
    rounds: gpd.GeoDataFrame = field(default_factory=_no_rounds)  # survey_round x khet
    progress: tuple[RoundProgress, ...] = ()


_CURRENT_SQL = "SELECT * FROM khet_need_current_published ORDER BY khet_code"
_ROUNDS_SQL = "SELECT * FROM survey_round ORDER BY round_order"
_COVERAGE_SQL = "SELECT * FROM khet_coverage ORDER BY survey_round, khet_code"


def read_picture(connection: duckdb.DuckDBPyConnection) -> Picture:
    """The published picture of the database open on ``connection``."""
    every_round = exports.published_need(connection, latest_only=False)
    outlines = every_round.drop_duplicates("khet_code").set_index("khet_code").geometry
    current = connection.execute(_CURRENT_SQL).df()
    current_map = gpd.GeoDataFrame(
        current, geometry=outlines.loc[current["khet_code"]].to_numpy(), crs=every_round.crs
    )
    return Picture(current_map, every_round, read_progress(connection, current))


def read_progress(
    connection: duckdb.DuckDBPyConnection, names: pd.DataFrame
) -> tuple[RoundProgress, ...]:
    """Every round's progress; none while the register step has not written its tables.

    ``names`` gives each khet's name_th and name_en by khet_code.
    """
    if not {"survey_round", "khet_coverage"} <= db.table_names(connection):
        return ()
    rounds = connection.execute(_ROUNDS_SQL).df()
    coverage = connection.execute(_COVERAGE_SQL).df()
    return round_progress(rounds, coverage, names)
