"""Prefect tasks: the only steps that touch files or the database.

Tasks hand frames to each other in memory; none is cached (NO_CACHE), so no DataFrame or
connection ever reaches Prefect's cache or result storage.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd
from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun

from citywide import db, exports, files, geography, indicators
from citywide.errors import DownloadFailed, SourcesFailed
from citywide.gazetteer import load_gazetteer
from citywide.ingest import load as ingest_load
from citywide.mapping.build import MapOptions, map_files, stale_pages
from citywide.mapping.page import Tiles
from citywide.settings import Settings
from citywide.sources import FetchResult, fetch_source, fetch_sources, source_by_id

BANGKOK = ZoneInfo("Asia/Bangkok")


def _only_download_failures(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry a fetch only when the network failed: a missing or wrong file stays wrong."""
    error = state.result(raise_on_failure=False)
    if isinstance(error, SourcesFailed):
        return any(isinstance(failure, DownloadFailed) for failure in error.failures)
    return isinstance(error, DownloadFailed)


@task(
    retries=2,
    retry_delay_seconds=[5, 30],
    retry_condition_fn=_only_download_failures,
    cache_policy=NO_CACHE,
)
def fetch_all(settings: Settings) -> list[FetchResult]:
    """Every registered source; all are tried before any failure is raised."""
    return fetch_sources(settings)


@task(
    task_run_name="fetch {source_id}",
    retries=2,
    retry_delay_seconds=[5, 30],
    retry_condition_fn=_only_download_failures,
    cache_policy=NO_CACHE,
)
def fetch(source_id: str, settings: Settings) -> FetchResult:
    return fetch_source(source_by_id(source_id), settings)


@task(cache_policy=NO_CACHE)
def build_khet(boundaries: FetchResult, population: FetchResult) -> gpd.GeoDataFrame:
    return geography.build_khet(
        geography.read_khet_boundaries(boundaries.main_path),
        geography.read_khet_population(population.main_path),
        load_gazetteer(),
    )


@task(cache_policy=NO_CACHE)
def build_khwaeng(boundaries: FetchResult, khet: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return geography.build_khwaeng(
        geography.read_khwaeng_boundaries(boundaries.main_path),
        khet,
        load_gazetteer(),
        geography.khwaeng_code_corrections(),
    )


@task(cache_policy=NO_CACHE)
def prepare_survey_tables(settings: Settings) -> None:
    with db.connect(settings.duckdb_path) as connection:
        ingest_load.require_geography(connection, str(settings.duckdb_path))
        ingest_load.ensure_tables(connection)


@task(task_run_name="ingest {path.name}", cache_policy=NO_CACHE)
def ingest_file(path: Path, survey_round: str, settings: Settings) -> list[dict[str, object]]:
    """One file: every table in it loaded, or recorded as failed; never raises for bad data."""
    with db.connect(settings.duckdb_path) as connection:
        reports = ingest_load.ingest_file(connection, path, survey_round, date.today())
    return [report.summary() for report in reports]


@task(cache_policy=NO_CACHE)
def build_khet_lookup(khet: gpd.GeoDataFrame) -> pd.DataFrame:
    return geography.build_khet_lookup(khet)


@task(cache_policy=NO_CACHE)
def publish_tables(
    tables: dict[str, pd.DataFrame], fetched: list[FetchResult], settings: Settings
) -> dict[str, int]:
    """Replace the tables and their lineage rows in one transaction; return row counts."""
    lineage = pd.DataFrame(
        [
            (result.source.id, declared.path, declared.url, declared.sha256)
            for result in fetched
            for declared in result.source.files
        ],
        columns=["source_id", "path", "origin_url", "sha256"],
    ).assign(loaded_at=datetime.now(UTC))
    with db.connect(settings.duckdb_path) as connection:
        db.replace_tables(connection, {**tables, "reference_source": lineage})
    return {name: len(frame) for name, frame in tables.items()}


@task(cache_policy=NO_CACHE)
def build_indicators(settings: Settings) -> dict[str, int]:
    """khet_need and its views from the communities in the database; rows per round."""
    with db.connect(settings.duckdb_path) as connection:
        counts = indicators.khet_counts(connection)
        need = indicators.khet_need(counts, settings.need_weights)
        db.replace_tables(
            connection, {"khet_need": need}, views=indicators.views(settings.suppression_k)
        )
    return {str(k): int(v) for k, v in need.groupby("survey_round").size().items()}


@task(retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE)
def write_exports(settings: Settings) -> list[str]:
    """GeoPackage, GeoParquet and CSV of the published khet_need in PROCESSED_DIR/exports."""
    with db.connect(settings.duckdb_path, read_only=True) as connection:
        latest = exports.published_need(connection, latest_only=True)
        every_round = exports.published_need(connection, latest_only=False)
    paths = exports.write_exports(latest, every_round, settings.processed_dir / "exports")
    return [str(path) for path in paths]


@task(retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE)
def write_maps(settings: Settings) -> list[str]:
    """The latest round's map pages, index.html and PNG in MAPS_DIR, each written atomically.

    Pages of indicators that have no published value this round are removed, so index.html and
    the folder agree.
    """
    with db.connect(settings.duckdb_path, read_only=True) as connection:
        latest = exports.published_need(connection, latest_only=True)
    options = MapOptions(
        classification=settings.map_classification,
        classes=settings.map_classes,
        simplify_m=settings.map_simplify_m,
        tiles=Tiles(settings.map_tiles, settings.map_tiles_attribution)
        if settings.map_tiles
        else None,
        suppression_k=settings.suppression_k,
    )
    contents = map_files(latest, options, datetime.now(BANGKOK))
    written = files.write_files(settings.maps_dir, contents)
    for stale in stale_pages(settings.maps_dir, contents):
        stale.unlink()
    return [str(path) for path in written]
