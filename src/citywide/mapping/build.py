"""Every map file of one round, as named contents: indicator pages, the composite, index, PNG.

:func:`map_files` is pure (a GeoDataFrame in, texts and bytes out); the Prefect task writes the
result with :func:`citywide.files.write_files`, each file atomically.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from html import escape
from pathlib import Path

import geopandas as gpd

from citywide.errors import PublishError
from citywide.indicators import INDICATOR_BY_NAME, INDICATORS, Indicator
from citywide.mapping.layers import (
    Layer,
    choropleth_layer,
    feature_collection,
    label_points,
    sources_note,
    unit_label,
    web_geometry,
)
from citywide.mapping.options import MapOptions as MapOptions  # made from the settings there
from citywide.mapping.page import Basemap, index_page, map_page
from citywide.mapping.static import layer_png

INDEX_PAGE = "index.html"
COMPOSITE_PAGE = "all_indicators.html"
PNG = "need_index.png"
TITLE_TH = "ความต้องการด้านที่อยู่อาศัยของชุมชนรายเขต กรุงเทพมหานคร"
TITLE_EN = "Housing need of communities by khet, Bangkok"
# The headline first, then the indicators in their documented order.
MAP_ORDER: tuple[Indicator, ...] = (
    INDICATOR_BY_NAME["need_index"],
    *(i for i in INDICATORS if i.name != "need_index"),
)


def page_name(indicator: Indicator) -> str:
    return f"{indicator.name}.html"


def stale_pages(folder: Path, written: Collection[str]) -> list[Path]:
    """Indicator pages in ``folder`` from an earlier run that this run did not write."""
    return [
        folder / page_name(indicator)
        for indicator in MAP_ORDER
        if page_name(indicator) not in written and (folder / page_name(indicator)).is_file()
    ]


def map_files(
    khets: gpd.GeoDataFrame, options: MapOptions, built_at: datetime
) -> dict[str, str | bytes]:
    """Pages for the indicators with any published value, the composite, index.html and PNG."""
    if len(khets) == 0 or khets["khet_code"].duplicated().any():
        raise PublishError(
            "the maps need one published row per khet",
            expected="one row per khet (khet_need_current_published, or one round's rows)",
            found=f"{len(khets)} rows, {khets['khet_code'].nunique()} khets",
            where="view khet_need_current_published",
            fix="ingest a survey round, then run: citywide publish",
        )
    survey_round = sources_note(khets)
    web = web_geometry(khets, options.simplify_m)
    layers = [
        choropleth_layer(web, indicator, options.classification, options.classes)
        for indicator in MAP_ORDER
    ]
    drawn = [layer for layer in layers if len(layer.classes) > 0]
    if not drawn:
        raise PublishError(
            "there is nothing to map: every indicator is suppressed or without data",
            expected="at least one indicator with a published value",
            found=f"{len(khets)} khets of round {survey_round} with no published value",
            where="view khet_need_published",
            fix="check the round's returns (citywide query) and CITYWIDE_SUPPRESSION_K",
        )
    west, south, east, north = (float(v) for v in web.total_bounds)
    base = Basemap(
        features=feature_collection(web),
        labels=label_points(web),
        bounds=(west, south, east, north),
        tiles=options.tiles,
        subtitle_html=(f'{escape(survey_round)} · <a href="{INDEX_PAGE}">แผนที่ทั้งหมด · all maps</a>'),
    )
    files: dict[str, str | bytes] = {
        page_name(layer.indicator): map_page(
            base, layer.indicator.label_th, layer.indicator.label_en, [layer]
        )
        for layer in drawn
    }
    files[COMPOSITE_PAGE] = map_page(base, "ตัวชี้วัดทั้งหมด", "All indicators", drawn)
    privacy_th, privacy_en = _privacy(options.suppression_k)
    files[PNG] = layer_png(
        khets,
        drawn[0],
        TITLE_TH,
        TITLE_EN,
        f"{privacy_th}\n{privacy_en} Survey round: {survey_round}.",
    )
    files[INDEX_PAGE] = index_page(
        title_th=TITLE_TH,
        title_en=TITLE_EN,
        survey_round=survey_round,
        built_at=built_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
        composite=COMPOSITE_PAGE,
        png=PNG,
        indicators=[_entry(layer) for layer in layers],
        privacy_th=privacy_th,
        privacy_en=privacy_en,
    )
    return files


def _entry(layer: Layer) -> dict[str, str | None]:
    indicator = layer.indicator
    return {
        "label_th": indicator.label_th,
        "label_en": indicator.label_en,
        "unit": unit_label(indicator),
        "page": page_name(indicator) if len(layer.classes) > 0 else None,
    }


def _privacy(k: int) -> tuple[str, str]:
    return (
        f"ค่าที่คำนวณจากชุมชนน้อยกว่า {k} แห่งจะไม่แสดง และแผนที่ไม่แสดงชื่อหรือตำแหน่งของชุมชนใด",
        f"Values built from fewer than {k} communities are not shown; no community's name or "
        "location appears on these maps.",
    )
