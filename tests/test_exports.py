"""The CSV export is safe to open in a spreadsheet: no text cell is run as a formula."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from citywide.exports import write_exports
from citywide.files import FORMULA_PREFIXES, neutralise_formulas, write_csv

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def _need(rounds: list[str], names: list[str]) -> gpd.GeoDataFrame:
    count = len(rounds)
    return gpd.GeoDataFrame(
        {
            "survey_round": rounds,
            "khet_code": [f"10{i + 1:02d}" for i in range(count)],
            "name_th": names,
            "name_en": ["Dusit"] * count,
            "communities": list(range(count)),
            "need_index_change": [-0.25 - i for i in range(count)],  # negative numbers stay numbers
            "suppressed_indicators": [["=evil"], []] * (count // 2) + [[]] * (count % 2),
        },
        geometry=[shapely.box(100.5, 13.7, 100.6, 13.8)] * count,
        crs="EPSG:4326",
    )


def _cells(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def test_hostile_text_and_round_labels_never_start_a_csv_cell_with_a_formula(
    tmp_path: Path,
) -> None:
    frame = _need(HOSTILE, list(reversed(HOSTILE)))
    written = write_exports(frame, frame, tmp_path)
    header, rows = _cells(tmp_path / "khet_need.csv")
    assert tmp_path / "khet_need.csv" in written
    assert len(rows) == len(HOSTILE)
    numeric = {"communities", "need_index_change"}
    for row in rows:
        for name, cell in zip(header, row, strict=True):
            if name in numeric:
                float(cell)  # a number, written as one
            else:
                assert not cell.startswith(FORMULA_PREFIXES), (name, cell)
    by_column = dict(zip(header, zip(*rows, strict=True), strict=True))
    assert list(by_column["survey_round"]) == ["'" + label for label in HOSTILE]
    assert by_column["need_index_change"][0] == "-0.25"
    assert by_column["suppressed_indicators"][0] == "'=evil"
    assert by_column["name_en"][0] == "Dusit"  # ordinary text is left alone


def test_neutralise_formulas_changes_only_formula_text(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "text": ["=1+1", "ดุสิต", None, "a=b", "-", "2567-1"],
            "mixed": [1, "@x", None, 2.5, b"=bytes", "ok"],
            "integer": [-1, 2, 3, 4, 5, 6],
            "real": [-1.5, None, 3.0, 4.0, 5.0, 6.0],
            "string": pd.array(["+1", None, "x", "y", "z", "w"], dtype="string"),
        }
    )
    safe = neutralise_formulas(frame)
    assert safe["text"].fillna("<NA>").tolist() == ["'=1+1", "ดุสิต", "<NA>", "a=b", "'-", "2567-1"]
    assert safe["mixed"].tolist() == [1, "'@x", None, 2.5, b"=bytes", "ok"]
    assert safe["integer"].tolist() == [-1, 2, 3, 4, 5, 6]
    assert safe["integer"].dtype == frame["integer"].dtype
    assert safe["real"].dtype == frame["real"].dtype
    assert safe["string"].tolist()[0] == "'+1"
    assert safe["string"].dtype == frame["string"].dtype
    assert frame["text"][0] == "=1+1"  # the input is not changed
    header, rows = _cells(write_csv(frame, tmp_path / "t.csv"))
    assert header == list(frame.columns)
    assert rows[0][:4] == ["'=1+1", "1", "-1", "-1.5"]
