"""Unicode and Thai text normalisation shared by the gazetteer and the survey readers."""

from __future__ import annotations

import re
import unicodedata

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Sara am typed as nikhahit + sara aa (two code points) looks identical to the single
# sara am (U+0E33) but compares unequal; keyboards and PDF copy-paste produce both.
_SARA_AM_SPLIT = re.compile("\u0e4d\u0e32")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")


def thai_digits_to_ascii(text: str) -> str:
    """Replace Thai digits (๐-๙) with ASCII digits."""
    return text.translate(_THAI_DIGITS)


def normalise_text(text: str) -> str:
    """NFC, one sara am form, ASCII digits, no invisible characters, single spaces, trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = _SARA_AM_SPLIT.sub("\u0e33", text)
    text = _INVISIBLE.sub("", text)
    text = thai_digits_to_ascii(text)
    return _SPACES.sub(" ", text).strip()
