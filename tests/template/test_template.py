"""`citywide template`: the return template and the XLSForm of each khet, on the real register.

The filled template and a Kobo export of the form ingest with no warning and no rejection;
all 50 khets' files open in openpyxl and python-calamine with their dropdowns; the XLSForm
passes pyxform (and ODK Validate, where Java is installed).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from pyxform.xls2xform import convert
from typer.testing import CliRunner

from citywide import db
from citywide.cli import app
from citywide.gazetteer import load_gazetteer
from citywide.ingest.columns import vocabulary
from citywide.ingest.load import ingest_file
from citywide.locations import template_files
from citywide.schema import COMMUNITY, HOUSEHOLD
from citywide.sources import COMMUNITY_REGISTRY
from citywide.template.build import write_templates
from citywide.template.fields import device_fields, record_fields
from citywide.template.frame import khet_frame
from citywide.template.workbook import LISTS_SHEET, SHEETS, date_rule
from citywide.template.xlsform import geopoint_name
from tests.template.conftest import TODAY
from tests.template.returns import (
    FIRST_DATA_ROW,
    PARSED_DATES,
    columns,
    dropdown,
    fill_template,
    kobo_export,
)

pytestmark = pytest.mark.real_data
ROUND = "2568"
KHET = "1002"  # ดุสิต: 42 registered communities in 5 khwaeng
BUILT = dt.date(2026, 6, 30)


def query(path: Path, sql: str, *parameters: object) -> list[tuple[object, ...]]:
    with db.connect(path, read_only=True) as connection:
        return connection.execute(sql, list(parameters)).fetchall()


@pytest.fixture
def written(register_db: Path, tmp_path: Path) -> Path:
    with db.connect(register_db, read_only=True) as connection:
        (entry,) = write_templates(connection, ROUND, [KHET], tmp_path / "out", BUILT)
    assert entry.files == template_files(tmp_path / "out", KHET, ROUND)
    return tmp_path / "out"


def positions(path: Path, khet: str) -> dict[str, tuple[float, float]]:
    """Register communities of the khet whose point lies in it: code -> (lat, lon)."""
    rows = query(
        path,
        """
        WITH located AS (
            SELECT community_code, lat, lon, khet_code FROM community_register
            WHERE khet_code = ? AND lat IS NOT NULL AND community_code IS NOT NULL
        )
        SELECT l.community_code, l.lat, l.lon FROM located l JOIN khet k USING (khet_code)
        WHERE ST_Contains(k.geom, ST_Point(l.lon, l.lat))
        """,
        khet,
    )
    return {str(code): (float(lat), float(lon)) for code, lat, lon in rows}  # type: ignore[arg-type]


def test_every_kept_catalogue_field_is_asked_where_its_table_keeps_it() -> None:
    vocab = vocabulary()
    for kind, table in (("community", COMMUNITY), ("household", HOUSEHOLD)):
        asked = {f.name for f in record_fields(kind)} | set(device_fields(kind))  # type: ignore[arg-type]
        kept = {name for name in vocab.fields if name in table.column_names}
        assert kept <= asked, (kind, kept - asked)
        assert {"khet", "khwaeng"} <= asked
    household = {f.name for f in record_fields("household")}
    assert not household & set(vocab.location_fields())  # a home's location is never asked
    assert "record_uuid" not in {f.name for f in record_fields("community")}  # Kobo writes it


def test_the_template_prefills_the_khets_register_and_no_person(
    written: Path, register_db: Path, real_sources_dir: Path
) -> None:
    files = template_files(written, KHET, ROUND)
    workbook = openpyxl.load_workbook(files.workbook)
    assert workbook.sheetnames[0] == "คำแนะนำ · instructions"
    assert workbook[LISTS_SHEET].sheet_state == "hidden"
    sheet = workbook[SHEETS["community"]]
    fields = record_fields("community")
    assert [c.value for c in sheet[2]][: len(fields)] == [f.label_th for f in fields]
    assert [c.value for c in sheet[3]][: len(fields)] == [f.label_en for f in fields]
    col = columns(sheet)
    prefilled = {
        (
            sheet.cell(row, col["community_code"]).value,
            sheet.cell(row, col["community_name"]).value,
            sheet.cell(row, col["khwaeng"]).value,
        )
        for row in range(FIRST_DATA_ROW, sheet.max_row + 1)
    }
    register = query(
        register_db,
        "SELECT r.community_code, r.canonical_name, k.name_th FROM community_register r "
        "LEFT JOIN khwaeng k USING (khwaeng_code) WHERE r.khet_code = ?",
        KHET,
    )
    assert prefilled == set(register)
    assert len(prefilled) == 42
    # the registry's chairman column never reaches the template, in any sheet or cell
    features = json.loads((real_sources_dir / COMMUNITY_REGISTRY.main_path).read_text())["features"]
    chairmen = {
        str(f["properties"].get("CHAIRMAN")).strip()
        for f in features
        if f["properties"].get("CHAIRMAN") and str(f["properties"]["CHAIRMAN"]).strip()
    }
    assert len(chairmen) > 100
    cells = {
        str(value).strip()
        for name in python_calamine.CalamineWorkbook.from_path(str(files.workbook)).sheet_names
        for row in python_calamine.CalamineWorkbook.from_path(str(files.workbook))
        .get_sheet_by_name(name)
        .to_python()
        for value in row
        if value not in ("", None)
    }
    assert not cells & chairmen
    assert not any("chairman" in cell.casefold() or "ประธาน" in cell for cell in cells)


def test_the_dropdowns_offer_the_khets_khwaeng_and_every_vocabulary(
    written: Path, register_db: Path
) -> None:
    workbook = openpyxl.load_workbook(template_files(written, KHET, ROUND).workbook)
    khwaeng = [
        str(n)
        for (n,) in query(
            register_db,
            "SELECT name_th FROM khwaeng WHERE khet_code = ? ORDER BY khwaeng_code",
            KHET,
        )
    ]
    assert len(khwaeng) == 5
    for kind, name in SHEETS.items():
        sheet = workbook[name]
        col = columns(sheet)
        assert dropdown(workbook, sheet, col["khet"]) == ["ดุสิต"]
        assert dropdown(workbook, sheet, col["khwaeng"]) == khwaeng
        for field in record_fields(kind):
            if field.choices:
                offered = dropdown(workbook, sheet, col[field.name])
                # what the dropdown offers is what the ingestion reads as each code
                assert [vocabulary().enum_value(field.name, v) for v in offered] == [
                    c.code for c in field.choices
                ]
        rules = {
            r.min_col: dv
            for dv in sheet.data_validations.dataValidation
            for r in dv.sqref.ranges
            if r.min_row == FIRST_DATA_ROW
        }
        for field in record_fields(kind):
            rule = rules[col[field.name]]
            if field.kind == "count":
                assert (rule.type, rule.operator, rule.formula1) == (
                    "whole",
                    "greaterThanOrEqual",
                    "0",
                )
            elif field.kind == "amount":
                assert (rule.type, rule.operator) == ("decimal", "greaterThanOrEqual")
            elif field.kind == "date":
                letter = openpyxl.utils.get_column_letter(col[field.name])
                assert rule.type == "custom"
                assert f"ISNUMBER({letter}{FIRST_DATA_ROW})" in rule.formula1
                assert "DATE(1990,1,1)" in rule.formula1
                assert "DATE(2533,1,1)" in rule.formula1
    assert len(date_rule("AB1234")) <= 255  # Excel's limit for a validation formula


def test_a_filled_template_ingests_with_no_warning_and_no_rejection(
    written: Path, survey_copy: Path, tmp_path: Path
) -> None:
    filled = fill_template(
        template_files(written, KHET, ROUND).workbook,
        tmp_path / "ดุสิต-กรอกแล้ว.xlsx",
        positions(survey_copy, KHET),
    )
    with db.connect(survey_copy) as connection:
        reports = ingest_file(connection, filled.path, ROUND, TODAY)
    assert [(r.sheet, r.record_kind) for r in reports] == [
        (SHEETS["community"], "community"),
        (SHEETS["household"], "household"),
    ]
    for report in reports:
        assert report.status == "loaded", report.message
        assert (report.rows_rejected, report.warnings, report.dropped_columns) == (0, 0, [])
        assert report.unmapped_columns == []
    assert reports[0].rows_loaded == len(filled.communities) == 43
    assert reports[1].rows_loaded == len(filled.households) == 12
    stored = {
        name: (households, population, area, date, lat is not None)
        for name, households, population, area, date, lat in query(
            survey_copy,
            "SELECT community_name, households, population, area_rai, survey_date, lat "
            "FROM community WHERE survey_round = ?",
            ROUND,
        )
    }
    assert set(stored) == set(filled.communities)
    for name, values in filled.communities.items():
        households, population, area, date, located = stored[name]
        assert (households, population, area) == (
            values["households"],
            values["population"],
            values["area_rai"],
        )
        assert date in PARSED_DATES
        assert located == ("lat" in values)
    assert sum(located for *_, located in stored.values()) >= 30
    types = query(
        survey_copy, "SELECT DISTINCT community_type FROM community WHERE survey_round = ?", ROUND
    )
    assert None not in {t for (t,) in types}
    linked = query(
        survey_copy,
        "SELECT count(*), count(khwaeng_code), count(DISTINCT community_key) FROM household "
        "WHERE survey_round = ?",
        ROUND,
    )
    assert linked == [(12, 0, 6)]


def test_the_xlsform_passes_pyxform_in_thai_and_english(written: Path) -> None:
    xlsform = template_files(written, KHET, ROUND).xlsform
    warnings: list[str] = []
    result = convert(
        xlsform=str(xlsform), validate=shutil.which("java") is not None, warnings=warnings
    )
    assert warnings == []
    xform = result.xform
    assert 'lang="Thai (th)" default="true()"' in xform
    assert 'lang="English (en)"' in xform
    assert '<repeat nodeset="/data/household">' in xform
    assert f'nodeset="/data/community/{geopoint_name()}" type="geopoint"' in xform
    assert "<value>ชุมชนแออัด</value>" in xform
    assert "<value>Slum</value>" not in xform
    assert 'calculate="../../community/khet"' in xform
    for field in record_fields("household"):
        assert f"/data/household/{field.name}" in xform


def test_a_kobo_export_of_the_form_ingests_with_no_warning_and_no_rejection(
    written: Path, survey_copy: Path, tmp_path: Path
) -> None:
    places = list(positions(survey_copy, KHET).values())[:4]
    export = kobo_export(
        template_files(written, KHET, ROUND).xlsform, tmp_path / "kobo.xlsx", places
    )
    with db.connect(survey_copy) as connection:
        reports = ingest_file(connection, export.path, ROUND, TODAY)
    assert [(r.format, r.record_kind) for r in reports] == [
        ("kobo-xlsx", "community"),
        ("kobo-xlsx", "household"),
    ]
    for report in reports:
        assert report.status == "loaded", report.message
        assert (report.rows_rejected, report.warnings) == (0, 0), report.message
    assert reports[0].dropped_columns == ["_submitted_by"]
    assert reports[1].rows_loaded == len(export.households) >= 4
    communities = query(
        survey_copy,
        "SELECT community_name, khet_code, lat, lon, record_uuid IS NOT NULL FROM community "
        "WHERE survey_round = ? ORDER BY community_name",
        ROUND,
    )
    assert [(n, k) for n, k, *_ in communities] == sorted(
        (c["community_name"], KHET) for c in export.communities
    )
    assert {(round(float(lat), 6), round(float(lon), 6)) for _, _, lat, lon, _ in communities} == {  # type: ignore[arg-type]
        (round(lat, 6), round(lon, 6)) for lat, lon in places
    }
    households = query(
        survey_copy,
        "SELECT count(*), count(DISTINCT record_uuid), count(DISTINCT community_key), "
        "count(khwaeng_code) FROM household WHERE survey_round = ?",
        ROUND,
    )
    assert households == [
        (len(export.households), len(export.households), len(places), len(export.households))
    ]


def test_templates_for_all_50_khets_open_with_their_dropdowns(
    register_db: Path, tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "all"
    result = CliRunner().invoke(
        app,
        [
            "--duckdb-path",
            str(register_db),
            "template",
            "--round",
            ROUND,
            "--all",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    gazetteer = load_gazetteer()
    assert len(gazetteer.khet_codes) == 50
    total = 0
    with db.connect(register_db, read_only=True) as connection:
        for code in gazetteer.khet_codes:
            files = template_files(out, code, ROUND)
            assert f"{code}: {files.workbook.name}" in result.output
            frame = khet_frame(connection, code)
            total += len(frame.communities)
            names = python_calamine.CalamineWorkbook.from_path(str(files.workbook)).sheet_names
            assert names[1:3] == [SHEETS["community"], SHEETS["household"]]
            workbook = openpyxl.load_workbook(files.workbook)
            sheet = workbook[SHEETS["community"]]
            col = columns(sheet)
            assert dropdown(workbook, sheet, col["khet"]) == [frame.khet.name_th]
            assert dropdown(workbook, sheet, col["khwaeng"]) == [p.name_th for p in frame.khwaeng]
            assert dropdown(workbook, sheet, col["community_type"])[0] == "ชุมชนแออัด"
            assert sheet.max_row == FIRST_DATA_ROW - 1 + len(frame.communities)
            convert(xlsform=str(files.xlsform), validate=False, warnings=[])
    # every community of the register is in its khet's template (the registry's 2,007 rows less
    # the two it rejects)
    assert [(total,)] == query(register_db, "SELECT count(*) FROM community_register") == [(2005,)]


def test_the_command_refuses_an_unknown_khet_and_a_database_without_register(
    register_db: Path, geography_db: Path, tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    base = ["--duckdb-path", str(register_db), "template", "--round", ROUND, "--out", str(tmp_path)]
    unknown = runner.invoke(app, [*base, "--khet", "คลองเตีย"])
    assert unknown.exit_code == 1
    assert "ไม่รู้จักเขต" in unknown.output
    assert "unknown khet" in unknown.output
    assert "คลองเตย" in unknown.output
    assert runner.invoke(app, base).exit_code == 2  # neither --khet nor --all
    by_name = runner.invoke(app, [*base, "--khet", "ดุสิต"])
    assert by_name.exit_code == 0, by_name.output
    assert template_files(tmp_path, KHET, ROUND).workbook.is_file()
    bare = runner.invoke(
        app,
        [
            "--duckdb-path",
            str(geography_db),
            "template",
            "--round",
            ROUND,
            "--all",
            "--out",
            str(tmp_path / "x"),
        ],
    )
    assert bare.exit_code == 1
    assert "community_register" in bare.output
    assert "citywide run" in bare.output
    assert not (tmp_path / "x").exists()


def test_a_kobo_csv_export_ingests_each_sheet_with_no_warning(
    written: Path, survey_copy: Path, tmp_path: Path
) -> None:
    """Kobo's CSV export: one file per sheet, ';' between values."""
    places = list(positions(survey_copy, KHET).values())[:3]
    export = kobo_export(template_files(written, KHET, ROUND).xlsform, tmp_path / "k.xlsx", places)
    workbook = openpyxl.load_workbook(export.path)
    files = []
    for sheet in workbook.worksheets:
        path = tmp_path / f"kobo-{sheet.title}.csv"
        lines = [
            ";".join("" if v is None else f'"{v}"' for v in row)
            for row in sheet.iter_rows(values_only=True)
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(path)
    with db.connect(survey_copy) as connection:
        reports = [r for path in files for r in ingest_file(connection, path, ROUND, TODAY)]
    assert [(r.format, r.record_kind) for r in reports] == [
        ("kobo-csv", "community"),
        ("kobo-csv", "household"),
    ]
    for report in reports:
        assert (report.status, report.rows_rejected, report.warnings) == ("loaded", 0, 0)
    assert reports[1].rows_loaded == len(export.households)


def test_the_command_imports_no_prefect(register_db: Path, tmp_path: Path) -> None:
    """`citywide template` stays quick: Prefect (and the test-only pyxform) are never imported."""
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from citywide.cli import app\n"
        f"args = ['--duckdb-path', {str(register_db)!r}, 'template', '--round', '2568',\n"
        f"        '--khet', '1002', '--out', {str(tmp_path)!r}]\n"
        "result = CliRunner().invoke(app, args)\n"
        "assert result.exit_code == 0, result.output\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('prefect', 'pyxform'))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert template_files(tmp_path, KHET, ROUND).xlsform.is_file()
