"""Choropleth layers as data: web geometry, class breaks, colours and each khet's texts.

Pure functions of the published khet_need of one round (a GeoDataFrame, one row per khet, as
:func:`citywide.exports.published_need` returns it). Every text that will reach a page is
HTML-escaped here, where it is made, so the page only places fragments that are already safe.
"""

from __future__ import annotations

import itertools
import json
import math
import warnings
from dataclasses import dataclass
from html import escape
from typing import Any, Literal

import geopandas as gpd
import numpy
import pandas as pd
import shapely
from branca.utilities import color_brewer

from citywide.indicators import INDICATOR_BY_NAME, Indicator, SuppressionRule
from citywide.mapping.options import Classification
from citywide.rounds import display_name

# ColorBrewer's YlOrRd: sequential, readable by the common colour-vision deficiencies and in
# greyscale print; darker = more need. "Suppressed / no data" is a neutral grey, drawn with a
# dashed outline too, so it never reads as a low value.
PALETTE = "YlOrRd"
NO_DATA_COLOUR = "#bdbdbd"
NO_DATA_TH = "ไม่มีข้อมูล"
NO_DATA_EN = "no data for this field"
# Hidden by the privacy rule: named as what it is ("fewer than 3 communities", from the rule).
SUPPRESSED_COLOUR = "#737373"
# A khet no round has surveyed for this page: white, so it reads as "nothing yet", not a value.
NOT_SURVEYED_COLOUR = "#ffffff"
NOT_SURVEYED_TH = "ยังไม่ได้สำรวจ"
NOT_SURVEYED_EN = "not surveyed"
NOT_RETURNED = "not_returned"
# On a change map, "no data" is a khet with no earlier surveyed round to compare with.
NO_EARLIER_TH = "ไม่มีรอบก่อนหน้าให้เทียบ"
NO_EARLIER_EN = "no earlier round to compare"
# How classes are made: the two settings of map_classification, and the change maps' own.
Method = Classification | Literal["diverging"]
METHOD_NAMES: dict[Method, tuple[str, str]] = {
    "fisher_jenks": ("แบ่งช่วงแบบ Fisher-Jenks", "Fisher-Jenks natural breaks"),
    "quantiles": ("แบ่งช่วงแบบควอนไทล์", "quantile breaks"),
    "diverging": ("ช่วงเท่ากันสมมาตรรอบศูนย์", "equal intervals centred on 0"),
}
# Web maps need metre-scale outlines, not survey-grade ones; UTM 47N measures Bangkok in metres.
METRIC_CRS = "EPSG:32647"
COORDINATE_DECIMALS = 5  # ~1 m at Bangkok's latitude


@dataclass(frozen=True)
class Classes:
    """Colour classes of one indicator's values: the value range and colour of each class."""

    method: Method
    lows: tuple[float, ...]
    highs: tuple[float, ...]
    colours: tuple[str, ...]
    counts: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.colours)


@dataclass(frozen=True)
class Shading:
    """What a map page draws for one layer: its title, definition, legend, each khet's fill and
    tooltip.

    Fills and tooltips are in khet order; a fill of None is "no data" (the page's grey). The
    legend starts with its ``<summary>`` (the page folds it away on a phone).
    """

    title_html: str
    definition_html: str  # one sentence with the unit, Thai then English
    legend_html: str
    fills: tuple[str | None, ...]
    tooltips: tuple[str, ...]


@dataclass(frozen=True)
class Layer(Shading):
    """One indicator ready to draw, with the classes its fills come from."""

    indicator: Indicator
    classes: Classes
    suppressed_label: tuple[str, str]  # what a hidden value is, Thai and English


def web_geometry(khets: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """Khet outlines simplified as one coverage (shared borders stay shared), in EPSG:4326.

    Coordinates are rounded to 5 decimals after simplifying; neighbours hold the same vertices
    on their common border, so rounding moves both alike and opens no gap.
    """
    metric = khets.geometry.to_crs(METRIC_CRS)
    simplified = (
        shapely.coverage_simplify(metric.to_numpy(), tolerance_m)
        if tolerance_m > 0
        else metric.to_numpy()
    )
    geographic = gpd.GeoSeries(simplified, index=khets.index, crs=METRIC_CRS).to_crs("EPSG:4326")
    rounded = shapely.transform(
        geographic.to_numpy(), lambda xy: numpy.round(xy, COORDINATE_DECIMALS)
    )
    return khets.set_geometry(gpd.GeoSeries(rounded, index=khets.index, crs="EPSG:4326"))


def feature_collection(khets: gpd.GeoDataFrame) -> dict[str, Any]:
    """GeoJSON of the outlines with only the khet's position ``i`` as property (no texts)."""
    geometries = [json.loads(text) for text in shapely.to_geojson(khets.geometry.to_numpy())]
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"i": i}, "geometry": geometry}
            for i, geometry in enumerate(geometries)
        ],
    }


def label_points(khets: gpd.GeoDataFrame) -> list[dict[str, object]]:
    """A point inside each khet with its name, Thai above English, escaped, and its priority.

    ``priority`` 0 is placed first: the page places the labels in this order and hides any that
    would overlap one already placed (only the browser knows the text sizes), so the khets of
    greatest need are named first. The order is the need index, largest first, then the area
    (a khet without an index, the larger first); every khet stays named in its tooltip.
    """
    points = shapely.point_on_surface(khets.geometry.to_numpy())
    return [
        {
            "lat": round(float(y), COORDINATE_DECIMALS),
            "lon": round(float(x), COORDINATE_DECIMALS),
            "html": f'<span lang="th">{escape(th)}</span><span lang="en">{escape(en)}</span>',
            "priority": priority,
        }
        for x, y, th, en, priority in zip(
            shapely.get_x(points),
            shapely.get_y(points),
            khets["name_th"],
            khets["name_en"],
            label_priorities(khets),
            strict=True,
        )
    ]


def label_priorities(khets: gpd.GeoDataFrame) -> list[int]:
    """Each khet's place in the labelling order: need index descending, then area descending."""
    need = (
        pd.to_numeric(khets["need_index"], errors="coerce").astype("float64")
        if "need_index" in khets.columns
        else pd.Series(numpy.nan, index=khets.index)
    )
    need = need.where(surveyed(khets))
    area = pd.to_numeric(khets["area_km2"], errors="coerce").astype("float64").fillna(0)
    order = sorted(
        range(len(khets)),
        key=lambda i: (math.isnan(need.iloc[i]), -numpy.nan_to_num(need.iloc[i]), -area.iloc[i]),
    )
    places = [0] * len(khets)
    for place, i in enumerate(order):
        places[i] = place
    return places


def classify(
    values: pd.Series, method: Classification, classes: int
) -> tuple[Classes, numpy.ndarray]:
    """Class breaks from mapclassify; returns the classes and each value's class (-1 = none).

    Fewer classes are made when the values have fewer distinct levels; the legend shows what was
    made, so nothing is hidden by asking for more classes than the data hold.
    """
    present = values.dropna().astype("float64")
    position = numpy.full(len(values), -1)
    if present.empty:
        return Classes(method, (), (), (), ()), position
    # mapclassify brings scipy (~1.7 s to import): loaded when a map is classified, not whenever
    # a flow imports the tasks module.
    import mapclassify

    wanted = min(classes, present.nunique())
    with warnings.catch_warnings():
        # For 50 khets the pure-Python Fisher-Jenks takes milliseconds; numba is not needed.
        warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)
        # Quantiles merge equal cut points (many zero khets) and say so; the legend shows it.
        warnings.filterwarnings("ignore", message="Not enough unique values", category=UserWarning)
        if wanted < 2:
            bins = numpy.array([present.max()])
        elif method == "quantiles":
            bins = mapclassify.Quantiles(present.to_numpy(), k=wanted).bins
        else:
            bins = mapclassify.FisherJenks(present.to_numpy(), k=wanted).bins
    # mapclassify's bins are inclusive upper bounds
    which = numpy.searchsorted(bins, present.to_numpy(), side="left").clip(max=len(bins) - 1)
    kept = numpy.unique(which)  # a class no value falls in is dropped
    which = numpy.searchsorted(kept, which)
    position[values.notna().to_numpy()] = which
    grouped = present.groupby(which)
    colours = _colours(len(kept))
    highs = tuple(float(v) for v in grouped.max())
    return (
        Classes(
            method=method,
            # contiguous: a class runs from above the one before's top (its largest value) to its
            # own largest value, so no value between two classes falls in a gap
            lows=(float(present.min()), *highs[:-1]),
            highs=highs,
            colours=colours,
            counts=tuple(int(v) for v in grouped.size()),
        ),
        position,
    )


def _colours(count: int) -> tuple[str, ...]:
    """``count`` colours of the palette, light to dark (ColorBrewer's series start at 3)."""
    if count >= 3:
        return tuple(color_brewer(PALETTE, count))
    light, _, dark = color_brewer(PALETTE, 3)
    return (dark,) if count == 1 else (light, dark)


def format_value(value: float, indicator: Indicator) -> str:
    """A value as shown in maps: thousands separators, the indicator's decimals."""
    return f"{value:,.{indicator.decimals}f}"


def value_range(low: float, high: float, indicator: Indicator) -> str:
    """A class's span as shown in legends: "12 – 30", or one value when the class holds one."""
    text = format_value(low, indicator)
    return text if high == low else f"{text} – {format_value(high, indicator)}"


MAX_EXTRA_DECIMALS = 2


def legend_decimals(classes: Classes, indicator: Indicator) -> int:
    """The indicator's decimals, or up to two more when fewer would show two class edges alike."""
    edges = [*classes.lows[:1], *classes.highs]
    if classes.lows[:1] == classes.highs[:1]:
        edges = edges[1:]  # a first class of one value: its edge is shown once
    for decimals in range(indicator.decimals, indicator.decimals + MAX_EXTRA_DECIMALS + 1):
        shown = [round(edge, decimals) for edge in edges]
        if all(a < b for a, b in itertools.pairwise(shown)):
            return decimals
    return indicator.decimals + MAX_EXTRA_DECIMALS


def class_ranges(classes: Classes, indicator: Indicator) -> list[str]:
    """Each class's span for the legend, contiguous: "0.0 – 7.4", "> 7.4 – 19.5", ...

    A class after the first starts where the one before ends (the ">" says that edge belongs
    to the class below), so every value has a row; a class of one value shows it once. The
    change maps' equal intervals read "-60 – -36" (the legend notes where an edge value goes).
    """
    decimals = legend_decimals(classes, indicator)

    def shown(value: float) -> str:
        return f"{value:,.{decimals}f}"

    ranges = []
    for place, (low, high) in enumerate(zip(classes.lows, classes.highs, strict=True)):
        if classes.method == "diverging":
            ranges.append(f"{shown(low)} – {shown(high)}")
        elif place == 0:
            ranges.append(shown(low) if low == high else f"{shown(low)} – {shown(high)}")
        else:
            ranges.append(f"> {shown(low)} – {shown(high)}")
    return ranges


def definition_html(indicator: Indicator) -> str:
    """The indicator's one-sentence definition, Thai then English, escaped."""
    return (
        f'<span lang="th">{escape(indicator.definition_th)}</span><br>'
        f'<span lang="en">{escape(indicator.definition_en)}</span>'
    )


def unit_label(indicator: Indicator) -> str:
    """The unit, Thai then English, once when both are the same (%, 0-100). Not escaped."""
    if indicator.unit_th == indicator.unit_en:
        return indicator.unit_th
    return f"{indicator.unit_th} · {indicator.unit_en}"


def _unit(indicator: Indicator) -> str:
    return escape(unit_label(indicator))


def title_html(indicator: Indicator) -> str:
    return f"{escape(indicator.label_th)} · {escape(indicator.label_en)}"


def surveyed(khets: gpd.GeoDataFrame) -> pd.Series:
    """True where the khet's row comes from a round that covered it (coverage_status)."""
    if "coverage_status" not in khets.columns:
        return pd.Series(True, index=khets.index)
    status: pd.Series = khets["coverage_status"].astype("string").fillna(NOT_RETURNED)
    return status != NOT_RETURNED


def choropleth_layer(
    khets: gpd.GeoDataFrame,
    indicator: Indicator,
    method: Classification,
    classes: int,
    rule: SuppressionRule,
) -> Layer:
    """One indicator's layer over the khets (one round, or the current picture of many)."""
    values = layer_values(khets, indicator.name)
    return shaded_layer(khets, indicator, values, classify(values, method, classes), rule)


def layer_values(khets: gpd.GeoDataFrame, column: str) -> pd.Series:
    """A column's values as floats, NaN where the khet was not surveyed or has no value."""
    values: pd.Series = pd.to_numeric(khets[column], errors="coerce").astype("float64")
    return values.where(surveyed(khets))


def shaded_layer(
    khets: gpd.GeoDataFrame,
    indicator: Indicator,
    values: pd.Series,
    classified: tuple[Classes, numpy.ndarray],
    rule: SuppressionRule,
    change_of: str | None = None,
) -> Layer:
    """The layer of classified values: fills, tooltips and legend, each state in its style.

    ``change_of`` makes a change map of that indicator: its suppression hides the change, no
    rank is shown, and a khet without an earlier round to compare is "no data".
    """
    found, position = classified
    covered = surveyed(khets)
    hidden_name = change_of or indicator.name
    suppressed = rule.label(INDICATOR_BY_NAME.get(hidden_name, indicator))
    hidden = khets["suppressed_indicators"].map(lambda names: hidden_name in set(names))
    fills = tuple(
        NOT_SURVEYED_COLOUR
        if not is_covered
        else SUPPRESSED_COLOUR
        if is_hidden
        else (found.colours[p] if p >= 0 else None)
        for p, is_covered, is_hidden in zip(position, covered, hidden, strict=True)
    )
    ranks, ranked = _ranks(khets, values, indicator, covered)
    partial = not bool(covered.all())
    tooltips = tuple(
        _tooltip(
            indicator,
            row,
            value,
            _Rank(rank, ranked, partial),
            suppressed if is_hidden else None,
            is_covered,
            change_of,
        )
        for row, value, rank, is_hidden, is_covered in zip(
            khets.itertuples(index=False), values, ranks, hidden, covered, strict=True
        )
    )
    counts = _Counts(
        no_data=int(((position < 0) & covered & ~hidden).sum()),
        suppressed=int((covered & hidden).sum()),
        not_surveyed=int((~covered).sum()),
        no_data_th=NO_DATA_TH if change_of is None else NO_EARLIER_TH,
        no_data_en=NO_DATA_EN if change_of is None else NO_EARLIER_EN,
    )
    return Layer(
        indicator=indicator,
        title_html=title_html(indicator),
        definition_html=definition_html(indicator),
        legend_html=_legend(indicator, found, counts, khets, suppressed),
        fills=fills,
        tooltips=tooltips,
        classes=found,
        suppressed_label=suppressed,
    )


@dataclass(frozen=True)
class _Rank:
    rank: float
    of: int
    of_surveyed: bool  # "of 8 surveyed" when some khets were not surveyed


@dataclass(frozen=True)
class _Counts:
    no_data: int
    suppressed: int
    not_surveyed: int
    no_data_th: str
    no_data_en: str


def _ranks(
    khets: gpd.GeoDataFrame, values: pd.Series, indicator: Indicator, covered: pd.Series
) -> tuple[pd.Series, int]:
    """Rank 1 = the largest value. The need index uses its official rank among the surveyed."""
    if indicator.name == "need_index":
        return pd.to_numeric(khets["need_rank"], errors="coerce").where(covered), int(covered.sum())
    return values.rank(ascending=False, method="min"), int(values.notna().sum())


def place_words(places: gpd.GeoDataFrame) -> tuple[str, str]:
    """What the rows are, Thai and English: khets, or khwaeng (rows with a khwaeng_code)."""
    return ("แขวง", "khwaeng") if "khwaeng_code" in places.columns else ("เขต", "khets")


def place_line(row: Any) -> str:
    """A tooltip's first line: the khet, or the khwaeng and its khet, Thai first, escaped."""
    if hasattr(row, "khwaeng_code"):
        return (
            f"<b>แขวง{escape(row.name_th)}</b> · {escape(row.name_en)}<br>"
            f"เขต{escape(row.khet_name_th)} · {escape(row.khet_name_en)}"
        )
    return f"<b>เขต{escape(row.name_th)}</b> · {escape(row.name_en)}"


def source_line(survey_round: object) -> str:
    """Which round a khet's value comes from, Thai first, escaped."""
    th, en = display_name(str(survey_round))
    return f"ค่าจาก{escape(th)} · values from {escape(en)}"


def _tooltip(
    indicator: Indicator,
    row: Any,
    value: float,
    rank: _Rank,
    hidden: tuple[str, str] | None,  # what the hidden value is; None when it is shown
    covered: bool,
    change_of: str | None,
) -> str:
    lines = [place_line(row)]
    label = f"{escape(indicator.label_th)} · {escape(indicator.label_en)}"
    if not covered:
        lines.append(f"{label}: <i>{NOT_SURVEYED_TH} · {NOT_SURVEYED_EN}</i>")
        return "<br>".join(lines)
    if hidden is not None:
        lines.append(f"{label}: <i>{escape(hidden[0])} · {escape(hidden[1])}</i>")
        lines.append("ไม่แสดงเพื่อคุ้มครองข้อมูลส่วนบุคคล · not shown, to protect privacy")
    elif math.isnan(value):
        lines.append(
            f"{label}: <i>ไม่มีข้อมูล · no data</i>"
            if change_of is None
            else f"{label}: <i>{NO_EARLIER_TH} · {NO_EARLIER_EN}</i>"
        )
    elif change_of is not None:
        lines.append(f"{label}: <b>{value:+,.{indicator.decimals}f}</b> {_unit(indicator)}")
        th, en = display_name(str(row.previous_round))
        lines.append(f"เทียบกับ{escape(th)} · compared with {escape(en)}")
    else:
        lines.append(f"{label}: <b>{format_value(value, indicator)}</b> {_unit(indicator)}")
        if not pd.isna(rank.rank):
            place = int(rank.rank)
            if rank.of_surveyed:
                word = "แขวง" if hasattr(row, "khwaeng_code") else "เขต"
                lines.append(
                    f"อันดับ {place} จาก {rank.of} {word}ที่สำรวจ · rank {place} of {rank.of} surveyed"
                )
            else:
                lines.append(f"อันดับ {place} จาก {rank.of} · rank {place} of {rank.of}")
    lines.append(source_line(row.survey_round))
    return "<br>".join(lines)


def _legend(
    indicator: Indicator,
    found: Classes,
    counts: _Counts,
    khets: gpd.GeoDataFrame,
    suppressed: tuple[str, str],
) -> str:
    method_th, method_en = METHOD_NAMES[found.method]
    word_th, word_en = place_words(khets)
    rows = [
        f'<summary class="cw-legend-title">{escape(indicator.label_th)}<br>'
        f"<small>{escape(indicator.label_en)}</small></summary>",
        f'<div class="cw-legend-note">หน่วย · unit: {_unit(indicator)}</div>',
    ]
    for span, colour, count in zip(
        class_ranges(found, indicator), found.colours, found.counts, strict=True
    ):
        rows.append(
            f'<div class="cw-legend-row"><i style="background:{escape(colour)}"></i>'
            f"{escape(span)} <small>({count} {word_th} · {word_en})</small></div>"
        )
    for css, colour, th, en, count in (
        ("cw-no-data", NO_DATA_COLOUR, counts.no_data_th, counts.no_data_en, counts.no_data),
        ("cw-suppressed", SUPPRESSED_COLOUR, *suppressed, counts.suppressed),
        (
            "cw-not-surveyed",
            NOT_SURVEYED_COLOUR,
            NOT_SURVEYED_TH,
            NOT_SURVEYED_EN,
            counts.not_surveyed,
        ),
    ):
        rows.append(
            f'<div class="cw-legend-row"><i class="{css}" style="background:{colour}"></i>'
            f"{th} · {en} <small>({count} {word_th} · {word_en})</small></div>"
        )
    rows.append(f'<div class="cw-legend-note">{method_th} · {method_en}</div>')
    if found.method == "diverging":
        rows.append(
            '<div class="cw-legend-note">ค่าที่ตรงขอบช่วงอยู่ในช่วงที่ใกล้ 0 กว่า · '
            "a value on an edge is in the class nearer 0</div>"
        )
    rows.append(f'<div class="cw-legend-note">{escape(sources_note(khets))}</div>')
    return "".join(rows)


def sources_note(khets: gpd.GeoDataFrame) -> str:
    """ "ค่าจากรอบสำรวจ 2568 (8 เขต) และทะเบียนชุมชน กทม. (42 เขต) · values from ..." (not escaped).

    Counts the khets whose row comes from each round, newest round first.
    """
    covered = khets.loc[surveyed(khets)]
    per_round = covered.groupby(covered["survey_round"].astype(str), sort=False).size()
    if "round_order" in covered.columns:
        order = covered.groupby(covered["survey_round"].astype(str))["round_order"].max()
        per_round = per_round.loc[order.sort_values(ascending=False).index]
    names = [(display_name(label), int(count)) for label, count in per_round.items()]
    if not names:
        return f"{NOT_SURVEYED_TH} · {NOT_SURVEYED_EN}"
    word_th, word_en = place_words(khets)
    thai = " และ ".join(f"{th} ({count} {word_th})" for (th, _), count in names)
    english = " and ".join(f"{en} ({count} {word_en})" for (_, en), count in names)
    return f"ค่าจาก{thai} · values from {english}"
