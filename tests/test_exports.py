"""The exports: the current picture (GeoPackage, GeoParquet) with the round each value comes
from, every round (CSV) with not-surveyed khets NULL, never 0, the coverage and the rounds; and
every CSV safe to open in a spreadsheet (no text cell is run as a formula).

The multi-round picture is built in the test: tables from their TableSpecs, rows inserted, the
published views created as the indicators step creates them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from citywide import db, indicators
from citywide.errors import PublishError
from citywide.exports import ExportOptions, Picture, read_picture, write_exports
from citywide.files import FORMULA_PREFIXES, neutralise_formulas, write_csv
from citywide.locations import Locations
from citywide.schema import KHET_NEED, KHET_NEED_CURRENT
from citywide.schema_register import KHET_COVERAGE, SURVEY_ROUND
from citywide.settings import Settings
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
        },
        views=indicators.views(3),
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
        "survey_rounds.csv", "khet_need.xlsx",
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
    assert len(written) == 6
