"""Shared fixtures. Prefect is pointed at a throwaway home before anything imports it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="citywide-prefect-home-"))

import pytest

from citywide.settings import Settings

ENVIRONMENT_SETTINGS = [f"CITYWIDE_{name.upper()}" for name in Settings.model_fields]
CHECKOUT = Path(__file__).resolve().parents[1]
GUARDED = ("data", "maps")  # the checkout's own output folders: tests write only under tmp_path

Snapshot = dict[str, tuple[int, int]]


@contextmanager
def isolated_build(root: Path, sources_dir: Path) -> Iterator[tuple[Settings, pytest.MonkeyPatch]]:
    """Settings of a whole build under ``root`` (data/, maps/), with no CITYWIDE_* variable of
    the machine's environment in force, and the patcher that keeps them cleared meanwhile."""
    with pytest.MonkeyPatch.context() as environment:
        for name in ENVIRONMENT_SETTINGS:
            environment.delenv(name, raising=False)
        yield (
            Settings(data_dir=root / "data", maps_dir=root / "maps", sources_dir=sources_dir),
            environment,
        )


def snapshot(root: Path, folders: tuple[str, ...] = GUARDED) -> Snapshot:
    """Every file and folder under ``root``/folder: relative name -> (size, mtime in ns).

    Folders count by name only (-1, 0): a file made and removed again leaves no trace.
    """
    found: Snapshot = {}
    for folder in folders:
        top = root / folder
        for path in [top, *sorted(top.rglob("*"))] if top.exists() else []:
            status = path.lstat()
            is_folder = path.is_dir() and not path.is_symlink()
            found[path.relative_to(root).as_posix()] = (
                (-1, 0) if is_folder else (status.st_size, status.st_mtime_ns)
            )
    return found


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """What differs between two snapshots, one line per name, sorted."""
    added = [f"added {name}" for name in after.keys() - before.keys()]
    removed = [f"removed {name}" for name in before.keys() - after.keys()]
    changed = [
        f"changed {name}" for name in before.keys() & after.keys() if before[name] != after[name]
    ]
    return sorted(added + removed + changed)


@pytest.fixture(scope="session", autouse=True)
def checkout_untouched() -> Iterator[None]:
    """Fail the session if any test wrote to the checkout's data/ or maps/."""
    before = snapshot(CHECKOUT)
    yield
    found = changes(before, snapshot(CHECKOUT))
    if found:
        pytest.fail(
            "tests wrote into the checkout (they must write only under tmp_path): "
            + ", ".join(found[:20]),
            pytrace=False,
        )


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


@pytest.fixture(scope="session")
def real_published(
    tmp_path_factory: pytest.TempPathFactory, real_sources_dir: Path, prefect_harness: None
) -> Settings:
    """Settings of a folder after one full run on the real Bangkok files (built once), for tests
    that read the published views as the outputs do. Read it; never write into it."""
    from flows.citywide import citywide  # Prefect: imported only by the tests that build

    root = tmp_path_factory.mktemp("real_published")
    settings = Settings(
        data_dir=root / "data", maps_dir=root / "maps", sources_dir=real_sources_dir
    )
    with pytest.MonkeyPatch.context() as environment:
        for name in ENVIRONMENT_SETTINGS:
            environment.delenv(name, raising=False)
        citywide(settings)
    return settings
