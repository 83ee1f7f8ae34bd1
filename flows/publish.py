"""Flow: the database's communities -> need indicators -> exports -> maps."""

from __future__ import annotations

from prefect import flow

from citywide.settings import Settings
from flows import tasks


@flow(name="publish")
def publish(settings: Settings | None = None) -> dict[str, object]:
    settings = settings or Settings()
    rounds = tasks.build_indicators(settings)
    exported = tasks.write_exports(settings)
    maps = tasks.write_maps(settings)
    return {"khet_need": rounds, "exports": exported, "maps": maps}
