"""The pipeline flow on the real Bangkok files, through Prefect."""

from __future__ import annotations

import codecs
import re
import shutil
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from citywide import db, deprivations, exports
from citywide.cli import app
from citywide.errors import SourcesFailed
from citywide.mapping.build import KHWAENG_PAGE
from citywide.mapping.layers import web_geometry
from citywide.settings import Settings
from citywide.sources import COMMUNITY_REGISTRY
from flows.citywide import citywide
from flows.geography import geography
from tests.browser import chromium
from tests.mapping.conftest import foreign_addresses
from tests.mapping.test_layout import SIZES, assert_nothing_collides

pytestmark = [pytest.mark.real_data, pytest.mark.usefixtures("prefect_harness")]


def query(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with db.connect(settings.duckdb_path, read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_pipeline_builds_bangkoks_geography(real_settings: Settings) -> None:
    result = citywide(real_settings)
    assert result.tables == {"khet": 50, "khwaeng": 180, "khet_lookup": 139136}
    (registry,) = result.ingested
    assert (registry.status, registry.rows_read, registry.rows_loaded) == (
        "loaded",
        2007,
        2007,
    )
    assert query(real_settings, "SELECT survey_round, count(*) FROM community GROUP BY 1") == [
        ("bma_registry", 2005)
    ]
    assert query(real_settings, "SELECT count(*), count(DISTINCT khet_code) FROM khet") == [
        (50, 50)
    ]
    assert query(real_settings, "SELECT count(*), count(DISTINCT khwaeng_code) FROM khwaeng") == [
        (180, 180)
    ]
    ((total_area, population),) = query(
        real_settings, "SELECT sum(area_km2), sum(population) FROM khet"
    )
    assert 1560 < float(total_area) < 1590
    assert population == 5_494_932
    for table in ("khet", "khwaeng"):
        assert query(
            real_settings,
            f"SELECT count(*) FROM {table} WHERE coalesce(name_th, '') = '' OR coalesce(name_en, '') = ''",
        ) == [(0,)]
        assert query(real_settings, f"SELECT count(*) FROM {table} WHERE NOT ST_IsValid(geom)") == [
            (0,)
        ]
    assert query(
        real_settings,
        "SELECT count(*) FROM khwaeng w JOIN khet k USING (khet_code) WHERE ST_Within(w.geom, k.geom)",
    ) == [(180,)]
    assert query(
        real_settings,
        "SELECT count(*) FROM khwaeng WHERE khet_code NOT IN (SELECT khet_code FROM khet)",
    ) == [(0,)]
    assert query(
        real_settings,
        "SELECT name_en FROM khet WHERE khet_code IN ('1007', '1039', '1012') ORDER BY khet_code",
    ) == [("Pathum Wan",), ("Yan Nawa",), ("Watthana",)]
    # areas in UTM 47N agree with the shapefile's own Shape_Area, within the clipping
    ((khwaeng_area,),) = query(real_settings, "SELECT sum(area_km2) FROM khwaeng")
    assert 1550 < float(khwaeng_area) < 1578
    assert query(
        real_settings,
        "SELECT khwaeng_code, name_th FROM khwaeng WHERE khwaeng_code LIKE '1047%' ORDER BY 1",
    ) == [("104702", "บางนาเหนือ"), ("104703", "บางนาใต้")]
    assert query(real_settings, "SELECT count(*) FROM reference_source") == [(7,)]
    assert not list(real_settings.raw_dir.glob(".fetch-*"))
    published = result.published
    assert published.khet_need == {"bma_registry": 50}
    assert_need_matches_an_independent_count(real_settings)
    assert_khwaeng_need_adds_up_to_the_khets(real_settings)
    assert_exports_open_in_gdal_and_excel(real_settings)
    maps = sorted(
        Path(p).relative_to(real_settings.maps_dir).as_posix() for p in published.outputs.maps
    )
    assert maps == sorted(
        [
            *MAPPED_FILES,
            KHWAENG_PAGE,
            "methods.html",
            *(f"rounds/bma_registry/{name}" for name in MAPPED_FILES),
            *(
                f"khet/{code}.html"
                for (code,) in query(real_settings, "SELECT khet_code FROM khet")
            ),
        ]
    )
    assert_maps_are_offline_small_and_private(real_settings)
    assert_khet_profiles_are_complete_and_private(real_settings)
    assert_chromium_draws_every_khet(real_settings)
    assert_web_outlines_leave_no_gap(real_settings)


# The registry has no tenure, eviction, housing-condition or services fields and no households:
# those four indicators and the two household-only ones have no data, so no page (index.html
# says so). The registry is the only round: the current picture is the registry, and the round
# has the same pages in rounds/bma_registry/; with nothing before it, no change page.
MAPPED_FILES = [
    "all_indicators.html", "communities.html", "coverage.html", "households.html", "index.html",
    "need_index.html", "need_index.png", "population.html", "slum_communities.html",
    "slum_households.html", "slum_households_per_km2.html", "slum_population.html",
    "slum_population_share.html",
]  # fmt: skip


def assert_maps_are_offline_small_and_private(settings: Settings) -> None:
    pages = {
        path.name: path.read_text(encoding="utf-8") for path in settings.maps_dir.glob("*.html")
    }
    assert len(pages) == 15  # the 12 map pages, khwaeng, methods and the run report
    for name, html in pages.items():
        assert (settings.maps_dir / name).stat().st_size <= 1_000_000, name
        assert foreign_addresses(html) == set(), name
    # six, and the UN-Habitat household deprivations (a count and a share each): no household
    # records in the registry
    assert pages["index.html"].count("no data in this round") == 6 + 2 * len(deprivations.ALL)
    assert "50 of 50 khets returned BMA community registry" in pages["index.html"]
    assert 'href="rounds/bma_registry/index.html"' in pages["index.html"]
    assert f'href="{KHWAENG_PAGE}"' in pages["index.html"]
    # the khwaeng page shows the index alone: a khwaeng whose index the view hides (none while
    # the index is public) says "not shown"; no other indicator, hidden or not, is on it
    (hidden,) = query(
        settings,
        "SELECT count(*) FROM khwaeng_need_current_published "
        "WHERE list_contains(suppressed_indicators, 'need_index')",
    )
    assert pages[KHWAENG_PAGE].count("not shown, to protect privacy") == hidden[0]
    assert "ครัวเรือนในชุมชนแออัด" not in pages[KHWAENG_PAGE]  # the slum households label
    assert not list(settings.maps_dir.glob(".*"))  # no half-written pages left behind
    registry = pyogrio.read_dataframe(
        settings.raw_dir / COMMUNITY_REGISTRY.main_path, read_geometry=False
    )
    # official place names (an address may be just a khwaeng's name) are not personal data
    khet_names = [
        name
        for (name,) in query(settings, "SELECT name_th FROM khet UNION SELECT name_th FROM khwaeng")
    ]
    personal = {
        text.strip()
        for text in (*registry["COMMU_AD_1"].dropna(), *registry["CHAIRMAN"].dropna())
        if len(text.strip()) >= 4 and not any(text.strip() in khet for khet in khet_names)
    }
    assert len(personal) > 3000
    leaked = {text for text in personal for html in pages.values() if text in html}
    assert leaked == set()
    profiles = [path.read_text(encoding="utf-8") for path in settings.maps_dir.glob("khet/*.html")]
    assert len(profiles) == 50
    # A registry address names its khwaeng; the profiles list the khwaeng (public geography).
    khwaeng = [name for (name,) in query(settings, "SELECT name_th FROM khwaeng")]
    private = {text for text in personal if not any(text in name for name in khwaeng)}
    assert {text for text in private for html in profiles if text in html} == set()


def assert_khet_profiles_are_complete_and_private(settings: Settings) -> None:
    """50 profiles, each under 1 MB, naming its source, rounds and build date; a value the
    published view hides is "not shown" with the view's reason, never its number."""
    pages = {
        path.stem: path.read_text(encoding="utf-8")
        for path in sorted((settings.maps_dir / "khet").glob("*.html"))
    }
    assert len(pages) == 50
    for code, html in pages.items():
        assert (settings.maps_dir / "khet" / f"{code}.html").stat().st_size <= 1_000_000, code
        assert foreign_addresses(html) == set(), code
        text = readable(html)
        assert "source: the city-wide housing survey" in text, code
        assert "rounds: ทะเบียนชุมชน กทม. · BMA community registry" in text, code
        assert re.search(r"built \d{4}-\d{2}-\d{2} \d{2}:\d{2}", text), code
        assert 'href="../index.html"' in html
        assert "Khwaeng" in text
    index = (settings.maps_dir / "index.html").read_text(encoding="utf-8")
    assert all(f'href="khet/{code}.html"' in index for code in pages)
    (count,) = query(settings, "SELECT count(*) FROM khwaeng WHERE khet_code = '1001'")[0]
    assert f"Khwaeng ({count})" in readable(pages["1001"])
    # The raw values the published view hides (read here from khet_need, never by the maps).
    hidden = query(
        settings,
        "SELECT p.khet_code, n.slum_households, n.slum_communities, p.suppressed_reason_en "
        "FROM khet_need_current_published p JOIN khet_need n USING (khet_code, survey_round) "
        "WHERE list_contains(p.suppressed_indicators, 'slum_households')",
    )
    assert len(hidden) >= 3
    for code, households, communities, reason in hidden:
        text = readable(pages[code])
        row = text[text.index("Slum households (") :][:120]
        assert "not shown" in row, (code, row)
        assert f"{households:,}" not in row, code
        assert str(reason) in text, code
        types = text[text.index("Communities by type") : text.index("Khwaeng")]
        # community counts are public: the few slum communities are counted as they are
        assert f"ชุมชนแออัด · slum {communities:,} " in types, (code, communities, types)
    with chromium() as browser:
        for code in ("1001", hidden[0][0]):
            drawn = browser.render(settings.maps_dir / "khet" / f"{code}.html")
            assert drawn.console_errors == [], code
            assert drawn.network_requests == [], code


def readable(html: str) -> str:
    """A page's text as read: tags removed, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_chromium_draws_every_khet(settings: Settings) -> None:
    with chromium() as browser:
        for page in sorted(settings.maps_dir.glob("*.html")):
            drawn = browser.render(page)
            assert drawn.console_errors == [], page.name
            assert drawn.network_requests == []
            if page.name in ("index.html", "report.html", "methods.html"):
                continue
            shapes = 180 if page.name == KHWAENG_PAGE else 50  # khwaeng, with the khet names
            assert (drawn.shapes, drawn.filled, len(drawn.labels)) == (shapes, shapes, 50), (
                page.name
            )
            assert drawn.legend is not None, page.name
            if page.name == KHWAENG_PAGE:
                assert "(180 แขวง)" in drawn.legend
            if page.name == "coverage.html":
                assert "complete (50 เขต · khets)" in drawn.legend
                continue
            assert "fewer than 3 communities" in drawn.legend, page.name
        composite = browser.render(settings.maps_dir / "all_indicators.html")
        assert len(composite.layers) == 9
        legends = []
        for position in range(len(composite.layers)):
            browser.run(
                "document.querySelectorAll('.leaflet-control-layers-base input')"
                f"[{position}].click()"
            )
            legends.append(
                browser.run("return document.querySelector('.citywide-legend').innerText")
            )
            assert browser.run("return document.querySelectorAll('path.khet-shape').length") == 50
        assert [legend.splitlines()[0] for legend in legends] == [
            layer.split(" · ")[0] for layer in composite.layers
        ]
        # the registry's two khets of greatest need are named on the map at both widths, and no
        # label overlaps another or a control
        for width, height in SIZES:
            browser.viewport(width, height)
            browser.render(settings.maps_dir / "need_index.html")
            layout = browser.layout()
            assert_nothing_collides(layout, "need_index.html")
            shown = {label.text.splitlines()[0] for label in layout.labels}
            assert {"บางกอกน้อย", "ธนบุรี"} <= shown, (width, shown)


def assert_web_outlines_leave_no_gap(settings: Settings) -> None:
    with db.connect(settings.duckdb_path, read_only=True) as connection:
        khets = exports.published_need(connection, latest_only=True)
    simple = web_geometry(khets, settings.map_simplify_m).geometry.to_numpy()
    assert bool(shapely.coverage_is_valid(simple))
    union, original = shapely.union_all(simple), shapely.union_all(khets.geometry.to_numpy())
    assert shapely.area(simple).sum() == pytest.approx(union.area, rel=1e-6)  # no overlap
    assert union.area == pytest.approx(original.area, rel=2e-3)
    assert holes(union) == holes(original)  # no sliver opened between khets


def holes(geometry: shapely.Geometry) -> int:
    return sum(len(part.interiors) for part in getattr(geometry, "geoms", [geometry]))


def assert_exports_open_in_gdal_and_excel(settings: Settings) -> None:
    folder = settings.processed_dir / "exports"
    info = pyogrio.read_info(folder / "khet_need.gpkg", layer="khet_need")
    assert (info["features"], info["crs"]) == (50, "EPSG:4326")
    frame = pyogrio.read_dataframe(folder / "khet_need.gpkg", layer="khet_need")
    assert "slum_households" in frame.columns
    assert not {"CHAIRMAN", "chairman", "community_name"} & set(frame.columns)
    csv = (folder / "khet_need.csv").read_bytes()
    assert csv.startswith(codecs.BOM_UTF8)
    assert "บางกอกน้อย" in csv.decode("utf-8-sig")
    parquet = gpd.read_parquet(folder / "khet_need.parquet")
    assert (len(parquet), parquet.crs.to_epsg()) == (50, 4326)
    assert b'"crs"' in pq.read_metadata(folder / "khet_need.parquet").metadata[b"geo"]
    khwaeng = pyogrio.read_info(folder / "khwaeng_need.gpkg", layer="khwaeng_need")
    assert (khwaeng["features"], khwaeng["crs"]) == (180, "EPSG:4326")
    every = pd.read_csv(folder / "khwaeng_need.csv", encoding="utf-8-sig", dtype=str)
    assert every.groupby("survey_round").size().to_dict() == {"bma_registry": 180}
    assert not list(folder.glob(".*"))  # no half-written files left behind


def assert_khwaeng_need_adds_up_to_the_khets(settings: Settings) -> None:
    """180 khwaeng per round; their communities add up to the khet's, less those without one;
    values from too few communities hidden in the published view."""
    assert query(settings, "SELECT survey_round, count(*) FROM khwaeng_need GROUP BY 1") == [
        ("bma_registry", 180)
    ]
    assert query(
        settings,
        "SELECT count(*) FROM khet_need k JOIN (SELECT survey_round, khet_code, "
        "sum(communities) AS n, sum(slum_households) AS hh FROM khwaeng_need GROUP BY ALL) w "
        "USING (survey_round, khet_code) "
        "WHERE w.n = k.communities - k.communities_without_khwaeng AND w.hh <= k.slum_households",
    ) == [(50,)]
    assert query(
        settings, "SELECT count(*) FROM khwaeng_need WHERE slum_population_share IS NOT NULL"
    ) == [(0,)]
    hidden = query(
        settings,
        "SELECT count(*) FROM khwaeng_need_published n JOIN khwaeng_need k "
        "USING (survey_round, khwaeng_code) WHERE k.slum_communities BETWEEN 1 AND 2 "
        "AND n.slum_households IS NULL AND n.slum_households_per_km2 IS NULL "
        "AND list_contains(n.suppressed_indicators, 'slum_households')",
    )
    thin = query(
        settings, "SELECT count(*) FROM khwaeng_need WHERE slum_communities BETWEEN 1 AND 2"
    )
    assert hidden == thin
    assert thin[0][0] > 0


def assert_need_matches_an_independent_count(settings: Settings) -> None:
    """Slum communities and households per khet, counted from the registry file directly."""
    registry = pyogrio.read_dataframe(
        settings.raw_dir / COMMUNITY_REGISTRY.main_path, read_geometry=False
    )
    slum = registry[registry["CMT_TYPE"] == "ชุมชนแออัด"].drop_duplicates(["DNAME", "COMMU_ADMI"])
    expected = slum.groupby("DNAME").agg(n=("COMMU_ADMI", "size"), hh=("HOUSEHOLD", "sum"))
    found = query(
        settings,
        "SELECT name_th, slum_communities, slum_households FROM khet_need_latest ORDER BY 1",
    )
    assert len(found) == 50
    assert {name: (n, hh) for name, n, hh in found if n} == {
        str(name): (int(row.n), int(row.hh)) for name, row in expected.iterrows()
    }
    hidden = query(
        settings,
        "SELECT count(*) FROM khet_need_published n JOIN khet_need k USING (survey_round, khet_code) "
        "WHERE k.slum_communities BETWEEN 1 AND 2 AND n.slum_households IS NULL "
        "AND n.slum_communities = k.slum_communities "  # counts of communities are public
        "AND n.need_index = k.need_index AND n.need_rank = k.need_rank",  # so is the index
    )
    thin = query(settings, "SELECT count(*) FROM khet_need WHERE slum_communities BETWEEN 1 AND 2")
    assert hidden == thin
    assert thin[0][0] > 0


def test_rerun_replaces_and_a_failed_run_changes_nothing(
    real_settings: Settings, tmp_path: Path, real_sources_dir: Path
) -> None:
    geography(real_settings)
    (first_load,) = query(real_settings, "SELECT DISTINCT loaded_at FROM reference_source")
    geography(real_settings)
    (second_load,) = query(real_settings, "SELECT DISTINCT loaded_at FROM reference_source")
    assert second_load > first_load
    assert query(real_settings, "SELECT count(*) FROM khwaeng") == [(180,)]

    # a corrupted local copy: the run fails, names the source, and the published tables stay
    broken = tmp_path / "broken-sources"
    shutil.copytree(real_sources_dir, broken)
    (broken / "boundaries/bma_khwaeng/bma_khwaeng.dbf").chmod(0o644)
    (broken / "boundaries/bma_khwaeng/bma_khwaeng.dbf").write_bytes(b"not a dbf")
    shutil.rmtree(real_settings.raw_dir)
    with pytest.raises(Exception, match="khwaeng_boundaries") as caught:
        geography(real_settings.model_copy(update={"sources_dir": broken}))
    assert "sha256" in str(caught.value)
    assert query(real_settings, "SELECT DISTINCT loaded_at FROM reference_source") == [second_load]
    assert query(real_settings, "SELECT count(*) FROM khet") == [(50,)]
    assert not (real_settings.raw_dir / "boundaries/bma_khwaeng/bma_khwaeng.dbf").exists()


def test_pipeline_reports_every_failed_source(
    real_settings: Settings, tmp_path: Path, real_sources_dir: Path
) -> None:
    partial = tmp_path / "partial"
    shutil.copytree(real_sources_dir, partial)
    (partial / "registry/bma_communities.geojson").unlink()
    (partial / "population/khet_population.csv").unlink()
    with pytest.raises(SourcesFailed) as caught:
        citywide(real_settings.model_copy(update={"sources_dir": partial}))
    assert {failure.where.split(",")[0] for failure in caught.value.failures} == {
        "source community_registry",
        "source khet_population",
    }


def test_cli_run(real_settings: Settings) -> None:
    result = CliRunner().invoke(
        app,
        [
            "--data-dir",
            str(real_settings.data_dir),
            "--maps-dir",
            str(real_settings.maps_dir),
            "--sources-dir",
            str(real_settings.sources_dir),
            "run",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "khet" in result.output
    assert "50 rows" in result.output
    assert "180 rows" in result.output
    assert "bma_communities.geojson: loaded; read 2007" in result.output
    assert "['CHAIRMAN']" in result.output
    assert real_settings.duckdb_path.is_file()

    sql = "SELECT name_en, round(area_km2, 1) AS km2 FROM khet WHERE khet_code = '1007'"
    answer = CliRunner().invoke(app, ["--data-dir", str(real_settings.data_dir), "query", sql])
    assert answer.exit_code == 0, answer.output
    assert "Pathum Wan" in answer.output
    assert "8.0" in answer.output
    refused = CliRunner().invoke(
        app, ["--data-dir", str(real_settings.data_dir), "query", "DROP TABLE khet"]
    )
    assert refused.exit_code == 1
    assert "read-only" in refused.output


def test_cli_ingest_a_folder_by_round(real_settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    base = [
        "--data-dir",
        str(real_settings.data_dir),
        "--sources-dir",
        str(real_settings.sources_dir),
    ]
    assert runner.invoke(app, [*base, "geography", "build"]).exit_code == 0
    round_folder = real_settings.raw_dir / "surveys" / "2568-1"
    round_folder.mkdir(parents=True)
    (round_folder / "dusit.csv").write_text(
        "เขต,ชื่อชุมชน,ครัวเรือน\nดุสิต,ชุมชนวัดโสมนัส,120\nดุสิต,ชุมชนติดลบ,-1\n", encoding="utf-8"
    )
    (round_folder / "broken.xlsx").write_bytes(b"not a workbook")
    result = runner.invoke(
        app, [*base, "ingest", str(real_settings.raw_dir / "surveys" / "2568-1")]
    )
    assert result.exit_code == 1, result.output  # a file failed; the other was still ingested
    assert "dusit.csv: loaded; read 2, loaded 1, rejected 1" in result.output
    assert "broken.xlsx: failed" in result.output
    assert query(real_settings, "SELECT survey_round, count(*) FROM community GROUP BY 1") == [
        ("2568-1", 1)
    ]
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = runner.invoke(app, [*base, "ingest", str(empty)])
    assert nothing.exit_code == 1
    assert "no survey files" in nothing.output
    loose = tmp_path / "loose.csv"
    loose.write_text("เขต,ชื่อชุมชน\nดุสิต,A\n", encoding="utf-8")
    no_round = runner.invoke(app, [*base, "ingest", str(loose)])
    assert no_round.exit_code == 1
    assert "--round" in no_round.output
