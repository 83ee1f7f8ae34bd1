from __future__ import annotations

import re
from pathlib import Path

import pytest

from citywide.schema import TABLES, Column, TableSpec

DATA_MODEL = Path(__file__).parents[1] / "docs" / "data-model.md"


def documented_columns() -> dict[str, set[str]]:
    sections = re.split(r"^### `(\w+)`", DATA_MODEL.read_text(encoding="utf-8"), flags=re.M)
    return {
        table: set(re.findall(r"^\| `(\w+)` \|", body, flags=re.M))
        for table, body in zip(sections[1::2], sections[2::2], strict=True)
    }


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_column_is_documented(table: str) -> None:
    assert documented_columns().get(table) == set(TABLES[table].column_names)


def test_identifiers_are_checked() -> None:
    with pytest.raises(ValueError, match="identifier"):
        TableSpec("khet; drop", "x", (Column("a", "INT", "a"),), ("a",))


def test_create_sql_carries_constraints() -> None:
    sql = TABLES["khwaeng"].create_sql()
    assert "PRIMARY KEY (khwaeng_code)" in sql
    assert "khet_code VARCHAR NOT NULL CHECK (khet_code = left(khwaeng_code, 4))" in sql
