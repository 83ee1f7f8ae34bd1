"""The schedule of `citywide serve` and the deployment in prefect.yaml agree."""

from __future__ import annotations

import asyncio
import importlib
import importlib.metadata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from citywide.errors import SettingsError
from citywide.settings import Settings
from flows import deployment
from flows.citywide import citywide

PREFECT_YAML = Path(__file__).parents[2] / "prefect.yaml"


def test_the_default_schedule_is_six_in_the_morning_in_bangkok(
    clean_env: pytest.MonkeyPatch,
) -> None:
    schedule = deployment.schedule(Settings())
    assert (schedule.cron, schedule.timezone) == ("0 6 * * *", "Asia/Bangkok")
    after = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)  # 07:00 in Bangkok
    first = next_run(schedule, after)
    assert first.astimezone(ZoneInfo("Asia/Bangkok")).isoformat() == "2026-11-22T06:00:00+07:00"


def next_run(schedule: Any, after: datetime) -> datetime:
    from prefect.server.schemas.schedules import CronSchedule  # the server computes run times

    server_side = CronSchedule(cron=schedule.cron, timezone=schedule.timezone)
    (date,) = asyncio.run(server_side.get_dates(n=1, start=after))
    return datetime.fromisoformat(str(date))


def test_the_schedule_is_configurable_and_checked(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CITYWIDE_SCHEDULE_CRON", "30 5 * * 1-5")
    clean_env.setenv("CITYWIDE_SCHEDULE_TIMEZONE", "UTC")
    schedule = deployment.schedule(Settings())
    assert (schedule.cron, schedule.timezone) == ("30 5 * * 1-5", "UTC")
    with pytest.raises(SettingsError, match="cron expression Prefect accepts"):
        deployment.schedule(Settings(schedule_cron="61 6 * * *"))


def test_prefect_yaml_declares_the_same_deployment(clean_env: pytest.MonkeyPatch) -> None:
    declared = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))
    (entry,) = declared["deployments"]
    assert entry["name"] == deployment.DEPLOYMENT_NAME
    path, function = entry["entrypoint"].split(":")
    module = path.removesuffix(".py").replace("/", ".")
    assert getattr(importlib.import_module(module), function) is citywide
    (schedule,) = entry["schedules"]
    defaults = Settings()
    assert (schedule["cron"], schedule["timezone"]) == (
        defaults.schedule_cron,
        defaults.schedule_timezone,
    )
    assert entry["concurrency_limit"]["limit"] == 1
    assert declared["prefect-version"] == importlib.metadata.version("prefect")
