"""survey_round and khet_coverage rows of a synthetic multi-round picture, as frames.

:func:`coverage_frames` gives the rows (the columns of citywide.schema_register) that
citywide.rounds.round_progress reads, as the register step writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pandas as pd

from citywide.rounds import display_name

FIRST_RETURN = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
EXPECTED = 10  # communities expected in every khet


def coverage_frames(
    rounds: Mapping[str, Mapping[str, str]], registry: str | None = "bma_registry"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of survey_round and khet_coverage: ``rounds`` maps label -> {khet_code: status}.

    Rounds are in the mapping's order; a partial khet surveyed 6 of 10 communities, a complete
    one 10 of 10 (1 not found); the n-th returned khet of a round returned n days after the
    round's first day (round i starts i * 30 days after FIRST_RETURN).
    """
    round_rows, coverage_rows = [], []
    for order, (label, statuses) in enumerate(rounds.items(), start=1):
        start = FIRST_RETURN + timedelta(days=30 * order)
        returned = 0
        for khet_code, status in statuses.items():
            surveyed = {"complete": EXPECTED, "partial": 6, "not_returned": 0}[status]
            at = start + timedelta(days=returned) if status != "not_returned" else None
            returned += status != "not_returned"
            coverage_rows.append(
                {
                    "survey_round": label, "khet_code": khet_code, "status": status,
                    "files": int(status != "not_returned"), "communities_surveyed": surveyed,
                    "communities_expected": EXPECTED, "expected_surveyed": surveyed,
                    "share_surveyed": surveyed / EXPECTED,
                    "communities_new": 0, "communities_not_found": int(status == "complete"),
                    "first_return_at": at, "last_return_at": at,
                    "last_survey_date": None if at is None else at.date(),
                }
            )  # fmt: skip
        khets = [s for s in statuses.values() if s != "not_returned"]
        round_rows.append(
            {
                "survey_round": label, "round_order": order,
                "name_th": display_name(label)[0], "name_en": display_name(label)[1],
                "is_registry": label == registry,
                "files": len(khets), "khets_returned": len(khets),
                "khets_complete": khets.count("complete"),
                "first_return_at": start,
                "last_return_at": start + timedelta(days=max(len(khets) - 1, 0)),
                "first_survey_date": start.date(), "last_survey_date": start.date(),
            }
        )  # fmt: skip
    coverage = pd.DataFrame(coverage_rows)
    for column in ("first_return_at", "last_return_at"):
        coverage[column] = pd.to_datetime(coverage[column], utc=True)
    return pd.DataFrame(round_rows), coverage
