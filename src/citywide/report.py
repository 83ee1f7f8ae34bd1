"""The run report: what a run did to each file, what changed since the last run, where the maps are.

:func:`run_report` builds it from what the run's steps returned (pure); :func:`file_table`,
:func:`markdown` and :func:`html` render it for Prefect's table and markdown artifacts and for
maps/report.html, which planners open without Prefect. Thai comes first in anything a planner
reads; every text from a file (names, messages) is escaped in each rendering.
"""

from __future__ import annotations

import html as html_escape
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jinja2

from citywide.ingest.outcome import TableReport
from citywide.plan import Plan, PublishedState
from citywide.rounds import RoundProgress

COMPLETED = "completed"
WITH_PROBLEMS = "completed with problems"
OUTCOME_TH = {COMPLETED: "สำเร็จ", WITH_PROBLEMS: "สำเร็จ แต่มีปัญหา"}
STATUS_TH = {
    "loaded": "นำเข้าแล้ว",
    "failed": "นำเข้าไม่ได้",
    "unchanged": "ไม่เปลี่ยนแปลง",
    "unchanged, failed": "ไม่เปลี่ยนแปลง (เคยนำเข้าไม่ได้)",
    "already ingested": "เคยนำเข้าแล้ว",
    "skipped": "ข้าม ไม่ได้อ่าน",
}
SKIPPED = "skipped"
NEED_CHANGES_SHOWN = 5


@dataclass(frozen=True)
class FileRow:
    file: str
    sheet: str | None
    survey_round: str
    status: str  # loaded / failed (this run), unchanged / "unchanged, failed" (an earlier run)
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    warnings: int
    message: str | None

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "unchanged, failed")


@dataclass(frozen=True)
class Change:
    th: str
    en: str


@dataclass(frozen=True)
class RunReport:
    run_name: str
    started_at: datetime
    finished_at: datetime
    files: tuple[FileRow, ...]
    changes: tuple[Change, ...]
    maps: tuple[str, ...]  # links: MAPS_URL + name, or the file's path
    database_changed: bool
    coverage: tuple[RoundProgress, ...] = ()  # every round, newest first

    @property
    def problems(self) -> tuple[FileRow, ...]:
        return tuple(row for row in self.files if row.failed)

    @property
    def skipped(self) -> tuple[FileRow, ...]:
        """Entries of the survey folder the run did not read (they never stop a run)."""
        return tuple(row for row in self.files if row.status == SKIPPED)

    @property
    def outcome(self) -> str:
        return WITH_PROBLEMS if self.problems else COMPLETED


def run_report(
    *,
    run_name: str,
    started_at: datetime,
    finished_at: datetime,
    plan: Plan,
    before: PublishedState,
    ingested: Sequence[TableReport],
    geography: Mapping[str, int] | None,
    need_after: Mapping[tuple[str, str], float],
    khet_names: Mapping[str, str],
    maps: Sequence[str],
    progress: Sequence[RoundProgress] = (),
) -> RunReport:
    """The report of one run, from its plan, the state before it and what its steps returned.

    ``progress`` is every round's coverage (rounds.round_progress), first round first.
    """
    files = [_ingested_row(report) for report in ingested]
    unchanged = {survey.sha256: survey for survey in plan.unchanged_files}
    for known in before.known_files:
        if known.sha256 in unchanged:
            status = "unchanged, failed" if known.status == "failed" else "unchanged"
            files.append(
                FileRow(Path(known.path).name, known.sheet, known.survey_round, status,
                        known.rows_read, known.rows_loaded, known.rows_rejected, known.warnings,
                        known.message)
            )  # fmt: skip
    files += [
        FileRow(f"{skip.path.parent.name}/{skip.path.name}", None, skip.survey_round or "",
                SKIPPED, 0, 0, 0, 0, f"{skip.reason} · แก้ไข / fix: {skip.fix}")
        for skip in plan.skipped
    ]  # fmt: skip
    changes = _changes(plan, before, ingested, geography, need_after, khet_names, maps)
    return RunReport(
        run_name, started_at, finished_at, tuple(files), tuple(changes), tuple(maps),
        plan.writes_database, tuple(reversed(progress)),
    )  # fmt: skip


def _ingested_row(report: TableReport) -> FileRow:
    return FileRow(
        report.path.name,
        report.sheet or None,
        report.survey_round or "",
        report.status,
        report.rows_read,
        report.rows_loaded,
        report.rows_rejected,
        report.warnings,
        report.message or None,
    )


def _changes(
    plan: Plan,
    before: PublishedState,
    ingested: Sequence[TableReport],
    geography: Mapping[str, int] | None,
    need_after: Mapping[tuple[str, str], float],
    khet_names: Mapping[str, str],
    maps: Sequence[str],
) -> list[Change]:
    if plan.nothing_to_do:
        since = before.committed_at or "-"
        return [
            Change(
                f"ไม่มีไฟล์ใหม่หรือไฟล์ที่เปลี่ยนแปลง ข้อมูลล่าสุดเมื่อ {since}",
                f"Nothing new or changed since the last change ({since}); nothing was redone.",
            )
        ]
    changes = []
    if geography is not None:
        counts = ", ".join(f"{table} {rows:,}" for table, rows in geography.items())
        changes.append(
            Change(f"สร้างข้อมูลเขตและแขวงใหม่ ({counts})", f"Geography rebuilt ({counts}).")
        )
    loaded = [r for r in ingested if r.status == "loaded"]
    failed = [r for r in ingested if r.status == "failed"]
    if ingested:
        rows = sum(r.rows_loaded for r in loaded)
        rejected = sum(r.rows_rejected for r in loaded)
        changes.append(
            Change(
                f"ไฟล์ใหม่หรือเปลี่ยนแปลง {len(plan.new_files)} ไฟล์: นำเข้า {rows:,} แถว "
                f"ไม่ผ่าน {rejected:,} แถว อ่านไม่ได้ {len(failed)} ตาราง",
                f"{len(plan.new_files)} new or changed file(s): {rows:,} rows loaded, "
                f"{rejected:,} rejected, {len(failed)} table(s) could not be read.",
            )
        )
    changes += _need_changes(before.need_index, need_after, khet_names)
    if maps:
        changes.append(
            Change(
                f"เผยแพร่แผนที่และไฟล์ส่งออกใหม่ {len(maps)} ไฟล์",
                f"Maps and exports republished ({len(maps)} files).",
            )
        )
    return changes


def _need_changes(
    before: Mapping[tuple[str, str], float],
    after: Mapping[tuple[str, str], float],
    khet_names: Mapping[str, str],
) -> list[Change]:
    """How many khets' need index moved, and the largest moves (first is largest)."""
    if not after:
        return []
    moved = {
        key: value - before.get(key, 0.0)
        for key, value in after.items()
        if key not in before or abs(value - before[key]) >= 0.05
    }
    new_rounds = sorted({r for r, _ in after} - {r for r, _ in before})
    if new_rounds:
        rounds = ", ".join(new_rounds)
        return [
            Change(f"ดัชนีความต้องการของรอบใหม่: {rounds}", f"Need index for new round(s): {rounds}.")
        ]
    if not moved:
        return [Change("ดัชนีความต้องการไม่เปลี่ยน", "The need index did not change in any khet.")]
    largest = sorted(moved.items(), key=lambda item: -abs(item[1]))[:NEED_CHANGES_SHOWN]
    listed = ", ".join(f"{khet_names.get(k, k)} {delta:+.1f}" for (_, k), delta in largest)
    return [
        Change(
            f"ดัชนีความต้องการเปลี่ยนใน {len(moved)} เขต (มากที่สุด: {listed})",
            f"The need index changed in {len(moved)} khet(s); largest: {listed}.",
        )
    ]


# --- renderings --------------------------------------------------------------------------------

FILE_COLUMNS = (
    "file", "sheet", "survey_round", "status", "rows_read", "rows_loaded", "rows_rejected",
    "warnings", "message",
)  # fmt: skip


def file_table(report: RunReport) -> list[dict[str, object]]:
    """One row per table of every file, for Prefect's table artifact."""
    return [{name: getattr(row, name) for name in FILE_COLUMNS} for row in report.files]


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~-])")


def _md(text: object) -> str:
    """Text from a file, shown as itself in markdown (no links, HTML or table breaks)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html_escape.escape(str(text), quote=False))


def markdown(report: RunReport) -> str:
    """The summary for Prefect's markdown artifact (English first for operators, then Thai)."""
    lines = [
        f"# citywide run {_md(report.run_name)}: {report.outcome}",
        "",
        f"{report.started_at:%Y-%m-%d %H:%M} to {report.finished_at:%H:%M:%S} (Asia/Bangkok)",
        "",
        "## What changed since the last run",
        "",
        *(f"- {_md(change.en)}  \n  {_md(change.th)}" for change in report.changes),
    ]
    if report.problems:
        lines += ["", "## Problems to fix", ""]
        lines += [
            f"- **{_md(row.file)}** ({_md(row.survey_round)}): {_md(row.message or row.status)}"
            for row in report.problems
        ]
    if report.skipped:
        lines += ["", "## Files not read (skipped)", ""]
        lines += [f"- **{_md(row.file)}**: {_md(row.message)}" for row in report.skipped]
    lines += coverage_markdown(report.coverage)
    lines += ["", "## Maps", ""]
    lines += [f"- [{_md(Path(link).name)}]({_md(link)})" for link in report.maps] or [
        "- maps unchanged"
    ]
    files = sum(1 for row in report.files)
    lines += ["", f"{files} file table(s) in the run's table artifact `citywide-files`."]
    return "\n".join(lines) + "\n"


_HTML = jinja2.Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="th">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>รายงานการประมวลผล · citywide run report</title>
<style>
body { font-family: "Noto Sans Thai", "Sarabun", "Garuda", "Loma", "Tahoma", sans-serif;
  margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #222; line-height: 1.5; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
td, th { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left;
  vertical-align: top; }
td.n { text-align: right; } .en { color: #555; }
.problems { background: #fff3e0; border-left: 4px solid #e65100; padding: .5rem 1rem; }
.ok { border-left: 4px solid #2e7d32; padding: .5rem 1rem; }
tr.failed td { background: #fdecea; }
.message { white-space: pre-line; overflow-wrap: anywhere; }
</style>
</head>
<body>
<h1>รายงานการประมวลผล <span class="en">· citywide run report</span></h1>
<p class="{{ 'problems' if report.problems else 'ok' }}">
<b>{{ outcome_th }}</b> · <span class="en">{{ report.outcome }}</span><br>
{{ report.started_at.strftime('%Y-%m-%d %H:%M') }} – {{ report.finished_at.strftime('%H:%M:%S') }}
(เวลากรุงเทพฯ · Asia/Bangkok) · {{ report.run_name }}</p>
<h2>สิ่งที่เปลี่ยนตั้งแต่ครั้งก่อน <span class="en">· What changed since the last run</span></h2>
<ul>{% for change in report.changes %}
<li>{{ change.th }}<br><span class="en">{{ change.en }}</span></li>{% endfor %}
</ul>
{% if report.problems %}
<h2>ปัญหาที่ต้องแก้ <span class="en">· Problems to fix</span></h2>
<ul>{% for row in report.problems %}
<li><b>{{ row.file }}</b> ({{ row.survey_round }}):
<span class="message">{{ row.message or row.status }}</span></li>{% endfor %}
</ul>
<p>แก้ไฟล์แล้ววางไฟล์ใหม่แทนในโฟลเดอร์เดิม รอบถัดไปจะนำเข้าให้เอง ·
<span class="en">Correct the file and put it back in the same folder: the next run ingests
it.</span></p>
{% endif %}
{% if report.skipped %}
<h2>ไฟล์ที่ไม่ได้อ่าน <span class="en">· Files not read (skipped)</span></h2>
<ul>{% for row in report.skipped %}
<li><b>{{ row.file }}</b>: {{ row.message }}</li>{% endfor %}
</ul>
{% endif %}
{% if report.coverage %}
<h2>ความคืบหน้าของรอบสำรวจ <span class="en">· How far each round has come</span></h2>
{% for p in report.coverage %}
<h3>{{ p.name_th }} <span class="en">· {{ p.name_en }}</span></h3>
<p>{{ p.sentence_th }}<br><span class="en">{{ p.sentence_en }}</span><br>
{{ p.missing_th }}<br><span class="en">{{ p.missing_en }}</span><br>
ส่งข้อมูลล่าสุด · last return: {{ p.last_return_text }}</p>
{% if p.returned %}<details><summary>เขตที่ส่งข้อมูล · khets returned ({{ p.returned | length }})
</summary><table>
<tr><th>เขต · khet</th><th>สถานะ · status</th><th>ชุมชนที่สำรวจ · surveyed</th>
<th>ส่งล่าสุด · last return</th></tr>
{% for k in p.returned %}<tr><td>{{ k.name_th }} <span class="en">· {{ k.name_en }}</span></td>
<td>{{ k.status_th }} <span class="en">· {{ k.status_en }}</span></td>
<td class="n">{{ k.communities_surveyed }} / {{ k.communities_expected }} ({{ k.share_text }})</td>
<td>{{ k.last_return_text }}</td></tr>
{% endfor %}</table></details>{% endif %}
{% endfor %}
{% endif %}
<h2>แผนที่ <span class="en">· Maps</span></h2>
<p><a href="index.html">แผนที่ทั้งหมด · all maps</a>
{% if report.coverage %} · <a href="coverage.html">แผนที่การส่งข้อมูล · coverage map</a>{% endif %}</p>
<h2>ไฟล์ <span class="en">· Files</span></h2>
<table>
<tr><th>ไฟล์ · file</th><th>รอบ · round</th><th>สถานะ · status</th><th>อ่าน · read</th>
<th>นำเข้า · loaded</th><th>ไม่ผ่าน · rejected</th><th>คำเตือน · warnings</th>
<th>หมายเหตุ · note</th></tr>
{% for row in report.files %}
<tr class="{{ 'failed' if row.failed else '' }}">
<td>{{ row.file }}{% if row.sheet %} [{{ row.sheet }}]{% endif %}</td>
<td>{{ row.survey_round }}</td><td>{{ status_th.get(row.status, row.status) }}<br>
<span class="en">{{ row.status }}</span></td><td class="n">{{ "{:,}".format(row.rows_read) }}</td>
<td class="n">{{ "{:,}".format(row.rows_loaded) }}</td>
<td class="n">{{ "{:,}".format(row.rows_rejected) }}</td>
<td class="n">{{ "{:,}".format(row.warnings) }}</td>
<td class="message">{{ row.message or "" }}</td></tr>
{% endfor %}
</table>
<p class="en">Rejected rows and warnings, row by row: tables rejected_row and row_warning in the
database; district officers can run <code>citywide check FILE</code> before sending a return.</p>
</body>
</html>
"""
)


def html(report: RunReport) -> str:
    """maps/report.html: the same report for planners, bilingual, self-contained."""
    return _HTML.render(report=report, outcome_th=OUTCOME_TH[report.outcome], status_th=STATUS_TH)


# --- the coverage section -----------------------------------------------------------------------


def coverage_markdown(progress: Sequence[RoundProgress]) -> list[str]:
    """How far each round has come, newest first: the sentence, the missing khets, and a table of
    the khets returned with each one's last return."""
    if not progress:
        return []
    lines = ["", "## How far each round has come"]
    for p in progress:
        lines += [
            "",
            f"### {_md(p.name_en)} · {_md(p.name_th)}",
            "",
            f"{_md(p.sentence_en)} (last return {p.last_return_text}).  ",
            f"{_md(p.sentence_th)}  ",
            f"{_md(p.missing_en)}  ",
            _md(p.missing_th),
        ]
        if p.returned:
            lines += [
                "",
                "| khet | status | communities surveyed | last return |",
                "|---|---|---|---|",
            ]
            lines += [
                f"| {_md(k.name_en)} · {_md(k.name_th)} | {k.status_en} | "
                f"{k.communities_surveyed} of {k.communities_expected} ({k.share_text}) | "
                f"{k.last_return_text} |"
                for k in p.returned
            ]
    return lines
