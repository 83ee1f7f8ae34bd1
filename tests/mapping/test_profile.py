"""Khet profiles: one page per khet, its rounds, ranks, coverage, types and khwaeng; privacy."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from citywide.errors import PublishError
from citywide.files import write_files
from citywide.mapping.build import MapOptions, Picture, map_files
from citywide.mapping.profile import profile_page
from tests.browser import chromium
from tests.mapping.conftest import (
    METHODS,
    REASON_EN,
    REASON_TH,
    foreign_addresses,
    multi_round_picture,
    picture_current,
    picture_rounds,
)

BUILT = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


def community_types() -> pd.DataFrame:
    """Communities by type: the registry's six per khet, round 2568's of 1001 and 1003."""
    rows = [
        ("bma_registry", code, kind, n)
        for code in ("1001", "1002", "1003", "1004")
        for kind, n in (("slum", 5), ("urban", 1))
    ]
    rows += [("2568", "1001", "slum", 6), ("2568", "1001", "high_rise", 1)]
    rows += [("2568", "1003", "slum", 5)]
    return pd.DataFrame(
        rows, columns=["survey_round", "khet_code", "community_type", "communities"]
    )


def khwaeng() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("1001", "100101", "พระบรมมหาราชวัง", "Phra Borom Maha Ratchawang"),
            ("1001", "100102", "<b>วังบูรพา</b>", "Wang Burapha"),
            ("1002", "100201", "ดุสิต", "Dusit"),
        ],
        columns=["khet_code", "khwaeng_code", "name_th", "name_en"],
    )


def picture() -> Picture:
    return replace(
        multi_round_picture(), community_types=community_types(), khwaeng_names=khwaeng()
    )


def page(files: dict[str, str | bytes], code: str) -> str:
    content = files[f"khet/{code}.html"]
    assert isinstance(content, str)
    return content


def visible(html: str) -> str:
    """The page's text as read: tags removed, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def cell(html: str, label_en: str) -> str:
    """The table row of an indicator (by its English label), as read."""
    found = re.search(
        rf'<tr><td>[^<]*<br><span class="en">{re.escape(label_en)}\s\(.*?</tr>', html, re.S
    )
    assert found is not None, label_en
    return visible(found.group(0))


def test_one_page_per_khet_with_every_round_that_surveyed_it() -> None:
    files = map_files(picture(), MapOptions(), BUILT, METHODS)
    assert sorted(name for name in files if name.startswith("khet/")) == [
        f"khet/100{i}.html" for i in range(1, 5)
    ]
    first = page(files, "1001")
    assert "<h1>เขตทดสอบ1</h1>" in first
    # both rounds surveyed it: a column each, the values and their rank among the surveyed
    need = cell(first, "Need index")
    assert "40.0" in need
    assert "rank 2 of 4" in need
    assert "100.0" in need
    assert "rank 1 of 2" in need
    assert "160" in cell(first, "Slum households")
    assert "no data" in cell(first, "Households with insecure tenure")
    assert first.count('<svg class="chart"') == 3  # the index strip and two round charts
    # the current picture: 2568's index, ranked over the combined picture
    assert "values from survey round 2568" in visible(first)
    assert "rank 1 of 4 khets" in visible(first)
    # every page: source, rounds and build date; links back to the index and the maps
    for code in ("1001", "1002", "1003", "1004"):
        html = page(files, code)
        text = visible(html)
        assert "source: the city-wide housing survey" in text
        assert "BMA community registry, survey round 2568" in text  # the rounds
        assert "built 2026-11-21 06:00 UTC" in text
        for link in ("../index.html", "../need_index.html", "../coverage.html"):
            assert f'href="{link}"' in html
        assert foreign_addresses(html) == set()  # the SVG namespace is text, never loaded
        assert len(html.encode()) < 1_000_000
    second = page(files, "1002")
    assert "not surveyed in: survey round 2568" in visible(second)
    assert "survey round 2568</span></th>" not in second  # no column for the round
    assert second.count('<svg class="chart"') == 1  # one round: no chart across rounds


def test_coverage_types_and_khwaeng() -> None:
    files = map_files(picture(), MapOptions(), BUILT, METHODS)
    third = page(files, "1003")
    assert "ส่งข้อมูลบางส่วน" in third
    assert "partial" in third
    assert "6 / 10 (60%)" in visible(third)  # communities surveyed of expected in 2568
    assert "2026-12-01" in third  # its last return
    first = page(files, "1001")
    assert "แขวงพระบรมมหาราชวัง" in first
    assert "Phra Borom Maha Ratchawang" in first
    assert "&lt;b&gt;วังบูรพา&lt;/b&gt;" in first  # escaped
    assert "<b>วังบูรพา" not in first
    assert "Khwaeng</span> (2)" in first
    types = visible(first[first.index("Communities by type") :])
    # community counts are public (docs/indicators.md): registry slum 5, urban 1; 2568 slum 6,
    # high-rise 1, each shown as counted, a type a round did not count as 0
    assert "ชุมชนแออัด · slum 5 6" in types, types
    assert "ชุมชนเมือง · urban 1 0" in types, types
    assert "ชุมชนอาคารสูง · high-rise 0 1" in types, types
    table = first[first.index("Communities by type") : first.index("Khwaeng</span>")]
    assert "not shown" not in visible(table)


def test_a_hidden_value_never_appears_and_gives_the_views_reason() -> None:
    rounds = picture_rounds()
    at = rounds.index[(rounds["survey_round"] == "2568") & (rounds["khet_code"] == "1003")][0]
    # A value the published view names as hidden: even if a number were there, none is shown.
    rounds.at[at, "suppressed_indicators"] = ["slum_households", "need_index"]
    rounds.loc[at, ["slum_households", "need_index"]] = [987654, 55.5]
    rounds.loc[at, ["suppressed_reason_th", "suppressed_reason_en"]] = [REASON_TH, REASON_EN]
    current = picture_current()
    current.at[2, "suppressed_indicators"] = ["need_index", "communities"]
    current.loc[2, ["need_index", "suppressed_reason_th", "suppressed_reason_en"]] = [
        None,
        REASON_TH,
        REASON_EN,
    ]
    files = map_files(
        replace(picture(), rounds=rounds, current=current), MapOptions(), BUILT, METHODS
    )
    html = page(files, "1003")
    for hidden in ("987654", "987,654", "55.5"):
        assert hidden not in html
    slum = cell(html, "Slum households")
    assert "50" in slum  # the registry's value is published
    assert "not shown" in slum
    assert REASON_TH in visible(html)
    assert REASON_EN in visible(html)
    assert "no data" in cell(html, "Households in poor housing")  # distinct from not shown
    # no index strip for a khet whose current index is hidden; its tick is on no other page
    assert html.count('<svg class="chart"') == 2  # the two round charts, its bar an empty box
    for other in ("1001", "1002", "1004"):
        ticks = re.findall(r'stroke="#fd8d3c"', page(files, other))
        assert len(ticks) == 3  # the three published indices, not 1003's


def test_the_view_hiding_the_total_hides_every_type_count() -> None:
    rounds = picture_rounds()
    at = rounds.index[(rounds["survey_round"] == "2568") & (rounds["khet_code"] == "1003")][0]
    rounds.at[at, "suppressed_indicators"] = ["communities", "slum_communities"]
    rounds.loc[at, ["communities", "slum_communities"]] = [None, None]
    rounds.loc[at, ["suppressed_reason_th", "suppressed_reason_en"]] = [REASON_TH, REASON_EN]
    files = map_files(replace(picture(), rounds=rounds), MapOptions(), BUILT, METHODS)
    html = page(files, "1003")
    types = visible(html[html.index("Communities by type") :])
    # registry: 5 slum and 1 urban, public; 2568 counted 5 slum communities, but the view hides
    # the khet's total there, so they go with its reason (note 1)
    assert "ชุมชนแออัด · slum 5 ไม่แสดง · not shown 1" in types, types


def test_the_index_and_every_map_link_the_profiles() -> None:
    files = map_files(picture(), MapOptions(), BUILT, METHODS)
    index = files["index.html"]
    assert isinstance(index, str)
    for code in ("1001", "1004"):
        assert f'href="khet/{code}.html"' in index
    assert 'href="../../khet/1002.html"' in str(files["rounds/2568/index.html"])
    need = str(files["need_index.html"])
    assert '"profiles":["khet/1001.html","khet/1002.html","khet/1003.html","khet/1004.html"]' in (
        need
    )
    assert '"profiles":["../../khet/1001.html"' in str(files["rounds/2568/coverage.html"])


def test_a_khet_code_that_cannot_name_a_file_is_refused() -> None:
    assert profile_page("1001") == "khet/1001.html"
    with pytest.raises(PublishError, match="four digits"):
        profile_page("../10")


def test_chromium_opens_a_profile_offline_and_a_map_click_leads_to_it(tmp_path: Path) -> None:
    files = map_files(picture(), MapOptions(), BUILT, METHODS)
    write_files(tmp_path, files)
    with chromium() as browser:
        for name in ("khet/1001.html", "khet/1002.html"):
            drawn = browser.render(tmp_path / name)
            assert drawn.console_errors == [], name
            assert drawn.network_requests == [], name
            assert browser.run("return document.querySelectorAll('svg').length") >= 2
            assert browser.run("return document.documentElement.scrollWidth") <= 1280
        browser.render(tmp_path / "need_index.html")
        browser.run("document.querySelectorAll('path.khet-shape')[2].dispatchEvent("
                    "new MouseEvent('click', {bubbles: true, clientX: 600, clientY: 400}))")  # fmt: skip
        link = browser.run("var a = document.querySelector('.leaflet-popup-content a');"
                           "return a ? a.getAttribute('href') : null;")  # fmt: skip
        assert link == "khet/1003.html"
        browser.driver.set_window_size(390, 844)
        browser.render(tmp_path / "khet/1001.html")
        width = browser.run("return document.documentElement.scrollWidth")
        assert width <= 390  # wide tables scroll in their own box, the page does not
