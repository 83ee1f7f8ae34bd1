"""The GeoPackage's own QGIS style: the need index in the web map's classes and colours.

QGIS looks for a table ``layer_styles`` in a GeoPackage (the convention QGIS itself writes:
f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, styleQML, styleSLD,
useAsDefault, description, owner, ui, update_time) and applies the row marked useAsDefault when
the layer is opened. The style is a graduated renderer on the need index with the map's class
breaks and colours, plus the three states the map shows, so no khet disappears: the renderer
classifies an expression that gives a khet not surveyed -3, a suppressed index -2 and no data
-1, each in a range of its own labelled as on the map (:func:`states`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import quoteattr

import pandas as pd

from citywide.indicators import Indicator, SuppressionRule
from citywide.mapping.layers import (
    NO_DATA_COLOUR,
    NO_DATA_EN,
    NO_DATA_TH,
    NOT_RETURNED,
    NOT_SURVEYED_COLOUR,
    NOT_SURVEYED_EN,
    NOT_SURVEYED_TH,
    SUPPRESSED_COLOUR,
    Classes,
    value_range,
)

STYLES_TABLE = "layer_styles"
OUTLINE = "#3a3a3a"


@dataclass(frozen=True)
class State:
    """A khet without a class: the value the style's expression gives it and how it is drawn."""

    value: int
    colour: str
    label: str
    hatched: bool = False


def states(indicator: Indicator, rule: SuppressionRule) -> tuple[State, ...]:
    """No data, hidden by the privacy rule (named as the map names it), not surveyed."""
    hidden_th, hidden_en = rule.label(indicator)
    return (
        State(-1, NO_DATA_COLOUR, f"{NO_DATA_TH} · {NO_DATA_EN}", hatched=True),
        State(-2, SUPPRESSED_COLOUR, f"{hidden_th} · {hidden_en}"),
        State(-3, NOT_SURVEYED_COLOUR, f"{NOT_SURVEYED_TH} · {NOT_SURVEYED_EN}"),
    )


@dataclass(frozen=True)
class Range:
    """One range of the graduated renderer: lower < value <= upper (the first includes its
    lower bound), with its fill."""

    lower: float
    upper: float
    colour: str
    label: str
    hatched: bool = False


def classified_expression(indicator: Indicator) -> str:
    """The QGIS expression the renderer classifies: the value, or its state's number."""
    name = indicator.name
    return (
        f"CASE WHEN \"coverage_status\" = '{NOT_RETURNED}' THEN -3 "
        f"WHEN array_contains(string_to_array(\"suppressed_indicators\", ', '), '{name}') "
        f'THEN -2 WHEN "{name}" IS NULL THEN -1 ELSE "{name}" END'
    )


def ranges(classes: Classes, indicator: Indicator, rule: SuppressionRule) -> tuple[Range, ...]:
    """The map's classes as touching ranges (each from the previous class's top to its own), then
    the states, each around its number."""
    found: list[Range] = []
    lower = -0.5  # above every state's number: the lowest class starts here
    for low, high, colour in zip(classes.lows, classes.highs, classes.colours, strict=True):
        found.append(Range(lower, high, colour, value_range(low, high, indicator)))
        lower = high
    for state in states(indicator, rule):
        found.append(
            Range(state.value - 0.5, state.value + 0.5, state.colour, state.label, state.hatched)
        )
    return tuple(found)


def qml(classes: Classes, indicator: Indicator, rule: SuppressionRule) -> str:
    """The style as QGIS's QML (XML) text."""
    drawn = ranges(classes, indicator, rule)
    range_rows = "\n".join(
        f'      <range symbol="{i}" lower="{r.lower!r}" upper="{r.upper!r}" '
        f'label={quoteattr(r.label)} render="true"/>'
        for i, r in enumerate(drawn)
    )
    symbols = "\n".join(_symbol(str(i), r) for i, r in enumerate(drawn))
    attr = quoteattr(classified_expression(indicator))
    method = "Jenks" if classes.method == "fisher_jenks" else "Quantile"
    return f"""<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0" styleCategories="Symbology">
  <renderer-v2 type="graduatedSymbol" attr={attr} graduatedMethod="GraduatedColor"
      symbollevels="0" forceraster="0" enableorderby="0">
    <ranges>
{range_rows}
    </ranges>
    <symbols>
{symbols}
    </symbols>
    <classificationMethod id="{method}"/>
  </renderer-v2>
  <layerGeometryType>2</layerGeometryType>
</qgis>
"""


def _symbol(name: str, drawn: Range) -> str:
    layers = [_fill(drawn.colour, "solid")]
    if drawn.hatched:
        layers.append(_fill("#555555", "b_diagonal"))
    body = "\n".join(layers)
    return (
        f'      <symbol type="fill" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">\n'
        f"{body}\n      </symbol>"
    )


def _fill(colour: str, style: str) -> str:
    options = {
        "color": _rgba(colour),
        "style": style,
        "outline_color": _rgba(OUTLINE),
        "outline_style": "solid",
        "outline_width": "0.26",
        "outline_width_unit": "MM",
    }
    values = "\n".join(
        f'            <Option name="{key}" type="QString" value="{value}"/>'
        for key, value in options.items()
    )
    return (
        '        <layer class="SimpleFill" enabled="1" locked="0" pass="0">\n'
        f'          <Option type="Map">\n{values}\n          </Option>\n'
        "        </layer>"
    )


def _rgba(colour: str) -> str:
    """#rrggbb as QGIS writes colours: "r,g,b,a"."""
    hex_digits = colour.lstrip("#")
    red, green, blue = (int(hex_digits[i : i + 2], 16) for i in (0, 2, 4))
    return f"{red},{green},{blue},255"


def styles_table(
    layer: str,
    geometry_column: str,
    classes: Classes,
    indicator: Indicator,
    built_at: datetime,
    rule: SuppressionRule,
) -> pd.DataFrame:
    """The layer_styles rows (one: the default style of ``layer``), in QGIS's column names."""
    return pd.DataFrame(
        {
            "f_table_catalog": [""],
            "f_table_schema": [""],
            "f_table_name": [layer],
            "f_geometry_column": [geometry_column],
            "styleName": [f"{indicator.name} (citywide)"],
            "styleQML": [qml(classes, indicator, rule)],
            "styleSLD": [""],
            "useAsDefault": [True],
            "description": [
                f"{indicator.label_th} · {indicator.label_en}: the web map's classes and "
                f"colours, built {built_at.isoformat(timespec='seconds')}"
            ],
            "owner": [""],
            "ui": [""],
            "update_time": [pd.Timestamp(built_at).tz_convert("UTC")],
        }
    )
