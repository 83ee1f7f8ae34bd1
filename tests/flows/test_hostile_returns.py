"""The whole pipeline on a corpus of hostile returns (tests/flows/hostile_returns.py), as an
operator runs it: `citywide run` in its own process, then everything the run wrote is read back.

What must hold: no traceback; every file read or skipped with a reason; every row read loaded
or rejected; no personal string anywhere (database, exports, maps, report, log output); no cell
of a written CSV that a spreadsheet would run as a formula; every relation of the database
readable and documented.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL

from citywide import db
from citywide.settings import Settings
from tests.flows.hostile_returns import PERSONAL, ROUND, write_corpus

pytestmark = [pytest.mark.real_data, pytest.mark.usefixtures("prefect_harness")]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def hostile_run(
    tmp_path_factory: pytest.TempPathFactory, real_sources_dir: Path, prefect_harness: None
) -> tuple[Settings, subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("hostile")
    settings = Settings(
        data_dir=root / "data", maps_dir=root / "maps", sources_dir=real_sources_dir
    )
    write_corpus(settings.raw_dir / "surveys", root / "elsewhere")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYWIDE_")}
    env |= {
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "CITYWIDE_DATA_DIR": str(settings.data_dir),
        "CITYWIDE_MAPS_DIR": str(settings.maps_dir),
        "CITYWIDE_SOURCES_DIR": str(real_sources_dir),
    }
    command = [str(Path(sys.executable).parent / "citywide"), "run"]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    return settings, done


def relations(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    """Every table and view of the database, read in full."""
    with db.connect(settings.duckdb_path, read_only=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                "UNION ALL SELECT view_name FROM duckdb_views() "
                "WHERE NOT internal AND database_name = current_database()"
            ).fetchall()
        ]
        return {name: connection.execute(f'SELECT * FROM "{name}"').fetchall() for name in names}


def test_the_run_ends_without_a_traceback(
    hostile_run: tuple[Settings, subprocess.CompletedProcess[str]],
) -> None:
    _, done = hostile_run
    output = done.stdout + done.stderr
    assert done.returncode in (0, 3), output[-3000:]
    assert "Traceback" not in output


def test_every_row_read_is_loaded_or_rejected(
    hostile_run: tuple[Settings, subprocess.CompletedProcess[str]],
) -> None:
    settings, _ = hostile_run
    with db.connect(settings.duckdb_path, read_only=True) as connection:
        files = connection.execute(
            "SELECT file_name, status, rows_read, rows_loaded, rows_rejected FROM source_file "
            "WHERE survey_round = ?",
            [ROUND],
        ).fetchall()
        rejected = connection.execute(
            "SELECT f.file_name, count(r.source_row) FROM source_file f "
            "LEFT JOIN rejected_row r USING (source_file_id) WHERE f.survey_round = ? GROUP BY 1",
            [ROUND],
        ).fetchall()
    assert files
    for name, status, read, loaded, rejected_rows in files:
        assert read == loaded + rejected_rows, name
        assert status in ("loaded", "failed"), name
    assert all(count == {f[0]: f[4] for f in files}[name] for name, count in rejected)
    loaded = {name for name, status, *_ in files if status == "loaded"}
    # the good rows of files with one bad cell, line or geometry are kept
    assert {"long_note.csv", "long_name.csv", "degenerate.geojson", "mac_line_ends.csv"} <= loaded


def test_no_personal_string_anywhere(
    hostile_run: tuple[Settings, subprocess.CompletedProcess[str]],
) -> None:
    settings, done = hostile_run
    places: dict[str, str] = {"output of citywide run": done.stdout + done.stderr}
    for name, rows in relations(settings).items():
        places[f"database relation {name}"] = "\n".join(map(str, rows))
    for folder in (settings.processed_dir, settings.maps_dir):
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.startswith("citywide.duckdb"):
                places[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
    found = [(where, s) for where, text in places.items() for s in PERSONAL if s in text]
    assert found == []


def test_no_written_cell_starts_a_formula(
    hostile_run: tuple[Settings, subprocess.CompletedProcess[str]],
) -> None:
    settings, _ = hostile_run
    written = list(settings.processed_dir.rglob("*.csv"))
    assert written
    for path in written:
        with path.open(encoding="utf-8-sig", newline="") as file:
            cells = [cell for row in csv.reader(file) for cell in row]
        assert [c for c in cells if c.startswith(FORMULA_START) and not _number(c)] == [], path


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_surprising_files_are_skipped_and_reported(
    hostile_run: tuple[Settings, subprocess.CompletedProcess[str]],
) -> None:
    settings, _ = hostile_run
    page = (settings.maps_dir / "report.html").read_text(encoding="utf-8")
    for name in ("broken.csv", "scan.pdf", "loose.csv"):
        assert name in page
    with db.connect(settings.duckdb_path, read_only=True) as connection:
        rounds = {
            r[0] for r in connection.execute("SELECT survey_round FROM source_file").fetchall()
        }
        linked = connection.execute(
            "SELECT survey_round, status FROM source_file WHERE file_name = 'linked.csv'"
        ).fetchall()
    assert linked == [(ROUND, "loaded")]  # a linked file is its round folder's file
    assert not any(r.startswith("=") for r in rounds)


def test_the_values_are_repaired_or_rejected_with_a_reason(
    hostile_run: tuple[Settings, subprocess.CompletedProcess[str]],
) -> None:
    settings, _ = hostile_run
    with db.connect(settings.duckdb_path, read_only=True) as connection:
        reasons = dict(
            connection.execute(
                "SELECT f.file_name || ':' || r.source_row, r.reason FROM rejected_row r "
                "JOIN source_file f USING (source_file_id) WHERE f.survey_round = ?",
                [ROUND],
            ).fetchall()
        )
        names = {
            row[0]
            for row in connection.execute(
                "SELECT community_name FROM community WHERE survey_round = ?", [ROUND]
            ).fetchall()
        }
    assert reasons["unclosed_quote.csv:3"] == "unclosed_quote"
    assert reasons["long_name.csv:2"] == "field_too_long"
    assert reasons["households_national_id.csv:2"] == "personal_id"
    assert reasons["total_row.csv:3"] == "summary_row"
    assert {"ชุมชนดี", "ชุมชนสั้น", "ชุมชนปกติ", "ชุมชนแมค", "ชุมชนรูปดี", "ชุมชนโทร"} <= names
    assert "ชุมชนแสงทอง" in names
    assert "ชุมชนเเสงทอง" not in names  # one community, however it was typed


def test_every_relation_is_readable(
    hostile_run: tuple[Settings, subprocess.CompletedProcess[str]],
) -> None:
    settings, _ = hostile_run
    names = set(relations(settings))
    assert not {n for n in names if n.startswith(("prepared_", "raw_", "incoming"))}
