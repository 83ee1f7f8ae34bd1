"""Boundary and population files -> the ``khet`` and ``khwaeng`` tables.

Readers (``read_*``) only open files. The builders are pure: they take frames and the gazetteer,
check every code and name against the gazetteer, and return frames shaped like the tables in
:mod:`citywide.schema`, with geometries in EPSG:4326 and areas computed in EPSG:32647.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy
import pandas as pd
import shapely

from citywide.errors import GeographyError
from citywide.gazetteer import Gazetteer
from citywide.schema_geography import LOOKUP_CELLS_PER_DEGREE

STORAGE_CRS = "EPSG:4326"
AREA_CRS = "EPSG:32647"  # UTM zone 47N: metres, true areas for Bangkok
KHET_COLUMNS = ["khet_code", "name_th", "name_en", "area_km2", "population", "geom"]
KHWAENG_COLUMNS = ["khwaeng_code", "khet_code", "name_th", "name_en", "area_km2", "geom"]
# The two boundary files come from different surveys, so a khwaeng's edge strays a little over
# its khet's. Beyond this share outside, the khwaeng is taken to be in the wrong khet.
MAX_SHARE_OUTSIDE_KHET = 0.15
# A khwaeng clipped to its khet exactly gets intersection vertices a rounding error (~1e-15 deg)
# either side of the khet's edge, so exact predicates (ST_Within) fail at random. Clipping to the
# khet shrunk by 1e-9 deg (~0.1 mm, a million times the rounding error) makes every khwaeng lie
# strictly inside its khet, for about 70 m2 of area city-wide.
CONTAINMENT_MARGIN_DEG = 1e-9
LOOKUP_CELL_MARGIN_DEG = 1e-7  # ~1 cm: far above the rounding error of floor(lon * 100)


@dataclass(frozen=True)
class CodeCorrection:
    source_code: str
    source_name: str
    correct_code: str
    reason: str


# ---------------------------------------------------------------------------------------------
# Readers: files in, frames out.


def read_khet_boundaries(path: Path) -> gpd.GeoDataFrame:
    """The khet boundary GeoJSON (no crs member: GeoJSON's default WGS84)."""
    frame = gpd.read_file(path, engine="pyogrio")
    return frame.set_crs(STORAGE_CRS) if frame.crs is None else frame


def read_khwaeng_boundaries(path: Path) -> gpd.GeoDataFrame:
    """The khwaeng shapefile (CRS from its .prj)."""
    frame = gpd.read_file(path, engine="pyogrio")
    if frame.crs is None:
        raise GeographyError(
            "the khwaeng shapefile has no coordinate reference system",
            expected=f"a .prj beside {path.name}",
            found="no CRS",
            where=str(path),
            fix="fetch the source again: `citywide sources fetch khwaeng_boundaries`",
        )
    return frame


def read_khet_population(path: Path) -> pd.DataFrame:
    """The khet population CSV (UTF-8 with BOM), codes kept as text."""
    return pd.read_csv(path, encoding="utf-8-sig", dtype={"dcode": "string", "dname": "string"})


def khwaeng_code_corrections() -> list[CodeCorrection]:
    """Declared errata in the khwaeng boundary file's codes (package data)."""
    table = resources.files("citywide.data").joinpath("khwaeng_code_errata.csv")
    with table.open(encoding="utf-8") as handle:
        return [CodeCorrection(**row) for row in csv.DictReader(handle)]


# ---------------------------------------------------------------------------------------------
# Builders: pure transforms.


def build_khet(
    boundaries: gpd.GeoDataFrame,
    population: pd.DataFrame,
    gazetteer: Gazetteer,
    *,
    source: str = "khet boundaries",
) -> gpd.GeoDataFrame:
    """One row per khet: gazetteer names, area, registered population, valid geometry."""
    _require_columns(boundaries, ["dcode", "dname", "dname_e"], source)
    _require_columns(population, ["dcode", "population"], "khet population")
    codes = boundaries["dcode"].astype("string").str.strip()
    _require_names_agree(codes, boundaries["dname"], gazetteer, source, "dname")
    _require_names_agree(codes, boundaries["dname_e"], gazetteer, source, "dname_e")
    _require_exact_codes(codes, gazetteer.khet_codes, source, "dcode")

    people = population.assign(dcode=population["dcode"].astype("string").str.strip())
    if "dname" in people.columns:
        _require_names_agree(
            people["dcode"], people["dname"], gazetteer, "khet population", "dname"
        )
    _require_exact_codes(people["dcode"], gazetteer.khet_codes, "khet population", "dcode")
    counts = pd.to_numeric(people["population"], errors="coerce")
    if counts.isna().any() or (counts < 0).any():
        bad = people.loc[counts.isna() | (counts < 0), "dcode"].tolist()
        raise GeographyError(
            "khet population has missing or negative counts",
            expected="a whole number >= 0 for every khet",
            found=f"bad values for khet codes {bad}",
            where="khet population, column population",
            fix="correct the population file and fetch it again",
        )
    population_by_code = dict(zip(people["dcode"], counts.astype("int64"), strict=True))

    geometry = _valid_polygons(boundaries.geometry.to_crs(STORAGE_CRS))
    names = gazetteer.khets.set_index("khet_code")
    khet = gpd.GeoDataFrame(
        {
            "khet_code": codes.to_numpy(),
            "name_th": names.loc[codes, "name_th"].to_numpy(),
            "name_en": names.loc[codes, "name_en"].to_numpy(),
            "area_km2": geometry.to_crs(AREA_CRS).area.to_numpy() / 1e6,
            "population": codes.map(population_by_code).astype("int64").to_numpy(),
        },
        geometry=geometry.to_numpy(),
        crs=STORAGE_CRS,
    ).rename_geometry("geom")
    return khet.sort_values("khet_code", ignore_index=True)[KHET_COLUMNS]


def build_khwaeng(
    boundaries: gpd.GeoDataFrame,
    khet: gpd.GeoDataFrame,
    gazetteer: Gazetteer,
    corrections: list[CodeCorrection],
    *,
    source: str = "khwaeng boundaries",
) -> gpd.GeoDataFrame:
    """One row per khwaeng, clipped to its khet so that every khwaeng lies inside it."""
    _require_columns(boundaries, ["SUBDISTRIC", "SUBDISTR_1", "DISTRICT_I"], source)
    codes = _apply_corrections(boundaries, corrections)
    khet_codes = boundaries["DISTRICT_I"].astype("string").str.strip()
    wrong_parent = codes.str[:4] != khet_codes
    if wrong_parent.any():
        raise GeographyError(
            "khwaeng codes disagree with their khet codes",
            expected="each SUBDISTRIC to start with its DISTRICT_I",
            found=_listing(boundaries.index[wrong_parent], codes, khet_codes),
            where=f"{source}, columns SUBDISTRIC and DISTRICT_I",
            fix="correct the codes, or declare an erratum in citywide/data/khwaeng_code_errata.csv",
        )
    _require_exact_codes(codes, list(gazetteer.khwaengs["khwaeng_code"]), source, "SUBDISTRIC")

    own = _valid_polygons(boundaries.geometry.to_crs(STORAGE_CRS))
    inner_khet = pd.Series(
        shapely.buffer(
            khet.geometry.to_numpy(), -CONTAINMENT_MARGIN_DEG, join_style="mitre", mitre_limit=5.0
        ),
        index=khet["khet_code"].to_numpy(),
    )
    parent = inner_khet.loc[khet_codes].to_numpy()
    clipped = gpd.GeoSeries(shapely.intersection(own.to_numpy(), parent), crs=STORAGE_CRS)
    own_area = own.to_crs(AREA_CRS).area.to_numpy()
    clipped_area = clipped.to_crs(AREA_CRS).area.to_numpy()
    share_outside = 1 - clipped_area / own_area
    strays = share_outside > MAX_SHARE_OUTSIDE_KHET
    if strays.any():
        raise GeographyError(
            "khwaeng lie largely outside the khet their code names",
            expected=f"at most {MAX_SHARE_OUTSIDE_KHET:.0%} of each khwaeng outside its khet",
            found=", ".join(
                f"{code} ({share:.0%} outside {parent_code})"
                for code, share, parent_code in zip(
                    codes[strays], share_outside[strays], khet_codes[strays], strict=True
                )
            ),
            where=f"{source}, column DISTRICT_I",
            fix="check the khwaeng's khet code in the boundary file",
        )

    clipped = _valid_polygons(clipped)
    names = gazetteer.khwaengs.set_index("khwaeng_code")
    khwaeng = gpd.GeoDataFrame(
        {
            "khwaeng_code": codes.to_numpy(),
            "khet_code": khet_codes.to_numpy(),
            "name_th": names.loc[codes, "name_th"].to_numpy(),
            "name_en": names.loc[codes, "name_en"].to_numpy(),
            "area_km2": clipped_area / 1e6,
        },
        geometry=clipped.to_numpy(),
        crs=STORAGE_CRS,
    ).rename_geometry("geom")
    return khwaeng.sort_values("khwaeng_code", ignore_index=True)[KHWAENG_COLUMNS]


def build_khet_lookup(khet: gpd.GeoDataFrame) -> pd.DataFrame:
    """Khet polygons cut on a grid aligned to whole multiples of 1 / LOOKUP_CELLS_PER_DEGREE.

    A point's cell is ``floor(lon * LOOKUP_CELLS_PER_DEGREE), floor(lat * ...)``: an equi-join,
    not a spatial search. Most cells lie wholly inside one khet (``covers_cell``, no geometry
    stored), so most points need no geometry test at all; in the others the point is tested
    against the few small pieces of the cell. Each cell is enlarged by LOOKUP_CELL_MARGIN_DEG,
    so a point that rounding puts in the cell beside its true one still meets its khet.
    """
    polygons = khet.geometry.to_numpy()
    per_degree = LOOKUP_CELLS_PER_DEGREE
    xmin, ymin, xmax, ymax = shapely.total_bounds(polygons)
    xs, ys = numpy.meshgrid(
        numpy.arange(numpy.floor(xmin * per_degree), numpy.ceil(xmax * per_degree)),
        numpy.arange(numpy.floor(ymin * per_degree), numpy.ceil(ymax * per_degree)),
    )
    cell_x, cell_y = xs.ravel().astype("int32"), ys.ravel().astype("int32")
    margin = LOOKUP_CELL_MARGIN_DEG
    cells = shapely.box(
        cell_x / per_degree - margin,
        cell_y / per_degree - margin,
        (cell_x + 1) / per_degree + margin,
        (cell_y + 1) / per_degree + margin,
    )
    khet_index, cell_index = shapely.STRtree(cells).query(polygons)  # boxes that overlap
    shapely.prepare(polygons)
    meets = shapely.intersects(polygons[khet_index], cells[cell_index])
    khet_index, cell_index = khet_index[meets], cell_index[meets]
    covers = shapely.covers(polygons[khet_index], cells[cell_index])
    pieces = numpy.full(len(khet_index), None, dtype=object)
    pieces[~covers] = shapely.intersection(
        polygons[khet_index[~covers]], cells[cell_index[~covers]]
    )
    # a khet that only touches a cell has no piece in it
    keep = covers | (shapely.area(pieces) > 0)
    partial = ~covers[keep]
    geometry = pieces[keep]
    geometry[partial] = _valid_polygons(
        gpd.GeoSeries(geometry[partial], crs=STORAGE_CRS)
    ).to_numpy()
    return pd.DataFrame(
        {
            "cell_x": cell_x[cell_index[keep]],
            "cell_y": cell_y[cell_index[keep]],
            "khet_code": khet["khet_code"].to_numpy()[khet_index[keep]],
            "covers_cell": covers[keep],
            "geom": geometry,
        }
    ).sort_values(["cell_y", "cell_x", "khet_code"], ignore_index=True)


def build_tables(
    khet_boundaries: Path, khwaeng_boundaries: Path, population: Path, gazetteer: Gazetteer
) -> dict[str, pd.DataFrame]:
    """All geography tables from the three source files, in one call (tests, benchmarks).

    The ``geography`` flow runs the same steps as separate tasks.
    """
    khet = build_khet(
        read_khet_boundaries(khet_boundaries), read_khet_population(population), gazetteer
    )
    khwaeng = build_khwaeng(
        read_khwaeng_boundaries(khwaeng_boundaries), khet, gazetteer, khwaeng_code_corrections()
    )
    return {"khet": khet, "khwaeng": khwaeng, "khet_lookup": build_khet_lookup(khet)}


# ---------------------------------------------------------------------------------------------
# Checks shared by the builders.


def _apply_corrections(
    boundaries: gpd.GeoDataFrame, corrections: list[CodeCorrection]
) -> pd.Series:
    codes: pd.Series = boundaries["SUBDISTRIC"].astype("string").str.strip()
    names = boundaries["SUBDISTR_1"].astype("string").str.strip()
    for fix in corrections:
        codes = codes.mask(
            (codes == fix.source_code) & (names == fix.source_name), fix.correct_code
        )
    return codes


def _require_columns(frame: pd.DataFrame, columns: list[str], source: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise GeographyError(
            f"{source} lacks expected columns",
            expected=f"columns {columns}",
            found=f"columns {list(frame.columns)}",
            where=source,
            fix="check that the source file is the registry's version: `citywide sources fetch`",
        )


def _require_exact_codes(codes: pd.Series, expected: list[str], source: str, column: str) -> None:
    found = list(codes)
    duplicated = sorted({code for code in found if found.count(code) > 1})
    missing = sorted(set(expected) - set(found))
    unknown = sorted(set(found) - set(expected), key=str)
    if duplicated or missing or unknown:
        raise GeographyError(
            f"{source} does not hold each code exactly once",
            expected=f"{len(expected)} codes, {expected[0]}..{expected[-1]}, each once",
            found=f"duplicated {duplicated}, missing {missing}, unknown {unknown}",
            where=f"{source}, column {column}",
            fix="use the registry's version of the file, or correct the codes",
        )


def _require_names_agree(
    codes: pd.Series, names: pd.Series, gazetteer: Gazetteer, source: str, column: str
) -> None:
    resolved = gazetteer.resolve_khets(names)["khet_code"]
    disagree = resolved.astype("string").fillna("?") != codes.astype("string")
    if disagree.any():
        raise GeographyError(
            f"{source}: khet names do not match their codes",
            expected=f"each {column} to name the khet of its code",
            found=_listing(names.index[disagree], codes, names),
            where=f"{source}, column {column}",
            fix="declare a variant spelling in citywide/data/khet_aliases.csv, or fix the file",
        )


def _listing(index: pd.Index, left: pd.Series, right: pd.Series) -> str:
    shown = [f"row {i}: {left.loc[i]} / {right.loc[i]}" for i in index[:10]]
    more = f" (+{len(index) - 10} more)" if len(index) > 10 else ""
    return "; ".join(shown) + more


def _valid_polygons(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """Repair invalid geometries and keep only their polygonal parts, one MultiPolygon each.

    Clipping and repairs can leave lines or points beside the polygons (a shared edge, a
    collapsed ring); those carry no area and are dropped.
    """
    repaired = shapely.make_valid(geometry.to_numpy())
    parts, owners = shapely.get_parts(repaired, return_index=True)
    subparts, within = shapely.get_parts(parts, return_index=True)  # opens nested collections
    owners = owners[within]
    polygonal = shapely.get_type_id(subparts) == shapely.GeometryType.POLYGON
    polygonal &= ~shapely.is_empty(subparts)
    areal = numpy.zeros(len(geometry), dtype=bool)
    areal[owners[polygonal]] = True
    if not areal.all():
        raise GeographyError(
            "boundaries without any area",
            expected="a polygon for every feature",
            found=f"no polygonal area in rows {list(geometry.index[~areal][:10])}",
            where="boundary geometry",
            fix="check the boundary file (or the khet a khwaeng is clipped to)",
        )
    merged = shapely.multipolygons(subparts[polygonal], indices=owners[polygonal])
    return gpd.GeoSeries(merged, index=geometry.index, crs=geometry.crs)
