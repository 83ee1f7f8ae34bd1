"""`citywide template`: each khet's return template and XLSForm for a round, from the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from citywide.locations import TemplateFiles, template_files
from citywide.template.frame import khet_frame, require_register
from citywide.template.workbook import write_template
from citywide.template.xlsform import write_xlsform


@dataclass(frozen=True)
class WrittenTemplate:
    """One khet's files, and how many registered communities its template pre-fills."""

    khet_code: str
    files: TemplateFiles
    communities: int


def write_templates(
    connection: duckdb.DuckDBPyConnection,
    survey_round: str,
    khet_codes: Sequence[str],
    folder: Path,
    built: dt.date,
) -> list[WrittenTemplate]:
    """The template and the XLSForm of each khet of ``khet_codes`` for ``survey_round``, into
    ``folder`` (each file written atomically)."""
    require_register(connection, "citywide template")
    written = []
    for code in khet_codes:
        frame = khet_frame(connection, code)
        files = template_files(folder, code, survey_round)
        write_template(frame, survey_round, built, files.workbook)
        write_xlsform(frame, survey_round, built, files.xlsform)
        written.append(WrittenTemplate(code, files, len(frame.communities)))
    return written
