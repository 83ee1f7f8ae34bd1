"""The database's schema version, and the numbered migrations that bring an older one forward.

Every database records the schema version it was built or migrated to in ``schema_version``.
Opening a database for writing (citywide.db.connect) migrates an older one forward, each
migration in order and all of them in one transaction, and refuses a database newer than this
code. A database from before versions were recorded (tables, but no ``schema_version``) is
version 0. A schema change adds a migration at the end of MIGRATIONS: never edit an old one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from citywide.errors import DatabaseError
from citywide.schema import HOUSEHOLD, LINK_COLUMNS, SCHEMA_VERSION_TABLE


class SchemaTooNew(DatabaseError):
    """The database was written by a newer citywide than the one running."""


class SchemaMigrationFailed(DatabaseError):
    """A migration could not be applied: the database was left as it was."""


@dataclass(frozen=True)
class Migration:
    version: int  # the schema version after this migration
    summary: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


def _columns(connection: duckdb.DuckDBPyConnection, table: str) -> set[str] | None:
    rows = connection.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
    ).fetchall()
    return {row[0] for row in rows} if rows else None


def _source_file_record_kind(connection: duckdb.DuckDBPyConnection) -> None:
    """Household returns: source_file.record_kind; the files before them were community returns."""
    columns = _columns(connection, "source_file")
    if columns is not None and "record_kind" not in columns:
        connection.execute("ALTER TABLE source_file ADD COLUMN record_kind VARCHAR")
        connection.execute(
            "UPDATE source_file SET record_kind = 'community' WHERE status = 'loaded'"
        )


def _housing_condition(connection: duckdb.DuckDBPyConnection) -> None:
    """Households say housing_condition, as communities do (was house_condition)."""
    for table in ("household", "household_history"):
        columns = _columns(connection, table)
        if columns is not None and "house_condition" in columns:
            connection.execute(
                f"ALTER TABLE {table} RENAME COLUMN house_condition TO housing_condition"
            )


def _link_columns(connection: duckdb.DuckDBPyConnection) -> None:
    """Every community and household record carries its link to the community register (NULL
    until the next run links them)."""
    for table in ("community", "community_history", "household", "household_history"):
        columns = _columns(connection, table)
        for column in LINK_COLUMNS:
            if columns is not None and column.name not in columns:
                connection.execute(
                    f"ALTER TABLE {table} ADD COLUMN {column.name} {column.sql_type}"
                )


# The household fields of the UN-Habitat (SDG 11.1.1) deprivations, added in schema version 4.
DEPRIVATION_FIELDS = (
    "water_source",
    "toilet_type",
    "toilet_shared",
    "rooms",
    "floor_area",
    "wall_material",
    "roof_material",
    "floor_material",
    "tenure_document",
)


def _deprivation_fields(connection: duckdb.DuckDBPyConnection) -> None:
    """Household records say what the UN-Habitat deprivations are judged from (NULL before)."""
    types = {column.name: column.sql_type for column in HOUSEHOLD.columns}
    for table in ("household", "household_history"):
        columns = _columns(connection, table)
        for name in DEPRIVATION_FIELDS:
            if columns is not None and name not in columns:
                connection.execute(f"ALTER TABLE {table} ADD COLUMN {name} {types[name]}")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "source_file.record_kind (household returns)", _source_file_record_kind),
    Migration(2, "household.house_condition renamed housing_condition", _housing_condition),
    Migration(3, "community_id, link_method, link_score on every record", _link_columns),
    Migration(4, "household water, toilet, rooms, materials, tenure document", _deprivation_fields),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def stored_version(connection: duckdb.DuckDBPyConnection) -> int | None:
    """The database's schema version; 0 if it predates versions, None if it holds no table."""
    if _columns(connection, SCHEMA_VERSION_TABLE.name) is not None:
        row = connection.execute(f"SELECT max(version) FROM {SCHEMA_VERSION_TABLE.name}").fetchone()  # noqa: S608 (identifier from TableSpec)
        return int(row[0]) if row and row[0] is not None else 0
    found = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()"
    ).fetchone()
    return 0 if found and found[0] else None


def migrate(connection: duckdb.DuckDBPyConnection, where: str) -> int | None:
    """Bring the database to SCHEMA_VERSION; the version it had (None: it was empty).

    Raises SchemaTooNew for a database newer than this code, SchemaMigrationFailed (nothing
    changed) when a migration fails.
    """
    found = stored_version(connection)
    if found == SCHEMA_VERSION:
        return found
    require_not_newer(found, where)
    todo = [m for m in MIGRATIONS if found is not None and m.version > found]
    connection.execute("BEGIN TRANSACTION")
    try:
        for migration in todo:
            try:
                migration.apply(connection)
            except duckdb.Error as error:
                raise SchemaMigrationFailed(
                    f"cannot migrate the database to schema version {migration.version}",
                    expected=f"migration {migration.version} ({migration.summary}) to apply",
                    found=str(error).splitlines()[0],
                    where=where,
                    fix="keep this file as it is and rebuild the database from the sources and "
                    "survey files (`make clean && make demo`, or move it aside and "
                    "`citywide run`); report the error",
                ) from error
        connection.execute(SCHEMA_VERSION_TABLE.create_sql(replace=False))
        connection.execute(f"DELETE FROM {SCHEMA_VERSION_TABLE.name}")  # noqa: S608 (identifier from TableSpec)
        connection.execute(
            f"INSERT INTO {SCHEMA_VERSION_TABLE.name} VALUES (?, now())",  # noqa: S608 (identifier from TableSpec)
            [SCHEMA_VERSION],
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return found


def require_not_newer(found: int | None, where: str) -> None:
    """SchemaTooNew when a database's version ``found`` is newer than this code's."""
    if found is not None and found > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"the database has schema version {found}, newer than this citywide's {SCHEMA_VERSION}",
            expected=f"schema version {SCHEMA_VERSION} or older (migrated forward when written)",
            found=f"schema version {found}",
            where=where,
            fix="upgrade citywide (pip install -c constraints.txt -e . from a newer checkout), "
            "or point CITYWIDE_DUCKDB_PATH at a database this version built",
        )


def older_notice(connection: duckdb.DuckDBPyConnection, where: str) -> str | None:
    """For readers: a message when the database predates this code's schema, else None."""
    found = stored_version(connection)
    if found is None or found >= SCHEMA_VERSION:
        return None
    return (
        f"note: {where} has schema version {found}, older than this citywide's {SCHEMA_VERSION}: "
        "some tables or columns may be missing; the next `citywide run` (or any write) migrates it"
    )
