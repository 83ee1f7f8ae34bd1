"""Round labels read as names, Thai first."""

from __future__ import annotations

from citywide.rounds import display_name


def test_the_registry_and_a_district_round_have_bilingual_names() -> None:
    assert display_name("bma_registry") == ("ทะเบียนชุมชน กทม.", "BMA community registry")
    assert display_name("2568") == ("รอบสำรวจ 2568", "survey round 2568")
