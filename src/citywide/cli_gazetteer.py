"""``citywide gazetteer``: look up khet and khwaeng codes from any common spelling (moved out of
cli.py, which keeps the other commands)."""

from __future__ import annotations

from typing import Annotated

import typer

from citywide.gazetteer import Resolution, load_gazetteer

gazetteer_app = typer.Typer(help="Look up khet and khwaeng codes from any common spelling.")


@gazetteer_app.command("khet")
def resolve_khet(
    texts: Annotated[list[str], typer.Argument(help="Khet names or codes, any spelling.")],
) -> None:
    """Resolve khet names or codes; exit 1 if any is unknown or ambiguous."""
    answers = [load_gazetteer().resolve_khet(text) for text in texts]
    _print_resolutions(answers)


@gazetteer_app.command("khwaeng")
def resolve_khwaeng(
    texts: Annotated[list[str], typer.Argument(help="Khwaeng names or codes, any spelling.")],
    khet: Annotated[str | None, typer.Option(help="Khet (any spelling) to look within.")] = None,
) -> None:
    """Resolve khwaeng names or codes, within a khet if given; exit 1 if any is unresolved."""
    gazetteer = load_gazetteer()
    khet_code = None
    if khet is not None:
        found = gazetteer.resolve_khet(khet)
        if found.code is None:
            typer.echo(found.message(), err=True)
            raise typer.Exit(1)
        khet_code = found.code
    _print_resolutions([gazetteer.resolve_khwaeng(text, khet_code) for text in texts])


def _print_resolutions(answers: list[Resolution]) -> None:
    gazetteer = load_gazetteer()
    for answer in answers:
        if answer.code is None:
            typer.echo(answer.message())
            continue
        place = (
            gazetteer.khet(answer.code)
            if answer.level == "khet"
            else gazetteer.khwaeng(answer.code)
        )
        typer.echo(f"{answer.query!r:32} -> {place.label()}  [{answer.method}]")
    if not all(answer.resolved for answer in answers):
        raise typer.Exit(1)
