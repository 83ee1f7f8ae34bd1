"""Which files a `citywide ingest PATH...` means, and which survey round each belongs to."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from citywide.errors import CitywideError
from citywide.ingest.readers import SUPPORTED

SURVEYS_FOLDER = "surveys"


class NoSurveyFiles(CitywideError):
    """The paths given hold no file citywide can read."""


class RoundUnknown(CitywideError):
    """A file's survey round was not given and cannot be told from its folder."""


class RoundLabelInvalid(CitywideError):
    """A survey round label (from ``--round`` or a folder name) breaks ROUND_LABEL_RULE."""


# A round label reaches tables, maps and CSV exports as is: only letters (ASCII or Thai), digits,
# "_", "-" and "."; first an ASCII letter or digit, a Thai consonant, leading vowel or digit (never
# "=", "+", "-", "@" or a space, which spreadsheets read as the start of a formula).
_THAI_START = "\u0e01-\u0e2e\u0e40-\u0e44\u0e50-\u0e59"
_THAI_ANY = "\u0e01-\u0e3a\u0e40-\u0e4e\u0e50-\u0e59"
ROUND_LABEL_PATTERN = re.compile(f"[0-9A-Za-z{_THAI_START}][0-9A-Za-z{_THAI_ANY}_.\\-]{{0,39}}")
ROUND_LABEL_RULE = (
    "1-40 characters: letters (ASCII or Thai), digits, '_', '-' or '.', "
    "starting with a letter or digit (e.g. 2567-1, 2568_r2, รอบ1-2568)"
)


def require_round_label(label: str, where: str) -> str:
    """``label`` if it follows ROUND_LABEL_RULE, else RoundLabelInvalid saying where it is from."""
    if ROUND_LABEL_PATTERN.fullmatch(label):
        return label
    raise RoundLabelInvalid(
        f"ชื่อรอบสำรวจไม่ถูกต้อง / invalid survey round label {label!r}",
        expected=ROUND_LABEL_RULE,
        found=repr(label),
        where=where,
        fix="rename the round (the --round option, or the folder data/raw/surveys/<round>/), "
        "e.g. 2567-1",
    )


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
    """The round given, else the folder name in RAW_DIR/surveys/<round>/...

    Either must follow ROUND_LABEL_RULE (RoundLabelInvalid otherwise).
    """
    if given is not None:
        return require_round_label(given, "--round")
    surveys = (raw_dir / SURVEYS_FOLDER).resolve()
    try:
        relative = path.resolve().relative_to(surveys)
    except ValueError:
        relative = None
    if relative is not None and len(relative.parts) > 1:
        return require_round_label(relative.parts[0], f"folder {surveys / relative.parts[0]}")
    raise RoundUnknown(
        f"{path.name}: which survey round is this?",
        expected=f"--round LABEL, or the file inside {surveys}/<round>/",
        found=str(path),
        where=str(path),
        fix="add --round, e.g. --round 2567-1",
    )


def rounds_of(
    paths: Iterable[Path], raw_dir: Path, given: str | None
) -> tuple[list[tuple[Path, str]], list[tuple[Path, RoundLabelInvalid]]]:
    """Each file with its round, and apart the files of a folder whose name is no round label.

    An invalid ``given`` (``--round``) concerns every file: it raises RoundLabelInvalid. An
    invalid folder name concerns only the files in it: they are returned with the error, to be
    reported, and the other files go on.
    """
    if given is not None:
        require_round_label(given, "--round")
    rounds: list[tuple[Path, str]] = []
    invalid: list[tuple[Path, RoundLabelInvalid]] = []
    for path in paths:
        try:
            rounds.append((path, survey_round(path, raw_dir, given)))
        except RoundLabelInvalid as error:
            invalid.append((path, error))
    return rounds, invalid
