"""`citywide run` on a machine without network and without local sources: it fails at once, with
one message and no traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL

pytestmark = pytest.mark.usefixtures("prefect_harness")
CITYWIDE = str(Path(sys.executable).parent / "citywide")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    "proxy",
    ["http://127.0.0.1:{port}", "http://citywide-proxy.invalid:3128"],
    ids=["connection-refused", "unresolvable-host"],
)
def test_run_without_network_fails_fast_with_one_message(tmp_path: Path, proxy: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYWIDE_")}
    env |= {
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),  # the test's server, reached directly
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "CITYWIDE_DATA_DIR": str(tmp_path / "data"),
        "CITYWIDE_MAPS_DIR": str(tmp_path / "maps"),
    }
    for name in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"):
        env[name] = proxy.format(port=closed_port())  # every origin behind a dead proxy
    started = time.monotonic()
    done = subprocess.run(
        [CITYWIDE, "run"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    elapsed = time.monotonic() - started
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    assert output.count("fix:") == 1, output  # the full message once, from the CLI
    assert output.count("CITYWIDE_SOURCES_DIR") == 1
    assert "Retry" not in output  # no network is not retried
    # Process start and Prefect's import take most of it; the old retries alone took 35 s.
    assert elapsed < 30, elapsed
    assert not (tmp_path / "data" / "processed" / "citywide.duckdb").exists()  # nothing built
