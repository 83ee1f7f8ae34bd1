"""The picture's coverage and change maps, and reading each round's progress from the database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from citywide import db
from citywide.indicators import INDICATOR_BY_NAME, SuppressionRule
from citywide.mapping.build import MapOptions, map_files
from citywide.mapping.change import CHANGES, change_layer, diverging_classes
from citywide.mapping.coverage import COVERAGE_COLOURS, coverage_layer
from citywide.mapping.layers import NOT_SURVEYED_COLOUR, choropleth_layer
from citywide.mapping.picture import read_picture, read_progress
from citywide.rounds import round_progress
from tests.coverage_tables import coverage_frames
from tests.mapping.conftest import METHODS, picture_current, picture_progress, picture_rounds
from tests.test_exports import _fill as fill_picture

RULE = SuppressionRule()  # the settings' default: 3 communities, 10 households

RDBU_5_REVERSED = ("#0571b0", "#92c5de", "#f7f7f7", "#f4a582", "#ca0020")


def test_a_round_alone_draws_the_khets_it_did_not_survey_as_not_surveyed() -> None:
    rounds = picture_rounds()
    district = rounds[rounds["survey_round"] == "2568"].reset_index(drop=True)
    layer = choropleth_layer(district, INDICATOR_BY_NAME["need_index"], "fisher_jenks", 5, RULE)
    assert layer.fills[1] == layer.fills[3] == NOT_SURVEYED_COLOUR
    assert NOT_SURVEYED_COLOUR not in (layer.fills[0], layer.fills[2])
    assert "อันดับ 1 จาก 2 เขตที่สำรวจ · rank 1 of 2 surveyed" in layer.tooltips[0]
    assert "ยังไม่ได้สำรวจ · not surveyed" in layer.tooltips[1]
    assert "ค่าจากรอบสำรวจ 2568 (2 เขต) · values from survey round 2568 (2 khets)" in (
        layer.legend_html
    )


def test_the_coverage_map_draws_the_three_statuses_in_their_own_styles() -> None:
    _, district = picture_progress()
    layer = coverage_layer(picture_current(), district)
    assert layer.fills == (
        COVERAGE_COLOURS["complete"],
        NOT_SURVEYED_COLOUR,
        COVERAGE_COLOURS["partial"],
        NOT_SURVEYED_COLOUR,
    )
    assert len(set(COVERAGE_COLOURS.values())) == 3
    assert "ส่งข้อมูลบางส่วน</b> · partial" in layer.tooltips[2]
    assert "6 of 10 communities surveyed (60%)" in layer.tooltips[2]
    assert "สำรวจแล้ว 6 จาก 10 ชุมชน (60%)" in layer.tooltips[2]
    assert "last return: 2026-12-01" in layer.tooltips[2]
    assert "1 registered communities not found" in layer.tooltips[0]
    assert "not returned" in layer.tooltips[1]
    assert "last return" not in layer.tooltips[1]
    for status, count in (("complete", 1), ("partial", 1), ("not returned", 2)):
        assert f"{status} <small>({count} เขต · khets)</small>" in layer.legend_html
    assert "2 of 4 khets returned survey round 2568" in layer.legend_html


def test_a_khet_missing_from_the_coverage_is_no_data_and_names_are_escaped() -> None:
    _, district = picture_progress()
    khets = picture_current()
    khets.loc[0, "name_th"] = "<script>x</script>"
    khets.loc[3, "khet_code"] = "1099"
    layer = coverage_layer(khets, district)
    assert layer.fills[3] is None
    assert "ไม่มีข้อมูล · no data" in layer.tooltips[3]
    assert "<script>" not in layer.tooltips[0]


def test_the_change_palette_is_centred_on_zero() -> None:
    values = pd.Series([-30.0, 60.0, None, 0.0, 12.0])
    found, position = diverging_classes(values, 5)
    assert found.colours == RDBU_5_REVERSED
    assert found.lows[0] == -found.highs[-1] == -60.0
    assert found.lows[2] < 0 < found.highs[2]  # the neutral middle class holds 0
    assert position.tolist() == [1, 4, -1, 2, 2]
    assert found.counts == (0, 1, 2, 0, 1)  # empty classes kept: the scale stays symmetric
    assert diverging_classes(pd.Series([0.0, 0.0]), 5)[0].colours == ("#f7f7f7",)
    assert len(diverging_classes(pd.Series([None], dtype="float64"), 5)[0]) == 0


def test_the_change_map_names_the_round_compared_with_and_khets_without_one_are_no_data() -> None:
    indicator, of = CHANGES[0]
    layer = change_layer(picture_current(), indicator, of, RULE)
    assert layer.fills[1] is None
    assert layer.fills[3] is None
    assert layer.fills[0] == RDBU_5_REVERSED[-1]  # +60, the largest rise
    assert layer.fills[2] in RDBU_5_REVERSED[:2]  # -30, a fall
    assert "<b>+60</b>" in layer.tooltips[0]
    assert "เทียบกับทะเบียนชุมชน กทม. · compared with BMA community registry" in layer.tooltips[0]
    assert "no earlier round to compare" in layer.tooltips[1]
    assert "no earlier round to compare <small>(2 เขต · khets)</small>" in layer.legend_html
    assert "equal intervals centred on 0" in layer.legend_html


def test_a_hidden_value_hides_its_change() -> None:
    khets = picture_current()
    khets.at[0, "suppressed_indicators"] = ["slum_households"]
    khets.loc[0, "suppressed_reason_en"] = "privacy"
    khets.loc[0, "suppressed_reason_th"] = "ปกปิด"
    indicator, of = CHANGES[0]
    layer = change_layer(khets, indicator, of, RULE)
    assert "fewer than 3 communities</i>" in layer.tooltips[0]
    assert "+" not in layer.tooltips[0].split("<br>")[1]  # no change shown


def test_the_maps_read_the_picture_and_each_rounds_progress(tmp_path: Path) -> None:
    with db.connect(tmp_path / "picture.duckdb") as connection:
        fill_picture(connection)  # the exports' synthetic database: two rounds, three khets
        picture = read_picture(connection)
        progress = read_progress(connection)
    assert list(picture.current["khet_code"]) == ["1001", "1002", "1003"]
    assert list(picture.current["survey_round"]) == ["bma_registry", "2568", "bma_registry"]
    assert len(picture.rounds) == 6
    assert picture.progress == progress
    registry, district = progress
    assert registry.is_registry
    assert district.sentence_en == "1 of 3 khets returned survey round 2568"
    assert district.missing_th == "ยังไม่ส่ง: เขตพระนคร, เขตหนองจอก"
    assert district.last_return_text == "2026-01-10"  # 09:00 UTC, 16:00 in Bangkok
    files = map_files(picture, MapOptions(), datetime(2026, 1, 10, tzinfo=UTC), METHODS)
    assert "rounds/2568/coverage.html" in files
    assert "1 of 3 khets returned survey round 2568" in str(files["index.html"])


def test_without_the_register_tables_there_is_no_progress_to_tell() -> None:
    with duckdb.connect() as connection:
        assert read_progress(connection) == ()


def test_return_times_written_as_bangkok_text_read_as_bangkok_dates() -> None:
    rounds, coverage = coverage_frames({"2568": {"1001": "partial"}})
    coverage["last_return_at"] = "2026-11-30 23:30:00+07:00"
    (progress,) = round_progress(rounds, coverage, picture_current())
    assert progress.khets[0].last_return_text == "2026-11-30"
    assert progress.khets[0].name_en == "Test 1"


def test_the_profiles_read_counts_of_communities_by_type_and_the_khwaeng_names(
    tmp_path: Path,
) -> None:
    with db.connect(tmp_path / "picture.duckdb") as connection:
        fill_picture(connection)
        connection.execute(
            "CREATE TABLE community AS SELECT * FROM (VALUES "
            "('bma_registry', '1001', 'slum', 'ชุมชนลับ'), ('bma_registry', '1001', 'slum', 'ก'),"
            "('bma_registry', '1001', NULL, 'ข'), ('2568', '1002', 'urban', 'ค')"
            ") AS t(survey_round, khet_code, community_type, community_name)"
        )
        picture = read_picture(connection)  # the khwaeng table: two per khet (west, east)
    assert picture.community_types.to_dict("records") == [
        {"survey_round": "2568", "khet_code": "1002", "community_type": "urban", "communities": 1},
        {"survey_round": "bma_registry", "khet_code": "1001", "community_type": "slum",
         "communities": 2},
        {"survey_round": "bma_registry", "khet_code": "1001", "community_type": "unknown",
         "communities": 1},
    ]  # fmt: skip
    names = picture.khwaeng_names
    assert list(names.loc[names["khet_code"] == "1001", "khwaeng_code"]) == ["100101", "100102"]
    files = map_files(picture, MapOptions(), datetime(2026, 1, 10, tzinfo=UTC), METHODS)
    profile = str(files["khet/1001.html"])
    assert "แขวง10010" in profile
    assert "Khwaeng</span> (2)" in profile
    assert "ไม่ระบุประเภท" in profile  # the community without a type
    assert "ชุมชนลับ" not in profile  # counts only: no community name reaches a page


def test_without_a_community_table_the_profiles_have_no_type_counts(tmp_path: Path) -> None:
    with db.connect(tmp_path / "picture.duckdb") as connection:
        fill_picture(connection)
        picture = read_picture(connection)
    assert picture.community_types.empty
    profile = str(
        map_files(picture, MapOptions(), datetime(2026, 1, 10, tzinfo=UTC), METHODS)[
            "khet/1002.html"
        ]
    )
    types = profile[profile.index("Communities by type") : profile.index("Khwaeng</span>")]
    assert "ไม่มีข้อมูล · no data" in types
    assert "Khwaeng</span> (2)" in profile
