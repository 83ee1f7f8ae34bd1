"""What the maps are drawn from: the current picture, every round, and each round's progress.

:func:`read_picture` is the maps' only database read (the Prefect task stays a thin wrapper). It
takes what the exports read (:func:`citywide.exports.read_picture`: ``khet_need_current_published``
and ``khet_need_published`` with the khet outlines, ``khet_coverage`` and ``survey_round``) and
turns the coverage into one :class:`citywide.rounds.RoundProgress` per round.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import geopandas as gpd

from citywide import db, exports
from citywide.rounds import RoundProgress, round_progress

# Written by the register step; without them there is no progress to tell.
_PROGRESS_TABLES = frozenset({"survey_round", "khet_coverage"})


def _no_rounds() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame()


@dataclass(frozen=True)
class Picture:
    """The current picture (one row per khet), every round's rows, each round's progress, and
    the current picture per khwaeng (khwaeng_need_current_published with its outlines)."""

    current: gpd.GeoDataFrame
    rounds: gpd.GeoDataFrame = field(default_factory=_no_rounds)  # survey_round x khet
    progress: tuple[RoundProgress, ...] = ()
    khwaeng: gpd.GeoDataFrame = field(default_factory=_no_rounds)  # one row per khwaeng


def read_picture(connection: duckdb.DuckDBPyConnection) -> Picture:
    """The published picture of the database open on ``connection`` (PublishError without the
    register step's tables)."""
    exported = exports.read_picture(connection)
    progress = round_progress(exported.rounds, exported.coverage, exported.current)
    return Picture(exported.current, exported.every_round, progress, exported.khwaeng_current)


def read_progress(connection: duckdb.DuckDBPyConnection) -> tuple[RoundProgress, ...]:
    """Every round's progress, first round first; none while the register step has not written
    its tables."""
    if not db.table_names(connection) >= _PROGRESS_TABLES:
        return ()
    return read_picture(connection).progress
