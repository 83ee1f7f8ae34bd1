"""Khet profiles: one offline page per khet, maps/khet/<khet_code>.html.

A pure function of the :class:`~citywide.mapping.picture.Picture` (the published views, the
coverage, the counts of communities by type and the khwaeng names). Each page gives, Thai first:
the khet's indicators in every round that surveyed it, with its rank among the khets that round
surveyed; its place in the current picture's need index among all khets (a small inline SVG);
the need index and slum households across rounds (SVG, when two or more rounds surveyed it); its
coverage in every round; its communities by type; its khwaeng; a locator map. No script, no
network: the page is plain HTML with inline SVG.

Privacy: values come from the published views as they are, a value they hide (NULL and named
in ``suppressed_indicators``) is shown as "not shown" with the view's reason, never as a number,
a rank, a bar or a position. Counts of communities (in all and by type) are public registry
counts, not personal data (docs/indicators.md, "Privacy"); a type's count is hidden only where
the view hides the indicator it is (slum communities) or the khet's total.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, Literal

import geopandas as gpd
import jinja2
import pandas as pd
import shapely
from markupsafe import Markup

from citywide.errors import PublishError
from citywide.indicators import INDICATOR_BY_NAME, INDICATORS, Indicator
from citywide.mapping.layers import (
    NO_DATA_EN,
    NOT_SURVEYED_EN,
    NOT_SURVEYED_TH,
    format_value,
    surveyed,
    unit_label,
    web_geometry,
)
from citywide.mapping.picture import UNKNOWN_TYPE, Picture
from citywide.rounds import KhetReturn, RoundProgress, display_name

PROFILE_FOLDER = "khet"
INDEX_PAGE = "index.html"
NOT_SHOWN_TH = "ไม่แสดง"
NOT_SHOWN_EN = "not shown"
# The headline first, then the indicators in their documented order (as the maps).
ORDER: tuple[Indicator, ...] = (
    INDICATOR_BY_NAME["need_index"],
    *(i for i in INDICATORS if i.name != "need_index"),
)
CHARTED = ("need_index", "slum_households")  # across rounds, when two or more surveyed the khet
TYPE_NAMES: dict[str, tuple[str, str]] = {
    "slum": ("ชุมชนแออัด", "slum"),
    "urban": ("ชุมชนเมือง", "urban"),
    "suburban": ("ชุมชนชานเมือง", "suburban"),
    "housing_estate": ("หมู่บ้านจัดสรร", "housing estate"),
    "nha_housing": ("เคหะชุมชน", "NHA housing"),
    "high_rise": ("ชุมชนอาคารสูง", "high-rise"),
    UNKNOWN_TYPE: ("ไม่ระบุประเภท", "type not recorded"),
}
# A type whose count the published view itself holds: when the view hides it, so does the page.
_TYPE_INDICATOR = {"slum": "slum_communities"}
LOCATOR_SIMPLIFY_M = 150.0  # the locator map is 300 px wide: 150 m is below a pixel
_CODE = re.compile(r"[0-9]{4}")
_SVG_WIDTH = 320


def profile_page(khet_code: object) -> str:
    """The profile's path under maps/: khet/<khet_code>.html (PublishError for an odd code)."""
    code = str(khet_code)
    if not _CODE.fullmatch(code):
        raise PublishError(
            "a khet code cannot name a profile page",
            expected="a DOPA khet code of four digits, e.g. 1001",
            found=repr(code)[:40],
            where="view khet_need_current_published, column khet_code",
            fix="rebuild the geography (citywide run), which checks the khet codes",
        )
    return f"{PROFILE_FOLDER}/{code}.html"


@dataclass(frozen=True)
class ProfileLink:
    """A khet and its profile page (under maps/), for the index and the map popups."""

    khet_code: str
    name_th: str
    name_en: str
    page: str


def profile_links(current: pd.DataFrame) -> tuple[ProfileLink, ...]:
    """Every khet of the current picture with its profile page, in khet code order."""
    rows = current.sort_values("khet_code")
    return tuple(
        ProfileLink(str(code), str(th), str(en), profile_page(code))
        for code, th, en in zip(rows["khet_code"], rows["name_th"], rows["name_en"], strict=True)
    )


State = Literal["value", "suppressed", "no_data"]


@dataclass(frozen=True)
class Value:
    """One indicator of the khet in one round (or the current picture), as the page shows it."""

    state: State
    text: str = ""  # the formatted value, when shown
    rank: int | None = None
    of: int = 0
    note: int | None = None  # the footnote with the reason, when not shown
    number: float | None = None  # the value itself, when shown (for the charts)


@dataclass(frozen=True)
class Column:
    survey_round: str
    name_th: str
    name_en: str


@dataclass(frozen=True)
class IndicatorRow:
    label_th: str
    label_en: str
    unit: str
    values: tuple[Value, ...]  # one per surveyed round


@dataclass(frozen=True)
class TypeRow:
    label_th: str
    label_en: str
    counts: tuple[Value, ...]  # one per surveyed round


@dataclass(frozen=True)
class Note:
    number: int
    text_th: str
    text_en: str


@dataclass(frozen=True)
class CoverageRow:
    name_th: str
    name_en: str
    khet: KhetReturn | None  # None: the round's coverage does not list the khet


@dataclass(frozen=True)
class Khwaeng:
    code: str
    name_th: str
    name_en: str


@dataclass(frozen=True)
class Links:
    """Where a profile links to, relative to maps/ (None: no such page this run)."""

    index: str = INDEX_PAGE
    map: str | None = None
    coverage: str | None = None
    methods: str | None = None


@dataclass(frozen=True)
class ProfileContent:
    """Everything one profile page shows; texts not yet escaped, SVG already safe."""

    khet_code: str
    name_th: str
    name_en: str
    area_km2: str
    population: str
    sources_th: str
    sources_en: str
    built_at: str
    rounds: tuple[Column, ...]  # every round, first first
    columns: tuple[Column, ...]  # the rounds that surveyed the khet
    not_surveyed_in: tuple[Column, ...]
    current_round: Column | None
    current_index: Value
    rank_chart: Markup | None
    round_charts: tuple[Markup, ...]
    indicators: tuple[IndicatorRow, ...]
    types: tuple[TypeRow, ...]
    coverage: tuple[CoverageRow, ...]
    khwaeng: tuple[Khwaeng, ...]
    notes: tuple[Note, ...]
    locator: Markup | None
    index: str
    map: str | None
    coverage_map: str | None
    methods: str | None
    privacy_th: str
    privacy_en: str


def profile_files(
    picture: Picture,
    built: str,
    privacy: tuple[str, str],
    links: Links,
) -> dict[str, str]:
    """Every khet's profile page, by its path under maps/ (khet/<code>.html)."""
    current = picture.current.sort_values("khet_code").reset_index(drop=True)
    rounds = _every_round(picture)
    ranks = _Ranks(rounds, current)
    locator = _Locator(current)
    order = _round_order(rounds, picture.progress)
    coverage = {p.survey_round: {k.khet_code: k for k in p.khets} for p in picture.progress}
    files: dict[str, str] = {}
    for position in range(len(current)):
        row = current.iloc[position]
        code = str(row["khet_code"])
        own = rounds[rounds["khet_code"].astype(str) == code]
        content = _content(
            row,
            own,
            _Context(
                ranks=ranks,
                order=order,
                coverage=coverage,
                types=picture.community_types,
                khwaeng=picture.khwaeng_names,
                built=built,
                privacy=privacy,
                links=links,
                locator=locator.svg(position),
            ),
        )
        files[profile_page(code)] = _PAGE.render(c=content)
    return files


@dataclass(frozen=True)
class _Context:
    ranks: _Ranks
    order: tuple[Column, ...]
    coverage: dict[str, dict[str, KhetReturn]]
    types: pd.DataFrame
    khwaeng: pd.DataFrame
    built: str
    privacy: tuple[str, str]
    links: Links
    locator: Markup


def _every_round(picture: Picture) -> pd.DataFrame:
    """khet_need_published's rows (the current picture when there is no round: each khet's row
    is then its own round's)."""
    frame = picture.rounds if len(picture.rounds) > 0 else picture.current
    frame = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    if "round_order" not in frame.columns:
        frame = frame.assign(round_order=0)
    return frame.sort_values(["round_order", "khet_code"], kind="stable").reset_index(drop=True)


def _round_order(rounds: pd.DataFrame, progress: Sequence[RoundProgress]) -> tuple[Column, ...]:
    """Every round, first first: those of the progress, then any only the need rows name."""
    labels = [p.survey_round for p in progress]
    labels += [str(r) for r in rounds["survey_round"].drop_duplicates() if str(r) not in labels]
    return tuple(Column(label, *display_name(label)) for label in labels)


class _Ranks:
    """Each khet's rank (1 = largest) per indicator among the khets each round surveyed, and in
    the current picture. The need index uses its published need_rank; a value the view hides
    has no rank and takes no place."""

    def __init__(self, rounds: pd.DataFrame, current: pd.DataFrame) -> None:
        self._by_round = {
            str(label): _ranked(frame) for label, frame in rounds.groupby("survey_round")
        }
        self.current = _ranked(current)
        index = pd.to_numeric(current["need_index"], errors="coerce")
        shown = index.where(surveyed(gpd.GeoDataFrame(current))).dropna()
        self.current_index = tuple(float(v) for v in shown)

    def of_round(self, label: str) -> dict[str, dict[str, tuple[int | None, int]]]:
        return self._by_round.get(label, {})


def _ranked(frame: pd.DataFrame) -> dict[str, dict[str, tuple[int | None, int]]]:
    """indicator -> khet_code -> (rank, of how many)."""
    covered = surveyed(gpd.GeoDataFrame(frame))
    codes = frame["khet_code"].astype(str)
    ranked: dict[str, dict[str, tuple[int | None, int]]] = {}
    for indicator in ORDER:
        values = pd.to_numeric(frame[indicator.name], errors="coerce").where(covered)
        if indicator.name == "need_index":
            ranks = pd.to_numeric(frame["need_rank"], errors="coerce").where(values.notna())
            of = int(covered.sum())
        else:
            ranks = values.rank(ascending=False, method="min")
            of = int(values.notna().sum())
        ranked[indicator.name] = {
            code: (None if pd.isna(rank) else int(rank), of)
            for code, rank in zip(codes, ranks, strict=True)
        }
    return ranked


class _Notes:
    """The footnotes of one page: each distinct reason once, numbered in order of use."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[str, str], int] = {}

    def number(self, th: str, en: str) -> int:
        return self._numbers.setdefault((th, en), len(self._numbers) + 1)

    def all(self) -> tuple[Note, ...]:
        return tuple(Note(n, th, en) for (th, en), n in self._numbers.items())


def _hidden(row: pd.Series) -> set[str]:
    names = row.get("suppressed_indicators")
    if names is None or (isinstance(names, float) and math.isnan(names)):
        return set()
    return {str(name) for name in names}


def _reason(row: pd.Series) -> tuple[str, str]:
    th, en = row.get("suppressed_reason_th"), row.get("suppressed_reason_en")
    return (
        NOT_SHOWN_TH if pd.isna(th) else str(th),
        NOT_SHOWN_EN if pd.isna(en) else str(en),
    )


def _value(
    row: pd.Series,
    indicator: Indicator,
    rank: tuple[int | None, int],
    notes: _Notes,
) -> Value:
    """The khet's value as published: a number with its rank, not shown (why), or no data."""
    if indicator.name in _hidden(row):
        return Value("suppressed", note=notes.number(*_reason(row)))
    value = pd.to_numeric(pd.Series([row.get(indicator.name)]), errors="coerce").iloc[0]
    if pd.isna(value):
        return Value("no_data")
    place, of = rank
    return Value("value", format_value(float(value), indicator), place, of, number=float(value))


def _content(current: pd.Series, own: pd.DataFrame, context: _Context) -> ProfileContent:
    code = str(current["khet_code"])
    notes = _Notes()
    taken = own[surveyed(gpd.GeoDataFrame(own))]
    by_round = {str(row["survey_round"]): row for _, row in taken.iterrows()}
    columns = tuple(c for c in context.order if c.survey_round in by_round)
    not_surveyed = tuple(c for c in context.order if c.survey_round not in by_round)
    indicators = tuple(
        IndicatorRow(
            indicator.label_th,
            indicator.label_en,
            unit_label(indicator),
            tuple(
                _value(
                    by_round[c.survey_round],
                    indicator,
                    context.ranks.of_round(c.survey_round)[indicator.name].get(code, (None, 0)),
                    notes,
                )
                for c in columns
            ),
        )
        for indicator in ORDER
    )
    by_name = {i.name: row for i, row in zip(ORDER, indicators, strict=True)}
    is_current = bool(surveyed(gpd.GeoDataFrame(current.to_frame().T)).iloc[0])
    need = INDICATOR_BY_NAME["need_index"]
    current_index = (
        _value(current, need, context.ranks.current[need.name][code], notes)
        if is_current
        else Value("no_data")
    )
    current_round = (
        Column(str(current["survey_round"]), *display_name(str(current["survey_round"])))
        if is_current
        else None
    )
    sources_th, sources_en = _sources(columns)
    return ProfileContent(
        khet_code=code,
        name_th=str(current["name_th"]),
        name_en=str(current["name_en"]),
        area_km2=_number(current.get("area_km2"), 1),
        population=_number(current.get("registered_population"), 0),
        sources_th=sources_th,
        sources_en=sources_en,
        built_at=context.built,
        rounds=context.order,
        columns=columns,
        not_surveyed_in=not_surveyed,
        current_round=current_round,
        current_index=current_index,
        rank_chart=_rank_chart(context.ranks, current, current_index),
        round_charts=tuple(
            _round_chart(INDICATOR_BY_NAME[name], columns, by_name[name])
            for name in CHARTED
            if len(columns) >= 2
        ),
        indicators=indicators,
        types=_types(code, columns, by_round, context, notes),
        coverage=tuple(
            CoverageRow(c.name_th, c.name_en, context.coverage.get(c.survey_round, {}).get(code))
            for c in context.order
            if c.survey_round in context.coverage
        ),
        khwaeng=_khwaeng(code, context.khwaeng),
        notes=notes.all(),
        locator=context.locator,
        index=f"../{context.links.index}",
        map=None if context.links.map is None else f"../{context.links.map}",
        coverage_map=None if context.links.coverage is None else f"../{context.links.coverage}",
        methods=None if context.links.methods is None else f"../{context.links.methods}",
        privacy_th=context.privacy[0],
        privacy_en=context.privacy[1],
    )


def _number(value: Any, decimals: int) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):,.{decimals}f}"


def _sources(columns: tuple[Column, ...]) -> tuple[str, str]:
    if not columns:
        return (f"เขตนี้{NOT_SURVEYED_TH}", f"this khet is {NOT_SURVEYED_EN}")
    return (
        "ค่าจาก" + " และ".join(c.name_th for c in columns),
        "values from " + " and ".join(c.name_en for c in columns),
    )


def _types(
    code: str,
    columns: tuple[Column, ...],
    by_round: dict[str, pd.Series],
    context: _Context,
    notes: _Notes,
) -> tuple[TypeRow, ...]:
    """Communities by type in each surveyed round (counts are public; see the module)."""
    frame = context.types
    frame = frame[frame["khet_code"].astype(str) == code]
    counts = {
        c.survey_round: {
            str(t): int(n)
            for t, n in frame.loc[
                frame["survey_round"].astype(str) == c.survey_round,
                ["community_type", "communities"],
            ].itertuples(index=False)
        }
        for c in columns
    }
    present = [t for t in TYPE_NAMES if any(t in found for found in counts.values())]
    present += sorted({t for found in counts.values() for t in found} - set(TYPE_NAMES))
    shown = {label: _shown_types(found, by_round[label], notes) for label, found in counts.items()}
    return tuple(
        TypeRow(
            *TYPE_NAMES.get(kind, (kind, kind)),
            tuple(shown[c.survey_round].get(kind, Value("value", "0")) for c in columns),
        )
        for kind in present
    )


def _shown_types(found: dict[str, int], row: pd.Series, notes: _Notes) -> dict[str, Value]:
    """Each type's count, or "not shown" with the view's reason where the view hides it."""
    hidden_names = _hidden(row)
    total_hidden = "communities" in hidden_names or pd.isna(row.get("communities"))
    hidden = {
        kind for kind in found if total_hidden or _TYPE_INDICATOR.get(kind, "") in hidden_names
    }
    reason = notes.number(*_reason(row)) if hidden else None
    return {
        kind: Value("suppressed", note=reason) if kind in hidden else Value("value", f"{n:,}")
        for kind, n in found.items()
    }


def _khwaeng(code: str, khwaeng: pd.DataFrame) -> tuple[Khwaeng, ...]:
    own = khwaeng[khwaeng["khet_code"].astype(str) == code].sort_values("khwaeng_code")
    return tuple(
        Khwaeng(str(c), str(th), str(en))
        for c, th, en in zip(own["khwaeng_code"], own["name_th"], own["name_en"], strict=True)
    )


# --- small inline SVG charts ---------------------------------------------------------------------

_BAR = "#bd0026"  # YlOrRd's dark red: this khet
_OTHER = "#fd8d3c"
_GREY = "#737373"


def _rank_chart(ranks: _Ranks, row: pd.Series, value: Value) -> Markup | None:
    """The current picture's need index of every khet as a tick on 0-100, this khet the tall
    mark; a value the view hides has no tick, so no place of one is drawn."""
    if value.state != "value":
        return None
    own = float(pd.to_numeric(pd.Series([row["need_index"]]), errors="coerce").iloc[0])
    label = f"เขตนี้ · this khet: {value.text}"
    return index_strip(ranks.current_index, own, label)


def _svg_text(x: float, y: float, text: str, anchor: str = "start", size: int = 11) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}">'
        f"{escape(text)}</text>"
    )


def index_strip(values: Sequence[float], own: float, label: str) -> Markup:
    """Ticks of ``values`` on a 0-100 axis, ``own`` marked and labelled (``label``, plain)."""
    width, left, right = _SVG_WIDTH, 10, 10
    span = width - left - right

    def x(v: float) -> float:
        return left + span * min(max(v, 0.0), 100.0) / 100.0

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} 64" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{left}" y1="40" x2="{width - right}" y2="40" stroke="#999"/>',
    ]
    parts += [
        f'<line x1="{x(v):.1f}" y1="32" x2="{x(v):.1f}" y2="40" stroke="{_OTHER}" '
        'stroke-width="2"/>'
        for v in values
    ]
    parts.append(
        f'<line x1="{x(own):.1f}" y1="16" x2="{x(own):.1f}" y2="44" stroke="{_BAR}" '
        'stroke-width="4"/>'
    )
    anchor = "start" if own < 50 else "end"
    offset = 5 if own < 50 else -5
    parts.append(_svg_text(x(own) + offset, 24, label, anchor))
    parts += [_svg_text(x(v), 58, f"{v:g}", "middle", 10) for v in (0, 50, 100)]
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (numbers and escaped text only)


def _round_chart(indicator: Indicator, columns: tuple[Column, ...], row: IndicatorRow) -> Markup:
    """Bars of the khet's value in each surveyed round; a hidden value or no data is a dashed
    empty box of a fixed height with its words, never a bar of some length."""
    numbers = [v.number for v in row.values]
    top = max([n for n in numbers if n is not None] + [0.0]) or 1.0
    width, height, base = _SVG_WIDTH, 150, 120
    slot = (width - 20) / max(len(columns), 1)
    bar = min(slot * 0.6, 60)
    title = f"{indicator.label_th} · {indicator.label_en}"
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height + 14}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        _svg_text(4, 12, title, size=12),
        f'<line x1="10" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#999"/>',
    ]
    for i, (column, value, number) in enumerate(zip(columns, row.values, numbers, strict=True)):
        middle = 10 + slot * (i + 0.5)
        if number is None:
            parts.append(
                f'<rect x="{middle - bar / 2:.1f}" y="{base - 30}" width="{bar:.1f}" height="30" '
                f'fill="none" stroke="{_GREY}" stroke-dasharray="4 3"/>'
            )
            words = NOT_SHOWN_EN if value.state == "suppressed" else NO_DATA_EN.split(" for")[0]
            parts.append(_svg_text(middle, base - 34, words, "middle", 10))
        else:
            tall = (base - 30) * number / top
            parts.append(
                f'<rect x="{middle - bar / 2:.1f}" y="{base - tall:.1f}" width="{bar:.1f}" '
                f'height="{tall:.1f}" fill="{_BAR}"/>'
            )
            parts.append(_svg_text(middle, base - tall - 4, value.text, "middle", 10))
        parts.append(_svg_text(middle, base + 14, column.name_th, "middle", 10))
        parts.append(_svg_text(middle, base + 27, column.name_en, "middle", 9))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (numbers and escaped text only)


class _Locator:
    """Every khet's outline as an SVG path (simplified, once), for the locator maps."""

    def __init__(self, current: pd.DataFrame) -> None:
        self._paths: list[str] = []
        self._view = "0 0 1 1"
        if "geometry" not in current.columns or current["geometry"].isna().all():
            return
        frame = gpd.GeoDataFrame(current, geometry="geometry")
        if frame.crs is None:
            return
        web = web_geometry(frame, LOCATOR_SIMPLIFY_M).geometry
        west, south, east, north = (float(v) for v in web.total_bounds)
        ratio = math.cos(math.radians((south + north) / 2))
        scale = 300 / max((east - west) * ratio, 1e-9)
        self._view = f"0 0 300 {(north - south) * scale:.0f}"

        def ring(coords: Any) -> str:
            points = [
                f"{(lon - west) * ratio * scale:.1f},{(north - lat) * scale:.1f}"
                for lon, lat in coords
            ]
            return "M" + "L".join(points) + "Z"

        for geometry in web:
            parts = getattr(geometry, "geoms", [geometry]) if geometry is not None else []
            self._paths.append(
                "".join(
                    ring(part.exterior.coords) + "".join(ring(h.coords) for h in part.interiors)
                    for part in parts
                    if isinstance(part, shapely.Polygon)
                )
            )

    def svg(self, position: int) -> Markup:
        if not self._paths:
            return Markup("")
        others = "".join(
            f'<path d="{d}"/>' for i, d in enumerate(self._paths) if i != position and d
        )
        return Markup(  # noqa: S704 (numbers only)
            f'<svg class="locator" viewBox="{self._view}" role="img" '
            f'aria-label="แผนที่ที่ตั้ง · locator map" xmlns="http://www.w3.org/2000/svg">'
            f'<g fill="#f0f0f0" stroke="#999" stroke-width="0.6" fill-rule="evenodd">{others}</g>'
            f'<path d="{self._paths[position]}" fill="{_BAR}" stroke="#333" '
            'stroke-width="0.8" fill-rule="evenodd"/></svg>'
        )


_PAGE = jinja2.Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="th">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>เขต{{ c.name_th }} · {{ c.name_en }}: ข้อมูลรายเขต · khet profile</title>
<style>
body { font-family: "Noto Sans Thai", "Sarabun", "Garuda", "Loma", "Tahoma", sans-serif;
  margin: 1.5rem auto; max-width: 60rem; padding: 0 1rem; color: #222; line-height: 1.5; }
h1 { font-size: 1.6rem; margin: 0; } h2 { font-size: 1.2rem; margin: 1.6rem 0 .4rem; }
.en { color: #555; } .none, .hidden, .nodata { color: #666; font-style: italic; }
.locator { float: right; width: 15rem; height: auto; margin: 0 0 .5rem 1rem; }
.meta, .small { font-size: .85rem; } .meta { color: #333; }
.chart { width: 100%; max-width: 26rem; height: auto; display: block; margin: .3rem 0; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; margin-top: 1rem; }
table { border-collapse: collapse; width: auto; min-width: 60%; font-size: .9rem; }
td, th { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left;
  vertical-align: top; } td.n { text-align: right; white-space: nowrap; }
.rank { color: #555; font-size: .8rem; white-space: nowrap; } .scroll { overflow-x: auto; }
.headline { border-left: 4px solid #bd0026; padding: .2rem 0 .2rem 1rem; margin: 1rem 0;
  clear: both; }
.headline b { font-size: 1.4rem; } nav a { white-space: nowrap; }
ul.khwaeng { columns: 2 14rem; padding-left: 1.2rem; } .notes { font-size: .85rem; }
tr.not_returned td { color: #777; }
@media (max-width: 600px) { body { margin: 1rem auto; } h1 { font-size: 1.3rem; }
  td, th { padding: .3rem .25rem; } .locator { width: 7.5rem; margin-left: .5rem; } }
</style>
</head>
<body>
<nav><a href="{{ c.index }}">แผนที่ทั้งหมด · all maps</a>{% if c.map %}
 · <a href="{{ c.map }}">แผนที่ตัวชี้วัด · indicator map</a>{% endif %}{% if c.coverage_map %}
 · <a href="{{ c.coverage_map }}">การส่งข้อมูล · returns map</a>{% endif %}{% if c.methods %}
 · <a href="{{ c.methods }}">วิธีการและน้ำหนัก · methods and weights</a>{% endif %}</nav>
{{ c.locator }}
<h1>เขต{{ c.name_th }}</h1>
<p class="en">Khet {{ c.name_en }} · ข้อมูลรายเขต · khet profile · รหัส · code {{ c.khet_code }}</p>
<p>พื้นที่ · area {{ c.area_km2 }} ตร.กม. · km²<br>ประชากรตามทะเบียนราษฎร · registered
population {{ c.population }} คน · people</p>

<section class="headline">
<p>ดัชนีความต้องการ (ภาพรวมปัจจุบัน) · <span class="en">need index (current picture)</span><br>
{% set v = c.current_index %}{% if v.state == "value" %}<b>{{ v.text }}</b> / 100{% if v.rank %}
· อันดับ {{ v.rank }} จาก {{ v.of }} เขต · <span class="en">rank {{ v.rank }} of {{ v.of }}
khets</span>{% endif %}{% elif v.state == "suppressed" %}<span class="hidden">ไม่แสดง · not
shown</span><sup>{{ v.note }}</sup>{% elif c.current_round %}<span class="nodata">ไม่มีข้อมูล · no
data</span>{% else %}<span class="nodata">ยังไม่ได้สำรวจ · not surveyed</span>{% endif %}
{% if c.current_round %}<br><small>ค่าจาก{{ c.current_round.name_th }} · <span class="en">values
from {{ c.current_round.name_en }}</span></small>{% endif %}</p>
{% if c.rank_chart %}{{ c.rank_chart }}<p class="en small">ขีดแต่ละขีดคือเขตหนึ่งที่มีค่าเผยแพร่
(0 = ต้องการน้อยที่สุด, 100 = มากที่สุด) · each tick is a khet with a published index (0 = least
need, 100 = most); khets whose index is not shown have no tick.</p>{% endif %}
</section>
<p class="meta">{{ c.sources_th }} · <span class="en">{{ c.sources_en }}</span><br>
ที่มา: การสำรวจที่อยู่อาศัยชุมชนทั่วเมือง กรุงเทพมหานคร (ค่าที่เผยแพร่แล้วเท่านั้น) ·
<span class="en">source: the city-wide housing survey of Bangkok's communities (published values
only: khet_need_published, khet_coverage)</span><br>
รอบสำรวจ · rounds: {{ c.rounds | map(attribute="name_th") | join(", ") }} ·
<span class="en">{{ c.rounds | map(attribute="name_en") | join(", ") }}</span><br>
สร้างเมื่อ · built {{ c.built_at }}</p>

<h2>ตัวชี้วัดในแต่ละรอบที่สำรวจ · <span class="en">Indicators in every round that surveyed it</span></h2>
{% if c.columns %}
<p class="en">อันดับ 1 = ค่ามากที่สุดในบรรดาเขตที่สำรวจในรอบนั้น · rank 1 = the largest value among
the khets the round surveyed.</p>
<div class="scroll"><table>
<tr><th>ตัวชี้วัด · indicator</th>{% for col in c.columns %}<th>{{ col.name_th }}<br>
<span class="en">{{ col.name_en }}</span></th>{% endfor %}</tr>
{% for row in c.indicators %}<tr><td>{{ row.label_th }}<br><span class="en">{{ row.label_en }}
({{ row.unit }})</span></td>
{% for v in row.values %}<td class="n">{% if v.state == "value" %}{{ v.text }}{% if v.rank %}<br>
<span class="rank">อันดับ {{ v.rank }}/{{ v.of }} · rank {{ v.rank }} of {{ v.of }}</span>{% endif %}
{% elif v.state == "suppressed" %}<span class="hidden">ไม่แสดง · not shown</span>
<sup>{{ v.note }}</sup>{% else %}<span class="nodata">ไม่มีข้อมูล · no data</span>{% endif %}</td>
{% endfor %}</tr>
{% endfor %}</table></div>
{% else %}<p class="nodata">ยังไม่มีรอบใดสำรวจเขตนี้ · no round has surveyed this khet yet</p>{% endif %}
{% if c.not_surveyed_in %}<p>ยังไม่ได้สำรวจใน:
{{ c.not_surveyed_in | map(attribute="name_th") | join(", ") }} · <span class="en">not surveyed
in: {{ c.not_surveyed_in | map(attribute="name_en") | join(", ") }}</span></p>{% endif %}
{% if c.round_charts %}<div class="charts">{% for chart in c.round_charts %}{{ chart }}
{% endfor %}</div>{% endif %}

<h2>การส่งข้อมูล · <span class="en">Coverage</span></h2>
<div class="scroll"><table>
<tr><th>รอบ · round</th><th>สถานะ · status</th><th>ชุมชนที่สำรวจ · communities surveyed</th>
<th>ส่งล่าสุด · last return</th></tr>
{% for row in c.coverage %}{% set k = row.khet %}<tr class="{{ k.status if k else 'none' }}">
<td>{{ row.name_th }}<br><span class="en">{{ row.name_en }}</span></td>
{% if k %}<td>{{ k.status_th }}<br><span class="en">{{ k.status_en }}</span></td>
<td class="n">{{ "{:,}".format(k.communities_surveyed) }}{% if k.communities_expected %} /
{{ "{:,}".format(k.communities_expected) }} ({{ k.share_text }}){% endif %}
{% if k.communities_not_found %}<br><span class="rank">ไม่พบในทะเบียน
{{ k.communities_not_found }} · not found {{ k.communities_not_found }}</span>{% endif %}</td>
<td class="n">{{ k.last_return_text }}</td>
{% else %}<td colspan="3" class="nodata">ไม่มีข้อมูล · no data</td>{% endif %}</tr>
{% endfor %}</table></div>

<h2>ชุมชนตามประเภท · <span class="en">Communities by type</span></h2>
{% if c.types %}<div class="scroll"><table>
<tr><th>ประเภท · type</th>{% for col in c.columns %}<th>{{ col.name_th }}<br>
<span class="en">{{ col.name_en }}</span></th>{% endfor %}</tr>
{% for row in c.types %}<tr><td>{{ row.label_th }} · <span class="en">{{ row.label_en }}</span>
</td>{% for v in row.counts %}<td class="n">{% if v.state == "value" %}{{ v.text }}{% else %}
<span class="hidden">ไม่แสดง · not shown</span><sup>{{ v.note }}</sup>{% endif %}</td>
{% endfor %}</tr>
{% endfor %}</table></div>
{% else %}<p class="nodata">ไม่มีข้อมูล · no data</p>{% endif %}

<h2>แขวง · <span class="en">Khwaeng</span> ({{ c.khwaeng | length }})</h2>
{% if c.khwaeng %}<ul class="khwaeng">{% for w in c.khwaeng %}<li>แขวง{{ w.name_th }} ·
<span class="en">{{ w.name_en }}</span></li>{% endfor %}</ul>
{% else %}<p class="nodata">ไม่มีข้อมูล · no data</p>{% endif %}

{% if c.notes %}<div class="notes">{% for n in c.notes %}<p><sup>{{ n.number }}</sup>
{{ n.text_th }}<br><span class="en">{{ n.text_en }}</span></p>{% endfor %}</div>{% endif %}
<p>{{ c.privacy_th }}<br><span class="en">{{ c.privacy_en }}</span></p>
<p class="en">ไม่มีข้อมูล = ไม่มีชุมชนใดรายงานข้อมูลนั้น · no data: no community reported the
field; ไม่แสดง = ปกปิดเพื่อคุ้มครองข้อมูลส่วนบุคคล · not shown: hidden for privacy.
{% if c.methods %}<a href="{{ c.methods }}">วิธีการ · methods</a>{% else %}Indicators and method:
docs/indicators.md in the citywide repository{% endif %}. Built {{ c.built_at }}.</p>
</body>
</html>
"""
)
