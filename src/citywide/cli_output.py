"""What `citywide run`, `citywide ingest`, `citywide check` and `citywide geography build` print:
one line per table, file, export and map, one block per problem of a checked row (moved out of
cli.py, which keeps the commands)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from citywide.settings import Settings

if TYPE_CHECKING:  # the CLI starts without importing what only a run needs
    from citywide.ingest.outcome import TableReport
    from citywide.results import Published


def print_published(published: Published) -> None:
    for survey_round, khets in published.khet_need.items():
        typer.echo(f"khet_need: round {survey_round}, {khets} khets")
    for path in published.outputs.exports:
        typer.echo(f"export: {path}")
    for path in published.outputs.maps:
        typer.echo(f"map: {path}")


def print_counts(counts: dict[str, int], settings: Settings) -> None:
    typer.echo(f"database: {settings.duckdb_path}")
    for table, rows in counts.items():
        typer.echo(f"  {table:12} {rows:>7,} rows")


def print_ingested(reports: Sequence[TableReport]) -> None:
    for report in reports:
        sheet = f" [{report.sheet}]" if report.sheet else ""
        typer.echo(
            f"{report.path.name}{sheet}: {report.status}; read {report.rows_read}, "
            f"loaded {report.rows_loaded}, rejected {report.rows_rejected}, "
            f"superseded {report.rows_superseded}, warnings {report.warnings}"
        )
        if report.dropped_columns:
            typer.echo(f"    personal-data columns dropped: {report.dropped_columns}")
        if report.message:
            typer.echo(f"    {report.message}")


_CHECK_LABELS = {
    "rejected": ("ไม่ผ่าน / REJECTED", typer.colors.RED),
    "warning": ("คำเตือน / warning", typer.colors.YELLOW),
    "notice": ("หมายเหตุ / notice", typer.colors.BLUE),
}


def print_check(report: TableReport) -> bool:
    """Print one table's check; True when nothing would be rejected."""
    sheet = f" [{report.sheet}]" if report.sheet else ""
    typer.echo(f"== {report.path.name}{sheet}")
    if report.status == "failed":
        typer.secho(f"อ่านไฟล์ไม่ได้ / cannot read the file\n{report.message}", fg=typer.colors.RED)
        return False
    typer.echo(
        f"อ่าน {report.rows_read} แถว: ผ่าน {report.rows_loaded}, ไม่ผ่าน {report.rows_rejected}, "
        f"หมายเหตุ {report.summary_rows}, คำเตือน {report.warnings} / read {report.rows_read} rows: "
        f"{report.rows_loaded} would load, {report.rows_rejected} rejected, "
        f"{report.summary_rows} notices (total rows), {report.warnings} warnings"
    )
    if report.message:
        typer.echo(f"หมายเหตุของไฟล์ / about the file: {report.message}")
    if report.dropped_columns:
        typer.echo(
            "คอลัมน์ข้อมูลส่วนบุคคลจะถูกตัดออก / personal-data columns that will be dropped: "
            + ", ".join(report.dropped_columns)
        )
    if report.problems is not None:
        for row in report.problems.itertuples():
            label, colour = _CHECK_LABELS[str(row.outcome)]
            community = row.community if isinstance(row.community, str) else None
            named = f" · {community}" if community else ""
            typer.secho(f"  แถว / row {row.source_row}{named}: {label} [{row.code}]", fg=colour)
            typer.echo(f"      {row.message_th}\n      {row.message_en}")
    return report.rows_rejected == 0
