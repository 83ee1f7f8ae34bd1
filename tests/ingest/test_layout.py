from __future__ import annotations

from citywide.ingest.columns import vocabulary
from citywide.ingest.layout import find_layout


def test_header_below_title_rows_and_blank_rows() -> None:
    rows = [
        ["รายงานผลการสำรวจชุมชน"],
        ["สำนักงานเขตบางรัก", "", ""],
        [],
        ["", "เขต", "ชื่อชุมชน", "ครัวเรือน", ""],
        ["", "บางรัก", "A", "10", ""],
    ]
    layout = find_layout(rows, vocabulary())
    assert layout is not None
    assert layout.header_row == 3
    assert layout.mapped == {"khet": 1, "community_name": 2, "households": 3}


def test_two_row_header_with_merged_group_cell() -> None:
    rows = [
        ["ลำดับ", "เขต", "ชื่อชุมชน", "จำนวนประชากร", "", "", "พิกัด", ""],
        ["", "", "", "ชาย", "หญิง", "รวม", "ละติจูด", "ลองจิจูด"],
        ["1", "ดุสิต", "A", "5", "6", "11", "13.78", "100.51"],
    ]
    layout = find_layout(rows, vocabulary())
    assert layout is not None
    assert layout.header_row == 1
    assert layout.mapped == {
        "khet": 1,
        "community_name": 2,
        "male": 3,
        "female": 4,
        "population": 5,
        "lat": 6,
        "lon": 7,
    }


def test_two_row_header_keeps_single_row_names_in_the_upper_row() -> None:
    rows = [
        ["เขต", "ชื่อชุมชน", "จำนวนประชากร", "", ""],
        ["", "", "ชาย", "หญิง", "รวม"],
    ]
    layout = find_layout(rows, vocabulary())
    assert layout is not None
    assert layout.header_row == 1
    # the upper row's names are the groups of the columns below them
    assert layout.mapped["khet"] == 0
    assert layout.mapped["community_name"] == 1
    assert layout.mapped["population"] == 4


def test_personal_columns_are_dropped_not_mapped() -> None:
    layout = find_layout([["เขต", "ชื่อชุมชน", "ประธานชุมชน", "เบอร์โทร", "หมายเหตุ"]], vocabulary())
    assert layout is not None
    assert layout.dropped == ["ประธานชุมชน", "เบอร์โทร"]
    assert layout.unmapped == ["หมายเหตุ"]
    assert "personal" not in layout.mapped


def test_no_header() -> None:
    assert find_layout([["hello", "world"], ["1", "2"]], vocabulary()) is None
    assert find_layout([], vocabulary()) is None


def test_a_header_in_thai_then_english_is_one_header() -> None:
    rows = [
        ["รายงานชุมชน เขตดุสิต"],
        ["เขต", "ชื่อชุมชน", "จำนวนครัวเรือน", "หมายเหตุ"],
        ["District", "Community name", "Households", "Notes"],
        ["ดุสิต", "A", "10", ""],
    ]
    layout = find_layout(rows, vocabulary())
    assert layout is not None
    assert layout.header_row == 2  # the English row: data start below it, not on it
    assert layout.mapped == {"khet": 0, "community_name": 1, "households": 2}
    # a data row that happens to name one field is no second header
    rows = [["เขต", "ชื่อชุมชน"], ["ดุสิต", "ชุมชน"], ["ดุสิต", "B"]]
    layout = find_layout(rows, vocabulary())
    assert layout is not None
    assert layout.header_row == 0


def test_a_fields_own_name_is_its_header() -> None:
    vocab = vocabulary()
    assert {name: vocab.field_for(name) for name in vocab.fields} == {n: n for n in vocab.fields}
    assert vocab.field_for("household/record_uuid") == "record_uuid"  # a Kobo question name
