"""Personal numbers in kept columns: Thai national IDs and phone numbers written into survey fields.

Columns that hold personal data are dropped at the header (:mod:`citywide.ingest.layout`), but a
person can still type a phone number after a community's name or use a national ID as a
household code. :func:`register` finds such values: a cheap DuckDB test picks the cells with a
run of nine or more digits, and Python looks only at their distinct texts (a national ID must
have a valid checksum, :mod:`stdnum.th.pin`; a phone number must have a Thai form). The result
is a small table ``{raw}_personal`` (field, text, kind, masked) that the staging query joins:

- in a code field (a community or household code, a Kobo ``_uuid``) the number is the row's
  identity, so the row is rejected (``personal_id``);
- in any other field the number is removed from the value (``personal_data_masked``).

Neither the number nor the cell as written reaches the database: stored values, rejected rows'
``row_values`` and messages all read the masked text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import duckdb
import pandas as pd
from stdnum.th import pin

from citywide.ingest.columns import vocabulary

NATIONAL_ID = "national_id"
PHONE = "phone"
# Thai and English words for each kind, for the messages (rules.MESSAGES' {detail_th/en}).
KIND_LABELS = {
    NATIONAL_ID: ("เลขประจำตัวประชาชน", "a Thai national ID number"),
    PHONE: ("หมายเลขโทรศัพท์", "a phone number"),
}
# The cheap test, in DuckDB: nine or more digits (Thai or Arabic) with at most one space or
# dash between two of them. A 13-digit ID, a 10-digit mobile and a 9-digit Bangkok landline
# all pass; khet codes (1001-1050), dates, counts and coordinates with decimals do not.
CANDIDATE_PATTERN = r"[0-9๐-๙]([ \-]?[0-9๐-๙]){8}"
_MIN_LENGTH = 9

_EDGE_BEFORE = r"(?<![0-9A-Za-z+])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"
# Over ASCII digits (Thai digits are translated first). An ID is written as 13 digits, or
# grouped 1-4-5-2-1.
_NATIONAL_ID = re.compile(
    _EDGE_BEFORE + r"([0-9]{13}|[0-9][ -][0-9]{4}[ -][0-9]{5}[ -][0-9]{2}[ -][0-9])" + _EDGE_AFTER
)
_PHONE = re.compile(
    _EDGE_BEFORE
    + r"(0[689](?:[ -]?[0-9]){8}"  # mobiles: 081-234-5678, 08-1234-5678, 0812345678
    + r"|02(?:[ -]?[0-9]){7}"  # Bangkok landlines: 02-123-4567, 021234567
    + r"|\+66[ -]?(?:[689](?:[ -]?[0-9]){8}|2(?:[ -]?[0-9]){7}))"  # +66 81 234 5678, +66 2 123 4567
    + _EDGE_AFTER
)
_ASCII_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SPACES = re.compile(r"\s+")


def scan(text: str) -> tuple[str | None, str | None]:
    """(kind, masked text) of one cell: the first kind of personal number found, or None; the
    text without any personal number (None when nothing else is left)."""
    ascii_text = text.translate(_ASCII_DIGITS)  # same length: spans match the text as written
    ids = [
        m.span()
        for m in _NATIONAL_ID.finditer(ascii_text)
        if pin.is_valid(re.sub(r"\D", "", m.group(0)))
    ]
    phones = [m.span() for m in _PHONE.finditer(ascii_text)]
    if not ids and not phones:
        return None, text
    masked = text
    for start, end in sorted(ids + phones, reverse=True):
        masked = masked[:start] + " " + masked[end:]
    left = _SPACES.sub(" ", masked).strip(" -,;:/")
    return (NATIONAL_ID if ids else PHONE), left or None


def classify(field: str, texts: Iterable[str]) -> pd.DataFrame:
    """Rows (field, text, kind, masked) for the texts that hold a personal number."""
    found = [(field, text, *scan(text)) for text in texts]
    rows = [row for row in found if row[2] is not None]
    return pd.DataFrame(
        {name: pd.Series([row[i] for row in rows], dtype="string")
         for i, name in enumerate(("field", "text", "kind", "masked"))}
    )  # fmt: skip


def identity_fields() -> frozenset[str]:
    """Fields whose value identifies the record (kind ``code``): a personal number there
    rejects the row."""
    return frozenset(vocabulary().fields_of_kind("code"))


def register(connection: duckdb.DuckDBPyConnection, raw: str, fields: Iterable[str]) -> set[str]:
    """Register ``{raw}_personal`` for the raw table; return the fields that hold any."""
    candidates = " UNION ALL ".join(
        f"SELECT DISTINCT '{field}' AS field, {field} AS text FROM {raw} "  # noqa: S608 (names built here)
        f"WHERE length({field}) >= {_MIN_LENGTH} AND regexp_matches({field}, $pattern)"
        for field in fields
    )
    rows = (
        connection.execute(candidates, {"pattern": CANDIDATE_PATTERN}).fetchall()  # one query
        if candidates
        else []
    )
    by_field: dict[str, list[str]] = {}
    for field, text in rows:
        by_field.setdefault(field, []).append(text)
    frames = [classify(field, texts) for field, texts in by_field.items()]
    table = pd.concat(frames, ignore_index=True) if frames else classify("", [])
    connection.register(f"{raw}_personal", table)
    return set(table["field"].dropna().unique())


def masked_join(raw: str, alias: str, field: str) -> str:
    """LEFT JOIN of the personal values of one field of raw table ``alias``."""
    return (
        f"LEFT JOIN {raw}_personal p_{field} "
        f"ON p_{field}.field = '{field}' AND p_{field}.text = {alias}.{field}"
    )


def masked_value(alias: str, field: str) -> str:
    """The field's value as written, without personal numbers (needs :func:`masked_join`)."""
    return f"CASE WHEN p_{field}.text IS NOT NULL THEN p_{field}.masked ELSE {alias}.{field} END"
