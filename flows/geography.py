"""Flows: reference sources -> ``khet``, ``khwaeng`` and ``khet_lookup`` tables in DuckDB."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from prefect import flow

from citywide import db
from citywide.settings import Settings
from citywide.sources import KHET_BOUNDARIES, KHET_POPULATION, KHWAENG_BOUNDARIES, FetchResult
from flows import tasks


@flow(name="build-geography")
def build_geography(fetched: list[FetchResult], database: Path) -> dict[str, int]:
    """Build the khet and khwaeng tables from the fetched sources; publish them together."""
    by_id = {result.source.id: result for result in fetched}
    khet_boundaries = by_id[KHET_BOUNDARIES.id]
    khwaeng_boundaries = by_id[KHWAENG_BOUNDARIES.id]
    population = by_id[KHET_POPULATION.id]

    khet: gpd.GeoDataFrame = tasks.build_khet(khet_boundaries, population)
    khwaeng: gpd.GeoDataFrame = tasks.build_khwaeng(khwaeng_boundaries, khet)
    lookup: pd.DataFrame = tasks.build_khet_lookup(khet)

    return tasks.publish_tables(
        {"khet": khet, "khwaeng": khwaeng, "khet_lookup": lookup},
        [khet_boundaries, khwaeng_boundaries, population],
        database,
    )


@flow(name="geography")
def geography(settings: Settings | None = None) -> dict[str, int]:
    """`citywide geography build`: fetch the three sources and rebuild the geography."""
    settings = settings or Settings()
    with db.writer_lock(settings.duckdb_path, settings.lock_timeout_s):
        fetched = [
            tasks.fetch(source.id, settings)
            for source in (KHET_BOUNDARIES, KHWAENG_BOUNDARIES, KHET_POPULATION)
        ]
        with db.new_version(settings.duckdb_path) as work:
            return build_geography(fetched, work)
