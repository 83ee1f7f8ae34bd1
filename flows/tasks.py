"""Prefect tasks: the only steps that touch files or the database.

No task is cached by Prefect (NO_CACHE), so no DataFrame or connection ever reaches Prefect's
cache or result storage. Incremental runs are keyed instead by file sha256 and settings
(citywide.plan): the keys live in the database (``pipeline_state``, ``source_file``), in
PROCESSED_DIR/published.json and in the names of prepared-file folders.

Tasks that write take the path of the run's working copy of the database (``database``), never
the published file: see citywide.db.new_version.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd
from prefect import Task, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.runtime import flow_run
from prefect.states import Completed, Failed

from citywide import db, exports, files, geography, indicators, locations, plan, report
from citywide.errors import DownloadFailed, SourcesFailed
from citywide.gazetteer import load_gazetteer
from citywide.ingest import load as ingest_load
from citywide.ingest.discovery import SurveyFile, SurveyScan, hashed_surveys
from citywide.ingest.outcome import PreparedTable, TableReport, read_manifest, write_manifest
from citywide.locations import Locations
from citywide.mapping.picture import read_picture, read_progress
from citywide.register.build import RegisterBuilt, build_register
from citywide.register.decisions import decisions_key, read_decisions
from citywide.register.link import LinkRules
from citywide.results import RunResult
from citywide.rounds import REGISTRY_ROUND, RoundProgress
from citywide.settings import Settings
from citywide.sources import (
    COMMUNITY_REGISTRY,
    FetchResult,
    fetch_source,
    fetch_sources,
    source_by_id,
)

BANGKOK = ZoneInfo("Asia/Bangkok")
FILE_RETRIES = 2
FILE_RETRY_DELAYS: list[float] = [2, 10]
FETCH_RETRY_DELAYS: list[float] = [3, 10]  # a transient download failure: 13 s at most

# What a run does, for operators (terminal and the Prefect run's log): file names, round labels,
# counts and seconds only, never a value from a file (no row contents, no personal data).
log = logging.getLogger("citywide.flows")


@contextlib.contextmanager
def timed(step: str) -> Iterator[None]:
    """Log a step's start and its duration (also when it fails)."""
    started = time.perf_counter()
    log.info("%s: started", step)
    try:
        yield
    except BaseException:
        log.error("%s: failed after %.1f s", step, time.perf_counter() - started)
        raise
    log.info("%s: done in %.1f s", step, time.perf_counter() - started)


def _shown(path: Path, settings: Settings) -> str:
    """A survey file's path as the operator knows it: relative to RAW_DIR when inside it."""
    try:
        return path.relative_to(settings.raw_dir).as_posix()
    except ValueError:
        return path.name


def _only_transient_downloads(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry a fetch only when a download failed in a way that may pass (a timeout, HTTP 5xx).

    A missing or wrong file stays wrong, and no network (name not resolved, connection refused)
    is not worth waiting for: those fail at once.
    """
    error = state.result(raise_on_failure=False)
    failures = error.failures if isinstance(error, SourcesFailed) else [error]
    return any(isinstance(f, DownloadFailed) and f.transient for f in failures)


def _only_os_errors(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry file steps on I/O errors (a share that dropped, a full disk freed), not on bad data."""
    return isinstance(state.result(raise_on_failure=False), OSError)


# Every task that reads or writes files: retried on I/O errors, never cached.
file_task = task(
    retries=FILE_RETRIES,
    retry_delay_seconds=FILE_RETRY_DELAYS,
    retry_condition_fn=_only_os_errors,
    cache_policy=NO_CACHE,
)


@task(
    retries=len(FETCH_RETRY_DELAYS),
    retry_delay_seconds=FETCH_RETRY_DELAYS,
    retry_condition_fn=_only_transient_downloads,
    cache_policy=NO_CACHE,
)
def fetch_all(settings: Settings) -> list[FetchResult] | State[Any]:
    """Every registered source; all are tried before any failure is reported.

    A failure is returned as a Failed state holding the SourcesFailed (Prefect retries it while
    the retry condition holds), not raised: the operator gets its message once, from the CLI,
    instead of Prefect's tracebacks of it.
    """
    try:
        return fetch_sources(settings)
    except SourcesFailed as error:
        return Failed(message=error.problem, data=error)


@task(
    task_run_name="fetch {source_id}",
    retries=len(FETCH_RETRY_DELAYS),
    retry_delay_seconds=FETCH_RETRY_DELAYS,
    retry_condition_fn=_only_transient_downloads,
    cache_policy=NO_CACHE,
)
def fetch(source_id: str, settings: Settings) -> FetchResult:
    return fetch_source(source_by_id(source_id), settings)


# --- what to do --------------------------------------------------------------------------------


@file_task
def find_survey_files(fetched: list[FetchResult], settings: Settings) -> SurveyScan:
    """The registry (round bma_registry, hashed by its fetch) and every file in
    RAW_DIR/surveys/<round>/, hashed; what cannot be read there is skipped with its reason."""
    (registry,) = [r.files[0] for r in fetched if r.source.id == COMMUNITY_REGISTRY.id]
    registered = SurveyFile(registry.path, REGISTRY_ROUND, registry.sha256)
    scan = hashed_surveys(Locations.from_settings(settings).surveys_dir, [registered])
    for skip in scan.skipped:
        log.warning("skipped %s: %s", _shown(skip.path, settings), skip.reason.split(" / ")[-1])
    return scan


@file_task
def read_published_state(settings: Settings) -> plan.PublishedState:
    """The keys, files and need index of the published database, and published.json."""
    return plan.read_published_state(Locations.from_settings(settings))


@task(cache_policy=NO_CACHE)
def plan_run(
    fetched: list[FetchResult],
    surveys: SurveyScan,
    state: plan.PublishedState,
    settings: Settings,
) -> plan.Plan:
    places = Locations.from_settings(settings)
    outputs_present = plan.outputs_present(state, places)
    run_plan = plan.plan_run(
        _source_files(fetched), list(surveys.files), state, settings, outputs_present,
        surveys.skipped, decisions_key(places.links_dir),
    )  # fmt: skip
    for line in plan.decisions(run_plan):
        log.info("plan: %s", line)
    return run_plan


def _source_files(fetched: list[FetchResult]) -> list[tuple[str, str, str]]:
    return [
        (result.source.id, declared.path, declared.sha256)
        for result in fetched
        for declared in result.source.files
    ]


# --- geography ---------------------------------------------------------------------------------


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
def build_khet_lookup(khet: gpd.GeoDataFrame) -> pd.DataFrame:
    return geography.build_khet_lookup(khet)


@task(cache_policy=NO_CACHE)
def publish_tables(
    tables: dict[str, pd.DataFrame], fetched: list[FetchResult], database: Path
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
    with db.connect(database) as connection:
        db.replace_tables(connection, {**tables, "reference_source": lineage})
        db.record_step(connection, "geography", plan.geography_key(_source_files(fetched)))
    return {name: len(frame) for name, frame in tables.items()}


# --- survey files ------------------------------------------------------------------------------


@task(cache_policy=NO_CACHE)
def prepare_survey_tables(database: Path) -> None:
    """The ingest tables in the working copy; prepared folders left by killed runs of other days
    are removed (their "future date" check was made against another day)."""
    for stale in locations.prepared_dir(database).glob("*"):
        if not locations.prepared_today(stale, date.today()):
            shutil.rmtree(stale, ignore_errors=True)
    with db.connect(database) as connection:
        ingest_load.require_geography(connection, str(database))
        ingest_load.ensure_tables(connection)


@file_task
def _prepare_file(survey: SurveyFile, database: Path) -> list[PreparedTable]:
    """Read and check one file into Parquet beside the database; write nothing to it.

    Runs anywhere the files are visible (a thread, a Dask worker): it opens the working copy
    read-only, which any number of processes may do at once. The folder is named by the file's
    sha256 and today's date (the rules' "future date" check depends on it), so a run killed
    before merging finds the work done.
    """
    folder = locations.prepared_folder(database, survey.sha256, date.today())
    earlier = read_manifest(folder)
    if earlier is not None:
        log.info("prepare %s: prepared by an earlier run today, reused", survey.path.name)
        return earlier
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    size_mb = survey.path.stat().st_size / 1e6
    log.info("prepare %s (round %s, %.1f MB): started", survey.path.name, survey.survey_round,
             size_mb)  # fmt: skip
    with db.connect(database, read_only=True) as connection, connection.cursor() as cursor:
        prepared = [
            ingest_load.save_prepared(cursor, table, folder)
            for table in ingest_load.prepare_file(
                cursor, survey.path, survey.sha256, survey.survey_round, date.today()
            )
        ]
    write_manifest(folder, prepared)
    seconds = time.perf_counter() - started
    rows = sum(table.report.rows_read for table in prepared)
    log.info("prepare %s: %s rows read in %.1f s (%s rows/s)", survey.path.name, f"{rows:,}",
             seconds, f"{rows / max(seconds, 1e-3):,.0f}")  # fmt: skip
    return prepared


prepare_file = _prepare_file.with_options(
    name="prepare_file", task_run_name="prepare {survey.path.name}"
)


@task(task_run_name="merge {survey.path.name}", cache_policy=NO_CACHE)
def merge_file(
    survey: SurveyFile, prepared: list[PreparedTable], database: Path
) -> list[TableReport]:
    """Add a prepared file to the working copy: one transaction per table of it."""
    started = time.perf_counter()
    with db.connect(database) as connection, connection.cursor() as cursor:
        reports = ingest_load.already_ingested(
            cursor, survey.path, survey.sha256, survey.survey_round
        ) or ingest_load.merge_saved(cursor, prepared, survey.survey_round, date.today())
    locations.discard_prepared(locations.prepared_folder(database, survey.sha256, date.today()))
    seconds = time.perf_counter() - started
    for table in reports:
        log_outcome(table, survey.survey_round, seconds)
    return reports


def log_outcome(report: TableReport, survey_round: str, seconds: float) -> None:
    """One line per table merged: counts and status (the reason of a failure, which may quote
    the file, stays in the run report and source_file.message)."""
    sheet = f" [sheet {report.sheet}]" if report.sheet else ""
    level = logging.WARNING if report.status == "failed" else logging.INFO
    log.log(
        level,
        "merge %s%s (round %s): %s; read %s, loaded %s, rejected %s, superseded %s, "
        "warnings %s (%.1f s)%s",
        report.path.name, sheet, survey_round, report.status, f"{report.rows_read:,}",
        f"{report.rows_loaded:,}", f"{report.rows_rejected:,}", f"{report.rows_superseded:,}",
        f"{report.warnings:,}", seconds,
        ": see the run report for why" if report.status == "failed" else "",
    )  # fmt: skip


# --- indicators and outputs --------------------------------------------------------------------


@file_task
def link_records(database: Path, settings: Settings) -> RegisterBuilt:
    """The community register, every record's link, coverage and change (citywide.register),
    with the link decisions in RAW_DIR/links/."""
    read = read_decisions(Locations.from_settings(settings).links_dir)
    for problem in read.problems:  # file, sheet and row only: a problem never quotes a cell
        log.warning("link decisions: %s", problem.message)
    with db.connect(database) as connection:
        built = build_register(connection, LinkRules.from_settings(settings), read.decisions)
    log.info(
        "link: %s rounds, %s register communities; links %s; %s pending review; "
        "%s decisions applied, %s not applied; %s not found",
        built.rounds, f"{built.communities:,}",
        ", ".join(f"{method} {count:,}" for method, count in sorted(built.links.items())),
        built.pending_review, built.decisions_applied, built.decisions_not_applied,
        built.not_found,
    )  # fmt: skip
    return built


@task(cache_policy=NO_CACHE)
def build_indicators(database: Path, settings: Settings) -> dict[str, int]:
    """khet_need, khwaeng_need and their views from the communities in the database; khet rows
    per round."""
    with db.connect(database) as connection:
        tables = indicators.every_need_table(connection, settings.need_weights)
        need = tables["khet_need"]
        db.replace_tables(connection, tables, views=indicators.views(settings.suppression))
        geography_key, _ = db.step_keys(connection).get("geography", ("", None))
        key = plan.indicators_key(
            settings,
            ingest_load.last_file_id(connection),
            geography_key,
            decisions_key(Locations.from_settings(settings).links_dir),
        )
        db.record_step(connection, "indicators", key)
    return {str(k): int(v) for k, v in need.groupby("survey_round").size().items()}


@file_task
def write_exports(settings: Settings) -> list[str]:
    """The current picture (GeoPackage with its QGIS style, GeoParquet), every round, the
    coverage and the rounds (CSV), and the workbook (xlsx) in PROCESSED_DIR/exports."""
    with db.connect(settings.duckdb_path, read_only=True) as connection:
        picture = exports.read_picture(connection)
    options = exports.ExportOptions(
        datetime.now(BANGKOK),
        settings.suppression,
        settings.map_classification,
        settings.map_classes,
    )
    paths = exports.write_exports(picture, Locations.from_settings(settings).exports_dir, options)
    return [str(path) for path in paths]


@file_task
def write_maps(settings: Settings) -> list[str]:
    """The current picture's and every round's map pages, each written atomically in MAPS_DIR.

    Pages this run did not write (an indicator without data now, a round no longer in the
    database) are removed, so index.html and the folder agree.
    """
    # the mapping modules bring matplotlib and mapclassify: only a run that draws pays for them
    from citywide.mapping.about import methods_missing
    from citywide.mapping.build import map_files, remove_stale_pages
    from citywide.mapping.options import MapOptions

    doc = Locations.from_settings(settings).indicators_doc
    try:
        methods = doc.read_text(encoding="utf-8")
    except OSError as error:
        raise methods_missing(doc, error) from error
    with db.connect(settings.duckdb_path, read_only=True) as connection:
        picture = read_picture(connection)
    options = MapOptions.from_settings(settings)
    contents = map_files(picture, options, datetime.now(BANGKOK), methods)
    written = files.write_files(settings.maps_dir, contents)
    remove_stale_pages(settings.maps_dir, contents)
    return [str(path) for path in written]


@file_task
def record_outputs(exported: list[str], maps: list[str], settings: Settings) -> None:
    """published.json: which database version and map settings the outputs were made from."""
    with db.connect(settings.duckdb_path, read_only=True) as connection:
        version = db.step_keys(connection).get("version")
    manifest = plan.outputs_manifest_json(
        version[0] if version else None,
        settings,
        [Path(path) for path in exported],
        [Path(path) for path in maps],
    )
    published = Locations.from_settings(settings).published_manifest
    files.write_files(published.parent, {published.name: manifest})


# --- the run report ----------------------------------------------------------------------------


@file_task
def report_run(
    started_at: datetime,
    run_plan: plan.Plan,
    before: plan.PublishedState,
    after: plan.PublishedState,
    ingested: list[TableReport],
    geography_counts: dict[str, int] | None,
    written: list[str],
    settings: Settings,
) -> report.RunReport:
    """The run's table and markdown artifacts in Prefect, and MAPS_DIR/report.html."""
    khets = load_gazetteer().khets
    run = report.run_report(
        run_name=str(flow_run.get_name() or "local"),
        started_at=started_at,
        finished_at=datetime.now(BANGKOK),
        plan=run_plan,
        before=before,
        ingested=ingested,
        geography=geography_counts,
        need_after=after.need_index if run_plan.indicators else {},
        khet_names=dict(zip(khets["khet_code"], khets["name_en"], strict=True)),
        maps=[_link(Path(path), settings) for path in written],
        progress=_round_progress(settings),
    )
    create_table_artifact(
        key="citywide-files",
        table=report.file_table(run),
        description=f"Every survey file of this run: {run.outcome}",
    )
    create_markdown_artifact(
        key="citywide-run-summary", markdown=report.markdown(run), description=run.outcome
    )
    page = Locations.from_settings(settings).report_page
    files.write_files(page.parent, {page.name: report.html(run)})
    return run


def _round_progress(settings: Settings) -> tuple[RoundProgress, ...]:
    """How far each round has come, for the report's coverage section (none without a database)."""
    if not settings.duckdb_path.is_file():
        return ()
    with db.connect(settings.duckdb_path, read_only=True) as connection:
        return read_progress(connection)


def _link(path: Path, settings: Settings) -> str:
    """MAPS_URL + the path under maps/ (a round's pages sit in rounds/<label>/), else the path."""
    if settings.maps_url and path.resolve().is_relative_to(settings.maps_dir.resolve()):
        under = path.resolve().relative_to(settings.maps_dir.resolve()).as_posix()
        return f"{settings.maps_url.rstrip('/')}/{under}"
    return str(path.resolve())


def final_state(run: report.RunReport, result: RunResult) -> Any:
    """The flow's result, in a state named "Completed with problems" when a file failed."""
    if run.problems:
        names = ", ".join(sorted({row.file for row in run.problems}))
        return Completed(
            name="Completed with problems",
            message=f"{len(run.problems)} file table(s) could not be ingested: {names}",
            data=result,
        )
    return result
