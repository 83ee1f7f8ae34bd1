"""Flow: reference sources -> ``khet`` and ``khwaeng`` tables in DuckDB."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from prefect import flow

from citywide.settings import Settings
from citywide.sources import KHET_BOUNDARIES, KHET_POPULATION, KHWAENG_BOUNDARIES
from flows import tasks


@flow(name="geography")
def build_geography(settings: Settings | None = None) -> dict[str, int]:
    """Fetch the boundary and population sources, build both tables, publish them together."""
    settings = settings or Settings()
    khet_boundaries = tasks.fetch(KHET_BOUNDARIES.id, settings)
    khwaeng_boundaries = tasks.fetch(KHWAENG_BOUNDARIES.id, settings)
    population = tasks.fetch(KHET_POPULATION.id, settings)

    khet: gpd.GeoDataFrame = tasks.build_khet(khet_boundaries, population)
    khwaeng: gpd.GeoDataFrame = tasks.build_khwaeng(khwaeng_boundaries, khet)
    lookup: pd.DataFrame = tasks.build_khet_lookup(khet)

    return tasks.publish_tables(
        {"khet": khet, "khwaeng": khwaeng, "khet_lookup": lookup},
        [khet_boundaries, khwaeng_boundaries, population],
        settings,
    )
