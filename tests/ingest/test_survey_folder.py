"""RAW_DIR/surveys as district offices really fill it: nothing in it can stop a run."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from citywide.ingest.discovery import scan_surveys, survey_round

RETURN = "เขต,ชื่อชุมชน,ครัวเรือน\nดุสิต,ชุมชนวัดโสมนัส,120\n"


def surprising_folder(raw: Path, elsewhere: Path) -> Path:
    """A survey folder with one good file per round and every kind of surprise."""
    surveys = raw / "surveys"
    (surveys / "2568-1" / "khet-dusit").mkdir(parents=True)
    (surveys / "2568-1" / "bangrak.csv").write_text(RETURN, encoding="utf-8")
    (surveys / "2568-1" / "khet-dusit" / "dusit.xlsx").write_bytes(b"PK workbook bytes")
    elsewhere.mkdir()
    shared = elsewhere / "shared-return.csv"
    shared.write_text(RETURN, encoding="utf-8")
    (surveys / "2568-1" / "linked.csv").symlink_to(shared)  # read, as round 2568-1
    (surveys / "2568-1" / "gone.csv").symlink_to(elsewhere / "deleted.csv")  # broken
    (surveys / "2568-1" / "cover-letter.pdf").write_bytes(b"%PDF-1.7")
    (surveys / "2568-1" / "notes.docx").write_bytes(b"PK docx")
    (surveys / "2568-1" / "~$bangrak.xlsx").write_bytes(b"lock")  # office lock file: silent
    (surveys / "2568-1" / ".DS_Store").write_bytes(b"\0")  # hidden: silent
    os.mkfifo(surveys / "2568-1" / "pipe.csv")
    (surveys / "loose.csv").write_text(RETURN, encoding="utf-8")  # no round folder
    (surveys / "New folder").mkdir()  # Windows' default name: not a round label
    (surveys / "New folder" / "x.csv").write_text(RETURN, encoding="utf-8")
    (surveys / "bma_registry").mkdir()  # the registry's own round
    (surveys / "2567-2").symlink_to(elsewhere, target_is_directory=True)
    return surveys


def test_every_surprise_is_skipped_with_a_reason_and_a_fix(tmp_path: Path) -> None:
    surveys = surprising_folder(tmp_path / "raw", tmp_path / "elsewhere")
    scan = scan_surveys(surveys)
    assert [(p.relative_to(surveys).as_posix(), r) for p, r in scan.files] == [
        ("2568-1/bangrak.csv", "2568-1"),
        ("2568-1/khet-dusit/dusit.xlsx", "2568-1"),
        ("2568-1/linked.csv", "2568-1"),
    ]
    skipped = {s.path.relative_to(surveys).as_posix(): s for s in scan.skipped}
    assert set(skipped) == {
        "2567-2",
        "2568-1/cover-letter.pdf",
        "2568-1/gone.csv",
        "2568-1/notes.docx",
        "2568-1/pipe.csv",
        "New folder",
        "bma_registry",
        "loose.csv",
    }
    expected_words = {
        "2567-2": "symlink to a folder",
        "2568-1/cover-letter.pdf": "not a survey file citywide reads (.pdf",
        "2568-1/gone.csv": "broken symlink",
        "2568-1/notes.docx": "(.docx",
        "2568-1/pipe.csv": "not a regular file",
        "New folder": "'New folder' is not a survey round label",
        "bma_registry": "reserved for the BMA registry",
        "loose.csv": "not inside a round folder",
    }
    for name, words in expected_words.items():
        assert words in skipped[name].reason, name
    for skip in scan.skipped:
        thai, english = skip.reason.split(" / ", 1)
        assert re.search("[\u0e00-\u0e7f]", thai)  # Thai first
        assert re.fullmatch(r"[\x20-\x7e]+", english.replace(str(tmp_path), ""))
        assert " / " in skip.fix  # Thai first, then English
    assert skipped["2568-1/gone.csv"].survey_round == "2568-1"
    assert skipped["loose.csv"].survey_round is None


def test_no_survey_folder_is_nothing_to_read(tmp_path: Path) -> None:
    scan = scan_surveys(tmp_path / "surveys")
    assert (scan.files, scan.skipped) == ([], [])


def test_the_round_comes_from_where_a_linked_file_sits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = tmp_path / "raw"
    surveys = surprising_folder(raw, tmp_path / "elsewhere")
    linked = surveys / "2568-1" / "linked.csv"
    assert survey_round(linked, raw, None) == "2568-1"
    # a relative path, and RAW_DIR itself reached through a symlinked folder
    alias = tmp_path / "alias"
    alias.symlink_to(raw, target_is_directory=True)
    assert survey_round(alias / "surveys" / "2568-1" / "linked.csv", raw, None) == "2568-1"
    assert survey_round(linked, alias, None) == "2568-1"
    monkeypatch.chdir(tmp_path)
    assert survey_round(Path("raw/surveys/2568-1/linked.csv"), Path("raw"), None) == "2568-1"


def test_a_file_outside_the_survey_folder_still_needs_a_round(tmp_path: Path) -> None:
    from citywide.ingest.discovery import RoundUnknown

    raw = tmp_path / "raw"
    surveys = surprising_folder(raw, tmp_path / "elsewhere")
    with pytest.raises(RoundUnknown, match="--round"):
        survey_round(tmp_path / "elsewhere" / "shared-return.csv", raw, None)
    with pytest.raises(RoundUnknown):
        survey_round(surveys / "loose.csv", raw, None)
