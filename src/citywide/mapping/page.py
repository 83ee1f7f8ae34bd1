"""HTML pages: folium maps with Leaflet inlined, and the index page linking them.

A map page holds the khet outlines once and one choropleth layer per indicator (switchable when
there are several); the legend follows the layer shown, the khet names are drawn as labels, and
base tiles are added only when configured. Nothing on a page is fetched from the network.

Why not ``folium.Choropleth``/``GeoJsonTooltip``: they link d3 and jQuery from CDNs, write
property values into tooltips unescaped, and embed the geometry again for every layer (one page
with thirteen layers would pass 1 MB). The page is still a folium ``Map``; the layers are one
small folium element (:class:`ChoroplethLayers`) fed with the data of :mod:`layers`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, cast

import folium
import jinja2
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from citywide.mapping.assets import leaflet_css, leaflet_js
from citywide.mapping.layers import NO_DATA_COLOUR, NOT_SURVEYED_COLOUR, Shading
from citywide.mapping.options import Tiles as Tiles
from citywide.mapping.profile import ProfileLink
from citywide.rounds import RoundProgress

NAMES_LAYER = "ชื่อเขต · Khet names"
PROFILE_LINK_TEXT = "ข้อมูลรายเขต · khet profile"
TILES_LAYER = "แผนที่ฐาน · Base map"

_STYLE = """
body, .leaflet-container { font-family: "Noto Sans Thai", "Sarabun", "Garuda", "Loma", "Tahoma",
  sans-serif; }
.leaflet-container { background: #f4f6f8; }
.leaflet-control-layers { font-size: 13px; line-height: 18px; }
.cw-header { position: absolute; top: 10px; left: 54px; z-index: 1000; background: #fff;
  padding: 6px 12px; border-radius: 4px; box-shadow: 0 1px 5px rgba(0,0,0,.4);
  max-width: min(440px, calc(100% - 130px)); box-sizing: border-box; font-size: 13px;
  line-height: 18px; }
.cw-header summary, .citywide-legend summary { cursor: pointer; list-style: none; }
.cw-header summary::-webkit-details-marker,
.citywide-legend summary::-webkit-details-marker { display: none; }
.cw-header summary p::after, .citywide-legend summary::after { content: " ▾"; color: #666; }
.cw-header:not([open]) summary p::after,
.citywide-legend:not([open]) summary::after { content: " ▸"; }
.cw-header h1 { font-size: 17px; margin: 0; display: inline; }
.cw-header summary p { margin: 0; }
.cw-about { max-height: calc(100vh - 150px); overflow-y: auto; overflow-x: hidden;
  overflow-wrap: anywhere; padding-right: 10px; }
.cw-about p { margin: 6px 0 0; }
.cw-about .en, .cw-about [lang="en"] { color: #444; }
.citywide-legend { background: #fff; padding: 8px 10px; border-radius: 4px; font-size: 12px;
  line-height: 18px; box-shadow: 0 1px 5px rgba(0,0,0,.4); max-width: 290px;
  max-height: calc(100vh - 220px); overflow-y: auto; box-sizing: border-box; }
.cw-legend-title { font-weight: bold; font-size: 13px; margin-bottom: 4px; }
.cw-legend-row i { display: inline-block; width: 18px; height: 12px; margin-right: 6px;
  vertical-align: middle; border: 1px solid #555; }
.cw-legend-row i.cw-no-data, .cw-legend-row i.cw-not-surveyed { border-style: dashed; }
.cw-legend-row i.cw-not-surveyed { border-color: #999; }
.cw-legend-note { color: #444; font-size: 11px; }
.khet-label { pointer-events: none; }
.khet-label.cw-hidden { visibility: hidden; }
.khet-label span { display: block; transform: translate(-50%, -50%); white-space: nowrap;
  text-align: center; color: #111; font-size: 10px; line-height: 11px;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
.khet-label span[lang="en"] { font-size: 9px; }
.khet-label.cw-ink-light span { color: #fff;
  text-shadow: 0 0 2px #000, 0 0 2px #000, 0 0 3px #000; }
.khet-tip { font-size: 13px; line-height: 18px; }
@media (min-width: 900px) {
  .folium-map { left: 360px !important; width: calc(100% - 360px) !important; }
  .cw-header { top: 0; left: 0; bottom: 0; width: 360px; max-width: none; border-radius: 0;
    box-shadow: 1px 0 4px rgba(0,0,0,.3); padding: 12px 16px; overflow-y: auto; }
  .cw-header summary { cursor: default; pointer-events: none; }
  .cw-header summary p::after { content: none; }
  .cw-about { max-height: none; overflow: visible; padding-right: 0; } }
@media (max-width: 600px) { .cw-header { max-width: calc(100% - 120px); padding: 4px 8px;
    font-size: 11px; line-height: 15px; }
  .cw-header h1 { font-size: 14px; }
  .citywide-legend { max-width: 220px; font-size: 11px; line-height: 15px;
    padding: 5px 8px; } }
"""

# Labels are placed in the browser, the only place that knows how large each text is drawn:
# by priority (the need first), each hidden when its box would overlap a label already placed,
# a control (title, legend, layers, zoom, scale) or the map's edge; again after every zoom,
# resize, fold and layer change. Label ink follows the fill under it: dark on light classes,
# white (dark halo) on dark ones, whichever contrasts more (WCAG relative luminance).
_LAYERS_JS = """
{% macro script(this, kwargs) %}
(function () {
    var map = {{ this._parent.get_name() }};
    var data = {{ this.payload }};
    var phone = window.innerWidth < 600;
    var header = document.querySelector(".cw-header");
    var definition = document.querySelector(".cw-definition");
    if (header !== null) {
        // a side panel from 900 px on (always open); a folded box over the map below
        if (window.innerWidth < 900) { header.open = false; }
        L.DomEvent.disableClickPropagation(header);
        L.DomEvent.disableScrollPropagation(header);
        header.addEventListener("toggle", placeLabels);
    }
    var choices = {};
    var shapes = data.layers.map(function (layer) {
        var group = L.geoJSON(data.features, {
            style: function (feature) {
                var fill = layer.fills[feature.properties.i];
                var dashed = fill === null || fill === data.notSurveyed;
                return {fillColor: fill === null ? data.noData : fill, fillOpacity: 0.85,
                        color: "#3a3a3a", weight: 1, opacity: 1,
                        dashArray: dashed ? "4 3" : null, className: "khet-shape"};
            },
            onEachFeature: function (feature, shape) {
                var i = feature.properties.i;
                shape.bindTooltip(layer.tooltips[i], {sticky: true, className: "khet-tip"});
                if (data.profiles.length > i) {  // a click opens the khet's profile link
                    var box = L.DomUtil.create("div");
                    box.innerHTML = layer.tooltips[i];  // escaped where it was made
                    L.DomUtil.create("br", "", box);
                    var link = L.DomUtil.create("a", "", box);
                    link.setAttribute("href", data.profiles[i]);
                    link.textContent = data.profileText;
                    shape.bindPopup(box, {className: "khet-tip"});
                }
            }
        });
        choices[layer.title] = group;
        return group;
    });
    var legend = L.control({position: "bottomright"});
    legend.onAdd = function () {
        var box = L.DomUtil.create("details", "citywide-legend");
        box.open = !phone;
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        box.addEventListener("toggle", placeLabels);
        return box;
    };
    var markers = data.labels.map(function (label) {
        var marker = L.marker([label.lat, label.lon], {interactive: false, keyboard: false,
            icon: L.divIcon({className: "khet-label", html: label.html, iconSize: null})});
        marker.cwPriority = label.priority;
        return marker;
    });
    var ordered = markers.slice().sort(function (a, b) { return a.cwPriority - b.cwPriority; });
    var names = L.layerGroup(markers);
    var shown = data.layers[0];
    function luminance(hex) {
        var c = parseInt(hex.slice(1), 16);
        var rgb = [(c >> 16) & 255, (c >> 8) & 255, c & 255].map(function (v) {
            v = v / 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        });
        return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    }
    function inkLabels() {
        markers.forEach(function (marker, i) {
            var element = marker.getElement();
            if (!element) { return; }
            var fill = shown.fills[i] === null ? data.noData : shown.fills[i];
            // white contrasts more than near-black (#111) below this luminance
            var light = luminance(fill) < 0.19;
            L.DomUtil[light ? "addClass" : "removeClass"](element, "cw-ink-light");
        });
    }
    function textBox(element) {
        var box = null;
        Array.prototype.forEach.call(element.children, function (span) {
            var r = span.getBoundingClientRect();
            if (r.width === 0) { return; }
            box = box === null ? {left: r.left, top: r.top, right: r.right, bottom: r.bottom}
                : {left: Math.min(box.left, r.left), top: Math.min(box.top, r.top),
                   right: Math.max(box.right, r.right), bottom: Math.max(box.bottom, r.bottom)};
        });
        return box;
    }
    function overlap(a, b) {
        return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    }
    function placeLabels() {
        if (!map.hasLayer(names)) { return; }
        var frame = map.getContainer().getBoundingClientRect();
        var taken = [];
        document.querySelectorAll(".cw-header, .leaflet-control").forEach(function (control) {
            var r = control.getBoundingClientRect();
            if (r.width > 0 && r.height > 0) { taken.push(r); }
        });
        ordered.forEach(function (marker) {
            var element = marker.getElement();
            if (element) {
                L.DomUtil.removeClass(element, "cw-hidden");
                element.dataset.priority = marker.cwPriority;
            }
        });
        var boxes = ordered.map(function (marker) {
            var element = marker.getElement();
            return element ? textBox(element) : null;
        });
        ordered.forEach(function (marker, k) {
            var box = boxes[k];
            if (box === null) { return; }
            var padded = {left: box.left - 2, top: box.top - 1, right: box.right + 2,
                          bottom: box.bottom + 1};
            var fits = box.left >= frame.left && box.right <= frame.right &&
                box.top >= frame.top && box.bottom <= frame.bottom &&
                !taken.some(function (other) { return overlap(padded, other); });
            if (fits) { taken.push(padded); }
            else { L.DomUtil.addClass(marker.getElement(), "cw-hidden"); }
        });
    }
    function showLayer(layer) {
        shown = data.layers[shapes.indexOf(layer)];
        legend.getContainer().innerHTML = shown.legend;
        if (definition !== null) { definition.innerHTML = shown.definition; }
        inkLabels();
        placeLabels();
    }
    legend.addTo(map);
    shapes[0].addTo(map);
    names.addTo(map);
    map.on("baselayerchange", function (event) { showLayer(event.layer); });
    map.on("overlayadd", function () { inkLabels(); placeLabels(); });
    map.on("zoomend resize", placeLabels);
    var overlays = {};
    overlays[data.namesTitle] = names;
    if (data.tiles !== null) {
        overlays[data.tilesTitle] = L.tileLayer(data.tiles.url,
            {attribution: data.tiles.attribution, maxZoom: 18}).addTo(map);
    }
    L.control.layers(shapes.length > 1 ? choices : {}, overlays,
                     {collapsed: window.innerWidth < 900, position: "topright"}).addTo(map);
    map.fitBounds(data.bounds);
    showLayer(shapes[0]);
    window.addEventListener("load", placeLabels);
    if (document.fonts) { document.fonts.ready.then(placeLabels); }
})();
{% endmacro %}
"""


class ChoroplethLayers(MacroElement):
    """The khet outlines once, a switchable layer per indicator, legend, labels, tiles."""

    _template = Template(_LAYERS_JS)

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "ChoroplethLayers"
        self.payload = script_json(payload)


def script_json(value: object) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' can end it or open a tag."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for character, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(character, code)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@dataclass(frozen=True)
class Basemap:
    """What every map page of a scope shares: outlines, labels, extent, tiles, and what the
    header says under the page's title and definition (rounds, survey dates, source, build
    date, privacy, links; already escaped)."""

    features: dict[str, Any]
    labels: Sequence[dict[str, object]]
    bounds: tuple[float, float, float, float]  # west, south, east, north
    tiles: Tiles | None
    about_html: str
    profiles: Sequence[str] = ()  # each feature's khet profile page, relative to the page


def map_page(base: Basemap, title_th: str, title_en: str, layers: Sequence[Shading]) -> str:
    """A self-contained HTML page: the map with every given layer (the first one shown)."""
    if not layers:
        raise ValueError("a map page needs at least one layer")
    west, south, east, north = base.bounds
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=False, zoom_snap=0.25)
    fmap.default_js = []  # Leaflet is inlined below; folium's CDN links are dropped
    fmap.default_css = []
    root = cast(Figure, fmap.get_root())
    root.title = escape(f"{title_th} · {title_en}")  # branca's template does not escape
    root.header.add_child(Element(f"<style>{leaflet_css()}</style>"), name="leaflet_css")
    root.header.add_child(Element(f"<script>{leaflet_js()}</script>"), name="leaflet_js")
    root.header.add_child(Element(f"<style>{_STYLE}</style>"), name="citywide_css")
    root.html.add_child(
        Element(
            f'<details class="cw-header" open><summary><h1>{escape(title_th)}</h1>'
            f'<p lang="en">{escape(title_en)}</p></summary><div class="cw-about">'
            f'<p class="cw-definition">{layers[0].definition_html}</p>{base.about_html}'
            "</div></details>"
        ),
        name="citywide_header",
    )
    fmap.add_child(
        ChoroplethLayers(
            {
                "features": base.features,
                "labels": list(base.labels),
                "layers": [
                    {
                        "title": layer.title_html,
                        "definition": layer.definition_html,
                        "legend": layer.legend_html,
                        "fills": list(layer.fills),
                        "tooltips": list(layer.tooltips),
                    }
                    for layer in layers
                ],
                "noData": NO_DATA_COLOUR,
                "notSurveyed": NOT_SURVEYED_COLOUR,
                "namesTitle": NAMES_LAYER,
                "tilesTitle": TILES_LAYER,
                "tiles": None
                if base.tiles is None
                else {"url": base.tiles.url, "attribution": escape(base.tiles.attribution)},
                "bounds": [[south, west], [north, east]],
                "profiles": list(base.profiles),  # set as an attribute, not parsed as HTML
                "profileText": PROFILE_LINK_TEXT,
            }
        )
    )
    return str(root.render())


@dataclass(frozen=True)
class IndexEntry:
    """An indicator (or change) on an index page, with its page (None: nothing to map)."""

    label_th: str
    label_en: str
    unit: str
    page: str | None


@dataclass(frozen=True)
class RoundEntry:
    """A round on an index page: its progress, its own index page and coverage map."""

    progress: RoundProgress
    index: str | None
    coverage: str | None


@dataclass(frozen=True)
class IndexContent:
    """What maps/index.html (or a round's index.html) lists; texts not yet escaped."""

    title_th: str
    title_en: str
    scope_th: str  # "ภาพรวมปัจจุบัน" or the round's name
    scope_en: str
    sources: str  # where the values come from (layers.sources_note)
    built_at: str
    home: str | None  # maps/index.html, from a round's folder
    report: str
    methods: str  # maps/methods.html: definitions, weights in force, the method
    composite: str | None
    png: str | None
    coverage: str | None
    indicators: tuple[IndexEntry, ...]
    changes: tuple[IndexEntry, ...]
    rounds: tuple[RoundEntry, ...]
    privacy_th: str
    privacy_en: str
    khwaeng: str | None = None  # the need index by khwaeng (current picture only)
    profiles: tuple[ProfileLink, ...] = ()  # every khet's profile, relative to the index


_INDEX = jinja2.Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="th">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ c.title_th }} · {{ c.title_en }}</title>
<style>
body { font-family: "Noto Sans Thai", "Sarabun", "Garuda", "Loma", "Tahoma", sans-serif;
  margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: 0; } h1 + p { margin-top: 0; color: #444; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #ddd;
  padding: .4rem .5rem; text-align: left; vertical-align: top; }
.en { color: #555; } .none { color: #777; font-style: italic; }
img { max-width: 100%; border: 1px solid #ddd; }
.round { border-left: 4px solid #238b45; padding: .2rem 0 .2rem 1rem; margin: 1rem 0; }
.round h3 { margin: 0; font-size: 1.1rem; } .round p { margin: .3rem 0; }
.khets { font-size: .85rem; } .khets td.n { text-align: right; white-space: nowrap; }
.khets tr.not_returned td { color: #777; } .scroll { overflow-x: auto; }
details summary { cursor: pointer; }
ul.profiles { columns: 3 13rem; padding-left: 1.2rem; font-size: .9rem; }
@media (max-width: 600px) { body { margin: 1rem auto; } h1 { font-size: 1.25rem; }
  td, th { padding: .3rem .25rem; } }
</style>
</head>
<body>
<h1>{{ c.title_th }}</h1>
<p>{{ c.title_en }}</p>
<p><b>{{ c.scope_th }}</b> · <span class="en">{{ c.scope_en }}</span><br>{{ c.sources }}<br>
สร้างเมื่อ · built {{ c.built_at }}</p>
{% if c.home %}<p><a href="{{ c.home }}">กลับไปหน้าแผนที่ทั้งหมด (ภาพรวมปัจจุบัน)</a>
  · <span class="en">back to all maps (the current picture)</span></p>{% endif %}
{% if c.composite %}<p><a href="{{ c.composite }}">แผนที่รวมทุกตัวชี้วัด (เลือกชั้นข้อมูลได้)</a>
  · <span class="en">all indicators on one map (switchable layers)</span></p>{% endif %}
{% if c.khwaeng %}<p><a href="{{ c.khwaeng }}">แผนที่ดัชนีความต้องการรายแขวง</a>
  · <span class="en">map of the need index by khwaeng (sub-district)</span></p>{% endif %}
{% if c.coverage %}<p><a href="{{ c.coverage }}">แผนที่การส่งข้อมูลรายเขต</a>
  · <span class="en">map of the returns by khet (complete, partial, not returned)</span></p>
{% endif %}
<p><a href="{{ c.report }}">รายงานการประมวลผลครั้งล่าสุด</a>
  · <span class="en">latest run report: files ingested, problems to fix</span></p>
<table>
<tr><th>ตัวชี้วัด · indicator</th><th>หน่วย · unit</th><th>แผนที่ · map</th></tr>
{% for item in c.indicators + c.changes %}
<tr><td>{{ item.label_th }}<br><span class="en">{{ item.label_en }}</span></td>
<td>{{ item.unit }}</td>
<td>{% if item.page %}<a href="{{ item.page }}">เปิด · open</a>{% else %}
<span class="none">ไม่มีข้อมูลในรอบนี้ · no data in this round</span>{% endif %}</td></tr>
{% endfor %}
</table>
{% if c.rounds %}
<h2>รอบสำรวจ · Survey rounds</h2>
{% for entry in c.rounds %}{% set p = entry.progress %}
<section class="round">
<h3>{% if entry.index %}<a href="{{ entry.index }}">{{ p.name_th }}</a>{% else %}
{{ p.name_th }}{% endif %} · <span class="en">{{ p.name_en }}</span></h3>
<p>{{ p.sentence_th }}<br><span class="en">{{ p.sentence_en }}</span></p>
{% if p.missing | length > 10 %}<details><summary>ยังไม่ส่ง {{ p.missing | length }} เขต ·
<span class="en">{{ p.missing | length }} khets not returned yet</span></summary>
<p>{{ p.missing_th }}<br><span class="en">{{ p.missing_en }}</span></p></details>
{% else %}<p>{{ p.missing_th }}<br><span class="en">{{ p.missing_en }}</span></p>{% endif %}
<p>ส่งข้อมูลล่าสุด · last return: {{ p.last_return_text }}{% if entry.coverage %}
 · <a href="{{ entry.coverage }}">แผนที่การส่งข้อมูล · coverage map</a>{% endif %}</p>
<details><summary>รายเขต · by khet ({{ p.khets | length }} เขต · khets)</summary>
<div class="scroll"><table class="khets">
<tr><th>เขต · khet</th><th>สถานะ · status</th><th>ชุมชนที่สำรวจ · surveyed</th>
<th>ส่งล่าสุด · last return</th></tr>
{% for k in p.khets %}<tr class="{{ k.status }}">
<td>{{ k.name_th }}<br><span class="en">{{ k.name_en }}</span></td>
<td>{{ k.status_th }}<br><span class="en">{{ k.status_en }}</span></td>
<td class="n">{{ k.communities_surveyed }} / {{ k.communities_expected }}
({{ k.share_text }})</td>
<td class="n">{{ k.last_return_text }}</td></tr>
{% endfor %}</table></div>
</details>
</section>
{% endfor %}
{% endif %}
{% if c.profiles %}
<h2>ข้อมูลรายเขต · Khet profiles</h2>
<p>แต่ละเขต: ตัวชี้วัดทุกรอบที่สำรวจ อันดับ การส่งข้อมูล ชุมชนตามประเภท และแขวง ·
<span class="en">each khet: its indicators in every round that surveyed it, its rank, coverage,
communities by type and khwaeng</span></p>
<ul class="profiles">{% for k in c.profiles %}<li><a href="{{ k.page }}">เขต{{ k.name_th }}</a>
<span class="en">{{ k.name_en }}</span></li>{% endfor %}</ul>
{% endif %}
{% if c.png %}
<h2>ดัชนีความต้องการ · Need index</h2>
<p><a href="{{ c.png }}"><img src="{{ c.png }}" alt="{{ c.title_th }} · {{ c.title_en }}"></a></p>
{% endif %}
<p>{{ c.privacy_th }}<br><span class="en">{{ c.privacy_en }}</span></p>
<p><a href="{{ c.methods }}">วิธีการ ความหมายของตัวชี้วัด และน้ำหนักที่ใช้</a>
  · <span class="en">methods: what each indicator means, the need index weights in force</span></p>
<p class="en">Figures for QGIS and Excel: data/processed/exports/ (GeoPackage, GeoParquet, CSV).</p>
</body>
</html>
"""
)


def index_page(content: IndexContent) -> str:
    """An index page: the scope's indicators with their pages, the rounds with their coverage."""
    return _INDEX.render(c=content)
