"""The scheduled deployment of the `citywide` flow, for `citywide serve` (prefect.yaml declares
the same one for a work pool)."""

from __future__ import annotations

from typing import Any

from prefect.schedules import Cron, Schedule

from citywide.errors import SettingsError
from citywide.settings import Settings
from flows.citywide import citywide
from flows.runners import with_timeout

DEPLOYMENT_NAME = "citywide-daily"


def schedule(settings: Settings) -> Schedule:
    """SCHEDULE_CRON in SCHEDULE_TIMEZONE (default: 06:00 every day, Bangkok time)."""
    try:
        return Cron(settings.schedule_cron, timezone=settings.schedule_timezone)
    except ValueError as error:
        raise SettingsError(
            "the schedule is not a cron expression Prefect accepts",
            expected="5 cron fields such as '0 6 * * *' (06:00 daily); no random or hashed fields",
            found=settings.schedule_cron,
            where="CITYWIDE_SCHEDULE_CRON (or citywide serve --cron)",
            fix="correct the expression; crontab.guru explains the fields",
        ) from error


def parameters(settings: Settings) -> dict[str, Any]:
    """The settings `citywide serve` was started with, so scheduled runs use the same ones."""
    return {"settings": settings.model_dump(mode="json")}


def serve(settings: Settings) -> None:
    """Serve the flow on its schedule until the process is stopped."""
    with_timeout(citywide, settings).serve(
        name=DEPLOYMENT_NAME,
        schedules=[schedule(settings)],
        parameters=parameters(settings),
        description="Bangkok city-wide housing survey: new district returns -> maps and report.",
        tags=["citywide"],
    )
