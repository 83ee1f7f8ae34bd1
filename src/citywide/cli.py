"""The ``citywide`` command. Holds no logic: it reads options, calls the library or a flow, prints.

Exit codes: 0 done; 1 a problem in the data or sources (the message says what to fix);
2 bad options or settings; 3 the run published, but some file could not be ingested (see the run
report); 75 another run is writing the database (try again later).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from pydantic import ValidationError

from citywide import __version__, db, migrations
from citywide.cli_gazetteer import gazetteer_app
from citywide.cli_output import print_check, print_counts, print_ingested, print_published
from citywide.errors import CitywideError, DatabaseBusy, SourcesFailed
from citywide.locations import Locations
from citywide.settings import Settings
from citywide.sources import REGISTRY, fetch_sources, source_by_id

app = typer.Typer(
    name="citywide",
    help="Bangkok city-wide housing survey: district returns -> DuckDB -> khet need maps.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
sources_app = typer.Typer(help="Reference sources: list and fetch (local copy or download).")
geography_app = typer.Typer(help="Khet and khwaeng tables in DuckDB.")
links_app = typer.Typer(help="Links of records to the community register: the ones to review.")
app.add_typer(sources_app, name="sources")
app.add_typer(geography_app, name="geography")
app.add_typer(gazetteer_app, name="gazetteer")
app.add_typer(links_app, name="links")


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings), "the main callback always sets ctx.obj"
    return settings


EXIT_PROBLEMS = 3
EXIT_BUSY = 75  # EX_TEMPFAIL: schedulers and shells know it means "try again later"


def _fail(error: CitywideError) -> typer.Exit:
    typer.secho(str(error), err=True, fg=typer.colors.RED)
    if isinstance(error, DatabaseBusy):
        return typer.Exit(EXIT_BUSY)
    if isinstance(error, SourcesFailed) and not error.combined:
        for failure in error.failures:
            typer.secho(f"\n{failure}", err=True, fg=typer.colors.RED)
    return typer.Exit(1)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"citywide {__version__}")
        raise typer.Exit


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None, typer.Option(help="[env CITYWIDE_DATA_DIR] default: data")
    ] = None,
    raw_dir: Annotated[
        Path | None, typer.Option(help="[env CITYWIDE_RAW_DIR] default: DATA_DIR/raw")
    ] = None,
    processed_dir: Annotated[
        Path | None, typer.Option(help="[env CITYWIDE_PROCESSED_DIR] default: DATA_DIR/processed")
    ] = None,
    duckdb_path: Annotated[
        Path | None,
        typer.Option(help="[env CITYWIDE_DUCKDB_PATH] default: PROCESSED_DIR/citywide.duckdb"),
    ] = None,
    maps_dir: Annotated[
        Path | None, typer.Option(help="[env CITYWIDE_MAPS_DIR] default: maps")
    ] = None,
    sources_dir: Annotated[
        Path | None,
        typer.Option(
            help="[env CITYWIDE_SOURCES_DIR] local copies of the sources; unset: download"
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Options here override CITYWIDE_* environment variables, which override the defaults."""
    given: dict[str, Any] = {
        "data_dir": data_dir,
        "raw_dir": raw_dir,
        "processed_dir": processed_dir,
        "duckdb_path": duckdb_path,
        "maps_dir": maps_dir,
        "sources_dir": sources_dir,
    }
    try:
        ctx.obj = Settings(**{name: value for name, value in given.items() if value is not None})
    except ValidationError as error:
        typer.secho(f"invalid settings:\n{error}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from error


@app.command("settings")
def show_settings(ctx: typer.Context) -> None:
    """Print the effective settings (after environment and options)."""
    for name, value in _settings(ctx).describe().items():
        typer.echo(f"{name:20} {value or '(unset)'}")


@app.command()
def run(
    ctx: typer.Context,
    task_runner: Annotated[
        str | None,
        typer.Option(
            "--task-runner",
            help="[env CITYWIDE_TASK_RUNNER] threads (default) or dask: where survey files are "
            "prepared in parallel.",
        ),
    ] = None,
    dask_address: Annotated[
        str | None,
        typer.Option(
            help="[env CITYWIDE_DASK_ADDRESS] scheduler of a running Dask cluster; "
            "unset: a local cluster."
        ),
    ] = None,
) -> None:
    """Run the whole pipeline once (Prefect flow `citywide`): sources -> geography -> survey
    files -> need indicators -> exports, maps and the run report (MAPS_DIR/report.html).

    Only what changed since the last run is redone. Exit 3 when some file could not be ingested
    (the rest was published), 75 when another run is writing the database.
    """
    from citywide.results import RunResult
    from flows.citywide import citywide  # Prefect is slow to import: only when needed
    from flows.runners import prefect_server, with_timeout

    settings = _with_options(ctx, task_runner=task_runner, dask_address=dask_address)
    from prefect.client.schemas.objects import State

    try:
        with prefect_server():
            state = with_timeout(citywide, settings)(settings, return_state=True)
    except CitywideError as unavailable:
        raise _fail(unavailable) from unavailable
    assert isinstance(state, State), "a synchronous flow returns its state"
    if state.is_failed():
        error = state.result(raise_on_failure=False)
        if isinstance(error, CitywideError):
            raise _fail(error) from error
        typer.secho(f"run {state.name}: {state.message}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1)
    result = state.result()
    assert isinstance(result, RunResult)
    for reason in result.plan.reasons or ["nothing new or changed: nothing to redo"]:
        typer.echo(f"plan: {reason}")
    if result.tables:
        print_counts(dict(result.tables), settings)
    print_ingested(result.ingested)
    print_published(result.published)
    report = result.report
    typer.echo(f"report: {Locations.from_settings(settings).report_page} ({report.outcome})")
    if report.problems:
        raise typer.Exit(EXIT_PROBLEMS)


@app.command()
def serve(
    ctx: typer.Context,
    cron: Annotated[
        str | None, typer.Option(help="[env CITYWIDE_SCHEDULE_CRON] default: 0 6 * * *")
    ] = None,
    timezone: Annotated[
        str | None, typer.Option(help="[env CITYWIDE_SCHEDULE_TIMEZONE] default: Asia/Bangkok")
    ] = None,
) -> None:
    """Serve the `citywide` flow on its schedule (default 06:00 Asia/Bangkok, every day).

    Runs until stopped, executing scheduled runs (and runs started from the Prefect UI) in this
    process. Needs a Prefect server: set PREFECT_API_URL (see the README, "Scheduled runs").
    """
    from flows.deployment import serve as serve_flow

    settings = _with_options(ctx, schedule_cron=cron, schedule_timezone=timezone)
    try:
        serve_flow(settings)
    except CitywideError as error:
        raise _fail(error) from error


@app.command()
def publish(ctx: typer.Context) -> None:
    """Rebuild the need indicators, exports and maps from the database (Prefect flow `publish`)."""
    from flows.publish import publish as publish_flow
    from flows.runners import prefect_server, with_timeout

    try:
        with prefect_server():
            result = with_timeout(publish_flow, _settings(ctx))(_settings(ctx))
    except CitywideError as error:
        raise _fail(error) from error
    print_published(result)


def _with_options(ctx: typer.Context, **options: str | None) -> Settings:
    """The settings with the command's own options applied (those given)."""
    given = {name: value for name, value in options.items() if value is not None}
    settings = _settings(ctx)
    if not given:
        return settings
    try:
        return Settings.model_validate({**settings.model_dump(), **given})
    except ValidationError as error:
        typer.secho(f"invalid settings:\n{error}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from error


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Survey files, or folders of them.")],
    round_label: Annotated[
        str | None,
        typer.Option(
            "--round", help="Survey round label (default: the folder in RAW_DIR/surveys/<round>/)."
        ),
    ] = None,
) -> None:
    """Ingest survey returns into the database (Prefect flow `ingest`, one task per file).

    Exit 1 if a file could not be read (the others are still ingested); exit 2 if --round is
    not a valid round label.
    """
    from citywide.ingest.discovery import RoundLabelInvalid, require_round_label
    from flows.ingest import ingest_returns
    from flows.runners import prefect_server, with_timeout

    if round_label is not None:
        try:
            require_round_label(round_label, "--round")
        except RoundLabelInvalid as error:
            typer.secho(str(error), err=True, fg=typer.colors.RED)
            raise typer.Exit(2) from error
    try:
        with prefect_server():
            settings = _settings(ctx)
            reports = with_timeout(ingest_returns, settings)(paths, round_label, settings)
    except CitywideError as error:
        raise _fail(error) from error
    print_ingested(reports)
    if any(report.status == "failed" for report in reports):
        raise typer.Exit(1)


@app.command()
def check(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Survey files to check.")],
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Also write this .xlsx: each table's rows as written, with the outcome and "
            "reasons beside each row, coloured by outcome.",
        ),
    ] = None,
) -> None:
    """Check survey returns before sending them: same reading and rules, nothing written.

    Prints every rejected row (with its community as written), warning and notice in Thai and
    English. A total row (รวม, Total) is a notice, and its figures are compared with the sum of
    the rows. Exit 1 if any row would be rejected or a file cannot be read, else 0.
    """
    from citywide.ingest.discovery import survey_files
    from citywide.ingest.load import check_file, require_geography

    settings = _settings(ctx)
    try:
        paths = survey_files(files)
        with db.connect(settings.duckdb_path, read_only=True) as connection:
            _note_old_schema(connection, settings.duckdb_path)
            require_geography(connection, str(settings.duckdb_path))
            reports = [
                checked
                for path in paths
                for checked in check_file(
                    connection, path, date.today(), annotate=report is not None
                )
            ]
    except CitywideError as error:
        raise _fail(error) from error
    clean = True
    for checked in reports:
        clean &= print_check(checked)
    if report is not None:
        from citywide.ingest.annotated import write_check_workbook

        try:
            written = write_check_workbook(reports, report)
        except OSError as error:
            typer.secho(
                f"เขียนไฟล์รายงานไม่ได้ / cannot write the report: {report}\n"
                f"  {error.strerror or error}\n"
                "  แก้ไข / fix: เลือกโฟลเดอร์ที่เขียนได้ และปิดไฟล์นี้ใน Excel ก่อน / choose a "
                "folder you can write to, and close the file in Excel first",
                err=True,
                fg=typer.colors.RED,
            )
            raise typer.Exit(1) from error
        typer.echo(f"รายงาน / report: {written}")
    raise typer.Exit(0 if clean else 1)


@app.command()
def template(
    ctx: typer.Context,
    round_label: Annotated[str, typer.Option("--round", help="Survey round label, e.g. 2568.")],
    khet: Annotated[
        list[str] | None, typer.Option(help="Khet code or name (repeatable); or --all.")
    ] = None,
    all_khets: Annotated[bool, typer.Option("--all", help="All 50 khets.")] = False,
    out: Annotated[
        Path | None, typer.Option(help="Folder to write; default PROCESSED_DIR/templates/ROUND")
    ] = None,
) -> None:
    """Write each khet's return template (.xlsx) and XLSForm (Kobo/ODK) for a round: fields
    from the catalogue, the khet's registered communities pre-filled (docs/district-offices.md).
    """
    from citywide.gazetteer import load_gazetteer
    from citywide.ingest.discovery import require_round_label
    from citywide.template.build import write_templates
    from citywide.template.frame import khet_code

    settings = _settings(ctx)
    if bool(khet) == all_khets:
        typer.secho(
            "ระบุ --khet หรือ --all อย่างใดอย่างหนึ่ง / give either --khet or --all",
            err=True,
            fg=typer.colors.RED,
        )
        raise typer.Exit(2)
    try:
        require_round_label(round_label, "--round")
        codes = load_gazetteer().khet_codes if all_khets else [khet_code(k) for k in khet or []]
        folder = out or Locations.from_settings(settings).templates_dir(round_label)
        with db.connect(settings.duckdb_path, read_only=True) as connection:
            _note_old_schema(connection, settings.duckdb_path)
            written = write_templates(connection, round_label, codes, folder, date.today())
    except CitywideError as error:
        raise _fail(error) from error
    for entry in written:
        typer.echo(
            f"{entry.khet_code}: {entry.files.workbook.name} ({entry.communities} ชุมชน / "
            f"communities), {entry.files.xlsform.name}"
        )
    typer.echo(f"โฟลเดอร์ / folder: {folder}")


def _note_old_schema(connection: duckdb.DuckDBPyConnection, path: Path) -> None:
    notice = migrations.older_notice(connection, str(path))
    if notice:
        typer.secho(notice, err=True, fg=typer.colors.YELLOW)


@app.command()
def query(
    ctx: typer.Context,
    sql: Annotated[str, typer.Argument(help="A SQL query; spatial functions are available.")],
) -> None:
    """Run a read-only SQL query on the database and print the result (for analysts).

    NULL prints as NULL; integers stay integers.
    """
    from citywide.analysis import format_table

    try:
        path = _settings(ctx).duckdb_path
        with db.connect(path, read_only=True) as connection:
            _note_old_schema(connection, path)
            result = connection.execute(sql)
            columns = [column[0] for column in result.description or []]
            rows = result.fetchall()
    except CitywideError as error:
        raise _fail(error) from error
    except duckdb.Error as error:
        typer.secho(f"query failed: {error}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from error
    typer.echo(format_table(columns, rows))


@app.command("duckdb")
def duckdb_command(
    ctx: typer.Context,
    shell: Annotated[
        bool,
        typer.Option(
            "--shell", help="Start the duckdb command-line shell on the database, spatial loaded."
        ),
    ] = False,
) -> None:
    """Print the statement that loads the spatial extension in plain DuckDB (offline).

    `LOAD spatial` would download the extension: paste this instead, in the duckdb shell,
    DBeaver or Python (DuckDB of the same version as citywide's; see docs/data-model.md).
    """
    import os
    import shutil

    from citywide.analysis import load_spatial_sql

    try:
        statement = load_spatial_sql()
    except CitywideError as error:
        raise _fail(error) from error
    if not shell:
        typer.echo(statement)
        return
    program = shutil.which("duckdb")
    if program is None:
        typer.secho(
            "the duckdb shell is not installed\n"
            "  expected: a `duckdb` program on PATH (https://duckdb.org/docs/installation)\n"
            f"  fix:      install it, or paste into any DuckDB {db.duckdb_version()}: {statement}",
            err=True,
            fg=typer.colors.RED,
        )
        raise typer.Exit(1)
    database = str(_settings(ctx).duckdb_path)
    os.execv(program, [program, "-readonly", "-cmd", statement, database])  # noqa: S606 (program from PATH, no shell)


@sources_app.command("list")
def list_sources() -> None:
    """List the registered reference sources with origin and sha256."""
    for source in REGISTRY:
        typer.echo(f"{source.id}: {source.title}")
        for file in source.files:
            typer.echo(f"    {file.path}\n      origin {file.url}\n      sha256 {file.sha256}")
        if source.caveats:
            typer.echo(f"    caveats: {source.caveats}")


@sources_app.command("fetch")
def fetch(
    ctx: typer.Context,
    source_ids: Annotated[
        list[str] | None, typer.Argument(help="Source ids (default: all; see `sources list`).")
    ] = None,
) -> None:
    """Copy (CITYWIDE_SOURCES_DIR) or download each source into RAW_DIR and verify sha256."""
    settings = _settings(ctx)
    try:
        chosen = [source_by_id(i) for i in source_ids] if source_ids else list(REGISTRY)
    except KeyError as error:
        typer.secho(str(error.args[0]), err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from error
    try:
        results = fetch_sources(settings, chosen)
    except CitywideError as error:
        raise _fail(error) from error
    for result in results:
        for file in result.files:
            typer.echo(f"{result.source.id:20} {file.action:16} {file.path}")


@geography_app.command("build")
def build_geography_command(ctx: typer.Context) -> None:
    """Build the khet and khwaeng tables (the Prefect flow `geography`)."""
    from flows.geography import geography

    try:
        counts = geography(_settings(ctx))
    except CitywideError as error:
        raise _fail(error) from error
    print_counts(counts, _settings(ctx))


@links_app.command("review")
def links_review(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option(help="Workbook to write; default PROCESSED_DIR/link_review.xlsx")
    ] = None,
) -> None:
    """Write the records in review (link_review) as an xlsx to fill in: per record, a candidate's
    community_id or new. Copy the filled file into RAW_DIR/links/; the next run applies it."""
    from citywide.register.review import review_summary, write_pending_review

    settings = _settings(ctx)
    places = Locations.from_settings(settings)
    try:
        with db.connect(settings.duckdb_path, read_only=True) as connection:
            written = write_pending_review(connection, out or places.link_review_workbook)
    except CitywideError as error:
        raise _fail(error) from error
    typer.echo(review_summary(written, places.links_dir))
