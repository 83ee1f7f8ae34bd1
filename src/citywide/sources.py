"""The reference-source registry and the one way to fetch a source into ``raw_dir``.

Each source is declared once: its origin (public URL of each file, pinned to a commit) and the
sha256 each file must have. ``fetch_source`` copies the files from the local sources folder
(``CITYWIDE_SOURCES_DIR``) when one is set, otherwise downloads them, and verifies every
checksum. Files are staged in a hidden folder inside ``raw_dir`` and moved into place only once
all of a source's files are verified, so ``raw_dir`` never holds a half-written or unverified file.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from citywide.errors import (
    ChecksumMismatch,
    DownloadFailed,
    NoNetwork,
    OriginRefused,
    SourceError,
    SourceFileMissing,
    SourcesFailed,
)
from citywide.locations import Locations
from citywide.settings import Settings

_CHUNK = 1 << 20
_STAGING_PREFIX = ".fetch-"
# A staging folder this old belongs to a fetch that died; a younger one may be a fetch in progress.
_STALE_STAGING_S = 6 * 3600

_PCRETE = (
    "https://raw.githubusercontent.com/pcrete/gsvloader-demo/"
    "858de5fdf0a4da207cfcef8c04820aa0877caf7b"
)
_VKRIT = "https://raw.githubusercontent.com/vkrit/datasciencecertification/2abf517"
_MAXTWIS_AIR = (
    "https://raw.githubusercontent.com/maxtwis/air-quality-dashboard-bangkok/"
    "a5636429f44795b2fb7e8d23baec344b783cb1d6"
)
_MAXTWIS_HEALTH = (
    "https://raw.githubusercontent.com/maxtwis/bangkok-health-dashboard/"
    "40e813c24ca10b67a261742145da54861a8982f4"
)


@dataclass(frozen=True)
class SourceFile:
    """One file of a source: where it lives locally, where it comes from, what it must hash to."""

    path: str  # relative path, the same under CITYWIDE_SOURCES_DIR and under raw_dir
    url: str
    sha256: str


@dataclass(frozen=True)
class Source:
    """A reference dataset: one or more files that are fetched and verified together."""

    id: str
    title: str
    files: tuple[SourceFile, ...]
    caveats: str = ""

    @property
    def main_path(self) -> str:
        """The file a reader opens (a shapefile's .shp, the only file otherwise)."""
        return self.files[0].path


def _shapefile(stem: str, origin_stem: str, sha256: dict[str, str]) -> tuple[SourceFile, ...]:
    return tuple(
        SourceFile(f"{stem}.{ext}", f"{origin_stem}.{ext}", digest)
        for ext, digest in sha256.items()
    )


KHET_BOUNDARIES = Source(
    id="khet_boundaries",
    title="Bangkok khet (district) boundaries, 50 polygons, WGS84",
    files=(
        SourceFile(
            "boundaries/bangkok_khets.geojson",
            f"{_PCRETE}/geojson/Bangkok-districts.geojson",
            "9b072a9a9bdfa500362e4aab5d9b6a41da05e0edaa9128b545324fa98b49f126",
        ),
    ),
    caveats="No crs member (GeoJSON default WGS84); some English names are non-standard.",
)

KHWAENG_BOUNDARIES = Source(
    id="khwaeng_boundaries",
    title="BMA khwaeng (sub-district) boundaries, 180 polygons, UTM 47N",
    files=_shapefile(
        "boundaries/bma_khwaeng/bma_khwaeng",
        f"{_VKRIT}/GIS/BMA_ADMIN_SUB_DISTRICT",
        {
            "shp": "008427acef679bb9ee75f21e9e1c3948c23ffc86bd86771e94a463798adbff87",
            "shx": "4865100fda0630f3d662e9ea8bc72ee53f528d918c85f83f9412c59c8157d8fb",
            "dbf": "02784a6dd141a90bab481d2bd103c8cb5ed4749cccac31aeaac130728c3fc84a",
            "prj": "c77be1866509aabe2a1252f1985cf6edf712ac78fb01f3cc0a0c6a5a82e2f250",
            "cpg": "3ad3031f5503a4404af825262ee8232cc04d4ea6683d42c5dd0a2f2a27ac9824",
        },
    ),
    caveats=(
        "Thai names cut at ~11 characters by the DBF field width (names come from the gazetteer); "
        "labels Bang Na Nuea with the abolished code 104701 (corrected to 104702)."
    ),
)

COMMUNITY_REGISTRY = Source(
    id="community_registry",
    title="BMA community registry, 2,007 communities (polygons)",
    files=(
        SourceFile(
            "registry/bma_communities.geojson",
            f"{_MAXTWIS_AIR}/data/COM_Geojson_FeaturesToJSON.geojson",
            "9939411bcd9246ceb8c2becc91e4cd9e5f678a16b2e2d955d5839ad67b405648",
        ),
    ),
    caveats="CHAIRMAN holds personal names: dropped at ingest, never published.",
)

KHET_POPULATION = Source(
    id="khet_population",
    title="Registered population per khet, 50 rows",
    files=(
        SourceFile(
            "population/khet_population.csv",
            f"{_MAXTWIS_HEALTH}/public/data/statistical%20checking/district_population.csv",
            "3708fbc148b2030dc7924102199a9f98616388eac3a3071d59ec743280b05f7b",
        ),
    ),
    caveats="UTF-8 with BOM; year not stated.",
)

REGISTRY: tuple[Source, ...] = (
    KHET_BOUNDARIES,
    KHWAENG_BOUNDARIES,
    COMMUNITY_REGISTRY,
    KHET_POPULATION,
)

FetchAction = Literal["copied", "downloaded", "already present"]


@dataclass(frozen=True)
class FetchedFile:
    path: Path
    sha256: str
    action: FetchAction


@dataclass(frozen=True)
class FetchResult:
    source: Source
    files: tuple[FetchedFile, ...]

    @property
    def main_path(self) -> Path:
        return self.files[0].path


def source_by_id(source_id: str, registry: Iterable[Source] = REGISTRY) -> Source:
    for source in registry:
        if source.id == source_id:
            return source
    known = ", ".join(source.id for source in registry)
    raise KeyError(f"unknown source {source_id!r}; known sources: {known}")


def raw_path(source: Source, settings: Settings) -> Path:
    """Where a fetched source's main file lives."""
    return Locations.from_settings(settings).raw_file(source.main_path)


def fetch_source(source: Source, settings: Settings) -> FetchResult:
    """Bring every file of ``source`` into ``raw_dir``, verified, or raise SourceError."""
    places = Locations.from_settings(settings)
    settings.raw_dir.mkdir(parents=True, exist_ok=True)
    todo = [f for f in source.files if _sha256(places.raw_file(f.path)) != f.sha256]
    done = {
        f.path: FetchedFile(places.raw_file(f.path), f.sha256, "already present")
        for f in source.files
        if f not in todo
    }
    if todo:
        staging = Path(
            tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{source.id}-", dir=settings.raw_dir)
        )
        try:
            staged = [(f, *_stage(source, f, staging, settings)) for f in todo]
            for file, staged_path, action in staged:
                destination = places.raw_file(file.path)
                destination.parent.mkdir(parents=True, exist_ok=True)
                staged_path.replace(destination)
                done[file.path] = FetchedFile(destination, file.sha256, action)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return FetchResult(source, tuple(done[f.path] for f in source.files))


def fetch_sources(settings: Settings, sources: Sequence[Source] = REGISTRY) -> list[FetchResult]:
    """Fetch each source; one failing source does not stop the others.

    Raises SourcesFailed, holding every failure, after all sources were tried.
    """
    remove_stale_staging(settings)
    results: list[FetchResult] = []
    failures: list[SourceError] = []
    for source in sources:
        try:
            results.append(fetch_source(source, settings))
        except SourceError as error:
            failures.append(error)
    if failures:
        raise SourcesFailed(failures)
    return results


def remove_stale_staging(settings: Settings) -> None:
    """Delete staging folders left by a fetch that was killed before it could clean up."""
    if not settings.raw_dir.is_dir():
        return
    cutoff = time.time() - _STALE_STAGING_S
    for leftover in settings.raw_dir.glob(f"{_STAGING_PREFIX}*"):
        if leftover.stat().st_mtime < cutoff:
            shutil.rmtree(leftover, ignore_errors=True)


def _stage(
    source: Source, file: SourceFile, staging: Path, settings: Settings
) -> tuple[Path, FetchAction]:
    target = staging / file.path.replace("/", "__")
    action: FetchAction
    if settings.sources_dir is not None:
        origin = str(settings.sources_dir / file.path)
        _copy_local(source, file, settings.sources_dir, target)
        action = "copied"
    else:
        origin = file.url
        _download(source, file, target, settings.download_timeout_s)
        action = "downloaded"
    found = _sha256(target)
    if found != file.sha256:
        raise ChecksumMismatch(
            f"source {source.id}: file {file.path} has the wrong checksum",
            expected=f"sha256 {file.sha256}",
            found=f"sha256 {found}",
            where=f"source {source.id}, {origin}",
            fix=(
                "replace the file with the registry's version "
                f"(origin {file.url}); if the source was deliberately updated, update its "
                "sha256 in citywide/sources.py and review the change"
            ),
        )
    return target, action


def _copy_local(source: Source, file: SourceFile, sources_dir: Path, target: Path) -> None:
    local = sources_dir / file.path
    if not local.is_file():
        raise SourceFileMissing(
            f"source {source.id}: file {file.path} is not in the local sources folder",
            expected=f"a file at {local}",
            found="no such file" if not local.exists() else "not a regular file",
            where=f"source {source.id}, CITYWIDE_SOURCES_DIR={sources_dir}",
            fix=(
                f"copy the file there (origin {file.url}), point CITYWIDE_SOURCES_DIR at the "
                "folder that holds it, or unset CITYWIDE_SOURCES_DIR to download from the origin"
            ),
        )
    shutil.copyfile(local, target)


def _download(source: Source, file: SourceFile, target: Path, timeout_s: float) -> None:
    if not file.url.startswith(("https://", "http://")):
        raise DownloadFailed(
            f"source {source.id}: file {file.path} has no downloadable origin",
            expected="an http(s) URL",
            found=file.url,
            where=f"source {source.id}",
            fix="fix the origin URL in citywide/sources.py",
        )
    try:
        with (
            urllib.request.urlopen(file.url, timeout=timeout_s) as response,  # noqa: S310 (scheme checked above)
            target.open("wb") as out,
        ):
            shutil.copyfileobj(response, out, _CHUNK)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        if isinstance(error, urllib.error.HTTPError):
            error.close()  # an HTTPError holds the open response
        raise _download_error_class(error)(
            f"source {source.id}: could not download {file.path}",
            expected=f"HTTP 200 from {file.url}",
            found=_describe_download_error(error),
            where=f"source {source.id}, {file.url}",
            fix=(
                "check the network, or set CITYWIDE_SOURCES_DIR to a folder holding a local copy "
                f"(file {file.path})"
            ),
        ) from error


# HTTP answers that may change on the next request; any other 4xx will not.
_TRANSIENT_HTTP = frozenset({408, 425, 429})
# errno values meaning the host cannot be reached from here: no network, no route, refused.
_UNREACHABLE = frozenset({errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH})


def _download_error_class(error: BaseException) -> type[DownloadFailed]:
    """NoNetwork or OriginRefused when a retry cannot help, else DownloadFailed (transient)."""
    if isinstance(error, urllib.error.HTTPError):
        transient = error.code in _TRANSIENT_HTTP or error.code >= 500
        return DownloadFailed if transient else OriginRefused
    cause = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(cause, socket.gaierror | ConnectionRefusedError):
        return NoNetwork
    if isinstance(cause, OSError) and cause.errno in _UNREACHABLE:
        return NoNetwork
    return DownloadFailed


def _describe_download_error(error: BaseException) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return f"no connection ({error.reason})"
    return f"{type(error).__name__}: {error}"


def _sha256(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """The sha256 of a file (hex)."""
    digest = _sha256(path)
    if digest is None:
        raise FileNotFoundError(path)
    return digest


__all__ = [
    "REGISTRY",
    "FetchResult",
    "FetchedFile",
    "Source",
    "SourceFile",
    "fetch_source",
    "fetch_sources",
    "file_sha256",
    "raw_path",
    "source_by_id",
]
