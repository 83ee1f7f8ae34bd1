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


# --- The UN-Habitat deprivation fields (SDG 11.1.1), on the tiny geography ---------------------
# Dusit (1002) writes Thai headers and Thai words; Bang Rak (1004) a Kobo export with English
# headers in groups, codes and English words. Personal columns are dropped as in every return.
DEPRIVATION_HEADER_TH = [
    "ลำดับ",
    "เขต",
    "แขวง",
    "ชื่อชุมชน",
    "รหัสครัวเรือน",
    "ชื่อหัวหน้าครัวเรือน",
    "จำนวนสมาชิก",
    "แหล่งน้ำดื่ม",
    "ประเภทส้วม",
    "ใช้ส้วมร่วมกับครัวเรือนอื่น",
    "จำนวนห้องนอน",
    "พื้นที่ใช้สอย (ตร.ม.)",
    "วัสดุผนัง",
    "วัสดุหลังคา",
    "พื้นบ้าน",
    "เอกสารสิทธิ์",
    "วันที่สำรวจ",
]
# source row -> (household, community, members, water, toilet, shared, rooms, floor area,
#                walls, roof, floor, tenure document), as written
DUSIT_ROWS: dict[int, tuple[object, ...]] = {
    4: ("D01", "ชุมชนหนึ่ง", 4, "ประปา", "ชักโครก", "ส่วนตัว", 2, 36, "ปูน", "กระเบื้อง",
        "กระเบื้อง", "โฉนด"),
    5: ("D02", "ชุมชนหนึ่ง", "๗", "น้ำคลอง", "ส้วมซึม", "ใช้ร่วมกับครัวเรือนอื่น", 2, None, "ไม้",
        "สังกะสี", "ไม้", "ไม่มี"),
    6: ("D03", "ชุมชนหนึ่ง", 3, "ต่อจากเพื่อนบ้าน", "ส้วมแขวน", "", 1, "", "สังกะสี", "สังกะสี",
        "ไม้", "สัญญาเช่า"),
    7: ("D04", "ชุมชน หนึ่ง", 5, "น้ำขวด", "ส้วมซึม", "ส่วนตัว", "", "๑๒", "ครึ่งตึกครึ่งไม้",
        "กระเบื้องลอนคู่", "ปูน", "หนังสืออนุญาต"),
    8: ("D05", "ชุมชนสอง", 5, "ประปา", "ชักโครก", "ส่วนตัว", 2, "6.5", "ปูน", "ดาดฟ้า", "ปูน",
        "โฉนด"),
    9: ("D06", "ชุมชนสอง", 2, "ไม่ทราบ", "", "", "", "", "เศษวัสดุ", "ผ้าใบ", "ดิน", ""),
    10: ("D07", "ชุมชนสอง", 6, "", "", "", 2, "2,500", "", "", "", ""),
    11: ("D08", "ชุมชนสาม", 4, "ประปา", "ไม่มีส้วม", "", 1, 20, "ไม้", "สังกะสี", "ไม้",
         "ไม่มีเอกสาร"),
    12: ("D09", "ชุมชนสาม", "", "บ่อบาดาล", "ชักโครก", "ส้วมสาธารณะ", 3, "", "อิฐ", "กระเบื้อง",
         "หินขัด", "ไม่ระบุ"),
    13: ("D10", "ชุมชนสาม", 1, "ประปา", "ชักโครก", "private", 1, "", "ปูน", "กระเบื้องใส",
         "กระเบื้องยาง", "โฉนดที่ดิน"),
    14: ("D11", "ชุมชนสาม", 3, "ประปา", "ชักโครก", "ส่วนตัว", "สองห้อง", "", "ปูน", "กระเบื้อง",
         "ปูน", "โฉนด"),
}  # fmt: skip
BANG_RAK_HEADER = [
    "start",
    "household/district",
    "household/community",
    "household/hh_id",
    "household/respondent_name",
    "household/hh_size",
    "services/drinking water source",
    "services/toilet type",
    "services/shared toilet",
    "dwelling/number of rooms",
    "dwelling/floor area (m2)",
    "dwelling/wall material",
    "dwelling/roof",
    "dwelling/floor",
    "dwelling/tenure document",
    "_uuid",
]
BANG_RAK_ROWS = [
    ["2024-12-15", "bang rak", "Soi Phiphat", "B01", "Somchai", "3", "piped", "flush", "no", "1",
     "24", "masonry", "tile", "concrete", "title deed", "u-1"],
    ["2024-12-15", "bang rak", "Soi Phiphat", "B02", "Malee", "8", "canal water", "pour-flush",
     "shared", "2", "", "plywood", "metal sheet", "wood planks", "none", "u-2"],
    ["2024-12-15", "bang rak", "Soi Phiphat", "B03", "", "2", "n/a", "", "", "", "", "", "", "",
     "", "u-3"],
    ["2024-12-15", "bang rak", "Soi Phiphat", "B04", "", "4", "bottled water", "septic tank",
     "private", "2", "30", "brick", "zinc", "tiles", "lease", "u-4"],
]  # fmt: skip
# household_key -> (members, water_source, toilet_type, toilet_shared, rooms, floor_area,
#                   wall_material, roof_material, floor_material, tenure_document)
EXPECTED_DEPRIVATION_RECORDS = {
    "1002:D01": (4, "piped", "flush", "private", 2, 36.0, "masonry", "tile", "tile", "title_deed"),
    "1002:D02": (7, "surface", "pour_flush", "shared", 2, None, "wood", "metal_sheet", "wood",
                 "none"),
    "1002:D03": (3, "piped_neighbour", "over_water", None, 1, None, "metal_sheet", "metal_sheet",
                 "wood", "lease"),
    "1002:D04": (5, "bottled", "pour_flush", "private", None, 12.0, "masonry_wood", "tile",
                 "concrete", "permit"),
    "1002:D05": (5, "piped", "flush", "private", 2, 6.5, "masonry", "concrete", "concrete",
                 "title_deed"),
    "1002:D06": (2, "unknown", None, None, None, None, "makeshift", "makeshift", "natural", None),
    "1002:D07": (6, None, None, None, 2, 2500.0, None, None, None, None),
    "1002:D08": (4, "piped", "none", None, 1, 20.0, "wood", "metal_sheet", "wood", "none"),
    "1002:D09": (None, "tube_well", "flush", "public", 3, None, "masonry", "tile", "tile",
                 "unknown"),
    "1002:D10": (1, "piped", "flush", "private", 1, None, "masonry", None, "vinyl",
                 "title_deed"),
    "1004:B01": (3, "piped", "flush", "private", 1, 24.0, "masonry", "tile", "concrete",
                 "title_deed"),
    "1004:B02": (8, "surface", "pour_flush", "shared", 2, None, "makeshift", "metal_sheet",
                 "wood", "none"),
    "1004:B03": (2, "unknown", None, None, None, None, None, None, None, None),
    "1004:B04": (4, "bottled", "flush", "private", 2, 30.0, "masonry", "metal_sheet", "tile",
                 "lease"),
}  # fmt: skip
EXPECTED_DEPRIVATION_WARNINGS = {
    ("dusit_deprivations.xlsx", 10, "implausible_value", "floor_area"),
    ("dusit_deprivations.xlsx", 13, "unknown_value", "roof_material"),
}
EXPECTED_DEPRIVATION_REJECTIONS = {
    ("dusit_deprivations.xlsx", 14): "non_numeric_count",
    ("dusit_deprivations.xlsx", 15): "summary_row",
}


def _dusit_deprivations(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "ครัวเรือน"
    sheet.append(["แบบสำรวจครัวเรือน (สภาพที่อยู่อาศัย) สำนักงานเขตดุสิต"])
    sheet.append([])
    sheet.append(DEPRIVATION_HEADER_TH)  # row 3
    for row, (code, community, *values) in DUSIT_ROWS.items():
        khwaeng = "ดุสิต" if row % 2 else "วชิรพยาบาล"
        sheet.append([row - 3, "ดุสิต", khwaeng, community, code, "นางมาลี มีสุข", *values,
                      "15/12/2567"])  # fmt: skip
    sheet.append(["รวม", None, None, None, None, None, 40])  # row 15
    sheet.append([])
    book.save(path)


def write_deprivation_returns(tmp_path: Path) -> Path:
    """Two household returns with the UN-Habitat fields: Dusit's workbook, Bang Rak's Kobo csv."""
    folder = tmp_path / "deprivations"
    folder.mkdir()
    _dusit_deprivations(folder / "dusit_deprivations.xlsx")
    _write_csv(folder / "bangrak_kobo.csv", [BANG_RAK_HEADER, *BANG_RAK_ROWS], "utf-8")
    return folder
