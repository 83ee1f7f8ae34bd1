"""What each page says about itself: definitions from the one catalogue, rounds with survey
dates, source, build date, privacy, the methods page with the weights in force; contiguous
legend classes; labels in need order."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from citywide.indicators import INDICATOR_BY_NAME, INDICATORS, Indicator
from citywide.locations import DOCS_DIR, INDICATORS_DOC
from citywide.mapping.about import (
    METHODS_PAGE,
    RoundDates,
    about_html,
    methods_page,
    render_markdown,
    round_dates,
)
from citywide.mapping.build import COMPOSITE_PAGE, MapOptions, map_files
from citywide.mapping.change import CHANGES, diverging_classes
from citywide.mapping.layers import class_ranges, classify, label_priorities
from tests.mapping.conftest import METHODS, multi_round_picture, picture_current, published

CATALOGUE = [*INDICATORS, *(indicator for indicator, _ in CHANGES)]
DOC = (DOCS_DIR / INDICATORS_DOC).read_text(encoding="utf-8")
THAI = re.compile(r"[\u0e00-\u0e7f]")
BUILT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("indicator", CATALOGUE, ids=lambda i: i.name)
def test_every_indicator_has_a_thai_and_english_definition_with_its_unit(
    indicator: Indicator,
) -> None:
    assert THAI.search(indicator.definition_th)
    assert "(หน่วย: " in indicator.definition_th  # the unit, said in Thai
    assert not THAI.search(indicator.definition_en.replace("(ชุมชนแออัด)", ""))
    assert indicator.definition_en.endswith(".")


@pytest.mark.parametrize("indicator", CATALOGUE, ids=lambda i: i.name)
def test_docs_indicators_md_says_what_the_catalogue_says(indicator: Indicator) -> None:
    assert f"- `{indicator.name}`: {indicator.definition_th} / {indicator.definition_en}" in DOC
    if indicator in INDICATORS:  # the basis column: tests/test_indicators.py
        row = (
            f"| `{indicator.name}` | {indicator.label_th} | {indicator.label_en} | "
            f"{indicator.unit_en} | {indicator.source_fields} | "
        )
        assert row in DOC


def test_legend_classes_are_contiguous_and_edges_stay_apart() -> None:
    values = pd.Series([0.0, 1.2, 7.41, 8.7, 12.0, 19.5, 24.9, 37.1, 40.5, 93.8], dtype="float64")
    found, _ = classify(values, "fisher_jenks", 5)
    ranges = class_ranges(found, INDICATOR_BY_NAME["need_index"])
    assert ranges[0].startswith("0.0 – ")
    for before, after in itertools.pairwise(ranges):
        # each class starts where the one before ends: no gap a value could fall in
        assert after.startswith(f"> {before.split(' – ')[-1]} – ")
    assert ranges[-1].endswith(" – 93.8")
    # one decimal would show 7.41 and 7.44 as the same edge: the legend takes two
    close, _ = classify(pd.Series([1.0, 7.41, 7.44, 9.0]), "fisher_jenks", 4)
    assert class_ranges(close, INDICATOR_BY_NAME["need_index"]) == [
        "1.00",
        "> 1.00 – 7.41",
        "> 7.41 – 7.44",
        "> 7.44 – 9.00",
    ]
    symmetric, _ = diverging_classes(pd.Series([-60.0, 10.0, 60.0]), 5)
    change = next(indicator for indicator, of in CHANGES if of == "slum_households")
    assert class_ranges(symmetric, change) == [
        "-60 – -36", "-36 – -12", "-12 – 12", "12 – 36", "36 – 60",
    ]  # fmt: skip


def test_labels_go_by_need_then_area() -> None:
    khets = published(
        [
            {"need_index": 10.0, "area_km2": 5.0},
            {"need_index": 80.0, "area_km2": 2.0},
            {"need_index": None, "area_km2": 90.0},
            {"need_index": 10.0, "area_km2": 50.0},
            {"need_index": None, "area_km2": 1.0},
        ]
    )
    assert label_priorities(khets) == [2, 0, 3, 1, 4]


def test_rounds_with_their_survey_dates_newest_first() -> None:
    current = picture_current()
    current["first_survey_date"] = [date(2025, 11, 3), None, date(2025, 12, 1), None]
    current["last_survey_date"] = [date(2026, 1, 10), None, date(2025, 12, 20), None]
    assert round_dates(current) == [
        RoundDates("2568", 2, date(2025, 11, 3), date(2026, 1, 10)),
        RoundDates("bma_registry", 2, None, None),
    ]
    html = about_html(
        current, ("ภาพรวมปัจจุบัน", "current picture"), "2026-12-01 16:30 +07",
        ("ไม่แสดง <k", "not shown <k"), [("../methods.html", "วิธีการ", "methods")],
    )  # fmt: skip
    assert "รอบสำรวจ 2568 2 เขต วันที่สำรวจ: 2025-11-03 – 2026-01-10" in html
    assert "survey round 2568, 2 khets, survey dates: 2025-11-03 – 2026-01-10" in html
    assert "BMA community registry, 2 khets, survey dates: not recorded" in html
    assert "แหล่งข้อมูล · source: ทะเบียนชุมชนของกรุงเทพมหานคร; แบบสำรวจชุมชน" in html
    assert "สร้างเมื่อ · built: 2026-12-01 16:30 +07" in html
    assert "not shown &lt;k" in html
    assert '<a href="../methods.html">วิธีการ · methods</a>' in html


def test_the_methods_page_lists_the_weights_in_force_and_renders_the_method_safely() -> None:
    weights = (("slum_households_per_km2", 3.0), ("slum_households", 1.0))
    page = methods_page(
        "# Method\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n",
        weights, CATALOGUE, picture_current(), "2026-12-01", "index.html",
    )  # fmt: skip
    assert "ค่าจากรอบสำรวจ 2568 (2 เขต) และ ทะเบียนชุมชน กทม. (2 เขต)" in page
    assert "แหล่งข้อมูล · source: ทะเบียนชุมชนของกรุงเทพมหานคร; แบบสำรวจชุมชน" in page
    assert "สร้างเมื่อ · built: 2026-12-01" in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<h1>Method</h1>" in page
    assert "<td>1</td>" in page  # tables are rendered
    assert re.search(r"Slum households per km².*?>3</td>\s*<td class=\"n\">75%", page, re.S)
    assert re.search(r"Slum households</span>.*?>1</td>\s*<td class=\"n\">25%", page, re.S)
    for indicator in CATALOGUE:
        assert indicator.definition_en.replace("'", "&#39;") in page
    assert "<h2>Need index and rank</h2>" in render_markdown(DOC)


def test_every_page_states_definition_rounds_source_build_date_privacy_and_methods() -> None:
    options = MapOptions(need_weights=(("slum_households", 1.0),))
    files = map_files(multi_round_picture(), options, BUILT, METHODS)
    methods = files[METHODS_PAGE]
    assert isinstance(methods, str)
    assert "Need index weights in force" in methods
    assert re.search(r"<code>slum_households</code></td>\s*<td class=\"n\">1</td>", methods)
    pages = {name: text for name, text in files.items() if name.endswith(".html")}
    maps = [
        name
        for name in pages
        if not name.endswith("index.html") and name != METHODS_PAGE and not name.startswith("khet/")
    ]
    assert len(maps) > 10
    profiles = [name for name in pages if name.startswith("khet/")]
    assert len(profiles) == 4
    for name in profiles:  # a profile is a page of its own (a table, no map): it says the same
        profile = str(pages[name])
        assert "รอบสำรวจ · rounds:" in profile, name
        assert "source: the city-wide housing survey" in profile, name
        assert "สร้างเมื่อ · built 2026-12-01 09:30 UTC" in profile, name
        assert "Values built from fewer than 3 communities, or from fewer than 10" in profile, name
        assert '<a href="../methods.html">' in profile, name
    for name in maps:
        html = pages[name]
        assert isinstance(html, str)
        up = "../" * name.count("/")
        assert 'class="cw-definition"' in html, name
        assert "รอบสำรวจ · round(s):" in html, name
        assert "แหล่งข้อมูล · source:" in html, name
        assert "สร้างเมื่อ · built: 2026-12-01 09:30 UTC" in html, name
        assert "Values built from fewer than 3 communities, or from fewer than 10" in html, name
        assert f'<a href="{up}methods.html">' in html, name
        assert len(html.encode()) <= 1_000_000, name
    need = pages["need_index.html"]
    assert isinstance(need, str)
    assert INDICATOR_BY_NAME["need_index"].definition_en.replace("'", "&#39;") in need
    composite = pages[COMPOSITE_PAGE]
    assert isinstance(composite, str)
    assert composite.count('"definition":') == composite.count('"legend":') > 1
    for index in (name for name in pages if name.endswith("index.html")):
        assert 'methods.html">' in pages[index], index
