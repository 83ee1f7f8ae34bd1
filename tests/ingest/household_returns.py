"""Household enumerations as district offices send them (xlsx and csv), with the expected outcome.

Every personal value planted in the files is in PERSONAL_VALUES: none may reach the database.
"""

from __future__ import annotations

from pathlib import Path

from tests.ingest.district_returns import _write_csv

PERSONAL_VALUES = (
    "นายสมชาย ใจดี",
    "นางมาลี มีสุข",
    "3100500123456",
    "0812345678",
    "123/45 ซอยพิพัฒน์",
    "13.72461",
    "100.53023",
)
COMMUNITY_LIST = [
    ["เขต", "รหัสชุมชน", "ชื่อชุมชน", "ครัวเรือน"],
    ["บางรัก", "001", "ชุมชนซอยพิพัฒน์", "120"],
    ["บางรัก", "002", "ชุมชนวัดแขก", "85"],
]
EXPECTED_REJECTIONS = {
    ("bangrak_households.xlsx", 8): "missing_household",
    ("bangrak_households.xlsx", 9): "negative_count",
    ("bangrak_households.xlsx", 10): "non_numeric_amount",
    ("bangrak_households.xlsx", 11): "unknown_khet",
    ("bangrak_households.xlsx", 12): "summary_row",
    ("dusit_households.csv", 4): "non_numeric_count",
}
EXPECTED_WARNINGS = {
    ("bangrak_households.xlsx", 6, "implausible_value", "members"),
    ("bangrak_households.xlsx", 6, "implausible_value", "monthly_income"),
    ("bangrak_households.xlsx", 7, "unknown_value", "tenure"),
    ("bangrak_households.xlsx", 7, "unknown_community", "community_code"),
    ("dusit_households.csv", 5, "implausible_value", "years_in_community"),
}
XLSX_HEADER = [
    "ลำดับ",
    "เขต",
    "แขวง",
    "รหัสชุมชน",
    "ชื่อชุมชน",
    "รหัสครัวเรือน",
    "ชื่อหัวหน้าครัวเรือน",
    "เลขบัตรประชาชน",
    "เบอร์โทรศัพท์",
    "บ้านเลขที่",
    "จำนวนสมาชิก",
    "รายได้ครัวเรือนต่อเดือน (บาท)",
    "สถานะการอยู่อาศัย",
    "สภาพบ้าน",
    "ต้องการเข้าร่วมโครงการบ้านมั่นคง",
    "ระยะเวลาที่อยู่ในชุมชน (ปี)",
    "วันที่สำรวจ",
]


def _bangrak_workbook(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "ครัวเรือน"
    sheet.append(["แบบสำรวจครัวเรือน ทำทั้งเมือง สำนักงานเขตบางรัก"])
    sheet.append([])
    sheet.append(XLSX_HEADER)  # row 3
    person = ["นายสมชาย ใจดี", "3100500123456", "0812345678", "123/45 ซอยพิพัฒน์"]
    other = ["นางมาลี มีสุข", "3100500999999", "0899999999", "9 ซอยพิพัฒน์"]
    rows = [
        # row 4: Thai digits, thousands separator, B.E. date
        [
            1,
            "บางรัก",
            "สีลม",
            "001",
            "ชุมชนซอยพิพัฒน์",
            "H001",
            *person,
            "๔",
            "๑๒,๕๐๐",
            "บุกรุก",
            "ทรุดโทรม",
            "ต้องการ",
            "๒๐",
            "15/12/2567",
        ],
        # row 5: the community by name only, written differently: matched to code 001
        [
            2,
            "เขตบางรัก",
            "",
            "",
            "ชุมชน ซอยพิพัฒน์",
            "H002",
            *other,
            3,
            8500,
            "เช่าไม่มีสัญญา",
            "ปานกลาง",
            "ไม่ต้องการ",
            5,
            "15/12/2567",
        ],
        # row 6: implausible members and income: loaded with warnings
        [
            3,
            "Bang Rak",
            "สุริยวงศ์",
            "002",
            "ชุมชนวัดแขก",
            "H003",
            *other,
            45,
            "2,500,000",
            "เจ้าของ",
            "ดี",
            "yes",
            12,
            "15/12/2567",
        ],
        # row 7: unknown tenure value, a community code the round does not have
        [
            4,
            "บางรัก",
            "สีลม",
            "099",
            "ชุมชนไม่มีในบัญชี",
            "H004",
            *other,
            2,
            6000,
            "ไม่แน่ใจ",
            "ดี",
            "no",
            3,
            "15/12/2567",
        ],
        # rows 8-11: rejected
        [
            5,
            "บางรัก",
            "สีลม",
            "001",
            "ชุมชนซอยพิพัฒน์",
            "",
            *other,
            2,
            6000,
            "เจ้าของ",
            "ดี",
            "no",
            3,
            "15/12/2567",
        ],
        [
            6,
            "บางรัก",
            "สีลม",
            "001",
            "ชุมชนซอยพิพัฒน์",
            "H006",
            *other,
            -2,
            6000,
            "เจ้าของ",
            "ดี",
            "no",
            3,
            "15/12/2567",
        ],
        [
            7,
            "บางรัก",
            "สีลม",
            "001",
            "ชุมชนซอยพิพัฒน์",
            "H007",
            *other,
            2,
            "ไม่มีรายได้ประจำ",
            "เจ้าของ",
            "ดี",
            "no",
            3,
            "15/12/2567",
        ],
        [
            8,
            "ดุสิตธานี",
            "",
            "001",
            "ชุมชนซอยพิพัฒน์",
            "H008",
            *other,
            2,
            6000,
            "เจ้าของ",
            "ดี",
            "no",
            3,
            "15/12/2567",
        ],
        # row 12: a summary row
        ["รวม", None, None, None, None, None, None, None, None, None, 58],
    ]
    for row in rows:
        sheet.append(row)
    book.save(path)


def write_household_returns(tmp_path: Path) -> Path:
    """A community list (round's communities of Bang Rak) and two household returns."""
    folder = tmp_path / "households"
    folder.mkdir()
    _write_csv(folder / "a_communities.csv", COMMUNITY_LIST, "utf-8")
    _bangrak_workbook(folder / "bangrak_households.xlsx")
    _write_csv(
        folder / "dusit_households.csv",
        [
            [
                "เขต",
                "ชื่อชุมชน",
                "รหัสครัวเรือน",
                "ชื่อ-นามสกุล",
                "ที่อยู่",
                "โทรศัพท์",
                "ละติจูด",
                "ลองจิจูด",
                "จำนวนสมาชิกในครัวเรือน",
                "รายได้ (บาท/เดือน)",
                "การถือครอง",
                "สภาพที่อยู่อาศัย",
                "ต้องการเข้าร่วมโครงการที่อยู่อาศัย",
                "จำนวนปีที่อยู่ในชุมชน",
                "วันที่สำรวจ",
            ],
            # line 2: Dusit has no community list this round: no unknown_community warning
            [
                "ดุสิต",
                "ชุมชนวัดโสมนัส",
                "D-01",
                "นายสมชาย ใจดี",
                "123/45 ซอยพิพัฒน์",
                "0812345678",
                "13.72461",
                "100.53023",
                "๕",
                "๙,๕๐๐",
                "เช่ามีสัญญา",
                "ดี",
                "ต้องการ",
                "๓๐",
                "15 ธ.ค. 67",
            ],
            [
                "Dusit",
                "ชุมชนวัดโสมนัส",
                "D-02",
                "",
                "",
                "",
                "",
                "",
                "4",
                "15000",
                "own",
                "fair",
                "ไม่ต้องการ",
                "10",
                "2024-12-15",
            ],
            [
                "ดุสิต",
                "ชุมชนวัดโสมนัส",
                "D-03",
                "",
                "",
                "",
                "",
                "",
                "สี่",
                "15000",
                "own",
                "fair",
                "ไม่ต้องการ",
                "10",
                "2024-12-15",
            ],
            [
                "ดุสิต",
                "ชุมชนวัดโสมนัส",
                "D-04",
                "",
                "",
                "",
                "",
                "",
                "2",
                "7,000.50",
                "บุกรุก",
                "ทรุดโทรม",
                "yes",
                "150",
                "2024-12-15",
            ],
        ],
        "utf-8-sig",
    )
    return folder
