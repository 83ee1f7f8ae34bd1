"""Unicode and Thai text normalisation shared by the gazetteer and the survey readers.

:func:`clean_text` is the one clean-up of text as written in a return: NFC, no invisible
characters, single spaces, and the Thai typing errors that pythainlp's ``normalize`` repairs (a
doubled sara e typed for sara ae, a tone mark typed before an upper or lower vowel, repeated
vowels and tone marks, marks dangling at the start of a word, a split sara am). pythainlp costs
about 1 s to import and a third of a millisecond per text, so it runs only on texts that
:data:`NEEDS_CLEANUP` picks out: plain text (printable ASCII and Thai in canonical order, single
spaces) is returned as it is. The pattern is written for both Python's ``re`` and DuckDB's RE2,
so the ingestion's SQL selects the distinct texts that need cleaning with the same test and joins
back this function's answers: the Python and SQL paths cannot disagree.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Sara am typed as nikhahit + sara aa (two code points) looks identical to the single
# sara am (U+0E33) but compares unequal; keyboards and PDF copy-paste produce both.
_SARA_AM_SPLIT = re.compile("\u0e4d\u0e32")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")

# Thai character classes as pythainlp defines them (tests/test_text.py holds them equal).
ABOVE_VOWELS = "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e4d\u0e47"
BELOW_VOWELS = "\u0e38\u0e39"
FOLLOW_VOWELS = "\u0e30\u0e32\u0e33\u0e45"
LEAD_VOWELS = "\u0e40\u0e41\u0e42\u0e43\u0e44"
TONE_MARKS = "\u0e48\u0e49\u0e4a\u0e4b"
_SIGNS = "\u0e3a\u0e4c\u0e4d\u0e4e"  # phinthu, thanthakhat, nikhahit, yamakkan
_DANGLING = ABOVE_VOWELS + BELOW_VOWELS + TONE_MARKS + _SIGNS
_NO_REPEAT = FOLLOW_VOWELS + LEAD_VOWELS + ABOVE_VOWELS + BELOW_VOWELS + _SIGNS


def _needs_cleanup_pattern() -> str:
    """Text that :func:`clean_text` may change; anything else it returns as it is."""
    # combining marks that NFC puts in another order (a higher class before a lower one)
    marks = [chr(c) for c in range(0x0E01, 0x0E5C) if unicodedata.combining(chr(c))]
    reordered = [
        a + b
        for a in marks
        for b in marks
        if unicodedata.combining(a) > unicodedata.combining(b) > 0
    ]
    alternatives = [
        "[^ -~\u0e01-\u0e3a\u0e3f-\u0e5b]",  # beyond printable ASCII and Thai letters
        "^ | $|  ",  # outer or doubled spaces
        f"^[{_DANGLING}]| [{_DANGLING}]",  # a mark with no letter to sit on
        f"[{TONE_MARKS}\u0e4c][{ABOVE_VOWELS}{BELOW_VOWELS}]",  # tone mark typed before a vowel
        f"[{FOLLOW_VOWELS}][{TONE_MARKS}]",  # tone mark typed after a following vowel
        "\u0e4d|\u0e45",  # nikhahit (a split sara am), lakkhangyao (typed for sara aa)
        f"[{TONE_MARKS}]{{2}}",  # two tone marks
        *(f"{c} *{c}" for c in _NO_REPEAT),  # a vowel or sign typed twice (เเ for แ)
        *reordered,
    ]
    return "|".join(alternatives)


NEEDS_CLEANUP = _needs_cleanup_pattern()
_NEEDS_CLEANUP = re.compile(NEEDS_CLEANUP)


def thai_digits_to_ascii(text: str) -> str:
    """Replace Thai digits (๐-๙) with ASCII digits."""
    return text.translate(_THAI_DIGITS)


def needs_cleanup(text: str) -> bool:
    """True when :func:`clean_text` may change ``text``."""
    return _NEEDS_CLEANUP.search(text) is not None


def clean_text(text: str) -> str:
    """Text as written, cleaned: NFC, no invisible marks, Thai typing errors repaired, single
    spaces, trimmed. Thai digits are kept (a name is stored as written)."""
    if not needs_cleanup(text):
        return text
    return _clean_in_full(text)


@functools.lru_cache(maxsize=65536)
def _clean_in_full(text: str) -> str:
    """One pass of the clean-up may leave work for the next (a lakkhangyao that becomes a
    second sara aa): repeat until nothing changes."""
    for _ in range(4):
        cleaned = _clean_once(text)
        if cleaned == text:
            break
        text = cleaned
    return text


def _clean_once(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    if needs_cleanup(text):  # pythainlp is slow: only for what spaces and NFC did not settle
        text = _thai_normalize()(text)
    text = _SARA_AM_SPLIT.sub("\u0e33", text)
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()


@functools.cache
def _thai_normalize() -> Callable[[str], str]:
    """pythainlp's normalize, imported on first use (its import takes about a second)."""
    from pythainlp.util import normalize

    return normalize


def normalise_text(text: str) -> str:
    """The form names are compared in: :func:`clean_text` with ASCII digits."""
    return thai_digits_to_ascii(clean_text(text))
