from __future__ import annotations

import pytest

from citywide.text import normalise_text, thai_digits_to_ascii


def test_thai_digits_become_ascii() -> None:
    assert thai_digits_to_ascii("๑๐๐๗ หมู่ ๕") == "1007 หมู่ 5"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ท\u0e4d\u0e32เนียบ", "ทำเนียบ"),  # nikhahit + sara aa -> sara am
        ("คลอง\u0e40\u0e15ย", "คลองเตย"),
        ("\ufeffบางรัก\u200b ", "บางรัก"),  # BOM, zero-width space, trailing space
        ("  Bang   Rak\t", "Bang Rak"),
        ("น\u0e49\u0e33", "น้ำ"),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


def test_split_sara_am_compares_equal_after_normalising() -> None:
    assert normalise_text("ทำ") == normalise_text("ท\u0e4d\u0e32")
