"""Map pages: self-contained, escaped, and drawn by Chromium with the network blocked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from citywide.indicators import INDICATOR_BY_NAME, SuppressionRule
from citywide.mapping.layers import choropleth_layer, feature_collection, label_points
from citywide.mapping.page import (
    Basemap,
    IndexContent,
    IndexEntry,
    RoundEntry,
    Tiles,
    index_page,
    map_page,
    script_json,
)
from citywide.rounds import round_progress
from tests.browser import chromium
from tests.coverage_tables import coverage_frames
from tests.mapping.conftest import foreign_addresses, published

RULE = SuppressionRule()  # the settings' default: 3 communities, 10 households

HOSTILE_TH = "<script>window.__pwned=1</script>"
HOSTILE_EN = '<img src=x onerror="window.__pwned=2">'


def khet_page(tiles: Tiles | None = None, names: tuple[str, str] = ("เขตหนึ่ง", "One")) -> str:
    khets = published(
        [
            {"name_th": names[0], "name_en": names[1], "slum_communities": 4, "communities": 9},
            {"slum_communities": 12, "communities": 20},
            {"slum_communities": None, "hidden": ["slum_communities"], "communities": 2},
        ]
    )
    layers = [
        choropleth_layer(khets, INDICATOR_BY_NAME[name], "fisher_jenks", 5, RULE)
        for name in ("slum_communities", "communities")
    ]
    base = Basemap(
        features=feature_collection(khets),
        labels=label_points(khets),
        bounds=tuple(float(v) for v in khets.total_bounds),  # type: ignore[arg-type]
        tiles=tiles,
        about_html="<p>รอบสำรวจ · survey round: 2026</p>",
    )
    return map_page(base, "ชุมชนแออัด <b>", "Slum communities <b>", layers)


def test_script_json_cannot_close_the_script_element() -> None:
    text = script_json({"name": "</script><script>alert(1)</script>", "and": "a & b\u2028"})
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert "\u2028" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script>", "and": "a & b\u2028"}


def test_a_page_links_nothing_and_inlines_leaflet() -> None:
    html = khet_page()
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?(https?:)?//", html)
    assert foreign_addresses(html) == set()
    assert "Leaflet 1.9.4" in html
    assert ".leaflet-container" in html
    assert "sourceMappingURL" not in html
    assert "<title>ชุมชนแออัด &lt;b&gt; · Slum communities &lt;b&gt;</title>" in html


def test_tiles_appear_only_when_configured() -> None:
    offline = khet_page()
    assert "tileLayer(" in offline
    assert '"tiles":null' in offline
    with_tiles = khet_page(Tiles("https://tiles.example/{z}/{x}/{y}.png", "© <OSM>"))
    assert "https://tiles.example/{z}/{x}/{y}.png" in with_tiles
    assert "\\u0026copy;" not in with_tiles
    assert "© \\u0026lt;OSM\\u0026gt;" in with_tiles


def test_index_page_escapes_what_it_shows() -> None:
    (progress,) = round_progress(
        *coverage_frames({"<i>2026</i>": {"1001": "partial"}}),
        pd.DataFrame({"khet_code": ["1001"], "name_th": ["<script>"], "name_en": ["<b>x</b>"]}),
    )
    html = index_page(
        IndexContent(
            title_th="<b>t</b>", title_en="e", scope_th="<i>2026</i>", scope_en="s",
            sources="<u>src</u>", built_at="now", home=None, report="report.html",
            methods="methods.html",
            composite="all.html", png="map.png", coverage=None, privacy_th="p", privacy_en="q",
            indicators=(IndexEntry("<script>", "x", "u", None),), changes=(),
            rounds=(RoundEntry(progress, "rounds/x/index.html", None),),
        )
    )  # fmt: skip
    assert "<script>" not in html
    assert "<b>x</b>" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;i&gt;2026" in html
    assert "&lt;u&gt;src" in html
    assert "no data in this round" in html
    assert "1 จาก 1 เขตส่งข้อมูลรอบสำรวจ &lt;i&gt;2026&lt;/i&gt;" in html


def test_chromium_draws_every_khet_offline_and_shows_hostile_names_as_text(
    tmp_path: Path,
) -> None:
    page = tmp_path / "page.html"
    page.write_text(khet_page(names=(HOSTILE_TH, HOSTILE_EN)), encoding="utf-8")
    with chromium() as browser:
        drawn = browser.render(page)
        assert drawn.pwned is None  # neither the script nor the onerror handler ran
        assert drawn.console_errors == []
        assert drawn.network_requests == []
        assert (drawn.shapes, drawn.filled) == (3, 3)
        assert drawn.labels[0].splitlines() == [HOSTILE_TH, HOSTILE_EN]
        assert drawn.legend is not None
        assert "ชุมชนแออัด" in drawn.legend
        assert "fewer than 3 communities" in drawn.legend
        assert "no data for this field" in drawn.legend
        assert "not surveyed" in drawn.legend
        assert drawn.layers == [
            "ชุมชนแออัด · Slum communities",
            "ชุมชนที่สำรวจ · Surveyed communities",
        ]
        # switching layer switches the legend and restyles the same three khets
        browser.run("document.querySelectorAll('.leaflet-control-layers-base input')[1].click()")
        legend = browser.run("return document.querySelector('.citywide-legend').innerText")
        assert legend.startswith("ชุมชนที่สำรวจ")
        assert browser.run("return document.querySelectorAll('path.khet-shape').length") == 3
        tooltip = browser.run(
            """const shape = document.querySelector('path.khet-shape');
            shape.dispatchEvent(new MouseEvent('mouseover', {bubbles: true, clientX: 300, clientY: 300}));
            const tip = document.querySelector('.khet-tip');
            return tip ? tip.innerText : null;"""
        )
        assert tooltip is not None
        assert HOSTILE_TH in tooltip
        assert browser.run("return window.__pwned === undefined")
