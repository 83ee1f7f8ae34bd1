"""What `citywide run`, `citywide ingest` and `citywide geography build` print: one line per
table, file, export and map (moved out of cli.py, which keeps the commands)."""

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
