"""Fixtures for ingestion: a database with Bangkok's real geography, and district returns."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from citywide import db, geography
from citywide.gazetteer import load_gazetteer
from citywide.ingest.load import ensure_tables
from citywide.sources import KHET_BOUNDARIES, KHET_POPULATION, KHWAENG_BOUNDARIES
from tests.ingest.district_returns import write_district_returns
from tests.ingest.tiny_geography import build_tiny_tables


@pytest.fixture(scope="session")
def geography_db(tmp_path_factory: pytest.TempPathFactory, real_sources_dir: Path) -> Path:
    """A database holding khet, khwaeng and khet_lookup built from the real files (once)."""
    tables = geography.build_tables(
        real_sources_dir / KHET_BOUNDARIES.main_path,
        real_sources_dir / KHWAENG_BOUNDARIES.main_path,
        real_sources_dir / KHET_POPULATION.main_path,
        load_gazetteer(),
    )
    path = tmp_path_factory.mktemp("geography") / "citywide.duckdb"
    with db.connect(path) as connection:
        db.replace_tables(connection, tables)
    return path


@pytest.fixture
def survey_db(geography_db: Path, tmp_path: Path) -> Path:
    """A fresh copy of the geography database with empty survey tables."""
    path = tmp_path / "citywide.duckdb"
    shutil.copyfile(geography_db, path)
    with db.connect(path) as connection:
        ensure_tables(connection)
    return path


@pytest.fixture
def district_returns(tmp_path: Path) -> Path:
    return write_district_returns(tmp_path)


@pytest.fixture(scope="session")
def tiny_geography_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the tiny synthetic geography (tests/ingest/tiny_geography.py), once."""
    path = tmp_path_factory.mktemp("tiny_geography") / "citywide.duckdb"
    with db.connect(path) as connection:
        db.replace_tables(connection, build_tiny_tables())
    return path


@pytest.fixture
def tiny_survey_db(tiny_geography_db: Path, tmp_path: Path) -> Path:
    """A fresh copy of the tiny geography database with empty survey tables."""
    path = tmp_path / "citywide.duckdb"
    shutil.copyfile(tiny_geography_db, path)
    with db.connect(path) as connection:
        ensure_tables(connection)
    return path
