"""Every place citywide reads or writes, on disk and beside the database: the run's catalogue.

Built once from the settings (:meth:`Locations.from_settings`); flows, the CLI, the database
module, survey discovery and the tests ask it instead of joining paths themselves. Places that
follow a database file (its working copy, lock and prepared files) are also functions of that
file, since a run's tasks are handed the working copy, not the settings.
"""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from citywide.settings import Settings

SURVEYS_FOLDER = "surveys"  # RAW_DIR/surveys/<round>/: the survey returns of each round
LINKS_FOLDER = "links"  # RAW_DIR/links/: link decisions (filled review workbooks)
LINK_REVIEW_FILE = "link_review.xlsx"  # in PROCESSED_DIR: the pending links to decide
TEMPLATES_FOLDER = "templates"  # PROCESSED_DIR/templates/<round>/: the offices' templates, forms
EXPORTS_FOLDER = "exports"
PREPARED_FOLDER = "prepared"
PREPARED_MANIFEST = "manifest.json"  # in a prepared file's folder: its tables
PUBLISHED_MANIFEST = "published.json"
REPORT_PAGE = "report.html"
DATABASE_FILE = "citywide.duckdb"
# docs/ of the source checkout the code runs from (src/citywide/locations.py -> docs/); the
# methods page of the maps renders its indicators.md. Not in the wheel: docs/ is not packaged.
DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"
INDICATORS_DOC = "indicators.md"  # in PROCESSED_DIR unless CITYWIDE_DUCKDB_PATH says otherwise


def surveys_dir(raw_dir: Path) -> Path:
    """RAW_DIR/surveys: one folder per survey round."""
    return raw_dir / SURVEYS_FOLDER


@dataclass(frozen=True)
class TemplateFiles:
    """A khet's return template (.xlsx) and its XLSForm (Kobo/ODK), in one folder."""

    workbook: Path
    xlsform: Path


def template_files(folder: Path, khet_code: str, survey_round: str) -> TemplateFiles:
    """The template and the form of a khet and round in ``folder``: <khet>-<round>-....xlsx."""
    stem = f"{khet_code}-{survey_round}"
    return TemplateFiles(folder / f"{stem}-return.xlsx", folder / f"{stem}-xlsform.xlsx")


def working_copy(database: Path) -> Path:
    """Where a run builds the next version of ``database``."""
    return database.with_name(database.name + ".next")


def lock_file(database: Path) -> Path:
    """The writer lock of ``database``."""
    return database.with_name(database.name + ".lock")


def lock_holder_file(database: Path) -> Path:
    """Who holds the writer lock, and since when (a file apart from the lock: filelock empties
    the lock file on every attempt to take it, and Windows keeps a locked file from readers)."""
    return database.with_name(database.name + ".lock.json")


def prepared_dir(database: Path) -> Path:
    """Beside ``database`` (or its working copy): one folder per survey file being prepared."""
    return database.parent / PREPARED_FOLDER


def prepared_folder(database: Path, sha256: str, day: date) -> Path:
    """A survey file's prepared tables, named by its sha256 and the day (the rules' "future
    date" check depends on it), so a run killed before merging finds the work done."""
    return prepared_dir(database) / f"{sha256[:32]}-{day:%Y%m%d}"


def discard_prepared(folder: Path) -> None:
    """Remove a merged file's prepared folder; the last one out removes their parent too."""
    shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):
        folder.parent.rmdir()


def prepared_today(folder: Path, day: date) -> bool:
    """Whether a prepared folder was named on ``day`` (see :func:`prepared_folder`)."""
    return folder.name.endswith(f"-{day:%Y%m%d}")


@dataclass(frozen=True)
class Locations:
    """The run's places, from the settings."""

    raw_dir: Path
    processed_dir: Path
    maps_dir: Path
    database: Path  # the published DuckDB file analysts query

    @classmethod
    def from_settings(cls, settings: Settings) -> Locations:
        return cls(
            raw_dir=settings.raw_dir,
            processed_dir=settings.processed_dir,
            maps_dir=settings.maps_dir,
            database=settings.duckdb_path,
        )

    def raw_file(self, relative: str | Path) -> Path:
        """A fetched reference source's file, by its path in the source registry."""
        return self.raw_dir / relative

    @property
    def surveys_dir(self) -> Path:
        return surveys_dir(self.raw_dir)

    def round_folder(self, survey_round: str) -> Path:
        """RAW_DIR/surveys/<round>/."""
        return self.surveys_dir / survey_round

    @property
    def links_dir(self) -> Path:
        """RAW_DIR/links: link decision files, applied on every run and kept."""
        return self.raw_dir / LINKS_FOLDER

    @property
    def link_review_workbook(self) -> Path:
        """PROCESSED_DIR/link_review.xlsx: `citywide links review` writes the pending links."""
        return self.processed_dir / LINK_REVIEW_FILE

    def templates_dir(self, survey_round: str) -> Path:
        """PROCESSED_DIR/templates/<round>: `citywide template` writes the khets' files."""
        return self.processed_dir / TEMPLATES_FOLDER / survey_round

    @property
    def exports_dir(self) -> Path:
        """PROCESSED_DIR/exports: GeoPackage, GeoParquet and CSV of khet_need."""
        return self.processed_dir / EXPORTS_FOLDER

    @property
    def published_manifest(self) -> Path:
        """PROCESSED_DIR/published.json: what the exports and maps were made from."""
        return self.processed_dir / PUBLISHED_MANIFEST

    @property
    def indicators_doc(self) -> Path:
        """docs/indicators.md: what each indicator means and how the need index is made."""
        return DOCS_DIR / INDICATORS_DOC

    @property
    def report_page(self) -> Path:
        """MAPS_DIR/report.html: the last run's report."""
        return self.maps_dir / REPORT_PAGE

    @property
    def working_copy(self) -> Path:
        return working_copy(self.database)
