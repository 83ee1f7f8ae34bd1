"""The session guard of tests/conftest.py: tests write only under tmp_path, never the checkout."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import changes, snapshot


def test_the_guard_sees_files_added_removed_and_rewritten(tmp_path: Path) -> None:
    (tmp_path / "maps").mkdir()
    (tmp_path / "data" / "processed").mkdir(parents=True)
    kept = tmp_path / "maps" / "README.md"
    kept.write_text("maps are generated\n", encoding="utf-8")
    gone = tmp_path / "data" / "processed" / "old.csv"
    gone.write_text("a\n", encoding="utf-8")
    before = snapshot(tmp_path)
    assert changes(before, snapshot(tmp_path)) == []

    (tmp_path / "maps" / "index.html").write_text("<html></html>", encoding="utf-8")
    gone.unlink()
    kept.write_text("maps are generated\n", encoding="utf-8")  # same size, new mtime
    os.utime(kept, ns=(0, before["maps/README.md"][1] + 1_000_000_000))
    assert changes(before, snapshot(tmp_path)) == [
        "added maps/index.html",
        "changed maps/README.md",
        "removed data/processed/old.csv",
    ]


def test_a_file_made_and_removed_again_leaves_no_trace(tmp_path: Path) -> None:
    (tmp_path / "maps").mkdir()
    before = snapshot(tmp_path)
    scratch = tmp_path / "maps" / "scratch.html"
    scratch.write_text("x", encoding="utf-8")
    scratch.unlink()
    assert changes(before, snapshot(tmp_path)) == []
    assert snapshot(tmp_path / "nowhere") == {}
