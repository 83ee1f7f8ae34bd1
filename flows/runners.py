"""The task runner per-file preparation runs on: threads here, or a Dask cluster."""

from __future__ import annotations

from typing import Any

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from citywide.settings import Settings


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
