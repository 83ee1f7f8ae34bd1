"""The geography's tables: khet and khwaeng outlines, their reference sources, the grid lookup."""

from __future__ import annotations

from citywide.table_spec import GEOMETRY_4326, Column, TableSpec

KHET = TableSpec(
    name="khet",
    meaning="Bangkok's 50 khets (districts) with official names, area and registered population.",
    columns=(
        Column(
            "khet_code",
            "VARCHAR",
            "DOPA code, '1001'..'1050'",
            check="regexp_full_match(khet_code, '10[0-5][0-9]')",
        ),
        Column("name_th", "VARCHAR", "Official Thai name, without the prefix เขต"),
        Column("name_en", "VARCHAR", "Official English (RTGS) name"),
        Column("area_km2", "DOUBLE", "Area in km2, computed in EPSG:32647", check="area_km2 > 0"),
        Column(
            "population",
            "BIGINT",
            "Registered population (khet_population source)",
            check="population >= 0",
        ),
        Column("geom", GEOMETRY_4326, "Boundary, (Multi)Polygon in EPSG:4326"),
    ),
    primary_key=("khet_code",),
)

KHWAENG = TableSpec(
    name="khwaeng",
    meaning="Bangkok's 180 khwaeng (sub-districts), each clipped to its khet.",
    columns=(
        Column(
            "khwaeng_code",
            "VARCHAR",
            "DOPA code, 6 digits: khet code + 2",
            check="regexp_full_match(khwaeng_code, '10[0-5][0-9][0-9]{2}')",
        ),
        Column(
            "khet_code",
            "VARCHAR",
            "The khet it lies in (khet.khet_code)",
            check="khet_code = left(khwaeng_code, 4)",
        ),
        Column("name_th", "VARCHAR", "Thai name (geothai), without the prefix แขวง"),
        Column("name_en", "VARCHAR", "English name (geothai)"),
        Column(
            "area_km2",
            "DOUBLE",
            "Area in km2 of the clipped polygon, computed in EPSG:32647",
            check="area_km2 > 0",
        ),
        Column("geom", GEOMETRY_4326, "Boundary clipped to its khet, (Multi)Polygon in EPSG:4326"),
    ),
    primary_key=("khwaeng_code",),
)

REFERENCE_SOURCE = TableSpec(
    name="reference_source",
    meaning="The reference source files the current geography was built from (lineage).",
    columns=(
        Column("source_id", "VARCHAR", "Source registry id, e.g. khet_boundaries"),
        Column("path", "VARCHAR", "File path within the source (same under data/raw/)"),
        Column("origin_url", "VARCHAR", "Public origin of the file, pinned to a commit"),
        Column("sha256", "VARCHAR", "Verified sha256 of the file"),
        Column("loaded_at", "TIMESTAMPTZ", "When the tables built from it were published"),
    ),
    primary_key=("source_id", "path"),
)

# The khet_lookup grid: cells of 0.001 deg (~110 m), 94% inside one khet. Here, not in geography.py,
# so that staging a return (citywide check) does not import geopandas for a number.
LOOKUP_CELLS_PER_DEGREE = 1000

KHET_LOOKUP = TableSpec(
    name="khet_lookup",
    meaning=(
        "Internal: khet polygons cut on a grid of 0.001 degree cells (~110 m), so that "
        "point-in-khet is an equi-join on the cell; only in the 6% of cells shared by several "
        "khets is a point tested against small pieces instead of 81,000-vertex polygons. "
        "Not for publication."
    ),
    columns=(
        Column("cell_x", "INTEGER", "floor(longitude x 1000) of the cell"),
        Column("cell_y", "INTEGER", "floor(latitude x 1000) of the cell"),
        Column("khet_code", "VARCHAR", "The khet the piece belongs to"),
        Column("covers_cell", "BOOLEAN", "The khet covers the whole cell: no geometry test needed"),
        Column(
            "geom",
            GEOMETRY_4326,
            "The khet within the cell, enlarged by 1e-7 deg on each side; NULL where it covers it",
            nullable=True,
        ),
    ),
)
