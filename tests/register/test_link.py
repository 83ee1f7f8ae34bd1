"""The linking rules on frames: one register, one round's mentions, no database."""

from __future__ import annotations

import pandas as pd
import pytest

from citywide.register.decisions import no_decisions
from citywide.register.link import (
    LINK_COLUMNS,
    MENTION_COLUMNS,
    LinkRules,
    advance,
    community_id,
    link_round,
    mark_not_found,
    seed,
)
from citywide.register.normalise import name_key

RULES = LinkRules(fuzzy_min=85, margin=5, max_distance_m=1500, complete_share=0.8)
WAT_MAI = (13.71, 100.505)  # a point; 0.001 deg of latitude is about 111 m


def mentions(*rows: dict[str, object]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {
                "khet_code": "1001", "khwaeng_code": None, "community_code": None,
                "lat": None, "lon": None, "community_type": "slum", "source_file_id": 1,
                "source_row": i + 2, **row,
            }
            for i, row in enumerate(rows)
        ]
    )  # fmt: skip
    frame["name_key"] = frame["community_name"].map(name_key)
    frame["community_key"] = frame.get("community_key", None)
    frame["community_key"] = frame["community_key"].fillna(
        frame["khet_code"] + ":name:" + frame["name_key"]
    )
    return frame[list(MENTION_COLUMNS)]


def registry(*rows: dict[str, object]) -> pd.DataFrame:
    frame = mentions(*rows)
    frame["community_key"] = frame["khet_code"] + ":" + frame["community_code"]
    linked = seed("bma_registry", frame)
    return advance(linked.new_entries.iloc[:0], "bma_registry", linked, frame)


def links_of(result_links: pd.DataFrame) -> dict[str, tuple[str, str]]:
    keys, ids, methods = (result_links[c].astype(str).tolist() for c in LINK_COLUMNS[:3])
    return {key: (cid, method) for key, cid, method in zip(keys, ids, methods, strict=True)}


REGISTER = registry(
    {"community_code": "100101001", "community_name": "ชุมชนวัดใหม่",
     "lat": WAT_MAI[0], "lon": WAT_MAI[1]},
    {"community_code": "100101002", "community_name": "ชุมชนซอย 5"},
    {"community_code": "100101003", "community_name": "ชุมชนซอย 6"},
    {"community_code": "100101004", "community_name": "ชุมชนสามัคคีร่วมใจ ก"},
    {"community_code": "100101005", "community_name": "ชุมชนสามัคคีร่วมใจ ข"},
    {"community_code": "100101006", "community_name": "ชุมชนตลาดเก่าริมน้ำ",
     "lat": 13.72, "lon": 100.505},
    {"community_code": "100201001", "community_name": "ชุมชนบ้านสวน", "khet_code": "1002"},
)  # fmt: skip


def test_the_registry_seeds_the_register_by_code() -> None:
    assert REGISTER["community_id"].tolist()[:2] == ["BMA-100101001", "BMA-100101002"]
    assert set(REGISTER["status"]) == {"active"}
    assert set(REGISTER["first_round"]) == {"bma_registry"}


def test_code_then_name_then_fuzzy_else_new() -> None:
    round_ = mentions(
        {"community_code": "100101003", "community_name": "ชื่อใหม่ทั้งหมด",
         "community_key": "1001:100101003"},
        {"community_name": "วัดใหม่"},
        {"community_name": "ชุมชน ซ.๕"},
        {"community_name": "ตลาดเก่าริมนำ", "lat": 13.7205, "lon": 100.505},
        {"community_name": "ชุมชนใหม่ริมทาง"},
        {"community_name": "บ้านสวน"},  # in khet 1001: the registry's บ้านสวน is in 1002
    )  # fmt: skip
    result = link_round("2568", round_, REGISTER, no_decisions(), RULES)
    links = links_of(result.links)
    assert links["1001:100101003"] == ("BMA-100101003", "code")
    assert links["1001:name:วัดใหม่"] == ("BMA-100101001", "name")
    assert links["1001:name:ซอย5"] == ("BMA-100101002", "name")
    assert links["1001:name:ตลาดเก่าริมนำ"] == ("BMA-100101006", "fuzzy")
    new_id = community_id("2568", "1001:name:ใหม่ริมทาง", "1001")
    assert links["1001:name:ใหม่ริมทาง"] == (new_id, "new")
    assert links["1001:name:บ้านสวน"][1] == "new"
    assert set(result.new_entries["community_id"]) == {
        new_id,
        community_id("2568", "1001:name:บ้านสวน", "1001"),
    }
    assert result.review.empty


def test_numbers_in_names_must_agree() -> None:
    # "ซอย 7" is one letter from ซอย 5 and ซอย 6, but another number: a new community
    result = link_round(
        "2568", mentions({"community_name": "ซอย 7"}), REGISTER, no_decisions(), RULES
    )
    assert result.links["link_method"].tolist() == ["new"]


def test_a_far_point_is_not_the_same_community() -> None:
    far = mentions({"community_name": "ตลาดเก่าริมนำ", "lat": 13.74, "lon": 100.505})  # 2.2 km
    result = link_round("2568", far, REGISTER, no_decisions(), RULES)
    assert result.links["link_method"].tolist() == ["new"]


def test_two_equal_candidates_go_to_review_and_are_linked_new() -> None:
    result = link_round(
        "2568", mentions({"community_name": "สามัคคีร่วมใจ"}), REGISTER, no_decisions(), RULES
    )
    assert result.links["link_method"].tolist() == ["new"]
    review = result.review
    assert review["candidate_id"].tolist() == ["BMA-100101004", "BMA-100101005"]
    assert review["candidate_rank"].tolist() == [1, 2]
    assert set(review["reason"]) == {"close_fit"}
    assert review["candidate_name"].tolist() == ["ชุมชนสามัคคีร่วมใจ ก", "ชุมชนสามัคคีร่วมใจ ข"]
    assert review["community_name"].tolist() == ["สามัคคีร่วมใจ"] * 2


def test_two_registry_communities_of_one_name_key_go_to_review() -> None:
    register = registry(
        {"community_code": "100101001", "community_name": "ชุมชนวัดทอง"},
        {"community_code": "100101002", "community_name": "วัด ทอง"},
    )
    result = link_round(
        "2568", mentions({"community_name": "วัดทอง"}), register, no_decisions(), RULES
    )
    assert result.links["link_method"].tolist() == ["new"]
    assert result.review["reason"].tolist() == ["same_name", "same_name"]


def test_two_records_wanting_one_community_are_not_both_linked() -> None:
    two = mentions({"community_name": "ตลาดเก่าริมนำ"}, {"community_name": "ตลาดเก่าริมน้า"})
    result = link_round("2568", two, REGISTER, no_decisions(), RULES)
    assert result.links["link_method"].tolist() == ["new", "new"]
    assert set(result.review["reason"]) == {"shared_candidate"}


def test_decisions_link_manually_and_say_when_they_cannot() -> None:
    decisions = pd.DataFrame(
        {
            "survey_round": ["2568"] * 4,
            "community_key": ["1001:name:สามัคคีร่วมใจ", "1001:name:ใหม่ริมทาง",
                              "1001:name:ไม่มี", "1001:name:วัดใหม่"],
            "decision": ["BMA-100101005", "new", "BMA-100101001", "BMA-999"],
        }
    )  # fmt: skip
    round_ = mentions(
        {"community_name": "สามัคคีร่วมใจ"},
        {"community_name": "ใหม่ริมทาง"},
        {"community_name": "วัดใหม่"},
    )
    result = link_round("2568", round_, REGISTER, decisions, RULES)
    links = links_of(result.links)
    assert links["1001:name:สามัคคีร่วมใจ"] == ("BMA-100101005", "manual")
    assert links["1001:name:ใหม่ริมทาง"][1] == "manual"
    assert links["1001:name:วัดใหม่"] == ("BMA-100101001", "name")  # the bad decision is not used
    assert result.review.empty
    said = result.decisions.set_index("community_key")
    assert said["applied"].tolist() == [True, True, False, False]
    assert said.loc["1001:name:ไม่มี", "message"] == "no record with this community_key in the round"
    assert said.loc["1001:name:วัดใหม่", "message"] == (
        "no community with this community_id in the register"
    )


@pytest.mark.parametrize("survey_round", ["2568", "2569"])
def test_ids_of_new_communities_come_from_their_first_record(survey_round: str) -> None:
    assert community_id(survey_round, "1001:name:x", "1001") == community_id(
        survey_round, "1001:name:x", "1001"
    )
    assert community_id("2568", "1001:name:x", "1001") != community_id(
        "2569", "1001:name:x", "1001"
    )


def test_the_register_moves_on_and_marks_not_found() -> None:
    round_ = mentions({"community_name": "วัดใหม่", "community_type": "urban"})
    result = link_round("2568", round_, REGISTER, no_decisions(), RULES)
    after = advance(REGISTER, "2568", result, round_).set_index("community_id")
    assert after.loc["BMA-100101001", "last_round"] == "2568"
    assert after.loc["BMA-100101001", "rounds_seen"] == 2
    assert after.loc["BMA-100101001", "community_type"] == "urban"
    assert after.loc["BMA-100101002", "last_round"] == "bma_registry"
    gone = mark_not_found(after.reset_index(), pd.Series(["BMA-100101002"]), "2568")
    gone = gone.set_index("community_id")
    assert list(gone.loc["BMA-100101002", ["status", "not_found_round"]]) == [
        "not_found",
        "2568",
    ]
    assert after.loc["BMA-100101002", "status"] == "active"  # the input is not changed


def test_a_name_with_a_word_more_is_not_linked_but_reviewed() -> None:
    # one letter from ตลาดเก่าริมน้ำ is a typo (fuzzy); a word more may be another community
    longer = mentions({"community_name": "ตลาดเก่าริมน้ำใหม่"})
    result = link_round("2568", longer, REGISTER, no_decisions(), RULES)
    assert result.links["link_method"].tolist() == ["new"]
    assert result.review[["candidate_id", "reason"]].values.tolist() == [
        ["BMA-100101006", "many_edits"]
    ]


def test_a_name_without_its_number_fits_each_numbered_one_and_is_reviewed() -> None:
    result = link_round(
        "2568", mentions({"community_name": "ซอย"}), REGISTER, no_decisions(), RULES
    )
    assert result.links["link_method"].tolist() == ["new"]
    assert result.review["candidate_id"].tolist() == ["BMA-100101002", "BMA-100101003"]
