"""How far a round has come in each khet, and which expected communities it did not find.

The status rule (docs/linking.md), per round and khet:

- ``not_returned``: the round has no record of the khet;
- ``complete``: its records cover at least ``complete_share`` of the communities the register
  expected there (its active communities before the round), or the register expected none;
- ``partial``: otherwise.

A complete return that lacks an expected community marks it ``not_found`` for the round (it may
have been evicted or relocated); a partial return says nothing about the communities it lacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy
import pandas as pd

NOT_RETURNED, PARTIAL, COMPLETE = "not_returned", "partial", "complete"


@dataclass(frozen=True)
class RoundCoverage:
    coverage: pd.DataFrame  # one row per khet: the counts and status of khet_coverage
    not_found: pd.DataFrame  # community_id, khet_code: expected, missing from a complete return


def status(
    surveyed: numpy.ndarray, expected: numpy.ndarray, share: numpy.ndarray, complete_share: float
) -> numpy.ndarray:
    """The coverage status of each khet from its counts (the rule above)."""
    reached = numpy.nan_to_num(share, nan=0.0) >= complete_share
    result: numpy.ndarray = numpy.select(
        [surveyed == 0, (expected == 0) | reached], [NOT_RETURNED, COMPLETE], PARTIAL
    )
    return result


def round_coverage(
    khets: Sequence[str],
    register_before: pd.DataFrame,
    links: pd.DataFrame,
    new_ids: pd.Series,
    complete_share: float,
) -> RoundCoverage:
    """Coverage of one round: ``links`` are its mentions' links (community_key, community_id,
    khet_code), ``register_before`` the register as it stood before it, ``new_ids`` the
    communities it added."""
    expected = register_before.loc[
        register_before["status"] == "active", ["community_id", "khet_code"]
    ]
    seen = links[["community_id", "khet_code"]].drop_duplicates()
    found = expected["community_id"].isin(seen["community_id"])
    index = pd.Index(list(khets), name="khet_code")

    def per_khet(frame: pd.DataFrame) -> numpy.ndarray:
        counts = frame.groupby("khet_code").size().reindex(index, fill_value=0)
        return counts.to_numpy(dtype="int64")

    surveyed = per_khet(seen)
    expected_n = per_khet(expected)
    expected_surveyed = per_khet(expected[found])
    with numpy.errstate(divide="ignore", invalid="ignore"):
        share = numpy.where(expected_n > 0, expected_surveyed / expected_n, numpy.nan)
    statuses = status(surveyed, expected_n, share, complete_share)
    complete = pd.Series(statuses == COMPLETE, index=index)
    missing = expected[~found & expected["khet_code"].map(complete).fillna(False).astype(bool)]
    coverage = pd.DataFrame(
        {
            "khet_code": index.to_numpy(),
            "status": statuses,
            "communities_surveyed": surveyed,
            "communities_expected": expected_n,
            "expected_surveyed": expected_surveyed,
            "share_surveyed": share,
            "communities_new": per_khet(seen[seen["community_id"].isin(new_ids)]),
            "communities_not_found": per_khet(missing),
        }
    )
    return RoundCoverage(coverage, missing.reset_index(drop=True))
