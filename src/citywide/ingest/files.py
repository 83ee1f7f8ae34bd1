"""Which files a `citywide ingest PATH...` means, and which survey round each belongs to."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from citywide.errors import CitywideError
from citywide.ingest.readers import SUPPORTED

SURVEYS_FOLDER = "surveys"


class NoSurveyFiles(CitywideError):
    """The paths given hold no file citywide can read."""


class RoundUnknown(CitywideError):
    """A file's survey round was not given and cannot be told from its folder."""


def survey_files(paths: Iterable[Path]) -> list[Path]:
    """The readable files among ``paths`` (folders searched recursively), in a stable order.

    Order matters: when two records of a community tie on survey date, the later file wins.
    Hidden files and office lock files (``~$...``) are skipped.
    """
    found: list[Path] = []
    for path in paths:
        candidates = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        found += [p for p in candidates if _is_survey_file(p)]
        if not path.exists():
            raise NoSurveyFiles(
                f"{path} does not exist",
                expected="a survey file or a folder of them",
                found="nothing at that path",
                where=str(path),
                fix="check the path",
            )
    if not found:
        listed = ", ".join(str(p) for p in paths)
        raise NoSurveyFiles(
            "no survey files to ingest",
            expected=f"files ending in {', '.join(sorted(SUPPORTED))}",
            found=f"none in {listed}",
            where=listed,
            fix="give the survey files, or the folder that holds them",
        )
    return list(dict.fromkeys(found))


def _is_survey_file(path: Path) -> bool:
    name = path.name
    return path.suffix.lower() in SUPPORTED and not name.startswith((".", "~$"))


def survey_round(path: Path, raw_dir: Path, given: str | None) -> str:
    """The round given, else the folder name in RAW_DIR/surveys/<round>/..."""
    if given:
        return given
    surveys = (raw_dir / SURVEYS_FOLDER).resolve()
    try:
        relative = path.resolve().relative_to(surveys)
    except ValueError:
        relative = None
    if relative is not None and len(relative.parts) > 1:
        return relative.parts[0]
    raise RoundUnknown(
        f"{path.name}: which survey round is this?",
        expected=f"--round LABEL, or the file inside {surveys}/<round>/",
        found=str(path),
        where=str(path),
        fix="add --round, e.g. --round 2567-1",
    )
