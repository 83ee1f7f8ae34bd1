"""khet_need for QGIS and Excel: GeoPackage, GeoParquet and CSV, from the published view only.

The CSV's text cells are neutralised against spreadsheet formulas (citywide.files.write_csv).

:func:`published_need` reads ``khet_need_published`` (values from too few communities already
hidden) with the khet outlines; :func:`write_exports` writes the three files, each one atomically
(a temporary file in the same folder, then a rename), so a reader never opens half a file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import shapely

from citywide.files import write_atomically, write_csv
from citywide.geography import STORAGE_CRS

LAYER = "khet_need"


def published_need(connection: duckdb.DuckDBPyConnection, latest_only: bool) -> gpd.GeoDataFrame:
    """khet_need_published joined to the khet outlines, in round and khet order.

    ``suppressed_indicators`` is a list of indicator names per khet (empty when none is hidden).
    """
    where = "WHERE n.round_order = (SELECT max(round_order) FROM khet_need)" if latest_only else ""
    frame = connection.execute(
        f"""
        SELECT n.*, ST_AsWKB(k.geom) AS wkb
        FROM khet_need_published n JOIN khet k USING (khet_code)
        {where}
        ORDER BY n.round_order, n.khet_code
        """  # noqa: S608 (fixed text)
    ).df()
    geometry = shapely.from_wkb(frame.pop("wkb").map(bytes).to_numpy())
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=STORAGE_CRS)


def write_exports(
    latest: gpd.GeoDataFrame, every_round: gpd.GeoDataFrame, folder: Path
) -> list[Path]:
    """khet_need.gpkg and khet_need.parquet (latest round), khet_need.csv (every round)."""
    latest, every_round = _flat(latest), _flat(every_round)
    return [
        write_atomically(
            folder / "khet_need.gpkg", lambda p: latest.to_file(p, layer=LAYER, driver="GPKG")
        ),
        write_atomically(folder / "khet_need.parquet", lambda p: latest.to_parquet(p, index=False)),
        write_csv(pd.DataFrame(every_round.drop(columns="geometry")), folder / "khet_need.csv"),
    ]


def _flat(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """GeoPackage and CSV hold no lists: the hidden indicators as one comma-separated text."""
    return frame.assign(suppressed_indicators=frame["suppressed_indicators"].map(", ".join))
