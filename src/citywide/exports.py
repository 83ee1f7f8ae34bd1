"""The city-wide picture for QGIS and Excel: GeoPackage, GeoParquet and CSV, from published views.

- ``khet_need.gpkg`` / ``khet_need.parquet``: the current picture (``khet_need_current_published``),
  one row per khet, its values from the newest round that surveyed it; ``survey_round`` (and
  ``round_name_th`` / ``round_name_en``, first/last_survey_date) say which round that is.
- ``khet_need.csv``: every round (``khet_need_published``); a khet a round did not survey has
  ``coverage_status`` not_returned and empty (NULL) values, never 0.
- ``khet_coverage.csv``: how far each round has come in each khet, with the khet's names.
- ``survey_rounds.csv``: the rounds, in order, with their display names and progress.
- ``khwaeng_need.gpkg`` (layer ``khwaeng_need``) / ``khwaeng_need.csv``: the same per khwaeng,
  from ``khwaeng_need_current_published`` and ``khwaeng_need_published`` (180 rows per round).
- ``khet_need.xlsx``: per level (khet, then khwaeng) the current picture and every round, one
  sheet each, with Thai and English headers, and a notes sheet (definitions, sources, rounds,
  build date, privacy rule); see :mod:`citywide.workbook`.
- ``khet_need.gpkg`` carries its QGIS style (table ``layer_styles``, :mod:`citywide.qgis_style`):
  QGIS opens the layer in the web map's need-index classes and colours.

Times (first/last_return_at) are written as Bangkok time, e.g. ``2026-01-10 16:00:00+07:00``.

Values from too few communities are already hidden by the published views; none of these tables
holds personal data (counts per khet or khwaeng only). The CSVs' text cells are neutralised against
spreadsheet formulas (citywide.files.write_csv). Each file is written atomically (a temporary
file in the same folder, then a rename), so a reader never opens half a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from citywide import db
from citywide.errors import PublishError
from citywide.files import write_atomically, write_csv
from citywide.geography import STORAGE_CRS
from citywide.indicators import INDICATOR_BY_NAME, KHET_LEVEL, KHWAENG_LEVEL, SuppressionRule
from citywide.mapping.layers import classify, layer_values
from citywide.mapping.options import Classification
from citywide.qgis_style import STYLES_TABLE, styles_table
from citywide.schema_register import KHET_COVERAGE, SURVEY_ROUND
from citywide.table_spec import TableSpec
from citywide.workbook import KHET, KHWAENG, LevelPicture, WorkbookNotes, write_workbook

LAYER = "khet_need"
BANGKOK = "Asia/Bangkok"
NEED_GPKG = "khet_need.gpkg"
NEED_PARQUET = "khet_need.parquet"
NEED_CSV = "khet_need.csv"
COVERAGE_CSV = "khet_coverage.csv"
ROUNDS_CSV = "survey_rounds.csv"
NEED_XLSX = "khet_need.xlsx"
GEOMETRY_COLUMN = "geom"
STYLED = INDICATOR_BY_NAME["need_index"]  # the indicator QGIS draws the layer in
CURRENT_VIEW = KHET_LEVEL.current_published
EVERY_ROUND_VIEW = KHET_LEVEL.published
KHWAENG_LAYER = "khwaeng_need"
KHWAENG_GPKG = "khwaeng_need.gpkg"
KHWAENG_CSV = "khwaeng_need.csv"
KHWAENG_CURRENT_VIEW = KHWAENG_LEVEL.current_published
KHWAENG_EVERY_ROUND_VIEW = KHWAENG_LEVEL.published
# What the exports read besides the need views: written by the register step.
_LINKED_TABLES = ("khet_coverage", "survey_round")

_OUTLINED_SQL = """
WITH need AS (
    {need}
),
outlined AS (
    SELECT need.*, ST_AsWKB(k.geom) AS wkb
    FROM need JOIN {geography} k USING ({key})
)
SELECT * FROM outlined
ORDER BY {order}
"""
# The exports name each row's round as people read it (survey_round.name_th / name_en).
_NAMED_ROUND_SQL = """
    SELECT v.*, r.name_th AS round_name_th, r.name_en AS round_name_en
    FROM {view} v LEFT JOIN survey_round r USING (survey_round)
"""


def _bangkok_time(spec: TableSpec) -> str:
    """A REPLACE clause writing the spec's TIMESTAMPTZ columns as Bangkok time text (+07:00,
    no summer time), which Excel reads as a date and time."""
    stamps = [c.name for c in spec.columns if c.sql_type == "TIMESTAMPTZ"]
    replaced = ", ".join(
        f"strftime(timezone('{BANGKOK}', {name}), '%Y-%m-%d %H:%M:%S+07:00') AS {name}"
        for name in stamps
    )
    return f"REPLACE ({replaced})" if stamps else ""


_COVERAGE_SQL = f"""
WITH coverage AS (
    SELECT * {_bangkok_time(KHET_COVERAGE)} FROM khet_coverage
),
named AS (
    SELECT c.survey_round, c.khet_code, k.name_th, k.name_en, c.* EXCLUDE (survey_round, khet_code)
    FROM coverage c JOIN khet k USING (khet_code)
)
SELECT named.*
FROM named LEFT JOIN survey_round r USING (survey_round)
ORDER BY r.round_order, named.survey_round, named.khet_code
"""  # noqa: S608 (identifiers from the TableSpecs)

_ROUNDS_SQL = f"""
WITH rounds AS (
    SELECT * {_bangkok_time(SURVEY_ROUND)} FROM survey_round
)
SELECT * FROM rounds ORDER BY round_order
"""  # noqa: S608 (identifiers from the TableSpecs)


@dataclass(frozen=True)
class Picture:
    """What the exports hold, read from the published database.

    ``current`` and ``every_round`` carry the khet outlines, ``khwaeng_current`` and
    ``khwaeng_every_round`` the same per khwaeng with the khwaeng outlines;
    ``suppressed_indicators`` is a list of indicator names per row (empty when none is hidden).
    """

    current: gpd.GeoDataFrame
    every_round: gpd.GeoDataFrame
    coverage: pd.DataFrame
    rounds: pd.DataFrame
    khwaeng_current: gpd.GeoDataFrame = field(default_factory=gpd.GeoDataFrame)
    khwaeng_every_round: gpd.GeoDataFrame = field(default_factory=gpd.GeoDataFrame)


def read_picture(connection: duckdb.DuckDBPyConnection) -> Picture:
    """The current picture, every round, the coverage and the rounds (PublishError if the
    register step has not written khet_coverage and survey_round)."""
    missing = [name for name in _LINKED_TABLES if name not in db.table_names(connection)]
    if missing:
        raise PublishError(
            "the exports need the coverage of every round",
            expected=f"tables {', '.join(_LINKED_TABLES)}, written by the register step",
            found=f"no table {', '.join(missing)}",
            where="citywide exports",
            fix="run the whole pipeline (`citywide run`), then publish again",
        )
    return Picture(
        current=current_need(connection),
        every_round=_with_outlines(connection, _NAMED_ROUND_SQL.format(view=EVERY_ROUND_VIEW)),
        coverage=connection.execute(_COVERAGE_SQL).df(),
        rounds=connection.execute(_ROUNDS_SQL).df(),
        khwaeng_current=_per_khwaeng(connection, KHWAENG_CURRENT_VIEW, "khwaeng_code"),
        khwaeng_every_round=_per_khwaeng(
            connection, KHWAENG_EVERY_ROUND_VIEW, "round_order, khwaeng_code"
        ),
    )


def _per_khwaeng(connection: duckdb.DuckDBPyConnection, view: str, order: str) -> gpd.GeoDataFrame:
    """A khwaeng view with the display names of each row's round and the khwaeng outlines."""
    named = _NAMED_ROUND_SQL.format(view=view)
    return _with_outlines(connection, named, order, geography="khwaeng", key="khwaeng_code")


def current_need(connection: duckdb.DuckDBPyConnection) -> gpd.GeoDataFrame:
    """The current picture (khet_need_current_published), one row per khet in khet order, with
    the display names of the round each khet's values come from and the khet outlines."""
    named = _NAMED_ROUND_SQL.format(view=CURRENT_VIEW)
    return _with_outlines(connection, named, order="khet_code")


def published_need(connection: duckdb.DuckDBPyConnection, latest_only: bool) -> gpd.GeoDataFrame:
    """khet_need_published (the newest round only, or every round) with the khet outlines."""
    where = "WHERE round_order = (SELECT max(round_order) FROM khet_need)" if latest_only else ""
    return _with_outlines(connection, f"SELECT * FROM {EVERY_ROUND_VIEW} {where}")  # noqa: S608 (fixed text)


def _with_outlines(
    connection: duckdb.DuckDBPyConnection,
    need: str,
    order: str = "round_order, khet_code",
    geography: str = "khet",
    key: str = "khet_code",
) -> gpd.GeoDataFrame:
    """The rows of the SELECT ``need`` with the outlines of ``geography`` (khet or khwaeng),
    joined on ``key``, in ``order``."""
    sql = _OUTLINED_SQL.format(need=need, order=order, geography=geography, key=key)
    frame = connection.execute(sql).df()
    geometry = shapely.from_wkb(frame.pop("wkb").map(bytes).to_numpy())
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=STORAGE_CRS)


@dataclass(frozen=True)
class ExportOptions:
    """What the exports say and draw besides the rows: when they were built, the privacy rule,
    and the map's classification (for the GeoPackage's QGIS style)."""

    built_at: datetime
    suppression: SuppressionRule = field(default_factory=SuppressionRule)
    classification: Classification = "fisher_jenks"
    classes: int = 5

    @property
    def built(self) -> str:
        return self.built_at.strftime("%Y-%m-%d %H:%M %Z").strip()


def write_exports(picture: Picture, folder: Path, options: ExportOptions) -> list[Path]:
    """The export files in ``folder`` (see the module's docstring), each atomically."""
    current, every_round = _flat(picture.current), _flat(picture.every_round)
    values = layer_values(picture.current, STYLED.name)
    classes, _ = classify(values, options.classification, options.classes)
    styles = styles_table(
        LAYER, GEOMETRY_COLUMN, classes, STYLED, options.built_at, options.suppression
    )

    def geopackage(path: Path) -> None:
        current.to_file(
            path, layer=LAYER, driver="GPKG", layer_options={"GEOMETRY_NAME": GEOMETRY_COLUMN}
        )
        pyogrio.write_dataframe(styles, path, layer=STYLES_TABLE, driver="GPKG")

    privacy_th, privacy_en = options.suppression.note()
    notes = WorkbookNotes(options.built, privacy_th, privacy_en, picture.rounds)
    levels = [LevelPicture(KHET, picture.current, picture.every_round)]
    if len(picture.khwaeng_current) > 0:
        levels.append(LevelPicture(KHWAENG, picture.khwaeng_current, picture.khwaeng_every_round))
    return [
        write_atomically(folder / NEED_GPKG, geopackage),
        write_atomically(folder / NEED_PARQUET, lambda p: current.to_parquet(p, index=False)),
        write_csv(pd.DataFrame(every_round.drop(columns="geometry")), folder / NEED_CSV),
        write_csv(picture.coverage, folder / COVERAGE_CSV),
        write_csv(picture.rounds, folder / ROUNDS_CSV),
        write_atomically(folder / NEED_XLSX, lambda p: write_workbook(levels, notes, p)),
        *write_khwaeng_exports(picture, folder),
    ]


def write_khwaeng_exports(picture: Picture, folder: Path) -> list[Path]:
    """khwaeng_need.gpkg (the current picture per khwaeng) and khwaeng_need.csv (every round);
    none when the picture has no khwaeng rows (a Picture made without them)."""
    if len(picture.khwaeng_current) == 0:
        return []
    current, every_round = _flat(picture.khwaeng_current), _flat(picture.khwaeng_every_round)
    return [
        write_atomically(
            folder / KHWAENG_GPKG,
            lambda p: current.to_file(p, layer=KHWAENG_LAYER, driver="GPKG"),
        ),
        write_csv(pd.DataFrame(every_round.drop(columns="geometry")), folder / KHWAENG_CSV),
    ]


def _flat(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """GeoPackage and CSV hold no lists: the hidden indicators as one comma-separated text."""
    return frame.assign(suppressed_indicators=frame["suppressed_indicators"].map(", ".join))
