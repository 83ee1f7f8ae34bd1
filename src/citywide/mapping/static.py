"""A static PNG of a choropleth layer, for reports and slides.

matplotlib draws the khets with the same classes and colours as the web map (with matplotlib 3.11
the Thai vowels and tone marks of the real map's texts stack correctly, checked by eye). The Thai
font comes from a system package (Debian ``fonts-thai-tlwg``, or Noto Sans Thai from
``fonts-noto-core``), never from this repository; without one the PNG is refused with the
package to install.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import geopandas as gpd
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch

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
    unit_label,
    value_range,
)

# Font files in order of preference: Garuda/Loma (fonts-thai-tlwg), then Noto Sans Thai.
THAI_FONT_FILES = ("Garuda.ttf", "Garuda.otf", "Loma.ttf", "Loma.otf", "NotoSansThai-Regular.ttf")


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


def layer_png(
    khets: gpd.GeoDataFrame, layer: Layer, title_th: str, title_en: str, note: str
) -> bytes:
    """The layer's khets in their class colours, with labels, legend and titles, as PNG bytes."""
    figure = Figure(figsize=(11.7, 8.3), dpi=150, layout="constrained")  # A4 landscape
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    metric = khets.to_crs(METRIC_CRS)
    colours = [NO_DATA_COLOUR if fill is None else fill for fill in layer.fills]
    hatches = ["///" if fill is None else "" for fill in layer.fills]
    for hatch in sorted(set(hatches)):
        chosen = [h == hatch for h in hatches]
        metric[chosen].plot(
            ax=axes,
            color=[c for c, keep in zip(colours, chosen, strict=True) if keep],
            edgecolor="#3a3a3a",
            linewidth=0.5,
            hatch=hatch or None,
        )
    for point, name in zip(metric.representative_point(), metric["name_th"], strict=True):
        axes.annotate(
            str(name), (point.x, point.y), ha="center", va="center",
            fontproperties=_sized(5), color="#222",
        )  # fmt: skip
    axes.set_axis_off()
    axes.set_aspect("equal")
    indicator = layer.indicator
    handles = [
        Patch(facecolor=colour, edgecolor="#555", label=value_range(low, high, indicator))
        for low, high, colour in zip(
            layer.classes.lows, layer.classes.highs, layer.classes.colours, strict=True
        )
    ]
    handles.append(
        Patch(facecolor=NO_DATA_COLOUR, edgecolor="#555", hatch="///",
              label=f"{NO_DATA_TH} · {NO_DATA_EN}")
    )  # fmt: skip
    handles += [
        Patch(facecolor=colour, edgecolor="#555", label=f"{th} · {en}")
        for colour, th, en in (
            (SUPPRESSED_COLOUR, *layer.suppressed_label),
            (NOT_SURVEYED_COLOUR, NOT_SURVEYED_TH, NOT_SURVEYED_EN),
        )
        if colour in layer.fills
    ]
    method_th, method_en = METHOD_NAMES[layer.classes.method]
    axes.legend(
        handles=handles,
        title=f"{indicator.label_th} · {indicator.label_en}\n{unit_label(indicator)}\n"
        f"{method_th} · {method_en}",
        loc="lower right",
        bbox_to_anchor=(1.0, 0.06),
        prop=_sized(8),
        title_fontproperties=_sized(8),
        frameon=True,
    )
    figure.suptitle(
        f"{title_th}\n{title_en}", fontproperties=FontProperties(fname=thai_font(), size=14)
    )
    figure.text(
        0.01, 0.01, note, fontproperties=FontProperties(fname=thai_font(), size=7), color="#444"
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _sized(size: float) -> FontProperties:
    return FontProperties(fname=thai_font(), size=size)
