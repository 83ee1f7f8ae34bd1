"""A tiny synthetic geography: four real khets as adjacent squares, a few real khwaeng each.

Built through citywide.geography's own builders from a gazetteer cut down to these khets, so
the tables have exactly the shapes the real ones have; no ../shared needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from citywide import geography
from citywide.gazetteer import Gazetteer, load_gazetteer


@dataclass(frozen=True)
class TinyKhet:
    code: str
    population: int
    khwaeng_codes: tuple[str, ...]  # strips of the square, west to east


# Real codes (1001 Phra Nakhon, 1002 Dusit, 1003 Nong Chok, 1004 Bang Rak), side by side.
KHETS = (
    TinyKhet("1001", 100_000, ("100101", "100102")),
    TinyKhet("1002", 80_000, ("100201", "100202")),
    TinyKhet("1003", 60_000, ("100301", "100302")),
    TinyKhet("1004", 40_000, ("100401", "100402")),
)
SIDE_DEG = 0.02  # each khet a 0.02 deg square (~2.2 km)
WEST, SOUTH = 100.50, 13.70  # inside Bangkok's box (citywide.ingest.rules LAT_RANGE/LON_RANGE)


def khet_square(index: int) -> shapely.Polygon:
    """The ``index``-th khet's square: khets follow each other eastwards."""
    west = WEST + index * SIDE_DEG
    return shapely.box(west, SOUTH, west + SIDE_DEG, SOUTH + SIDE_DEG)


def point_in(khet_code: str, khwaeng_index: int = 0) -> tuple[float, float]:
    """(lat, lon) in the middle of a khwaeng strip of ``khet_code``."""
    index = next(i for i, khet in enumerate(KHETS) if khet.code == khet_code)
    strips = len(KHETS[index].khwaeng_codes)
    west = WEST + index * SIDE_DEG + (khwaeng_index + 0.5) * SIDE_DEG / strips
    return round(SOUTH + SIDE_DEG / 2, 6), round(west, 6)


def tiny_gazetteer() -> Gazetteer:
    """The real gazetteer cut down to the tiny khets and khwaeng (aliases kept for those)."""
    full = load_gazetteer()
    khet_codes = [khet.code for khet in KHETS]
    khwaeng_codes = [code for khet in KHETS for code in khet.khwaeng_codes]
    khet_aliases = pd.DataFrame({"khet_code": [], "alias": []}, dtype="string")
    khwaeng_aliases = pd.DataFrame({"khwaeng_code": [], "alias": []}, dtype="string")
    return Gazetteer(
        khets=full.khets[full.khets["khet_code"].isin(khet_codes)],
        khwaengs=full.khwaengs[full.khwaengs["khwaeng_code"].isin(khwaeng_codes)],
        khet_aliases=khet_aliases,
        khwaeng_aliases=khwaeng_aliases,
    )


def build_tiny_tables() -> dict[str, pd.DataFrame]:
    """khet, khwaeng and khet_lookup for the tiny geography, from the library's builders."""
    gazetteer = tiny_gazetteer()
    names = gazetteer.khets.set_index("khet_code")
    khet_boundaries = gpd.GeoDataFrame(
        {
            "dcode": [khet.code for khet in KHETS],
            "dname": [names.loc[khet.code, "name_th"] for khet in KHETS],
            "dname_e": [names.loc[khet.code, "name_en"] for khet in KHETS],
        },
        geometry=[khet_square(i) for i in range(len(KHETS))],
        crs=geography.STORAGE_CRS,
    )
    population = pd.DataFrame(
        {
            "dcode": pd.array([khet.code for khet in KHETS], dtype="string"),
            "population": [khet.population for khet in KHETS],
        }
    )
    khet = geography.build_khet(khet_boundaries, population, gazetteer)

    khwaeng_names = gazetteer.khwaengs.set_index("khwaeng_code")
    strips = [
        (code, khet_item.code, _strip(i, j, len(khet_item.khwaeng_codes)))
        for i, khet_item in enumerate(KHETS)
        for j, code in enumerate(khet_item.khwaeng_codes)
    ]
    khwaeng_boundaries = gpd.GeoDataFrame(
        {
            "SUBDISTRIC": [code for code, _, _ in strips],
            "SUBDISTR_1": [khwaeng_names.loc[code, "name_th"] for code, _, _ in strips],
            "DISTRICT_I": [khet_code for _, khet_code, _ in strips],
        },
        geometry=[polygon for _, _, polygon in strips],
        crs=geography.STORAGE_CRS,
    )
    khwaeng = geography.build_khwaeng(khwaeng_boundaries, khet, gazetteer, [])
    return {"khet": khet, "khwaeng": khwaeng, "khet_lookup": geography.build_khet_lookup(khet)}


def _strip(khet_index: int, strip_index: int, strips: int) -> shapely.Polygon:
    west = WEST + khet_index * SIDE_DEG + strip_index * SIDE_DEG / strips
    return shapely.box(west, SOUTH, west + SIDE_DEG / strips, SOUTH + SIDE_DEG)
