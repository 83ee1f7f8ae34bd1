"""Household enumerations: one row per household, into ``household`` (and ``household_history``).

A table with a household code column is a household return (:attr:`Layout.record_kind`); its
names, addresses and locations are dropped at the header like every personal column. Its rows go
through the same staging as communities (:func:`citywide.ingest.staging.stage` with :data:`SHAPE`):
typed values, rejections and warnings in one DuckDB query. This module adds what only households
have: implausible values, the reference to a community of the round, and the merge that keeps
one record per household per round. Every function takes a DuckDB cursor and a staged table.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from citywide.ingest.records import (
    RecordKindSpec,
    RecordShape,
    goes_straight_in,
    insert_into,
    keep_latest,
    loaded_rows,
)
from citywide.ingest.rules import COMMUNITY_KEY_SQL, WarningRule
from citywide.schema import HOUSEHOLD

# Above these a value is more likely a typing slip than a household: loaded, with a warning.
MAX_MEMBERS = 30
MAX_MONTHLY_INCOME = 1_000_000  # baht
MAX_YEARS_IN_COMMUNITY = 120
MAX_ROOMS = 30
MAX_FLOOR_AREA = 1_000  # m2

_COLUMNS = HOUSEHOLD.column_names
KEY = "household_key"  # unique within a round


def _implausible(field: str, limit: int) -> WarningRule:
    shown = f"'{limit:,}'"
    return WarningRule(
        "implausible_value",
        f"{field}_value > {limit}",
        field,
        f"trim({field})",
        shown,
        shown,
        needs_all=frozenset({field}),
    )


SHAPE = RecordShape(
    kind="household",
    missing_reason="missing_household",
    missing_field="household_code",
    missing_when="household_code_value IS NULL",
    summary_identity="coalesce(household_code_value, name_text, code_value, trim(khet))",
    columns=f"""
    khet_code || ':' || household_code_value AS household_key,
    khet_code, khwaeng_code, {COMMUNITY_KEY_SQL} AS community_key,
    code_value AS community_code, name_text AS community_name,
    household_code_value AS household_code, members_value AS members,
    monthly_income_value AS monthly_income, tenure_code AS tenure,
    housing_condition_code AS housing_condition,
    wants_baan_mankong_code = 'yes' AS wants_baan_mankong,
    years_in_community_value AS years_in_community,
    water_source_code AS water_source, toilet_type_code AS toilet_type,
    toilet_shared_code AS toilet_shared, rooms_value AS rooms, floor_area_value AS floor_area,
    wall_material_code AS wall_material, roof_material_code AS roof_material,
    floor_material_code AS floor_material, tenure_document_code AS tenure_document,
    survey_date_value AS survey_date, uuid_text AS record_uuid""",
    warnings=(
        _implausible("members", MAX_MEMBERS),
        _implausible("monthly_income", MAX_MONTHLY_INCOME),
        _implausible("years_in_community", MAX_YEARS_IN_COMMUNITY),
        _implausible("rooms", MAX_ROOMS),
        _implausible("floor_area", MAX_FLOOR_AREA),
    ),
)


def refer_to_communities(cursor: duckdb.DuckDBPyConnection, staged: str, survey_round: str) -> None:
    """Tie each household to a community of the round; warn where a khet's list lacks it.

    A household written with the community's name only takes the key of the round's community
    of that khet and name (which may have a code). A reference that matches no community is a
    warning (``unknown_community``), and only in a khet whose communities the round already
    holds: household lists may arrive before the community list.
    """
    raw = staged.removesuffix("_staged")
    communities = f"{staged}_communities"
    cursor.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {communities} AS
        SELECT khet_code, community_key, cw_name_key(community_name) AS name_key
        FROM community
        WHERE survey_round = ? AND khet_code IN (SELECT DISTINCT khet_code FROM {staged})
        """,
        [survey_round],
    )
    found = cursor.execute(f"SELECT count(*) FROM {communities}").fetchone()
    if not found or not found[0]:
        return
    cursor.execute(
        f"""
        UPDATE {staged} s SET community_key = m.community_key
        FROM (
            SELECT khet_code, name_key, min(community_key) AS community_key
            FROM {communities} WHERE name_key IS NOT NULL GROUP BY ALL
        ) m
        WHERE s.community_code IS NULL AND m.khet_code = s.khet_code
            AND m.name_key = cw_name_key(s.community_name)
        """
    )
    cursor.execute(
        f"""
        UPDATE {staged} s SET warnings = list_append(coalesce(s.warnings, []), {{
            'code': 'unknown_community',
            'field': CASE WHEN s.community_code IS NOT NULL THEN 'community_code'
                          ELSE 'community_name' END,
            'value': coalesce(s.community_code, s.community_name),
            'detail_th': n.label_th::VARCHAR, 'detail_en': n.label_en::VARCHAR}})
        FROM {raw}_khet_name n
        WHERE n.khet_code = s.khet_code AND s.rejection IS NULL AND s.community_key IS NOT NULL
            AND s.khet_code IN (SELECT khet_code FROM {communities})
            AND s.community_key NOT IN (SELECT community_key FROM {communities})
        """
    )


def _incoming_select(staged: str) -> str:
    """The loaded rows of a staged table, shaped like ``household``."""
    return loaded_rows(staged, _COLUMNS, {})


def merge(
    cursor: duckdb.DuckDBPyConnection,
    spec: RecordKindSpec,
    relations: Mapping[str, str],
    file_id: int,
    sha256: str,
    survey_round: str,
) -> bool:
    """Add a table's loaded households to its round: one record each, the others to history.

    The latest survey date wins, ties go to the later file, then the later row, as for
    communities. A fresh round whose household keys are unique goes straight in: returns True
    then (the keys are known unique), False after a full merge.
    """
    staged = relations["rows"]
    parameters = {"round": survey_round, "file_id": file_id, "sha256": sha256}
    incoming = _incoming_select(staged)
    if goes_straight_in(cursor, staged, spec, survey_round, coded=False):
        cursor.execute(f"{insert_into(HOUSEHOLD)} {incoming}", parameters)
        return True
    columns = ", ".join(_COLUMNS)
    cursor.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE household_ranked AS
        WITH incoming AS ({incoming}),
        candidates AS (
            SELECT *, true AS is_new FROM incoming
            UNION ALL
            SELECT {columns}, false AS is_new FROM household
            WHERE survey_round = $round AND household_key IN (SELECT household_key FROM incoming)
        )
        SELECT *, row_number() OVER (
            PARTITION BY household_key
            ORDER BY survey_date DESC NULLS LAST, source_file_id DESC, source_row DESC) AS rank
        FROM candidates
        """,
        parameters,
    )
    cursor.execute(
        "DELETE FROM household WHERE survey_round = ? AND household_key IN "
        "(SELECT household_key FROM household_ranked WHERE NOT is_new)",
        [survey_round],
    )
    keep_latest(cursor, "household_ranked", spec)
    cursor.execute("DROP TABLE household_ranked")
    return False
