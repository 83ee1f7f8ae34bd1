"""Benchmark: ingest N survey rows from one CSV, beside DuckDB's own read_csv of the same file.

    CITYWIDE_SOURCES_DIR=../shared/data python bench/ingest_csv.py [--rows 1000000]

Builds the geography from the sources, writes a CSV of realistic district-return rows (Thai and
English khet spellings, Thai digits, thousands separators, B.E. dates, coordinates, a few bad
rows), then runs each measurement in its own process so that peak memory (max RSS) is its own.
Prints a markdown table; docs/benchmarks.md records the results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy
import shapely

from citywide import db, geography
from citywide.gazetteer import load_gazetteer
from citywide.settings import Settings
from citywide.sources import KHET_BOUNDARIES, KHET_POPULATION, KHWAENG_BOUNDARIES, fetch_sources


def points_inside_khets(
    database: Path, per_khet: int, rng: numpy.random.Generator
) -> numpy.ndarray:
    """Random (lat, lon) inside each khet, shaped (khet in code order, per_khet, 2)."""
    with db.connect(database, read_only=True) as connection:
        shapes = connection.execute(
            "SELECT khet_code, ST_AsWKB(geom) FROM khet ORDER BY 1"
        ).fetchall()
    inside = numpy.empty((len(shapes), per_khet, 2))
    for index, (code, wkb) in enumerate(shapes):
        polygon = shapely.from_wkb(bytes(wkb))
        shapely.prepare(polygon)
        xmin, ymin, xmax, ymax = polygon.bounds
        candidates = shapely.points(
            rng.uniform(xmin, xmax, per_khet * 20), rng.uniform(ymin, ymax, per_khet * 20)
        )
        kept = candidates[shapely.contains(polygon, candidates)][:per_khet]
        if len(kept) < per_khet:
            raise RuntimeError(f"khet {code}: only {len(kept)} sample points fell inside it")
        inside[index] = numpy.column_stack([shapely.get_y(kept), shapely.get_x(kept)]).round(5)
    return inside


def with_separators(values: numpy.ndarray) -> numpy.ndarray:
    """Whole numbers below a million as district offices type them: 1,250."""
    return numpy.where(
        values >= 1000,
        numpy.char.add(
            numpy.char.add((values // 1000).astype(str), ","),
            numpy.char.zfill((values % 1000).astype(str), 3),
        ),
        values.astype(str),
    )


def write_rows(path: Path, rows: int, database: Path, seed: int = 7) -> None:
    """Survey rows as district offices write them, in chunks so memory stays flat."""
    rng = numpy.random.default_rng(seed)
    khets = load_gazetteer().khets
    spellings = numpy.array(
        [f"เขต{t}" for t in khets["name_th"]] + list(khets["name_th"]) + list(khets["name_en"])
    )
    points = points_inside_khets(database, 200, rng)
    types = numpy.array(["ชุมชนแออัด", "ชุมชนเมือง", "ชุมชนชานเมือง", "slum", "urban", "ชุมชนอาคารสูง"])
    dates = numpy.array(["15/12/2567", "15 ธ.ค. 67", "2024-12-15", "1 มกราคม 2568", "45641"])
    with path.open("w", encoding="utf-8") as out:
        out.write(
            "เขต,ชื่อชุมชน,รหัสชุมชน,ประเภทชุมชน,จำนวนบ้าน,จำนวนครัวเรือน,จำนวนประชากร,ละติจูด,ลองจิจูด,วันที่สำรวจ\n"
        )
        chunk = 100_000
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            ids = numpy.arange(start, start + n)
            households = rng.integers(10, 3000, n)
            households_text = with_separators(households)
            population = (households * rng.uniform(2.5, 4.0, n)).astype(int).astype(str)
            population[::1000] = "-5"  # one bad row in a thousand
            which = rng.integers(0, len(spellings), n)
            # spellings holds three spellings of each khet, in code order
            located = points[which % len(khets), ids % points.shape[1]]
            lat, lon = located[:, 0].astype(str), located[:, 1].astype(str)
            columns = [
                spellings[which],
                numpy.char.add("ชุมชนที่ ", ids.astype(str)),
                numpy.char.add("C", ids.astype(str)),
                types[rng.integers(0, len(types), n)],
                (households * 0.9).astype(int).astype(str),
                numpy.char.add(numpy.char.add('"', households_text), '"'),
                population,
                lat,
                lon,
                dates[rng.integers(0, len(dates), n)],
            ]
            out.write("\n".join(",".join(row) for row in zip(*columns, strict=True)) + "\n")


# What each measures: docs/benchmarks.md. The first two are DuckDB's own load of the file.
MEASUREMENTS = (
    "duckdb read_csv, in memory",
    "duckdb read_csv, into a database file",
    "citywide ingest",
)


def measure(kind: str, csv_path: Path, database: Path) -> dict[str, float]:
    """One measurement, from connecting to the database to closing it (imports excluded)."""
    import duckdb

    from citywide.gazetteer import load_gazetteer
    from citywide.ingest.load import ensure_tables, ingest_file

    load_gazetteer()  # packaged tables, read once per process: start-up, not ingestion
    started = time.perf_counter()
    if kind == "citywide ingest":
        with db.connect(database) as connection:
            ensure_tables(connection)
            (report,) = ingest_file(connection, csv_path, "bench", dt.date.today())
        rows = report.rows_read
        assert report.accounted
    else:
        target = (
            ":memory:" if kind.endswith("in memory") else str(database.with_suffix(".raw.duckdb"))
        )
        with duckdb.connect(target) as connection:
            connection.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(csv_path)])
            rows = connection.execute("SELECT count(*) FROM t").fetchone()[0]  # type: ignore[index]
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds, "peak_mb": peak_mb}


def build_geography(database: Path) -> None:
    settings = Settings(data_dir=database.parent / "data")
    fetch_sources(settings)
    raw = settings.raw_dir
    tables = geography.build_tables(
        raw / KHET_BOUNDARIES.main_path,
        raw / KHWAENG_BOUNDARIES.main_path,
        raw / KHET_POPULATION.main_path,
        load_gazetteer(),
    )
    with db.connect(database) as connection:
        db.replace_tables(connection, tables)


Writer = Callable[[Path, int, Path], None]  # (csv path, rows, geography database)


def compare(write: Writer, rows: int) -> None:
    """Write ``rows`` with ``write`` and measure each load of the file in its own process."""
    with tempfile.TemporaryDirectory(prefix="citywide-bench-") as folder:
        work = Path(folder)
        csv_path, database = work / "returns.csv", work / "bench.duckdb"
        build_geography(database)
        write(csv_path, rows, database)
        size_mb = csv_path.stat().st_size / 1e6
        results = {}
        for kind in MEASUREMENTS:
            command = [
                sys.executable,
                __file__,
                "--measure",
                kind,
                "--csv",
                str(csv_path),
                "--database",
                str(database),
            ]
            results[kind] = json.loads(
                # our own script and interpreter, arguments built here
                subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
            )
    print(f"{rows:,} rows, {size_mb:,.0f} MB of CSV\n")
    print("| measurement | rows | seconds | rows/s | peak memory (MB) |\n|---|---|---|---|---|")
    for kind, r in results.items():
        cells = [
            f"{r['rows']:,}",
            f"{r['seconds']:.2f}",
            f"{r['rows_per_s']:,.0f}",
            f"{r['peak_mb']:,.0f}",
        ]
        print(f"| {kind} | {' | '.join(cells)} |")
    ours = results["citywide ingest"]["rows_per_s"]
    print()
    for kind in MEASUREMENTS[:2]:
        share = ours / results[kind]["rows_per_s"]
        print(f"citywide ingests at {share:.0%} of the rate of {kind}.")
    print("Target: at least 25% of DuckDB's raw load rate.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--measure", choices=list(MEASUREMENTS))
    parser.add_argument("--csv", type=Path)
    parser.add_argument("--database", type=Path)
    args = parser.parse_args()
    if args.measure:  # child process: one measurement
        print(json.dumps(measure(args.measure, args.csv, args.database)))
        return
    compare(write_rows, args.rows)


if __name__ == "__main__":
    main()
