"""What every map page says about itself, and the methods page every page links to.

Under its title and definition a page names the round(s) its values come from with their
survey dates, the source, when it was built, the privacy rule and a link to ``methods.html``:
docs/indicators.md rendered offline, with the need index weights in force and every
indicator's definition from the catalogue (:data:`citywide.indicators.INDICATORS`). Pure:
the methods text comes in as a string (the Prefect task reads the file).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

import geopandas as gpd
import jinja2
import pandas as pd
from markdown_it import MarkdownIt
from markupsafe import Markup

from citywide.errors import PublishError
from citywide.indicators import INDICATOR_BY_NAME, Indicator
from citywide.mapping.layers import sources_note, surveyed, unit_label
from citywide.rounds import REGISTRY_ROUND, display_name

METHODS_PAGE = "methods.html"
METHODS_TITLE = ("วิธีการและตัวชี้วัด", "Methods and indicators")
# Where a round's values come from, Thai then English.
REGISTRY_SOURCE = (
    "ทะเบียนชุมชนของกรุงเทพมหานคร",
    "the Bangkok Metropolitan Administration's community registry",
)
SURVEY_SOURCE = (
    "แบบสำรวจชุมชนที่สำนักงานเขตส่งเข้ามา",
    "the community survey returns sent in by the khet offices",
)
GEOGRAPHY_SOURCE = (
    "ขอบเขตเขตและประชากรตามทะเบียนราษฎร์รายเขต",
    "khet boundaries and the registered population of each khet",
)


@dataclass(frozen=True)
class RoundDates:
    """A round that values on a page come from: how many khets, and their survey dates."""

    survey_round: str
    khets: int
    first: date | None  # the earliest first_survey_date of those khets (None: not recorded)
    last: date | None

    @property
    def dates_th(self) -> str:
        return "ไม่ได้บันทึก" if self.first is None else _span(self.first, self.last)

    @property
    def dates_en(self) -> str:
        return "not recorded" if self.first is None else _span(self.first, self.last)


def _span(first: date, last: date | None) -> str:
    if last is None or last == first:
        return first.isoformat()
    return f"{first.isoformat()} – {last.isoformat()}"


def _dates(rows: pd.DataFrame, column: str) -> pd.Series:
    if column not in rows.columns:
        return pd.Series([], dtype="datetime64[ns]")
    return pd.to_datetime(rows[column], errors="coerce").dropna()


def round_dates(khets: gpd.GeoDataFrame) -> list[RoundDates]:
    """The rounds of the surveyed khets, newest first, with their survey date range."""
    covered = khets.loc[surveyed(khets)]
    if covered.empty:
        return []
    labels = covered["survey_round"].astype(str)
    order = (
        covered.groupby(labels)["round_order"].max().sort_values(ascending=False).index.tolist()
        if "round_order" in covered.columns
        else list(dict.fromkeys(labels))
    )
    found = []
    for label in order:
        rows = covered.loc[labels == label]
        firsts, lasts = _dates(rows, "first_survey_date"), _dates(rows, "last_survey_date")
        found.append(
            RoundDates(
                survey_round=str(label),
                khets=len(rows),
                first=firsts.min().date() if len(firsts) else None,
                last=lasts.max().date() if len(lasts) else None,
            )
        )
    return found


def source_text(rounds: Sequence[RoundDates]) -> tuple[str, str]:
    """Where the values of these rounds come from, Thai and English (not escaped)."""
    kinds = {r.survey_round == REGISTRY_ROUND for r in rounds}
    sources = [
        source
        for source, registry in ((REGISTRY_SOURCE, True), (SURVEY_SOURCE, False))
        if registry in kinds
    ]
    return (
        "; ".join(th for th, _ in [*sources, GEOGRAPHY_SOURCE]),
        "; ".join(en for _, en in [*sources, GEOGRAPHY_SOURCE]),
    )


def about_html(
    khets: gpd.GeoDataFrame,
    scope: tuple[str, str],
    built: str,
    privacy: tuple[str, str],
    links: Sequence[tuple[str, str, str]],
) -> str:
    """The header's paragraphs, Thai first, escaped: rounds with survey dates, source, build
    date, privacy note, then ``links`` (href, Thai text, English text)."""
    rounds = round_dates(khets)
    lines = [
        f"{escape(th)} {r.khets} เขต วันที่สำรวจ: {escape(r.dates_th)}<br>"
        f'<span lang="en">{escape(en)}, {r.khets} khets, survey dates: {escape(r.dates_en)}'
        "</span>"
        for r in rounds
        for th, en in [display_name(r.survey_round)]
    ] or ["ยังไม่ได้สำรวจ · not surveyed"]
    source_th, source_en = source_text(rounds)
    scope_th, scope_en = scope
    links_html = " · ".join(
        f'<a href="{escape(href)}">{escape(th)} · {escape(en)}</a>' for href, th, en in links
    )
    return (
        f'<p class="cw-rounds"><b>{escape(scope_th)} · {escape(scope_en)}</b><br>'
        f"รอบสำรวจ · round(s):<br>{'<br>'.join(lines)}</p>"
        f'<p class="cw-source">แหล่งข้อมูล · source: {escape(source_th)}<br>'
        f'<span lang="en">{escape(source_en)}</span></p>'
        f'<p class="cw-built">สร้างเมื่อ · built: {escape(built)}</p>'
        f'<p class="cw-privacy">{escape(privacy[0])}<br>'
        f'<span lang="en">{escape(privacy[1])}</span></p>'
        f'<p class="cw-links">{links_html}</p>'
    )


@dataclass(frozen=True)
class Weight:
    """A need index weight in force, as the methods page lists it."""

    indicator: Indicator
    weight: float
    share: float  # of the weights' sum, 0-1


def weights_in_force(weights: Sequence[tuple[str, float]]) -> list[Weight]:
    total = sum(weight for _, weight in weights)
    return [
        Weight(INDICATOR_BY_NAME[name], weight, weight / total if total else 0.0)
        for name, weight in weights
    ]


_METHODS = jinja2.Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="th">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title_th }} · {{ title_en }}</title>
<style>
body { font-family: "Noto Sans Thai", "Sarabun", "Garuda", "Loma", "Tahoma", sans-serif;
  margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: 0; } h1 + p { margin-top: 0; color: #444; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
td, th { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left;
  vertical-align: top; }
td.n { text-align: right; white-space: nowrap; } .en, [lang="en"] { color: #555; }
.scroll { overflow-x: auto; } code { font-size: .85em; background: #f3f3f3; padding: 0 .2em; }
.doc { border-top: 2px solid #ddd; margin-top: 2rem; color: #222; overflow-wrap: anywhere; }
.doc table { display: block; overflow-x: auto; } .doc pre { overflow-x: auto; }
@media (max-width: 600px) { body { margin: 1rem auto; } h1 { font-size: 1.25rem; }
  td, th { padding: .3rem .25rem; } }
</style>
</head>
<body>
<h1>{{ title_th }}</h1>
<p>{{ title_en }}</p>
<p><a href="{{ index }}">แผนที่ทั้งหมด · all maps</a><br>{{ values }}<br>
แหล่งข้อมูล · source: {{ source_th }}<br><span lang="en">{{ source_en }}</span><br>
สร้างเมื่อ · built: {{ built }}</p>
<h2>น้ำหนักของดัชนีความต้องการที่ใช้ · Need index weights in force</h2>
<p>{{ need.definition_th }}<br><span lang="en">{{ need.definition_en }}</span></p>
<div class="scroll"><table>
<tr><th>ตัวชี้วัด · indicator</th><th>น้ำหนัก · weight</th><th>สัดส่วน · share</th></tr>
{% for w in weights %}<tr><td>{{ w.indicator.label_th }}<br>
<span lang="en">{{ w.indicator.label_en }}</span> <code>{{ w.indicator.name }}</code></td>
<td class="n">{{ "%g" | format(w.weight) }}</td>
<td class="n">{{ "%.0f" | format(100 * w.share) }}%</td></tr>
{% endfor %}</table></div>
<h2>ตัวชี้วัด · Indicators</h2>
<div class="scroll"><table>
<tr><th>ตัวชี้วัด · indicator</th><th>ความหมาย · definition</th><th>หน่วย · unit</th></tr>
{% for i in indicators %}<tr><td>{{ i.label_th }}<br><span lang="en">{{ i.label_en }}</span>
<br><code>{{ i.name }}</code></td>
<td>{{ i.definition_th }}<br><span lang="en">{{ i.definition_en }}</span></td>
<td>{{ unit(i) }}</td></tr>
{% endfor %}</table></div>
<section class="doc" lang="en">
{{ doc }}
</section>
</body>
</html>
"""
)


def render_markdown(text: str) -> str:
    """CommonMark with tables; raw HTML in the text is escaped, never passed through."""
    return str(MarkdownIt("commonmark", {"html": False}).enable("table").render(text))


def methods_page(
    markdown: str,
    weights: Sequence[tuple[str, float]],
    indicators: Sequence[Indicator],
    current: gpd.GeoDataFrame,
    built: str,
    index: str,
) -> str:
    """methods.html: the weights in force, every indicator's definition, then the method; it
    says, like every page, which rounds the maps' values come from, the source and build date
    (``current``: the current picture)."""
    title_th, title_en = METHODS_TITLE
    source_th, source_en = source_text(round_dates(current))
    return _METHODS.render(
        values=sources_note(current),
        source_th=source_th,
        source_en=source_en,
        title_th=title_th,
        title_en=title_en,
        index=index,
        built=built,
        need=INDICATOR_BY_NAME["need_index"],
        weights=weights_in_force(weights),
        indicators=indicators,
        unit=unit_label,
        # markdown-it escapes every raw HTML of the text (html off): what it returns is safe
        doc=Markup(render_markdown(markdown)),  # noqa: S704
    )


def methods_missing(path: Path, error: OSError) -> PublishError:
    """The error when the methods text (docs/indicators.md) cannot be read."""
    return PublishError(
        "the methods page needs docs/indicators.md",
        expected=f"the file {path} (the citywide source checkout's docs/)",
        found=f"{type(error).__name__}: {error}",
        where="citywide.locations.Locations.indicators_doc",
        fix="run citywide from its source checkout (git clone; make venv), with docs/ present",
    )
