"""What a run has to do, from what changed since the last one.

Each step is keyed by the sha256 of its input files and the settings it uses, never by the
data themselves: geography by the boundary and population files, each survey file by its own
sha256 (a file already in ``source_file`` is never read again), the indicators by their settings,
and the maps and exports by the database version they were made from and the map settings. A
run with nothing new does nothing but read those keys.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from citywide import __version__, db
from citywide.ingest.discovery import SkippedFile, SurveyFile
from citywide.ingest.load import last_file_id
from citywide.locations import Locations
from citywide.mapping.options import MapOptions
from citywide.register.decisions import NO_DECISIONS_KEY
from citywide.register.link import LinkRules
from citywide.schema import TABLES
from citywide.settings import Settings

GEOGRAPHY_SOURCES = ("khet_boundaries", "khwaeng_boundaries", "khet_population")


@dataclass(frozen=True)
class KnownFile:
    """A file the database already holds (one row per table of it), as the report shows it."""

    sha256: str
    path: str
    sheet: str | None
    survey_round: str
    status: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rows_superseded: int
    warnings: int
    message: str | None


@dataclass(frozen=True)
class PublishedState:
    """What the published database and outputs say about the last run that changed them."""

    version_id: str | None = None
    committed_at: str | None = None
    keys: dict[str, str] = field(default_factory=dict)  # step -> key it was last built with
    known_files: tuple[KnownFile, ...] = ()
    need_index: dict[tuple[str, str], float] = field(default_factory=dict)  # (round, khet)
    data_mark: int = 0  # the last source_file_id: changes with every file merged
    outputs: dict[str, object] = field(default_factory=dict)  # published.json


@dataclass(frozen=True)
class Plan:
    geography: bool
    new_files: tuple[SurveyFile, ...]
    unchanged_files: tuple[SurveyFile, ...]
    indicators: bool
    outputs: bool
    keys: dict[str, str]
    reasons: tuple[str, ...]
    skipped: tuple[SkippedFile, ...] = ()  # found in RAW_DIR/surveys, not read (see report)

    @property
    def writes_database(self) -> bool:
        return self.geography or bool(self.new_files) or self.indicators

    @property
    def nothing_to_do(self) -> bool:
        return not (self.writes_database or self.outputs)


NEED_TABLES = sorted(name for name in TABLES if name.endswith(("_need", "_need_current")))


def _key(*parts: object) -> str:
    text = json.dumps([__version__, *parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def geography_key(source_files: list[tuple[str, str, str]]) -> str:
    """From (source id, file path, sha256) of the boundary and population files."""
    return _key(sorted(f for f in source_files if f[0] in GEOGRAPHY_SOURCES))


def indicators_key(
    settings: Settings, data_mark: int, geography: str, decisions: str = NO_DECISIONS_KEY
) -> str:
    """From the settings (need index, suppression, linking), the data (files merged by any
    command), the geography built, the link decisions (RAW_DIR/links/, by their key) and the
    need tables built (a database from before khwaeng_need is rebuilt)."""
    rules = LinkRules.from_settings(settings)
    return _key(settings.need_weights, settings.suppression, rules, data_mark, geography,
                decisions, NEED_TABLES)  # fmt: skip


def outputs_key(settings: Settings) -> str:
    """From everything the maps are drawn with (the exports follow the database version)."""
    return options_key(MapOptions.from_settings(settings))


def options_key(options: MapOptions) -> str:
    """Every field of ``options``: a map option added there is in the key without a word here."""
    return _key(options.as_json())


def plan_run(
    source_files: list[tuple[str, str, str]],
    surveys: list[SurveyFile],
    state: PublishedState,
    settings: Settings,
    outputs_present: bool,
    skipped: tuple[SkippedFile, ...] = (),
    decisions: str = NO_DECISIONS_KEY,
) -> Plan:
    """The steps this run needs, and why, as a pure function of keys (``decisions``: the key of
    the link decision files)."""
    keys = {
        "geography": geography_key(source_files),
        "indicators": indicators_key(
            settings, state.data_mark, state.keys.get("geography", ""), decisions
        ),
        "outputs": outputs_key(settings),
    }
    ingested = {known.sha256 for known in state.known_files}
    new = tuple(s for s in surveys if s.sha256 not in ingested)
    unchanged = tuple(s for s in surveys if s.sha256 in ingested)
    reasons = []
    geography = state.keys.get("geography") != keys["geography"]
    if geography:
        reasons.append("geography: boundary or population files changed (or none built yet)")
    if new:
        reasons.append(f"surveys: {len(new)} new or changed file(s)")
    indicators = geography or bool(new) or state.keys.get("indicators") != keys["indicators"]
    if indicators and not (geography or new):
        reasons.append(
            "indicators: need-index or link settings or link decisions changed, or data or "
            "geography changed by another command (citywide ingest, citywide geography build)"
        )
    outputs = (
        indicators
        or not outputs_present
        or state.outputs.get("version_id") != state.version_id
        or state.outputs.get("key") != keys["outputs"]
    )
    if outputs and not indicators:
        reasons.append("maps and exports: missing, older than the database, or settings changed")
    return Plan(geography, new, unchanged, indicators, outputs, keys, tuple(reasons), skipped)


def decisions(plan: Plan) -> list[str]:
    """Each step's decision, redone or skipped and why, one line each (file names and counts
    only: these lines go to the logs)."""
    lines = list(plan.reasons)
    if not plan.geography:
        lines.append("geography: skipped, boundary and population files unchanged")
    lines += [f"surveys: ingest {s.path.name} (round {s.survey_round}, new sha256 {s.sha256[:12]})"
              for s in plan.new_files]  # fmt: skip
    if plan.unchanged_files:
        lines.append(
            f"surveys: skipped {len(plan.unchanged_files)} file(s) already ingested (same sha256)"
        )
    if plan.skipped:
        lines.append(f"surveys: {len(plan.skipped)} entry(ies) of the survey folder not read")
    if not plan.indicators:
        lines.append("indicators: skipped, no data, geography or settings changed")
    if not plan.outputs:
        lines.append("maps and exports: skipped, up to date with the database and settings")
    return lines


# --- the published state: what the last run that changed the database and outputs left ---------

_KNOWN_FILES = """
WITH known_file AS (
    SELECT sha256, path, sheet, survey_round, status, rows_read, rows_loaded, rows_rejected,
           rows_superseded, warnings, message, source_file_id
    FROM source_file
)
SELECT * EXCLUDE (source_file_id) FROM known_file ORDER BY source_file_id
"""
_NEED_INDEX = """
WITH published_need AS (
    SELECT survey_round, khet_code, need_index FROM khet_need_published
    WHERE need_index IS NOT NULL
)
SELECT survey_round, khet_code, need_index FROM published_need
"""


def read_published_state(places: Locations) -> PublishedState:
    """The keys, files and need index of the published database, and published.json."""
    outputs = read_outputs_manifest(places.published_manifest)
    if not places.database.is_file():
        return PublishedState(outputs=outputs)
    with db.connect(places.database, read_only=True, spatial=False) as connection:
        return published_state(connection, outputs)


def published_state(
    connection: duckdb.DuckDBPyConnection, outputs: dict[str, object]
) -> PublishedState:
    """What the database open on ``connection`` says about the last run, with ``outputs``."""
    steps = db.step_keys(connection)
    tables = db.table_names(connection)
    has_files = "source_file" in tables
    known = connection.execute(_KNOWN_FILES).fetchall() if has_files else []
    published = "khet_need_published" in tables
    need = connection.execute(_NEED_INDEX).fetchall() if published else []
    version = steps.get("version")
    return PublishedState(
        version_id=version[0] if version else None,
        committed_at=version[1].isoformat() if version else None,
        keys={step: key for step, (key, _) in steps.items()},
        known_files=tuple(KnownFile(*row) for row in known),
        need_index={(r, k): float(v) for r, k, v in need},
        data_mark=last_file_id(connection) if has_files else 0,
        outputs=outputs,
    )


def read_outputs_manifest(manifest: Path) -> dict[str, object]:
    """published.json, or nothing when no outputs were recorded yet."""
    if not manifest.is_file():
        return {}
    outputs: dict[str, object] = json.loads(manifest.read_text(encoding="utf-8"))
    return outputs


def outputs_manifest_json(
    version_id: str | None, settings: Settings, exported: list[Path], maps: list[Path]
) -> str:
    """published.json: which database version and map settings the outputs were made from."""
    manifest = {
        "version_id": version_id,
        "key": outputs_key(settings),
        "exports": [path.name for path in exported],
        # under maps/: a round's pages sit in rounds/<label>/
        "maps": [
            path.resolve().relative_to(settings.maps_dir.resolve()).as_posix() for path in maps
        ],
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return json.dumps(manifest, indent=1)


def outputs_present(state: PublishedState, places: Locations) -> bool:
    """Whether every export and map that published.json lists is on disk."""
    folders = {"maps": places.maps_dir, "exports": places.exports_dir}
    return all(
        isinstance(names, list) and names and all((folder / str(n)).is_file() for n in names)
        for folder, names in ((folders[kind], state.outputs.get(kind)) for kind in folders)
    )
