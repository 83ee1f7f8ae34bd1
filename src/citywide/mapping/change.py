"""Change maps: each khet against its own previous surveyed round, in a palette centred on 0.

khet_need(_current)_published holds, per khet, ``previous_round`` and the changes against it
(``slum_households_change``, ``need_index_change``; NULL where the khet has no earlier surveyed
round, or where the value is hidden for privacy). A change map classes them in equal intervals
symmetric about 0 (the middle class holds 0 and is the palette's neutral colour), so a fall and
a rise of the same size get the same depth of blue and red.
"""

from __future__ import annotations

import geopandas as gpd
import numpy
import pandas as pd
from branca.utilities import color_brewer

from citywide.indicators import Indicator, SuppressionRule
from citywide.mapping.layers import Classes, Layer, layer_values, shaded_layer

# ColorBrewer's RdBu, reversed: blue = fewer / lower, red = more / higher; readable by the common
# colour-vision deficiencies. An odd count keeps a middle class around 0.
DIVERGING_PALETTE = "RdBu"
DIVERGING_CLASSES = 5


# Each change map with the indicator whose change it is (its suppression hides the change).
CHANGES: tuple[tuple[Indicator, str], ...] = (
    (
        Indicator(
            "slum_households_change", "การเปลี่ยนแปลงของครัวเรือนในชุมชนแออัด",
            "Change in slum households", "ครัวเรือน", "households", "slum_communities",
            "previous_round",
            definition_th=(
                "ครัวเรือนในชุมชนแออัดของรอบนี้ลบด้วยของรอบสำรวจก่อนหน้าของเขตเดียวกัน "
                "(หน่วย: ครัวเรือน)"
            ),
            definition_en=(
                "Slum households in this round minus those in the khet's own previous surveyed "
                "round, in households."
            ),
        ),
        "slum_households",
    ),
    (
        Indicator(
            "need_index_change", "การเปลี่ยนแปลงของดัชนีความต้องการ", "Change in the need index",
            "จุด (0-100)", "points (0-100)", "slum_communities", "previous_round", decimals=1,
            definition_th=(
                "ดัชนีความต้องการของรอบนี้ลบด้วยของรอบสำรวจก่อนหน้าของเขตเดียวกัน (หน่วย: จุด) "
                "ซึ่งสะท้อนด้วยว่าแต่ละรอบสำรวจเขตใดบ้าง"
            ),
            definition_en=(
                "The need index in this round minus that in the khet's own previous surveyed "
                "round, in points; it also reflects which khets each round covered."
            ),
        ),
        "need_index",
    ),
)  # fmt: skip


def change_page(indicator: Indicator) -> str:
    return f"change_{indicator.name.removesuffix('_change')}.html"


def diverging_classes(values: pd.Series, classes: int) -> tuple[Classes, numpy.ndarray]:
    """Equal intervals from -m to +m (m = the largest change either way), an odd number of them.

    Every class is kept, empty ones too, so the middle class stays on 0 and the legend shows
    the whole scale. Returns the classes and each value's class (-1 = none).
    """
    present = values.dropna().astype("float64")
    position = numpy.full(len(values), -1)
    if present.empty:
        return Classes("diverging", (), (), (), ()), position
    count = max(3, classes if classes % 2 else classes + 1)
    reach = float(present.abs().max())
    if reach == 0:
        count = 1
    edges = numpy.linspace(-reach, reach, count + 1)
    # the inner edges split the classes; a value on an edge goes to the class nearer 0
    inner = edges[1:-1]
    which = numpy.where(
        present.to_numpy() < 0,
        numpy.searchsorted(inner, present.to_numpy(), side="right"),
        numpy.searchsorted(inner, present.to_numpy(), side="left"),
    )
    position[values.notna().to_numpy()] = which
    colours = (
        tuple(reversed(color_brewer(DIVERGING_PALETTE, count)))
        if count >= 3
        else (color_brewer(DIVERGING_PALETTE, 3)[1],)
    )
    counts = numpy.bincount(which, minlength=count)
    return (
        Classes(
            method="diverging",
            lows=tuple(float(v) for v in edges[:-1]),
            highs=tuple(float(v) for v in edges[1:]),
            colours=colours,
            counts=tuple(int(v) for v in counts),
        ),
        position,
    )


def change_layer(
    khets: gpd.GeoDataFrame, indicator: Indicator, of: str, rule: SuppressionRule
) -> Layer:
    """The change map of ``indicator`` (a CHANGES entry) over the khets."""
    values = layer_values(khets, indicator.name)
    classified = diverging_classes(values, DIVERGING_CLASSES)
    return shaded_layer(khets, indicator, values, classified, rule, change_of=of)
