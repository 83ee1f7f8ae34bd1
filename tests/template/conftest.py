"""A database with Bangkok's real geography and the community register seeded from the real
BMA registry (built once per session), for the templates' tests."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from citywide import db
from citywide.ingest.load import ensure_tables, ingest_file
from citywide.register.build import build_register
from citywide.register.decisions import no_decisions
from citywide.register.link import LinkRules
from citywide.rounds import REGISTRY_ROUND
from citywide.sources import COMMUNITY_REGISTRY
from tests.ingest.conftest import geography_db

__all__ = ["geography_db"]
TODAY = dt.date(2026, 6, 30)


@pytest.fixture(scope="session")
def register_db(
    geography_db: Path, real_sources_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The geography database with the real registry ingested and the register built."""
    path = tmp_path_factory.mktemp("register") / "citywide.duckdb"
    shutil.copyfile(geography_db, path)
    with db.connect(path) as connection:
        ensure_tables(connection)
        ingest_file(
            connection, real_sources_dir / COMMUNITY_REGISTRY.main_path, REGISTRY_ROUND, TODAY
        )
        build_register(connection, LinkRules(), no_decisions())
    return path


@pytest.fixture
def survey_copy(register_db: Path, tmp_path: Path) -> Path:
    """A copy of the register database to ingest returns into."""
    path = tmp_path / "citywide.duckdb"
    shutil.copyfile(register_db, path)
    return path
