"""The top-level flow: the whole pipeline (`citywide run`, `citywide serve`, `make demo`).

Fetch the reference sources -> plan from what changed -> (geography -> ingest the new survey
files -> need indicators, in a working copy that replaces the database at the end) -> exports and
maps -> run report. Each step runs only when its inputs changed (citywide.plan); one run writes
at a time (citywide.db.writer_lock).
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from prefect import flow
from prefect.states import Failed

from citywide import db
from citywide.ingest.outcome import TableReport
from citywide.results import Outputs, Published, RunResult
from citywide.settings import Settings
from citywide.sources import FetchResult
from flows import tasks
from flows.geography import build_geography
from flows.ingest import ingest_surveys
from flows.publish import write_outputs
from flows.runners import DEFAULT_RUN_TIMEOUT_S, task_runner


@flow(name="citywide", timeout_seconds=DEFAULT_RUN_TIMEOUT_S)
def citywide(settings: Settings | None = None) -> RunResult:
    settings = settings or Settings()
    started = datetime.now(tasks.BANGKOK)
    tables: dict[str, int] | None = None
    ingested: list[TableReport] = []
    rounds: dict[str, int] = {}
    outputs = Outputs()
    with db.writer_lock(settings.duckdb_path, settings.lock_timeout_s):
        with tasks.timed("fetch sources"):
            fetching = tasks.fetch_all(settings, return_state=True)
        if fetching.is_failed():  # no sources, nothing to do: the CLI prints the error once
            error = fetching.result(raise_on_failure=False)
            return cast("RunResult", Failed(message=fetching.message, data=error))
        fetched = cast("list[FetchResult]", fetching.result())
        with tasks.timed("plan"):
            before = tasks.read_published_state(settings)
            surveys = tasks.find_survey_files(fetched, settings)
            plan = tasks.plan_run(fetched, surveys, before, settings)
        if plan.writes_database:
            with db.new_version(settings.duckdb_path) as work:
                if plan.geography:
                    with tasks.timed("geography"):
                        tables = build_geography(fetched, work)
                if plan.new_files:
                    ingest = ingest_surveys.with_options(task_runner=task_runner(settings))
                    with tasks.timed(f"ingest {len(plan.new_files)} survey file(s)"):
                        ingested = ingest(list(plan.new_files), work)
                with tasks.timed("link"):
                    tasks.link_records(work, settings)
                with tasks.timed("indicators"):
                    rounds = tasks.build_indicators(work, settings)
        if plan.outputs:
            with tasks.timed("maps and exports"):
                outputs = write_outputs(settings)
        after = tasks.read_published_state(settings) if plan.writes_database else before
    run = tasks.report_run(
        started, plan, before, after, ingested, tables, outputs.written, settings
    )
    result = RunResult(plan, tables, tuple(ingested), Published(rounds, outputs), run)
    # a 'Completed with problems' State when a file failed: Prefect unwraps it for the caller
    return cast("RunResult", tasks.final_state(run, result))
