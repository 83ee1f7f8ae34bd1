"""A table's declared shape: its columns, types, constraints and one-line meanings.

:class:`TableSpec` renders the CREATE TABLE; :mod:`citywide.schema` declares every published
table with it, and docs/data-model.md documents every column declared (a test holds the two
together).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GEOMETRY_4326 = "GEOMETRY('EPSG:4326')"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    meaning: str
    nullable: bool = False
    check: str | None = None
    # Short headers for published tables (workbook sheets); indicators take theirs from
    # citywide.indicators.INDICATORS instead.
    label_th: str = ""
    label_en: str = ""

    @property
    def is_geometry(self) -> bool:
        return self.sql_type.startswith("GEOMETRY")


@dataclass(frozen=True)
class TableSpec:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for identifier in (self.name, *self.column_names):
            if not _IDENTIFIER.match(identifier):
                raise ValueError(f"not a plain SQL identifier: {identifier!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def create_sql(self, *, replace: bool = True) -> str:
        """``CREATE OR REPLACE TABLE`` (or ``CREATE TABLE IF NOT EXISTS``) with constraints."""
        lines = []
        for column in self.columns:
            line = f"{column.name} {column.sql_type}"
            if not column.nullable:
                line += " NOT NULL"
            if column.check:
                line += f" CHECK ({column.check})"
            lines.append(line)
        if self.primary_key:
            lines.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        body = ",\n  ".join(lines)
        verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE IF NOT EXISTS"
        return f"{verb} {self.name} (\n  {body}\n)"
