"""Benchmark: `citywide check` on a 200-row district return, as an office runs it (issue 15).

    CITYWIDE_SOURCES_DIR=../shared/data python bench/check_return.py [--rows 200] [--repeat 5]

Builds the geography from the sources, writes an xlsx return of ``--rows`` real registry-like
rows (Thai headers, khet and khwaeng names, households, population, a point inside the khet,
B.E. dates) with a total row, then times whole `citywide check FILE` processes: Python's start,
the imports, opening the database, reading, every rule, the printed report. Each run is its own
process (wall time, and the process's CPU time, which the other work on a shared machine does
not inflate). Also lists the heavy packages the command imported (none should be Prefect,
geopandas, folium, ...). Prints a markdown table; docs/benchmarks.md records the results.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy
from ingest_csv import build_geography, points_inside_khets
from openpyxl import Workbook

from citywide.gazetteer import load_gazetteer

HEAVY = ("prefect", "geopandas", "folium", "matplotlib", "pyogrio", "shapely", "dask", "jinja2")
HEADER = ["เขต", "แขวง", "ชื่อชุมชน", "จำนวนครัวเรือน", "จำนวนประชากร", "ละติจูด", "ลองจิจูด",
          "วันที่สำรวจ"]  # fmt: skip


def write_return(path: Path, rows: int, database: Path, seed: int = 15) -> None:
    """One khet's return: ``rows`` communities of khet 1033 Khlong Toei and a total row."""
    rng = numpy.random.default_rng(seed)
    gazetteer = load_gazetteer()
    khwaengs = gazetteer.khwaengs[gazetteer.khwaengs["khet_code"] == "1033"]["name_th"].tolist()
    inside = points_inside_khets(database, rows, rng)
    khet_index = gazetteer.khet_codes.index("1033")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["รายงานผลการสำรวจชุมชน สำนักงานเขตคลองเตย"])
    sheet.append(HEADER)
    households = rng.integers(20, 400, rows)
    population = households * rng.integers(2, 5, rows)
    for i in range(rows):
        lat, lon = inside[khet_index, i]
        sheet.append(["คลองเตย", khwaengs[i % len(khwaengs)], f"ชุมชนพัฒนา {i + 1}",
                      int(households[i]), int(population[i]), lat, lon, "15/12/2567"])  # fmt: skip
    sheet.append(["รวม", None, None, int(households.sum()), int(population.sum())])
    book.save(path)


def run_check(path: Path, database: Path) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, output) of one `citywide check` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(  # noqa: S603 (our interpreter, arguments built here)
        [sys.executable, "-c", "from citywide.cli import app; app()",
         "--duckdb-path", str(database), "check", str(path)],
        capture_output=True, text=True, env=os.environ.copy(), check=False,
    )  # fmt: skip
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        raise RuntimeError(f"check exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return wall, cpu, result.stdout


def imported_heavy(path: Path, database: Path) -> list[str]:
    code = (
        "import sys\nfrom citywide.cli import app\ntry:\n    app()\nexcept SystemExit:\n    pass\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, "--duckdb-path", str(database), "check", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [line for line in result.stdout.splitlines() if line.startswith("[")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="citywide-bench-") as folder:
        work = Path(folder)
        database, path = work / "bench.duckdb", work / "khlong_toei.xlsx"
        build_geography(database)
        write_return(path, args.rows, database)
        run_check(path, database)  # warm the file cache: an office runs it more than once
        runs = [run_check(path, database) for _ in range(args.repeat)]
        heavy = imported_heavy(path, database)
        summary = runs[0][2].splitlines()[1]
    print(f"`citywide check` of a {args.rows}-row xlsx return, {args.repeat} processes\n")
    print("| run | wall (s) | CPU (s) |\n|---|---|---|")
    for number, (wall, cpu, _) in enumerate(runs, 1):
        print(f"| {number} | {wall:.2f} | {cpu:.2f} |")
    walls = [wall for wall, _, _ in runs]
    print(
        f"\nmedian wall {statistics.median(walls):.2f} s, best {min(walls):.2f} s (target: < 1 s)"
    )
    print(f"heavy packages imported: {heavy[-1] if heavy else '?'}")
    print(f"report: {summary}")


if __name__ == "__main__":
    main()
