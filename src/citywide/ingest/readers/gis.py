"""GIS returns (GeoJSON, GeoPackage, shapefile, FlatGeobuf): each layer with a survey header.

Attributes are read with pyogrio; a feature's location is a point on its geometry and, for a
polygon, its footprint, repaired when invalid (households' geometries are personal: never read).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy
import pandas as pd
import pyogrio
import shapely

from citywide.ingest.columns import Vocabulary
from citywide.ingest.layout import find_layout
from citywide.ingest.readers.table import RawTable, frame_loader, no_header


def read_geo(path: Path, vocab: Vocabulary) -> list[RawTable]:
    tables: list[RawTable] = []
    layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    headers: list[list[str]] = []  # each layer's attribute names, for the no-header error
    for layer in layers:
        # a feature whose geometry GEOS cannot build (a ring of two points) is repaired as far
        # as GEOS can, or read as no geometry: never the whole layer lost (see _locations)
        with warnings.catch_warnings(record=True) as caught:  # GDAL's: kept as the table's notes
            warnings.simplefilter("always")
            frame = pyogrio.read_dataframe(path, layer=layer, on_invalid="fix")
        names = [str(c) for c in frame.columns if c != "geometry"]
        headers.append(names)
        layout = find_layout([names], vocab)
        if layout is None:
            continue
        attributes = pd.DataFrame(
            {name: frame[names[index]].astype("string") for name, index in layout.mapped.items()}
        )
        attributes.insert(0, "source_row", numpy.arange(1, len(frame) + 1, dtype=numpy.int64))
        attributes["first_cell"] = pd.Series(pd.NA, index=frame.index, dtype="string")
        attributes["unclosed_quote"] = False
        has_geometry = frame.geometry is not None and frame.crs is not None
        # a household's geometry is its home: personal, never read
        private = has_geometry and layout.record_kind == "household"
        has_geometry = has_geometry and not private
        if has_geometry:
            attributes = attributes.join(_locations(frame))
        sheet = layer if len(layers) > 1 else None
        table = RawTable(
            path,
            path.suffix.lower().lstrip("."),
            None,
            sheet,
            layout,
            frame_loader(attributes),
            has_geometry,
        )
        if private:
            table.notes.append("household locations (the layer's geometry) not read: personal data")
        table.notes += dict.fromkeys(f"GDAL: {str(w.message).split('.')[0]}" for w in caught)
        tables.append(table)
    if not tables:
        raise no_header(path, None, headers, vocab)
    return tables


_POLYGONAL = [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON]
_GEOMETRY_NAMES = numpy.array(  # by shapely.GeometryType id
    ["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
     "MultiPolygon", "GeometryCollection"]
)  # fmt: skip


def _locations(frame: pd.DataFrame) -> pd.DataFrame:
    """A point per feature (representative point of a footprint) and the footprint itself.

    An invalid geometry is repaired with ``make_valid``; ``geom_issue`` says so (``repaired``).
    A feature without a usable geometry (none, empty, or a polygon whose repair is no polygon,
    such as a ring of two points) has no location and no footprint: ``geom_issue`` names what
    was found, and the row is judged on its other columns (its khet as written).
    """
    original = frame.geometry.to_crs("EPSG:4326").to_numpy()
    missing = shapely.is_missing(original) | shapely.is_empty(original)
    invalid = ~missing & ~shapely.is_valid(original)
    shapes = numpy.where(invalid, shapely.make_valid(original), original)
    was_polygonal = numpy.isin(shapely.get_type_id(original), _POLYGONAL)
    polygonal = numpy.isin(shapely.get_type_id(shapes), _POLYGONAL) & ~shapely.is_empty(shapes)
    unusable = missing | (invalid & was_polygonal & ~polygonal)
    shapes = numpy.where(unusable, None, shapes)
    points = shapely.point_on_surface(shapes)
    footprint = numpy.where(polygonal & ~unusable, shapely.to_wkb(shapes), None)
    kind = shapely.get_type_id(original)
    found = numpy.where(
        kind < 0,
        "none",
        numpy.char.add(
            numpy.where(shapely.is_empty(original), "empty ", "degenerate "),
            _GEOMETRY_NAMES[numpy.maximum(kind, 0)],
        ),
    )
    issue = numpy.full(len(original), None, dtype=object)
    issue[invalid] = "repaired"
    issue[unusable] = found[unusable]
    return pd.DataFrame(
        {
            "geom_lon": pd.Series(shapely.get_x(points), index=frame.index).astype("string"),
            "geom_lat": pd.Series(shapely.get_y(points), index=frame.index).astype("string"),
            "footprint_wkb": pd.Series(footprint, index=frame.index, dtype="object"),
            "geom_issue": pd.Series(issue, index=frame.index, dtype="string"),
        }
    )
