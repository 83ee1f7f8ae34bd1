"""Flows: the database's communities -> need indicators -> exports -> maps."""

from __future__ import annotations

from prefect import flow

from citywide import db
from citywide.results import Outputs, Published
from citywide.settings import Settings
from flows import tasks
from flows.runners import DEFAULT_RUN_TIMEOUT_S


@flow(name="write-outputs")
def write_outputs(settings: Settings) -> Outputs:
    """Exports and maps from the published database, then the record of what they show."""
    exported = tasks.write_exports(settings)
    maps = tasks.write_maps(settings)
    tasks.record_outputs(exported, maps, settings)
    return Outputs(tuple(exported), tuple(maps))


@flow(name="publish", timeout_seconds=DEFAULT_RUN_TIMEOUT_S)
def publish(settings: Settings | None = None) -> Published:
    """`citywide publish`: rebuild the need indicators, then the exports and maps."""
    settings = settings or Settings()
    with db.writer_lock(settings.duckdb_path, settings.lock_timeout_s):
        with db.new_version(settings.duckdb_path) as work:
            tasks.link_records(work, settings)
            rounds = tasks.build_indicators(work, settings)
        return Published(rounds, write_outputs(settings))
