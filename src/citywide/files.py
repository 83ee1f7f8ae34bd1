"""Writing published files so that a reader never sees half of one.

Each file is written under a temporary name in its own folder and renamed over the target; a
rename within one filesystem is atomic, so a planner opening a map (or QGIS opening an export)
during a run sees the old file or the new one, never a mix.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path


def write_atomically(target: Path, write: Callable[[Path], object]) -> Path:
    """``write(temporary_path)``, then rename that file to ``target``; on failure keep the old."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent
    )
    os.close(handle)
    staging = Path(name)
    staging.unlink()  # the writers create the file themselves (GDAL will not open an empty one)
    try:
        write(staging)
        staging.replace(target)
    finally:
        staging.unlink(missing_ok=True)
    return target


def write_files(folder: Path, contents: Mapping[str, str | bytes]) -> list[Path]:
    """Write each named text (UTF-8) or bytes into ``folder``, each one atomically."""

    def writer(content: str | bytes) -> Callable[[Path], object]:
        if isinstance(content, bytes):
            return lambda path: path.write_bytes(content)
        return lambda path: path.write_text(content, encoding="utf-8")

    return [write_atomically(folder / name, writer(content)) for name, content in contents.items()]
