from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from citywide import db, locations
from citywide.errors import DatabaseBusy, DatabaseError


def khet_frame(names: list[str], *, geometry: shapely.Geometry | None = None) -> gpd.GeoDataFrame:
    codes = [str(1001 + i) for i in range(len(names))]
    return gpd.GeoDataFrame(
        {
            "khet_code": codes,
            "name_th": names,
            "name_en": names,
            "area_km2": [1.0] * len(names),
            "population": [10] * len(names),
        },
        geometry=[
            geometry or shapely.box(100.5 + i, 13.7, 100.6 + i, 13.8) for i in range(len(names))
        ],
        crs="EPSG:4326",
    ).rename_geometry("geom")


def khet_names(path: Path) -> list[str]:
    with db.connect(path, read_only=True) as connection:
        return [
            row[0]
            for row in connection.execute("SELECT name_th FROM khet ORDER BY khet_code").fetchall()
        ]


def test_spatial_extension_comes_from_the_package() -> None:
    path = db.spatial_extension_file()
    assert path.is_file()
    assert "duckdb_extension_spatial" in str(path)


def test_connect_loads_spatial_without_network(tmp_path: Path) -> None:
    with db.connect(tmp_path / "x.duckdb") as connection:
        row = connection.execute(
            "SELECT ST_Area(ST_GeomFromText('POLYGON((0 0,2 0,2 2,0 2,0 0))'))"
        ).fetchone()
        assert row == (4.0,)
        settings = dict(
            connection.execute(
                "SELECT name, value FROM duckdb_settings() WHERE name LIKE 'auto%_known_extensions'"
            ).fetchall()
        )
    assert settings == {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
    }


def test_read_only_connect_to_a_missing_database_says_how_to_build_it(tmp_path: Path) -> None:
    with (
        pytest.raises(DatabaseError, match="citywide run"),
        db.connect(tmp_path / "missing.duckdb", read_only=True),
    ):
        pass


def test_tables_keep_types_constraints_and_crs_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "x.duckdb"
    with db.connect(path) as connection:
        db.replace_tables(connection, {"khet": khet_frame(["a", "b"])})
    with db.connect(path, read_only=True) as connection:
        types = dict(
            connection.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'khet'"
            ).fetchall()
        )
        area = connection.execute("SELECT round(ST_Area(geom), 4) FROM khet LIMIT 1").fetchone()
    assert types["geom"] == "GEOMETRY('EPSG:4326')"
    assert types["population"] == "BIGINT"
    assert area == (0.01,)


def test_replacing_is_all_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "x.duckdb"
    with db.connect(path) as connection:
        db.replace_tables(connection, {"khet": khet_frame(["old a", "old b"])})
    duplicate_codes = khet_frame(["new a", "new b"]).assign(khet_code=["1001", "1001"])
    # the second table fails after the first was replaced inside the transaction
    with db.connect(path) as connection, pytest.raises(ValueError, match="lacks columns"):
        db.replace_tables(
            connection, {"khet": khet_frame(["new a"]), "reference_source": pd.DataFrame()}
        )
    with (
        db.connect(path) as connection,
        pytest.raises(Exception, match=r"(?i)constraint|duplicate"),
    ):
        db.replace_tables(connection, {"khet": duplicate_codes})
    assert khet_names(path) == ["old a", "old b"]


def test_invalid_geometry_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    path = tmp_path / "x.duckdb"
    with db.connect(path) as connection:
        db.replace_tables(connection, {"khet": khet_frame(["old"])})
    bowtie = shapely.Polygon([(100.5, 13.7), (100.6, 13.8), (100.6, 13.7), (100.5, 13.8)])
    with db.connect(path) as connection, pytest.raises(DatabaseError, match="invalid geometries"):
        db.replace_tables(connection, {"khet": khet_frame(["new"], geometry=bowtie)})
    assert khet_names(path) == ["old"]


def test_unknown_table_is_refused(tmp_path: Path) -> None:
    with (
        db.connect(tmp_path / "x.duckdb") as connection,
        pytest.raises(KeyError, match="no table spec"),
    ):
        db.replace_tables(connection, {"khet; DROP TABLE khet": khet_frame(["a"])})


# --- one writer, readers never blocked -----------------------------------------------------------


def khet_names_elsewhere(path: Path) -> list[str]:
    """khet names as a new process (an analyst's) reads them."""
    import json
    import subprocess
    import sys

    script = (
        "import sys, json; from pathlib import Path; from tests.test_db import khet_names; "
        "print(json.dumps(khet_names(Path(sys.argv[1]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    names = json.loads(done.stdout)
    assert isinstance(names, list)
    return names


HOLD_LOCK = """
import sys, time
from pathlib import Path
from citywide import db
with db.writer_lock(Path(sys.argv[1]), timeout_s=0):
    print("holding", flush=True)
    time.sleep(60)
"""


def published_with(path: Path, names: list[str]) -> None:
    with (
        db.writer_lock(path, timeout_s=5),
        db.new_version(path) as work,
        db.connect(work) as connection,
    ):
        db.replace_tables(connection, {"khet": khet_frame(names)})


def test_a_second_writer_waits_a_bounded_time_then_says_who_writes(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    database = tmp_path / "citywide.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(database)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        with pytest.raises(DatabaseBusy) as caught, db.writer_lock(database, timeout_s=1.0):
            pass
        waited = time.monotonic() - started
        assert 1.0 <= waited < 3.0
        assert f"process {holder.pid} has been writing it since" in str(caught.value)
        assert "CITYWIDE_LOCK_TIMEOUT_S" in str(caught.value)
    finally:
        holder.kill()  # kill -9: the kernel drops its lock with it
        holder.wait()
        if holder.stdout:
            holder.stdout.close()
    with db.writer_lock(database, timeout_s=1.0):
        pass


def fail_half_way(database: Path) -> None:
    with db.writer_lock(database, timeout_s=5), db.new_version(database) as work:
        with db.connect(work) as connection:
            db.replace_tables(connection, {"khet": khet_frame(["half"])})
        raise RuntimeError("step failed")


def test_a_new_version_replaces_the_database_only_when_it_succeeds(tmp_path: Path) -> None:
    database = tmp_path / "citywide.duckdb"
    published_with(database, ["old"])
    with db.connect(database, read_only=True) as connection:
        first_version = db.step_keys(connection)["version"][0]
    reader = db.connect(database, read_only=True)
    old_reader = reader.__enter__()
    try:
        with pytest.raises(RuntimeError, match="step failed"):
            fail_half_way(database)
        assert khet_names(database) == ["old"]
        assert not locations.working_copy(database).exists()

        published_with(database, ["new"])  # while old_reader is still open: never blocked
        # (in this process DuckDB hands new connections the open instance: ask another one)
        assert khet_names_elsewhere(database) == ["new"]
        old_names = old_reader.execute("SELECT name_th FROM khet").fetchall()
        assert old_names == [("old",)]  # an open reader keeps its consistent snapshot
    finally:
        reader.__exit__(None, None, None)
    with db.connect(database, read_only=True) as connection:
        assert db.step_keys(connection)["version"][0] != first_version
    assert not database.with_name(database.name + ".wal").exists()


def test_a_copy_left_by_a_killed_run_is_discarded(tmp_path: Path) -> None:
    database = tmp_path / "citywide.duckdb"
    published_with(database, ["old"])
    locations.working_copy(database).write_bytes(b"half a database")
    published_with(database, ["new"])
    assert khet_names(database) == ["new"]
    assert not locations.working_copy(database).exists()


# --- every platform: no POSIX-only module at import ----------------------------------------------

NO_FCNTL = """
import importlib, pkgutil, sys
sys.modules["fcntl"] = None  # as on Windows: `import fcntl` raises ImportError
import citywide, flows
names = ["citywide.cli", "citywide.db"]
for package in (citywide, flows):
    names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
for name in names:
    importlib.import_module(name)
print(len(names))
"""


def test_no_module_of_citywide_needs_fcntl(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", NO_FCNTL],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 20


def test_the_lock_works_without_fcntl_in_this_process_too(tmp_path: Path) -> None:
    """filelock takes an OS lock, and a second lock on the same file is refused, even from
    this process (a run started by `citywide run` while a test holds the lock)."""
    database = tmp_path / "citywide.duckdb"
    with db.writer_lock(database, timeout_s=0):
        with pytest.raises(DatabaseBusy) as caught, db.writer_lock(database, timeout_s=0.3):
            pass
        assert f"process {os.getpid()} has been writing it since" in str(caught.value)
    with db.writer_lock(database, timeout_s=0):
        pass


def test_views_leaked_by_earlier_versions_are_dropped_on_the_next_write(tmp_path: Path) -> None:
    database = tmp_path / "citywide.duckdb"
    published_with(database, ["old"])
    gone = tmp_path / "prepared" / "deleted.parquet"
    with db.connect(database) as connection:
        connection.execute("COPY (SELECT 1 AS source_row) TO '" + str(gone.parent) + ".parquet'")
        for number, kind in ((1, "rows"), (2, "rejections"), (17, "warnings"), (18, "footprints")):
            connection.execute(
                f"CREATE VIEW prepared_{number}_{kind} AS "
                f"SELECT * FROM read_parquet('{gone.parent}.parquet')"
            )
        connection.execute("CREATE VIEW analyst_view AS SELECT 1 AS x")  # not ours: kept
    (tmp_path / "prepared.parquet").unlink()
    published_with(database, ["new"])
    with db.connect(database, read_only=True) as connection:
        views = connection.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1"
        ).fetchall()
    assert views == [("analyst_view",)]
