"""Every map file of a round: pages for the indicators with data, composite, index, PNG."""

from __future__ import annotations

import posixpath
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from matplotlib import font_manager

from citywide.errors import PublishError
from citywide.files import write_files
from citywide.indicators import INDICATORS
from citywide.mapping import static
from citywide.mapping.build import (
    COMPOSITE_PAGE,
    INDEX_PAGE,
    KHWAENG_PAGE,
    PNG,
    MapOptions,
    Picture,
    map_files,
    remove_stale_pages,
    safe_label,
    stale_pages,
)
from citywide.mapping.page import script_json
from tests.browser import chromium
from tests.mapping.conftest import METHODS, multi_round_picture, published

BUILT = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


def four_khets() -> list[dict[str, object]]:
    return [
        {
            "slum_communities": n,
            "communities": n + 3,
            "need_index": float(10 * n),
            "need_rank": 5 - n,
        }
        for n in (0, 4, 7, 12)
    ]


def test_pages_for_indicators_with_data_and_an_index_linking_them() -> None:
    files = map_files(Picture(published(four_khets())), MapOptions(), BUILT, METHODS)
    assert set(files) == {
        "need_index.html", "slum_communities.html", "communities.html",
        COMPOSITE_PAGE, INDEX_PAGE, PNG, "methods.html",
        *(f"khet/100{i}.html" for i in range(1, 5)),
    }  # fmt: skip
    index = files[INDEX_PAGE]
    assert isinstance(index, str)
    for page in ("need_index.html", "slum_communities.html", "communities.html", COMPOSITE_PAGE,
                 "khet/1001.html", "khet/1004.html"):  # fmt: skip
        assert f'href="{page}"' in index
    # every other indicator, said so
    assert index.count("no data in this round") == len(INDICATORS) - 3
    assert "2026-11-21 06:00 UTC" in index
    png = files[PNG]
    assert isinstance(png, bytes)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 20_000
    composite = files[COMPOSITE_PAGE]
    assert isinstance(composite, str)
    assert composite.count('"legend":') == 3


def test_quantiles_and_class_count_come_from_the_options() -> None:
    files = map_files(
        Picture(published(four_khets())),
        MapOptions(classification="quantiles", classes=2),
        BUILT,
        METHODS,
    )
    page = files["slum_communities.html"]
    assert isinstance(page, str)
    assert "quantile breaks" in page
    assert "Fisher-Jenks" not in page
    # two classes, then "no data", "suppressed" and "not surveyed", each its own legend row
    assert page.count('cw-legend-row\\"') == 5


def test_nothing_to_map_is_an_error_that_says_so() -> None:
    with pytest.raises(PublishError, match="nothing to map"):
        map_files(Picture(published([{}, {}])), MapOptions(), BUILT, METHODS)
    twice = published(four_khets())
    twice.loc[1, "khet_code"] = twice.loc[0, "khet_code"]
    with pytest.raises(PublishError, match="one published row per khet"):
        map_files(Picture(twice), MapOptions(), BUILT, METHODS)


def test_stale_pages_are_the_map_pages_not_written_again(tmp_path: Path) -> None:
    old_round = tmp_path / "rounds" / "2567"
    kept_round = tmp_path / "rounds" / "2568"
    for folder in (old_round, kept_round):
        folder.mkdir(parents=True)
    written = ("need_index.html", "rounds/2568/index.html", "rounds/2568/coverage.html")
    (tmp_path / "khet").mkdir()
    for name in (*written, "households.html", "notes.html", "report.html", "change_need_index.html",
                 "coverage.html", "rounds/2567/index.html", "rounds/2567/need_index.png",
                 "rounds/2568/households.html", "khet/9999.html"):  # fmt: skip
        (tmp_path / name).write_text("old")
    assert set(stale_pages(tmp_path, dict.fromkeys(written, ""))) == {
        tmp_path / "khet" / "9999.html",  # a khet profile this run did not write
        tmp_path / "households.html",
        tmp_path / "change_need_index.html",
        tmp_path / "coverage.html",
        old_round / "index.html",
        old_round / "need_index.png",
        kept_round / "households.html",
    }  # report.html (the run report's) and files citywide never names stay
    removed = remove_stale_pages(tmp_path, dict.fromkeys(written, ""))
    assert old_round in removed
    assert not old_round.exists()  # emptied: gone with its pages
    assert sorted(p.name for p in kept_round.iterdir()) == ["coverage.html", "index.html"]
    assert (tmp_path / "report.html").is_file()


def test_a_round_label_becomes_a_safe_folder_name() -> None:
    assert safe_label("2568") == "2568"
    assert safe_label("bma_registry") == "bma_registry"
    unsafe = safe_label("../2568 รอบ/1")
    assert unsafe.startswith("2568_1-")
    assert "/" not in unsafe
    assert ".." not in unsafe
    assert unsafe != safe_label("../2568 รอบ/2")


def test_every_round_keeps_its_own_pages_and_the_index_lists_their_coverage() -> None:
    files = map_files(multi_round_picture(), MapOptions(), BUILT, METHODS)
    for scope in ("", "rounds/2568/", "rounds/bma_registry/"):
        for name in ("index.html", "need_index.html", "slum_households.html", COMPOSITE_PAGE,
                     PNG, "coverage.html"):  # fmt: skip
            assert f"{scope}{name}" in files
    # change: the current picture against each khet's previous round; the index change is
    # not comparable across pictures (NULL), so only a round has its page
    assert "change_slum_households.html" in files
    assert "change_need_index.html" not in files
    assert "rounds/2568/change_need_index.html" in files
    assert "rounds/bma_registry/change_slum_households.html" not in files  # nothing before it
    index = files[INDEX_PAGE]
    assert isinstance(index, str)
    assert "ภาพรวมปัจจุบัน" in index
    assert "ค่าจากรอบสำรวจ 2568 (2 เขต) และ ทะเบียนชุมชน กทม. (2 เขต)" in index
    assert "2 จาก 4 เขตส่งข้อมูลรอบสำรวจ 2568" in index
    assert "2 of 4 khets returned survey round 2568" in index
    assert "ยังไม่ส่ง: เขตทดสอบ2, เขตทดสอบ4" in index
    assert "not returned yet: Test 2, Test 4" in index
    assert "4 of 4 khets returned BMA community registry" in index
    assert index.index("รอบสำรวจ 2568</a>") < index.index("ทะเบียนชุมชน กทม.</a>")  # newest first
    for link in ("rounds/2568/index.html", "rounds/2568/coverage.html", "coverage.html",
                 "change_slum_households.html", "report.html"):  # fmt: skip
        assert f'href="{link}"' in index
    assert "2026-11-30" in index  # 1001's return, in the per-khet table
    own = files["rounds/2568/index.html"]
    assert isinstance(own, str)
    assert 'href="../../index.html"' in own
    assert 'href="../../report.html"' in own
    assert 'href="coverage.html"' in own
    assert "2 of 4 khets returned survey round 2568" in own
    page = files["rounds/2568/need_index.html"]
    assert isinstance(page, str)
    assert "อันดับ 2 จาก 2 เขตที่สำรวจ · rank 2 of 2 surveyed" in page
    assert 'href="../../index.html"' in page
    assert "ยังไม่ได้สำรวจ · not surveyed" in page


def test_no_thai_font_refuses_the_png_with_the_package_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    static.thai_font.cache_clear()
    monkeypatch.setattr(
        font_manager, "findSystemFonts", lambda: ["/usr/share/fonts/DejaVuSans.ttf"]
    )
    try:
        with pytest.raises(PublishError, match="fonts-thai-tlwg"):
            static.thai_font()
    finally:
        static.thai_font.cache_clear()


def test_every_relative_link_between_the_pages_reaches_a_page() -> None:
    files = map_files(multi_round_picture(), MapOptions(), BUILT, METHODS)
    written = set(files) | {"report.html"}  # the run report is written next to index.html
    links = 0
    for name, content in files.items():
        if not isinstance(content, str):
            continue
        for target in re.findall(r'(?:href|src)="([^"#:]+)"', content):
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
            assert resolved in written, (name, target)
            links += 1
    assert links > 50  # every page links back to its index; the indexes link every page


def test_chromium_draws_a_round_page_and_its_coverage_offline(tmp_path: Path) -> None:
    files = map_files(multi_round_picture(), MapOptions(), BUILT, METHODS)
    write_files(tmp_path, files)
    with chromium() as browser:
        for page in ("rounds/2568/need_index.html", "rounds/2568/coverage.html", "coverage.html",
                     "change_slum_households.html"):  # fmt: skip
            drawn = browser.render(tmp_path / page)
            assert drawn.console_errors == [], page
            assert drawn.network_requests == [], page
            assert (drawn.shapes, drawn.filled) == (4, 4), page
            assert drawn.legend is not None
        coverage = browser.render(tmp_path / "rounds/2568/coverage.html")
        assert coverage.legend is not None
        assert "partial (1 เขต · khets)" in coverage.legend
        assert "not returned (2 เขต · khets)" in coverage.legend


def test_the_khwaeng_page_shows_each_khwaeng_with_its_khet_and_hides_what_the_view_hides(
    tmp_path: Path,
) -> None:
    picture = multi_round_picture()
    files = map_files(picture, MapOptions(), BUILT, METHODS)
    page = files[KHWAENG_PAGE]
    assert isinstance(page, str)
    assert f'href="{KHWAENG_PAGE}"' in str(files[INDEX_PAGE])
    assert not any(name.endswith(KHWAENG_PAGE) and name != KHWAENG_PAGE for name in files)
    # tooltips: the khwaeng, then its khet; the hidden index is "not shown", never a value
    tooltip = "<b>แขวงย่อย10011</b> · Sub 1001-1<br>เขตทดสอบ1 · Test 1"
    assert script_json(tooltip)[1:-1] in page  # as the page's data holds it
    assert page.count("not shown, to protect privacy") == 4  # the four east halves
    assert "(4 แขวง)" in page  # sources count khwaeng (4 from each round), not khets
    assert "เขต)" not in page
    assert " khets)" not in page
    assert "2026-11-21 06:00 UTC" in page  # build date
    write_files(tmp_path, files)
    with chromium() as browser:
        drawn = browser.render(tmp_path / KHWAENG_PAGE)
        assert drawn.console_errors == []
        assert drawn.network_requests == []
        assert (drawn.shapes, drawn.filled, len(drawn.labels)) == (8, 8, 4)  # khet names
        assert drawn.legend is not None
        assert "fewer than 3 communities (4 แขวง · khwaeng)" in drawn.legend


def test_no_khwaeng_rows_no_khwaeng_page() -> None:
    files = map_files(Picture(published(four_khets())), MapOptions(), BUILT, METHODS)
    assert KHWAENG_PAGE not in files
    assert KHWAENG_PAGE not in str(files[INDEX_PAGE])
