"""Round labels read as names, Thai first; how far each round has come."""

from __future__ import annotations

import pandas as pd

from citywide.rounds import display_name, latest_district_round, round_progress
from tests.coverage_tables import coverage_frames

NAMES = pd.DataFrame(
    {
        "khet_code": ["1001", "1002", "1003", "1004"],
        "name_th": ["พระนคร", "ดุสิต", "หนองจอก", "บางรัก"],
        "name_en": ["Phra Nakhon", "Dusit", "Nong Chok", "Bang Rak"],
    }
)


def two_rounds() -> tuple[pd.DataFrame, pd.DataFrame]:
    return coverage_frames(
        {
            "bma_registry": dict.fromkeys(("1001", "1002", "1003", "1004"), "complete"),
            "2568": {
                "1001": "complete",
                "1002": "not_returned",
                "1003": "partial",
                "1004": "not_returned",
            },
        }
    )


def test_the_registry_and_a_district_round_have_bilingual_names() -> None:
    assert display_name("bma_registry") == ("ทะเบียนชุมชน กทม.", "BMA community registry")
    assert display_name("2568") == ("รอบสำรวจ 2568", "survey round 2568")


def test_a_round_says_how_many_khets_returned_and_which_are_missing() -> None:
    registry, district = round_progress(*two_rounds(), NAMES)
    assert (registry.survey_round, district.survey_round) == ("bma_registry", "2568")
    assert district.sentence_th == "2 จาก 4 เขตส่งข้อมูลรอบสำรวจ 2568"
    assert district.sentence_en == "2 of 4 khets returned survey round 2568"
    assert district.missing_th == "ยังไม่ส่ง: เขตดุสิต, เขตบางรัก"
    assert district.missing_en == "not returned yet: Dusit, Bang Rak"
    assert [k.khet_code for k in district.complete] == ["1001"]
    assert registry.missing_en == "every khet has returned"
    assert registry.sentence_en == "4 of 4 khets returned BMA community registry"


def test_each_khet_carries_its_share_counts_and_last_return() -> None:
    _, district = round_progress(*two_rounds(), NAMES)
    nong_chok = district.khets[2]
    assert (nong_chok.name_th, nong_chok.status_en, nong_chok.status_th) == (
        "หนองจอก",
        "partial",
        "ส่งข้อมูลบางส่วน",
    )
    assert (nong_chok.communities_surveyed, nong_chok.communities_expected) == (6, 10)
    assert nong_chok.share_text == "60%"
    assert nong_chok.last_return_text == "2026-12-01"  # second khet of the round: a day later
    assert district.khets[0].last_return_text == "2026-11-30"
    dusit = district.khets[1]
    assert (dusit.returned, dusit.last_return_text, dusit.last_survey_date) == (False, "–", None)
    assert district.last_return_text == "2026-12-01"


def test_a_khet_without_a_name_is_shown_by_its_code_and_an_empty_round_has_no_khets() -> None:
    rounds, coverage = two_rounds()
    (_, district) = round_progress(rounds, coverage, NAMES.iloc[1:])
    assert district.khets[0].name_en == "1001"
    empty = round_progress(rounds, coverage.iloc[0:0], NAMES)
    assert [len(p.khets) for p in empty] == [0, 0]


def test_the_latest_district_round_is_the_newest_one_not_the_registry() -> None:
    progress = round_progress(*two_rounds(), NAMES)
    assert latest_district_round(progress) == progress[1]
    assert latest_district_round(progress[:1]) == progress[0]
    assert latest_district_round(()) is None
