"""citywide keeps Prefect from phoning home however it is started (not only by the Makefile)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows import configure_prefect_environment

# what Prefect itself decides, after `import flows` and then prefect (as `citywide run` does)
PREFECT_VIEW = """
import json, logging, os
import flows.citywide
from prefect.settings import get_current_settings
from prefect._internal.analytics import is_telemetry_enabled
settings = get_current_settings()
print(json.dumps({
    "server_analytics": settings.server.analytics_enabled,
    "sdk_analytics": is_telemetry_enabled(),
    "extra_loggers": settings.logging.extra_loggers,
    "citywide_level": logging.getLogger("citywide").getEffectiveLevel(),
}))
"""
CI_MARKERS = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "TF_BUILD", "JENKINS_URL")


def prefect_view(tmp_path: Path, **extra: str) -> dict[str, object]:
    """Run PREFECT_VIEW with no PREFECT_* variable, no DO_NOT_TRACK and no CI marker."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PREFECT_")
        and name != "DO_NOT_TRACK"
        and name not in CI_MARKERS
        and not name.startswith(("GITHUB_", "CI_"))
    }
    env |= {"PREFECT_HOME": str(tmp_path / "prefect-home"), **extra}
    done = subprocess.run(
        [sys.executable, "-c", PREFECT_VIEW],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    view = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(view, dict)
    return view


def test_telemetry_is_off_in_a_clean_environment(tmp_path: Path) -> None:
    view = prefect_view(tmp_path)
    assert view["server_analytics"] is False  # the server's heartbeat ("Failed to send telemetry")
    assert view["sdk_analytics"] is False  # the SDK's usage events
    assert view["extra_loggers"] == ["citywide"]
    assert view["citywide_level"] == 20  # INFO: file outcomes reach the terminal and Prefect


def test_an_operators_explicit_choice_is_kept(tmp_path: Path) -> None:
    view = prefect_view(
        tmp_path,
        PREFECT_SERVER_ANALYTICS_ENABLED="true",
        DO_NOT_TRACK="0",
        PREFECT_LOGGING_EXTRA_LOGGERS="distributed",
    )
    assert view["server_analytics"] is True
    assert view["sdk_analytics"] is True
    loggers = view["extra_loggers"]
    assert isinstance(loggers, list)
    assert sorted(loggers) == ["citywide", "distributed"]  # Prefect keeps them in no order


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, "citywide"),
        ({"PREFECT_LOGGING_EXTRA_LOGGERS": "citywide"}, "citywide"),
        ({"PREFECT_LOGGING_EXTRA_LOGGERS": "dask, citywide"}, "dask, citywide"),
        ({"PREFECT_LOGGING_EXTRA_LOGGERS": "dask"}, "dask,citywide"),
    ],
)
def test_citywide_is_added_to_prefects_extra_loggers(given: dict[str, str], expected: str) -> None:
    environ = dict(given)
    configure_prefect_environment(environ)
    assert environ["PREFECT_LOGGING_EXTRA_LOGGERS"] == expected
    assert environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert environ["DO_NOT_TRACK"] == "1"


def test_a_prefect_server_that_cannot_start_is_a_message_not_a_traceback() -> None:
    from citywide.errors import PrefectUnavailable
    from flows.runners import prefect_server

    with pytest.raises(PrefectUnavailable) as raised, prefect_server():
        raise RuntimeError("Timed out while attempting to connect to ephemeral Prefect API server.")
    assert "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS" in str(raised.value)
    with pytest.raises(RuntimeError, match="other"), prefect_server():
        raise RuntimeError("some other failure")
