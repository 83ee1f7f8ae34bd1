from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from citywide import report
from citywide.ingest.discovery import SurveyFile
from citywide.ingest.outcome import TableReport, TableStatus
from citywide.plan import KnownFile, Plan, PublishedState
from citywide.rounds import RoundProgress, round_progress
from tests.coverage_tables import coverage_frames

BANGKOK = ZoneInfo("Asia/Bangkok")
HOSTILE = "<script>alert(1)</script>|[x](http://evil)"


def a_plan(new: list[SurveyFile], unchanged: list[SurveyFile]) -> Plan:
    return Plan(False, tuple(new), tuple(unchanged), bool(new), bool(new), {}, ())


def ingested(
    file: str, status: TableStatus, loaded: int, message: str | None = None
) -> TableReport:
    return TableReport(
        Path(file), "0" * 64, None, status, rows_read=loaded + 1, rows_loaded=loaded,
        rows_rejected=1, warnings=2, message=message, survey_round="2568-1",
    )  # fmt: skip


def build(
    new: list[SurveyFile],
    unchanged: list[SurveyFile],
    rows: list[TableReport],
    before: PublishedState,
    need_after: dict[tuple[str, str], float],
    progress: tuple[RoundProgress, ...] = (),
) -> report.RunReport:
    return report.run_report(
        run_name="quiet-otter",
        started_at=datetime(2026, 11, 21, 6, 0, tzinfo=BANGKOK),
        finished_at=datetime(2026, 11, 21, 6, 1, tzinfo=BANGKOK),
        plan=a_plan(new, unchanged),
        before=before,
        ingested=rows,
        geography=None,
        need_after=need_after,
        khet_names={"1001": "Phra Nakhon", "1002": "Dusit"},
        maps=["/srv/maps/need_index.html"],
        progress=progress,
    )


def test_a_failed_file_makes_the_run_completed_with_problems() -> None:
    dusit = SurveyFile(Path("dusit.csv"), "2568-1", "d" * 64)
    bad = SurveyFile(Path("bad.xlsx"), "2568-1", "b" * 64)
    run = build(
        [dusit, bad],
        [],
        [ingested("dusit.csv", "loaded", 10), ingested("bad.xlsx", "failed", 0, "not a workbook")],
        PublishedState(need_index={("2568-1", "1001"): 40.0, ("2568-1", "1002"): 10.0}),
        {("2568-1", "1001"): 47.5, ("2568-1", "1002"): 10.0},
    )
    assert run.outcome == report.WITH_PROBLEMS
    assert [row.file for row in run.problems] == ["bad.xlsx"]
    texts = [change.en for change in run.changes]
    assert "2 new or changed file(s): 10 rows loaded, 1 rejected" in texts[0]
    assert texts[1] == "The need index changed in 1 khet(s); largest: Phra Nakhon +7.5."
    page = report.html(run)
    assert "สำเร็จ แต่มีปัญหา" in page
    assert "not a workbook" in page
    assert page.index("สิ่งที่เปลี่ยน") < page.index("What changed")  # Thai first
    table = report.file_table(run)
    assert [row["status"] for row in table] == ["loaded", "failed"]


def test_unchanged_files_are_listed_with_their_earlier_outcome() -> None:
    dusit = SurveyFile(Path("dusit.csv"), "2568-1", "d" * 64)
    before = PublishedState(
        committed_at="2026-11-20T06:00:03+07:00",
        known_files=(
            KnownFile("d" * 64, "/raw/dusit.csv", None, "2568-1", "failed", 0, 0, 0, 0, 0, "bad"),
        ),
    )
    run = build([], [dusit], [], before, {})
    assert [(row.file, row.status) for row in run.files] == [("dusit.csv", "unchanged, failed")]
    assert run.outcome == report.WITH_PROBLEMS  # still waiting for a corrected file
    assert "2026-11-20T06:00:03+07:00" in run.changes[0].en


def test_texts_from_files_are_escaped_everywhere() -> None:
    hostile = SurveyFile(Path(HOSTILE), "2568-1", "h" * 64)
    name = HOSTILE.replace("/", "")  # a file's name (no folder separator), as hostile as can be
    run = build([hostile], [], [ingested(name, "failed", 0, HOSTILE)], PublishedState(), {})
    page = report.html(run)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    summary = report.markdown(run)
    assert "<script>" not in summary
    assert "](http://evil)" not in summary
    assert "\\|" in summary  # a | in a name cannot break a table or a list


# --- the coverage section ----------------------------------------------------------------------


def progress_of_two_rounds() -> tuple[RoundProgress, ...]:
    rounds, coverage = coverage_frames(
        {
            "bma_registry": {"1001": "complete", "1002": "complete"},
            "2568": {"1001": "partial", "1002": "not_returned"},
        }
    )
    names = pd.DataFrame(
        {
            "khet_code": ["1001", "1002"],
            "name_th": ["พระนคร", HOSTILE],
            "name_en": ["Phra Nakhon", HOSTILE],
        }
    )
    return round_progress(rounds, coverage, names)


def test_the_report_says_how_far_each_round_has_come_newest_first() -> None:
    run = build([], [], [], PublishedState(), {}, progress=progress_of_two_rounds())
    assert [p.survey_round for p in run.coverage] == ["2568", "bma_registry"]
    page, summary = report.html(run), report.markdown(run)
    expected = {
        page: ("1 จาก 2 เขตส่งข้อมูลรอบสำรวจ 2568", "1 of 2 khets returned survey round 2568",
               "ยังไม่ส่ง: เขต&lt;script&gt;", "6 / 10 (60%)"),
        summary: ("## How far each round has come", "not returned yet: &lt;script&gt;",
                  "1 of 2 khets returned survey round 2568 (last return 2026-11-30)",
                  "| Phra Nakhon · พระนคร | partial | 6 of 10 (60%) | 2026-11-30 |"),
    }  # fmt: skip
    for rendering, texts in expected.items():
        assert "<script>" not in rendering
        assert [text for text in texts if text not in rendering] == []
    assert page.index("รอบสำรวจ 2568") < page.index("ทะเบียนชุมชน กทม.")  # newest first
    assert page.index("ความคืบหน้า") < page.index("How far each round")  # Thai first


def test_a_report_without_rounds_has_no_coverage_section() -> None:
    run = build([], [], [], PublishedState(), {})
    assert run.coverage == ()
    assert "How far each round" not in report.markdown(run)
    assert "How far each round" not in report.html(run)
