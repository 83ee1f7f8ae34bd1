"""Row rules on Bangkok's real geography: the fused staging query, value by value."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy
import pandas as pd
import pytest

from citywide import db
from citywide.ingest import rules
from citywide.ingest.load import _stage_table
from citywide.ingest.readers import read_tables
from citywide.text import clean_text, thai_digits_to_ascii

pytestmark = pytest.mark.real_data
TODAY = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def connection(geography_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with db.connect(geography_db, read_only=True) as opened:
        opened.execute(rules._MACROS)
        yield opened


def staged(
    connection: duckdb.DuckDBPyConnection, folder: Path, header: str, lines: list[str]
) -> list[dict[str, Any]]:
    """Stage a CSV of ``lines`` under ``header``; the staged rows as dicts, in file order."""
    path = folder / f"return_{len(list(folder.iterdir()))}.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    (table,) = read_tables(path)
    with connection.cursor() as cursor:
        name = _stage_table(cursor, table, TODAY)
        result = cursor.execute(f"SELECT * FROM {name} ORDER BY source_row")
        columns = [d[0] for d in result.description or []]
        return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


# Pieces of community names as people type them: Thai with marks in either order, split sara
# am, zero-width and no-break spaces, decomposed accents, stray white space.
_FRAGMENTS = [
    "ชุมชน",
    "วัดแขก",
    "\u0e17\u0e48\u0e38",  # tone mark before the vowel mark: NFC reorders
    "\u0e17\u0e38\u0e48",  # canonical order
    "\u0e19\u0e4d\u0e32",  # split sara am
    "\u0e19\u0e33",
    "\u200b",
    "\u00a0",
    "  ",
    "\t",
    " ",
    "e\u0301",
    "é",
    "Soi 3",
    "",
]


def test_staged_names_and_codes_are_cleaned_as_python_cleans_them(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """The SQL path takes clean_text's answers: every combination of fragments, as a name and
    as a code, is staged exactly as citywide.text would clean it."""
    texts = ["".join(parts) for parts in itertools.product(_FRAGMENTS, repeat=3)]
    texts = [t for t in texts if t.strip() and "," not in t]
    quoted = [t.replace('"', '""') for t in texts]
    rows = staged(
        connection,
        tmp_path,
        "เขต,ชื่อชุมชน,รหัสชุมชน",
        [f'บางรัก,"X{t}","{t}"' for t in quoted],
    )
    assert len(rows) == len(texts)
    names = [row["community_name"] for row in rows]
    assert names == [clean_text("X" + t) for t in texts]
    codes = [row["community_code"] for row in rows]
    expected = [
        t
        if all("!" <= c <= "~" for c in t)
        else thai_digits_to_ascii("".join(clean_text(t).split())) or None
        for t in texts
    ]
    assert codes == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("ชุมชนเเสงทอง", "ชุมชนแสงทอง"),  # sara e typed twice for sara ae
        ("ชุมชนทุ่งสองห้อง", "ชุมชนทุ่งสองห้อง"),  # tone mark before the lower vowel
        ("ชุมชนวัดใหม่่", "ชุมชนวัดใหม่"),  # a tone mark typed twice
        ("ชุมชนบ้านน้ํา", "ชุมชนบ้านน้ำ"),  # split sara am after a tone mark
    ],
)
def test_thai_typing_errors_give_one_community_key(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path, written: str, expected: str
) -> None:
    rows = staged(connection, tmp_path, "เขต,ชื่อชุมชน", [f"บางรัก,{written}", f"บางรัก,{expected}"])
    assert rows[0]["community_name"] == rows[1]["community_name"] == expected
    assert rows[0]["community_key"] == rows[1]["community_key"]


@pytest.mark.parametrize(
    ("written", "value", "problem"),
    [
        ("12", 12, None),
        ("000123", 123, None),
        ('"1,234"', 1234, None),
        ('"1,234,567"', 1234567, None),
        ("๑๒", 12, None),
        ('"๑,๒๓๔"', 1234, None),
        (" 12 ", 12, None),
        ("1 234", 1234, None),
        ("12.0", 12, None),
        ("-", None, None),
        ("n/a", None, None),
        ("", None, None),
        ("-5", None, "negative_count"),
        ("1.5", None, "non_integer_count"),
        ("abc", None, "non_numeric_count"),
        ("nan", None, "non_numeric_count"),
        ("1e3", None, "non_numeric_count"),
        ("12 คน", None, "non_numeric_count"),
    ],
)
def test_counts(
    connection: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    written: str,
    value: int | None,
    problem: str | None,
) -> None:
    (row,) = staged(connection, tmp_path, "เขต,ชื่อชุมชน,ครัวเรือน", [f"บางรัก,ชุมชน ก,{written}"])
    reason = row["rejection"]["reason"] if row["rejection"] else None
    assert reason == problem
    if problem is None:
        assert row["households"] == value


def test_point_in_khet_agrees_with_the_khet_polygons(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    rng = numpy.random.default_rng(3)
    lat = rng.uniform(*rules.LAT_RANGE, 3000)
    lon = rng.uniform(*rules.LON_RANGE, 3000)
    # and points a hair from khet borders, where the grid cells are cut
    border = connection.execute(
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT unnest(ST_Dump(ST_Points(ST_Boundary(geom)))).geom "
        "AS p FROM khet) USING SAMPLE 1500 ROWS (reservoir, 5)"
    ).fetchall()
    jitter = rng.uniform(-2e-5, 2e-5, (len(border), 2))
    lon = numpy.concatenate([lon, [x for x, _ in border] + jitter[:, 0]])
    lat = numpy.concatenate([lat, [y for _, y in border] + jitter[:, 1]])
    lines = [f"ชุมชน {i},{y:.9f},{x:.9f}" for i, (y, x) in enumerate(zip(lat, lon, strict=True))]
    rows = staged(connection, tmp_path, "ชื่อชุมชน,ละติจูด,ลองจิจูด", lines)
    found = {row["community_name"]: row["khet_code"] for row in rows}
    points = pd.DataFrame({"name": [f"ชุมชน {i}" for i in range(len(lat))], "lat": lat, "lon": lon})
    with connection.cursor() as cursor:
        cursor.register("points", points)
        expected = dict(
            cursor.execute(
                "SELECT p.name, min(k.khet_code) FROM points p "
                "LEFT JOIN khet k ON ST_Contains(k.geom, ST_Point(p.lon, p.lat)) GROUP BY 1"
            ).fetchall()
        )
    inside = {name: code for name, code in expected.items() if code is not None}
    assert len(inside) > 1500
    assert {name: found[name] for name in inside} == inside
    outside = set(expected) - set(inside)
    # a point in no khet polygon has no khet, except on the hair-thin gaps between khets,
    # where the cell pieces (enlarged by 1e-7 deg) still meet one
    assert sum(found[name] is not None for name in outside) <= len(border) // 100


def test_khwaeng_is_read_within_the_khet_found_from_the_point(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # 13.7262, 100.5237 lies in Bang Rak, whose khwaeng include Si Lom; Bang Na is elsewhere
    rows = staged(
        connection,
        tmp_path,
        "ชื่อชุมชน,แขวง,ละติจูด,ลองจิจูด",
        ["ชุมชน ก,สีลม,13.7262,100.5237", "ชุมชน ข,บางนาเหนือ,13.7262,100.5237"],
    )
    assert [row["khet_code"] for row in rows] == ["1004", "1004"]
    assert rows[0]["khwaeng_code"] == "100402"
    assert rows[1]["khwaeng_code"] is None
    codes = [[w["code"] for w in row["warnings"]] for row in rows]
    assert codes == [["khet_from_location"], ["khet_from_location", "unknown_khwaeng"]]


def test_blank_rows_are_not_read_and_summary_rows_are_rejected(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    rows = staged(
        connection,
        tmp_path,
        "เขต,ชื่อชุมชน,ครัวเรือน",
        ["บางรัก,รวมใจ,5", " , ,\t", "รวม 2 ชุมชน,,10", "Total:,,10"],
    )
    assert [(row["source_row"], bool(row["rejection"])) for row in rows] == [
        (2, False),
        (4, True),
        (5, True),
    ]
    assert {row["rejection"]["reason"] for row in rows[1:]} == {"summary_row"}


@pytest.mark.parametrize(
    ("written", "code"),
    [("1004-012", "1004-012"), (" 12 ", "12"), ("C 12", "C12"), ("๑๒๓", "123"), ("\u200b7", "7")],
)
def test_community_codes(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path, written: str, code: str
) -> None:
    (row,) = staged(connection, tmp_path, "เขต,ชื่อชุมชน,รหัสชุมชน", [f"บางรัก,ก,{written}"])
    assert row["community_code"] == code
