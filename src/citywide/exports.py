"""khet_need for QGIS and Excel: GeoPackage, GeoParquet and CSV, from the published view only.

:func:`published_need` reads ``khet_need_published`` (values from too few communities already
hidden) with the khet outlines; :func:`write_exports` writes the three files, each one atomically
(a temporary file in the same folder, then a rename), so a reader never opens half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import geopandas as gpd
import shapely

from citywide.geography import STORAGE_CRS

LAYER = "khet_need"
# Excel opens a UTF-8 CSV as Thai text only when it starts with a byte-order mark.
CSV_ENCODING = "utf-8-sig"


def published_need(connection: duckdb.DuckDBPyConnection, latest_only: bool) -> gpd.GeoDataFrame:
    """khet_need_published joined to the khet outlines, in round and khet order."""
    where = "WHERE n.round_order = (SELECT max(round_order) FROM khet_need)" if latest_only else ""
    frame = connection.execute(
        f"""
        SELECT n.* EXCLUDE (suppressed_indicators),
            array_to_string(n.suppressed_indicators, ', ') AS suppressed_indicators,
            ST_AsWKB(k.geom) AS wkb
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
    folder.mkdir(parents=True, exist_ok=True)
    return [
        _atomic(folder / "khet_need.gpkg", lambda p: latest.to_file(p, layer=LAYER, driver="GPKG")),
        _atomic(folder / "khet_need.parquet", lambda p: latest.to_parquet(p, index=False)),
        _atomic(
            folder / "khet_need.csv",
            lambda p: every_round.drop(columns="geometry").to_csv(
                p, index=False, encoding=CSV_ENCODING
            ),
        ),
    ]


def _atomic(target: Path, write: Callable[[Path], object]) -> Path:
    handle, name = tempfile.mkstemp(
        prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent
    )
    os.close(handle)
    staging = Path(name)
    staging.unlink()  # the writers create the file themselves (GDAL will not open an empty one)
    try:
        write(staging)
        staging.replace(target)
    finally:
        staging.unlink(missing_ok=True)
    return target
