"""Unattended operation on the real Bangkok files: incremental runs, the run report, one writer at
a time, readers never blocked, killed runs, the Dask runner and the schedule.

Every test starts from a copy of one database built once per session by the full flow.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import State
from prefect.settings import PREFECT_API_URL
from typer.testing import CliRunner

from citywide import db, locations
from citywide.cli import EXIT_BUSY, EXIT_PROBLEMS, app
from citywide.settings import Settings
from flows.citywide import citywide

pytestmark = [pytest.mark.real_data, pytest.mark.usefixtures("prefect_harness")]
ROUND = "2568-1"


def dusit_return(extra_rows: int = 0) -> str:
    rows = [
        "ดุสิต,ชุมชนวัดโสมนัส,120,สลัม",
        "ดุสิต,ชุมชนบ้านพานถม,80,ชุมชนแออัด",
        "Dusit,Chum Chon Sam Sen,45,slum",
        *(f"ดุสิต,ชุมชนทดสอบ {i},{10 + i},ชุมชนแออัด" for i in range(extra_rows)),
    ]
    return "เขต,ชื่อชุมชน,ครัวเรือน,ประเภทชุมชน\n" + "\n".join(rows) + "\n"


BANGRAK_RETURN = (
    "District,Community name,Households,Community type\n"
    "Bang Rak,Chum Chon Wat Hua Lamphong,95,slum\n"
    "บางรัก,ชุมชนซอยเผือกจิตร,60,สลัม\n"
)


def query(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with db.connect(settings.duckdb_path, read_only=True) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture(scope="session")
def built(
    tmp_path_factory: pytest.TempPathFactory, real_sources_dir: Path, prefect_harness: None
) -> Path:
    """A folder with data/ and maps/ after one full run on the real files."""
    root = tmp_path_factory.mktemp("built")
    citywide(Settings(data_dir=root / "data", maps_dir=root / "maps", sources_dir=real_sources_dir))
    return root


@pytest.fixture
def copy(
    built: Path, tmp_path: Path, clean_env: pytest.MonkeyPatch, real_sources_dir: Path
) -> Settings:
    for folder in ("data", "maps"):
        shutil.copytree(built / folder, tmp_path / folder)
    return Settings(
        data_dir=tmp_path / "data", maps_dir=tmp_path / "maps", sources_dir=real_sources_dir
    )


def round_folder(settings: Settings) -> Path:
    folder = settings.raw_dir / "surveys" / ROUND
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def cli(settings: Settings, *args: str, env: dict[str, str] | None = None) -> Any:
    base = ["--data-dir", str(settings.data_dir), "--maps-dir", str(settings.maps_dir)]
    base += ["--sources-dir", str(settings.sources_dir)]
    return CliRunner().invoke(app, [*base, *args], env=env)


def subprocess_env(settings: Settings, **extra: str) -> dict[str, str]:
    """A `citywide` process talking to the test's Prefect server, with these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYWIDE_")}
    return env | {
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "CITYWIDE_DATA_DIR": str(settings.data_dir),
        "CITYWIDE_MAPS_DIR": str(settings.maps_dir),
        "CITYWIDE_SOURCES_DIR": str(settings.sources_dir),
        **extra,
    }


CITYWIDE = [str(Path(sys.executable).parent / "citywide")]


# --- incremental ---------------------------------------------------------------------------------


def test_a_run_with_nothing_new_redoes_nothing(copy: Settings) -> None:
    database = copy.duckdb_path.stat()
    maps = {
        p.name: p.stat().st_mtime_ns for p in copy.maps_dir.iterdir() if p.name != "report.html"
    }
    result = citywide(copy)
    assert result.plan.nothing_to_do
    assert result.ingested == ()
    assert copy.duckdb_path.stat().st_mtime_ns == database.st_mtime_ns
    assert copy.duckdb_path.stat().st_ino == database.st_ino
    assert {
        p.name: p.stat().st_mtime_ns for p in copy.maps_dir.iterdir() if p.name != "report.html"
    } == maps
    page = (copy.maps_dir / "report.html").read_text(encoding="utf-8")
    assert "Nothing new or changed since the last change" in page
    assert "bma_communities.geojson" in page  # every file, even unchanged, is listed


def test_one_changed_district_file_is_reingested_alone(copy: Settings) -> None:
    folder = round_folder(copy)
    (folder / "dusit.csv").write_text(dusit_return(), encoding="utf-8")
    (folder / "bangrak.csv").write_text(BANGRAK_RETURN, encoding="utf-8")
    first = citywide(copy)
    assert first.tables is None  # the geography did not change: not rebuilt
    assert sorted(r.path.name for r in first.ingested) == ["bangrak.csv", "dusit.csv"]
    assert first.published.khet_need == {"bma_registry": 50, ROUND: 50}
    assert query(copy, f"SELECT count(*) FROM community WHERE survey_round = '{ROUND}'") == [(5,)]

    (folder / "dusit.csv").write_text(dusit_return(extra_rows=2), encoding="utf-8")
    second = citywide(copy)
    assert [(r.path.name, r.status, r.rows_loaded) for r in second.ingested] == [
        ("dusit.csv", "loaded", 5)
    ]
    assert query(copy, f"SELECT count(*) FROM community WHERE survey_round = '{ROUND}'") == [(7,)]
    assert query(copy, "SELECT count(*) FROM community_history") == [
        (3 + 2,)
    ]  # 3 dusit + registry's 2
    statuses = {row.file: row.status for row in second.report.files}
    assert statuses == {
        "dusit.csv": "loaded",
        "bangrak.csv": "unchanged",
        "bma_communities.geojson": "unchanged",
    }


# --- the run report ------------------------------------------------------------------------------


def latest_artifact(key: str) -> dict[str, Any]:
    """The newest artifact with this key, from the server's REST API (prefect 3.8's client
    sends nulls that its own server rejects for this query)."""
    import httpx

    body = {"artifacts": {"key": {"any_": [key]}}, "sort": "CREATED_DESC", "limit": 1}
    response = httpx.post(f"{PREFECT_API_URL.value()}/artifacts/filter", json=body, timeout=30)
    response.raise_for_status()
    (found,) = response.json()
    assert isinstance(found, dict)
    return found


def test_a_bad_file_makes_the_run_completed_with_problems(copy: Settings) -> None:
    folder = round_folder(copy)
    (folder / "dusit.csv").write_text(dusit_return(), encoding="utf-8")
    (folder / "broken.xlsx").write_bytes(b"not a workbook")
    result = cli(copy, "run")
    assert result.exit_code == EXIT_PROBLEMS, result.output
    assert "report: " in result.output
    assert "(completed with problems)" in result.output
    page = (copy.maps_dir / "report.html").read_text(encoding="utf-8")
    assert "สำเร็จ แต่มีปัญหา" in page
    assert "broken.xlsx" in page
    assert "need_index.html" in page or "index.html" in page

    table = latest_artifact("citywide-files")
    rows = json.loads(table["data"]) if isinstance(table["data"], str) else table["data"]
    assert {(row["file"], row["status"]) for row in rows} >= {
        ("dusit.csv", "loaded"),
        ("broken.xlsx", "failed"),
        ("bma_communities.geojson", "unchanged"),
    }
    summary = latest_artifact("citywide-run-summary")
    assert "completed with problems" in summary["data"]
    assert "What changed since the last run" in summary["data"]

    # the bad file stays a problem until it is replaced; the state says so
    state = citywide(copy, return_state=True)
    assert isinstance(state, State)
    assert state.name == "Completed with problems"
    assert "broken.xlsx" in (state.message or "")


# --- one writer, readers never blocked, killed runs ----------------------------------------------


def test_a_second_run_waits_a_bounded_time_then_exits_75(copy: Settings) -> None:
    (round_folder(copy) / "dusit.csv").write_text(dusit_return(), encoding="utf-8")
    with db.writer_lock(copy.duckdb_path, timeout_s=0):
        started = time.monotonic()
        refused = cli(copy, "run", env={"CITYWIDE_LOCK_TIMEOUT_S": "1"})
        assert time.monotonic() - started < 30
    assert refused.exit_code == EXIT_BUSY, refused.output
    assert "another citywide run is writing the database" in refused.output
    assert f"process {os.getpid()}" in refused.output
    assert query(copy, f"SELECT count(*) FROM community WHERE survey_round = '{ROUND}'") == [(0,)]
    assert cli(copy, "run").exit_code == 0  # once the lock is free, the work is done


def test_two_runs_at_once_write_one_after_the_other(copy: Settings) -> None:
    (round_folder(copy) / "dusit.csv").write_text(dusit_return(), encoding="utf-8")
    env = subprocess_env(copy)
    runs = [
        subprocess.Popen(
            [*CITYWIDE, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sum("dusit.csv: loaded" in output for output in outputs) == 1
    assert sum("nothing new or changed" in output for output in outputs) == 1
    assert query(copy, f"SELECT count(*) FROM community WHERE survey_round = '{ROUND}'") == [(3,)]


READ_IN_A_LOOP = """
import pathlib, sys, time, duckdb
seen = set()
stop, deadline = pathlib.Path(sys.argv[2]), time.monotonic() + 300
last = False
while not last:  # until the run has returned (the stop file), then one read more
    last = stop.exists() or time.monotonic() > deadline
    connection = duckdb.connect(sys.argv[1], read_only=True)
    tables = {row[0] for row in connection.execute("SHOW TABLES").fetchall()}
    count = connection.execute(
        "SELECT count(*) FROM community WHERE survey_round = '2568-1'").fetchone()[0]
    need = connection.execute("SELECT count(DISTINCT survey_round) FROM khet_need").fetchone()[0]
    connection.close()
    assert {"khet", "community", "khet_need"} <= tables, tables
    seen.add((count, need))
    time.sleep(0.02)
print(sorted(seen))
"""


def test_readers_are_never_blocked_nor_shown_half_a_run(copy: Settings) -> None:
    (round_folder(copy) / "dusit.csv").write_text(dusit_return(), encoding="utf-8")
    stop = copy.data_dir / "reader.stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READ_IN_A_LOOP, str(copy.duckdb_path), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1)
    citywide(copy)
    stop.touch()  # the reader stops after one more read, however long the run took
    out, err = reader.communicate(timeout=330)
    assert reader.returncode == 0, err
    # before the run: no community of the round and one round of need; after: both at once
    assert json.loads(out.replace("(", "[").replace(")", "]")) == [[0, 1], [3, 2]]


def big_return(rows: int) -> str:
    lines = (f"ดุสิต,ชุมชนทดสอบ {i},{i % 300}" for i in range(rows))
    return "เขต,ชื่อชุมชน,ครัวเรือน\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize("kill_after_s", [0.0, 1.5])
def test_a_killed_run_leaves_the_database_as_it_was(copy: Settings, kill_after_s: float) -> None:
    (round_folder(copy) / "big.csv").write_text(big_return(200_000), encoding="utf-8")
    with db.connect(copy.duckdb_path, read_only=True) as connection:
        version = db.step_keys(connection)["version"][0]
    run = subprocess.Popen([*CITYWIDE, "run"], env=subprocess_env(copy), start_new_session=True)
    work = locations.working_copy(copy.duckdb_path)
    deadline = time.monotonic() + 120
    while not work.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert work.exists(), "the run never started writing"
    time.sleep(kill_after_s)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    with db.connect(copy.duckdb_path, read_only=True) as connection:
        assert db.step_keys(connection)["version"][0] == version
        assert connection.execute(
            "SELECT count(*) FROM community WHERE survey_round = ?", [ROUND]
        ).fetchall() == [(0,)]
    result = citywide(copy)  # the next run completes the work
    assert [(r.path.name, r.rows_loaded) for r in result.ingested] == [("big.csv", 200_000)]
    assert not work.exists()


def test_households_through_the_flow_match_ingesting_files_one_by_one(
    copy: Settings, tmp_path: Path
) -> None:
    """A community list and its households in one run: the households are prepared in parallel
    before the list is merged, and must still refer to its communities."""
    import datetime as dt

    from citywide.ingest import load
    from citywide.register.build import build_register
    from citywide.register.decisions import no_decisions
    from citywide.register.link import LinkRules
    from tests.ingest.household_returns import write_household_returns

    folder = write_household_returns(round_folder(copy))
    one_by_one = tmp_path / "one_by_one.duckdb"
    shutil.copyfile(copy.duckdb_path, one_by_one)
    with db.connect(one_by_one) as connection:
        load.ensure_tables(connection)
        for path in sorted(folder.iterdir()):
            load.ingest_file(connection, path, ROUND, dt.date.today())
        build_register(connection, LinkRules.from_settings(copy), no_decisions())

    result = citywide(copy)
    assert sorted(r.path.name for r in result.ingested) == sorted(p.name for p in folder.iterdir())
    for sql in (HOUSEHOLDS, WARNINGS):
        with db.connect(one_by_one, read_only=True) as connection:
            expected = connection.execute(sql).fetchall()
        assert query(copy, sql) == expected
    assert query(copy, "SELECT count(*) FROM row_warning WHERE code = 'unknown_community'") != [
        (0,)
    ]
    ((enumerated,),) = query(
        copy, f"SELECT sum(enumerated_households) FROM khet_need WHERE survey_round = '{ROUND}'"
    )
    assert enumerated == query(copy, "SELECT count(*) FROM household")[0][0]


HOUSEHOLDS = "SELECT * EXCLUDE (source_file_id) FROM household ORDER BY household_key"
WARNINGS = (
    "SELECT f.file_name, w.* EXCLUDE (source_file_id) FROM row_warning w "
    "JOIN source_file f USING (source_file_id) ORDER BY ALL"
)


# --- scale-out -----------------------------------------------------------------------------------

COMPARED = {
    "community": "SELECT * EXCLUDE (source_file_id) FROM community ORDER BY survey_round, community_key",
    "khet_need": "SELECT * FROM khet_need ORDER BY survey_round, khet_code",
    "rejected_row": "SELECT * EXCLUDE (source_file_id) FROM rejected_row ORDER BY source_row",
    "source_file": "SELECT file_name, rows_read, rows_loaded, rows_rejected, warnings FROM source_file ORDER BY 1",
    "household": HOUSEHOLDS,
    "row_warning": WARNINGS,
}


def test_the_dask_runner_gives_the_same_results(copy: Settings, tmp_path: Path) -> None:
    from tests.ingest.household_returns import write_household_returns

    folder = round_folder(copy)
    (folder / "dusit.csv").write_text(
        dusit_return(extra_rows=3) + "ดุสิต,,12,สลัม\n", encoding="utf-8"
    )
    (folder / "bangrak.csv").write_text(BANGRAK_RETURN, encoding="utf-8")
    write_household_returns(folder)
    twin_root = tmp_path / "twin"
    for name in ("data", "maps"):
        shutil.copytree(Path(getattr(copy, f"{name}_dir")), twin_root / name)
    twin = Settings(
        data_dir=twin_root / "data", maps_dir=twin_root / "maps", sources_dir=copy.sources_dir
    )

    threads = cli(copy, "run")
    dask = cli(twin, "run", "--task-runner", "dask")
    assert (threads.exit_code, dask.exit_code) == (0, 0), dask.output
    for table, sql in COMPARED.items():
        assert query(copy, sql) == query(twin, sql), table
    # 3 + 3 Dusit rows, 2 from Bang Rak, 2 from the community list of the household returns
    assert query(twin, f"SELECT count(*) FROM community WHERE survey_round = '{ROUND}'") == [(10,)]


# --- scheduling ----------------------------------------------------------------------------------


def test_serve_registers_the_daily_bangkok_schedule(copy: Settings) -> None:
    import asyncio

    server = subprocess.Popen(
        [*CITYWIDE, "serve"],
        env=subprocess_env(copy),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    async def deployment() -> Any:
        async with get_client() as client:
            return await client.read_deployment_by_name("citywide/citywide-daily")

    try:
        deadline = time.monotonic() + 90
        found = None
        while found is None and time.monotonic() < deadline and server.poll() is None:
            try:
                found = asyncio.run(deployment())
            except Exception:  # not registered yet
                time.sleep(0.5)
        assert found is not None, "citywide serve did not register its deployment"
        (schedule,) = found.schedules
        assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 6 * * *", "Asia/Bangkok")
        assert found.parameters["settings"]["data_dir"] == str(copy.data_dir)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_prefect_yaml_deploys_the_daily_deployment_to_a_work_pool(copy: Settings) -> None:
    import httpx

    prefect = str(Path(sys.executable).parent / "prefect")
    env = subprocess_env(copy, CITYWIDE_HOME=str(Path(__file__).parents[2]))
    repo = Path(__file__).parents[2]
    subprocess.run(
        [prefect, "work-pool", "create", "citywide", "--type", "process", "--overwrite"],
        env=env, check=True, capture_output=True, cwd=repo,
    )  # fmt: skip
    # prefect 3.8.8's deploy saves the deployment, then fails while listing the pool's workers
    # (its client sends nulls its own server rejects): the deployment is what is checked here
    subprocess.run(
        [prefect, "--no-prompt", "deploy", "--all"], env=env, capture_output=True, cwd=repo
    )
    api = str(PREFECT_API_URL.value())
    found = httpx.get(f"{api}/deployments/name/citywide/citywide-daily", timeout=30)
    found.raise_for_status()
    deployed = found.json()
    assert deployed["work_pool_name"] == "citywide"
    assert deployed["entrypoint"] == "flows/citywide.py:citywide"
    (schedule,) = deployed["schedules"]
    assert (schedule["schedule"]["cron"], schedule["schedule"]["timezone"]) == (
        "0 6 * * *",
        "Asia/Bangkok",
    )
    assert deployed["global_concurrency_limit"]["limit"] == 1
    (pull,) = deployed["pull_steps"]
    assert pull["prefect.deployments.steps.set_working_directory"]["directory"] == str(repo)


# --- surprising survey folders, what the database holds, logs and timeouts -----------------------


def surprising_round(settings: Settings, elsewhere: Path) -> Path:
    """The round folder with two good returns, one of them a symlink, and every surprise."""
    folder = round_folder(settings)
    (folder / "dusit.csv").write_text(dusit_return(), encoding="utf-8")
    elsewhere.mkdir()
    (elsewhere / "bangrak.csv").write_text(BANGRAK_RETURN, encoding="utf-8")
    (folder / "bangrak-link.csv").symlink_to(elsewhere / "bangrak.csv")
    (folder / "gone.csv").symlink_to(elsewhere / "deleted.csv")
    (folder / "letter.pdf").write_bytes(b"%PDF-1.7")
    (folder / "locked.csv").write_text(BANGRAK_RETURN, encoding="utf-8")
    (folder / "locked.csv").chmod(0)
    surveys = folder.parent
    (surveys / "loose.csv").write_text(BANGRAK_RETURN, encoding="utf-8")
    (surveys / "รอบ ใหม่").mkdir()  # a space: not a round label
    return folder


def unreadable_even_for_root(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """chmod 0 does not stop root: make the hash of that one file fail as it would for others."""
    if os.geteuid() != 0:
        return
    from citywide.ingest import discovery
    from citywide.sources import file_sha256 as real

    def sha256(path: Path) -> str:
        if path.name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(discovery, "file_sha256", sha256)


def test_surprising_files_are_skipped_and_reported_never_stopping_the_run(
    copy: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    surprising_round(copy, tmp_path / "elsewhere")
    unreadable_even_for_root(monkeypatch, "locked.csv")
    result = cli(copy, "run")
    assert result.exit_code == 0, result.output
    assert "bangrak-link.csv: loaded; read 2, loaded 2" in result.output
    assert query(
        copy,
        "SELECT file_name, survey_round FROM source_file WHERE survey_round <> 'bma_registry'"
        " ORDER BY 1",
    ) == [("bangrak-link.csv", ROUND), ("dusit.csv", ROUND)]  # the round from where it sits

    page = (copy.maps_dir / "report.html").read_text(encoding="utf-8")
    assert "Files not read (skipped)" in page
    reasons = {
        f"{ROUND}/gone.csv": "broken symlink",
        f"{ROUND}/letter.pdf": "not a survey file citywide reads",
        f"{ROUND}/locked.csv": "the file cannot be read",
        "surveys/loose.csv": "not inside a round folder",
        "surveys/รอบ ใหม่": "is not a survey round label",
    }
    table = latest_artifact("citywide-files")
    rows = json.loads(table["data"]) if isinstance(table["data"], str) else table["data"]
    skipped = {row["file"]: row["message"] for row in rows if row["status"] == "skipped"}
    assert set(skipped) == set(reasons)
    for name, reason in reasons.items():
        assert reason in skipped[name]
        assert "fix:" in skipped[name]
        assert name in page
    summary = latest_artifact("citywide-run-summary")
    assert "Files not read (skipped)" in summary["data"]

    # the same folder through `citywide ingest` (the link's round from where it sits)
    again = cli(copy, "ingest", str(round_folder(copy) / "bangrak-link.csv"))
    assert again.exit_code == 0, again.output
    assert "already ingested" in again.output


def documented_relations() -> set[str]:
    from citywide import indicators
    from citywide.schema import TABLES

    return set(TABLES) | set(indicators.views(indicators.SuppressionRule()))


def every_relation_read(settings: Settings) -> set[str]:
    """Every table and view of the database file, each read once (a broken view fails here)."""
    with db.connect(settings.duckdb_path, read_only=True) as connection:
        names = connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal "
            "AND database_name = current_database()"
        ).fetchall()
        for (name,) in names:
            connection.execute(f'SELECT * FROM "{name}" LIMIT 1').fetchall()
    return {name for (name,) in names}


def test_the_database_holds_only_documented_relations(copy: Settings, tmp_path: Path) -> None:
    assert every_relation_read(copy) == documented_relations()  # the full run of `built`
    folder = round_folder(copy)
    (folder / "dusit.csv").write_text(dusit_return(), encoding="utf-8")
    (folder / "bangrak.csv").write_text(BANGRAK_RETURN, encoding="utf-8")
    from tests.ingest.household_returns import write_household_returns

    write_household_returns(folder)
    assert cli(copy, "run").exit_code == 0
    assert every_relation_read(copy) == documented_relations()

    later = tmp_path / "later"
    later.mkdir()
    (later / "dusit-2.csv").write_text(dusit_return(extra_rows=4), encoding="utf-8")
    ingested = cli(copy, "ingest", "--round", "2568-2", str(later))
    assert ingested.exit_code == 0, ingested.output
    assert every_relation_read(copy) == documented_relations()


def test_file_outcomes_plan_decisions_and_timings_are_logged(
    copy: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    folder = round_folder(copy)
    (folder / "dusit.csv").write_text(dusit_return(), encoding="utf-8")
    (folder / "bangrak.csv").write_text(
        BANGRAK_RETURN + "บางรัก,ชุมชนติดลบ,-5,สลัม\n", encoding="utf-8"
    )
    (folder / "broken.xlsx").write_bytes(b"not a workbook")
    with caplog.at_level(logging.INFO, logger="citywide"):
        citywide(copy)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("citywide")]
    text = "\n".join(lines)
    assert f"merge dusit.csv (round {ROUND}): loaded; read 3, loaded 3, rejected 0" in text
    assert f"merge bangrak.csv (round {ROUND}): loaded; read 3, loaded 2, rejected 1" in text
    assert f"merge broken.xlsx (round {ROUND}): failed" in text
    assert "plan: surveys: 3 new or changed file(s)" in text
    assert f"plan: surveys: ingest dusit.csv (round {ROUND}, new sha256" in text
    assert "plan: geography: skipped, boundary and population files unchanged" in text
    assert "plan: surveys: skipped 1 file(s) already ingested (same sha256)" in text
    assert any(line.startswith("prepare bangrak.csv: 3 rows read in ") for line in lines)
    for step in ("fetch sources", "plan", "ingest 3 survey file(s)", "indicators"):
        assert any(line.startswith(f"{step}: done in ") for line in lines), step
    # counts, file names and codes only: no community name, no row contents
    for written in ("ชุมชน", "Chum Chon", "-5"):
        assert written not in text

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="citywide"):
        citywide(copy)
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("citywide"))
    assert "plan: maps and exports: skipped, up to date" in text
    assert "plan: indicators: skipped" in text


def test_a_run_that_takes_too_long_is_stopped_and_frees_the_lock(copy: Settings) -> None:
    (round_folder(copy) / "big.csv").write_text(big_return(300_000), encoding="utf-8")
    with db.connect(copy.duckdb_path, read_only=True) as connection:
        version = db.step_keys(connection)["version"][0]
    started = time.monotonic()
    stopped = cli(copy, "run", env={"CITYWIDE_RUN_TIMEOUT_S": "3"})
    assert time.monotonic() - started < 60
    assert stopped.exit_code == 1, stopped.output
    assert "TimedOut" in stopped.output
    with db.writer_lock(copy.duckdb_path, timeout_s=0):  # released
        pass
    with db.connect(copy.duckdb_path, read_only=True) as connection:
        assert db.step_keys(connection)["version"][0] == version
    assert not locations.working_copy(copy.duckdb_path).exists()


def test_the_timeout_setting_reaches_every_flow(copy: Settings) -> None:
    from flows.citywide import citywide as pipeline
    from flows.ingest import ingest_returns
    from flows.publish import publish
    from flows.runners import DEFAULT_RUN_TIMEOUT_S, with_timeout

    assert DEFAULT_RUN_TIMEOUT_S == Settings().run_timeout_s == 7200
    for flow_ in (pipeline, ingest_returns, publish):
        assert flow_.timeout_seconds == DEFAULT_RUN_TIMEOUT_S
        short = copy.model_copy(update={"run_timeout_s": 42.0})
        assert with_timeout(flow_, short).timeout_seconds == 42
