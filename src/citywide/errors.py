"""The project's exceptions, in one place.

Every error a person can act on says four things: what was expected, what was found, where
(file, sheet, row, column, source or table) and how to fix it. ``str(error)`` renders them as a
short block that the CLI prints as-is.
"""

from __future__ import annotations

import re


class CitywideError(Exception):
    """Base class: a problem with input, configuration or environment that a person can fix."""

    def __init__(
        self,
        problem: str,
        *,
        expected: str,
        found: str,
        where: str,
        fix: str,
        problem_th: str | None = None,
        fix_th: str | None = None,
    ) -> None:
        self.problem = problem
        self.expected = expected
        self.found = found
        self.where = where
        self.fix = fix
        self.problem_th = problem_th  # Thai first, where district offices read the message
        self.fix_th = fix_th
        super().__init__(self._render())

    def _render(self) -> str:
        problem = f"{self.problem_th} / {self.problem}" if self.problem_th else self.problem
        fix = f"{self.fix_th} / {self.fix}" if self.fix_th else self.fix
        return (
            f"{problem}\n"
            f"  where:    {self.where}\n"
            f"  expected: {self.expected}\n"
            f"  found:    {self.found}\n"
            f"  fix:      {fix}"
        )


class SettingsError(CitywideError):
    """A setting points somewhere unusable."""


class SourceError(CitywideError):
    """A reference source could not be fetched or verified."""


class SourceFileMissing(SourceError):
    """The local sources folder lacks a file the registry names."""


class ChecksumMismatch(SourceError):
    """A fetched file's sha256 differs from the registry's."""


class DownloadFailed(SourceError):
    """A source could not be downloaded from its origin.

    ``transient``: the failure may pass (a timeout, a reset connection, HTTP 408, 429 or 5xx),
    so a retry after a short wait is worth it.
    """

    transient = True


class OriginRefused(DownloadFailed):
    """The origin answered but refused the file (HTTP 4xx): asking again gets the same answer."""

    transient = False


class NoNetwork(DownloadFailed):
    """The origin cannot be reached at all (name not resolved, connection refused, no route)."""

    transient = False


class SourcesFailed(CitywideError):
    """One or more sources failed; the others were fetched. Holds every failure.

    When every failure is the same missing network, the message says so once (``combined``) and
    the CLI prints nothing more; otherwise it prints each failure after this summary.
    """

    def __init__(self, failures: list[SourceError]) -> None:
        self.failures = failures
        self.combined = bool(failures) and all(isinstance(f, NoNetwork) for f in failures)
        names = ", ".join(f.where for f in failures)
        if self.combined:
            causes = list(dict.fromkeys(f.found for f in failures))
            sources = dict.fromkeys(f.where.split(", ", 1)[0] for f in failures)
            super().__init__(
                "cannot download the reference sources: no network",
                expected="a connection to the sources' origins, or local copies of the sources",
                found="; ".join(causes),
                where=", ".join(sources),
                fix="set CITYWIDE_SOURCES_DIR (or --sources-dir) to a folder holding the "
                "sources (see docs/sources.md), or check the network and proxy",
            )
            return
        super().__init__(
            f"{len(failures)} reference source(s) could not be fetched",
            expected="every source fetched and verified",
            found=f"failed: {names}",
            where="citywide sources fetch",
            fix="see each failure below; the other sources were fetched and kept",
        )


class GeographyError(CitywideError):
    """Boundary or population data do not fit the gazetteer or each other."""


class DatabaseError(CitywideError):
    """The DuckDB database or its spatial extension cannot be used."""


class DatabaseBusy(DatabaseError):
    """Another run holds the writer lock and did not release it within the wait allowed."""


class CoverageMissing(DatabaseError):
    """Indicators were asked for before the register step wrote khet_coverage."""

    def __init__(self) -> None:
        super().__init__(
            "the database has no table khet_coverage or survey_round, so it cannot tell "
            "surveyed khets from khets not surveyed, nor order the rounds",
            expected="tables khet_coverage and survey_round, written by the linking step "
            "(citywide.register) before the indicators",
            found="no table khet_coverage or survey_round",
            where="citywide indicators (khet_need)",
            fix="run the register step, e.g. `citywide run`, then publish again",
        )


class PrefectUnavailable(CitywideError):
    """Prefect's API server could not be reached, or its temporary server did not start."""


class PublishError(CitywideError):
    """Maps or exports cannot be made (a missing library or font, or nothing to publish)."""


# Parts of a parser's error text that quote the file's content: DuckDB's "Original Line: ..."
# and "LINE 1: ..." (the SQL), carets under them, and anything between quotes.
_CONTENT_LINE = re.compile(r"^\s*(original line|line \d+:|\^)", re.IGNORECASE)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|“[^”]*”|‘[^’]*’|«[^»]*»")
# What is left may still hold a cell: text beyond ASCII (Thai names, addresses) and long runs
# of digits (phone numbers, national IDs). Facts such as line numbers and sizes stay.
_NON_ASCII = re.compile(r"[^\x00-\x7f]+(?:[\s,.:;-]*[^\x00-\x7f]+)*")
_LONG_NUMBER = re.compile(r"\+?\d(?:[\s.()-]?\d){8,}")
_MAX_DESCRIPTION = 400


def describe_error(error: BaseException) -> str:
    """An exception's text, fit to store or print: the facts without the file's content.

    A parser's error (DuckDB, calamine, pyogrio, csv, pandas) often quotes the row it failed
    on, and that row may hold names and phone numbers of columns citywide never reads. This
    keeps the error class and the parser's own words (line or row number, column counts,
    positions, sizes) and drops quoted text, the quoted line, text beyond ASCII and long
    numbers. A :class:`CitywideError` is citywide's own message and is returned whole.
    """
    if isinstance(error, CitywideError):
        return str(error)
    if isinstance(error, UnicodeDecodeError):  # its text quotes the bytes; its fields suffice
        return f"UnicodeDecodeError: not {error.encoding}: {error.reason} at byte {error.start}"
    kept: list[str] = []
    for line in str(error).splitlines():
        if not line.strip():
            if kept:
                break  # DuckDB's explanation ends at the first blank line; then come options
            continue
        if _CONTENT_LINE.match(line):
            continue
        line = _QUOTED.sub("[...]", line)
        line = _NON_ASCII.sub("[...]", line)
        kept.append(_LONG_NUMBER.sub("[...]", line).strip())
    text = "; ".join(kept)
    if len(text) > _MAX_DESCRIPTION:
        text = text[: _MAX_DESCRIPTION - 3] + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def reraise_interruption(error: Exception) -> None:
    """Raise the stop behind a parser's error, if a stop is what it reports.

    A signal handler's exception (Ctrl-C, or the run's timeout: Prefect raises its
    CancelledError from SIGALRM) that arrives while DuckDB runs a query becomes DuckDB's
    ``RuntimeError: Query interrupted``, with the stop as its cause. Such an error says
    nothing about the file, so the places that record a bad file as a failure call this
    first: the run stops (TimedOut, the writer lock released) instead of going on.
    """
    cause = error.__cause__ or error.__context__
    if cause is not None and not isinstance(cause, Exception):
        raise cause
