"""What `citywide run`, `citywide ingest` and `citywide geography build` print: one line per
table, file, export and map (moved out of cli.py, which keeps the commands)."""

from __future__ import annotations

import typer

from citywide.settings import Settings


def print_published(result: dict[str, object]) -> None:
    rounds = result["khet_need"]
    assert isinstance(rounds, dict)
    for survey_round, khets in rounds.items():
        typer.echo(f"khet_need: round {survey_round}, {khets} khets")
    exported = result["exports"]
    assert isinstance(exported, list)
    for path in exported:
        typer.echo(f"export: {path}")
    maps = result["maps"]
    assert isinstance(maps, list)
    for path in maps:
        typer.echo(f"map: {path}")


def print_counts(counts: dict[str, int], settings: Settings) -> None:
    typer.echo(f"database: {settings.duckdb_path}")
    for table, rows in counts.items():
        typer.echo(f"  {table:12} {rows:>7,} rows")


def print_ingested(reports: list[dict[str, object]]) -> None:
    for report in reports:
        sheet = f" [{report['sheet']}]" if report["sheet"] else ""
        typer.echo(
            f"{report['file']}{sheet}: {report['status']}; read {report['rows_read']}, "
            f"loaded {report['rows_loaded']}, rejected {report['rows_rejected']}, "
            f"superseded {report['rows_superseded']}, warnings {report['warnings']}"
        )
        if report["dropped_columns"]:
            typer.echo(f"    personal-data columns dropped: {report['dropped_columns']}")
        if report["message"]:
            typer.echo(f"    {report['message']}")
