"""The top-level flow: the whole pipeline, as `citywide run` and `make demo` run it.

Fetch the reference sources -> build the geography -> ingest the BMA community registry as the
survey round ``bma_registry`` -> publish (need indicators, exports, maps in MAPS_DIR).
"""

from __future__ import annotations

from prefect import flow

from citywide.settings import Settings
from citywide.sources import COMMUNITY_REGISTRY, raw_path
from flows import tasks
from flows.geography import build_geography
from flows.ingest import ingest_returns
from flows.publish import publish

REGISTRY_ROUND = "bma_registry"


@flow(name="citywide")
def citywide(settings: Settings | None = None) -> dict[str, object]:
    settings = settings or Settings()
    tasks.fetch_all(settings)
    tables = build_geography(settings)
    registry = ingest_returns([raw_path(COMMUNITY_REGISTRY, settings)], REGISTRY_ROUND, settings)
    published = publish(settings)
    return {"tables": tables, "ingested": registry, "published": published}
