from __future__ import annotations

import functools
import hashlib
import http.server
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from citywide.errors import (
    ChecksumMismatch,
    DownloadFailed,
    NoNetwork,
    OriginRefused,
    SourceFileMissing,
    SourcesFailed,
)
from citywide.settings import Settings
from citywide.sources import (
    REGISTRY,
    Source,
    SourceFile,
    fetch_source,
    fetch_sources,
    file_sha256,
    remove_stale_staging,
    source_by_id,
)

PARTS = {
    "a/roads.shp": b"shape bytes",
    "a/roads.dbf": b"table bytes",
    "b/people.csv": b"dcode,n\n1001,5\n",
}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_source(
    source_id: str, paths: list[str], base_url: str = "https://example.invalid"
) -> Source:
    return Source(
        id=source_id,
        title=source_id,
        files=tuple(SourceFile(p, f"{base_url}/{p}", sha(PARTS[p])) for p in paths),
    )


SHAPES = make_source("roads", ["a/roads.shp", "a/roads.dbf"])
PEOPLE = make_source("people", ["b/people.csv"])


@pytest.fixture
def local_copies(tmp_path: Path) -> Path:
    folder = tmp_path / "shared"
    for relative, data in PARTS.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(data)
    return folder


@pytest.fixture
def local_settings(settings: Settings, local_copies: Path) -> Settings:
    return settings.model_copy(update={"sources_dir": local_copies})


def raw_files(settings: Settings) -> list[str]:
    return sorted(str(p.relative_to(settings.raw_dir)) for p in settings.raw_dir.rglob("*"))


@pytest.fixture
def origin_server(local_copies: Path) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 serving the local copies, as the origin would."""
    handler = functools.partial(QuietHandler, directory=str(local_copies))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_local_copy_is_verified_and_placed(local_settings: Settings) -> None:
    result = fetch_source(SHAPES, local_settings)
    assert [f.action for f in result.files] == ["copied", "copied"]
    assert result.main_path == local_settings.raw_dir / "a/roads.shp"
    assert result.main_path.read_bytes() == PARTS["a/roads.shp"]
    assert raw_files(local_settings) == ["a", "a/roads.dbf", "a/roads.shp"]


def test_second_fetch_keeps_verified_files(local_settings: Settings) -> None:
    fetch_source(SHAPES, local_settings)
    again = fetch_source(SHAPES, local_settings)
    assert {f.action for f in again.files} == {"already present"}


def test_a_changed_raw_file_is_fetched_again(local_settings: Settings) -> None:
    fetch_source(SHAPES, local_settings)
    (local_settings.raw_dir / "a/roads.dbf").write_bytes(b"edited by hand")
    again = fetch_source(SHAPES, local_settings)
    assert [f.action for f in again.files] == ["already present", "copied"]
    assert (local_settings.raw_dir / "a/roads.dbf").read_bytes() == PARTS["a/roads.dbf"]


def test_missing_local_file_names_source_path_and_fix(
    local_settings: Settings, local_copies: Path
) -> None:
    (local_copies / "a/roads.dbf").unlink()
    with pytest.raises(SourceFileMissing) as caught:
        fetch_source(SHAPES, local_settings)
    message = str(caught.value)
    assert "source roads" in message
    assert "a/roads.dbf" in message
    assert str(local_copies / "a/roads.dbf") in message
    assert "fix:" in message
    assert "CITYWIDE_SOURCES_DIR" in message
    assert raw_files(local_settings) == [], "nothing half-written in raw_dir"


def test_checksum_mismatch_names_both_checksums(
    local_settings: Settings, local_copies: Path
) -> None:
    (local_copies / "a/roads.dbf").write_bytes(b"tampered")
    with pytest.raises(ChecksumMismatch) as caught:
        fetch_source(SHAPES, local_settings)
    message = str(caught.value)
    assert sha(PARTS["a/roads.dbf"]) in message
    assert sha(b"tampered") in message
    assert "source roads" in message
    assert "fix:" in message
    assert raw_files(local_settings) == [], "the good .shp is not placed without its .dbf"


def test_download_from_origin(settings: Settings, origin_server: str) -> None:
    source = make_source("roads", ["a/roads.shp", "a/roads.dbf"], origin_server)
    result = fetch_source(source, settings)
    assert [f.action for f in result.files] == ["downloaded", "downloaded"]
    assert (settings.raw_dir / "a/roads.dbf").read_bytes() == PARTS["a/roads.dbf"]


def test_download_http_error(settings: Settings, origin_server: str) -> None:
    source = Source(
        "ghost", "ghost", (SourceFile("a/ghost.csv", f"{origin_server}/a/ghost.csv", "0" * 64),)
    )
    with pytest.raises(OriginRefused) as caught:  # asking again gets the same 404: no retry
        fetch_source(source, settings)
    assert not caught.value.transient
    message = str(caught.value)
    assert "HTTP 404" in message
    assert "source ghost" in message
    assert "CITYWIDE_SOURCES_DIR" in message
    assert raw_files(settings) == []


def test_download_with_wrong_content(
    settings: Settings, origin_server: str, local_copies: Path
) -> None:
    (local_copies / "b/people.csv").write_bytes(b"dcode,n\n1001,6\n")
    source = make_source("people", ["b/people.csv"], origin_server)
    with pytest.raises(ChecksumMismatch, match=sha(b"dcode,n\n1001,6\n")):
        fetch_source(source, settings)
    assert raw_files(settings) == []


def test_download_connection_refused(settings: Settings) -> None:
    source = make_source("people", ["b/people.csv"], "http://127.0.0.1:9")
    with pytest.raises(DownloadFailed, match="no connection"):
        fetch_source(source, settings.model_copy(update={"download_timeout_s": 2.0}))


def test_one_bad_source_does_not_stop_the_others(
    local_settings: Settings, local_copies: Path
) -> None:
    (local_copies / "a/roads.shp").unlink()
    with pytest.raises(SourcesFailed) as caught:
        fetch_sources(local_settings, [SHAPES, PEOPLE])
    assert [type(f) for f in caught.value.failures] == [SourceFileMissing]
    assert (local_settings.raw_dir / "b/people.csv").read_bytes() == PARTS["b/people.csv"]
    assert "roads" in str(caught.value)


def test_stale_staging_is_removed_but_a_fresh_one_is_kept(settings: Settings) -> None:
    stale = settings.raw_dir / ".fetch-roads-old"
    fresh = settings.raw_dir / ".fetch-roads-new"
    for folder in (stale, fresh):
        folder.mkdir(parents=True)
        (folder / "part").write_bytes(b"x")
    day_ago = time.time() - 24 * 3600
    os.utime(stale, (day_ago, day_ago))
    remove_stale_staging(settings)
    assert not stale.exists()
    assert fresh.exists(), "a younger staging folder may belong to a fetch still running"


def test_registry_declares_each_source_once_with_full_checksums() -> None:
    ids = [source.id for source in REGISTRY]
    assert ids == ["khet_boundaries", "khwaeng_boundaries", "community_registry", "khet_population"]
    for source in REGISTRY:
        for file in source.files:
            assert len(file.sha256) == 64
            assert file.url.startswith("https://raw.githubusercontent.com/")
    assert {f.path.rsplit(".", 1)[1] for f in source_by_id("khwaeng_boundaries").files} == {
        "shp",
        "shx",
        "dbf",
        "prj",
        "cpg",
    }
    with pytest.raises(KeyError, match="known sources"):
        source_by_id("nope")


@pytest.mark.real_data
def test_registry_matches_the_real_files(real_sources_dir: Path) -> None:
    for source in REGISTRY:
        for file in source.files:
            assert file_sha256(real_sources_dir / file.path) == file.sha256, file.path


@pytest.mark.real_data
def test_fetch_all_real_sources(real_settings: Settings) -> None:
    results = fetch_sources(real_settings)
    assert [r.source.id for r in results] == [s.id for s in REGISTRY]
    assert all(f.action == "copied" for r in results for f in r.files)
    assert not list(real_settings.raw_dir.glob(".fetch-*"))


def closed_port() -> int:
    """A local TCP port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param(lambda: f"http://127.0.0.1:{closed_port()}", id="connection-refused"),
        pytest.param(lambda: "http://citywide-origin.invalid", id="unresolvable-host"),
    ],
)
def test_no_network_fails_fast_with_one_message(settings: Settings, origin: Any) -> None:
    base = origin()
    sources = [
        make_source("roads", ["a/roads.shp", "a/roads.dbf"], base),
        make_source("people", ["b/people.csv"], base),
    ]
    started = time.monotonic()
    with pytest.raises(SourcesFailed) as caught:
        fetch_sources(settings, sources)
    assert time.monotonic() - started < 5
    assert all(isinstance(f, NoNetwork) and not f.transient for f in caught.value.failures)
    assert caught.value.combined
    message = str(caught.value)
    assert message.startswith("cannot download the reference sources: no network")
    assert "source roads, source people" in message
    assert "CITYWIDE_SOURCES_DIR" in caught.value.fix
    assert raw_files(settings) == []


def test_a_timeout_is_transient(settings: Settings) -> None:
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        base = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(DownloadFailed) as caught:
            fetch_source(
                make_source("people", ["b/people.csv"], base),
                settings.model_copy(update={"download_timeout_s": 0.5}),
            )
    assert type(caught.value) is DownloadFailed
    assert caught.value.transient
