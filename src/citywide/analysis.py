"""Helpers for analysts: open the database in DuckDB with spatial, print query results.

The spatial extension comes from the ``duckdb-extension-spatial`` package, never from the
network, so plain ``LOAD spatial`` (or ``INSTALL spatial``) fails on an offline machine: load the
file instead, ``LOAD '<path>';`` (:func:`load_spatial_sql`, or ``citywide duckdb``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from citywide.db import spatial_extension_file

NULL = "NULL"


def load_spatial_sql() -> str:
    """The statement that loads the spatial extension in any DuckDB of the installed version."""
    path = str(spatial_extension_file()).replace("'", "''")
    return f"LOAD '{path}';"


def load_spatial(connection: duckdb.DuckDBPyConnection) -> None:
    """Load the spatial extension into an analyst's own connection (offline)."""
    connection.load_extension(str(spatial_extension_file()))


def open_database(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the citywide database with spatial loaded, for notebooks."""
    connection = duckdb.connect(
        str(path),
        read_only=True,
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    load_spatial(connection)
    return connection


def format_table(
    columns: Sequence[str], rows: Sequence[Sequence[object]], max_width: int = 60
) -> str:
    """Rows as aligned text: NULL as ``NULL``, integers as integers, numbers right-aligned."""
    cells = [[_cell(value, max_width) for value in row] for row in rows]
    numeric = [
        bool(rows) and all(_is_number(row[i]) or row[i] is None for row in rows)
        for i in range(len(columns))
    ]
    widths = [max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join([line(columns), *(line(row) for row in cells)])


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell(value: object, max_width: int) -> str:
    if value is None:
        return NULL
    if isinstance(value, bytes | bytearray):
        text = f"<{len(value)} bytes>"
    else:
        text = str(value).replace("\n", " ")
    return text if len(text) <= max_width else text[: max_width - 3] + "..."
