"""Published khet_need rows of one round over a few square khets, as the maps receive them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import pytest
import shapely

from citywide.indicators import INDICATORS

REASON_TH = "ไม่แสดงค่าที่คำนวณจากชุมชนน้อยกว่า 3 แห่ง (คุ้มครองข้อมูลส่วนบุคคล)"
REASON_EN = "values built from fewer than 3 communities are not shown (privacy)"


def published(rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    """One khet per row, side by side near Bangkok; unset indicators are NULL (no data)."""
    records = []
    for i, row in enumerate(rows):
        hidden = list(row.pop("hidden", []))
        record: dict[str, Any] = {
            "survey_round": "2026",
            "khet_code": f"10{i + 1:02d}",
            "name_th": f"ทดสอบ{i + 1}",
            "name_en": f"Test {i + 1}",
            "area_km2": 30.0,
            "need_rank": None,
            **{indicator.name: None for indicator in INDICATORS},
            "suppressed_indicators": hidden,
            "suppressed_reason_th": REASON_TH if hidden else None,
            "suppressed_reason_en": REASON_EN if hidden else None,
        }
        record.update(row)
        records.append(record)
    squares = [
        shapely.box(100.5 + 0.05 * i, 13.7, 100.55 + 0.05 * i, 13.75) for i in range(len(rows))
    ]
    return gpd.GeoDataFrame(records, geometry=squares, crs="EPSG:4326")


@pytest.fixture
def khets() -> Callable[[list[dict[str, Any]]], gpd.GeoDataFrame]:
    return published


# Addresses inside Leaflet's own code (an XML namespace, bug references in comments, the
# attribution link): text, never loaded. Any other address in a page fails the tests.
LEAFLET_TEXT_ADDRESSES = {
    "http://www.w3.org/2000/svg",
    "https://bugs.chromium.org/p/chromium/issues/detail?id=600120",
    "https://bugzilla.mozilla.org/show_bug.cgi?id=888319",
    "https://leafletjs.com",
}
_ADDRESS = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[a-z]{2,}[^\s\"'<>)]*")


def foreign_addresses(html: str) -> set[str]:
    """Web addresses in a page other than the ones in Leaflet's own text."""
    return set(_ADDRESS.findall(html)) - LEAFLET_TEXT_ADDRESSES
