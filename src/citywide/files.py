"""Writing published files so that a reader never sees half of one.

Each file is written under a temporary name in its own folder and renamed over the target; a
rename within one filesystem is atomic, so a planner opening a map (or QGIS opening an export)
during a run sees the old file or the new one, never a mix.

Every CSV citywide writes goes through :func:`write_csv`, which neutralises spreadsheet formulas
(:func:`neutralise_formulas`, OWASP "CSV injection"): a text cell that Excel or LibreOffice would
run as a formula gets a leading apostrophe, shown as text and never evaluated.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd
from pandas.api.types import is_object_dtype, is_string_dtype

# Excel opens a UTF-8 CSV as Thai text only when it starts with a byte-order mark.
CSV_ENCODING = "utf-8-sig"
# A text cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell starting with FORMULA_PREFIXES starts with ``'`` first.

    Only text columns change: a negative number in a numeric column stays a number.
    """
    changed: dict[str, pd.Series] = {}
    for name in frame.columns:
        column = frame[name]
        if not (is_object_dtype(column.dtype) or is_string_dtype(column.dtype)):
            continue
        formula = column.str.startswith(FORMULA_PREFIXES, na=False).astype(bool)
        if formula.any():
            safe = column.copy()
            safe[formula] = "'" + column[formula].astype(str)
            changed[name] = safe
    return frame.assign(**changed) if changed else frame


def write_csv(frame: pd.DataFrame, target: Path) -> Path:
    """``frame`` as an Excel-friendly CSV (UTF-8 with BOM, no index, formulas neutralised).

    Lines end in CRLF (RFC 4180): a text holding a carriage return or a line feed is then quoted,
    so it cannot end its row early.
    """
    safe = neutralise_formulas(frame)
    return write_atomically(
        target,
        lambda path: safe.to_csv(path, index=False, encoding=CSV_ENCODING, lineterminator="\r\n"),
    )
