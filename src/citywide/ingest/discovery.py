"""Which files a `citywide ingest PATH...` means, and which survey round each belongs to."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from citywide.errors import CitywideError
from citywide.ingest.readers import SUPPORTED
from citywide.locations import SURVEYS_FOLDER, surveys_dir
from citywide.rounds import REGISTRY_ROUND
from citywide.sources import file_sha256

# The BMA community registry's own round (citywide.rounds): no survey folder may take it.
RESERVED_ROUNDS = frozenset({REGISTRY_ROUND})


@dataclass(frozen=True)
class SurveyFile:
    """A survey file found for this run, with its round and its content's sha256."""

    path: Path
    survey_round: str
    sha256: str


@dataclass(frozen=True)
class SkippedFile:
    """A file or folder in RAW_DIR/surveys that a run leaves alone, with why and what to do.

    ``reason`` and ``fix`` are Thai, then English: district officers read them in the report.
    """

    path: Path
    reason: str
    fix: str
    survey_round: str | None = None


@dataclass(frozen=True)
class SurveyScan:
    """The survey files found for a run, and those skipped (see scan_surveys)."""

    files: tuple[SurveyFile, ...]
    skipped: tuple[SkippedFile, ...] = ()


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
    "starting with a letter or digit (e.g. 2567-1, 2568_r2; Thai letters are allowed)"
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
                problem_th=f"ไม่พบไฟล์ {path}",
                fix_th="ตรวจสอบชื่อไฟล์และโฟลเดอร์",
            )
    if not found:
        listed = ", ".join(str(p) for p in paths)
        raise NoSurveyFiles(
            "no survey files to ingest",
            problem_th="ไม่มีไฟล์แบบสำรวจ",
            fix_th="ระบุไฟล์แบบสำรวจ (.xlsx หรือ .csv) หรือโฟลเดอร์ที่เก็บไฟล์",
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

    The round comes from where the file sits, not where a symlink points: only the folders
    above it are resolved, never the file itself. Either must follow ROUND_LABEL_RULE
    (RoundLabelInvalid otherwise).
    """
    if given is not None:
        return require_round_label(given, "--round")
    surveys = surveys_dir(raw_dir).resolve()
    try:
        relative = (path.absolute().parent.resolve() / path.name).relative_to(surveys)
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


@dataclass(frozen=True)
class FolderScan:
    """What RAW_DIR/surveys holds: the files to read, each with its round, and the rest."""

    files: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


def scan_surveys(surveys: Path) -> FolderScan:
    """Every file in ``surveys``/<round>/ (subfolders included), in a stable order, and every
    surprising entry skipped with its reason: nothing in the folder can stop a run.

    A symlinked file inside a round folder is that round's file (where it sits decides, not
    where it points). Skipped: a file directly in ``surveys``, a folder whose name is not a
    round label, a symlink to a folder, a broken symlink, anything not a regular file, and
    files of a kind citywide does not read. Hidden files and folders and office lock files
    (``~$...``) are passed over silently, as by :func:`survey_files`.
    """
    scan = FolderScan()
    if not surveys.is_dir():
        return scan
    for entry in sorted(surveys.iterdir()):
        if _is_hidden(entry):
            continue
        if entry.is_dir() and not entry.is_symlink():
            if _valid_round(entry.name):
                _scan_round(entry, entry.name, scan)
            else:
                scan.skipped.append(_bad_round(entry))
        elif entry.is_symlink() and entry.is_dir():
            scan.skipped.append(_folder_link(entry))
        else:
            scan.skipped.append(_outside_rounds(entry))
    return scan


def _scan_round(folder: Path, survey_round: str, scan: FolderScan) -> None:
    for entry in sorted(folder.iterdir()):
        if _is_hidden(entry):
            continue
        if entry.is_dir() and not entry.is_symlink():
            _scan_round(entry, survey_round, scan)
        elif entry.is_symlink() and entry.is_dir():
            scan.skipped.append(_folder_link(entry, survey_round))
        elif entry.is_symlink() and not entry.exists():
            scan.skipped.append(
                SkippedFile(
                    entry,
                    "ลิงก์ชี้ไปยังไฟล์ที่ไม่มีอยู่ / a broken symlink: it points at "
                    f"{_link_target(entry)}, which does not exist",
                    "วางไฟล์จริงแทนลิงก์ / put the file itself (or a working link) in its place",
                    survey_round,
                )
            )
        elif not entry.is_file():
            scan.skipped.append(
                SkippedFile(
                    entry,
                    "ไม่ใช่ไฟล์ธรรมดา / not a regular file (a pipe, socket or device)",
                    "ลบออกจากโฟลเดอร์ / remove it from the survey folder",
                    survey_round,
                )
            )
        elif entry.suffix.lower() not in SUPPORTED:
            kinds = ", ".join(sorted(SUPPORTED))
            scan.skipped.append(
                SkippedFile(
                    entry,
                    f"ไม่ใช่ไฟล์แบบสำรวจที่อ่านได้ / not a survey file citywide reads "
                    f"({entry.suffix or 'no extension'}; it reads {kinds})",
                    "บันทึกเป็น .xlsx หรือ .csv แล้ววางแทน หรือย้ายออกจากโฟลเดอร์ / save it as .xlsx "
                    "or .csv, or move it out of the survey folder",
                    survey_round,
                )
            )
        else:
            scan.files.append((entry, survey_round))


def hashed_surveys(surveys: Path, given: Iterable[SurveyFile] = ()) -> SurveyScan:
    """``given`` (e.g. the registry) and every file :func:`scan_surveys` finds, hashed; a file
    that cannot be read here is skipped with its reason, the rest go on."""
    found, scan = list(given), scan_surveys(surveys)
    skipped = list(scan.skipped)
    for path, survey_round in scan.files:
        try:
            found.append(SurveyFile(path, survey_round, file_sha256(path)))
        except OSError as error:  # unreadable here (permissions, a share gone): the rest go on
            skipped.append(unreadable_file(path, error, survey_round))
    return SurveyScan(tuple(found), tuple(skipped))


def unreadable_file(path: Path, error: OSError, survey_round: str) -> SkippedFile:
    """A round's file that cannot be read here (permissions, a share gone): skipped, the rest
    go on."""
    return SkippedFile(
        path,
        f"อ่านไฟล์ไม่ได้ / the file cannot be read: {error.strerror or error}",
        "ให้สิทธิ์อ่านไฟล์แก่ผู้ที่รัน citywide หรือคัดลอกไฟล์ใหม่ / let the account "
        "that runs citywide read it, or copy the file in again",
        survey_round,
    )


def _is_hidden(path: Path) -> bool:
    return path.name.startswith((".", "~$"))


def _valid_round(name: str) -> bool:
    return bool(ROUND_LABEL_PATTERN.fullmatch(name)) and name not in RESERVED_ROUNDS


def _link_target(path: Path) -> str:
    try:
        return str(path.readlink())
    except OSError:
        return "?"


def _bad_round(folder: Path) -> SkippedFile:
    reserved = " (reserved for the BMA registry)" if folder.name in RESERVED_ROUNDS else ""
    return SkippedFile(
        folder,
        f"ชื่อโฟลเดอร์ไม่ใช่ชื่อรอบสำรวจ / the folder name {folder.name!r} is not a survey round "
        f"label{reserved}: expected {ROUND_LABEL_RULE}",
        "เปลี่ยนชื่อโฟลเดอร์เป็นชื่อรอบ เช่น 2568-1 / rename the folder to its round, e.g. 2568-1",
    )


def _folder_link(link: Path, survey_round: str | None = None) -> SkippedFile:
    return SkippedFile(
        link,
        "ลิงก์ไปยังโฟลเดอร์อื่น / a symlink to a folder elsewhere "
        f"({_link_target(link)}): folders are not followed",
        "คัดลอกไฟล์มาไว้ในโฟลเดอร์รอบ หรือลิงก์ทีละไฟล์ / copy the files into the round folder, "
        "or link each file",
        survey_round,
    )


def _outside_rounds(path: Path) -> SkippedFile:
    return SkippedFile(
        path,
        "ไฟล์ไม่ได้อยู่ในโฟลเดอร์รอบสำรวจ / not inside a round folder: the round of a file is "
        "the folder it sits in",
        f"ย้ายไปไว้ใน {SURVEYS_FOLDER}/<รอบ>/ เช่น {SURVEYS_FOLDER}/2568-1/ / move it into "
        f"{SURVEYS_FOLDER}/<round>/, e.g. {SURVEYS_FOLDER}/2568-1/",
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
