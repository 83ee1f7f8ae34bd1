"""A folder of district returns in the shapes district offices send, with the expected outcome.

Every personal value planted in the files is in PERSONAL_VALUES: none may reach the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

PERSONAL_VALUES = ("นายสมชาย ใจดี", "0812345678", "3100500123456", "enumerator_somsri", "นางมาลี มีสุข")
EXPECTED_PER_KHET = {"1004": 5, "1002": 4, "1033": 4, "1007": 3, "1028": 2}
EXPECTED_REJECTIONS = {
    ("bangrak_2567.xlsx", 12): "negative_count",
    ("bangrak_2567.xlsx", 14): "summary_row",
    ("dusit.csv", 5): "non_numeric_count",
    ("dusit.csv", 6): "unknown_khet",
    ("klongtoei.csv", 8): "summary_row",
    ("kobo_export.csv", 5): "duplicate_submission",
    ("kobo_export.csv", 6): "missing_khet",
}
EXPECTED_WARNINGS = {
    ("bangrak_2567.xlsx", 11): "coordinates_swapped",
    ("dusit.csv", 7): "khet_from_location",
    ("klongtoei.csv", 7): "coordinates_outside_bangkok",
}


def _bangrak_workbook(path: Path) -> None:
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "ชุมชน"
    sheet.append(["รายงานผลการสำรวจชุมชน ทำทั้งเมือง"])
    sheet.append(["สำนักงานเขตบางรัก ปีงบประมาณ ๒๕๖๘"])
    sheet.append([])
    head = [
        "ลำดับ",
        "เขต",
        "แขวง",
        "ชื่อชุมชน",
        "ประเภทชุมชน",
        None,
        "จำนวนบ้าน",
        "ครัวเรือน",
        "จำนวนประชากร",
        None,
        None,
        "ละติจูด",
        "ลองจิจูด",
        "ประธานชุมชน",
        "เบอร์โทร",
        "วันที่สำรวจ",
    ]
    sheet.append(head)
    sheet.append([None, None, None, None, None, None, None, None, "ชาย", "หญิง", "รวม"])
    for column in "ABCDEFGHLMNOP":
        sheet.merge_cells(f"{column}4:{column}5")
    sheet.merge_cells("I4:K4")
    day = dt.datetime(2024, 12, 15)
    rows = [
        [
            1,
            "บางรัก",
            "สีลม",
            "ชุมชนซอยพิพัฒน์",
            "ชุมชนแออัด",
            None,
            120,
            130,
            200,
            210,
            410,
            13.7246,
            100.5302,
            "นายสมชาย ใจดี",
            "0812345678",
            day,
        ],
        [
            2,
            "เขตบางรัก",
            "สุริยวงศ์",
            "ชุมชนวัดแขก",
            "slum",
            None,
            80,
            85,
            150,
            160,
            310,
            13.7260,
            100.5220,
            "นางมาลี มีสุข",
            "0899999999",
            day,
        ],
        [
            3,
            "Bang Rak",
            "มหาพฤฒาราม",
            "ชุมชนตรอกโรงภาษี",
            "ชุมชนเมือง",
            None,
            60,
            64,
            100,
            101,
            201,
            13.7300,
            100.5150,
            None,
            None,
            "15/12/2567",
        ],
        [
            4,
            "บางรัก",
            "บางรัก",
            "ชุมชนเจริญกรุง ๔๒",
            "ชุมชนอาคารสูง",
            None,
            "1,200",
            "1,250",
            2000,
            2100,
            4100,
            13.7250,
            100.5150,
            None,
            None,
            45641,
        ],
    ]
    for row in rows:  # rows 6-9
        sheet.append(row)
    sheet.append([])  # row 10: a blank row inside the data
    swapped = [
        5,
        "บางรัก",
        "สีลม",
        "ชุมชนสลับพิกัด",
        "ชุมชนแออัด",
        None,
        30,
        31,
        50,
        52,
        102,
        100.5280,
        13.7270,
    ]
    sheet.append([*swapped, None, None, day])  # row 11
    sheet.append(
        [
            6,
            "บางรัก",
            "สีลม",
            "ชุมชนติดลบ",
            "ชุมชนแออัด",
            None,
            10,
            -5,
            10,
            10,
            20,
            13.7246,
            100.5302,
            None,
            None,
            day,
        ]
    )
    sheet.append([])  # row 13
    sheet.append(["รวม", None, None, None, None, None, 1320, 1425, 2410, 2534, 4944])  # row 14
    notes = book.create_sheet("หมายเหตุ")
    notes.append(["ข้อมูลนี้จัดทำโดยสำนักงานเขตบางรัก"])
    book.save(path)


def _write_csv(
    path: Path, rows: Sequence[Sequence[object]], encoding: str, delimiter: str = ","
) -> None:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_district_returns(tmp_path: Path) -> Path:
    folder = tmp_path / "returns"
    folder.mkdir()
    _bangrak_workbook(folder / "bangrak_2567.xlsx")
    _write_csv(
        folder / "dusit.csv",
        [
            [
                "เขต",
                "ชื่อชุมชน",
                "ประเภท",
                "จำนวนครัวเรือน",
                "จำนวนประชากร",
                "ละติจูด",
                "ลองจิจูด",
                "วันที่สำรวจ",
            ],
            [
                "เขตดุสิต",
                "ชุมชนวัดโสมนัส",
                "ชุมชนแออัด",
                "๑,๒๐๐",
                "๓,๕๐๐",
                "13.7600",
                "100.5130",
                "15/12/2567",
            ],
            ["ดุสิต", "ชุมชนสวนอ้อย", "ชุมชนเมือง", "300", "900", "", "", "15 ธ.ค. 67"],
            ["Dusit", "ชุมชนบ้านพานถม", "crowded community", "150", "420", "", "", "15 ธันวาคม 2567"],
            ["ดุสิต", "ชุมชนไม่ใช่ตัวเลข", "ชุมชนแออัด", "100", "abc", "", "", "15/12/2567"],
            ["ดุสิตธานี", "ชุมชนเขตผิด", "ชุมชนแออัด", "100", "300", "", "", "15/12/2567"],
            ["", "ชุมชนหาเขตจากพิกัด", "ชุมชนเมือง", "50", "150", "13.7780", "100.5140", "2024-12-15"],
        ],
        "utf-8-sig",
    )
    _write_csv(
        folder / "klongtoei.csv",
        [
            ["Community survey, Khlong Toei district office"],
            [],
            [
                "District",
                "Community",
                "Type",
                "Households",
                "Population",
                "Coordinates",
                "Head of household",
                "Survey date",
            ],
            [
                "Khlong Toei",
                "ชุมชนล็อค 1-2-3",
                "slum",
                "1500",
                "5200",
                "13.7100, 100.5600",
                "นายสมชาย ใจดี",
                "2024-12-15",
            ],
            [
                "Klong Toey",
                "ชุมชนพัฒนาใหม่",
                "slum",
                "800",
                "2600",
                "13.7120, 100.5620",
                "",
                "2024-12-15",
            ],
            [
                "คลองเตย",
                "ชุมชนริมคลองไผ่สิงโต",
                "ชุมชนแออัด",
                "220",
                "700",
                "13.7210, 100.5540",
                "",
                "2024-12-15",
            ],
            ["เขตคลองเตย", "ชุมชนนอกกรุง", "urban", "40", "120", "15.0, 101.5", "", "2024-12-15"],
            ["Total", "", "", "2560", "8620", "", "", ""],
        ],
        "cp874",
        delimiter=";",
    )
    _write_csv(
        folder / "kobo_export.csv",
        [
            [
                "start",
                "profile/khet",
                "profile/community_name",
                "profile/community_type",
                "counts/households",
                "counts/population",
                "profile/chairman_phone",
                "_gps_latitude",
                "_gps_longitude",
                "_uuid",
                "_submission_time",
                "_submitted_by",
            ],
            [
                "2024-12-15",
                "pathum wan",
                "ชุมชนบ่อนไก่",
                "slum",
                "700",
                "2300",
                "0812345678",
                "13.7270",
                "100.5500",
                "uuid-1",
                "2024-12-15T09:00:00",
                "enumerator_somsri",
            ],
            [
                "2024-12-15",
                "ปทุมวัน",
                "ชุมชนโบ๊เบ๊",
                "slum",
                "200",
                "650",
                "",
                "13.7500",
                "100.5150",
                "uuid-2",
                "2024-12-15T10:00:00",
                "enumerator_somsri",
            ],
            [
                "2024-12-15",
                "TH1007",
                "ชุมชนเกษมสันต์",
                "urban",
                "90",
                "300",
                "",
                "13.7480",
                "100.5290",
                "uuid-3",
                "2024-12-15T11:00:00",
                "enumerator_somsri",
            ],
            [
                "2024-12-15",
                "ปทุมวัน",
                "ชุมชนโบ๊เบ๊",
                "slum",
                "200",
                "650",
                "",
                "13.7500",
                "100.5150",
                "uuid-2",
                "2024-12-15T10:00:00",
                "enumerator_somsri",
            ],
            [
                "2024-12-15",
                "",
                "ชุมชนไร้ที่อยู่",
                "slum",
                "10",
                "30",
                "3100500123456",
                "",
                "",
                "uuid-4",
                "2024-12-15T12:00:00",
                "enumerator_somsri",
            ],
        ],
        "utf-8",
    )
    (folder / "sathon_points.geojson").write_text(
        """{"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [100.5290, 13.7190]},
         "properties": {"khet": "สาทร", "community_name": "ชุมชนสวนพลู", "households": 180, "population": 560}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [100.5330, 13.7080]},
         "properties": {"khet": "Sathorn", "community_name": "ชุมชนบ้านมั่นคงสาทร", "households": 95, "population": 310}}
        ]}""",
        encoding="utf-8",
    )
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook")
    (folder / "notes.csv").write_text("hello,world\n1,2\n", encoding="utf-8")
    return folder
