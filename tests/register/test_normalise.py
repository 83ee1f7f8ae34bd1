from __future__ import annotations

import duckdb
import pytest

from citywide.ingest.rules import create_macros
from citywide.register.normalise import ABBREVIATIONS, digits, name_key

WRITTEN = [
    ("ชุมชนวัดใหม่", "วัดใหม่"),
    ("วัดใหม่", "วัดใหม่"),
    ("ชุมชน วัด ใหม่", "วัดใหม่"),
    ("ชุมชนชุมชนวัดใหม่", "วัดใหม่"),
    ("ชุมชน ซ.๕", "ซอย5"),
    ("ซอย 5", "ซอย5"),
    ("บ้านน\u0e4d\u0e32", "บ้านน\u0e33"),
    ("ร.ร. วัด (ใหม่)", "โรงเรียนวัดใหม่"),
    ("หมู่ที่ ๓ คลองสาม", "หมู่3คลองสาม"),
    ("ม.3 คลองสาม", "หมู่3คลองสาม"),
    ("ถ.พระราม 4", "ถนนพระราม4"),
    ("Community O'Neil", "oneil"),
    ("--", None),
    (None, None),
]


@pytest.mark.parametrize(("written", "key"), WRITTEN)
def test_python_and_sql_give_one_key(written: str | None, key: str | None) -> None:
    connection = duckdb.connect()
    create_macros(connection)
    row = connection.execute("SELECT cw_name_key(?)", [written]).fetchone()
    assert row is not None
    assert name_key(written) == key
    assert row[0] == key


def test_each_abbreviation_spells_out_as_its_example_says() -> None:
    for abbreviation in ABBREVIATIONS:
        short, spelled = abbreviation.example.split(" -> ")
        assert name_key(short) == name_key(spelled) == spelled.replace(" ", "")


def test_numbers_of_a_key() -> None:
    assert digits("ซอย5หมู่3") == "5 3"
    assert digits("วัดใหม่") == ""
