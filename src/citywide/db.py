"""The one place that opens DuckDB.

Connections load the spatial extension from the ``duckdb-extension-spatial`` package file (never
from the network: autoinstall and autoload are off). Tables are published with
:func:`replace_tables`, which swaps a set of tables in one transaction: readers see either all the
old tables or all the new ones, and a failure leaves the old ones untouched.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import duckdb_extension_spatial
import pandas as pd
import shapely

from citywide.errors import DatabaseError
from citywide.schema import TABLES, TableSpec

ConfigValue = str | bool | int | float | list[str]
_SAFE_CONFIG: dict[str, ConfigValue] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
# The default file format predates CRS-typed geometry and silently drops GEOMETRY('EPSG:4326')
# to plain GEOMETRY; the current format keeps it. Readers need DuckDB >= 1.5.
_NEW_FILE_CONFIG: dict[str, ConfigValue] = {"storage_compatibility_version": "latest"}


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
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database at ``path`` with spatial loaded; close it on exit."""
    if read_only and not path.is_file():
        raise DatabaseError(
            "the citywide database does not exist yet",
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
            expected=f"a DuckDB file at {path} that this process may open",
            found=str(error).splitlines()[0],
            where=str(path),
            fix="wait for the other citywide run to finish, or check the file's permissions",
        ) from error
    try:
        connection.load_extension(str(spatial_extension_file()))
        yield connection
    finally:
        connection.close()


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
    specs = [_spec(name) for name in tables]
    connection.execute("BEGIN TRANSACTION")
    try:
        for spec in specs:
            _write_table(connection, spec, tables[spec.name])
        for name, sql in (views or {}).items():
            connection.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


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
