"""A corpus of hostile but realistic district returns, written into a survey folder.

Each file is one class of trouble seen in real returns: very long cells, encodings that change
part-way, old Mac line ends, UTF-16 without a byte-order mark, degenerate geometries, lines that
DuckDB cannot parse, no header, total rows, personal data (names, phone numbers, a Thai national
ID) in dropped columns and in kept ones, formula-leading text, Thai typing errors, and files that
do not belong in the folder (a symlink, a broken link, a PDF, a file outside any round folder, a
round folder whose name is a spreadsheet formula). The personal strings are collected in
:data:`PERSONAL` so a test can look for them everywhere the run writes.
"""

from __future__ import annotations

import json
from pathlib import Path

ROUND = "2568-hostile"
NAME = "สมชาย ทดสอบใจดี"
PHONE = "081-234-5678"
PHONE_PLAIN = "0812345678"


def national_id(first_twelve: str) -> str:
    """A Thai personal identification number with a valid check digit."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first_twelve))
    return first_twelve + str((11 - total % 11) % 10)


NATIONAL_ID = national_id("110170023070")
PERSONAL = (NAME, PHONE, PHONE_PLAIN, NATIONAL_ID)
HEADER = "เขต,ชื่อชุมชน,รหัสชุมชน,ครัวเรือน,ประเภทชุมชน,ชื่อประธานชุมชน,เบอร์โทร,หมายเหตุ"


def _row(name: str, code: str, households: int, note: str = "") -> str:
    return f"ดุสิต,{name},{code},{households},ชุมชนแออัด,{NAME},{PHONE},{note}"


def write_corpus(surveys: Path, outside: Path) -> dict[str, Path]:
    """The hostile files under ``surveys`` (RAW_DIR/surveys); ``outside`` holds link targets."""
    folder = surveys / ROUND
    folder.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}

    def put(name: str, data: bytes | str, where: Path = folder) -> Path:
        path = where / name
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        files[name] = path
        return path

    # a 1 MB note in a column that is not a survey field, and a name longer than any field
    put(
        "long_note.csv",
        "\n".join(
            [HEADER, _row("ชุมชนยาว", "D1", 10, "หมายเหตุ" * 120_000), _row("ชุมชนสั้น", "D2", 11)]
        )
        + "\n",
    )
    put(
        "long_name.csv",
        "\n".join([HEADER, _row("ก" * 140_000, "D3", 12), _row("ชุมชนปกติ", "D4", 13)]) + "\n",
    )
    # valid UTF-8 for 300 KB, then Windows-874
    head = "\n".join([HEADER, *(_row(f"ชุมชนหัว{i}", f"E{i}", 5) for i in range(3000))]) + "\n"
    tail = _row("ชุมชนท้าย", "E9999", 6) + "\n"
    put("encoding_changes.csv", head.encode("utf-8") + tail.encode("cp874"))
    put("mac_line_ends.csv", ("\r".join([HEADER, _row("ชุมชนแมค", "F1", 14)]) + "\r").encode())
    utf16 = "\n".join([HEADER, _row("ชุมชนยูทีเอฟ", "G1", 15)]) + "\n"
    put("utf16_no_bom.csv", utf16.encode("utf-16-le"))
    # an unclosed quote: DuckDB's error text would quote the raw line
    put(
        "unclosed_quote.csv",
        "\n".join([HEADER, _row("ชุมชนดี", "H1", 16), f'ดุสิต,"ชุมชนเสีย,H2,17,ชุมชนแออัด,{NAME},{PHONE},'])
        + "\n",
    )
    # no header: the first rows hold a person's name and phone
    put("no_header.csv", f"{NAME},{PHONE}\n{NAME},{PHONE}\n1,2\n")
    # a total row whose first cell is a phone in a notes column
    put(
        "total_row.csv",
        f"หมายเหตุ,เขต,ชื่อชุมชน,ครัวเรือน\n{PHONE},ดุสิต,ชุมชนรวมใจ,20\nรวม {PHONE},,,20\n",
    )
    # personal data in kept columns: a phone in a name, a national ID as a household code
    put(
        "personal_in_values.csv",
        f"เขต,ชื่อชุมชน,รหัสชุมชน,ครัวเรือน\nดุสิต,ชุมชนโทร {PHONE},J1,21\nดุสิต,ชุมชนปลอดภัย,J2,22\n",
    )
    put(
        "households_national_id.csv",
        "เขต,ชื่อชุมชน,รหัสครัวเรือน,จำนวนสมาชิกในครัวเรือน,ชื่อหัวหน้าครัวเรือน,เลขบัตรประชาชน\n"
        f"ดุสิต,ชุมชนปลอดภัย,{NATIONAL_ID},4,{NAME},{NATIONAL_ID}\n"
        f"ดุสิต,ชุมชนปลอดภัย,HH-2,3,{NAME},{NATIONAL_ID}\n",
    )
    # formula-leading text in kept columns
    put(
        "formulas.csv",
        "เขต,ชื่อชุมชน,รหัสชุมชน,ครัวเรือน\n"
        'ดุสิต,"=HYPERLINK(""http://x"",""y"")",K1,23\n'
        "ดุสิต,@SUM(A1),K2,24\n",
    )
    # Thai typing errors: one community written two ways
    put(
        "typing_errors.csv",
        "เขต,ชื่อชุมชน,ครัวเรือน\nดุสิต,ชุมชนเเสงทอง,25\nดุสิต,ชุมชนแสงทอง,26\n",
    )
    put("degenerate.geojson", json.dumps(_degenerate_features(), ensure_ascii=False))
    # files that do not belong: a link out of the folder, a broken link, a PDF, a loose file,
    # and a round folder named like a formula
    target = put("linked.csv", "\n".join([HEADER, _row("ชุมชนลิงก์", "L1", 27)]) + "\n", outside)
    (folder / "linked.csv").symlink_to(target)
    files["linked.csv"] = folder / "linked.csv"
    (folder / "broken.csv").symlink_to(outside / "gone.csv")
    files["broken.csv"] = folder / "broken.csv"
    put("scan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    put("loose.csv", "\n".join([HEADER, _row("ชุมชนหลุด", "M1", 28)]) + "\n", surveys)
    formula_round = surveys / '=HYPERLINK("evil.example","y")'
    formula_round.mkdir(exist_ok=True)
    put("formula_round.csv", "\n".join([HEADER, _row("ชุมชนสูตร", "N1", 29)]) + "\n", formula_round)
    return files


def _degenerate_features() -> dict[str, object]:
    def feature(name: str, geometry: object) -> dict[str, object]:
        return {
            "type": "Feature",
            "properties": {"khet": "ดุสิต", "community_name": name, "households": 30},
            "geometry": geometry,
        }

    square = [
        [[100.51, 13.77], [100.512, 13.77], [100.512, 13.772], [100.51, 13.772], [100.51, 13.77]]
    ]
    return {
        "type": "FeatureCollection",
        "features": [
            feature("ชุมชนรูปดี", {"type": "Polygon", "coordinates": square}),
            feature(
                "ชุมชนสองจุด",
                {"type": "Polygon", "coordinates": [[[100.51, 13.77], [100.52, 13.78]]]},
            ),
            feature("ชุมชนว่าง", {"type": "MultiPolygon", "coordinates": []}),
            feature("ชุมชนไม่มีรูป", None),
        ],
    }
