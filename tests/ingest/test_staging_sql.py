"""The staging query rendered for fixed columns is pinned against checked-in golden files.

Regenerate the golden files after an intended change with::

    CITYWIDE_UPDATE_GOLDEN=1 pytest tests/ingest/test_staging_sql.py

and review the diff of ``tests/ingest/golden/*.sql`` before committing it.
"""

import os
from pathlib import Path

import pytest

from citywide.ingest import households
from citywide.ingest.columns import vocabulary
from citywide.ingest.records import RecordShape
from citywide.ingest.rules import COMMUNITY_SHAPE
from citywide.ingest.staging import _staged_sql

GOLDEN = Path(__file__).parent / "golden"
UPDATE = "CITYWIDE_UPDATE_GOLDEN"

COMMUNITY_FIELDS = frozenset(
    {
        "khet",
        "khwaeng",
        "community_name",
        "community_code",
        "households",
        "population",
        "male",
        "female",
        "survey_date",
        "lat",
        "lon",
        "tenure",
    }
)
HOUSEHOLD_FIELDS = frozenset(
    {"khet", "khwaeng", "community_name", "community_code", "household_code", "members"}
    | {"monthly_income", "survey_date"}
)
CASES: dict[str, tuple[frozenset[str], RecordShape]] = {
    "community": (COMMUNITY_FIELDS, COMMUNITY_SHAPE),
    "household": (HOUSEHOLD_FIELDS, households.SHAPE),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_staged_sql_matches_golden(case: str) -> None:
    fields, shape = CASES[case]
    rendered = _staged_sql("raw_x", fields, False, vocabulary(), shape)
    golden = GOLDEN / f"staged_{case}.sql"
    if os.environ.get(UPDATE) == "1":
        golden.write_text(rendered, encoding="utf-8")
    assert golden.exists(), f"missing {golden}: run with {UPDATE}=1 to write it"
    expected = golden.read_text(encoding="utf-8")
    assert rendered == expected, (
        f"the staging query for {case} differs from {golden}; if the change is intended, "
        f"regenerate with {UPDATE}=1 pytest tests/ingest/test_staging_sql.py and review the diff"
    )


def test_golden_cases_differ() -> None:
    rendered = {
        case: _staged_sql("raw_x", fields, False, vocabulary(), shape)
        for case, (fields, shape) in CASES.items()
    }
    assert rendered["community"] != rendered["household"]
    assert "community_key" in rendered["community"]
