"""The coverage map of a round: which khets returned it completely, partly or not yet.

Drawn from :class:`citywide.rounds.RoundProgress` (counts of communities only), the same object
index.html and the run report read. Three styles: complete solid dark green, partial light
green, not returned white with a dashed outline (the not-surveyed style of the other maps).
"""

from __future__ import annotations

from html import escape

import geopandas as gpd

from citywide.mapping.layers import NOT_SURVEYED_COLOUR, Shading
from citywide.rounds import COMPLETE, NOT_RETURNED, PARTIAL, STATUS_NAMES, KhetReturn, RoundProgress

COVERAGE_PAGE = "coverage.html"
COVERAGE_TITLE = ("การส่งข้อมูลรายเขต", "Returns by khet")
COVERAGE_COLOURS = {COMPLETE: "#238b45", PARTIAL: "#a1d99b", NOT_RETURNED: NOT_SURVEYED_COLOUR}
# What the page shows, with its units: a status per khet from counts of communities.
DEFINITION_TH = (
    "สถานะการส่งข้อมูลของแต่ละเขต: ชุมชนที่สำรวจแล้วเทียบกับชุมชนในทะเบียนที่คาดว่าจะสำรวจ (หน่วย: ชุมชน และร้อยละ)"
)
DEFINITION_EN = (
    "Each khet's return status: the communities surveyed against the registered communities "
    "expected, in communities and %."
)
_CSS = {COMPLETE: "cw-complete", PARTIAL: "cw-partial", NOT_RETURNED: "cw-not-surveyed"}


def coverage_layer(khets: gpd.GeoDataFrame, progress: RoundProgress) -> Shading:
    """Each khet of ``khets`` (one row per khet) in the style of its status in the round.

    A khet the round's coverage does not list is drawn as no data.
    """
    by_code = {khet.khet_code: khet for khet in progress.khets}
    returns = [by_code.get(str(code)) for code in khets["khet_code"]]  # one per khet
    fills = tuple(None if r is None else COVERAGE_COLOURS[r.status] for r in returns)
    round_line = f"{escape(progress.name_th)} · {escape(progress.name_en)}"
    tooltips = tuple(
        _tooltip(str(th), str(en), r, round_line)
        for th, en, r in zip(khets["name_th"], khets["name_en"], returns, strict=True)
    )
    title_th, title_en = COVERAGE_TITLE
    rows = [
        f'<summary class="cw-legend-title">{escape(title_th)}<br>'
        f"<small>{escape(title_en)}</small></summary>",
        f'<div class="cw-legend-note">{round_line}</div>',
    ]
    for status in (COMPLETE, PARTIAL, NOT_RETURNED):
        th, en = STATUS_NAMES[status]
        count = sum(1 for r in returns if r is not None and r.status == status)
        rows.append(
            f'<div class="cw-legend-row"><i class="{_CSS[status]}" '
            f'style="background:{COVERAGE_COLOURS[status]}"></i>'
            f"{escape(th)} · {escape(en)} <small>({count} เขต · khets)</small></div>"
        )
    rows.append(
        f'<div class="cw-legend-note">{escape(progress.sentence_th)} · '
        f"{escape(progress.sentence_en)}</div>"
    )
    return Shading(
        title_html=f"{escape(title_th)} · {escape(title_en)}",
        definition_html=(
            f'<span lang="th">{escape(DEFINITION_TH)}</span><br>'
            f'<span lang="en">{escape(DEFINITION_EN)}</span>'
        ),
        legend_html="".join(rows),
        fills=fills,
        tooltips=tooltips,
    )


def _tooltip(name_th: str, name_en: str, khet: KhetReturn | None, round_line: str) -> str:
    lines = [f"<b>เขต{escape(name_th)}</b> · {escape(name_en)}"]
    if khet is None:
        lines.append("<i>ไม่มีข้อมูล · no data</i>")
        return "<br>".join(lines)
    lines.append(f"<b>{escape(khet.status_th)}</b> · {escape(khet.status_en)}")
    surveyed, expected, share = (
        khet.communities_surveyed,
        khet.communities_expected,
        khet.share_text,
    )
    lines.append(
        f"สำรวจแล้ว {surveyed:,} จาก {expected:,} ชุมชน ({share}) · "
        f"{surveyed:,} of {expected:,} communities surveyed ({share})"
    )
    if khet.communities_not_found:
        lines.append(
            f"ไม่พบชุมชนในทะเบียน {khet.communities_not_found:,} แห่ง · "
            f"{khet.communities_not_found:,} registered communities not found"
        )
    if khet.returned:
        lines.append(f"ส่งล่าสุด · last return: {escape(khet.last_return_text)}")
    lines.append(round_line)
    return "<br>".join(lines)
