"""Files -> raw tables: the mapped columns of each table in a file, as text, with row numbers.

Every reader finds the header with :mod:`citywide.ingest.layout` and keeps only the columns that
name a field: personal-data columns are never read past the header. ``source_row`` is the row
number a person sees when opening the file (spreadsheet row, CSV line, feature number).

Modules: :mod:`.table` (the raw table, the error, shared loaders), :mod:`.encoding`,
:mod:`.delimited` (CSV/TSV/TXT, with :mod:`.lines`), :mod:`.workbook`, :mod:`.gis` and
:mod:`.kobo` (Kobo exports and repeat groups). This module dispatches on the suffix.
"""

from __future__ import annotations

from pathlib import Path

from citywide.errors import describe_error, reraise_interruption
from citywide.ingest.columns import Vocabulary, vocabulary
from citywide.ingest.readers.delimited import read_csv
from citywide.ingest.readers.encoding import detect_encoding
from citywide.ingest.readers.table import FileUnreadable, RawTable
from citywide.ingest.readers.workbook import read_workbook

__all__ = [
    "CSV_SUFFIXES",
    "GEO_SUFFIXES",
    "SHEET_SUFFIXES",
    "SUPPORTED",
    "FileUnreadable",
    "RawTable",
    "detect_encoding",
    "read_tables",
]

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
SHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
GEO_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".fgb"}
SUPPORTED = CSV_SUFFIXES | SHEET_SUFFIXES | GEO_SUFFIXES


def read_tables(path: Path, vocab: Vocabulary | None = None) -> list[RawTable]:
    """Every table in the file; raises FileUnreadable if there is none.

    Each raw table has ``source_row``, one text column per mapped field, ``unclosed_quote`` (a CSV
    record that a quote never closed ran over: its cells cannot be trusted) and ``first_cell`` (the
    row's first non-empty cell, whatever its column: only used to recognise summary rows).
    """
    vocab = vocab or vocabulary()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise FileUnreadable(
            f"{path.name}: not a survey file citywide can read",
            problem_th=f"{path.name}: ไม่ใช่ไฟล์แบบสำรวจที่อ่านได้",
            fix_th="บันทึกเป็น .xlsx หรือ .csv (UTF-8) แล้วส่งอีกครั้ง",
            expected=f"one of {', '.join(sorted(SUPPORTED))}",
            found=f"a {suffix or 'suffix-less'} file",
            where=str(path),
            fix="save the return as .xlsx or .csv (UTF-8) and send it again",
        )
    try:
        if suffix in CSV_SUFFIXES:
            return [read_csv(path, vocab)]
        if suffix in SHEET_SUFFIXES:
            return read_workbook(path, vocab)
        from citywide.ingest.readers.gis import read_geo  # pyogrio, shapely: only for GIS

        return read_geo(path, vocab)
    except FileUnreadable:
        raise
    except Exception as error:  # a corrupt file raises whatever its parser raises
        reraise_interruption(error)
        raise FileUnreadable(
            f"{path.name}: the file is damaged or not what its name says",
            problem_th=f"{path.name}: ไฟล์เสียหาย หรือไม่ใช่ชนิดที่นามสกุลบอก",
            fix_th="เปิดไฟล์ในเครื่องที่สร้างไฟล์ บันทึกใหม่ แล้วส่งอีกครั้ง",
            expected=f"a readable {suffix} file",
            found=describe_error(error),
            where=str(path),
            fix="open the file on the computer that made it, save it again, and resend it",
        ) from error
