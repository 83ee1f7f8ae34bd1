"""What every kind of record shares: its shape and spec (one per :data:`RecordKind`), and the
row SQL.

A community return and a household enumeration go through the same staging, the same
``source_file`` lineage and the same rule for keeping one record per key and round (the latest
survey date wins, ties go to the later file, then the later row; the others move to history).
:class:`RecordKindSpec` names what differs; :data:`citywide.ingest.kinds.RECORD_KINDS` holds one
per kind, so the loader looks a kind up once instead of branching on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from citywide.ingest.layout import RecordKind
from citywide.schema import LINK_COLUMNS, TableSpec

if TYPE_CHECKING:
    from citywide.ingest.rules import WarningRule


@dataclass(frozen=True)
class RecordShape:
    """What a row of a table is a record of: when it has no identity, and what it keeps.

    ``columns`` is the select list of the staged table's record columns, over the staging
    query's last step (e.g. ``khet_code``, ``code_value``, ``{field}_value``, ``{field}_code``).
    """

    kind: RecordKind
    missing_reason: str  # rejection code of a row without an identity
    missing_field: str
    missing_when: str  # SQL: the row has no identity
    summary_identity: str  # SQL: the text that says a row is a summary row ("รวม")
    columns: str
    warnings: tuple[WarningRule, ...] = ()


def loaded_rows(staged: str, columns: Sequence[str], computed: Mapping[str, str]) -> str:
    """SELECT of a staged table's loaded rows shaped like a record table (``columns`` in order).

    Columns not in ``computed`` are taken as they are; lineage comes from the query parameters
    ``$round``, ``$file_id`` and ``$sha256``.
    """
    lineage = {
        "survey_round": "$round::VARCHAR",
        "source_file_id": "$file_id::BIGINT",
        "source_sha256": "$sha256::VARCHAR",
    }
    # linked after ingestion, every record at once (citywide.register)
    unlinked = {column.name: f"NULL::{column.sql_type}" for column in LINK_COLUMNS}
    expressions = {name: name for name in columns} | lineage | unlinked | dict(computed)
    select = ", ".join(f"{expressions[name]} AS {name}" for name in columns)
    return f"SELECT {select} FROM {staged} WHERE rejection IS NULL"


def round_is_empty(cursor: duckdb.DuckDBPyConnection, table: str, survey_round: str) -> bool:
    """True when the record table (community or household) holds nothing of the round yet."""
    row = cursor.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE survey_round = ? LIMIT 1)",
        [survey_round],
    ).fetchone()
    return not (row and row[0])


Cursor = duckdb.DuckDBPyConnection
# merge(cursor, spec, relations, file_id, sha256, survey_round) -> True when the rows went
# straight in (the spec is the kind's own, handed back so a merge never looks it up)
Merge = Callable[[Cursor, "RecordKindSpec", Mapping[str, str], int, str, str], bool]


@dataclass(frozen=True)
class RecordKindSpec:
    """How one kind of record is staged, prepared and merged."""

    kind: RecordKind
    shape: RecordShape
    table: TableSpec  # the current records of a round
    history: TableSpec  # the records a later one superseded
    key: str  # unique within a round
    merge: Merge
    # extra relations a prepared table hands to the merge, by name: SQL over the staged table
    relations: Callable[[str], dict[str, str]] = lambda staged: {}
    # run on the staged table before it is reported (households: refer to the round's communities)
    refer: Callable[[Cursor, str, str], None] | None = None
    # True when preparing depends on the round's communities (re-prepare when they changed)
    reads_communities: bool = False


def insert_into(table: TableSpec, columns: Sequence[str] | None = None) -> str:
    """``INSERT INTO table (columns)``: every insert names its columns, never their order."""
    return f"INSERT INTO {table.name} ({', '.join(columns or table.column_names)})"


def keep_latest(cursor: Cursor, ranked: str, spec: RecordKindSpec) -> None:
    """From ``ranked`` (records with ``rank`` 1 for the winner of each key): the winners into the
    record table, the others into history, naming the record that won."""
    columns = spec.table.column_names
    cursor.execute(
        f"{insert_into(spec.table)} SELECT {', '.join(columns)} FROM {ranked} WHERE rank = 1"
    )
    history = [*columns, "superseded_by_file", "superseded_by_row", "superseded_at"]
    cursor.execute(
        f"""
        {insert_into(spec.history, history)}
        SELECT {", ".join(f"r.{c}" for c in columns)}, w.source_file_id, w.source_row, now()
        FROM {ranked} r JOIN {ranked} w ON w.{spec.key} = r.{spec.key} AND w.rank = 1
        WHERE r.rank > 1
        """
    )


def goes_straight_in(
    cursor: Cursor, staged: str, spec: RecordKindSpec, survey_round: str, *, coded: bool
) -> bool:
    """True when a table's loaded rows can go straight in: the round holds no record of the kind
    yet and no two rows share a key (``coded``: and every row has a community code, since a row
    without one may be the same community as a coded row, found by name)."""
    if not round_is_empty(cursor, spec.table.name, survey_round):
        return False
    row = cursor.execute(
        f"SELECT count(*), count(DISTINCT {spec.key}), count(community_code) "
        f"FROM {staged} WHERE rejection IS NULL"
    ).fetchone()
    rows, keys, with_code = row if row else (0, 0, 0)
    return bool(rows == keys and (with_code == rows or not coded))
