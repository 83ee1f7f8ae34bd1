"""Class breaks, colours, tooltips, legends and web geometry of the choropleth layers."""

from __future__ import annotations

import numpy
import pandas as pd
import pytest
import shapely

from citywide.indicators import INDICATOR_BY_NAME, SuppressionRule
from citywide.mapping.layers import (
    NO_DATA_EN,
    NOT_SURVEYED_COLOUR,
    PALETTE,
    SUPPRESSED_COLOUR,
    choropleth_layer,
    classify,
    feature_collection,
    label_points,
    sources_note,
    web_geometry,
)
from tests.mapping.conftest import published

RULE = SuppressionRule()  # the settings' default: 3 communities, 10 households

YLORRD_5 = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")


def test_fisher_jenks_finds_the_natural_groups() -> None:
    values = pd.Series([1, 2, 3, 50, 51, 52, 200, 201, None], dtype="float64")
    found, position = classify(values, "fisher_jenks", 3)
    # contiguous: each class starts at the top of the one before
    assert (found.lows, found.highs, found.counts) == ((1, 3, 52), (3, 52, 201), (3, 3, 2))
    assert position.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, -1]
    assert found.colours == ("#ffeda0", "#feb24c", "#f03b20")
    assert PALETTE == "YlOrRd"


def test_quantiles_put_equal_shares_of_khets_in_each_class() -> None:
    values = pd.Series(numpy.arange(1, 21), dtype="float64")
    found, _ = classify(values, "quantiles", 4)
    assert found.counts == (5, 5, 5, 5)
    assert (found.lows[0], found.highs[-1]) == (1, 20)
    assert len(found.colours) == len(set(found.colours)) == 4


@pytest.mark.parametrize("method", ["fisher_jenks", "quantiles"])
def test_fewer_distinct_values_than_classes_make_fewer_classes(method: str) -> None:
    values = pd.Series([0, 0, 0, 0, 0, 0, 0, 4, 4, 9], dtype="float64")
    found, position = classify(values, method, 5)  # type: ignore[arg-type]
    assert sum(found.counts) == 10
    assert len(found) <= 3
    assert found.lows[0] == 0
    assert found.highs[-1] == 9
    assert position.min() == 0
    assert position.max() == len(found) - 1


def test_one_value_everywhere_is_one_class_and_no_values_no_class() -> None:
    found, position = classify(pd.Series([7.0, 7.0]), "fisher_jenks", 5)
    assert (len(found), found.counts, position.tolist()) == (1, (2,), [0, 0])
    empty, position = classify(pd.Series([None, None], dtype="float64"), "fisher_jenks", 5)
    assert (len(empty), position.tolist()) == (0, [-1, -1])


def test_five_classes_use_colorbrewer_ylorrd() -> None:
    found, _ = classify(pd.Series(numpy.arange(100), dtype="float64"), "fisher_jenks", 5)
    assert found.colours == YLORRD_5


def test_tooltips_show_value_unit_rank_or_why_there_is_none() -> None:
    khets = published(
        [
            {"slum_households": 1200},
            {"slum_households": 300},
            {"slum_households": None, "hidden": ["slum_households"]},
            {"slum_households": None},
        ]
    )
    layer = choropleth_layer(khets, INDICATOR_BY_NAME["slum_households"], "fisher_jenks", 5, RULE)
    assert layer.tooltips[0] == (
        "<b>เขตทดสอบ1</b> · Test 1<br>"
        "ครัวเรือนในชุมชนแออัด · Slum households: <b>1,200</b> ครัวเรือน · households<br>"
        "อันดับ 1 จาก 2 · rank 1 of 2<br>"
        "ค่าจากรอบสำรวจ 2026 · values from survey round 2026"
    )
    assert "rank 2 of 2" in layer.tooltips[1]
    # named as what it is, in the tooltip and in the legend (the rule's default: 3 communities)
    assert "Slum households: <i>น้อยกว่า 3 ชุมชน · fewer than 3 communities</i>" in (layer.tooltips[2])
    assert "not shown, to protect privacy" in layer.tooltips[2]
    assert "ไม่มีข้อมูล · no data" in layer.tooltips[3]
    assert layer.fills[2] == SUPPRESSED_COLOUR  # suppressed has its own style, not "no data"
    assert layer.fills[3] is None
    assert layer.fills[0] != layer.fills[1]
    assert f"{NO_DATA_EN} <small>(1 เขต · khets)" in layer.legend_html
    assert "น้อยกว่า 3 ชุมชน · fewer than 3 communities <small>(1 เขต · khets)" in (layer.legend_html)
    assert "ครัวเรือน · households" in layer.legend_html
    assert (
        "ค่าจากรอบสำรวจ 2026 (4 เขต) · values from survey round 2026 (4 khets)" in layer.legend_html
    )


def test_need_index_tooltip_uses_the_official_rank_and_decimals() -> None:
    khets = published([{"need_index": 93.814, "need_rank": 1}, {"need_index": 0.0, "need_rank": 2}])
    layer = choropleth_layer(khets, INDICATOR_BY_NAME["need_index"], "fisher_jenks", 5, RULE)
    assert "<b>93.8</b> 0-100<br>อันดับ 1 จาก 2 · rank 1 of 2" in layer.tooltips[0]


def test_every_text_is_escaped() -> None:
    hostile = "<script>window.__pwned=1</script>"
    khets = published(
        [{"name_th": hostile, "name_en": '<img src=x onerror="x()">', "communities": 4}]
    )
    layer = choropleth_layer(khets, INDICATOR_BY_NAME["communities"], "fisher_jenks", 5, RULE)
    (label,) = label_points(khets)
    for html in (layer.tooltips[0], str(label["html"])):
        assert "<script>" not in html
        assert "<img" not in html
        assert "&lt;script&gt;" in html


def test_web_geometry_keeps_shared_borders_shared() -> None:
    # two khets sharing a wiggly border of 400 vertices, as surveyed outlines do
    y = numpy.linspace(13.70, 13.80, 400)
    x = 100.50 + 0.0004 * numpy.sin(y * 900)
    border = list(zip(x, y, strict=True))
    west = shapely.Polygon([(100.40, 13.70), *border, (100.40, 13.80)])
    east = shapely.Polygon([(100.60, 13.70), *border, (100.60, 13.80)])
    khets = published([{}, {}]).set_geometry([west, east], crs="EPSG:4326")
    simple = web_geometry(khets, tolerance_m=30)
    geoms = simple.geometry.to_numpy()
    assert (
        shapely.get_num_coordinates(geoms).sum()
        < shapely.get_num_coordinates(khets.geometry.to_numpy()).sum() / 2
    )
    assert bool(shapely.coverage_is_valid(geoms))
    union = shapely.union_all(geoms)
    assert union.geom_type == "Polygon"
    assert len(union.interiors) == 0  # no gap
    assert shapely.area(geoms).sum() == pytest.approx(union.area, rel=1e-9)  # no overlap
    assert union.area == pytest.approx(shapely.union_all([west, east]).area, rel=1e-3)
    coordinates = shapely.get_coordinates(geoms)
    assert numpy.array_equal(coordinates, numpy.round(coordinates, 5))
    collection = feature_collection(simple)
    assert [f["properties"] for f in collection["features"]] == [{"i": 0}, {"i": 1}]


def test_a_khet_the_round_did_not_cover_is_not_surveyed_not_no_data_nor_suppressed() -> None:
    khets = published(
        [
            {"need_index": 80.0, "need_rank": 1, "coverage_status": "complete"},
            {"need_index": 20.0, "need_rank": 2, "coverage_status": "partial"},
            {"need_index": None, "coverage_status": "not_returned"},
            {"need_index": None, "coverage_status": "not_returned"},
        ]
    )
    layer = choropleth_layer(khets, INDICATOR_BY_NAME["need_index"], "fisher_jenks", 5, RULE)
    assert layer.fills[2] == layer.fills[3] == NOT_SURVEYED_COLOUR
    assert None not in layer.fills
    assert "ยังไม่ได้สำรวจ · not surveyed" in layer.tooltips[2]
    assert "อันดับ 2 จาก 2 เขตที่สำรวจ · rank 2 of 2 surveyed" in layer.tooltips[1]
    assert "not surveyed <small>(2 เขต · khets)</small>" in layer.legend_html
    assert "no data for this field <small>(0 เขต · khets)</small>" in layer.legend_html


def test_the_current_picture_says_which_round_each_value_comes_from() -> None:
    khets = published(
        [
            {"survey_round": "2568", "round_order": 2, "households": 10},
            {"survey_round": "bma_registry", "round_order": 1, "households": 20},
            {"survey_round": "bma_registry", "round_order": 1, "households": 30},
        ]
    )
    assert sources_note(khets) == (
        "ค่าจากรอบสำรวจ 2568 (1 เขต) และ ทะเบียนชุมชน กทม. (2 เขต) · "
        "values from survey round 2568 (1 khets) and BMA community registry (2 khets)"
    )
    layer = choropleth_layer(khets, INDICATOR_BY_NAME["households"], "fisher_jenks", 5, RULE)
    assert "values from BMA community registry" in layer.tooltips[1]
    assert "values from survey round 2568" in layer.tooltips[0]
