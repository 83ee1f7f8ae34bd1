"""Every map file: the current picture, each round's own pages, coverage and change maps, index.

:func:`map_files` is pure (a :class:`Picture` in, texts and bytes out, named by their path under
maps/); the Prefect task writes the result with :func:`citywide.files.write_files`, each file
atomically. The current picture's pages sit in maps/ itself, each round's in
maps/rounds/<label>/ (the same pages, that round alone); every link between them is relative, so
the folder works from a USB stick.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from html import escape
from pathlib import Path

import geopandas as gpd

from citywide.errors import PublishError
from citywide.indicators import INDICATOR_BY_NAME, INDICATORS, Indicator, SuppressionRule
from citywide.mapping.about import METHODS_PAGE, about_html, methods_page
from citywide.mapping.change import CHANGES, change_layer, change_page
from citywide.mapping.coverage import COVERAGE_PAGE, COVERAGE_TITLE, coverage_layer
from citywide.mapping.layers import (
    Layer,
    choropleth_layer,
    feature_collection,
    label_points,
    sources_note,
    unit_label,
    web_geometry,
)
from citywide.mapping.options import MapOptions as MapOptions  # made from the settings there
from citywide.mapping.page import (
    Basemap,
    IndexContent,
    IndexEntry,
    RoundEntry,
    index_page,
    map_page,
)
from citywide.mapping.picture import Picture as Picture
from citywide.mapping.profile import (
    PROFILE_FOLDER,
    Links,
    ProfileLink,
    profile_files,
    profile_links,
    profile_page,
)
from citywide.mapping.static import PrintNotes, layer_png
from citywide.rounds import RoundProgress, display_name, latest_district_round

INDEX_PAGE = "index.html"
REPORT_PAGE = "report.html"  # written by the run report, next to index.html
COMPOSITE_PAGE = "all_indicators.html"
PNG = "need_index.png"
ROUNDS_FOLDER = "rounds"
TITLE_TH = "ความต้องการด้านที่อยู่อาศัยของชุมชนรายเขต กรุงเทพมหานคร"
TITLE_EN = "Housing need of communities by khet, Bangkok"
CURRENT_NAME = ("ภาพรวมปัจจุบัน", "current picture")
# The current picture's need index per khwaeng (khwaeng_need_current_published).
KHWAENG_PAGE = "khwaeng_need_index.html"
KHWAENG_TITLE = ("ดัชนีความต้องการรายแขวง", "Need index by khwaeng")
KHWAENG_NOTE = (
    "ชุมชนที่ไม่ระบุแขวงนับเฉพาะรายเขต; ไม่มีประชากรทะเบียนรายแขวง ดัชนีจึงไม่รวมสัดส่วนประชากร",
    "communities without a khwaeng count per khet only; no registered population per khwaeng, "
    "so the index leaves out the population share",
)
# The headline first, then the indicators in their documented order.
MAP_ORDER: tuple[Indicator, ...] = (
    INDICATOR_BY_NAME["need_index"],
    *(i for i in INDICATORS if i.name != "need_index"),
)
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Scope:
    """Where a set of pages sits and what it shows: the current picture, or one round alone."""

    folder: str  # "" for maps/ itself, "rounds/<label>/" for a round
    name_th: str
    name_en: str

    @property
    def up(self) -> str:
        """From the scope's folder back to maps/."""
        return "../" * self.folder.count("/")


CURRENT = Scope("", *CURRENT_NAME)


def round_scope(label: str) -> Scope:
    return Scope(f"{ROUNDS_FOLDER}/{safe_label(label)}/", *display_name(label))


def safe_label(label: str) -> str:
    """A round label as a folder name: ASCII letters, digits, - and _ (a hash when changed)."""
    cleaned = _UNSAFE.sub("_", label).strip("_")
    if cleaned == label:
        return label
    return f"{cleaned or 'round'}-{hashlib.sha256(label.encode()).hexdigest()[:8]}"


def page_name(indicator: Indicator) -> str:
    return f"{indicator.name}.html"


def stale_pages(folder: Path, written: Collection[str]) -> list[Path]:
    """Map pages in ``folder`` from an earlier run that this run did not write.

    The pages citywide names in maps/ itself (indicator, change and coverage pages; never
    index.html or report.html, written every run) and every file under maps/rounds/ and
    maps/khet/ (the khet profiles).
    """
    named = [page_name(i) for i in MAP_ORDER] + [change_page(i) for i, _ in CHANGES]
    candidates = [folder / name for name in [*named, COVERAGE_PAGE, KHWAENG_PAGE]]
    for under in (ROUNDS_FOLDER, PROFILE_FOLDER):
        candidates += sorted(path for path in (folder / under).rglob("*") if path.is_file())
    return [
        path
        for path in candidates
        if path.is_file() and path.relative_to(folder).as_posix() not in written
    ]


def remove_stale_pages(folder: Path, written: Collection[str]) -> list[Path]:
    """Delete :func:`stale_pages`, then the round folders they leave empty; returns them all."""
    removed = stale_pages(folder, written)
    for path in removed:
        path.unlink()
    rounds = folder / ROUNDS_FOLDER
    emptied = [path for path in sorted(rounds.glob("*/")) if not any(path.iterdir())]
    for path in emptied:
        path.rmdir()
    return removed + emptied


def map_files(
    picture: Picture, options: MapOptions, built_at: datetime, methods: str
) -> dict[str, str | bytes]:
    """Every page: the current picture in maps/, each round in maps/rounds/<label>/, and
    maps/methods.html (``methods``: the text of docs/indicators.md) that every page links to."""
    khets = picture.current
    if len(khets) == 0 or khets["khet_code"].duplicated().any():
        raise PublishError(
            "the maps need one published row per khet",
            expected="one row per khet (khet_need_current_published)",
            found=f"{len(khets)} rows, {khets['khet_code'].nunique()} khets",
            where="view khet_need_current_published",
            fix="ingest a survey round, then run: citywide publish",
        )
    built = built_at.strftime("%Y-%m-%d %H:%M %Z").strip()
    progress = {p.survey_round: p for p in picture.progress}
    files: dict[str, str | bytes] = {}
    entries = []
    if len(picture.rounds) > 0:
        ordered = picture.rounds.sort_values(["round_order", "khet_code"], kind="stable")
        for label, rows in ordered.groupby("survey_round", sort=False):  # one per round
            scope = round_scope(str(label))
            found = progress.get(str(label))
            pages = _scope_pages(rows.reset_index(drop=True), options, scope, found, False, built)
            own = (RoundEntry(found, None, pages.coverage),) if found is not None else ()
            files |= _index(pages, scope, built, options, own)
            files |= {scope.folder + name: content for name, content in pages.files.items()}
            if found is not None:
                listed = RoundEntry(found, scope.folder + INDEX_PAGE, _in(scope, pages.coverage))
                entries.append(listed)
    latest = latest_district_round(picture.progress)
    current = _scope_pages(khets, options, CURRENT, latest, True, built)
    files |= current.files
    by_khwaeng = khwaeng_page(picture.khwaeng, khets, options, built)
    if by_khwaeng is not None:
        files[KHWAENG_PAGE] = by_khwaeng
    khwaeng = KHWAENG_PAGE if by_khwaeng is not None else None
    files |= _index(current, CURRENT, built, options, tuple(reversed(entries)), khwaeng)
    catalogue = [*MAP_ORDER, *(indicator for indicator, _ in CHANGES)]
    files[METHODS_PAGE] = methods_page(
        methods, options.need_weights, catalogue, khets, built, INDEX_PAGE
    )
    shown = next((entry.page for entry in current.indicators if entry.page), current.composite)
    files |= profile_files(
        picture,
        built,
        _privacy(options.suppression),
        Links(index=INDEX_PAGE, map=shown, coverage=current.coverage, methods=METHODS_PAGE),
    )
    return files


def khwaeng_page(
    khwaeng: gpd.GeoDataFrame, khets: gpd.GeoDataFrame, options: MapOptions, built: str
) -> str | None:
    """The need index of the current picture per khwaeng, the khet names as labels; None when
    no khwaeng row (or no published index) is there to draw."""
    if len(khwaeng) == 0:
        return None
    web = web_geometry(khwaeng, options.simplify_m)
    need_index = INDICATOR_BY_NAME["need_index"]
    layer = choropleth_layer(
        web, need_index, options.classification, options.classes, options.suppression
    )
    if len(layer.classes) == 0:
        return None
    note_th, note_en = KHWAENG_NOTE
    links = [
        (METHODS_PAGE, "วิธีการและน้ำหนัก", "methods and weights"),
        (INDEX_PAGE, "แผนที่ทั้งหมด", "all maps"),
    ]
    about = about_html(
        khets, (CURRENT.name_th, CURRENT.name_en), built, _privacy(options.suppression), links
    )  # the khwaeng values come from the rounds of their khets
    base = _basemap(
        web,
        web_geometry(khets, options.simplify_m),  # the khet names: 180 would crowd the map
        options,
        f'<p class="cw-note">{escape(note_th)}<br><span lang="en">{escape(note_en)}</span></p>'
        + about,
        profiles=tuple(profile_page(code) for code in web["khet_code"]),  # each khwaeng's khet
    )
    title_th, title_en = KHWAENG_TITLE
    return map_page(base, title_th, title_en, [layer])


@dataclass(frozen=True)
class _Pages:
    """One scope's pages (named within its folder) and what its index lists."""

    files: dict[str, str | bytes]
    sources: str
    indicators: tuple[IndexEntry, ...]
    changes: tuple[IndexEntry, ...]
    composite: str | None
    png: str | None
    coverage: str | None
    profiles: tuple[ProfileLink, ...]


def _in(scope: Scope, page: str | None) -> str | None:
    return None if page is None else scope.folder + page


def _scope_pages(
    khets: gpd.GeoDataFrame,
    options: MapOptions,
    scope: Scope,
    coverage: RoundProgress | None,
    required: bool,
    built: str,
) -> _Pages:
    """The indicator, composite, change and coverage pages and the PNG of one scope."""
    sources = sources_note(khets)
    web = web_geometry(khets, options.simplify_m)
    layers = [
        choropleth_layer(
            web, indicator, options.classification, options.classes, options.suppression
        )
        for indicator in MAP_ORDER
    ]
    drawn = [layer for layer in layers if len(layer.classes) > 0]
    if required and not drawn:
        raise PublishError(
            "there is nothing to map: every indicator is suppressed or without data",
            expected="at least one indicator with a published value",
            found=f"{len(khets)} khets ({sources}) with no published value",
            where="view khet_need_current_published",
            fix="check the round's returns (citywide query) and CITYWIDE_SUPPRESSION_K",
        )
    changes = [
        change_layer(web, indicator, of, options.suppression)
        for indicator, of in CHANGES
        if indicator.name in web.columns
    ]
    changes = [layer for layer in changes if len(layer.classes) > 0]
    current_th, current_en = CURRENT_NAME
    links = [
        (f"{scope.up}{METHODS_PAGE}", "วิธีการและน้ำหนัก", "methods and weights"),
        (INDEX_PAGE, "แผนที่ทั้งหมด", "all maps"),
    ]
    if scope.up:
        links.append((f"{scope.up}{INDEX_PAGE}", current_th, current_en))
    base = _basemap(
        web,
        web,
        options,
        about_html(
            khets, (scope.name_th, scope.name_en), built, _privacy(options.suppression), links
        ),
        profiles=tuple(scope.up + profile_page(code) for code in web["khet_code"]),  # per feature
    )
    files: dict[str, str | bytes] = {
        page: map_page(base, layer.indicator.label_th, layer.indicator.label_en, [layer])
        for page, layer in [
            *((page_name(layer.indicator), layer) for layer in drawn),
            *((change_page(layer.indicator), layer) for layer in changes),
        ]
    }
    if drawn:
        files[COMPOSITE_PAGE] = map_page(base, "ตัวชี้วัดทั้งหมด", "All indicators", drawn)
        privacy_th, privacy_en = _privacy(options.suppression)
        notes = PrintNotes(
            TITLE_TH, TITLE_EN, scope.name_th, scope.name_en, sources, built, privacy_th, privacy_en
        )
        files[PNG] = layer_png(khets, drawn[0], notes)
    if coverage is not None:
        title_th, title_en = COVERAGE_TITLE
        files[COVERAGE_PAGE] = map_page(base, title_th, title_en, [coverage_layer(web, coverage)])
    return _Pages(
        files=files,
        sources=sources,
        indicators=tuple(_entry(layer, page_name(layer.indicator)) for layer in layers),
        changes=tuple(_entry(layer, change_page(layer.indicator)) for layer in changes),
        composite=COMPOSITE_PAGE if drawn else None,
        png=PNG if drawn else None,
        coverage=COVERAGE_PAGE if coverage is not None else None,
        profiles=profile_links(khets),
    )


def _basemap(
    web: gpd.GeoDataFrame,
    labelled: gpd.GeoDataFrame,
    options: MapOptions,
    about: str,
    profiles: tuple[str, ...] = (),
) -> Basemap:
    """The outlines of ``web`` and its extent, the names of ``labelled`` (the same places, or
    the khets over khwaeng), the configured tiles, the (escaped) header paragraphs and each
    feature's khet profile page."""
    west, south, east, north = (float(v) for v in web.total_bounds)
    return Basemap(
        features=feature_collection(web),
        labels=label_points(labelled),
        bounds=(west, south, east, north),
        tiles=options.tiles,
        about_html=about,
        profiles=profiles,
    )


def _index(
    pages: _Pages,
    scope: Scope,
    built: str,
    options: MapOptions,
    rounds: tuple[RoundEntry, ...],
    khwaeng: str | None = None,
) -> dict[str, str | bytes]:
    privacy_th, privacy_en = _privacy(options.suppression)
    content = IndexContent(
        title_th=TITLE_TH,
        title_en=TITLE_EN,
        scope_th=scope.name_th,
        scope_en=scope.name_en,
        sources=pages.sources,
        built_at=built,
        home=f"{scope.up}{INDEX_PAGE}" if scope.up else None,
        report=f"{scope.up}{REPORT_PAGE}",
        methods=f"{scope.up}{METHODS_PAGE}",
        composite=pages.composite,
        png=pages.png,
        coverage=pages.coverage,
        indicators=pages.indicators,
        changes=pages.changes,
        rounds=rounds,
        privacy_th=privacy_th,
        privacy_en=privacy_en,
        khwaeng=khwaeng,
        profiles=tuple(replace(link, page=scope.up + link.page) for link in pages.profiles),
    )
    return {scope.folder + INDEX_PAGE: index_page(content)}


def _entry(layer: Layer, page: str) -> IndexEntry:
    indicator = layer.indicator
    return IndexEntry(
        label_th=indicator.label_th,
        label_en=indicator.label_en,
        unit=unit_label(indicator),
        page=page if len(layer.classes) > 0 else None,
    )


def _privacy(rule: SuppressionRule) -> tuple[str, str]:
    th, en = rule.note()
    return (
        f"{th} แผนที่ไม่แสดงชื่อหรือตำแหน่งของชุมชนใด",
        f"{en} No community's name or location appears on these maps.",
    )
