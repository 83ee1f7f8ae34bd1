"""The XLSForm (KoboToolbox / ODK Collect) of the same survey as the .xlsx template.

One community per submission (group ``community``) with its GPS point, and its households as a
repeat group (``household``). Question names are field names, which the ingestion reads as
headers; choice names are the catalogue's codes. A Kobo export (XML names) therefore ingests as
it is: the main sheet as a community return, the repeat's sheet as a household return. The
repeat copies its community's khet, khwaeng, name, code and date (:func:`reference_fields`)
into each household with a calculation, and gives each household its own submission id: the
repeat's sheet would otherwise hold neither.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from citywide.files import write_atomically
from citywide.ingest.columns import Kind, Vocabulary, vocabulary
from citywide.ingest.values import EARLIEST_SURVEY
from citywide.template.fields import (
    FormField,
    device_fields,
    record_fields,
    reference_fields,
)
from citywide.template.frame import KhetFrame
from citywide.template.workbook import KIND_LABELS, hint

THAI, ENGLISH = "Thai (th)", "English (en)"
COMMUNITY_GROUP, HOUSEHOLD_REPEAT = "community", "household"
SURVEY_COLUMNS = (
    "type",
    "name",
    f"label::{THAI}",
    f"label::{ENGLISH}",
    f"hint::{THAI}",
    f"hint::{ENGLISH}",
    "required",
    "constraint",
    f"constraint_message::{THAI}",
    f"constraint_message::{ENGLISH}",
    "calculation",
    "default",
)
CHOICE_COLUMNS = ("list_name", "name", f"label::{THAI}", f"label::{ENGLISH}")
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "default_language")
# The question type of each kind (enum and places are select_one of their list).
QUESTION_TYPES: dict[Kind, str] = {
    "text": "text",
    "code": "text",
    "count": "integer",
    "amount": "decimal",
    "number": "decimal",
    "date": "date",
    "enum": "select_one",
}
CONSTRAINTS: dict[Kind, str] = {
    "count": ". >= 0",
    "amount": ". >= 0",
    "date": f". >= date('{EARLIEST_SURVEY.isoformat()}') and . <= today()",
}
# Kobo names a geopoint's parts _<name>_latitude and _<name>_longitude.
GEOPOINT_PARTS = ("latitude", "longitude")
_XML_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Question:
    """One row of the survey sheet."""

    type: str
    name: str = ""
    label_th: str = ""
    label_en: str = ""
    hint_th: str = ""
    hint_en: str = ""
    required: bool = False
    constraint: str = ""
    calculation: str = ""
    default: str = ""

    def row(self) -> tuple[str, ...]:
        message = (self.hint_th, self.hint_en) if self.constraint else ("", "")
        return (
            self.type,
            self.name,
            self.label_th,
            self.label_en,
            self.hint_th,
            self.hint_en,
            "yes" if self.required else "",
            self.constraint,
            *message,
            self.calculation,
            self.default,
        )


def geopoint_name(vocab: Vocabulary | None = None) -> str:
    """The GPS point's question name: an alias of the catalogue's coordinates field whose Kobo
    parts (_<name>_latitude, _<name>_longitude) the ingestion reads as latitude and longitude."""
    vocab = vocab or vocabulary()
    numbers = set(vocab.location_fields("number"))
    texts = vocab.location_fields("text")
    for field in texts:
        for alias in (*vocab.fields[field].aliases, field):
            parts = [vocab.field_for(f"_{alias}_{part}") for part in GEOPOINT_PARTS]
            if _XML_NAME.fullmatch(alias) and all(p in numbers for p in parts):
                return alias
    return texts[0]


def _question(field: FormField, frame: KhetFrame) -> Question:
    hint_th, hint_en = hint(field)
    kind_type = QUESTION_TYPES[field.kind]
    list_type = field.place or (field.name if field.choices else None)
    return Question(
        type=f"select_one {list_type}" if list_type else kind_type,
        name=field.name,
        label_th=field.label_th,
        label_en=field.label_en,
        hint_th=hint_th,
        hint_en=hint_en,
        required=field.required,
        constraint=CONSTRAINTS.get(field.kind, ""),
        default=frame.khet.code if field.place == "khet" else "",
    )


def survey_rows(frame: KhetFrame) -> Iterator[Question]:
    """The survey sheet: the community group (one GPS point for the location fields), then the
    household roster."""
    community_th, community_en = KIND_LABELS["community"]
    yield Question("begin_group", COMMUNITY_GROUP, community_th, community_en.capitalize())
    located = False
    for field in record_fields("community"):
        if field.location:
            if not located:
                yield Question(
                    "geopoint",
                    geopoint_name(),
                    "พิกัดชุมชน (GPS)",
                    "Community location (GPS)",
                    "กดบันทึกตำแหน่งขณะอยู่ในชุมชน",
                    "record the position while in the community",
                )
            located = True
            continue
        yield _question(field, frame)
    yield Question("end_group")
    household_th, household_en = KIND_LABELS["household"]
    yield Question("begin_repeat", HOUSEHOLD_REPEAT, household_th, household_en.capitalize())
    copied = {field.name for field in reference_fields()}
    for name in sorted(copied, key=[f.name for f in record_fields("household")].index):
        yield Question("calculate", name, calculation=f"../../{COMMUNITY_GROUP}/{name}")
    for name in device_fields("household"):
        yield Question("calculate", name, calculation="once(uuid())")
    for field in record_fields("household"):
        if field.name not in copied:
            yield _question(field, frame)
    yield Question("end_repeat")


def choice_rows(frame: KhetFrame) -> Iterator[tuple[str, str, str, str]]:
    """Every list: the khet, its khwaeng (by code), and each enum's codes."""
    khet = frame.khet
    yield ("khet", khet.code, khet.name_th, khet.name_en)
    for place in frame.khwaeng:
        yield ("khwaeng", place.code, place.name_th, place.name_en)
    listed: set[str] = set()
    for kind in KIND_LABELS:
        for field in record_fields(kind):
            if field.choices and field.name not in listed:
                listed.add(field.name)
                for choice in field.choices:
                    yield (field.name, choice.code, choice.label_th, choice.label_en)


def form_id(frame: KhetFrame, survey_round: str) -> str:
    """An XML name for the form: the khet code and the round's ASCII characters."""
    ascii_round = re.sub(r"[^0-9A-Za-z]+", "_", survey_round).strip("_") or "round"
    return f"citywide_{frame.khet.code}_{ascii_round}"


def write_xlsform(frame: KhetFrame, survey_round: str, built: dt.date, path: Path) -> Path:
    """The XLSForm of ``frame``'s khet for ``survey_round`` at ``path``, written atomically."""
    return write_atomically(path, lambda staging: _write(frame, survey_round, built, staging))


def _write(frame: KhetFrame, survey_round: str, built: dt.date, path: Path) -> None:
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(path), options)
    khet = frame.khet
    sheets: dict[str, tuple[tuple[str, ...], list[tuple[str, ...]]]] = {
        "survey": (SURVEY_COLUMNS, [q.row() for q in survey_rows(frame)]),
        "choices": (CHOICE_COLUMNS, list(choice_rows(frame))),
        "settings": (
            SETTINGS_COLUMNS,
            [
                (
                    f"สำรวจชุมชน เขต{khet.name_th} รอบ {survey_round} · "
                    f"Community survey, {khet.name_en}, round {survey_round}",
                    form_id(frame, survey_round),
                    f"{survey_round} {built.isoformat()}",
                    THAI,
                )
            ],
        ),
    }
    for name, (columns, rows) in sheets.items():
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, columns)
        for index, row in enumerate(rows, start=1):
            sheet.write_row(index, 0, row)
    workbook.close()
