"""Text encodings of CSV returns: detection, and the errors that name a wrong or mixed encoding."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import numpy

from citywide.ingest.readers.table import FileUnreadable

_THAI = re.compile("[\u0e01-\u0e5b]")


def detect_encoding(data: bytes, *, complete: bool = True) -> str:
    """utf-8-sig, utf-8, utf-16 (BOM), utf-16-le / utf-16-be (no BOM) or windows-874 (TIS-620).

    With ``complete=False`` the bytes are the head of a longer file, which may end inside a
    character: only what they hold is judged. Text in UTF-8 or Windows-874 never holds a NUL
    byte; UTF-16 without a BOM is told by where its NUL bytes fall (see :func:`_utf16_order`).
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in data:
        return _utf16_order(data)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=complete)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        text = data.decode("cp874")
    except UnicodeDecodeError:
        return "unknown"
    return "windows-874" if _THAI.search(text) else "unknown"


def _utf16_order(data: bytes) -> str:
    """utf-16-le or utf-16-be for UTF-16 text without a BOM, else unknown.

    Every character of a Thai or English CSV is below U+0E80, so the high byte of each 16-bit
    unit is 0x00 (ASCII: digits, delimiters, line ends) or 0x0E (Thai), and it is the second
    byte of each pair in little-endian order, the first in big-endian order.
    """
    pairs = numpy.frombuffer(data[: len(data) // 2 * 2], dtype=numpy.uint8).reshape(-1, 2)
    if not len(pairs):
        return "unknown"
    for order, high in (("utf-16-le", pairs[:, 1]), ("utf-16-be", pairs[:, 0])):
        if numpy.isin(high, (0x00, 0x0E)).mean() >= 0.95 and (high == 0).any():
            return order
    return "unknown"


CODEC = {
    "utf-8-sig": "utf-8-sig",
    "utf-16": "utf-16",
    "utf-16-le": "utf-16-le",
    "utf-16-be": "utf-16-be",
    "windows-874": "cp874",
    "utf-8": "utf-8",
}
UTF8 = ("utf-8", "utf-8-sig")


def unknown_encoding(path: Path) -> FileUnreadable:
    return FileUnreadable(
        f"{path.name}: the text encoding is not recognised",
        problem_th=f"{path.name}: ไม่รู้จักรหัสอักขระ (encoding) ของไฟล์",
        fix_th="ใน Excel เลือก บันทึกเป็น > CSV UTF-8 (Comma delimited) แล้วส่งอีกครั้ง",
        expected="UTF-8 (with or without BOM), UTF-16, or Windows-874 / TIS-620 Thai",
        found="bytes that are none of these",
        where=str(path),
        fix="in Excel choose Save As > CSV UTF-8 (Comma delimited), and resend",
    )


def encoding_changes(path: Path, data: bytes, start: int) -> FileUnreadable:
    line = data.count(b"\n", 0, start) + 1
    return FileUnreadable(
        f"{path.name}: the text encoding changes part-way through the file",
        problem_th=f"{path.name}: รหัสอักขระ (encoding) เปลี่ยนกลางไฟล์ ตั้งแต่บรรทัด {line}",
        fix_th="ไฟล์นี้ต่อจากสองไฟล์ เปิดแล้วเลือก บันทึกเป็น > CSV UTF-8 (Comma delimited) แล้วส่งอีกครั้ง",
        expected="one encoding for the whole file: UTF-8, UTF-16 or Windows-874 / TIS-620 Thai",
        found=f"UTF-8 up to line {line - 1}, then bytes that are not UTF-8 on line {line}",
        where=f"{path}, line {line}",
        fix="the file joins two exports: open it, choose Save As > CSV UTF-8 "
        "(Comma delimited), and resend",
    )
