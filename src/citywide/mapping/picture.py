"""What the maps are drawn from: the current picture, every round, and each round's progress.

:func:`read_picture` is the maps' only database read (the Prefect task stays a thin wrapper). It
takes what the exports read (:func:`citywide.exports.read_picture`: ``khet_need_current_published``
and ``khet_need_published`` with the khet outlines, ``khet_coverage`` and ``survey_round``) and
turns the coverage into one :class:`citywide.rounds.RoundProgress` per round. For the khet
profiles it adds two public tables: the number of communities of each type per round and khet
(counts only, from ``community``: no name, code, location or survey answer), and the khwaeng
names of each khet (``khwaeng``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import geopandas as gpd
import pandas as pd

from citywide import db, exports
from citywide.rounds import RoundProgress, round_progress

# Written by the register step; without them there is no progress to tell.
_PROGRESS_TABLES = frozenset({"survey_round", "khet_coverage"})
UNKNOWN_TYPE = "unknown"  # a community whose type was not recorded
TYPE_COLUMNS = ("survey_round", "khet_code", "community_type", "communities")
KHWAENG_COLUMNS = ("khet_code", "khwaeng_code", "name_th", "name_en")
# Counts only: the profiles never read a community's name, code, location or answers.
_COMMUNITY_TYPES_SQL = f"""
WITH typed AS (
    SELECT survey_round, khet_code, coalesce(community_type, '{UNKNOWN_TYPE}') AS community_type
    FROM community
),
counted AS (
    SELECT survey_round, khet_code, community_type, count(*) AS communities
    FROM typed
    GROUP BY survey_round, khet_code, community_type
)
SELECT * FROM counted ORDER BY survey_round, khet_code, community_type
"""  # noqa: S608 (UNKNOWN_TYPE is a constant)
_KHWAENG_SQL = """
WITH named AS (
    SELECT khet_code, khwaeng_code, name_th, name_en FROM khwaeng
)
SELECT * FROM named ORDER BY khet_code, khwaeng_code
"""


def _no_rounds() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame()


def _no_types() -> pd.DataFrame:
    return pd.DataFrame(columns=list(TYPE_COLUMNS))


def _no_khwaeng() -> pd.DataFrame:
    return pd.DataFrame(columns=list(KHWAENG_COLUMNS))


@dataclass(frozen=True)
class Picture:
    """The current picture (one row per khet), every round's rows, each round's progress, and
    the current picture per khwaeng (khwaeng_need_current_published with its outlines).

    ``community_types`` counts communities per survey_round, khet_code and community_type
    (``unknown`` when not recorded; community counts are public, docs/indicators.md);
    ``khwaeng_names`` names each khet's khwaeng. Both are empty when the database has no such
    table yet.
    """

    current: gpd.GeoDataFrame
    rounds: gpd.GeoDataFrame = field(default_factory=_no_rounds)  # survey_round x khet
    progress: tuple[RoundProgress, ...] = ()
    khwaeng: gpd.GeoDataFrame = field(default_factory=_no_rounds)  # one row per khwaeng
    community_types: pd.DataFrame = field(default_factory=_no_types)
    khwaeng_names: pd.DataFrame = field(default_factory=_no_khwaeng)


def read_picture(connection: duckdb.DuckDBPyConnection) -> Picture:
    """The published picture of the database open on ``connection`` (PublishError without the
    register step's tables)."""
    exported = exports.read_picture(connection)
    progress = round_progress(exported.rounds, exported.coverage, exported.current)
    tables = db.table_names(connection)
    return Picture(
        exported.current,
        exported.every_round,
        progress,
        exported.khwaeng_current,
        community_types=(
            connection.execute(_COMMUNITY_TYPES_SQL).df() if "community" in tables else _no_types()
        ),
        khwaeng_names=(
            connection.execute(_KHWAENG_SQL).df() if "khwaeng" in tables else _no_khwaeng()
        ),
    )


def read_progress(connection: duckdb.DuckDBPyConnection) -> tuple[RoundProgress, ...]:
    """Every round's progress, first round first; none while the register step has not written
    its tables."""
    if not db.table_names(connection) >= _PROGRESS_TABLES:
        return ()
    return read_picture(connection).progress
