from __future__ import annotations

import functools
import itertools
import random

import duckdb
import pytest

from citywide import text
from citywide.text import clean_text, needs_cleanup, normalise_text, thai_digits_to_ascii


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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ชุมชนเเสงทอง", "ชุมชนแสงทอง"),  # sara e typed twice for sara ae
        ("ท\u0e48\u0e38ง", "ทุ่ง"),  # tone mark typed before the lower vowel
        ("ก\u0e48\u0e34น", "กิ่น"),  # tone mark typed before the upper vowel
        ("ใหม่่", "ใหม่"),  # a tone mark typed twice
        ("นาา", "นา"),  # a vowel typed twice
        ("\u0e48บางรัก", "บางรัก"),  # a mark with no letter to sit on
        ("ชุมชน  วัด\u00a0แขก ", "ชุมชน วัด แขก"),
        ("ชุมชน ๑", "ชุมชน ๑"),  # a name keeps its Thai digits
    ],
)
def test_clean_text_repairs_thai_typing_errors(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected
    assert clean_text(expected) == expected


def test_character_classes_are_pythainlp_s() -> None:
    import pythainlp

    assert pythainlp.thai_above_vowels == text.ABOVE_VOWELS
    assert pythainlp.thai_below_vowels == text.BELOW_VOWELS
    assert pythainlp.thai_follow_vowels == text.FOLLOW_VOWELS
    assert pythainlp.thai_lead_vowels == text.LEAD_VOWELS
    assert pythainlp.thai_tonemarks == text.TONE_MARKS


_THAI_BLOCK = [chr(c) for c in range(0x0E01, 0x0E5C)]


@functools.cache
def _strings() -> list[str]:
    """Every pair of Thai characters (and space, a Latin letter, a digit), and random strings."""
    alphabet = [*_THAI_BLOCK, " ", "a", "1"]
    pairs = ["".join(pair) for pair in itertools.product(alphabet, repeat=2)]
    rng = random.Random(20261202)
    longer = ["".join(rng.choices([*_THAI_BLOCK, " "], k=rng.randint(3, 7))) for _ in range(4000)]
    return pairs + longer


def test_text_the_cheap_test_passes_is_left_as_pythainlp_would_leave_it() -> None:
    """The fast path is exact: whatever needs_cleanup lets through, the full clean-up (NFC,
    pythainlp.util.normalize, spaces) would not change."""
    plain = [s for s in _strings() if not needs_cleanup(s)]
    assert len(plain) > 5000  # the test looks at a good share of texts, not none
    assert [s for s in plain if text._clean_in_full(s) != s] == []


def test_clean_text_is_idempotent() -> None:
    cleaned = [clean_text(s) for s in _strings() if needs_cleanup(s)]
    assert [s for s in cleaned if clean_text(s) != s] == []


def test_python_and_duckdb_agree_on_which_texts_need_cleaning() -> None:
    strings = _strings()
    found = duckdb.execute(
        "SELECT list_transform(?::VARCHAR[], s -> regexp_matches(s, ?))",
        [strings, text.NEEDS_CLEANUP],
    ).fetchone()
    assert found is not None
    assert found[0] == [needs_cleanup(s) for s in strings]
