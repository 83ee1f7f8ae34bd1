"""Returns as an office makes them: a template filled in (openpyxl, as Excel would save it) and a
KoboToolbox export of the XLSForm (XML names, groups as paths, the repeat as its own sheet).

Both read what the written files hold (headers, dropdown lists, the form's rows) rather than the
template module, so they fail when the files and the ingestion disagree.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from citywide.ingest.columns import vocabulary

ENGLISH_ROW, FIRST_DATA_ROW = 3, 4  # openpyxl rows (1-based)
# A survey date written in each way an office writes one: a date, a Buddhist-era year typed as
# a date (2568 = 2025), and text day/month/B.E. year.
DATES = (dt.datetime(2025, 3, 15), dt.datetime(2568, 3, 16), "17/03/2568")
PARSED_DATES = (dt.date(2025, 3, 15), dt.date(2025, 3, 16), dt.date(2025, 3, 17))


def columns(sheet: Worksheet) -> dict[str, int]:
    """Field -> column (1-based), from the sheet's English header row, as the ingestion reads it."""
    found = {}
    for cell in sheet[ENGLISH_ROW]:
        name = vocabulary().field_for(str(cell.value or ""))
        if name:
            found[name] = cell.column
    return found


def dropdown(workbook: openpyxl.Workbook, sheet: Worksheet, column: int) -> list[str]:
    """The values the dropdown of ``column`` offers (its defined name's cells)."""
    (rule,) = [
        dv
        for dv in sheet.data_validations.dataValidation
        if any(r.min_col == column and r.min_row == FIRST_DATA_ROW for r in dv.sqref.ranges)
    ]
    assert rule.type == "list", (column, rule.type)
    name = rule.formula1.lstrip("=")
    ((title, cells),) = workbook.defined_names[name].destinations
    return [str(row[0].value) for row in workbook[title][cells]]


@dataclass
class FilledTemplate:
    """What the filled template says, to compare with the database."""

    path: Path
    communities: dict[str, dict[str, object]] = field(default_factory=dict)  # by name
    households: dict[str, dict[str, object]] = field(default_factory=dict)  # by household code


def fill_template(
    template: Path,
    target: Path,
    positions: dict[str, tuple[float, float]],
    seed: int = 15,
    new_community: str = "ชุมชนริมคลองใหม่",
) -> FilledTemplate:
    """Every pre-filled community updated (and one added), two households for some of them.

    ``positions``: community code -> (lat, lon) inside the khet (from the register).
    """
    rng = random.Random(seed)
    workbook = openpyxl.load_workbook(template)
    sheet_c, sheet_h = workbook.worksheets[1], workbook.worksheets[2]
    col_c, col_h = columns(sheet_c), columns(sheet_h)
    filled = FilledTemplate(target)
    rows = [
        row
        for row in range(FIRST_DATA_ROW, sheet_c.max_row + 1)
        if sheet_c.cell(row, col_c["community_name"]).value
    ]
    khwaeng_choices = dropdown(workbook, sheet_c, col_c["khwaeng"])
    new_row = rows[-1] + 1
    sheet_c.cell(new_row, col_c["khet"], dropdown(workbook, sheet_c, col_c["khet"])[0])
    sheet_c.cell(new_row, col_c["khwaeng"], khwaeng_choices[-1])
    sheet_c.cell(new_row, col_c["community_name"], new_community)
    for index, row in enumerate([*rows, new_row]):
        name = str(sheet_c.cell(row, col_c["community_name"]).value)
        code = sheet_c.cell(row, col_c["community_code"]).value
        households = rng.randint(20, 400)
        male, female = rng.randint(30, 700), rng.randint(30, 700)
        values: dict[str, object] = {
            "houses": households - rng.randint(0, 15),
            "households": households,
            "population": male + female,
            "male": male,
            "female": female,
            "area_rai": round(rng.uniform(1, 40), 2),
            "survey_date": DATES[index % len(DATES)],
        }
        if code and str(code) in positions:
            values["lat"], values["lon"] = positions[str(code)]
        for enum_field in vocabulary().fields_of_kind("enum"):
            if enum_field in col_c:
                values[enum_field] = rng.choice(dropdown(workbook, sheet_c, col_c[enum_field]))
        for name_of_field, value in values.items():
            sheet_c.cell(row, col_c[name_of_field], value)
        filled.communities[name] = {**values, "community_code": code}
    households_row = FIRST_DATA_ROW
    for name in list(filled.communities)[:6]:
        for number in (1, 2):
            household_code = f"H-{len(filled.households) + 1:04d}"
            values = {
                "khet": dropdown(workbook, sheet_h, col_h["khet"])[0],
                "community_name": name,
                "household_code": household_code,
                "members": rng.randint(1, 9),
                "monthly_income": rng.choice([8500, 12000.5, 23000]),
                "years_in_community": rng.randint(1, 60),
                "survey_date": DATES[number % len(DATES)],
            }
            for enum_field in vocabulary().fields_of_kind("enum"):
                if enum_field in col_h:
                    values[enum_field] = rng.choice(dropdown(workbook, sheet_h, col_h[enum_field]))
            for name_of_field, value in values.items():
                sheet_h.cell(households_row, col_h[name_of_field], value)
            filled.households[household_code] = values
            households_row += 1
    workbook.save(target)
    return filled


@dataclass(frozen=True)
class FormRow:
    """A survey-sheet row of the XLSForm, with the groups it sits in."""

    type: str
    name: str
    path: tuple[str, ...]  # enclosing groups and repeats, outermost first
    repeat: str | None  # the repeat it sits in
    calculation: str


def form_rows(xlsform: Path) -> Iterator[FormRow]:
    sheet = openpyxl.load_workbook(xlsform)["survey"]
    header = [str(c.value) for c in sheet[1]]
    groups: list[tuple[str, bool]] = []
    for values in sheet.iter_rows(min_row=2, values_only=True):
        row = {h: ("" if v is None else str(v)) for h, v in zip(header, values, strict=False)}
        kind = row["type"]
        if kind in ("begin_group", "begin_repeat"):
            groups.append((row["name"], kind == "begin_repeat"))
        elif kind in ("end_group", "end_repeat"):
            groups.pop()
        else:
            repeat = next((name for name, is_repeat in reversed(groups) if is_repeat), None)
            yield FormRow(
                kind, row["name"], tuple(n for n, _ in groups), repeat, row["calculation"]
            )


def choice_names(xlsform: Path) -> dict[str, list[str]]:
    sheet = openpyxl.load_workbook(xlsform)["choices"]
    lists: dict[str, list[str]] = {}
    for list_name, name, *_ in sheet.iter_rows(min_row=2, values_only=True):
        lists.setdefault(str(list_name), []).append(str(name))
    return lists


MAIN_METADATA = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
                 "_submitted_by", "__version__", "_tags", "_index")  # fmt: skip
REPEAT_METADATA = ("_index", "_parent_table_name", "_parent_index", "_submission__id",
                   "_submission__uuid", "_submission__submission_time",
                   "_submission__validation_status", "_submission__notes", "_submission__status",
                   "_submission__submitted_by", "_submission___version__", "_submission__tags")  # fmt: skip


@dataclass
class KoboExport:
    path: Path
    communities: list[dict[str, str]] = field(default_factory=list)  # by XML name
    households: list[dict[str, str]] = field(default_factory=list)


def kobo_export(
    xlsform: Path, target: Path, places: list[tuple[float, float]], seed: int = 15
) -> KoboExport:
    """A Kobo "XML values and headers" xlsx export with '/' as group separator: one row per
    submission on the main sheet, one per household on the repeat's sheet."""
    rng = random.Random(seed)
    rows = list(form_rows(xlsform))
    choices = choice_names(xlsform)
    main = [r for r in rows if r.repeat is None]
    repeats = sorted({r.repeat for r in rows if r.repeat})
    main_header: list[str] = []
    for r in main:
        full = "/".join((*r.path, r.name))
        main_header.append(full)
        if r.type == "geopoint":
            prefix = "/".join(r.path)
            main_header += [
                f"{prefix}/_{r.name}_{p}"
                for p in ("latitude", "longitude", "altitude", "precision")
            ]
    main_header += MAIN_METADATA
    export = KoboExport(target)
    repeat_rows: dict[str, list[list[object]]] = {name: [] for name in repeats}
    main_rows: list[list[object]] = []
    household_number = 0
    for index, (lat, lon) in enumerate(places, start=1):
        submission = str(uuid.UUID(int=rng.getrandbits(128)))
        values: dict[str, str] = {}
        for r in main:
            values[r.name] = _answer(r, choices, rng, index, (lat, lon))
        # the rules compare male + female with population: an office's figures add up
        if {"male", "female", "population"} <= values.keys():
            values["population"] = str(int(values["male"]) + int(values["female"]))
        record = dict(values)
        cells: list[object] = []
        for r in main:
            cells.append(values[r.name])
            if r.type == "geopoint":
                cells += [str(lat), str(lon), "0", "5"]
        cells += [index, submission, "2025-03-20T04:12:33", "", "", "submitted_via_web",
                  "surveyor_dusit", "vXYZ", "", index]  # fmt: skip
        main_rows.append(cells)
        export.communities.append(record)
        for repeat in repeats:
            own = [r for r in rows if r.repeat == repeat]
            for _ in range(rng.randint(1, 3)):
                household_number += 1
                answers: dict[str, str] = {}
                for r in own:
                    if r.type == "calculate" and "uuid()" in r.calculation:
                        answers[r.name] = str(uuid.UUID(int=rng.getrandbits(128)))
                    elif r.type == "calculate":
                        answers[r.name] = values[r.calculation.rsplit("/", 1)[-1]]
                    elif (
                        r.name in vocabulary().fields and vocabulary().fields[r.name].kind == "code"
                    ):
                        answers[r.name] = f"{index:02d}-{household_number:03d}"
                    else:
                        answers[r.name] = _answer(r, choices, rng, index, (lat, lon))
                export.households.append(answers)
                repeat_rows[repeat].append(
                    [answers[r.name] for r in own]
                    + [
                        household_number,
                        "main",
                        index,
                        index,
                        submission,
                        "2025-03-20T04:12:33",
                        "",
                        "",
                        "submitted_via_web",
                        "surveyor_dusit",
                        "vXYZ",
                        "",
                    ]
                )
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "main"
    sheet.append(main_header)
    for cells in main_rows:
        sheet.append(cells)
    for repeat in repeats:
        own = [r for r in rows if r.repeat == repeat]
        extra = workbook.create_sheet(repeat)
        extra.append(["/".join((*r.path, r.name)) for r in own] + list(REPEAT_METADATA))
        for cells in repeat_rows[repeat]:
            extra.append(cells)
    workbook.save(target)
    return export


def _answer(
    row: FormRow,
    choices: dict[str, list[str]],
    rng: random.Random,
    index: int,
    position: tuple[float, float],
) -> str:
    kind = row.type
    if kind.startswith("select_one "):
        options = choices[kind.split(" ", 1)[1]]
        return options[0] if len(options) == 1 else rng.choice(options)
    if kind == "integer":
        return str(rng.randint(1, 25))
    if kind == "decimal":
        return f"{rng.uniform(0.5, 30):.2f}"
    if kind == "date":
        return f"2025-03-{10 + index:02d}"
    if kind == "geopoint":
        return f"{position[0]} {position[1]} 0 5"
    if row.name in vocabulary().fields and vocabulary().fields[row.name].kind == "code":
        return f"9{index:03d}"
    return f"ชุมชนทดสอบที่ {index}"
