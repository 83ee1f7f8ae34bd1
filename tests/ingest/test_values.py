from __future__ import annotations

import datetime as dt

import pytest

from citywide.gazetteer import load_gazetteer
from citywide.ingest.columns import vocabulary
from citywide.ingest.values import enum_table, khet_table, parse_date

TODAY = dt.date(2026, 11, 21)


@pytest.mark.parametrize(
    "text",
    [
        "15/12/2567",
        "15 ธ.ค. 67",
        "15 ธ.ค. 2567",
        "15ธ.ค.67",
        "15 ธันวาคม 2567",
        "2024-12-15",
        "2024/12/15",
        "15/12/2024",
        "15-12-67",
        "45641",
        "45641.0",
        "2024-12-15 08:30:00",
        "2024-12-15T08:30:00.000+07:00",
        "๑๕/๑๒/๒๕๖๗",
        "15 Dec 2024",
        "15 December 2024",
        "December 15, 2024",
        "12/15/2024",
    ],
)
def test_survey_dates(text: str) -> None:
    assert parse_date(text, TODAY) == dt.date(2024, 12, 15)


@pytest.mark.parametrize(
    "text", ["", "hello", "31/02/2567", "1/1/1980", "1/1/2570", "99999", "15 Foo 2567"]
)
def test_not_survey_dates(text: str) -> None:
    assert parse_date(text, TODAY) is None


def test_day_first_when_ambiguous() -> None:
    assert parse_date("03/04/2567", TODAY) == dt.date(2024, 4, 3)


def test_khet_table_resolves_each_distinct_text_once() -> None:
    table = khet_table(["บางรัก", "เขตบางรัก", "Nowhere", "บางกอกฯ"], load_gazetteer())
    assert table["code"].tolist()[:2] == ["1004", "1004"]
    assert table["code"].isna().tolist() == [False, False, True, True]
    assert table["method"].tolist()[2:] == ["unknown", "ambiguous"]
    assert "unknown khet" in str(table.loc[2, "message_en"])


def test_a_blank_enum_cell_is_no_value_while_a_dash_is_unknown() -> None:
    """ "-" folds to "" and means unknown; a blank cell, which folds to "" too, means nothing."""
    table = enum_table("toilet_type", ["", "  ", "-", "ส้วมซึม", "ส้วมทอง"], vocabulary())
    codes = [code if isinstance(code, str) else None for code in table["code"]]
    assert codes == [None, None, "unknown", "pour_flush", None]
    assert table["written"].tolist() == [False, False, True, True, True]
