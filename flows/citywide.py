"""The top-level flow: the whole pipeline, as `citywide run` and `make demo` run it.

Stages so far: fetch the reference sources -> build the geography. Ingestion, indicators and
publication join this recipe as they are built.
"""

from __future__ import annotations

from prefect import flow

from citywide.settings import Settings
from flows import tasks
from flows.geography import build_geography


@flow(name="citywide")
def citywide(settings: Settings | None = None) -> dict[str, int]:
    settings = settings or Settings()
    tasks.fetch_all(settings)
    return build_geography(settings)
