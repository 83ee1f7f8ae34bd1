"""The name key: the one form in which community names are compared.

Ingestion keys a community without a code by it (``community_key`` = khet + ``name:`` + key) and
the linking compares names by it. Names reach it cleaned (citywide.text.clean_text: NFC, no
invisible marks, Thai typing errors repaired, single spaces). The rules, in order:

1. lower case (Latin letters);
2. Thai digits as ASCII digits (๕ -> 5);
3. sara am typed as nikhahit + sara aa (U+0E4D U+0E32) as sara am (U+0E33);
4. the common abbreviations spelled out (:data:`ABBREVIATIONS`: ซ. -> ซอย, ถ. -> ถนน, ...);
5. spaces and punctuation removed;
6. the prefix ชุมชน (or "community") removed, however often written.

:data:`NAME_KEY_RULES` holds them once; :func:`name_key` applies them in Python and
:func:`name_key_sql` renders them as DuckDB SQL (the macro ``cw_name_key``), and a test holds
the two equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"


@dataclass(frozen=True)
class Abbreviation:
    """A short form written in community names, and what it stands for."""

    pattern: str  # a regular expression valid in Python and in RE2 (DuckDB)
    spelled: str
    example: str


# Each is followed by optional spaces; the longer forms come first.
ABBREVIATIONS: tuple[Abbreviation, ...] = (
    Abbreviation(r"ร\.ร\.\s*|รร\.\s*", "โรงเรียน", "ร.ร.วัดใหม่ -> โรงเรียนวัดใหม่"),
    Abbreviation(r"หมู่ที่\s*", "หมู่", "หมู่ที่ 3 -> หมู่3"),
    Abbreviation(r"ม\.\s*", "หมู่", "ม.3 -> หมู่3"),
    Abbreviation(r"ซ\.\s*", "ซอย", "ซ.5 -> ซอย5"),
    Abbreviation(r"ถ\.\s*", "ถนน", "ถ.พระราม 4 -> ถนนพระราม4"),
)

_PUNCTUATION = r"""[\s_\-.:,;'`"()\[\]/\\]+"""
_PREFIX = r"^(ชุมชน|community)+"


@dataclass(frozen=True)
class Rule:
    """One regular-expression replacement of the name key, applied to every match."""

    pattern: str
    replacement: str


NAME_KEY_RULES: tuple[Rule, ...] = (
    Rule("\u0e4d\u0e32", "\u0e33"),
    *(Rule(a.pattern, a.spelled) for a in ABBREVIATIONS),
    Rule(_PUNCTUATION, ""),
    Rule(_PREFIX, ""),
)
_COMPILED = tuple((re.compile(rule.pattern), rule.replacement) for rule in NAME_KEY_RULES)
_DIGITS = str.maketrans(THAI_DIGITS, "0123456789")


def name_key(name: str | None) -> str | None:
    """The key of a (cleaned) name; None for no name or a name of punctuation only."""
    if name is None:
        return None
    key = name.lower().translate(_DIGITS)
    for pattern, replacement in _COMPILED:
        key = pattern.sub(replacement, key)
    return key or None


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def name_key_sql(expression: str) -> str:
    """DuckDB SQL of :func:`name_key` over ``expression`` (a column or macro parameter)."""
    sql = f"translate(lower({expression}), '{THAI_DIGITS}', '0123456789')"
    for rule in NAME_KEY_RULES:
        sql = (
            f"regexp_replace({sql}, {_sql_text(rule.pattern)}, {_sql_text(rule.replacement)}, 'g')"
        )
    return f"nullif({sql}, '')"


def digits(key: str) -> str:
    """The numbers in a key, in order ("ซอย5หมู่3" -> "5 3"): names whose numbers differ are
    different communities, however alike the rest."""
    return " ".join(re.findall(r"[0-9]+", key))
