"""The task runner per-file preparation runs on (threads here, or a Dask cluster), and the
timeout of the flows that hold the writer lock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from prefect import Flow
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from citywide.errors import PrefectUnavailable
from citywide.settings import Settings

F = TypeVar("F", bound=Flow[Any, Any])
# the decorators' timeout (a deployment from prefect.yaml); runs started by citywide use
# RUN_TIMEOUT_S through with_timeout
DEFAULT_RUN_TIMEOUT_S: float = Settings.model_fields["run_timeout_s"].default


def with_timeout(flow: F, settings: Settings) -> F:
    """The flow, stopped after RUN_TIMEOUT_S (Prefect's flow timeout): a hung run ends as
    TimedOut, which releases the writer lock and leaves the published database as it was."""
    return cast("F", flow.with_options(timeout_seconds=settings.run_timeout_s))


@contextmanager
def prefect_server() -> Iterator[None]:
    """Prefect's own failure to reach or start its server, as a message an operator can act on
    (Prefect raises a bare RuntimeError, which would reach the terminal as a traceback)."""
    try:
        yield
    except RuntimeError as error:
        text = str(error)
        if "Prefect API" not in text and "ephemeral" not in text:
            raise
        raise PrefectUnavailable(
            "Prefect's server could not be reached or started",
            expected="a Prefect server at PREFECT_API_URL, or Prefect's temporary server started "
            "within PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS",
            found=text.splitlines()[0] if text else type(error).__name__,
            where="PREFECT_API_URL" if "PREFECT_API_URL" in os.environ else "temporary server",
            fix="try again when the machine is less busy, raise "
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or start a server "
            "(`prefect server start`) and set PREFECT_API_URL (README, Scheduled runs)",
        ) from None


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
