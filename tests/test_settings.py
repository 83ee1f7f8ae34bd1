from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from citywide.settings import Settings


def test_defaults_follow_the_owners_layout(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.data_dir == Path("data")
    assert settings.raw_dir == Path("data/raw")
    assert settings.processed_dir == Path("data/processed")
    assert settings.duckdb_path == Path("data/processed/citywide.duckdb")
    assert settings.maps_dir == Path("maps")
    assert settings.sources_dir is None


def test_every_field_has_an_environment_override(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    values = {
        "CITYWIDE_DATA_DIR": tmp_path / "d",
        "CITYWIDE_RAW_DIR": tmp_path / "r",
        "CITYWIDE_PROCESSED_DIR": tmp_path / "p",
        "CITYWIDE_DUCKDB_PATH": tmp_path / "x.duckdb",
        "CITYWIDE_MAPS_DIR": tmp_path / "m",
        "CITYWIDE_SOURCES_DIR": tmp_path / "s",
    }
    for name, value in values.items():
        clean_env.setenv(name, str(value))
    clean_env.setenv("CITYWIDE_DOWNLOAD_TIMEOUT_S", "5")
    settings = Settings()
    assert settings.data_dir == values["CITYWIDE_DATA_DIR"]
    assert settings.raw_dir == values["CITYWIDE_RAW_DIR"]
    assert settings.processed_dir == values["CITYWIDE_PROCESSED_DIR"]
    assert settings.duckdb_path == values["CITYWIDE_DUCKDB_PATH"]
    assert settings.maps_dir == values["CITYWIDE_MAPS_DIR"]
    assert settings.sources_dir == values["CITYWIDE_SOURCES_DIR"]
    assert settings.download_timeout_s == 5


def test_folders_follow_data_dir_unless_set(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CITYWIDE_DATA_DIR", "/srv/citywide")
    settings = Settings()
    assert settings.raw_dir == Path("/srv/citywide/raw")
    assert settings.duckdb_path == Path("/srv/citywide/processed/citywide.duckdb")
    clean_env.setenv("CITYWIDE_PROCESSED_DIR", "/fast/processed")
    assert Settings().duckdb_path == Path("/fast/processed/citywide.duckdb")


def test_arguments_beat_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CITYWIDE_MAPS_DIR", "from-env")
    assert Settings(maps_dir=Path("from-cli")).maps_dir == Path("from-cli")


def test_empty_variable_means_unset(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CITYWIDE_SOURCES_DIR", "")
    assert Settings().sources_dir is None


def test_invalid_values_are_refused(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CITYWIDE_DOWNLOAD_TIMEOUT_S", "-1")
    with pytest.raises(ValidationError, match="download_timeout_s"):
        Settings()
    clean_env.delenv("CITYWIDE_DOWNLOAD_TIMEOUT_S")
    with pytest.raises(ValidationError, match="duckdb_pth"):
        Settings(duckdb_pth=Path("typo"))  # type: ignore[call-arg]
