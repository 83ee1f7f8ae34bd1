"""What `citywide check` adds to the rules of ingestion: notices, stated totals, and the office's
own rows annotated with their outcome.

- A summary row (รวม, Total, ...) is a **notice**, not a rejection: it is not a community and is
  never loaded, but a return that has one is correct. Its stated figures are compared, per
  numeric column, with the sum of the rows (:func:`total_checks`); a difference is a
  ``total_mismatch`` warning naming both figures, agreement a notice.
- Every problem names the row's community as written (its community name cell, else its code),
  without personal numbers (:mod:`citywide.ingest.privacy`).
- :func:`annotated_rows` gives each row of the table as the office wrote it (survey columns
  only: personal-data columns are never read) with its outcome and reasons, for
  :mod:`citywide.ingest.check_report`.

All of it is DuckDB over the staged table of :mod:`citywide.ingest.staging`; Python only formats
the few figures of the summary rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import duckdb
import pandas as pd

from citywide.ingest import messages, privacy
from citywide.ingest.outcome import AnnotatedRows
from citywide.ingest.readers import RawTable
from citywide.ingest.rules import NUMBER_FIELDS

Outcome = Literal["loaded", "warning", "rejected", "notice"]
OUTCOMES: tuple[Outcome, ...] = ("rejected", "warning", "notice", "loaded")  # worst first
OUTCOME_LABELS: dict[Outcome, str] = {
    "loaded": "ผ่าน · loaded",
    "warning": "คำเตือน · warning",
    "rejected": "ไม่ผ่าน · rejected",
    "notice": "หมายเหตุ · notice",
}
# Reasons that are notices in a check: the row is not loaded, and nothing is wrong with it.
NOTICE_REASONS = frozenset({"summary_row"})
TOTAL_MISMATCH = "total_mismatch"
TOTAL_AGREES = "total_agrees"
# code -> (Thai, English) of the check's own messages; docs/ingestion.md lists them.
CHECK_MESSAGES: dict[str, tuple[str, str]] = {
    TOTAL_MISMATCH: (
        "ยอดรวม{field_th}ที่เขียนไว้ {stated} ไม่เท่ากับผลรวมของ {rows} แถวข้างบน ซึ่งได้ {summed} "
        "(ต่างกัน {difference}) กรุณาตรวจสอบยอดรวมหรือแถวข้างบน",
        "the stated total of {field_en} is {stated}, but the {rows} rows above add up to {summed} "
        "(a difference of {difference}); check the total or the rows above",
    ),
    TOTAL_AGREES: (
        "ยอดรวมตรงกับผลรวมของแถวข้างบน: {figures_th}",
        "the totals agree with the rows above: {figures_en}",
    ),
}
_TOLERANCE = 0.005  # amounts (baht) may have decimals; a stated total rounds to the satang


@dataclass(frozen=True)
class TotalCheck:
    """One figure of a summary row against the sum of the rows it totals.

    ``summed`` and ``rows`` are those of the rows since the previous summary row (a subtotal's
    section), or of every row above when only that agrees (a grand total below subtotals).
    """

    source_row: int
    field: str
    stated: float
    summed: float
    rows: int

    @property
    def agrees(self) -> bool:
        return abs(self.stated - self.summed) < _TOLERANCE

    def messages(self) -> tuple[str, str]:
        th, en = CHECK_MESSAGES[TOTAL_MISMATCH]
        field_th, field_en = _label(self.field)
        figures = {
            "stated": _figure(self.stated),
            "summed": _figure(self.summed),
            "difference": _figure(self.stated - self.summed),
            "rows": f"{self.rows:,}",
        }
        return (
            th.format(field_th=field_th, **figures),
            en.format(field_en=field_en, **figures),
        )


def _label(field: str) -> tuple[str, str]:
    return messages.FIELD_LABELS.get(field, (field, field))


def _figure(value: float) -> str:
    """1,425 for a whole number, 1,425.50 otherwise; a negative difference keeps its sign."""
    if abs(value - round(value)) < _TOLERANCE:
        return f"{round(value):,}"
    return f"{value:,.2f}"


def number_fields(
    cursor: duckdb.DuckDBPyConnection, staged: str, fields: Sequence[str]
) -> list[str]:
    """The table's numeric fields that its staged rows carry as numbers (same name)."""
    columns = set(cursor.table(staged).columns)
    return [f for f in NUMBER_FIELDS if f in fields and f in columns]


def total_checks(
    cursor: duckdb.DuckDBPyConnection, staged: str, fields: Sequence[str]
) -> list[TotalCheck]:
    """Each figure written on a summary row, with the sum of the rows it totals."""
    numbers = number_fields(cursor, staged, fields)
    if not numbers:
        return []
    per_field = "\n        UNION ALL\n        ".join(
        f"""SELECT s.source_row, '{f}' AS field, s.{f}::DOUBLE AS stated,
            coalesce(sum(r.{f}) FILTER (WHERE r.section = s.section), 0)::DOUBLE AS section_sum,
            count(r.{f}) FILTER (WHERE r.section = s.section) AS section_rows,
            coalesce(sum(r.{f}), 0)::DOUBLE AS above_sum, count(r.{f}) AS above_rows
        FROM sectioned s
        LEFT JOIN sectioned r ON NOT r.is_summary AND r.source_row < s.source_row
        WHERE s.is_summary AND s.{f} IS NOT NULL
        GROUP BY s.source_row, s.{f}"""
        for f in numbers
    )
    # a grand total (below subtotals, or below nothing but other totals) sums every row above
    whole = (
        f"section_rows = 0 OR (abs(stated - section_sum) >= {_TOLERANCE} "
        f"AND abs(stated - above_sum) < {_TOLERANCE})"
    )
    sql = f"""
        WITH numbered AS (
            SELECT source_row, coalesce(rejection.reason = 'summary_row', false) AS is_summary,
                {", ".join(numbers)}
            FROM {staged}
        ),
        sectioned AS (
            SELECT *, count(*) FILTER (WHERE is_summary) OVER (
                ORDER BY source_row ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            ) AS section
            FROM numbered
        ),
        compared AS (
            {per_field}
        )
        SELECT source_row, field, stated,
            CASE WHEN {whole} THEN above_sum ELSE section_sum END AS summed,
            CASE WHEN {whole} THEN above_rows ELSE section_rows END AS rows
        FROM compared
        ORDER BY source_row, list_position({sorted_list(numbers)}, field)
    """
    return [
        TotalCheck(int(row), str(field), float(stated), float(summed), int(rows))
        for row, field, stated, summed, rows in cursor.execute(sql).fetchall()
    ]


def sorted_list(names: Sequence[str]) -> str:
    return "[" + ", ".join(f"'{name}'" for name in names) + "]"


def total_problems(checks: Sequence[TotalCheck]) -> pd.DataFrame:
    """The checks as problem rows: one warning per differing figure, one notice per summary row
    whose figures all agree."""
    rows: list[tuple[int, str, str, str | None, str, str]] = []
    for check in checks:
        if not check.agrees:
            th, en = check.messages()
            rows.append((check.source_row, "warning", TOTAL_MISMATCH, check.field, th, en))
    for source_row in dict.fromkeys(c.source_row for c in checks):
        figures = [c for c in checks if c.source_row == source_row]
        if all(c.agrees for c in figures):
            th, en = CHECK_MESSAGES[TOTAL_AGREES]
            listed_th = "; ".join(f"{_label(c.field)[0]} {_figure(c.stated)}" for c in figures)
            listed_en = "; ".join(f"{_label(c.field)[1]} {_figure(c.stated)}" for c in figures)
            rows.append(
                (
                    source_row,
                    "notice",
                    TOTAL_AGREES,
                    None,
                    th.format(figures_th=listed_th),
                    en.format(figures_en=listed_en),
                )
            )
    return pd.DataFrame(
        rows, columns=["source_row", "outcome", "code", "field", "message_th", "message_en"]
    )


def community_sql(raw: str, fields: Sequence[str]) -> tuple[str, str]:
    """(expression, joins) of a raw row's community as written: its name cell, else its code
    cell (trimmed, personal numbers removed); NULL when it has neither."""
    named = [f for f in ("community_name", "community_code") if f in fields]
    if not named:
        return "NULL::VARCHAR", ""
    values = ", ".join(f"nullif(trim({privacy.masked_value('r', f)}), '')" for f in named)
    joins = "\n        ".join(privacy.masked_join(raw, "r", f) for f in named)
    return f"coalesce({values})", joins


def check_problems(
    cursor: duckdb.DuckDBPyConnection, staged: str, table: RawTable, checks: Sequence[TotalCheck]
) -> pd.DataFrame:
    """Every rejection, warning and notice of the table, worst first within a row, each with its
    row's community as written: source_row, outcome, code, field, community, message_th,
    message_en."""
    raw = staged.removesuffix("_staged")
    found = messages.problems(cursor, staged, table.fields)
    notice = found["code"].isin(list(NOTICE_REASONS)) & (found["outcome"] == "rejected")
    found.loc[notice, "outcome"] = "notice"
    problems = pd.concat([found, total_problems(checks)], ignore_index=True)
    community, joins = community_sql(raw, table.fields)
    cursor.register(f"{raw}_problems", problems)
    try:
        rank = sorted_list(OUTCOMES)
        return cursor.execute(
            f"""
            SELECT p.source_row::BIGINT AS source_row, p.outcome::VARCHAR AS outcome,
                p.code::VARCHAR AS code, p.field::VARCHAR AS field, {community} AS community,
                p.message_th::VARCHAR AS message_th, p.message_en::VARCHAR AS message_en
            FROM {raw}_problems p
            JOIN {raw} r ON r.source_row = p.source_row
            {joins}
            ORDER BY p.source_row, list_position({rank}, p.outcome), p.code
            """
        ).df()
    finally:
        cursor.unregister(f"{raw}_problems")


def annotated_rows(
    cursor: duckdb.DuckDBPyConnection, staged: str, table: RawTable, problems: pd.DataFrame
) -> AnnotatedRows:
    """The table's rows as written, in the file's order: ``source_row``, one column per survey
    column (its header as written; personal numbers removed), ``outcome`` (the worst of the
    row's problems, else loaded) and ``reasons`` (each problem, Thai / English)."""
    raw = staged.removesuffix("_staged")
    columns = sorted(
        (index, field) for field, index in table.layout.mapped.items() if field != "record_uuid"
    )
    headers = {c.index: c.header for c in table.layout.columns}
    written = [field for _, field in columns]
    joins = "\n        ".join(privacy.masked_join(raw, "r", f) for f in written)
    values = ", ".join(
        f"{privacy.masked_value('r', f)} AS c{position}" for position, f in enumerate(written)
    )
    rank = sorted_list(OUTCOMES)
    cursor.register(f"{raw}_problems", problems)
    try:
        frame = cursor.execute(
            f"""
            WITH reasons AS (
                SELECT source_row::BIGINT AS source_row,
                    list_extract(list(outcome::VARCHAR ORDER BY list_position({rank}, outcome)), 1)
                        AS outcome,
                    string_agg(message_th || ' / ' || message_en, chr(10)
                        ORDER BY list_position({rank}, outcome), code) AS reasons
                FROM {raw}_problems
                GROUP BY 1
            )
            SELECT s.source_row, {values + "," if values else ""}
                coalesce(p.outcome, 'loaded') AS outcome, p.reasons
            FROM {staged} s
            JOIN {raw} r ON r.source_row = s.source_row
            {joins}
            LEFT JOIN reasons p ON p.source_row = s.source_row
            ORDER BY s.source_row
            """
        ).df()
    finally:
        cursor.unregister(f"{raw}_problems")
    return AnnotatedRows(tuple(headers[index] for index, _ in columns), frame)
