"""The one place that opens DuckDB.

Writers never change the published file in place. A run takes the writer lock
(:func:`writer_lock`, a bounded wait), works on a copy (:func:`new_version`) and, when every step
has succeeded, renames the copy over the published file. So analysts' read-only connections are
never blocked and never see half-written tables (DuckDB refuses read-only opens while another
process writes a file), and a run killed at any point leaves the published file as it was.

Connections load the spatial extension from the ``duckdb-extension-spatial`` package file (never
from the network: autoinstall and autoload are off). Tables are published with
:func:`replace_tables`, which swaps a set of tables in one transaction: readers see either all the
old tables or all the new ones, and a failure leaves the old ones untouched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import duckdb_extension_spatial
import filelock
import pandas as pd

from citywide import migrations
from citywide.errors import DatabaseBusy, DatabaseError
from citywide.locations import lock_file, lock_holder_file, working_copy
from citywide.schema import PIPELINE_STATE, TABLES, TableSpec

ConfigValue = str | bool | int | float | list[str]
_SAFE_CONFIG: dict[str, ConfigValue] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
# The default file format predates CRS-typed geometry and silently drops GEOMETRY('EPSG:4326')
# to plain GEOMETRY; the current format keeps it. Readers need DuckDB >= 1.5.
_NEW_FILE_CONFIG: dict[str, ConfigValue] = {"storage_compatibility_version": "latest"}


def duckdb_version() -> str:
    """The installed duckdb's version: an extension file loads only in this version."""
    return str(duckdb.__version__)


def spatial_extension_file() -> Path:
    """The spatial extension shipped for the installed duckdb version."""
    package_dir = Path(duckdb_extension_spatial.__file__).parent
    wanted = package_dir / "extensions" / f"v{duckdb.__version__}" / "spatial.duckdb_extension"
    if not wanted.is_file():
        shipped = sorted(
            p.parent.name for p in package_dir.glob("extensions/*/spatial.duckdb_extension")
        )
        raise DatabaseError(
            "the DuckDB spatial extension does not match the installed duckdb",
            expected=f"duckdb-extension-spatial for duckdb v{duckdb.__version__} ({wanted})",
            found=f"extension builds for: {', '.join(shipped) or 'none'}",
            where="python environment",
            fix=f"pip install duckdb-extension-spatial=={duckdb.__version__} (see constraints.txt)",
        )
    return wanted


@contextmanager
def connect(
    path: Path, *, read_only: bool = False, spatial: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database at ``path`` with spatial loaded (unless told not to); close it on exit.

    Loading spatial takes a tenth of a second: reads of plain tables (a run's plan) skip it.
    Opening for writing migrates an older schema forward (citywide.migrations); a database of a
    newer schema than this code is refused (SchemaTooNew), for reading too.
    """
    if read_only and not path.is_file():
        raise DatabaseError(
            "the citywide database does not exist yet",
            problem_th="ยังไม่มีฐานข้อมูล citywide",
            fix_th="สร้างด้วย `citywide run` (หรือ `make demo`) หรือระบุ --duckdb-path",
            expected=f"a DuckDB file at {path}",
            found="no such file",
            where="CITYWIDE_DUCKDB_PATH",
            fix="run `citywide run` (or `make demo`) to build it, or point --duckdb-path at it",
        )
    config = dict(_SAFE_CONFIG)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
        config |= _NEW_FILE_CONFIG
    try:
        connection = duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.IOException as error:
        raise DatabaseError(
            "cannot open the citywide database",
            problem_th="เปิดฐานข้อมูล citywide ไม่ได้",
            fix_th="รอให้ citywide ที่กำลังทำงานเสร็จ หรือตรวจสอบสิทธิ์ของไฟล์",
            expected=f"a DuckDB file at {path} that this process may open",
            found=str(error).splitlines()[0],
            where=str(path),
            fix="wait for the other citywide run to finish, or check the file's permissions",
        ) from error
    try:
        _check_schema(connection, path, read_only)
        if spatial:
            connection.load_extension(str(spatial_extension_file()))
        yield connection
    finally:
        connection.close()


def _check_schema(connection: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
    """A writer migrates an older database forward; nobody opens one newer than this code."""
    if read_only:
        migrations.require_not_newer(migrations.stored_version(connection), str(path))
    else:
        migrations.migrate(connection, str(path))


LOCK_POLL_S = 0.2


@contextmanager
def writer_lock(database: Path, timeout_s: float) -> Iterator[None]:
    """Hold the one writer's lock on ``database``, waiting at most ``timeout_s`` for it.

    An operating-system lock (filelock: flock on Linux and macOS, msvcrt.locking on Windows) on a
    file beside the database: the system drops it when the holder exits, however it exits
    (kill -9 included), so a stale lock cannot outlive its run. Each call takes its own lock,
    even within one process (``thread_local=False``, not reentrant across calls).
    """
    path = lock_file(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    # never a "soft" lock (a file that a killed run would leave behind): an OS lock or an error
    lock = filelock.FileLock(path, thread_local=False, fallback_to_soft=False)
    try:
        lock.acquire(timeout=timeout_s, poll_interval=min(LOCK_POLL_S, max(timeout_s, 0.01)))
    except filelock.Timeout:
        raise _busy(database, timeout_s) from None
    try:
        holder = {"pid": os.getpid(), "since": datetime.now(UTC).isoformat(timespec="seconds")}
        holding = lock_holder_file(database)
        partial = holding.with_name(holding.name + f".{os.getpid()}")
        partial.write_text(json.dumps(holder), encoding="utf-8")
        partial.replace(holding)
        yield
    finally:
        lock.release()


def _busy(database: Path, timeout_s: float) -> DatabaseBusy:
    try:
        holder = json.loads(lock_holder_file(database).read_text(encoding="utf-8"))
        found = f"process {holder['pid']} has been writing it since {holder['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        found = "another process holds the writer lock"
    return DatabaseBusy(
        "another citywide run is writing the database",
        expected=f"the writer lock on {database} free within {timeout_s:g} s",
        found=found,
        where=str(lock_file(database)),
        fix="let that run finish and start again (a scheduled run picks up the work next time), "
        "or raise CITYWIDE_LOCK_TIMEOUT_S; readers are not affected",
    )


@contextmanager
def new_version(database: Path) -> Iterator[Path]:
    """A working copy of ``database`` that replaces it when the block ends without error.

    The caller holds :func:`writer_lock`. A copy left by a killed run is discarded first. On
    success the copy is checkpointed (no WAL left beside it), stamped with a new version id,
    flushed to disk and renamed over ``database`` in one step; on error it is deleted and the
    published file is untouched.
    """
    work = working_copy(database)
    _remove_database_file(work)
    _settle_wal(database)
    if database.is_file():
        shutil.copyfile(database, work)
    try:
        yield work
        with connect(work) as connection:
            drop_leaked_views(connection)
            record_step(connection, "version", uuid.uuid4().hex)
            connection.execute("CHECKPOINT")
        with work.open("rb+") as handle:
            os.fsync(handle.fileno())
        work.replace(database)
        _sync_directory(database.parent)
    finally:
        _remove_database_file(work)


# Views that earlier versions of citywide left in the database file, one set per file merged
# (pointing at Parquet files removed after the merge): dropped by the next write.
LEAKED_VIEW = re.compile(r"prepared_\d+_(?:rows|rejections|warnings|footprints)")


def drop_leaked_views(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Drop views of the database file that earlier versions leaked; return their names."""
    names = [
        name
        for (name,) in connection.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary "
            "AND database_name = current_database() AND schema_name = 'main'"
        ).fetchall()
        if LEAKED_VIEW.fullmatch(name)
    ]
    for name in names:
        connection.execute(f'DROP VIEW IF EXISTS main."{name}"')
    return names


def _sync_directory(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows cannot open a folder, nor needs to)."""
    if os.name == "nt":
        return
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def record_step(connection: duckdb.DuckDBPyConnection, step: str, key: str) -> None:
    """Remember the key a step was built with (see citywide.plan)."""
    connection.execute(PIPELINE_STATE.create_sql(replace=False))
    connection.execute("INSERT OR REPLACE INTO pipeline_state VALUES (?, ?, now())", [step, key])


def step_keys(connection: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, datetime]]:
    """Each step's last key and time; empty for a database built before pipeline_state."""
    if PIPELINE_STATE.name not in table_names(connection):
        return {}
    rows = connection.execute("SELECT step, key, updated_at FROM pipeline_state").fetchall()
    return {step: (key, updated_at) for step, key, updated_at in rows}


def _remove_database_file(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


def _settle_wal(database: Path) -> None:
    """Fold a WAL left beside the published file (by an older in-place writer) into it."""
    if database.with_name(database.name + ".wal").is_file():
        with connect(database) as connection:
            connection.execute("CHECKPOINT")


def replace_tables(
    connection: duckdb.DuckDBPyConnection,
    tables: Mapping[str, pd.DataFrame],
    views: Mapping[str, str] | None = None,
) -> None:
    """Replace each named table with the frame's rows, and the views over them, in one transaction.

    Frames carry the spec's columns; geometry columns hold shapely geometries (already in
    EPSG:4326). Every geometry must be valid, or nothing is replaced. ``views`` maps a view name
    to its SELECT (SQL built by the library, never from input).
    """
    connection.execute("BEGIN TRANSACTION")
    try:
        write_tables(connection, tables)
        for name, sql in (views or {}).items():
            connection.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def timed_frame(
    connection: duckdb.DuckDBPyConnection, sql: str, parameters: Mapping[str, object] | None = None
) -> pd.DataFrame:
    """A query with TIMESTAMPTZ columns as a DataFrame, through Arrow (DuckDB's own .df() of a
    time zone column calls a pandas API pandas 3.1 deprecates)."""
    frame: pd.DataFrame = connection.execute(sql, parameters).to_arrow_table().to_pandas()
    return frame


def write_tables(connection: duckdb.DuckDBPyConnection, tables: Mapping[str, pd.DataFrame]) -> None:
    """Replace each named table with the frame's rows, inside the caller's transaction."""
    for spec in [_spec(name) for name in tables]:
        _write_table(connection, spec, tables[spec.name])


def _spec(name: str) -> TableSpec:
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no table spec named {name!r}; known: {sorted(TABLES)}") from None


def _write_table(
    connection: duckdb.DuckDBPyConnection, spec: TableSpec, frame: pd.DataFrame
) -> None:
    missing = [name for name in spec.column_names if name not in frame.columns]
    if missing:
        raise ValueError(f"frame for table {spec.name} lacks columns {missing}")
    import shapely  # only writers of geometry need it: `citywide check` starts without it

    incoming = pd.DataFrame(
        {
            column.name: (
                shapely.to_wkb(frame[column.name].to_numpy())
                if column.is_geometry
                else frame[column.name].to_numpy()
            )
            for column in spec.columns
        }
    )
    view = f"incoming_{spec.name}"
    connection.execute(spec.create_sql())
    connection.register(view, incoming)
    try:
        selected = ", ".join(
            f"ST_GeomFromWKB({c.name})::{c.sql_type}" if c.is_geometry else c.name
            for c in spec.columns
        )
        connection.execute(f"INSERT INTO {spec.name} SELECT {selected} FROM {view}")  # noqa: S608 (identifiers come from TableSpec, checked there)
    finally:
        connection.unregister(view)
    for column in spec.columns:
        if column.is_geometry:
            _require_valid_geometries(connection, spec.name, column.name)


def _require_valid_geometries(
    connection: duckdb.DuckDBPyConnection, table: str, column: str
) -> None:
    row = connection.execute(
        f"SELECT count(*) FROM {table} WHERE NOT ST_IsValid({column})"  # noqa: S608 (identifiers from TableSpec)
    ).fetchone()
    invalid = row[0] if row else 0
    if invalid:
        raise DatabaseError(
            f"table {table} would hold invalid geometries",
            expected=f"every {column} valid (ST_IsValid)",
            found=f"{invalid} invalid geometries",
            where=f"table {table}, column {column}",
            fix="repair the geometries (shapely.make_valid) in the transform before publishing",
        )


def table_names(connection: duckdb.DuckDBPyConnection) -> set[str]:
    rows = connection.execute("SELECT table_name FROM information_schema.tables").fetchall()
    return {row[0] for row in rows}
