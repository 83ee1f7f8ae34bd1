"""The task runner per-file preparation runs on (threads here, or a Dask cluster), and the
timeout of the flows that hold the writer lock."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from prefect import Flow
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from citywide.settings import Settings

F = TypeVar("F", bound=Flow[Any, Any])
# the decorators' timeout (a deployment from prefect.yaml); runs started by citywide use
# RUN_TIMEOUT_S through with_timeout
DEFAULT_RUN_TIMEOUT_S: float = Settings.model_fields["run_timeout_s"].default


def with_timeout(flow: F, settings: Settings) -> F:
    """The flow, stopped after RUN_TIMEOUT_S (Prefect's flow timeout): a hung run ends as
    TimedOut, which releases the writer lock and leaves the published database as it was."""
    return cast("F", flow.with_options(timeout_seconds=settings.run_timeout_s))


def task_runner(settings: Settings) -> TaskRunner[Any]:
    """Threads by default; TASK_RUNNER=dask uses DASK_ADDRESS or a local cluster of processes."""
    if settings.task_runner == "threads":
        return ThreadPoolTaskRunner(max_workers=settings.workers)
    from prefect_dask.task_runners import (
        DaskTaskRunner,  # only a Dask run pays for importing distributed
    )

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": settings.workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,  # no web server on an operator's machine by surprise
        }
    )
