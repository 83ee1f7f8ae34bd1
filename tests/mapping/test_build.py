"""Every map file of a round: pages for the indicators with data, composite, index, PNG."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from matplotlib import font_manager

from citywide.errors import PublishError
from citywide.indicators import INDICATORS
from citywide.mapping import static
from citywide.mapping.build import (
    COMPOSITE_PAGE,
    INDEX_PAGE,
    PNG,
    MapOptions,
    map_files,
    stale_pages,
)
from tests.mapping.conftest import published

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
    files = map_files(published(four_khets()), MapOptions(), BUILT)
    assert set(files) == {
        "need_index.html", "slum_communities.html", "communities.html",
        COMPOSITE_PAGE, INDEX_PAGE, PNG,
    }  # fmt: skip
    index = files[INDEX_PAGE]
    assert isinstance(index, str)
    for page in ("need_index.html", "slum_communities.html", "communities.html", COMPOSITE_PAGE):
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
        published(four_khets()), MapOptions(classification="quantiles", classes=2), BUILT
    )
    page = files["slum_communities.html"]
    assert isinstance(page, str)
    assert "quantile breaks" in page
    assert "Fisher-Jenks" not in page
    # two classes, then "no data", "suppressed" and "not surveyed", each its own legend row
    assert page.count('cw-legend-row\\"') == 5


def test_nothing_to_map_is_an_error_that_says_so() -> None:
    with pytest.raises(PublishError, match="nothing to map"):
        map_files(published([{}, {}]), MapOptions(), BUILT)
    twice = published(four_khets())
    twice.loc[1, "khet_code"] = twice.loc[0, "khet_code"]
    with pytest.raises(PublishError, match="one published row per khet"):
        map_files(twice, MapOptions(), BUILT)


def test_stale_pages_are_the_indicator_pages_not_written_again(tmp_path: Path) -> None:
    for name in ("need_index.html", "households.html", "notes.html"):
        (tmp_path / name).write_text("old")
    assert stale_pages(tmp_path, {"need_index.html": ""}) == [tmp_path / "households.html"]


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
