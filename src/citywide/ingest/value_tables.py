"""The value tables a staging query joins: texts cleaned once, khet and khwaeng names, vocabularies
and dates parsed in Python where SQL cannot. (The grid cells of the rows' points are a CTE of the
staging query itself, ``khet_cells``: only the cells the table's points fall in are grouped.)

Each table is registered on the staging connection for one raw table, named after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from citywide.gazetteer import Gazetteer
from citywide.ingest import values
from citywide.ingest.messages import FIELD_LABELS, MESSAGES
from citywide.ingest.rules import CLEANED_FIELDS, DATE_FIELDS, ENUM_FIELDS, sql_text
from citywide.text import NEEDS_CLEANUP, clean_text

if TYPE_CHECKING:
    from citywide.ingest.staging import StageContext


def register_value_tables(
    connection: duckdb.DuckDBPyConnection, raw: str, context: StageContext, present: frozenset[str]
) -> None:
    def distinct(column: str) -> list[str]:
        if column not in present:
            return []
        rows = connection.execute(
            f"SELECT DISTINCT {column} FROM {raw} WHERE {column} IS NOT NULL"
        ).fetchall()
        return [row[0] for row in rows]

    tables: dict[str, pd.DataFrame] = {
        "khet_map": values.khet_table(distinct("khet"), context.gazetteer),
        "date_map": values.date_table(
            [text for column in DATE_FIELDS for text in distinct(column)], context.today
        ),
        "field_label": pd.DataFrame(
            [(f, th, en) for f, (th, en) in FIELD_LABELS.items()], columns=["field", "th", "en"]
        ),
        "message_template": pd.DataFrame(
            [(code, th, en) for code, (th, en) in MESSAGES.items()], columns=["code", "th", "en"]
        ),
        "khet_name": _khet_names(context.gazetteer),
        "text_map": _text_map(connection, raw, present),
    }
    for field in ENUM_FIELDS:
        if field in present:
            tables[f"enum_{field}"] = values.enum_table(field, distinct(field), context.vocabulary)
    for name, frame in tables.items():
        connection.register(f"{raw}_{name}", frame)
    if "khwaeng" in present:  # needs the khet map registered above
        khwaeng = _khwaeng_map(connection, raw, context.gazetteer, present)
        connection.register(f"{raw}_khwaeng_map", khwaeng)


def _text_map(
    connection: duckdb.DuckDBPyConnection, raw: str, present: frozenset[str]
) -> pd.DataFrame:
    """text -> cleaned text, for the distinct texts of the cleaned fields that need cleaning.

    The texts are the cells as written and, for cells that held a personal number, the same
    cells without it (``{raw}_personal``, registered first): the staging query reads the latter.
    DuckDB picks them out with the same pattern as :func:`citywide.text.needs_cleanup`; the
    others are kept as written. An empty result is NULL.
    """
    columns = [f for f in CLEANED_FIELDS if f in present]
    texts: list[str] = []
    if columns:
        pattern = sql_text(NEEDS_CLEANUP)
        union = " UNION ".join(
            f"SELECT {f} AS t FROM {raw} WHERE regexp_matches({f}, {pattern}) UNION "
            f"SELECT masked FROM {raw}_personal WHERE field = '{f}' "
            f"AND regexp_matches(masked, {pattern})"
            for f in columns
        )
        texts = [row[0] for row in connection.execute(union).fetchall()]
    cleaned = [clean_text(t) or None for t in texts]
    return pd.DataFrame(
        {"text": pd.Series(texts, dtype="object"), "cleaned": pd.Series(cleaned, dtype="object")}
    )


def _khet_names(gazetteer: Gazetteer) -> pd.DataFrame:
    khets = gazetteer.khets
    return pd.DataFrame(
        {
            "khet_code": khets["khet_code"],
            "label_th": khets["khet_code"] + " " + khets["name_th"],
            "label_en": khets["khet_code"] + " " + khets["name_en"],
        }
    )


def _khwaeng_map(
    connection: duckdb.DuckDBPyConnection,
    raw: str,
    gazetteer: Gazetteer,
    present: frozenset[str],
) -> pd.DataFrame:
    """(khet code, khwaeng text) -> khwaeng code, for every pair a row can end up with.

    A row's khet is the one written or, failing that, the one its point lies in, which is only
    known later in the same query: a khwaeng written on a row without a known khet is resolved
    within every khet.
    """
    khet_join = f"LEFT JOIN {raw}_khet_map k ON k.text = r.khet" if "khet" in present else ""
    khet_code = "k.code" if "khet" in present else "NULL::VARCHAR"
    pairs = connection.execute(
        f"SELECT DISTINCT {khet_code}, r.khwaeng FROM {raw} r {khet_join} "
        "WHERE r.khwaeng IS NOT NULL"
    ).fetchall()
    every_khet = gazetteer.khets["khet_code"].tolist()
    resolved = [(code, text) for code, text in pairs if code is not None]
    resolved += [(code, text) for known, text in pairs if known is None for code in every_khet]
    return values.khwaeng_table(resolved, gazetteer)
