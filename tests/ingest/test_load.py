"""Ingestion end to end on Bangkok's real geography: returns of every shape, the real registry."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from citywide import db
from citywide.cli import app
from citywide.errors import DatabaseError
from citywide.ingest import communities, load
from citywide.ingest.discovery import survey_files
from citywide.ingest.kinds import RECORD_KINDS
from citywide.ingest.load import check_file, ingest_file
from citywide.ingest.outcome import TableReport
from citywide.sources import COMMUNITY_REGISTRY
from tests.ingest import district_returns as returns
from tests.ingest.traces import assert_nowhere

pytestmark = pytest.mark.real_data
TODAY = dt.date(2026, 11, 21)


def ingest_reports(path: Path, folder: Path, survey_round: str = "2568-1") -> list[TableReport]:
    with db.connect(path) as connection:
        return [
            report
            for file in survey_files([folder])
            for report in ingest_file(connection, file, survey_round, TODAY)
        ]


def as_row(report: TableReport) -> dict[str, object]:
    """A report's fields by name, and its file's name, for comparing in assertions."""
    fields = dataclasses.asdict(dataclasses.replace(report, problems=None))
    return {**fields, "file": report.path.name, "path": str(report.path)}


def ingest_all(path: Path, folder: Path, survey_round: str = "2568-1") -> list[dict[str, object]]:
    return [as_row(report) for report in ingest_reports(path, folder, survey_round)]


def rows(path: Path, sql: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
    with db.connect(path, read_only=True) as connection:
        return connection.execute(sql, params or []).fetchall()


def test_district_returns_of_every_shape(survey_db: Path, district_returns: Path) -> None:
    reports = ingest_all(survey_db, district_returns)
    by_file = {str(r["file"]): r for r in reports}

    assert rows(
        survey_db, "SELECT khet_code, count(*) FROM community GROUP BY 1 ORDER BY 1"
    ) == sorted(returns.EXPECTED_PER_KHET.items())
    rejected = rows(
        survey_db,
        "SELECT f.file_name, r.source_row, r.reason FROM rejected_row r JOIN source_file f USING (source_file_id)",
    )
    assert {(name, row): reason for name, row, reason in rejected} == returns.EXPECTED_REJECTIONS
    warnings = rows(
        survey_db,
        "SELECT f.file_name, w.source_row, w.code FROM row_warning w JOIN source_file f USING (source_file_id)",
    )
    for (name, row), code in returns.EXPECTED_WARNINGS.items():
        assert (name, row, code) in warnings

    # every row accounted for, per file
    for report in reports:
        if report["status"] == "loaded":
            read, loaded, dropped = (
                int(str(report[k])) for k in ("rows_read", "rows_loaded", "rows_rejected")
            )
            assert read == loaded + dropped, report
    assert (
        by_file["bangrak_2567.xlsx"]["rows_read"] == 7
    )  # 6 communities + 1 summary row; blanks skipped
    assert by_file["broken.xlsx"]["status"] == "failed"
    assert by_file["notes.csv"]["status"] == "failed"
    assert "no header row" in str(by_file["notes.csv"]["message"])
    assert rows(survey_db, "SELECT count(*) FROM source_file WHERE status = 'failed'") == [(2,)]

    formats = dict(
        rows(
            survey_db, "SELECT file_name, format || ':' || coalesce(encoding, '') FROM source_file"
        )
    )
    assert formats["klongtoei.csv"] == "csv:windows-874"
    assert formats["dusit.csv"] == "csv:utf-8-sig"
    assert formats["kobo_export.csv"] == "kobo-csv:utf-8"


def test_values_are_normalised(survey_db: Path, district_returns: Path) -> None:
    ingest_all(survey_db, district_returns)

    def get(name: str) -> tuple[Any, ...]:
        return rows(
            survey_db,
            "SELECT khet_code, khwaeng_code, community_type, households, population, male, female, "
            "round(lat, 4), round(lon, 4), survey_date FROM community WHERE community_name = ?",
            [name],
        )[0]

    # two-row header (ประชากร / ชาย หญิง รวม), Excel date cell, khwaeng through the gazetteer
    assert get("ชุมชนซอยพิพัฒน์") == (
        "1004",
        "100402",
        "slum",
        130,
        410,
        200,
        210,
        13.7246,
        100.5302,
        dt.date(2024, 12, 15),
    )
    # thousands separator, Excel serial date
    assert get("ชุมชนเจริญกรุง ๔๒")[3] == 1250
    assert get("ชุมชนเจริญกรุง ๔๒")[9] == dt.date(2024, 12, 15)
    # swapped coordinates repaired
    assert get("ชุมชนสลับพิกัด")[7:9] == (13.727, 100.528)
    # Thai digits, B.E. dates in three forms, English type names
    assert get("ชุมชนวัดโสมนัส")[3:5] == (1200, 3500)
    assert {get(n)[9] for n in ("ชุมชนวัดโสมนัส", "ชุมชนสวนอ้อย", "ชุมชนบ้านพานถม")} == {
        dt.date(2024, 12, 15)
    }
    assert get("ชุมชนบ้านพานถม")[2] == "slum"
    # khet found from the point; khet in English and as a P-code
    assert get("ชุมชนหาเขตจากพิกัด")[0] == "1002"
    assert get("ชุมชนล็อค 1-2-3")[0] == "1033"
    assert get("ชุมชนเกษมสันต์")[0] == "1007"
    # a point outside Bangkok is dropped, the row kept
    assert get("ชุมชนนอกกรุง")[7:9] == (None, None)
    # Kobo: submission time as survey date; GeoJSON points as locations
    assert get("ชุมชนบ่อนไก่")[9] == dt.date(2024, 12, 15)
    assert get("ชุมชนสวนพลู")[7:9] == (13.719, 100.529)


def test_no_personal_data_anywhere(survey_db: Path, district_returns: Path) -> None:
    ingest_all(survey_db, district_returns)
    assert_nowhere(survey_db, returns.PERSONAL_VALUES)
    dropped = dict(
        rows(
            survey_db, "SELECT file_name, dropped_columns FROM source_file WHERE status = 'loaded'"
        )
    )
    assert dropped["bangrak_2567.xlsx"] == ["ประธานชุมชน", "เบอร์โทร"]
    assert dropped["kobo_export.csv"] == ["profile/chairman_phone", "_submitted_by"]
    assert dropped["klongtoei.csv"] == ["Head of household"]


def test_ingesting_twice_changes_nothing(survey_db: Path, district_returns: Path) -> None:
    tables = ["source_file", "community", "community_history", "rejected_row", "row_warning"]
    ingest_all(survey_db, district_returns)
    before = {
        t: rows(survey_db, f"SELECT * EXCLUDE (geom) FROM {t} ORDER BY ALL")
        if t.startswith("community")
        else rows(survey_db, f"SELECT * FROM {t} ORDER BY ALL")
        for t in tables
    }
    again = ingest_all(survey_db, district_returns)
    assert {r["status"] for r in again} == {"already ingested"}
    after = {
        t: rows(survey_db, f"SELECT * EXCLUDE (geom) FROM {t} ORDER BY ALL")
        if t.startswith("community")
        else rows(survey_db, f"SELECT * FROM {t} ORDER BY ALL")
        for t in tables
    }
    assert after == before


def test_latest_survey_wins_and_ties_go_to_the_later_file(
    survey_db: Path, district_returns: Path, tmp_path: Path
) -> None:
    ingest_all(survey_db, district_returns)
    later = tmp_path / "later"
    later.mkdir()
    header = ["เขต", "ชื่อชุมชน", "ครัวเรือน", "วันที่สำรวจ"]
    returns._write_csv(
        later / "a_update.csv", [header, ["ดุสิต", "ชุมชน วัดโสมนัส", "1300", "20/01/2568"]], "utf-8"
    )
    returns._write_csv(
        later / "b_older.csv", [header, ["ดุสิต", "ชุมชนสวนอ้อย", "1", "01/01/2566"]], "utf-8"
    )
    returns._write_csv(
        later / "c_tie.csv", [header, ["ดุสิต", "ชุมชนบ้านพานถม", "155", "15/12/2567"]], "utf-8"
    )
    ingest_all(survey_db, later)
    households = dict(
        rows(survey_db, "SELECT community_name, households FROM community WHERE khet_code = '1002'")
    )
    assert (
        households["ชุมชน วัดโสมนัส"] == 1300
    )  # later survey date wins (name matched without spaces)
    assert households["ชุมชนสวนอ้อย"] == 300  # an older survey does not replace a newer one
    assert households["ชุมชนบ้านพานถม"] == 155  # same date: the file ingested last wins
    assert rows(survey_db, "SELECT count(*) FROM community WHERE khet_code = '1002'") == [(4,)]
    assert sorted(rows(survey_db, "SELECT community_name, households FROM community_history")) == [
        ("ชุมชนบ้านพานถม", 150),
        ("ชุมชนวัดโสมนัส", 1200),
        ("ชุมชนสวนอ้อย", 1),
    ]


def test_the_real_registry_is_accounted_for(survey_db: Path, real_sources_dir: Path) -> None:
    registry = real_sources_dir / COMMUNITY_REGISTRY.main_path
    with db.connect(survey_db) as connection:
        (report,) = ingest_file(connection, registry, "bma_registry", TODAY)
    assert (report.rows_read, report.rows_loaded + report.rows_rejected) == (2007, 2007)
    totals = rows(
        survey_db,
        """
        SELECT sum(households), sum(population) FROM (
            SELECT households, population FROM community
            UNION ALL SELECT households, population FROM community_history
            UNION ALL SELECT (row_values->>'households')::BIGINT, (row_values->>'population')::BIGINT FROM rejected_row)
        """,
    )
    assert totals == [(580_521, 1_964_117)]
    assert rows(survey_db, "SELECT count(*) FROM community WHERE community_type = 'slum'") == [
        (633,)
    ]
    assert rows(survey_db, "SELECT count(*) FROM community_footprint") == [(2007,)]
    assert rows(survey_db, "SELECT dropped_columns FROM source_file") == [(["CHAIRMAN"],)]
    columns = {c for (c,) in rows(survey_db, "SELECT column_name FROM information_schema.columns")}
    assert "chairman" not in {c.lower() for c in columns}


def test_check_reports_rows_in_thai_and_english_and_writes_nothing(
    survey_db: Path, district_returns: Path
) -> None:
    with db.connect(survey_db, read_only=True) as connection:
        (report,) = check_file(connection, district_returns / "dusit.csv", TODAY)
    assert (report.rows_read, report.rows_rejected) == (6, 2)
    problems = report.problems
    assert problems is not None
    rejected = problems[problems["outcome"] == "rejected"]
    assert rejected["code"].tolist() == ["non_numeric_count", "unknown_khet"]
    assert "ไม่ใช่ตัวเลข" in rejected["message_th"].iloc[0]
    assert "is not a number" in rejected["message_en"].iloc[0]
    assert "1002 ดุสิต (Dusit)" in rejected["message_en"].iloc[1]
    assert rows(survey_db, "SELECT count(*) FROM source_file") == [(0,)]


def test_check_command_exit_codes(survey_db: Path, district_returns: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--duckdb-path", str(survey_db), "check"]
    bad = runner.invoke(app, [*base, str(district_returns / "dusit.csv")])
    assert bad.exit_code == 1
    assert "row 5" in bad.output
    assert "REJECTED" in bad.output
    assert "ไม่ผ่าน" in bad.output
    clean = tmp_path / "clean.csv"
    shutil.copyfile(district_returns / "dusit.csv", clean)
    clean.write_text(
        "\n".join(clean.read_text(encoding="utf-8-sig").splitlines()[:4]), encoding="utf-8"
    )
    good = runner.invoke(app, [*base, str(clean)])
    assert good.exit_code == 0, good.output
    unreadable = runner.invoke(app, [*base, str(district_returns / "broken.xlsx")])
    assert unreadable.exit_code == 1
    assert "cannot read the file" in unreadable.output


def test_utm_coordinates_geopackage_layers_and_unicode_forms(
    survey_db: Path, tmp_path: Path
) -> None:
    import geopandas as gpd
    import shapely

    folder = tmp_path / "more"
    folder.mkdir()
    split_sara_am = "ชุมชนท\u0e4d\u0e32เนียบ"  # nikhahit + sara aa, as some keyboards type ำ
    returns._write_csv(
        folder / "utm.csv",
        [
            ["เขต", "ชื่อชุมชน", "ครัวเรือน", "Easting", "Northing"],
            ["พระนคร", split_sara_am, "40", "662300", "1521700"],
        ],
        "utf-8",
    )
    communities = gpd.GeoDataFrame(
        {"DNAME": ["ดินแดง"], "COMMU_AD_1": ["ชุมชนห้วยขวางใหม่"], "HOUSEHOLD": [75]},
        geometry=[shapely.box(100.560, 13.770, 100.562, 13.772)],
        crs="EPSG:4326",
    )
    communities.to_file(folder / "layers.gpkg", layer="communities", engine="pyogrio")
    gpd.GeoDataFrame(
        {"note": ["roads"]},
        geometry=[shapely.LineString([(100.5, 13.7), (100.6, 13.8)])],
        crs="EPSG:4326",
    ).to_file(folder / "layers.gpkg", layer="roads", engine="pyogrio")
    reports = ingest_all(survey_db, folder)
    assert {(r["file"], r["status"], r["rows_loaded"]) for r in reports} == {
        ("layers.gpkg", "loaded", 1),
        ("utm.csv", "loaded", 1),
    }
    ((name, _khet, lat, lon),) = rows(
        survey_db,
        "SELECT community_name, khet_code, lat, lon FROM community WHERE khet_code = '1001'",
    )
    assert name == "ชุมชนทำเนียบ"
    from pyproj import Transformer

    expected_lon, expected_lat = Transformer.from_crs(32647, 4326, always_xy=True).transform(
        662300, 1521700
    )
    assert (lat, lon) == pytest.approx((expected_lat, expected_lon), abs=1e-7)
    assert rows(
        survey_db,
        "SELECT khet_code, households FROM community WHERE community_name = 'ชุมชนห้วยขวางใหม่'",
    ) == [("1026", 75)]
    assert rows(survey_db, "SELECT count(*) FROM community_footprint") == [(1,)]


def test_a_fresh_round_goes_straight_in_with_the_same_result_as_a_merge(
    survey_db: Path, district_returns: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_all(survey_db, district_returns, "straight")
    with db.connect(survey_db) as connection:
        connection.execute("DELETE FROM source_file")  # the same files again, as new files
    monkeypatch.setattr(communities, "goes_straight_in", lambda *_, **__: False)
    ingest_all(survey_db, district_returns, "merged")
    columns = "* EXCLUDE (survey_round, geom, source_file_id)"
    straight, merged = (
        rows(survey_db, f"SELECT {columns} FROM community WHERE survey_round = ? ORDER BY ALL", [r])
        for r in ("straight", "merged")
    )
    assert straight == merged
    assert len(straight) == sum(returns.EXPECTED_PER_KHET.values())


def test_a_round_never_holds_a_community_twice(survey_db: Path, district_returns: Path) -> None:
    ingest_all(survey_db, district_returns)
    with db.connect(survey_db) as connection:
        connection.execute("INSERT INTO community SELECT * FROM community LIMIT 1")
        with pytest.raises(DatabaseError, match="would hold a community twice"):
            load._require_one_record_per_key(
                connection, "2568-1", district_returns, RECORD_KINDS["community"]
            )


def test_a_cell_longer_than_a_field_keeps_rejects_only_its_row(
    survey_db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "long"
    folder.mkdir()
    name = "Chumchon " * 15_000  # 135,000 characters: a paste into the wrong column
    note = "ก" * 1_000_000  # 3 MB note: not a survey field, never read
    (folder / "long.csv").write_text(
        "เขต,ชื่อชุมชน,ครัวเรือน,หมายเหตุ\n"
        f"บางรัก,ชุมชนวัดแขก,10,\nบางรัก,{name},12,\nบางรัก,ชุมชนสาม,5,{note}\n",
        encoding="utf-8",
    )
    with db.connect(survey_db, read_only=True) as connection:
        (checked,) = check_file(connection, folder / "long.csv", TODAY)
    assert (checked.rows_read, checked.rows_loaded, checked.rows_rejected) == (3, 2, 1)
    assert checked.problems is not None
    (problem,) = checked.problems.itertuples()
    assert (problem.source_row, problem.code, problem.field) == (
        3,
        "field_too_long",
        "community_name",
    )
    message_th, message_en = str(problem.message_th), str(problem.message_en)
    assert "Chumchon" not in message_th + message_en  # the length is quoted, not the cell
    assert "135000 characters long, more than the 1,000" in message_en
    assert "ตัวอักษร" in message_th
    (report,) = ingest_all(survey_db, folder)
    assert report["status"] == "loaded"
    assert report["rows_read"] == report["rows_loaded"] + report["rows_rejected"] == 3  # type: ignore[operator]
    assert rows(survey_db, "SELECT community_name FROM community ORDER BY 1") == [
        ("ชุมชนวัดแขก",),
        ("ชุมชนสาม",),
    ]
    assert rows(survey_db, "SELECT reason, length(row_values) < 1100 FROM rejected_row") == [
        ("field_too_long", True)
    ]


@pytest.mark.parametrize("where", ["last line", "middle"])
def test_a_quote_that_never_closes_rejects_its_row_and_keeps_nothing_of_it(
    survey_db: Path, tmp_path: Path, where: str
) -> None:
    """An unclosed quote makes the parser read the rest of the line (personal columns too), and
    the lines after it up to the next quote, into one cell: that record is rejected with nothing
    of it kept; quoted commas and a stray quote inside a cell still load."""
    folder = tmp_path / "quotes"
    folder.mkdir()
    broken = 'บางรัก,"ชุมชนเสีย,12,สมชาย ทดสอบ,081-234-5678'
    good = [
        'บางรัก,"ชุมชนซอย 5, 7",10,นายก ข,02-000-0000',
        'บางรัก,ชุมชนท่อ 12",11,นายค ง,02-000-0001',
        "บางรัก,ชุมชนสาม,13,นายจ ฉ,02-000-0002",
    ]
    lines = [*good, broken] if where == "last line" else [good[0], broken, *good[1:]]
    (folder / "quotes.csv").write_text(
        "เขต,ชื่อชุมชน,ครัวเรือน,ชื่อประธาน,เบอร์โทร\n" + "\n".join(lines) + "\n", encoding="utf-8"
    )
    (report,) = ingest_all(survey_db, folder)
    assert report["status"] == "loaded"
    assert report["rows_read"] == report["rows_loaded"] + report["rows_rejected"]  # type: ignore[operator]
    assert rows(survey_db, "SELECT reason, source_row, value, row_values FROM rejected_row") == [
        ("unclosed_quote", lines.index(broken) + 2, None, "{}")
    ]
    loaded = {name for (name,) in rows(survey_db, "SELECT community_name FROM community")}
    # in the middle, the quote runs on to the stray quote of the next line, which goes with it
    swallowed = {'ชุมชนท่อ 12"'} if where == "middle" else set()
    assert loaded == {"ชุมชนซอย 5, 7", 'ชุมชนท่อ 12"', "ชุมชนสาม"} - swallowed
    assert_nowhere(survey_db, ("สมชาย", "081-234-5678"))


def test_degenerate_geojson_features_keep_the_layer(survey_db: Path, tmp_path: Path) -> None:
    square = [[100.52, 13.72], [100.53, 13.72], [100.53, 13.73], [100.52, 13.73], [100.52, 13.72]]
    bowtie = [[100.52, 13.72], [100.53, 13.73], [100.53, 13.72], [100.52, 13.73], [100.52, 13.72]]
    geometries: dict[str, dict[str, object] | None] = {
        "ชุมชนดี": {"type": "Polygon", "coordinates": [square]},
        "ชุมชนสองจุด": {"type": "Polygon", "coordinates": [[[100.52, 13.72], [100.53, 13.72]]]},
        "ชุมชนว่าง": {"type": "MultiPolygon", "coordinates": []},
        "ชุมชนไม่มีรูป": None,
        "ชุมชนไขว้": {"type": "Polygon", "coordinates": [bowtie]},
    }
    features = [
        {
            "type": "Feature",
            "properties": {"khet": "บางรัก", "community_name": name, "households": 3},
            "geometry": geometry,
        }
        for name, geometry in geometries.items()
    ]
    features[3]["properties"] = {"community_name": "ชุมชนไม่มีเขต", "households": 1}
    folder = tmp_path / "geo"
    folder.mkdir()
    (folder / "communities.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    (report,) = ingest_all(survey_db, folder)
    assert report["status"] == "loaded", report["message"]
    assert (report["rows_read"], report["rows_loaded"], report["rows_rejected"]) == (5, 4, 1)
    assert rows(survey_db, "SELECT source_row, reason FROM rejected_row") == [(4, "missing_khet")]
    assert rows(survey_db, "SELECT source_row, code, value FROM row_warning ORDER BY 1") == [
        (2, "geometry_unusable", "degenerate Polygon"),
        (3, "geometry_unusable", "empty MultiPolygon"),
        (5, "geometry_repaired", None),
    ]
    assert rows(survey_db, "SELECT source_row FROM community_footprint ORDER BY 1") == [(1,), (5,)]
    assert rows(
        survey_db, "SELECT community_name, lat IS NOT NULL FROM community ORDER BY source_row"
    ) == [("ชุมชนดี", True), ("ชุมชนสองจุด", False), ("ชุมชนว่าง", False), ("ชุมชนไขว้", True)]


def test_check_reports_every_file_and_never_a_traceback(survey_db: Path, tmp_path: Path) -> None:
    header = "เขต,ชื่อชุมชน,ครัวเรือน,หมายเหตุ\n"
    first, joined, last, thai_note, unclosed = (
        tmp_path / name
        for name in ("a_first.csv", "b_joined.csv", "c_last.csv", "d_note.csv", "e_quote.csv")
    )
    first.write_text(header + "บางรัก,ชุมชนวัดแขก,10,\n", encoding="utf-8")
    body = "".join(f"บางรัก,ชุมชน {i},{i},\n" for i in range(10_000))
    joined.write_bytes((header + body).encode("utf-8") + "บางรัก,ท้าย,3,\n".encode("cp874"))
    last.write_text(header + "ดุสิต,ชุมชนสาม,5,\n", encoding="utf-8")
    # a 3 MB Thai note: DuckDB's error for it quoted the line cut inside a Thai character
    thai_note.write_text(header + "บางรัก,ชุมชนสี่,4," + "ก" * 1_000_000 + "\n", encoding="utf-8")
    unclosed.write_text(header + 'บางรัก,ชุมชนห้า,5,ok\nบางรัก,หก,6,"' + "ข" * 3000, encoding="utf-8")
    files = [first, joined, last, thai_note, unclosed]
    result = CliRunner().invoke(app, ["--duckdb-path", str(survey_db), "check", *map(str, files)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    for path in files:
        assert f"== {path.name}" in result.output
    blocks = result.output.split("== ")[1:]
    assert "read 1 rows: 1 would load" in blocks[0]
    assert "อ่านไฟล์ไม่ได้ / cannot read the file" in blocks[1]
    assert "changes part-way" in blocks[1]
    assert "read 1 rows: 1 would load" in blocks[2]
    assert "read 1 rows: 1 would load" in blocks[3]
    assert "cannot read the file" in blocks[4]


class Stop(BaseException):
    """What Prefect's CancelledError (the run's timeout) and Ctrl-C are: not an Exception."""


def test_a_stop_during_a_query_stops_the_check_instead_of_failing_the_file(
    survey_db: Path, district_returns: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def raise_stop(*_: object) -> None:
        raise Stop

    def slow_stage(cursor: Any, table: Any, today: dt.date) -> str:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        cursor.execute("SELECT count(*) FROM range(100_000_000_000) t(i) WHERE i % 7 = 3")
        raise AssertionError("the query should have been interrupted")

    previous = signal.signal(signal.SIGALRM, raise_stop)
    monkeypatch.setattr(load, "_stage_table", slow_stage)
    file = next(iter(survey_files([district_returns])))
    try:
        with db.connect(survey_db) as connection, pytest.raises(Stop):
            check_file(connection, file, TODAY)  # DuckDB says "Query interrupted"; Stop goes on
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
