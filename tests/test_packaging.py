"""The wheel holds every package and the data files read at run time (pyproject's find config)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).parents[1]


def _config() -> dict[str, object]:
    tools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    setuptools: dict[str, object] = tools["setuptools"]
    return setuptools


def test_every_package_under_src_is_found() -> None:
    find = _config()["packages"]["find"]  # type: ignore[index]
    found = {
        name
        for where in find["where"]
        for name in find_packages(ROOT / where, include=find["include"])
    }
    on_disk = {
        ".".join(init.parent.relative_to(ROOT / "src").parts)
        for init in (ROOT / "src").rglob("__init__.py")
        if ".egg-info" not in str(init)
    }
    assert on_disk <= found, sorted(on_disk - found)
    assert "flows" in found


def test_data_files_read_at_run_time_are_package_data() -> None:
    data: dict[str, list[str]] = _config()["package-data"]  # type: ignore[assignment]
    for package in ("citywide.ingest", "citywide.data"):
        folder = ROOT / "src" / Path(*package.split("."))
        files = [
            p.relative_to(folder).as_posix()
            for p in folder.rglob("*")
            if p.is_file() and p.suffix in {".toml", ".sql", ".csv"}
        ]
        assert files, package
        for name in files:
            assert any(fnmatch.fnmatch(name, pattern) for pattern in data[package]), (package, name)
