"""The published DuckDB tables: columns, types, constraints and one-line meanings.

docs/data-model.md documents every column declared here (a test holds the two together).
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

    @property
    def is_geometry(self) -> bool:
        return self.sql_type.startswith("GEOMETRY")


@dataclass(frozen=True)
class TableSpec:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]

    def __post_init__(self) -> None:
        for identifier in (self.name, *self.column_names):
            if not _IDENTIFIER.match(identifier):
                raise ValueError(f"not a plain SQL identifier: {identifier!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def create_sql(self) -> str:
        """``CREATE OR REPLACE TABLE`` with every column's type and constraint."""
        lines = []
        for column in self.columns:
            line = f"{column.name} {column.sql_type}"
            if not column.nullable:
                line += " NOT NULL"
            if column.check:
                line += f" CHECK ({column.check})"
            lines.append(line)
        lines.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        body = ",\n  ".join(lines)
        return f"CREATE OR REPLACE TABLE {self.name} (\n  {body}\n)"


KHET = TableSpec(
    name="khet",
    meaning="Bangkok's 50 khets (districts) with official names, area and registered population.",
    columns=(
        Column(
            "khet_code",
            "VARCHAR",
            "DOPA code, '1001'..'1050'",
            check="regexp_full_match(khet_code, '10[0-5][0-9]')",
        ),
        Column("name_th", "VARCHAR", "Official Thai name, without the prefix เขต"),
        Column("name_en", "VARCHAR", "Official English (RTGS) name"),
        Column("area_km2", "DOUBLE", "Area in km2, computed in EPSG:32647", check="area_km2 > 0"),
        Column(
            "population",
            "BIGINT",
            "Registered population (khet_population source)",
            check="population >= 0",
        ),
        Column("geom", GEOMETRY_4326, "Boundary, (Multi)Polygon in EPSG:4326"),
    ),
    primary_key=("khet_code",),
)

KHWAENG = TableSpec(
    name="khwaeng",
    meaning="Bangkok's 180 khwaeng (sub-districts), each clipped to its khet.",
    columns=(
        Column(
            "khwaeng_code",
            "VARCHAR",
            "DOPA code, 6 digits: khet code + 2",
            check="regexp_full_match(khwaeng_code, '10[0-5][0-9][0-9]{2}')",
        ),
        Column(
            "khet_code",
            "VARCHAR",
            "The khet it lies in (khet.khet_code)",
            check="khet_code = left(khwaeng_code, 4)",
        ),
        Column("name_th", "VARCHAR", "Thai name (geothai), without the prefix แขวง"),
        Column("name_en", "VARCHAR", "English name (geothai)"),
        Column(
            "area_km2",
            "DOUBLE",
            "Area in km2 of the clipped polygon, computed in EPSG:32647",
            check="area_km2 > 0",
        ),
        Column("geom", GEOMETRY_4326, "Boundary clipped to its khet, (Multi)Polygon in EPSG:4326"),
    ),
    primary_key=("khwaeng_code",),
)

REFERENCE_SOURCE = TableSpec(
    name="reference_source",
    meaning="The reference source files the current geography was built from (lineage).",
    columns=(
        Column("source_id", "VARCHAR", "Source registry id, e.g. khet_boundaries"),
        Column("path", "VARCHAR", "File path within the source (same under data/raw/)"),
        Column("origin_url", "VARCHAR", "Public origin of the file, pinned to a commit"),
        Column("sha256", "VARCHAR", "Verified sha256 of the file"),
        Column("loaded_at", "TIMESTAMPTZ", "When the tables built from it were published"),
    ),
    primary_key=("source_id", "path"),
)

TABLES: dict[str, TableSpec] = {spec.name: spec for spec in (KHET, KHWAENG, REFERENCE_SOURCE)}
