"""Published khet_need rows of one round over a few square khets, as the maps receive them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from citywide.indicators import INDICATORS
from citywide.locations import DOCS_DIR, INDICATORS_DOC
from citywide.mapping.picture import Picture
from citywide.rounds import RoundProgress, round_progress
from tests.coverage_tables import coverage_frames

# The methods page's text, as the write_maps task reads it.
METHODS = (DOCS_DIR / INDICATORS_DOC).read_text(encoding="utf-8")
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


# A synthetic multi-round picture: the registry covered all four khets; survey round 2568 only
# 1001 (complete) and 1003 (partial). The current picture takes those two from 2568, the others
# from the registry.
REGISTRY_ROWS: list[dict[str, Any]] = [
    {"slum_households": households, "slum_communities": 5, "communities": 6,
     "need_index": index, "need_rank": rank}
    for households, index, rank in ((100, 40.0, 2), (300, 90.0, 1), (50, 10.0, 4), (80, 20.0, 3))
]  # fmt: skip
ROUND_2568_ROWS: list[dict[str, Any]] = [
    {"slum_households": 160, "slum_communities": 6, "communities": 7, "need_index": 100.0,
     "need_rank": 1, "coverage_status": "complete", "previous_round": "bma_registry",
     "slum_households_change": 60, "need_index_change": 60.0},
    {"coverage_status": "not_returned"},
    {"slum_households": 20, "slum_communities": 5, "communities": 5, "need_index": 0.0,
     "need_rank": 2, "coverage_status": "partial", "previous_round": "bma_registry",
     "slum_households_change": -30, "need_index_change": -10.0},
    {"coverage_status": "not_returned"},
]  # fmt: skip


def picture_rounds() -> gpd.GeoDataFrame:
    """Both rounds, every khet in each (khet_need_published)."""
    registry = published(
        [{**row, "survey_round": "bma_registry", "round_order": 1, "coverage_status": "complete",
          "surveyed_khets": 4} for row in REGISTRY_ROWS]
    )  # fmt: skip
    district = published(
        [{**row, "survey_round": "2568", "round_order": 2, "surveyed_khets": 2}
         for row in ROUND_2568_ROWS]
    )  # fmt: skip
    return gpd.GeoDataFrame(pd.concat([registry, district], ignore_index=True), crs="EPSG:4326")


def picture_current() -> gpd.GeoDataFrame:
    """Each khet from its newest surveyed round, index and rank over the combined picture."""
    rounds = picture_rounds()
    newest = rounds[rounds["coverage_status"] != "not_returned"].groupby("khet_code").tail(1)
    current = newest.sort_values("khet_code").reset_index(drop=True)
    current["need_rank"] = current["need_index"].rank(ascending=False, method="min")
    current["need_index_change"] = None
    return gpd.GeoDataFrame(current, geometry="geometry", crs="EPSG:4326")


def picture_progress() -> tuple[RoundProgress, ...]:
    codes = ("1001", "1002", "1003", "1004")
    rounds, coverage = coverage_frames(
        {
            "bma_registry": dict.fromkeys(codes, "complete"),
            "2568": dict(
                zip(codes, ("complete", "not_returned", "partial", "not_returned"), strict=True)
            ),
        }
    )
    return round_progress(rounds, coverage, picture_current())


def picture_khwaeng() -> gpd.GeoDataFrame:
    """Each khet of the current picture as two khwaeng (west, east halves): the west one with
    the khet's values, the east one's need index hidden (too few communities)."""
    rows = []
    for khet in picture_current().itertuples(index=False):
        west, south, east, north = khet.geometry.bounds
        middle = (west + east) / 2
        for half, (left, right) in enumerate(((west, middle), (middle, east)), start=1):
            row = {**khet._asdict(), "khwaeng_code": f"{khet.khet_code}0{half}",
                   "khet_name_th": khet.name_th, "khet_name_en": khet.name_en,
                   "name_th": f"ย่อย{khet.khet_code}{half}", "name_en": f"Sub {khet.khet_code}-{half}",
                   "geometry": shapely.box(left, south, right, north)}  # fmt: skip
            if half == 2 and row["coverage_status"] != "not_returned":
                row |= {"need_index": None, "need_rank": None, "suppressed_indicators": ["need_index"],
                        "suppressed_reason_th": REASON_TH, "suppressed_reason_en": REASON_EN}  # fmt: skip
            rows.append(row)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def multi_round_picture() -> Picture:
    return Picture(picture_current(), picture_rounds(), picture_progress(), picture_khwaeng())
