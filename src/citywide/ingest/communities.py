"""Community returns: one row per community, into ``community`` (and ``community_history``).

The staging (:func:`citywide.ingest.staging.stage` with :data:`SHAPE`) types values, rejects and
warns; this module adds what only communities have: footprints (a polygon per community, kept
apart in ``community_footprint``) and the merge that keeps one record per community per round.
A record written without a code is the same community as a coded record of the same khet and
normalised name. Every function takes a DuckDB cursor and a staged table.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from citywide.ingest.records import (
    RecordKindSpec,
    goes_straight_in,
    insert_into,
    keep_latest,
    loaded_rows,
)
from citywide.ingest.rules import COMMUNITY_SHAPE
from citywide.schema import COMMUNITY, COMMUNITY_FOOTPRINT

SHAPE = COMMUNITY_SHAPE
KEY = "community_key"
_COLUMNS = COMMUNITY.column_names


def footprint_relations(staged: str) -> dict[str, str]:
    """The footprints of a staged table's loaded rows, handed to the merge."""
    return {
        "footprints": f"SELECT source_row, footprint_wkb FROM {staged} "
        "WHERE rejection IS NULL AND footprint_wkb IS NOT NULL"
    }


def _incoming_select(staged: str) -> str:
    """The loaded rows of a staged table, shaped like ``community``."""
    point = "CASE WHEN lat IS NOT NULL THEN ST_Point(lon, lat)::GEOMETRY('EPSG:4326') END"
    return loaded_rows(staged, _COLUMNS, {"geom": point})


def merge(
    cursor: duckdb.DuckDBPyConnection,
    spec: RecordKindSpec,
    relations: Mapping[str, str],
    file_id: int,
    sha256: str,
    survey_round: str,
) -> bool:
    """Add a table's footprints and loaded rows to its round: one record per community, the rest
    to history.

    Returns True when the rows went straight in (nothing to merge with, every key unique and
    coded), False after a full merge.
    """
    cursor.execute(
        f"""
        {insert_into(COMMUNITY_FOOTPRINT)}
        SELECT ?, source_row, ST_GeomFromWKB(footprint_wkb)::GEOMETRY('EPSG:4326')
        FROM {relations["footprints"]}
        """,
        [file_id],
    )
    staged = relations["rows"]
    parameters = {"round": survey_round, "file_id": file_id, "sha256": sha256}
    if goes_straight_in(cursor, staged, spec, survey_round, coded=True):
        cursor.execute(f"{insert_into(COMMUNITY)} {_incoming_select(staged)}", parameters)
        return True
    columns = ", ".join(_COLUMNS)
    cursor.execute(
        f"CREATE TEMP TABLE incoming AS SELECT *, cw_name_key(community_name) AS name_key "
        f"FROM ({_incoming_select(staged)})",
        parameters,
    )
    # rows of this round that may be the same communities: same key, or same khet and name
    cursor.execute(
        f"""
        CREATE TEMP TABLE candidates AS
        SELECT {columns}, name_key, true AS is_new FROM incoming
        UNION ALL
        SELECT * FROM (
            SELECT {columns}, cw_name_key(community_name) AS name_key, false AS is_new
            FROM community c
            WHERE c.survey_round = ? AND c.khet_code IN (SELECT khet_code FROM incoming)
        ) c
        WHERE c.community_key IN (SELECT community_key FROM incoming)
            OR EXISTS (SELECT 1 FROM incoming i WHERE i.khet_code = c.khet_code AND i.name_key = c.name_key)
        """,
        [survey_round],
    )
    # a record without a code is the same community as a coded record of the same khet and name
    cursor.execute(
        """
        CREATE TEMP TABLE ranked AS
        WITH coded AS (
            SELECT khet_code, name_key, min(community_key) AS coded_key FROM candidates
            WHERE community_code IS NOT NULL AND name_key IS NOT NULL GROUP BY ALL
        ),
        identified AS (
            SELECT c.* REPLACE (CASE WHEN c.community_code IS NULL AND k.coded_key IS NOT NULL
                                     THEN k.coded_key ELSE c.community_key END AS community_key),
                c.community_key AS own_key
            FROM candidates c LEFT JOIN coded k USING (khet_code, name_key)
        )
        SELECT *, row_number() OVER (
            PARTITION BY community_key
            ORDER BY survey_date DESC NULLS LAST, source_file_id DESC, source_row DESC) AS rank
        FROM identified
        """
    )
    cursor.execute(
        """
        DELETE FROM community c WHERE c.survey_round = ? AND EXISTS (
            SELECT 1 FROM ranked r WHERE NOT r.is_new AND r.own_key = c.community_key)
        """,
        [survey_round],
    )
    keep_latest(cursor, "ranked", spec)
    for name in ("incoming", "candidates", "ranked"):
        cursor.execute(f"DROP TABLE {name}")
    return False
