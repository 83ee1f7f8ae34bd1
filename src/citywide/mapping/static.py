"""A static map of a choropleth layer for reports and print: A4 landscape, 300 dpi, PNG.

matplotlib draws the khets with the same classes and colours as the web map, and around them
what a printed page must say by itself: the title, the scope (current picture or one round), a
legend with every class and the three states the web map has (no data, suppressed, not
surveyed), where the values come from, when the map was built and the privacy rule.

Khet labels (Thai name, English beneath in smaller type) are placed by priority, the highest
value of the layer first, and a label whose box would touch one already placed (or the legend,
title or notes) is left out: the inner-city khets are too small to name every one at A4, and a
missing label is better than an unreadable pile. :func:`draw_layer` returns the figure with the
placed labels, so a test can measure them; :func:`layer_png` renders it.

With matplotlib 3.11 the Thai vowels and tone marks stack correctly (checked by eye). The Thai
font comes from a system package (Debian ``fonts-thai-tlwg``, or Noto Sans Thai from
``fonts-noto-core``), never from this repository; without one the PNG is refused with the
package to install.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
from matplotlib import font_manager, patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.transforms import Bbox, BboxBase
from PIL import Image

from citywide.errors import PublishError
from citywide.mapping.layers import (
    METHOD_NAMES,
    METRIC_CRS,
    NO_DATA_COLOUR,
    NO_DATA_EN,
    NO_DATA_TH,
    NOT_SURVEYED_COLOUR,
    NOT_SURVEYED_EN,
    NOT_SURVEYED_TH,
    SUPPRESSED_COLOUR,
    Layer,
    class_ranges,
    layer_values,
    unit_label,
)
from citywide.sources import KHET_BOUNDARIES, KHET_POPULATION

# Font files in order of preference: Garuda/Loma (fonts-thai-tlwg), then Noto Sans Thai.
THAI_FONT_FILES = ("Garuda.ttf", "Garuda.otf", "Loma.ttf", "Loma.otf", "NotoSansThai-Regular.ttf")
# ISO 216 A4, landscape, in inches; printed at 300 dots per inch.
A4_LANDSCAPE_IN = (297 / 25.4, 210 / 25.4)
PRINT_DPI = 300
# Where things sit on the page, as fractions of it: the title across the top, the map on the
# left, the legend and below it the notes in the right-hand column (the map never reaches it).
_MAP_BOX = (0.01, 0.02, 0.71, 0.83)  # left, bottom, width, height
_LEGEND_AT = (0.73, 0.875)  # its upper left corner
_NOTES_AT = (0.735, 0.02)  # the notes' lower left corner
_NOTES_WIDTH = 62  # characters a notes line holds at the notes' size
_LABEL_GAP_PX = 6  # labels keep this far apart (the white halo is drawn outside the glyphs)
_LABEL_TH_PT = 6.0
_LABEL_EN_PT = 4.5
_HALO = [patheffects.withStroke(linewidth=1.6, foreground="white")]
# The reference sources every khet map is drawn from (the values' own rounds are named too).
REFERENCE_SOURCES = (KHET_BOUNDARIES, KHET_POPULATION)


@dataclass(frozen=True)
class PrintNotes:
    """What a printed map says besides the map: title, scope, sources, build date, privacy."""

    title_th: str
    title_en: str
    scope_th: str  # e.g. "ภาพรวมปัจจุบัน", or the round's name
    scope_en: str
    sources: str  # which rounds the values come from (layers.sources_note)
    built_at: str
    privacy_th: str
    privacy_en: str

    def lines(self) -> list[str]:
        """The notes beside the map, Thai first, each wrapped to the column's width."""
        reference = "; ".join(source.title for source in REFERENCE_SOURCES)
        texts = [
            f"รอบสำรวจ · Round(s): {self.sources}",
            f"ที่มาอ้างอิง · Reference sources: {reference}",
            f"สร้างเมื่อ · Built: {self.built_at}",
            self.privacy_th,
            self.privacy_en,
        ]
        return [line for text in texts for line in textwrap.wrap(text, _NOTES_WIDTH)]


@dataclass(frozen=True)
class KhetLabel:
    """A khet's label as drawn: its Thai and English texts (two artists, one box)."""

    khet_code: str
    thai: Text
    english: Text

    def box(self, renderer: RendererBase) -> Bbox:
        """Both lines' extent on the page in pixels, with the gap labels keep around them."""
        union = Bbox.union(
            [self.thai.get_window_extent(renderer), self.english.get_window_extent(renderer)]
        )
        return union.padded(_LABEL_GAP_PX / 2)


@dataclass(frozen=True)
class Drawing:
    """The drawn page: the figure, the labels placed, the khets left unlabelled, and the
    page's other texts (title, legend, notes) that no label may cover."""

    figure: Figure
    map_axes: Axes
    labels: tuple[KhetLabel, ...]
    unlabelled: tuple[str, ...]  # khet codes, in priority order
    furniture: tuple[Artist, ...]  # the title and notes texts and the legend


@cache
def thai_font() -> Path:
    """The first Thai font file installed on this machine (PublishError when there is none)."""
    installed = {Path(path).name: Path(path) for path in font_manager.findSystemFonts()}
    for name in THAI_FONT_FILES:
        if name in installed:
            return installed[name]
    raise PublishError(
        "no Thai font is installed, so the PNG map cannot show Thai text",
        expected=f"one of the font files {', '.join(THAI_FONT_FILES)}",
        found=f"{len(installed)} system fonts, none of them Thai",
        where="the system font folders (fontconfig)",
        fix="install a Thai font: sudo apt-get install fonts-thai-tlwg (or: make system-deps)",
    )


def layer_png(khets: gpd.GeoDataFrame, layer: Layer, notes: PrintNotes) -> bytes:
    """The printed page of the layer (:func:`draw_layer`) as PNG bytes: A4 landscape at 300 dpi.

    The page has a few dozen colours; it is stored as a palette PNG (a tenth of the size of the
    full-colour one, the same to the eye).
    """
    drawing = draw_layer(khets, layer, notes)
    rendered = io.BytesIO()
    drawing.figure.savefig(rendered, format="png", dpi=PRINT_DPI, metadata={"Software": None})
    rendered.seek(0)
    with Image.open(rendered) as image:
        paletted = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    stored = io.BytesIO()
    paletted.save(stored, format="PNG", dpi=(PRINT_DPI, PRINT_DPI), optimize=True)
    return stored.getvalue()


def draw_layer(khets: gpd.GeoDataFrame, layer: Layer, notes: PrintNotes) -> Drawing:
    """The layer's khets in their class colours on an A4 landscape page with its legend, title,
    notes and the labels that fit (see the module's docstring)."""
    figure = Figure(figsize=A4_LANDSCAPE_IN, dpi=PRINT_DPI)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_axes(_MAP_BOX)
    metric = khets.to_crs(METRIC_CRS)
    _draw_khets(axes, metric, layer)
    axes.set_axis_off()
    axes.set_aspect("equal")
    axes.set_anchor("C")
    furniture: list[Artist] = [*_titles(figure, layer, notes), _legend(figure, layer)]
    furniture.append(
        figure.text(
            *_NOTES_AT, "\n".join(notes.lines()), ha="left", va="bottom",
            fontproperties=_sized(6.5), color="#333", linespacing=1.15,
        )
    )  # fmt: skip
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    figure.draw(renderer)  # fixes the axes' aspect and the legend's place before measuring
    taken = [artist.get_window_extent(renderer) for artist in furniture]
    placed, unlabelled = _place_labels(axes, metric, layer, renderer, taken)
    return Drawing(figure, axes, tuple(placed), tuple(unlabelled), tuple(furniture))


def _draw_khets(axes: Axes, metric: gpd.GeoDataFrame, layer: Layer) -> None:
    colours = [NO_DATA_COLOUR if fill is None else fill for fill in layer.fills]
    hatches = ["///" if fill is None else "" for fill in layer.fills]
    for hatch in sorted(set(hatches)):
        chosen = [h == hatch for h in hatches]
        metric[chosen].plot(
            ax=axes,
            color=[c for c, keep in zip(colours, chosen, strict=True) if keep],
            edgecolor="#3a3a3a",
            linewidth=0.4,
            hatch=hatch or None,
        )


def _titles(figure: Figure, layer: Layer, notes: PrintNotes) -> list[Text]:
    indicator = layer.indicator
    return [
        figure.text(0.5, 0.99, notes.title_th, ha="center", va="top", fontproperties=_sized(17)),
        figure.text(0.5, 0.927, notes.title_en, ha="center", va="top", fontproperties=_sized(12.5)),
        figure.text(
            0.5, 0.886,
            f"{indicator.label_th} · {indicator.label_en} — {notes.scope_th} · {notes.scope_en}",
            ha="center", va="top", fontproperties=_sized(9.5), color="#333",
        ),
    ]  # fmt: skip


def _legend(figure: Figure, layer: Layer) -> Artist:
    """Every class with its khets, then the three states (no data, suppressed, not surveyed),
    each with its count, as the web map's legend has them."""
    indicator = layer.indicator
    classes = layer.classes
    handles = [
        Patch(facecolor=colour, edgecolor="#555", label=f"{drawn}  ({count} เขต · khets)")
        for drawn, colour, count in zip(
            class_ranges(classes, indicator), classes.colours, classes.counts, strict=True
        )
    ]
    counts = {
        "none": sum(fill is None for fill in layer.fills),
        SUPPRESSED_COLOUR: sum(fill == SUPPRESSED_COLOUR for fill in layer.fills),
        NOT_SURVEYED_COLOUR: sum(fill == NOT_SURVEYED_COLOUR for fill in layer.fills),
    }
    handles += [
        Patch(facecolor=colour, edgecolor="#555", hatch=hatch,
              label=f"{th}\n{en}  ({counts[key]} เขต · khets)")
        for key, colour, hatch, th, en in (
            ("none", NO_DATA_COLOUR, "///", NO_DATA_TH, NO_DATA_EN),
            (SUPPRESSED_COLOUR, SUPPRESSED_COLOUR, None, *layer.suppressed_label),
            (NOT_SURVEYED_COLOUR, NOT_SURVEYED_COLOUR, None, NOT_SURVEYED_TH, NOT_SURVEYED_EN),
        )
    ]  # fmt: skip
    method_th, method_en = METHOD_NAMES[classes.method]
    return figure.legend(
        handles=handles,
        title=f"{indicator.label_th}\n{indicator.label_en}\nหน่วย · unit: {unit_label(indicator)}\n"
        f"{method_th}\n{method_en}",
        loc="upper left",
        bbox_to_anchor=_LEGEND_AT,
        bbox_transform=figure.transFigure,
        prop=_sized(8),
        title_fontproperties=_sized(8.5),
        alignment="left",
        frameon=True,
        framealpha=1.0,
        edgecolor="#999",
        handlelength=2.2,
        handleheight=1.2,
        labelspacing=0.45,
    )


def label_priority(khets: gpd.GeoDataFrame, layer: Layer) -> list[int]:
    """Positions of the khets in labelling order: the layer's highest value first, then the
    khets without a value, larger khets before smaller among equals."""
    values = layer_values(khets, layer.indicator.name).fillna(-math.inf).tolist()
    area = pd.to_numeric(khets["area_km2"], errors="coerce").fillna(0.0).tolist()
    return sorted(range(len(khets)), key=lambda i: (-values[i], -area[i], i))


def _place_labels(
    axes: Axes,
    metric: gpd.GeoDataFrame,
    layer: Layer,
    renderer: RendererBase,
    taken: list[Bbox],
) -> tuple[list[KhetLabel], list[str]]:
    """Each khet's label where it fits, in priority order; the others are removed."""
    points = metric.geometry.representative_point()
    page = axes.figure.bbox if axes.figure is not None else None
    placed: list[KhetLabel] = []
    unlabelled: list[str] = []
    for i in label_priority(metric, layer):
        row = metric.iloc[i]
        point = points.iloc[i]
        label = KhetLabel(
            khet_code=str(row["khet_code"]),
            thai=_label_text(axes, str(row["name_th"]), (point.x, point.y), 0.6, "bottom",
                             _LABEL_TH_PT),
            english=_label_text(axes, str(row["name_en"]), (point.x, point.y), -0.4, "top",
                                _LABEL_EN_PT),
        )  # fmt: skip
        box = label.box(renderer)
        inside = page is None or _contains(page, box)
        if inside and not any(box.overlaps(other) for other in taken):
            placed.append(label)
            taken.append(box)
        else:
            label.thai.remove()
            label.english.remove()
            unlabelled.append(label.khet_code)
    return placed, unlabelled


def _label_text(
    axes: Axes, text: str, at: tuple[float, float], offset_pt: float, va: str, size: float
) -> Text:
    return axes.annotate(
        text, at, xytext=(0, offset_pt), textcoords="offset points", ha="center", va=va,
        fontproperties=_sized(size), color="#111", path_effects=_HALO, annotation_clip=False,
    )  # fmt: skip


def _contains(outer: BboxBase, inner: BboxBase) -> bool:
    return bool(
        outer.x0 <= inner.x0
        and inner.x1 <= outer.x1
        and outer.y0 <= inner.y0
        and inner.y1 <= outer.y1
    )


def _sized(size: float) -> FontProperties:
    return FontProperties(fname=thai_font(), size=size)
