"""Flows: survey returns (files or folders) -> community tables in DuckDB.

Files are prepared in parallel on the task runner (threads, or Dask workers), each into Parquet
beside the database, then merged one at a time, in file order, by this process: DuckDB has one
writer, and the order decides ties between records of the same community.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from citywide import db
from citywide.ingest.discovery import SurveyFile, rounds_of, survey_files
from citywide.ingest.outcome import TableReport
from citywide.settings import Settings
from citywide.sources import file_sha256
from flows import tasks
from flows.runners import DEFAULT_RUN_TIMEOUT_S, task_runner


@flow(name="ingest-surveys")
def ingest_surveys(surveys: list[SurveyFile], database: Path) -> list[TableReport]:
    """Prepare every file at once on the task runner, then merge each in order."""
    tasks.prepare_survey_tables(database)
    # all prepared before the first merge: the merge opens the database for writing, which
    # DuckDB refuses while a preparing task still reads it
    futures = [tasks.prepare_file.submit(survey, database) for survey in surveys]
    prepared = [future.result() for future in futures]
    reports: list[TableReport] = []
    for survey, tables in zip(surveys, prepared, strict=True):
        reports += tasks.merge_file(survey, tables, database)
    return reports


@flow(name="ingest", timeout_seconds=DEFAULT_RUN_TIMEOUT_S)
def ingest_returns(
    paths: list[Path], round_label: str | None = None, settings: Settings | None = None
) -> list[TableReport]:
    """`citywide ingest`: the given files; one that cannot be read is recorded, the rest go on.

    Files in a folder whose name is no valid round label are reported as failed, not ingested.
    """
    settings = settings or Settings()
    rounds, invalid = rounds_of(survey_files(paths), settings.raw_dir, round_label)
    surveys = [SurveyFile(path, label, file_sha256(path)) for path, label in rounds]
    not_ingested = [
        TableReport(path, file_sha256(path), None, "failed", message=str(error))
        for path, error in invalid
    ]
    if not surveys:
        return not_ingested
    ingest = ingest_surveys.with_options(task_runner=task_runner(settings))
    with (
        db.writer_lock(settings.duckdb_path, settings.lock_timeout_s),
        db.new_version(settings.duckdb_path) as work,
    ):
        return ingest(surveys, work) + not_ingested
