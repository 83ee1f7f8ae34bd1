"""One typed settings object for the whole pipeline.

Every field has a documented default and can be overridden by a ``CITYWIDE_<FIELD>`` environment
variable (e.g. ``CITYWIDE_DUCKDB_PATH``) or by the matching ``citywide`` command-line option.
Relative paths are taken relative to the folder the command runs in.

The folders under ``data_dir`` follow it unless set on their own: moving ``data_dir`` moves
``raw_dir``, ``processed_dir`` and the database with it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from citywide.indicators import DEFAULT_WEIGHTS, SuppressionRule, validate_weights
from citywide.locations import DATABASE_FILE

# How map class breaks are chosen (mapclassify); citywide.mapping.options uses it.
MapClassification = Literal["fisher_jenks", "quantiles"]
_CRON_FIELDS = re.compile(r"[\w*/,\-]+(\s+[\w*/,\-]+){4}")


class Settings(BaseSettings):
    """Where citywide reads and writes. See the README's "Settings" table."""

    model_config = SettingsConfigDict(
        env_prefix="CITYWIDE_",
        env_ignore_empty=True,
        frozen=True,
        extra="forbid",
    )

    data_dir: Path = Field(
        default=Path("data"), description="Root of the raw and processed data folders."
    )
    raw_dir: Path = Field(
        default=Path("data/raw"),
        description="Fetched reference sources and survey returns (default: DATA_DIR/raw).",
    )
    processed_dir: Path = Field(
        default=Path("data/processed"),
        description="Generated database and exports (default: DATA_DIR/processed).",
    )
    duckdb_path: Path = Field(
        default=Path("data/processed") / DATABASE_FILE,
        description="The DuckDB database analysts query (default: PROCESSED_DIR/citywide.duckdb).",
    )
    maps_dir: Path = Field(default=Path("maps"), description="Published HTML maps.")
    sources_dir: Path | None = Field(
        default=None,
        description=(
            "Folder holding local copies of the reference sources (same layout as the source "
            "registry's file names). When unset, sources are downloaded from their origin URLs."
        ),
    )
    download_timeout_s: float = Field(
        default=60.0, gt=0, description="Seconds before a source download is abandoned."
    )
    need_weights: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_WEIGHTS),
        description=(
            "Weights of the need index, as JSON (see docs/indicators.md); indicators left out "
            "weigh nothing."
        ),
    )
    suppression_k: int = Field(
        default=3,
        ge=1,
        description=(
            "Published values built from fewer communities than this are hidden (1 hides none)."
        ),
    )
    min_households: int = Field(
        default=10,
        ge=1,
        description=(
            "Published values built from fewer enumerated households than this are hidden "
            "(1 hides none)."
        ),
    )
    coverage_complete_share: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description=(
            "A khet's return is complete when it has records of at least this share of the "
            "communities the register expected (docs/linking.md)."
        ),
    )
    link_fuzzy_min: float = Field(
        default=85.0,
        ge=50,
        le=100,
        description="Least fit (0-100) of a fuzzy name link (docs/linking.md).",
    )
    link_margin: float = Field(
        default=5.0,
        ge=0,
        description=(
            "A fuzzy link needs a fit this much better than the next candidate's; closer "
            "candidates go to review."
        ),
    )
    link_max_edits: int = Field(
        default=2,
        ge=0,
        description=(
            "A fuzzy link's name may differ from the register's by at most this many letters "
            "(Levenshtein); more go to review."
        ),
    )
    link_max_distance_m: float = Field(
        default=1500.0,
        gt=0,
        description=(
            "Where a record and a register community both have a point, a candidate farther "
            "than this is not the same community (m)."
        ),
    )

    map_classification: MapClassification = Field(
        default="fisher_jenks",
        description="How map class breaks are chosen (mapclassify): fisher_jenks or quantiles.",
    )
    map_classes: int = Field(
        default=5, ge=2, le=9, description="Number of colour classes in each map (2-9)."
    )
    map_simplify_m: float = Field(
        default=30.0,
        ge=0,
        description=(
            "Khet outlines in the web maps are simplified to this tolerance in metres, keeping "
            "shared borders shared (0 keeps every vertex)."
        ),
    )
    map_tiles: str | None = Field(
        default=None,
        description=(
            "Base-map tile URL template (e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png). "
            "Unset: no tiles, the maps open fully offline."
        ),
    )
    map_tiles_attribution: str = Field(
        default="", description="Attribution shown for MAP_TILES (required by most tile services)."
    )

    maps_url: str | None = Field(
        default=None,
        description=(
            "Web address where MAPS_DIR is served, for links in run reports "
            "(unset: the reports link the files' paths)."
        ),
    )

    lock_timeout_s: float = Field(
        default=300.0,
        ge=0,
        description=(
            "Seconds a run waits for another run that is writing the database before it gives "
            "up with exit code 75 (readers never wait)."
        ),
    )
    run_timeout_s: float = Field(
        default=7200.0,
        gt=0,
        description=(
            "Seconds after which a run (citywide run, ingest, publish, a scheduled run) is "
            "stopped as timed out, so a hung run cannot hold the writer lock for ever; the "
            "database stays as it was."
        ),
    )
    schedule_cron: str = Field(
        default="0 6 * * *",
        description="When `citywide serve` runs the pipeline: a cron expression (5 fields).",
    )
    schedule_timezone: str = Field(
        default="Asia/Bangkok", description="Time zone of SCHEDULE_CRON (an IANA name)."
    )
    task_runner: Literal["threads", "dask"] = Field(
        default="threads",
        description=(
            "Where per-file preparation runs: threads in this process, or a Dask cluster "
            "(prefect-dask)."
        ),
    )
    dask_address: str | None = Field(
        default=None,
        description=(
            "Scheduler address of an existing Dask cluster (tcp://host:8786) for "
            "TASK_RUNNER=dask; unset: a local cluster of WORKERS processes."
        ),
    )
    workers: int = Field(
        default=2, ge=1, le=64, description="Files prepared at once (threads or Dask workers)."
    )

    @field_validator("schedule_cron")
    @classmethod
    def _five_field_cron(cls, cron: str) -> str:
        # the shape only: Prefect's Cron checks the values when `citywide serve` builds it
        if not _CRON_FIELDS.fullmatch(cron.strip()):
            raise ValueError(f"expected a 5-field cron expression like '0 6 * * *', found {cron!r}")
        return cron

    @field_validator("schedule_timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"expected an IANA time zone like 'Asia/Bangkok', found {name!r}"
            ) from None
        return name

    @field_validator("need_weights")
    @classmethod
    def _usable_weights(cls, weights: dict[str, float]) -> dict[str, float]:
        return validate_weights(weights)

    @model_validator(mode="before")
    @classmethod
    def _derive_folders(cls, values: Any) -> Any:
        """Fill the folders left unset from the one above them (data -> raw/processed -> db)."""
        if not isinstance(values, dict):
            return values
        data_dir = Path(values.get("data_dir") or "data")
        values.setdefault("raw_dir", data_dir / "raw")
        processed_dir = Path(values.setdefault("processed_dir", data_dir / "processed"))
        values.setdefault("duckdb_path", processed_dir / DATABASE_FILE)
        return values

    @property
    def suppression(self) -> SuppressionRule:
        """The privacy rule of the published views (suppression_k, min_households)."""
        return SuppressionRule(self.suppression_k, self.min_households)

    def describe(self) -> dict[str, str]:
        """The effective settings as text, for the CLI and run reports."""
        return {
            name: "" if value is None else str(value) for name, value in self.model_dump().items()
        }
