"""One check that personal strings left no trace in a database."""

from __future__ import annotations

from pathlib import Path

from citywide import db


def assert_nowhere(path: Path, values: tuple[str, ...]) -> None:
    """None of ``values`` is in any column of any table, every column read as text.

    The boundaries' own geometries (khet, khwaeng and their lookup grid, from the reference
    sources) are not returns: a home's coordinates may share digits with a vertex there.
    """
    with db.connect(path, read_only=True) as connection:
        columns = connection.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = current_database() AND schema_name = 'main' "
            "AND NOT (table_name IN ('khet', 'khwaeng', 'khet_lookup') "
            "AND data_type LIKE 'GEOMETRY%')"
        ).fetchall()
        assert columns
        for table, column in columns:
            for value in values:
                found = connection.execute(
                    f'SELECT count(*) FROM "{table}" WHERE contains("{column}"::VARCHAR, ?)',
                    [value],
                ).fetchall()
                assert found == [(0,)], (table, column, value)
