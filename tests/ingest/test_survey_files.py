"""Survey round labels, from --round or from the folder data/raw/surveys/<round>/."""

from __future__ import annotations

from pathlib import Path

import pytest

from citywide.ingest.discovery import (
    RoundLabelInvalid,
    require_round_label,
    rounds_of,
    survey_files,
    survey_round,
)

VALID = ["2567-1", "2568_r2", "bma_registry", "รอบ1-2568", "เขตดุสิต.2567", "๒๕๖๗", "a" * 40]
INVALID = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2567",
    "@round",
    "\t2567",
    " 2567",
    "2567 1",
    "_2567",
    ".hidden",
    "",
    "a" * 41,
    "2567;DROP",
    "\u0e31abc",  # a Thai vowel mark cannot start a label
]


@pytest.mark.parametrize("label", VALID)
def test_valid_round_labels_pass(label: str) -> None:
    assert require_round_label(label, "--round") == label


@pytest.mark.parametrize("label", INVALID)
def test_invalid_round_labels_say_what_is_allowed(label: str) -> None:
    with pytest.raises(RoundLabelInvalid) as raised:
        require_round_label(label, "--round")
    assert raised.value.where == "--round"
    assert raised.value.found == repr(label)
    assert "1-40 characters" in raised.value.expected
    assert "e.g. 2567-1" in raised.value.fix


def test_a_hostile_folder_name_is_reported_for_its_files_and_the_others_go_on(
    tmp_path: Path,
) -> None:
    raw = tmp_path / "raw"
    good = raw / "surveys" / "2568-1"
    bad = raw / "surveys" / '=HYPERLINK("http:x","y")'
    for folder in (good, bad):
        folder.mkdir(parents=True)
        (folder / "dusit.csv").write_text("เขต,ชื่อชุมชน\nดุสิต,A\n", encoding="utf-8")
    paths = survey_files([raw / "surveys"])
    rounds, invalid = rounds_of(paths, raw, None)
    assert rounds == [(good / "dusit.csv", "2568-1")]
    assert [path for path, _ in invalid] == [bad / "dusit.csv"]
    assert str(bad) in invalid[0][1].where
    with pytest.raises(RoundLabelInvalid):
        survey_round(bad / "dusit.csv", raw, None)
    # a valid --round overrides the folder name; an invalid one is an error for every file
    assert rounds_of(paths, raw, "2568-2") == ([(p, "2568-2") for p in paths], [])
    with pytest.raises(RoundLabelInvalid, match="--round"):
        rounds_of(paths, raw, "=1+1")
