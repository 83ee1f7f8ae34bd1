"""Shared fixtures. Prefect is pointed at a throwaway home before anything imports it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="citywide-prefect-home-"))

import pytest

from citywide.settings import Settings

ENVIRONMENT_SETTINGS = [f"CITYWIDE_{name.upper()}" for name in Settings.model_fields]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No CITYWIDE_* variable from the developer's shell reaches the test."""
    for name in ENVIRONMENT_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def settings(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> Settings:
    """Settings writing only under tmp_path, with no local sources folder."""
    return Settings(data_dir=tmp_path / "data", maps_dir=tmp_path / "maps")


@pytest.fixture(scope="session")
def real_sources_dir() -> Path:
    """The real Bangkok files. Skipped on a machine without them; a failure in CI."""
    value = os.environ.get("CITYWIDE_SOURCES_DIR")
    if value and Path(value).is_dir():
        return Path(value).resolve()
    message = "real-data test needs CITYWIDE_SOURCES_DIR pointing at ../shared/data"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def real_settings(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, real_sources_dir: Path
) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", maps_dir=tmp_path / "maps", sources_dir=real_sources_dir
    )


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A temporary Prefect server and database for the flow tests (started once)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield
