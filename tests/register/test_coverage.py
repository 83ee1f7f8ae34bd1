"""The coverage status rule on counts, and a round's coverage from its links."""

from __future__ import annotations

import numpy
import pandas as pd

from citywide.register.coverage import round_coverage, status


def test_the_status_rule() -> None:
    surveyed = numpy.array([0, 3, 8, 7, 2, 0])
    expected = numpy.array([10, 0, 10, 10, 10, 0])
    share = numpy.array([0.0, numpy.nan, 0.8, 0.7, 0.2, numpy.nan])
    assert status(surveyed, expected, share, 0.8).tolist() == [
        "not_returned", "complete", "complete", "partial", "partial", "not_returned",
    ]  # fmt: skip


def test_a_complete_return_marks_what_it_lacks_not_found_and_a_partial_one_does_not() -> None:
    register = pd.DataFrame(
        {
            "community_id": ["a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "gone"],
            "khet_code": ["1001"] * 5 + ["1002"] * 3 + ["1001"],
            "status": ["active"] * 8 + ["not_found"],
        }
    )
    links = pd.DataFrame(
        {
            "community_key": ["k1", "k2", "k3", "k4", "k5", "k6"],
            "community_id": ["a1", "a2", "a3", "a4", "b1", "n1"],
            "khet_code": ["1001"] * 4 + ["1002", "1004"],
        }
    )
    covered = round_coverage(
        ["1001", "1002", "1003", "1004"], register, links, pd.Series(["n1"]), 0.8
    )
    table = covered.coverage.set_index("khet_code")
    assert table["status"].tolist() == ["complete", "partial", "not_returned", "complete"]
    assert table["communities_expected"].tolist() == [5, 3, 0, 0]
    assert table["expected_surveyed"].tolist() == [4, 1, 0, 0]
    assert table["communities_surveyed"].tolist() == [4, 1, 0, 1]
    assert table["communities_new"].tolist() == [0, 0, 0, 1]
    assert table["communities_not_found"].tolist() == [1, 0, 0, 0]
    assert table.loc["1001", "share_surveyed"] == 0.8
    assert table["share_surveyed"].isna().tolist() == [False, False, True, True]
    assert covered.not_found["community_id"].tolist() == ["a5"]
