"""Benchmark: a full run of the `citywide` flow beside a run with nothing new and a run after one
district file changed, on the real Bangkok files.

    CITYWIDE_SOURCES_DIR=../shared/data python bench/incremental.py [--repeat 3]

Flow runs are timed inside one process that has already started its Prefect server, as
`citywide serve` (or a worker with a Prefect server) runs them: the time is the flow's, from call
to return. The same runs through the `citywide run` command are timed too, whole processes
including Python's start and Prefect's, once with a running Prefect server (PREFECT_API_URL) and
once with the temporary server Prefect starts when none is set. Prints a markdown table;
docs/benchmarks.md records the results.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from prefect import flow
from prefect.settings import PREFECT_API_URL
from prefect.testing.utilities import prefect_test_harness

from citywide.settings import Settings
from flows.citywide import citywide

DISTRICT_ROWS = 2_000  # about one large district's return


def district_return(rows: int, households_offset: int) -> str:
    lines = (f"ดุสิต,ชุมชนทดสอบ {i},{(i + households_offset) % 300 + 1},ชุมชนแออัด" for i in range(rows))
    return "เขต,ชื่อชุมชน,ครัวเรือน,ประเภทชุมชน\n" + "\n".join(lines) + "\n"


def timed(run: Callable[..., object], *arguments: object) -> float:
    started = time.perf_counter()
    run(*arguments)
    return time.perf_counter() - started


@flow
def warm_up() -> None:
    """Starts the API connection and imports Prefect's engine before anything is timed."""


def in_process(root: Path, sources: Path, repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"full": [], "nothing new": [], "one file changed": []}
    for attempt in range(repeat):
        folder = root / f"flow-{attempt}"
        settings = Settings(data_dir=folder / "data", maps_dir=folder / "maps", sources_dir=sources)
        surveys = settings.raw_dir / "surveys" / "2568-1"
        surveys.mkdir(parents=True)
        (surveys / "dusit.csv").write_text(district_return(DISTRICT_ROWS, 0), encoding="utf-8")
        (surveys / "bangrak.csv").write_text(district_return(DISTRICT_ROWS, 7), encoding="utf-8")
        times["full"].append(timed(citywide, settings))
        times["nothing new"].append(timed(citywide, settings))
        (surveys / "dusit.csv").write_text(district_return(DISTRICT_ROWS, 1), encoding="utf-8")
        times["one file changed"].append(timed(citywide, settings))
    return times


def command(root: Path, sources: Path, api_url: str | None) -> dict[str, float]:
    """`citywide run` twice in new processes: a full run, then one with nothing new."""
    folder = root / ("cli-server" if api_url else "cli-temporary-server")
    folder.mkdir()  # Prefect makes PREFECT_HOME, not its parents
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITYWIDE_", "PREFECT_API"))}
    env |= {
        "CITYWIDE_DATA_DIR": str(folder / "data"),
        "CITYWIDE_MAPS_DIR": str(folder / "maps"),
        "CITYWIDE_SOURCES_DIR": str(sources),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    if api_url:
        env["PREFECT_API_URL"] = api_url
    else:
        env["PREFECT_HOME"] = str(folder / "prefect-home")
        # a new home's first start migrates its database: more than the default 20 s on 2 cores
        env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"
    executable = str(Path(sys.executable).parent / "citywide")

    def run() -> None:
        subprocess.run([executable, "run"], env=env, check=True, capture_output=True)  # noqa: S603 (our own command)

    if not api_url:
        run()  # the temporary server's first start creates its own database: not counted
        shutil.rmtree(folder / "data")
    return {"full": timed(run), "nothing new": timed(run)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sources = Path(os.environ["CITYWIDE_SOURCES_DIR"]).resolve()
    with tempfile.TemporaryDirectory(prefix="citywide-bench-") as folder:
        root = Path(folder)
        with prefect_test_harness(server_startup_timeout=60):
            warm_up()
            flows = in_process(root, sources, args.repeat)
            with_server = command(root, sources, str(PREFECT_API_URL.value()))
        temporary = command(root, sources, None)

    print("| run | full (s) | nothing new (s) | share | one file changed (s) | share |")
    print("|---|---|---|---|---|---|")
    for index in range(args.repeat):
        full, none, one = (flows[k][index] for k in ("full", "nothing new", "one file changed"))
        print(
            f"| flow, in one process ({index + 1}) | {full:.2f} | {none:.2f} | {none / full:.0%} "
            f"| {one:.2f} | {one / full:.0%} |"
        )
    for label, cli in (("`citywide run`, Prefect server running", with_server),
                       ("`citywide run`, temporary Prefect server", temporary)):  # fmt: skip
        full, none = cli["full"], cli["nothing new"]
        print(f"| {label} | {full:.2f} | {none:.2f} | {none / full:.0%} | | |")


if __name__ == "__main__":
    main()
