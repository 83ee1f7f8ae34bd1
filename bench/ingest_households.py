"""Benchmark: ingest N household records from one CSV, beside DuckDB's own read_csv of it.

    CITYWIDE_SOURCES_DIR=../shared/data python bench/ingest_households.py [--rows 2000000]

A city-scale household enumeration over the 50 khets as district offices write it: Thai and
English khet spellings, Thai digits, thousands separators in incomes, B.E. dates, Thai enum
values, personal columns (head of household, phone, house number) that citywide must drop, and
a few bad rows. The measurements are those of ``bench/ingest_csv.py`` (each in its own process);
docs/benchmarks.md records the results.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy
from ingest_csv import compare, with_separators

from citywide.gazetteer import load_gazetteer

HEADER = (
    "เขต,รหัสชุมชน,ชื่อชุมชน,รหัสครัวเรือน,ชื่อหัวหน้าครัวเรือน,เบอร์โทรศัพท์,บ้านเลขที่,จำนวนสมาชิก,"
    "รายได้ครัวเรือนต่อเดือน,สถานะการอยู่อาศัย,สภาพบ้าน,ต้องการเข้าร่วมโครงการบ้านมั่นคง,"
    "ระยะเวลาที่อยู่ในชุมชน (ปี),วันที่สำรวจ\n"
)
_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
HOUSEHOLDS_PER_COMMUNITY = 250


def write_households(path: Path, rows: int, database: Path, seed: int = 11) -> None:
    """Household rows, in chunks so memory stays flat. ``database`` is not needed here."""
    rng = numpy.random.default_rng(seed)
    khets = load_gazetteer().khets
    spellings = numpy.array(
        [f"เขต{t}" for t in khets["name_th"]] + list(khets["name_th"]) + list(khets["name_en"])
    )
    tenure = numpy.array(["เจ้าของ", "เช่ามีสัญญา", "เช่าไม่มีสัญญา", "บุกรุก", "own", "squatter"])
    condition = numpy.array(["ดี", "ปานกลาง", "ทรุดโทรม", "good", "poor"])
    wants = numpy.array(["ต้องการ", "ไม่ต้องการ", "yes", "no", ""])
    dates = numpy.array(["15/12/2567", "15 ธ.ค. 67", "2024-12-15", "1 มกราคม 2568", "45641"])
    names = numpy.array(["นายสมชาย ใจดี", "นางมาลี มีสุข", "Somsri Rakthai", "นายวิชัย แก้วดี"])
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        chunk = 100_000
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            ids = numpy.arange(start, start + n)
            khet = ids % len(khets)  # every khet, evenly
            community = ids // (HOUSEHOLDS_PER_COMMUNITY * len(khets))
            which = khet + len(khets) * rng.integers(0, 3, n)  # one of the khet's spellings
            members = rng.integers(1, 9, n).astype(str)
            thai = rng.random(n) < 0.2
            members[thai] = numpy.char.translate(members[thai], _THAI_DIGITS)
            members[::1000] = "-1"  # one bad row in a thousand
            members[7::5000] = "45"  # implausible: loaded with a warning
            income = with_separators(rng.integers(3_000, 60_000, n))
            household = numpy.char.add("H", ids.astype(str))
            household[500::2000] = ""  # and one without a household code in 2,000
            columns = [
                spellings[which],
                numpy.char.add((community + 1).astype(str), ""),
                numpy.char.add("ชุมชนที่ ", (community + 1).astype(str)),
                household,
                names[rng.integers(0, len(names), n)],
                numpy.char.add("08", rng.integers(10_000_000, 99_999_999, n).astype(str)),
                numpy.char.add(numpy.char.add(rng.integers(1, 999, n).astype(str), "/"), "12"),
                members,
                numpy.char.add(numpy.char.add('"', income), '"'),
                tenure[rng.integers(0, len(tenure), n)],
                condition[rng.integers(0, len(condition), n)],
                wants[rng.integers(0, len(wants), n)],
                rng.integers(0, 60, n).astype(str),
                dates[rng.integers(0, len(dates), n)],
            ]
            out.write("\n".join(",".join(row) for row in zip(*columns, strict=True)) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2_000_000)
    compare(write_households, parser.parse_args().rows)


if __name__ == "__main__":
    main()
