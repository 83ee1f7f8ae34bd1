"""Published files (exports, map pages) are written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from citywide.files import write_atomically, write_files


def test_a_failed_write_leaves_the_old_file_and_no_debris(tmp_path: Path) -> None:
    target = tmp_path / "khet_need.csv"
    target.write_text("old", encoding="utf-8")

    def half_then_fail(path: Path) -> None:
        path.write_text("half", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, half_then_fail)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["khet_need.csv"]
    write_atomically(target, lambda path: path.write_text("new", encoding="utf-8"))
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["khet_need.csv"]


def test_write_files_writes_text_as_utf8_and_bytes_as_they_are(tmp_path: Path) -> None:
    folder = tmp_path / "maps"
    written = write_files(folder, {"index.html": "เขต <b>", "map.png": b"\x89PNG"})
    assert written == [folder / "index.html", folder / "map.png"]
    assert (folder / "index.html").read_bytes() == "เขต <b>".encode()
    assert (folder / "map.png").read_bytes() == b"\x89PNG"
    assert sorted(p.name for p in folder.iterdir()) == ["index.html", "map.png"]
