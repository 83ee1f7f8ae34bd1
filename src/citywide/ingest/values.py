"""Value parsers that run once per distinct value, not once per row.

Survey columns such as khet, type or date repeat a handful of values over thousands of rows, so
each distinct text is parsed here in Python and the answers are joined back in DuckDB. Every
function is pure: texts in, a frame of answers out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import pandas as pd

from citywide.gazetteer import Gazetteer
from citywide.ingest.columns import Vocabulary, fold
from citywide.text import normalise_text

BUDDHIST_ERA_OFFSET = 543
EARLIEST_SURVEY = dt.date(1990, 1, 1)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?:[ T].*)?$")
_WORDS = re.compile(r"^(\d{1,2})\s*([^\d\s,]+(?:\s*[^\d\s,]+)?)\s*,?\s*(\d{2}|\d{4})$")
_MONTH_FIRST = re.compile(r"^([^\d\s,]+)\s*(\d{1,2})\s*,?\s*(\d{4})$")

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        ("มกราคม", "ม.ค.", "มค", "january", "jan"),
        ("กุมภาพันธ์", "ก.พ.", "กพ", "february", "feb"),
        ("มีนาคม", "มี.ค.", "มีค", "march", "mar"),
        ("เมษายน", "เม.ย.", "เมย", "april", "apr"),
        ("พฤษภาคม", "พ.ค.", "พค", "may"),
        ("มิถุนายน", "มิ.ย.", "มิย", "june", "jun"),
        ("กรกฎาคม", "ก.ค.", "กค", "july", "jul"),
        ("สิงหาคม", "ส.ค.", "สค", "august", "aug"),
        ("กันยายน", "ก.ย.", "กย", "september", "sep", "sept"),
        ("ตุลาคม", "ต.ค.", "ตค", "october", "oct"),
        ("พฤศจิกายน", "พ.ย.", "พย", "november", "nov"),
        ("ธันวาคม", "ธ.ค.", "ธค", "december", "dec"),
    ],
    start=1,
):
    for _name in _names:
        _MONTHS[fold(_name)] = _number


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """A survey date from the ways Thai offices write one, or None.

    Buddhist-era years (2567) and two-digit years (67, read as B.E. 2567 from 40 up, C.E. below)
    become C.E.; day first unless the day cannot be; Excel serial numbers; ISO with a time. Dates
    before 1990 or after ``today`` are not survey dates and give None.
    """
    value = normalise_text(text)
    if not value:
        return None
    found = _parse_date_forms(value)
    if found is None or not (EARLIEST_SURVEY <= found <= today):
        return None
    return found


def _parse_date_forms(value: str) -> dt.date | None:
    if _EXCEL_SERIAL.match(value):
        return _EXCEL_EPOCH + dt.timedelta(days=int(float(value)))
    if match := _ISO.match(value):
        return _safe_date(_year(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _NUMERIC.match(value):
        first, second, year = int(match.group(1)), int(match.group(2)), _year(match.group(3))
        day, month = (second, first) if second > 12 and first <= 12 else (first, second)
        return _safe_date(year, month, day)
    if match := _WORDS.match(value):
        named = _MONTHS.get(fold(match.group(2)))
        if named:
            return _safe_date(_year(match.group(3)), named, int(match.group(1)))
    if match := _MONTH_FIRST.match(value):
        named = _MONTHS.get(fold(match.group(1)))
        if named:
            return _safe_date(_year(match.group(3)), named, int(match.group(2)))
    return None


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2500 if year >= 40 else 2000
    return year - BUDDHIST_ERA_OFFSET if year > 2400 else year


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def date_table(texts: Iterable[str], today: dt.date) -> pd.DataFrame:
    """text -> parsed date (missing where the text is not a date)."""
    distinct = list(dict.fromkeys(texts))
    return pd.DataFrame(
        {
            "text": pd.Series(distinct, dtype="string"),
            "written": _written(distinct),
            "parsed": pd.Series([parse_date(t, today) for t in distinct], dtype="object").astype(
                "datetime64[s]"
            ),
        }
    )


def _written(texts: list[str]) -> pd.Series:
    """Whether each text holds anything once normalised (blank cells are not values)."""
    return pd.Series([bool(normalise_text(t)) for t in texts], dtype="bool")


def enum_table(field: str, texts: Iterable[str], vocabulary: Vocabulary) -> pd.DataFrame:
    """text -> canonical enum code (missing where not recognised, and for a blank cell: a blank
    folds to "" as "-" does, and must not read as that code)."""
    distinct = list(dict.fromkeys(texts))
    written = _written(distinct)
    codes = [
        vocabulary.enum_value(field, t) if w else None
        for t, w in zip(distinct, written, strict=True)
    ]
    return pd.DataFrame(
        {
            "text": pd.Series(distinct, dtype="string"),
            "written": written,
            "code": pd.Series(codes, dtype="string"),
        }
    )


def khet_table(texts: Iterable[str], gazetteer: Gazetteer) -> pd.DataFrame:
    """text -> khet code (missing where unknown or ambiguous), with the bilingual reason."""
    rows = []
    for text in dict.fromkeys(texts):
        answer = gazetteer.resolve_khet(text)
        rows.append((text, answer.code, answer.method, answer.message_th(), answer.message_en()))
    columns = ["text", "code", "method", "message_th", "message_en"]
    frame = pd.DataFrame(rows, columns=columns).astype("string")
    frame.insert(1, "written", _written(frame["text"].tolist()))
    return frame


def khwaeng_table(pairs: Iterable[tuple[str, str]], gazetteer: Gazetteer) -> pd.DataFrame:
    """(khet code, khwaeng text) -> khwaeng code within that khet, with the bilingual reason."""
    rows = []
    for khet_code, text in dict.fromkeys(pairs):
        answer = gazetteer.resolve_khwaeng(text, khet_code)
        rows.append((khet_code, text, answer.code, answer.message_th(), answer.message_en()))
    columns = ["khet_code", "text", "code", "message_th", "message_en"]
    frame = pd.DataFrame(rows, columns=columns).astype("string")
    frame.insert(2, "written", _written(frame["text"].tolist()))
    return frame
