from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import pytest

from citywide.ingest.readers import FileUnreadable, detect_encoding, read_tables

HEADER = "เขต,ชื่อชุมชน,ครัวเรือน\n"


def materialised(path: Path) -> list[tuple[object, ...]]:
    (table,) = read_tables(path)
    connection = duckdb.connect()
    table.materialise(connection, "raw")
    return connection.execute(
        "SELECT source_row, khet, community_name, households FROM raw ORDER BY source_row"
    ).fetchall()


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("cp874", "windows-874"),
        ("utf-16", "utf-16"),
    ],
)
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str, detected: str) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes((HEADER + "บางรัก,ชุมชนวัดแขก,10\n").encode(encoding))
    (table,) = read_tables(path)
    assert table.encoding == detected
    assert materialised(path) == [(2, "บางรัก", "ชุมชนวัดแขก", "10")]


def test_unknown_encoding_is_a_clear_failure(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"\x81\x8d\x8f\x90" * 100)
    assert detect_encoding(path.read_bytes()) == "unknown"
    with pytest.raises(FileUnreadable, match="encoding"):
        read_tables(path)


def test_row_numbers_are_file_lines_despite_empty_lines(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "title\n\n" + HEADER + "บางรัก,A,1\n\n\r\nบางรัก,B,2\n,,\nบางรัก,C,3", encoding="utf-8"
    )
    assert [row[0] for row in materialised(path)] == [4, 7, 8, 9]
    assert materialised(path)[2] == (8, None, None, None)


def test_quoted_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(HEADER + 'บางรัก,"ชุมชน\nสองบรรทัด",1\nบางรัก,B,2\n', encoding="utf-8")
    rows = materialised(path)
    assert [row[2] for row in rows] == ["ชุมชน\nสองบรรทัด", "B"]
    assert [row[0] for row in rows] == [2, 3]  # record numbers when records span lines


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiters(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        HEADER.replace(",", delimiter) + delimiter.join(["บางรัก", "A, B", "1"]) + "\n",
        encoding="utf-8",
    )
    assert materialised(path) == [(2, "บางรัก", "A, B", "1")]


def test_ragged_rows_are_padded(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(HEADER + "บางรัก,A\nบางรัก,B,2,extra,cells\n", encoding="utf-8")
    assert materialised(path) == [(2, "บางรัก", "A", None), (3, "บางรัก", "B", "2")]


def test_workbook_sheets_and_excel_row_numbers(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "อ่านก่อน"
    first.append(["คำอธิบายการกรอกข้อมูล"])
    data = book.create_sheet("เขตดุสิต")
    data.append(["สรุป"])
    data.append(["เขต", "ชื่อชุมชน", "ครัวเรือน", "วันที่สำรวจ"])
    data.append(["ดุสิต", "A", 12.0, None])
    other = book.create_sheet("เขตบางรัก")
    other.append(["district", "community", "households"])
    other.append(["Bang Rak", "B", 7])
    path = tmp_path / "book.xlsx"
    book.save(path)
    tables = read_tables(path)
    assert [t.sheet for t in tables] == ["เขตดุสิต", "เขตบางรัก"]
    assert "อ่านก่อน" in tables[0].notes[0]
    connection = duckdb.connect()
    tables[0].materialise(connection, "raw")
    assert connection.execute(
        "SELECT source_row, community_name, households FROM raw"
    ).fetchall() == [(3, "A", "12")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.xlsx", b"PK\x03\x04 not a workbook", "damaged"),
        ("empty.csv", b"", "no header row"),
        ("notes.csv", b"just,some,words\n", "no header row"),
        ("report.pdf", b"%PDF-1.4", "not a survey file"),
    ],
)
def test_unreadable_files_say_what_and_how_to_fix(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileUnreadable, match=message) as caught:
        read_tables(path)
    assert "fix:" in str(caught.value)
    assert name in str(caught.value)


def test_title_rows_blank_lines_and_a_header_cell_over_two_lines(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        'รายงานชุมชน\n\n\nเขต,"ชื่อ\nชุมชน",ครัวเรือน\nบางรัก,A,1\nบางรัก,B,2\n', encoding="utf-8"
    )
    assert materialised(path) == [(6, "บางรัก", "A", "1"), (7, "บางรัก", "B", "2")]


def test_thai_encoding_found_beyond_an_ascii_head(tmp_path: Path) -> None:
    # an English header and 300 KB of ASCII rows before the first Thai name: the head
    # looks like UTF-8, DuckDB finds otherwise, and the whole file is judged again
    path = tmp_path / "r.csv"
    rows = "".join(f"Bang Rak,Community {i},{i}\n" for i in range(12_000))
    path.write_bytes(("District,Community,Households\n" + rows + "บางรัก,วัดแขก,7\n").encode("cp874"))
    (table,) = read_tables(path)
    connection = duckdb.connect()
    table.materialise(connection, "raw")
    assert table.encoding == "windows-874"
    assert connection.execute(
        "SELECT source_row, community_name FROM raw ORDER BY source_row DESC LIMIT 1"
    ).fetchall() == [(12_002, "วัดแขก")]


NOTE_HEADER = "เขต,ชื่อชุมชน,ครัวเรือน,หมายเหตุ\n"


@pytest.mark.parametrize(
    "note",
    [
        "note " * 200_000,  # 1 MB: longer than the csv module's field limit (131,072)
        "ก" * 1_000_000,  # 3 MB of Thai: longer than DuckDB's max_line_size (2 MB)
        '"' + "ข้อความ, long remark\n" * 40_000 + '"',  # quoted, with delimiters, line breaks
    ],
    ids=["1MB", "3MB", "quoted"],
)
def test_a_long_note_never_loses_the_file(tmp_path: Path, note: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        NOTE_HEADER + "บางรัก,A,1,\nบางรัก,B,2," + note + "\nบางรัก,C,3,ok\n", encoding="utf-8"
    )
    (table,) = read_tables(path)
    assert "note" not in table.fields  # not a survey field: never read
    rows = materialised(path)
    assert [row[1:] for row in rows] == [("บางรัก", n, str(i)) for i, n in enumerate("ABC", 1)]
    assert [row[0] for row in rows] == [2, 3, 4]


def test_a_community_name_longer_than_the_csv_field_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    name = "Chumchon " * 15_000  # 135,000 characters, inside the 256 KB header scan
    path.write_text(NOTE_HEADER + f"บางรัก,A,1,\nบางรัก,{name},2,\n", encoding="utf-8")
    rows = materialised(path)
    assert [(row[0], len(str(row[2]))) for row in rows] == [(2, 1), (3, len(name))]


def test_a_first_row_cut_by_the_header_scan_is_not_mistaken_for_title_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "r.csv"
    name = "ข" * 100_000  # 300 KB: the scanned head ends inside it
    path.write_text(HEADER + f"บางรัก,{name},1\nบางรัก,B,2\n", encoding="utf-8")
    rows = materialised(path)
    assert [(row[0], len(str(row[2]))) for row in rows] == [(2, len(name)), (3, 1)]


def test_an_encoding_that_changes_part_way_says_where(tmp_path: Path) -> None:
    path = tmp_path / "joined.csv"
    rows = "".join(f"บางรัก,ชุมชน {i},{i}\n" for i in range(10_000))  # 380 KB of UTF-8
    path.write_bytes((HEADER + rows).encode("utf-8") + "บางรัก,ท้าย,3\n".encode("cp874"))
    (table,) = read_tables(path)
    with pytest.raises(FileUnreadable, match="changes part-way") as caught:
        table.materialise(duckdb.connect(), "raw")
    assert "line 10002" in caught.value.where
    assert "UTF-8 up to line 10001" in caught.value.found


@pytest.mark.parametrize("line_end", ["\r", "\r\n", "\n"], ids=["CR", "CRLF", "LF"])
def test_line_ends_of_every_system(tmp_path: Path, line_end: str) -> None:
    path = tmp_path / "mac.csv"
    lines = ["รายงาน", "", HEADER.strip(), "บางรัก,A,1", "", "บางรัก,B,2", "บางรัก,C,3"]
    path.write_bytes(line_end.join(lines).encode("utf-8"))
    assert materialised(path) == [
        (4, "บางรัก", "A", "1"),
        (6, "บางรัก", "B", "2"),
        (7, "บางรัก", "C", "3"),
    ]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes((HEADER + "บางรัก,ชุมชนวัดแขก,10\nBang Rak,B,2\n").encode(encoding))
    (table,) = read_tables(path)
    assert table.encoding == encoding
    assert materialised(path) == [(2, "บางรัก", "ชุมชนวัดแขก", "10"), (3, "Bang Rak", "B", "2")]


def test_nul_bytes_that_are_not_utf16_are_an_encoding_failure(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(HEADER.encode("utf-8") + b"\x00\x01\x02\x03\xff\xfe\x41\x42" * 50)
    with pytest.raises(FileUnreadable, match="encoding"):
        read_tables(path)


def test_degenerate_geometries_lose_only_their_location(tmp_path: Path) -> None:
    import json

    square = [[100.52, 13.72], [100.53, 13.72], [100.53, 13.73], [100.52, 13.73], [100.52, 13.72]]
    bowtie = [[100.52, 13.72], [100.53, 13.73], [100.53, 13.72], [100.52, 13.73], [100.52, 13.72]]
    geometries = {
        "good": {"type": "Polygon", "coordinates": [square]},
        "two_points": {"type": "Polygon", "coordinates": [[[100.52, 13.72], [100.53, 13.72]]]},
        "empty": {"type": "MultiPolygon", "coordinates": []},
        "null": None,
        "bowtie": {"type": "Polygon", "coordinates": [bowtie]},
        "point": {"type": "Point", "coordinates": [100.5, 13.75]},
    }
    features = [
        {"type": "Feature", "properties": {"khet": "บางรัก", "community_name": name}, "geometry": g}
        for name, g in geometries.items()
    ]
    path = tmp_path / "layer.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    (table,) = read_tables(path)
    connection = duckdb.connect()
    table.materialise(connection, "raw")
    found = connection.execute(
        "SELECT source_row, community_name, geom_lat IS NOT NULL, footprint_wkb IS NOT NULL, "
        "geom_issue FROM raw ORDER BY source_row"
    ).fetchall()
    assert found == [
        (1, "good", True, True, None),
        (2, "two_points", False, False, "degenerate Polygon"),
        (3, "empty", False, False, "empty MultiPolygon"),
        (4, "null", False, False, "none"),
        (5, "bowtie", True, True, "repaired"),
        (6, "point", True, False, None),
    ]
    assert any("GDAL" in note for note in table.notes)  # the unclosed ring, said once


def test_a_kobo_household_roster_sheet_is_read_other_repeats_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "kobo.xlsx"
    workbook = openpyxl.Workbook()
    main = workbook.active
    main.title = "main"
    main.append(["community/khet", "community/community_name", "_uuid", "_index"])
    main.append(["1002", "A", "u-1", 1])
    roster = workbook.create_sheet("household")
    roster.append(["household/khet", "household/community_name", "household/household_code",
                   "household/members", "_index", "_parent_table_name", "_parent_index"])  # fmt: skip
    roster.append(["1002", "A", "H1", 4, 1, "main", 1])
    pets = workbook.create_sheet("pets")
    pets.append(
        ["pets/khet", "pets/community_name", "_index", "_parent_table_name", "_parent_index"]
    )
    pets.append(["1002", "A", 1, "main", 1])
    workbook.save(path)
    tables = read_tables(path)
    assert [(t.sheet, t.layout.record_kind, t.format) for t in tables] == [
        ("main", "community", "kobo-xlsx"),
        ("household", "household", "kobo-xlsx"),
    ]
    assert "pets" in tables[0].notes[0]
