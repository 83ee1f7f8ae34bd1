"""Privacy in every published output: no value the published view hides appears anywhere.

One real-data build (the registry, round A of bench/district_returns.py and a household
enumeration of three communities with six households) in which every value the privacy rule
must hide is replaced, inside ``khet_need``, ``khet_need_current`` and their khwaeng twins, by a
sentinel number that
nothing else can produce. The rule is stated here again, independently of the view, from the one
catalogue (each indicator's ``basis`` and ``households_basis``). After the run, the sentinel must
not appear in any map page, export, the run report, a Prefect artifact or a log line; the published
views must hold none of it; and each map names the hidden values as what they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from bench.district_returns import ROUND_A, read_truth_rows, write_district_returns
from citywide import db, indicators
from citywide.indicators import INDICATORS, SuppressionRule
from citywide.locations import Locations
from citywide.settings import Settings
from flows.citywide import citywide
from tests.conftest import isolated_build
from tests.test_acceptance import registry as registry  # the registry as a frame (fixture)

pytestmark = pytest.mark.real_data

SENTINEL = 987654  # no count, share or index of Bangkok's communities comes near it
SENTINEL_TEXTS = ("987654", "987,654", "9.87654e", "987 654")
SEED = 29  # district returns no other test reads
HOUSEHOLDS_FILE = "households_thin.csv"


def hidden_cells(need: pd.DataFrame, rule: SuppressionRule, key: str = "khet_code") -> pd.DataFrame:
    """The rule, stated independently of the view: True where a value must not be published
    (rows keyed by ``key``: khet_code, or khwaeng_code)."""
    hidden = pd.DataFrame(False, index=need.index, columns=[i.name for i in INDICATORS])

    def thin(column: str, least: int) -> pd.Series:
        counts = pd.to_numeric(need[column], errors="coerce")
        return ((counts >= 1) & (counts < least)).fillna(False).astype(bool)

    for indicator in INDICATORS:
        if indicator.basis is not None:
            hidden[indicator.name] |= thin(indicator.basis, rule.min_communities)
        if indicator.households_basis is not None:
            hidden[indicator.name] |= thin(indicator.households_basis, rule.min_households)
    previous = need[["survey_round", key, "slum_communities"]].rename(
        columns={"survey_round": "previous_round", "slum_communities": "previous_slum"}
    )
    joined = need[["previous_round", key]].merge(previous, how="left", on=["previous_round", key])
    joined.index = need.index
    was_thin = joined["previous_slum"].between(1, rule.min_communities - 1).fillna(False)
    hidden["slum_households_change"] = hidden["slum_households"] | was_thin.astype(bool)
    return hidden


NeedTables = Callable[[pd.DataFrame, dict[str, float], indicators.Level], dict[str, pd.DataFrame]]


def poisoned(rule: SuppressionRule) -> NeedTables:
    """indicators.need_tables, with every value the rule hides set to SENTINEL (both levels)."""
    real = indicators.need_tables

    def need_tables(
        counts: pd.DataFrame,
        weights: dict[str, float],
        level: indicators.Level = indicators.KHET_LEVEL,
    ) -> dict[str, pd.DataFrame]:
        tables = real(counts, weights, level)
        for frame in tables.values():
            hidden = hidden_cells(frame, rule, level.key)
            for column in hidden.columns:
                frame[column] = frame[column].mask(hidden[column], SENTINEL)
        return tables

    return need_tables


def write_households(settings: Settings, returned: pd.DataFrame) -> str:
    """Six households of three communities of one returned khet: thin by households only."""
    khet = returned["khet_code"].value_counts().index[0]
    codes = returned.loc[
        (returned["khet_code"] == khet) & (returned["community_code"] != ""), "community_code"
    ].drop_duplicates()[:3]
    rows = [
        "เขต,รหัสชุมชน,รหัสครัวเรือน,จำนวนสมาชิก,รายได้ครัวเรือนต่อเดือน (บาท),"
        "ต้องการเข้าร่วมโครงการบ้านมั่นคง,แหล่งน้ำดื่ม,ประเภทส้วม,จำนวนห้อง,วัสดุผนัง,เอกสารสิทธิ์"
    ]
    # the UN-Habitat conditions too: every other household lacks all five (3 + number members)
    lacking = ("น้ำคลอง", "ส้วมแขวน", "1", "สังกะสี", "ไม่มี")
    adequate = ("ประปา", "ชักโครก", "3", "ปูน", "โฉนด")
    for number, code in enumerate([c for c in codes for _ in range(2)]):
        conditions = ",".join(lacking if number % 2 else adequate)
        rows.append(
            f"{khet},{code},H{number + 1:03d},{3 + number},{11_000 + 731 * number},ใช่,{conditions}"
        )
    folder = settings.raw_dir / "surveys" / ROUND_A
    (folder / HOUSEHOLDS_FILE).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(khet)


@dataclass(frozen=True)
class Published:
    settings: Settings
    rule: SuppressionRule
    household_khet: str
    hidden: int  # cells the rule hides, over both tables
    logs: str
    artifacts: str


@pytest.fixture(scope="module")
def published(
    tmp_path_factory: pytest.TempPathFactory,
    real_sources_dir: Path,
    registry: pd.DataFrame,
    prefect_harness: None,
) -> Iterator[Published]:
    root = tmp_path_factory.mktemp("published")
    with isolated_build(root, real_sources_dir) as (settings, environment):
        returns = write_district_returns(registry, settings.data_dir, SEED)
        # round A only: round B's folder goes, so this build is one district round
        truth = read_truth_rows(returns.truth_rows)
        for path in returns.files:
            if path.parent.name != ROUND_A:
                path.unlink()
        household_khet = write_households(settings, truth[truth["survey_round"] == ROUND_A])
        rule = settings.suppression
        environment.setattr(indicators, "need_tables", poisoned(rule))
        handler = _Collect()
        logging.getLogger().addHandler(handler)
        try:
            citywide(settings)
        finally:
            logging.getLogger().removeHandler(handler)
        with db.connect(settings.duckdb_path, read_only=True) as connection:
            tables = {
                level: [
                    connection.execute(f"SELECT * FROM {table}").df()
                    for table in (level.table, level.current_table)
                ]
                for level in indicators.LEVELS
            }
        hidden = sum(
            int(hidden_cells(frame, rule, level.key).to_numpy().sum())
            for level, frames in tables.items()
            for frame in frames
        )
        yield Published(
            settings, rule, household_khet, hidden, "\n".join(handler.lines), artifacts()
        )


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def artifacts() -> str:
    """Every Prefect artifact on the test server, as text (what the Prefect UI shows)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, FlowRunFilter, TaskRunFilter
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(),
            flow_run_filter=FlowRunFilter(),
            task_run_filter=TaskRunFilter(),
            sort=ArtifactSort.CREATED_DESC,
            limit=200,
            offset=0,
        )
    return "\n".join(f"{a.key} {a.description} {a.data}" for a in found)


def sentinel_in(text: str) -> list[str]:
    return [form for form in SENTINEL_TEXTS if form in text]


def test_the_build_has_values_to_hide_of_every_kind(published: Published) -> None:
    with db.connect(published.settings.duckdb_path, read_only=True) as connection:
        by_communities = connection.execute(
            "SELECT count(*) FROM khet_need WHERE slum_households = ?", [SENTINEL]
        ).fetchone()
        by_households = connection.execute(
            "SELECT programme_communities, programme_households, "
            "baan_mankong_demand_households, median_household_income, assessed_households, "
            "deprived_households, deprived_households_share, overcrowded_households FROM khet_need "
            "WHERE survey_round = ? AND khet_code = ?",
            [ROUND_A, published.household_khet],
        ).fetchone()
        per_khwaeng = connection.execute(
            "SELECT count(*) FROM khwaeng_need WHERE slum_households = ?", [SENTINEL]
        ).fetchone()
    assert by_communities is not None
    assert by_communities[0] >= 5
    assert per_khwaeng is not None
    assert per_khwaeng[0] > by_communities[0]  # thinner per khwaeng: more to hide
    # three communities (enough) but six households (too few): hidden by the households rule
    assert by_households == (3, 6, SENTINEL, SENTINEL, 6, SENTINEL, SENTINEL, SENTINEL)
    assert published.hidden > 50


def test_the_published_views_hold_no_hidden_value(published: Published) -> None:
    with db.connect(published.settings.duckdb_path, read_only=True) as connection:
        for view in (
            "khet_need_published",
            "khet_need_current_published",
            "khwaeng_need_published",
            "khwaeng_need_current_published",
        ):
            frame = connection.execute(f"SELECT * FROM {view}").df()
            assert sentinel_in(frame.to_csv()) == [], view
        # community counts and the index are published for every surveyed khet
        row = connection.execute(
            "SELECT count(*) FILTER (WHERE need_index IS NULL), "
            "count(*) FILTER (WHERE slum_communities IS NULL) FROM khet_need_published "
            "WHERE coverage_status <> 'not_returned'"
        ).fetchone()
    assert row == (0, 0)


def test_no_hidden_value_in_any_page_export_report_artifact_or_log(published: Published) -> None:
    settings = published.settings
    outputs = [*settings.maps_dir.rglob("*"), *settings.processed_dir.rglob("*")]
    texts = [p for p in outputs if p.suffix in (".html", ".csv", ".json", ".md", ".qml", ".txt")]
    assert len([p for p in texts if p.suffix == ".html"]) > 20
    for path in texts:
        assert sentinel_in(path.read_text(encoding="utf-8-sig")) == [], path
    exports = Locations.from_settings(settings).exports_dir
    for path in exports.glob("*.gpkg"):
        for name, _ in pyogrio.list_layers(path):
            frame = pyogrio.read_dataframe(path, layer=name, read_geometry=False)
            assert sentinel_in(frame.to_csv()) == [], (path, name)
    for path in exports.glob("*.parquet"):
        assert sentinel_in(pd.read_parquet(path).drop(columns="geometry").to_csv()) == [], path
    for path in exports.glob("*.xlsx"):
        for sheet in pd.read_excel(path, sheet_name=None, header=None, engine="calamine").values():
            assert sentinel_in(sheet.to_csv()) == [], path
    assert "citywide-run-summary" in published.artifacts
    assert sentinel_in(published.artifacts) == []
    assert "indicators: done" in published.logs
    assert sentinel_in(published.logs) == []


def test_each_map_names_the_hidden_values_as_what_they_are(published: Published) -> None:
    page = (published.settings.maps_dir / "slum_households.html").read_text(encoding="utf-8")
    with db.connect(published.settings.duckdb_path, read_only=True) as connection:
        hidden = connection.execute(
            "SELECT count(*) FROM khet_need_current_published "
            "WHERE list_contains(suppressed_indicators, 'slum_households')"
        ).fetchone()
    assert hidden is not None
    assert hidden[0] > 0
    legend = f"น้อยกว่า 3 ชุมชน · fewer than 3 communities <small>({hidden[0]} เขต · khets)"
    escaped = legend.replace("<", "\\u003c").replace(">", "\\u003e")
    assert escaped in page  # in the page's data, JSON-escaped
    assert "ยังไม่ได้สำรวจ · not surveyed" in page
    assert "no data for this field" in page
