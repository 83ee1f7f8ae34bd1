"""The printed map on the real Bangkok picture: an A4 landscape page at 300 dpi whose khet labels
(Thai, English beneath) never overlap each other or the legend, title and notes, with every
class and state in the legend, the source, the rounds, the build date and the privacy note."""

from __future__ import annotations

import io
from itertools import combinations
from pathlib import Path

import geopandas as gpd
import pytest
from matplotlib.legend import Legend
from matplotlib.text import Text
from PIL import Image

from citywide import db
from citywide.indicators import INDICATOR_BY_NAME, SuppressionRule
from citywide.mapping.build import TITLE_EN, TITLE_TH, _privacy
from citywide.mapping.layers import (
    NO_DATA_EN,
    NOT_SURVEYED_EN,
    SUPPRESSED_COLOUR,
    choropleth_layer,
    class_ranges,
    layer_values,
    sources_note,
)
from citywide.mapping.picture import read_picture
from citywide.mapping.static import PRINT_DPI, PrintNotes, draw_layer, label_priority, layer_png
from citywide.settings import Settings
from citywide.sources import KHET_BOUNDARIES

pytestmark = pytest.mark.real_data
NEED = INDICATOR_BY_NAME["need_index"]
RULE = SuppressionRule()
BUILT = "2026-12-04 19:00 +07"


@pytest.fixture(scope="module")
def current(real_published: Settings) -> gpd.GeoDataFrame:
    """The real current picture, as the maps read it (khet_need_current_published)."""
    with db.connect(real_published.duckdb_path, read_only=True) as connection:
        return read_picture(connection).current


def notes(khets: gpd.GeoDataFrame) -> PrintNotes:
    privacy_th, privacy_en = _privacy(RULE)
    return PrintNotes(
        TITLE_TH, TITLE_EN, "ภาพรวมปัจจุบัน", "current picture", sources_note(khets), BUILT,
        privacy_th, privacy_en,
    )  # fmt: skip


def test_the_png_is_a4_landscape_at_300_dpi_and_small_enough_to_mail(
    current: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    png = layer_png(
        current, choropleth_layer(current, NEED, "fisher_jenks", 5, RULE), notes(current)
    )
    (tmp_path / "need_index.png").write_bytes(png)
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
        dpi = image.info["dpi"]
    # A4 is 297 x 210 mm: 3508 x 2480 pixels at 300 dpi (matplotlib rounds the width down)
    assert (abs(width - 3508), abs(height - 2480)) <= (1, 1)
    assert [round(d) for d in dpi] == [PRINT_DPI, PRINT_DPI]
    assert 100_000 < len(png) < 1_500_000


def test_labels_in_the_saved_page_never_overlap_and_the_neediest_khets_come_first(
    current: gpd.GeoDataFrame,
) -> None:
    layer = choropleth_layer(current, NEED, "fisher_jenks", 5, RULE)
    drawing = draw_layer(current, layer, notes(current))
    drawing.figure.savefig(io.BytesIO(), format="png", dpi=PRINT_DPI)  # measure what was saved
    renderer = drawing.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = {label.khet_code: label.box(renderer) for label in drawing.labels}
    for (one, a), (other, b) in combinations(boxes.items(), 2):
        assert not a.overlaps(b), (one, other)
    furniture = [artist.get_window_extent(renderer) for artist in drawing.furniture]
    for code, box in boxes.items():
        assert not any(box.overlaps(other) for other in furniture), code
    for a, b in combinations(furniture, 2):  # title, legend and notes keep apart too
        assert not a.overlaps(b)
    page = drawing.figure.bbox
    for box in furniture:  # and stay on the page
        assert page.x0 <= box.x0 <= box.x1 <= page.x1, box
        assert page.y0 <= box.y0 <= box.y1 <= page.y1, box
    map_box = drawing.map_axes.get_window_extent(renderer)
    assert not any(map_box.overlaps(other) for other in furniture)
    # the inner city is too crowded to name every khet: some labels were left out, not piled
    assert 25 <= len(drawing.labels) < len(current)
    assert len(drawing.labels) + len(drawing.unlabelled) == len(current)
    order = [str(current["khet_code"].iloc[i]) for i in label_priority(current, layer)]
    assert order[0] == drawing.labels[0].khet_code  # the neediest khet is always named
    values = layer_values(current, NEED.name).set_axis(current["khet_code"])
    assert values[order[0]] == values.max()
    names = current.set_index("khet_code")
    for label in drawing.labels:  # Thai above, English beneath in smaller type
        assert label.thai.get_text() == names.loc[label.khet_code, "name_th"]
        assert label.english.get_text() == names.loc[label.khet_code, "name_en"]
        assert float(label.english.get_fontsize()) < float(label.thai.get_fontsize())
        assert boxes[label.khet_code].y0 < label.thai.get_window_extent(renderer).y0


def test_the_page_has_every_class_and_state_the_source_rounds_date_and_privacy(
    current: gpd.GeoDataFrame,
) -> None:
    # slum households: the real picture hides it in six khets (fewer than 3 slum communities)
    layer = choropleth_layer(current, INDICATOR_BY_NAME["slum_households"], "fisher_jenks", 5, RULE)
    drawing = draw_layer(current, layer, notes(current))
    legend = next(artist for artist in drawing.furniture if isinstance(artist, Legend))
    rows = [text.get_text() for text in legend.get_texts()]
    assert len(rows) == len(layer.classes) + 3
    assert [row.split("  ")[0] for row in rows[: len(layer.classes)]] == class_ranges(
        layer.classes, layer.indicator
    )
    suppressed = sum(fill == SUPPRESSED_COLOUR for fill in layer.fills)
    assert suppressed > 0
    hidden_th, hidden_en = layer.suppressed_label
    assert rows[-2] == f"{hidden_th}\n{hidden_en}  ({suppressed} เขต · khets)"
    assert NO_DATA_EN in rows[-3]
    assert NOT_SURVEYED_EN in rows[-1]
    texts = "\n".join(
        text.get_text() for text in drawing.figure.findobj(Text) if text.get_visible()
    )
    for expected in (
        TITLE_TH, TITLE_EN, "ภาพรวมปัจจุบัน · current picture", "ทะเบียนชุมชน กทม. (50 เขต)",
        "BMA community registry (50 khets)", KHET_BOUNDARIES.title, f"Built: {BUILT}", *RULE.note(),
    ):  # fmt: skip
        assert expected.lower() in texts.lower().replace("\n", " "), expected
