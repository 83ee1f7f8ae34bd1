"""The real 50 khet outlines drawn in Chromium at 1400 and 390 px: labels placed by need never
overlap each other or a control, the controls never overlap each other, label ink is readable
on its fill, and every khet whose label had no room is still named in its tooltip."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pytest

from citywide.files import write_files
from citywide.indicators import INDICATORS
from citywide.mapping.build import MapOptions, Picture, map_files
from citywide.mapping.layers import METRIC_CRS
from tests.browser import Box, Browser, Layout, chromium
from tests.mapping.conftest import METHODS, REASON_EN, REASON_TH

BOUNDARIES = "boundaries/bangkok_khets.geojson"
SIZES = [(1400, 900), (390, 844)]
GAP = (2, 1)  # the page keeps labels this far (x, y px) from each other and the controls
SUPPRESSED = 4  # khets whose values are hidden (the grey style, labelled white)


def real_khets(sources: Path) -> gpd.GeoDataFrame:
    """The 50 real khets as khet_need_current_published gives them: the registry round, need
    highest in the small inner-city khets (where labels crowd most), four khets suppressed."""
    outlines = gpd.read_file(sources / BOUNDARIES).sort_values("dcode", ignore_index=True)
    area = outlines.geometry.to_crs(METRIC_CRS).area / 1e6
    need = (100 * area.min() / area).round(2)
    hidden = set(need.sort_values().index[:SUPPRESSED])  # among the largest khets
    rows = []
    for i, outline in outlines.iterrows():
        suppressed = i in hidden
        value = None if suppressed else float(need[i])
        rows.append(
            {
                **{indicator.name: None for indicator in INDICATORS},
                "survey_round": "bma_registry",
                "round_order": 1,
                "khet_code": str(outline["dcode"]),
                "name_th": str(outline["dname"]).removeprefix("เขต"),  # as the khet table
                "name_en": str(outline["dname_e"]),
                "area_km2": float(area[i]),
                "coverage_status": "complete",
                "first_survey_date": None,
                "last_survey_date": None,
                "slum_communities": 1 if suppressed else 5,
                "need_index": value,
                "suppressed_indicators": ["need_index", "slum_communities"] if suppressed else [],
                "suppressed_reason_th": REASON_TH if suppressed else None,
                "suppressed_reason_en": REASON_EN if suppressed else None,
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry=list(outlines.geometry), crs="EPSG:4326")
    frame["need_rank"] = frame["need_index"].rank(ascending=False, method="min")
    return frame


def luminance(colour: str) -> float:
    """WCAG relative luminance of "#rrggbb" or "rgb(r, g, b)"."""
    if colour.startswith("#"):
        channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    else:
        channels = [int(v) for v in re.findall(r"\d+", colour)[:3]]
    linear = [
        c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
        for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def assert_nothing_collides(layout: Layout, page: str) -> None:
    where = f"{page} at {layout.width} px"
    for a, b in itertools.combinations(layout.labels, 2):
        assert not a.box.overlaps(b.box), (where, a.text, b.text)
    for label in layout.labels:
        for control in layout.controls:
            assert not label.box.overlaps(control), (where, label.text, control)
    for one, other in itertools.combinations(layout.controls, 2):
        assert not one.overlaps(other), (where, one, other)


def tooltip_of_every_shape(browser: Browser) -> list[str]:
    return list(
        browser.run(
            """const texts = [];
            for (const shape of document.querySelectorAll('path.khet-shape')) {
              const before = new Set(document.querySelectorAll('.khet-tip'));
              shape.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
              const opened = Array.from(document.querySelectorAll('.khet-tip'))
                .filter(tip => !before.has(tip));
              texts.push(opened.length ? opened[0].innerText : '');
              shape.dispatchEvent(new MouseEvent('mouseout', {bubbles: true}));
            }
            return texts;"""
        )
    )


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory, real_sources_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("maps")
    khets = real_khets(real_sources_dir)
    files = map_files(Picture(khets), MapOptions(), datetime(2026, 12, 1, tzinfo=UTC), METHODS)
    write_files(folder, files)
    return folder


@pytest.mark.real_data
@pytest.mark.parametrize(
    "page", ["need_index.html", "all_indicators.html", "slum_communities.html"]
)
def test_labels_and_controls_never_collide_at_desktop_and_phone_width(
    pages: Path, page: str
) -> None:
    with chromium() as browser:
        for width, height in SIZES:
            browser.viewport(width, height)
            drawn = browser.render(pages / page)
            assert drawn.console_errors == []
            assert (drawn.shapes, len(drawn.labels)) == (50, 50)
            layout = browser.layout()
            assert layout.width == width
            assert_nothing_collides(layout, page)
            assert len(layout.labels) >= (25 if width > 600 else 12), (width, layout.hidden)
            for label in layout.labels:
                assert label.fill is not None, label.text
                assert contrast(label.colour, label.fill) >= 4.5, (label.text, label.fill)


def inside(box: Box, frame: Box) -> bool:
    return (
        box.left >= frame.left
        and box.right <= frame.right
        and box.top >= frame.top
        and box.bottom <= frame.bottom
    )


@pytest.mark.real_data
def test_labels_are_placed_by_need_and_every_khet_is_named_in_its_tooltip(
    pages: Path, real_sources_dir: Path
) -> None:
    khets = real_khets(real_sources_dir)
    first = khets.sort_values("need_index", ascending=False)["name_th"].iloc[0]
    with chromium() as browser:
        for width, height in SIZES:
            browser.viewport(width, height)
            browser.render(pages / "need_index.html")
            layout = browser.layout()
            assert layout.labels[0].text
            shown = {label.text.splitlines()[0] for label in layout.labels}
            assert first in shown, (width, first)
            assert layout.hidden, "the inner city cannot hold every label at this zoom"
            # a label is hidden only where it would come closer than the page's gap to one of
            # greater need or to a control, or leave the map
            for label in layout.hidden:
                near = label.box.padded(*GAP)
                assert (
                    any(
                        other.priority < label.priority and other.box.padded(*GAP).overlaps(near)
                        for other in layout.labels
                    )
                    or any(near.overlaps(control) for control in layout.controls)
                    or not inside(label.box, layout.frame)
                ), (width, label.text)
            tips = tooltip_of_every_shape(browser)
            assert len(tips) == 50
            for name in khets["name_th"]:
                assert any(f"เขต{name}" in tip for tip in tips), name


@pytest.mark.real_data
def test_on_a_phone_title_and_legend_start_folded_and_open_without_collisions(
    pages: Path,
) -> None:
    with chromium() as browser:
        browser.viewport(390, 844)
        browser.render(pages / "need_index.html")
        folded = browser.layout()
        assert browser.run("return document.querySelector('.cw-header').open") is False
        assert browser.run("return document.querySelector('.citywide-legend').open") is False
        assert folded.legend is not None
        assert folded.legend.bottom - folded.legend.top < 60  # just its title
        browser.run("document.querySelector('.citywide-legend summary').click()")
        opened = browser.layout()
        assert opened.legend is not None
        assert opened.legend.bottom - opened.legend.top > 150
        assert_nothing_collides(opened, "need_index.html, legend open")
        browser.run("document.querySelector('.citywide-legend summary').click()")
        browser.run("document.querySelector('.cw-header summary').click()")
        header = browser.layout()
        assert header.header is not None
        assert "แหล่งข้อมูล · source" in browser.run(
            "return document.querySelector('.cw-header').innerText"
        )
        assert_nothing_collides(header, "need_index.html, title open")
        browser.viewport(1400, 900)
        browser.render(pages / "need_index.html")
        assert browser.run("return document.querySelector('.cw-header').open") is True
        assert browser.run("return document.querySelector('.citywide-legend').open") is True
