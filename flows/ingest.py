"""Flow: survey returns (files or folders) -> community tables in DuckDB, one task per file."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from citywide.ingest.files import survey_files, survey_round
from citywide.settings import Settings
from flows import tasks


@flow(name="ingest")
def ingest_returns(
    paths: list[Path], round_label: str | None = None, settings: Settings | None = None
) -> list[dict[str, object]]:
    """Ingest each file in order; a file that cannot be read is recorded and the rest go on."""
    settings = settings or Settings()
    files = survey_files(paths)
    rounds = [survey_round(path, settings.raw_dir, round_label) for path in files]
    tasks.prepare_survey_tables(settings)
    reports: list[dict[str, object]] = []
    for path, label in zip(files, rounds, strict=True):
        reports += tasks.ingest_file(path, label, settings)
    return reports
