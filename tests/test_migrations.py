"""The schema version in the database: older databases are migrated forward on the first write,
newer ones are refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from citywide import db, migrations
from citywide.cli import app
from citywide.ingest.load import ensure_tables
from citywide.migrations import SCHEMA_VERSION, SchemaMigrationFailed, SchemaTooNew
from citywide.schema import INGEST_TABLES, LINK_COLUMNS, PIPELINE_STATE, SOURCE_FILE, TableSpec


def _old_shape(spec: TableSpec) -> TableSpec:
    """A record table as it was before migrations 2 to 4: households with house_condition,
    not housing_condition; no record linked (no community_id, link_method, link_score); no
    household deprivation fields (water_source ... tenure_document)."""
    renamed = {"housing_condition": "house_condition"} if spec.name.startswith("household") else {}
    linked = {column.name for column in LINK_COLUMNS} | set(migrations.DEPRIVATION_FIELDS)
    return dataclasses.replace(
        spec,
        columns=tuple(
            dataclasses.replace(c, name=renamed.get(c.name, c.name))
            for c in spec.columns
            if c.name not in linked
        ),
    )


def old_shape_database(path: Path) -> None:
    """A database as citywide built it before household returns and before schema versions."""
    old_source_file = dataclasses.replace(
        SOURCE_FILE, columns=tuple(c for c in SOURCE_FILE.columns if c.name != "record_kind")
    )
    old_tables = [_old_shape(spec) for spec in INGEST_TABLES[1:]]
    connection = duckdb.connect(str(path), config={"storage_compatibility_version": "latest"})
    try:
        connection.load_extension(str(db.spatial_extension_file()))
        connection.execute("CREATE SEQUENCE source_file_seq START 1")
        for spec in (old_source_file, *old_tables, PIPELINE_STATE):
            connection.execute(spec.create_sql(replace=False))
        for status in ("loaded", "failed"):
            connection.execute(
                "INSERT INTO source_file VALUES (nextval('source_file_seq'), 'a.csv', 'a.csv', "
                "'00', 1, 'csv', 'utf-8', NULL, '2567-1', ?, 1, 1, 0, 0, 0, 0, 1, '{}', [], [], "
                "NULL, now())",
                [status],
            )
    finally:
        connection.close()


def columns(path: Path, table: str) -> set[str]:
    with db.connect(path, read_only=True, spatial=False) as connection:
        rows = connection.execute(f"DESCRIBE {table}").fetchall()
    return {row[0] for row in rows}


def version(path: Path) -> int | None:
    with db.connect(path, read_only=True, spatial=False) as connection:
        return migrations.stored_version(connection)


def test_an_old_database_is_migrated_by_the_next_write(tmp_path: Path) -> None:
    database = tmp_path / "citywide.duckdb"
    old_shape_database(database)
    assert version(database) == 0
    assert "record_kind" not in columns(database, "source_file")
    with db.new_version(database) as work, db.connect(work) as connection:  # a run's write
        ensure_tables(connection)
    assert version(database) == SCHEMA_VERSION == 4
    for table in ("household", "household_history"):
        assert "housing_condition" in columns(database, table)
        assert "house_condition" not in columns(database, table)
    for table in ("community", "community_history", "household", "household_history"):
        assert {"community_id", "link_method", "link_score"} <= columns(database, table)
    for table in ("household", "household_history"):
        assert set(migrations.DEPRIVATION_FIELDS) <= columns(database, table)
    with db.connect(database, read_only=True, spatial=False) as connection:
        kinds_of = dict(
            connection.execute(
                "SELECT column_name, data_type FROM "
                "information_schema.columns WHERE table_name = "
                "'household'"
            ).fetchall()
        )
    assert (kinds_of["rooms"], kinds_of["floor_area"], kinds_of["toilet_type"]) == (
        "BIGINT",
        "DOUBLE",
        "VARCHAR",
    )
    with db.connect(database, read_only=True, spatial=False) as connection:
        kinds = connection.execute(
            "SELECT status, record_kind FROM source_file ORDER BY status"
        ).fetchall()
        stamped = connection.execute("SELECT count(*) FROM schema_version").fetchone()
    assert kinds == [("failed", None), ("loaded", "community")]
    assert stamped == (1,)
    with db.connect(database) as connection:  # migrating again changes nothing
        assert migrations.migrate(connection, "x") == SCHEMA_VERSION


def test_a_new_database_records_the_current_version(tmp_path: Path) -> None:
    database = tmp_path / "new.duckdb"
    with db.connect(database) as connection:
        ensure_tables(connection)
    assert version(database) == SCHEMA_VERSION
    assert "record_kind" in columns(database, "source_file")


def test_a_newer_database_is_refused_naming_both_versions(tmp_path: Path) -> None:
    database = tmp_path / "newer.duckdb"
    with db.connect(database, spatial=False) as connection:
        connection.execute("UPDATE schema_version SET version = ?", [SCHEMA_VERSION + 5])
    for read_only in (False, True):
        with (
            pytest.raises(SchemaTooNew) as refused,
            db.connect(database, read_only=read_only, spatial=False),
        ):
            pass
        message = str(refused.value)
        assert f"schema version {SCHEMA_VERSION + 5}" in message
        assert f"this citywide's {SCHEMA_VERSION}" in message
        assert "upgrade citywide" in refused.value.fix
        assert str(database) in refused.value.where
    assert version_unchecked(database) == SCHEMA_VERSION + 5


def version_unchecked(path: Path) -> int:
    connection = duckdb.connect(str(path), read_only=True)
    try:
        row = connection.execute("SELECT version FROM schema_version").fetchone()
    finally:
        connection.close()
    assert row is not None
    return int(row[0])


def test_a_failing_migration_leaves_the_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "citywide.duckdb"
    old_shape_database(database)

    def broken(connection: duckdb.DuckDBPyConnection) -> None:
        connection.execute("ALTER TABLE no_such_table ADD COLUMN x INTEGER")

    failing = (*migrations.MIGRATIONS, migrations.Migration(5, "a broken step", broken))
    monkeypatch.setattr(migrations, "MIGRATIONS", failing)
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 5)
    with (
        pytest.raises(SchemaMigrationFailed, match="schema version 5") as failed,
        db.connect(database, spatial=False),
    ):
        pass
    assert "rebuild" in failed.value.fix
    monkeypatch.undo()
    assert version(database) == 0  # migrations 1-4 were rolled back with the broken one
    assert "record_kind" not in columns(database, "source_file")
    assert "house_condition" in columns(database, "household")
    assert "community_id" not in columns(database, "community")


def test_a_reader_of_an_old_database_is_told_so(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "processed" / "citywide.duckdb"
    database.parent.mkdir()
    old_shape_database(database)
    result = CliRunner().invoke(
        app, ["--duckdb-path", str(database), "query", "SELECT count(*) AS n FROM source_file"]
    )
    assert result.exit_code == 0, result.output
    assert f"schema version 0, older than this citywide's {SCHEMA_VERSION}" in result.output
    assert "citywide run" in result.output
    assert version(database) == 0  # reading changes nothing
