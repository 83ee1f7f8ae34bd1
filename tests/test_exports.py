"""The exports: the current picture (GeoPackage, GeoParquet) with the round each value comes
from, every round (CSV) with not-surveyed khets NULL, never 0, the coverage and the rounds; and
every CSV safe to open in a spreadsheet (no text cell is run as a formula).

The multi-round picture is built in the test: tables from their TableSpecs, rows inserted, the
published views created as the indicators step creates them.
"""

from __future__ import annotations

import csv
import math
import re
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import duckdb
import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely

from citywide import db, indicators, sources
from citywide.errors import PublishError
from citywide.exports import ExportOptions, Picture, read_picture, write_exports
from citywide.files import FORMULA_PREFIXES, neutralise_formulas, write_csv
from citywide.indicators import INDICATOR_BY_NAME
from citywide.locations import Locations
from citywide.mapping.layers import classify, layer_values, value_range
from citywide.qgis_style import states
from citywide.schema import KHET_NEED, KHET_NEED_CURRENT, KHWAENG_NEED, KHWAENG_NEED_CURRENT
from citywide.schema_register import KHET_COVERAGE, SURVEY_ROUND
from citywide.settings import Settings
from citywide.workbook import KHET, KHWAENG, NOTES_SHEET, Level, definitions_heading, describe
from tests.table_rows import spec_frame

OPTIONS = ExportOptions(datetime(2026, 12, 4, 19, 0, tzinfo=ZoneInfo("Asia/Bangkok")))
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
            "need_index": [float(10 * i) for i in range(count)],
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
    rounds = pd.DataFrame(
        {"survey_round": HOSTILE, "name_th": ["@x"] * len(HOSTILE), "name_en": ["=x"] * len(HOSTILE),
         "khets_returned": 1, "khets_complete": 0}
    )  # fmt: skip
    written = write_exports(Picture(frame, frame, rounds, rounds), tmp_path, OPTIONS)
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
    for name in ("khet_coverage.csv", "survey_rounds.csv"):
        header, rows = _cells(tmp_path / name)
        assert [row[header.index("name_en")] for row in rows] == ["'=x"] * len(HOSTILE), name


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


# --- a synthetic multi-round picture -------------------------------------------------------------

KHETS = ("1001", "1002", "1003")
REGISTRY, ROUND = "bma_registry", "2568"
SURVEYED_2568 = {"1002"}  # round 2568 has come back from one khet of three so far
NOW = pd.Timestamp("2026-01-10 09:00", tz="UTC")


def _khet_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "khet_code": list(KHETS),
            "name_th": ["พระนคร", "ดุสิต", "หนองจอก"],
            "name_en": ["Phra Nakhon", "Dusit", "Nong Chok"],
            "area_km2": [5.5, 10.7, 236.3],
            "population": [50_000, 90_000, 180_000],
            "geom": [
                shapely.box(100.5 + i * 0.02, 13.7, 100.52 + i * 0.02, 13.72) for i in range(3)
            ],
        }
    )


def _need_row(
    survey_round: str, order: int, khet: str, households: int | None
) -> dict[str, object]:
    names = _khet_rows().set_index("khet_code")
    surveyed = households is not None
    return {
        "survey_round": survey_round, "round_order": order, "khet_code": khet,
        "name_th": names.loc[khet, "name_th"], "name_en": names.loc[khet, "name_en"],
        "area_km2": 10.0,
        "registered_population": 50_000,
        "coverage_status": "complete" if surveyed else "not_returned",
        "first_survey_date": pd.Timestamp("2025-06-01" if order == 1 else "2025-12-01") if surveyed else None,
        "last_survey_date": pd.Timestamp("2025-06-30" if order == 1 else "2025-12-20") if surveyed else None,
        "surveyed_khets": 3 if order == 1 else len(SURVEYED_2568),
        "communities": 5 if surveyed else None,
        "slum_communities": 4 if surveyed else None,
        "slum_households": households,
        "need_index": float(households) / 10 if households is not None else None,
        "need_rank": 1 if surveyed else None,
    }  # fmt: skip


def _khwaeng_rows() -> pd.DataFrame:
    """Each khet cut in two khwaeng, west and east halves (codes khet + 01, 02)."""
    rows = [
        {"khwaeng_code": f"{khet}0{half + 1}", "khet_code": khet, "name_th": f"แขวง{khet}{half}",
         "name_en": f"Khwaeng {khet}-{half}", "area_km2": 2.0,
         "geom": shapely.box(100.5 + i * 0.02 + half * 0.01, 13.7,
                             100.51 + i * 0.02 + half * 0.01, 13.72)}
        for i, khet in enumerate(KHETS)
        for half in (0, 1)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def _per_khwaeng(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Khet rows as khwaeng rows: the west khwaeng has the khet's values, the east one's are
    too thin to publish (one slum community)."""
    names = _khet_rows().set_index("khet_code")
    per_khwaeng = []
    for row in rows:
        khet = str(row["khet_code"])
        facts = {"khet_code": khet, "khet_name_th": names.loc[khet, "name_th"],
                 "khet_name_en": names.loc[khet, "name_en"], "surveyed_khwaeng": 2 * int(str(row["surveyed_khets"]))}  # fmt: skip
        values = {
            k: v
            for k, v in row.items()
            if k not in {"khet_code", "surveyed_khets", "registered_population"}
        }
        per_khwaeng.append({**values, **facts, "khwaeng_code": f"{khet}01"})
        surveyed = row["communities"] is not None
        thin = {"communities": 1, "slum_communities": 1, "slum_households": 7} if surveyed else {}
        per_khwaeng.append({**values, **facts, "khwaeng_code": f"{khet}02", **thin})
    return per_khwaeng


def _fill(connection: duckdb.DuckDBPyConnection) -> None:
    need = [_need_row(REGISTRY, 1, khet, 100 * (i + 1)) for i, khet in enumerate(KHETS)]
    need += [_need_row(ROUND, 2, k, 250 if k in SURVEYED_2568 else None) for k in KHETS]
    current = [
        row
        for row in need
        if row["survey_round"] == REGISTRY and row["khet_code"] not in SURVEYED_2568
    ]
    current += [
        row for row in need if row["survey_round"] == ROUND and row["khet_code"] in SURVEYED_2568
    ]
    rounds = [
        {
            "survey_round": REGISTRY,
            "round_order": 1,
            "name_th": "ทะเบียนชุมชน กทม.",
            "name_en": "BMA community registry",
            "is_registry": True,
            "files": 1,
            "khets_returned": 3,
            "khets_complete": 3,
            "first_return_at": NOW,
            "last_return_at": NOW,
        },
        {
            "survey_round": ROUND,
            "round_order": 2,
            "name_th": "รอบสำรวจ 2568",
            "name_en": "survey round 2568",
            "is_registry": False,
            "files": 1,
            "khets_returned": 1,
            "khets_complete": 1,
            "first_return_at": NOW,
            "last_return_at": NOW,
        },
    ]
    coverage = [
        {"survey_round": row["survey_round"], "khet_code": row["khet_code"],
         "status": row["coverage_status"], "files": int(row["communities"] is not None),
         "communities_surveyed": row["communities"] or 0, "communities_expected": 5,
         "expected_surveyed": row["communities"] or 0,
         "share_surveyed": 1.0 if row["communities"] else 0.0, "communities_new": 0,
         "communities_not_found": 0}
        for row in need
    ]  # fmt: skip
    db.replace_tables(
        connection,
        {
            "khet": _khet_rows(),
            "survey_round": spec_frame(SURVEY_ROUND, rounds),
            "khet_coverage": spec_frame(KHET_COVERAGE, coverage),
            "khet_need": spec_frame(KHET_NEED, need),
            "khet_need_current": spec_frame(KHET_NEED_CURRENT, current),
            "khwaeng": _khwaeng_rows(),
            "khwaeng_need": spec_frame(KHWAENG_NEED, _per_khwaeng(need)),
            "khwaeng_need_current": spec_frame(KHWAENG_NEED_CURRENT, _per_khwaeng(current)),
        },
        views=indicators.views(indicators.SuppressionRule()),
    )


@pytest.fixture
def picture_db(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with db.connect(tmp_path / "picture.duckdb") as connection:
        _fill(connection)
        yield connection


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_the_current_picture_names_the_round_each_khets_values_come_from(
    picture_db: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    written = write_exports(read_picture(picture_db), tmp_path / "exports", OPTIONS)
    assert [path.name for path in written] == [
        "khet_need.gpkg", "khet_need.parquet", "khet_need.csv", "khet_coverage.csv",
        "survey_rounds.csv", "khet_need.xlsx", "khwaeng_need.gpkg", "khwaeng_need.csv",
    ]  # fmt: skip
    for current in (
        gpd.read_file(tmp_path / "exports" / "khet_need.gpkg", layer="khet_need"),
        gpd.read_parquet(tmp_path / "exports" / "khet_need.parquet"),
    ):
        rows = current.set_index("khet_code")
        assert list(rows.index) == list(KHETS)  # one row per khet
        assert rows["survey_round"].to_dict() == {"1001": REGISTRY, "1002": ROUND, "1003": REGISTRY}
        assert rows["round_name_en"].to_dict()["1002"] == "survey round 2568"
        assert rows["slum_households"].to_dict() == {"1001": 100, "1002": 250, "1003": 300}
        assert str(rows.loc["1002", "last_survey_date"])[:10] == "2025-12-20"
        assert str(rows.loc["1001", "first_survey_date"])[:10] == "2025-06-01"
        assert current.crs.to_epsg() == 4326


def test_every_round_csv_keeps_not_surveyed_khets_null_never_zero(
    picture_db: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    write_exports(read_picture(picture_db), tmp_path, OPTIONS)
    every = _csv(tmp_path / "khet_need.csv")
    assert len(every) == 2 * len(KHETS)
    round_2568 = every[every["survey_round"] == ROUND].set_index("khet_code")
    assert round_2568["coverage_status"].to_dict() == {
        "1001": "not_returned", "1002": "complete", "1003": "not_returned"
    }  # fmt: skip
    for column in ("slum_households", "communities", "need_index", "need_rank", "last_survey_date"):
        assert round_2568.loc[["1001", "1003"], column].tolist() == ["", ""], column
    assert round_2568.loc["1002", "slum_households"] == "250"  # an integer stays one
    assert round_2568.loc["1002", "need_rank"] == "1"
    assert round_2568.loc["1002", "round_name_th"] == "รอบสำรวจ 2568"


def test_a_not_surveyed_khet_stays_null_in_the_geopackage(
    picture_db: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    picture_db.execute("UPDATE khet_need_current SET slum_households = NULL, need_index = NULL WHERE khet_code = '1003'")  # fmt: skip
    write_exports(read_picture(picture_db), tmp_path, OPTIONS)
    current = gpd.read_file(tmp_path / "khet_need.gpkg", layer="khet_need").set_index("khet_code")
    assert pd.isna(current.loc["1003", "slum_households"])
    assert pd.isna(current.loc["1003", "need_index"])
    assert current.loc["1001", "slum_households"] == 100


def test_coverage_and_rounds_csv(picture_db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    write_exports(read_picture(picture_db), tmp_path, OPTIONS)
    coverage = _csv(tmp_path / "khet_coverage.csv")
    assert list(coverage.columns[:4]) == ["survey_round", "khet_code", "name_th", "name_en"]
    assert set(KHET_COVERAGE.column_names) <= set(coverage.columns)
    assert list(zip(coverage["survey_round"], coverage["khet_code"], strict=True)) == [
        (r, k) for r in (REGISTRY, ROUND) for k in KHETS
    ]  # round order, then khet
    second = coverage[coverage["survey_round"] == ROUND].set_index("khet_code")
    assert second["status"].to_dict() == {"1001": "not_returned", "1002": "complete", "1003": "not_returned"}  # fmt: skip
    assert second.loc["1002", "name_th"] == "ดุสิต"
    assert second.loc["1002", "name_en"] == "Dusit"
    rounds = _csv(tmp_path / "survey_rounds.csv")
    assert list(rounds.columns) == list(SURVEY_ROUND.column_names)
    assert rounds["survey_round"].tolist() == [REGISTRY, ROUND]
    assert rounds["khets_returned"].tolist() == ["3", "1"]
    assert rounds["first_return_at"].tolist() == ["2026-01-10 16:00:00+07:00"] * 2  # Bangkok time
    assert second.loc["1002", "first_return_at"] == ""  # NULL stays empty


def test_exports_without_the_register_tables_say_to_run_the_pipeline(
    picture_db: duckdb.DuckDBPyConnection,
) -> None:
    picture_db.execute("DROP TABLE khet_coverage")
    with pytest.raises(PublishError, match="khet_coverage") as raised:
        read_picture(picture_db)
    assert "citywide run" in raised.value.fix


def test_the_flows_export_task_writes_the_six_files_into_the_exports_folder(
    settings: Settings,
) -> None:
    from flows.tasks import write_exports as export_task  # Prefect: imported only here

    with db.connect(settings.duckdb_path) as connection:
        _fill(connection)
    written = export_task.fn(settings)
    folder = Locations.from_settings(settings).exports_dir
    assert sorted(Path(path).name for path in written) == sorted(p.name for p in folder.iterdir())
    assert len(written) == 8


def test_khwaeng_rows_come_from_the_published_khwaeng_views_only(
    picture_db: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    write_exports(read_picture(picture_db), tmp_path, OPTIONS)
    current = gpd.read_file(tmp_path / "khwaeng_need.gpkg", layer="khwaeng_need")
    rows = current.set_index("khwaeng_code")
    assert list(rows.index) == [f"{k}0{h}" for k in KHETS for h in (1, 2)]  # 2 per khet
    assert current.crs.to_epsg() == 4326
    assert rows.loc["100201", "survey_round"] == ROUND
    assert rows.loc["100201", "slum_households"] == 250
    assert rows.loc["100201", "khet_name_en"] == "Dusit"
    assert rows.loc["100201", "round_name_en"] == "survey round 2568"
    assert rows.loc["100101", "geometry"].bounds == pytest.approx((100.5, 13.7, 100.51, 13.72))
    # the thin east khwaeng: hidden in the view, so in no file, and named as hidden
    assert rows.loc[["100102", "100202", "100302"], "slum_households"].isna().all()
    assert "slum_households" in rows.loc["100202", "suppressed_indicators"]
    every = _csv(tmp_path / "khwaeng_need.csv")
    assert len(every) == 2 * 2 * len(KHETS)  # rounds x khwaeng
    round_2568 = every[every["survey_round"] == ROUND].set_index("khwaeng_code")
    assert round_2568.loc["100201", "slum_households"] == "250"
    assert round_2568.loc["100202", "slum_households"] == ""
    assert round_2568.loc["100202", "communities"] == "1"  # community counts are public
    assert round_2568.loc[["100101", "100102"], "coverage_status"].tolist() == ["not_returned"] * 2
    assert round_2568.loc["100101", "slum_households"] == ""  # not surveyed: NULL, never 0
    assert "7" not in set(every["slum_households"])  # the hidden value appears nowhere
    for column in ("communities_without_khwaeng", "tenure_communities"):
        assert column not in every.columns


# --- the workbook and the QGIS style, on the real Bangkok picture ------------------------------


def _published(settings: Settings, view: str, key: str = "khet_code") -> pd.DataFrame:
    with db.connect(settings.duckdb_path, read_only=True) as connection:
        cursor = connection.execute(
            f"SELECT v.*, r.name_th AS round_name_th, r.name_en AS round_name_en FROM {view} v "
            f"LEFT JOIN survey_round r USING (survey_round) ORDER BY v.round_order, v.{key}"
        )
        columns = [column[0] for column in cursor.description or []]
        return pd.DataFrame(cursor.fetchall(), columns=columns, dtype=object)


def _definitions(notes: list[list[Any]], level: Level) -> dict[str, list[Any]]:
    """The notes sheet's column definitions of one level, by column name."""
    start = notes.index([definitions_heading(level)])
    rows = notes[start + 2 :]  # after the heading and the bold header row
    ended = next((i for i, row in enumerate(rows) if len(row) == 1), len(rows))
    return {row[0]: row for row in rows[:ended]}


def _sheet_rows(sheet: Any) -> tuple[list[str], list[str], list[list[Any]]]:
    """The two header rows and the rows, each by the field name the notes give its column."""
    thai, english, *rows = list(sheet.iter_rows(values_only=True))
    return list(thai), list(english), [list(row) for row in rows]


@pytest.mark.real_data
def test_the_workbook_holds_only_published_values_with_bilingual_frozen_headers(
    real_published: Settings,
) -> None:
    path = Locations.from_settings(real_published).exports_dir / "khet_need.xlsx"
    book = openpyxl.load_workbook(path)
    notes = [
        [cell for cell in row if cell is not None]
        for row in book[NOTES_SHEET].iter_rows(values_only=True)
    ]
    described = {row[0]: row for row in notes if row}
    sheet_names = [NOTES_SHEET]
    hidden_cells = 0
    # each level: its views, its rows per sheet, and the frozen columns (code and names)
    for level, key, places, frozen in ((KHET, "khet_code", 50, "F3"),
                                       (KHWAENG, "khwaeng_code", 180, "G3")):  # fmt: skip
        current = _published(real_published, level.current_view, key)
        every = _published(real_published, level.every_round_view, key)
        rounds = list(dict.fromkeys(every["survey_round"]))
        expected = {f"{level.name_th} ปัจจุบัน · {level.name} current": current}
        expected |= {
            f"{level.name_th} {label} · {level.name}": every[every["survey_round"] == label]
            for label in rounds
        }
        sheet_names += list(expected)
        for name, view in expected.items():
            sheet = book[name]
            assert sheet.freeze_panes == frozen  # two header rows, the place's code and names
            thai, english, rows = _sheet_rows(sheet)
            fields = [describe(column, level) for column in view.columns]
            assert thai == [field.label_th for field in fields]
            assert english == [field.label_en for field in fields]
            need_column = list(view.columns).index("need_index")
            assert thai[need_column] == INDICATOR_BY_NAME["need_index"].label_th
            assert len(rows) == len(view) == places
            for column, field in enumerate(fields):
                defined = _definitions(notes, level)[field.name]
                assert defined[1:3] == [field.label_th, field.label_en]
                values = view[field.name].tolist()
                for row, (cell, value) in enumerate(
                    zip((r[column] for r in rows), values, strict=True)
                ):
                    if value is None or (isinstance(value, float) and math.isnan(value)):
                        assert cell is None, (name, field.name, row)  # NULL stays empty, never 0
                    elif field.kind == "number":
                        assert cell == pytest.approx(float(value)), (name, field.name, row)
                    elif field.name == "suppressed_indicators":
                        assert cell == (", ".join(value) or None)
                    elif field.kind == "text":
                        assert cell == str(value)
                filled = [
                    cell for cell in next(sheet.iter_cols(column + 1, column + 1, 3)) if cell.value
                ]
                if field.kind == "number" and filled:
                    assert {cell.number_format for cell in filled} == {field.number_format}
            for position, hidden in enumerate(view["suppressed_indicators"]):
                for indicator in hidden:
                    assert rows[position][view.columns.get_loc(indicator)] is None
                    hidden_cells += 1
            assert sheet.cell(3, 1 + need_column).number_format == "#,##0.0"
    assert book.sheetnames == sheet_names
    assert hidden_cells > 0  # the real picture hides values: they are empty in the workbook
    texts = "\n".join(" ".join(str(cell) for cell in row) for row in notes)
    for source in sources.REGISTRY:
        assert source.id in described
        assert source.title in texts
    for label in rounds:
        assert label in described
    for note in real_published.suppression.note():
        assert note in texts
    assert re.search(r"built \d{4}-\d\d-\d\d \d\d:\d\d", texts)
    personal = {"CHAIRMAN", "community_name", "chairman"}
    assert not personal & set(described)
    assert _definitions(notes, KHWAENG)["name_th"][1] == "ชื่อแขวง"
    assert _definitions(notes, KHET)["name_th"][1] == "ชื่อเขต"


@pytest.mark.real_data
def test_the_geopackage_opens_in_qgis_with_the_maps_classes_and_colours(
    real_published: Settings,
) -> None:
    path = Locations.from_settings(real_published).exports_dir / "khet_need.gpkg"
    assert "layer_styles" in pyogrio.list_layers(path)[:, 0]  # an OGR layer: QGIS finds it
    with sqlite3.connect(path) as connection:
        (geometry_column,) = connection.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = 'khet_need'"
        ).fetchone()
        styles = connection.execute(
            "SELECT f_table_name, f_geometry_column, useAsDefault, styleQML FROM layer_styles"
        ).fetchall()
    assert [row[:3] for row in styles] == [("khet_need", geometry_column, 1)]
    renderer = ElementTree.fromstring(styles[0][3]).find("renderer-v2")
    assert renderer is not None
    assert renderer.get("type") == "graduatedSymbol"
    assert '"need_index"' in (renderer.get("attr") or "")
    found = [
        (float(r.get("lower", "nan")), float(r.get("upper", "nan")), r.get("label"))
        for r in renderer.iter("range")
    ]
    current = gpd.read_file(path, layer="khet_need")
    settings = Settings()
    values = layer_values(current, "need_index")
    classes, _ = classify(values, settings.map_classification, settings.map_classes)
    count = len(classes)
    assert count >= 3
    assert [upper for _, upper, _ in found[:count]] == list(classes.highs)  # the map's breaks
    assert [label for *_, label in found[:count]] == [
        value_range(low, high, INDICATOR_BY_NAME["need_index"])
        for low, high in zip(classes.lows, classes.highs, strict=True)
    ]
    colours = [
        option.get("value")
        for symbol in renderer.iter("symbol")
        for option in symbol.iter("Option")
        if option.get("name") == "color"
    ]
    assert colours[:count] == [
        ",".join(str(int(colour[i : i + 2], 16)) for i in (1, 3, 5)) + ",255"
        for colour in classes.colours
    ]
    assert [label for *_, label in found[count:]] == [
        state.label for state in states(INDICATOR_BY_NAME["need_index"], real_published.suppression)
    ]
    # every khet falls in exactly one range: the expression's value, as QGIS computes it
    for row in current.itertuples(index=False):
        hidden = "need_index" in str(row.suppressed_indicators).split(", ")
        value = (
            -3 if row.coverage_status == "not_returned"
            else -2 if hidden
            else -1 if pd.isna(row.need_index)
            else float(row.need_index)
        )  # fmt: skip
        inside = [
            (lower, upper)
            for i, (lower, upper, _) in enumerate(found)
            if (lower <= value if i == 0 else lower < value) and value <= upper
        ]
        assert len(inside) == 1, (row.khet_code, value)
    # the index is public for every surveyed khet; the style still has the hidden state's
    # range (named as the map names it) for a layer whose value the view hides
    assert not any("need_index" in str(n).split(", ") for n in current["suppressed_indicators"])


def test_the_workbook_never_starts_a_text_cell_with_a_formula(tmp_path: Path) -> None:
    frame = _need(HOSTILE, list(reversed(HOSTILE)))
    rounds = pd.DataFrame(
        {"survey_round": HOSTILE, "name_th": ["@x"] * len(HOSTILE), "name_en": ["=x"] * len(HOSTILE),
         "khets_returned": 1, "khets_complete": 0}
    )  # fmt: skip
    write_exports(Picture(frame, frame, rounds, rounds), tmp_path, OPTIONS)
    book = openpyxl.load_workbook(tmp_path / "khet_need.xlsx")
    assert len(book.sheetnames) == 2 + len(HOSTILE)  # notes, current, one per round
    assert all(len(name) <= 31 for name in book.sheetnames)
    text_cells = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    assert not cell.value.startswith(FORMULA_PREFIXES), (sheet.title, cell.value)
                    text_cells += 1
    assert text_cells > 100
    current = book[book.sheetnames[1]]
    header = [cell.value for cell in current[2]]
    rounds_column = header.index("Survey round")
    labels = [row[rounds_column] for row in current.iter_rows(min_row=3, values_only=True)]
    assert labels[:5] == ["'" + label for label in HOSTILE[:5]]  # \r is stored as _x000D_
    assert labels[5].startswith("'")
    assert current.cell(3, header.index("Change in need index") + 1).value == -0.25  # a number
