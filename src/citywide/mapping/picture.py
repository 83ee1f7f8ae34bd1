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


def _with_bangkok_times(table: str, order: str) -> str:
    """The table's rows with return times as Bangkok wall-clock time (the pages' dates)."""
    return f"""
        SELECT * REPLACE (timezone('Asia/Bangkok', first_return_at) AS first_return_at,
                          timezone('Asia/Bangkok', last_return_at) AS last_return_at)
        FROM {table} ORDER BY {order}
    """  # noqa: S608 (table and column names are constants)


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
    rounds = connection.execute(_with_bangkok_times("survey_round", "round_order")).df()
    coverage = connection.execute(
        _with_bangkok_times("khet_coverage", "survey_round, khet_code")
    ).df()
    return round_progress(rounds, coverage, names)
