"""Issue 13's acceptance check: the whole pipeline on the real registry and district returns that
no other test has seen (bench/district_returns.py), against the truth of every written row.

One module-scoped build: run 1 (the registry and rounds 2568 and 2569), run 2 (a decisions file
for the records in review placed in RAW_DIR/links), run 3 (nothing new). docs/linking.md,
"Checking the linking on the real registry", says what each check means.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from bench.district_returns import (
    ROUND_A,
    ROUND_B,
    DistrictReturns,
    read_truth_coverage,
    read_truth_rows,
    registry_from_geojson,
    write_district_returns,
)
from citywide import db
from citywide.indicators import INDICATORS
from citywide.locations import Locations
from citywide.mapping.build import INDEX_PAGE
from citywide.mapping.coverage import COVERAGE_PAGE
from citywide.mapping.layers import NOT_SURVEYED_EN, NOT_SURVEYED_TH
from citywide.plan import read_published_state
from citywide.register.coverage import NOT_RETURNED
from citywide.results import RunResult
from citywide.rounds import STATUS_NAMES
from citywide.settings import Settings
from citywide.sources import COMMUNITY_REGISTRY
from flows.citywide import citywide
from tests.conftest import isolated_build

pytestmark = pytest.mark.real_data  # the pipeline build asks for the Prefect harness itself

SEED = 13
DISTRICT_ROUNDS = (ROUND_A, ROUND_B)
AUTOMATIC = ("code", "name", "fuzzy")
LINKED_SHARE = 0.95
DECISIONS_FILE = "decisions.csv"  # in RAW_DIR/links/
VALUES = [indicator.name for indicator in INDICATORS]
# What a run with nothing new must leave as it was.
STATE_TABLES = {
    "community_register": "community_id",
    "khet_coverage": "survey_round, khet_code",
    "link_review": "survey_round, community_key, candidate_rank",
    "link_decision": "survey_round, community_key",
    "community_change": "community_id, to_round",
    "community": "survey_round, community_key",
}
RECORDS_SQL = """
WITH files AS (
    SELECT source_file_id, file_name FROM source_file WHERE status = 'loaded'
),
current_records AS (
    SELECT survey_round, community_key, community_id, link_method, link_score, source_file_id,
        source_row, false AS in_history
    FROM community WHERE survey_round IN (?, ?)
),
superseded_records AS (
    SELECT survey_round, community_key, community_id, link_method, link_score, source_file_id,
        source_row, true AS in_history
    FROM community_history WHERE survey_round IN (?, ?)
),
records AS (
    SELECT * FROM current_records UNION ALL SELECT * FROM superseded_records
)
SELECT f.file_name AS file, r.* EXCLUDE (source_file_id) FROM records r JOIN files f USING (source_file_id)
"""


@dataclass(frozen=True)
class Acceptance:
    """The three runs, the truth, and each written row joined to its record after runs 1 and 2."""

    settings: Settings
    returns: DistrictReturns
    registry: pd.DataFrame
    truth: pd.DataFrame
    coverage: pd.DataFrame
    first: pd.DataFrame  # truth rows + their record after run 1
    review: pd.DataFrame  # link_review after run 1
    decisions: pd.DataFrame  # the decisions file of run 2
    second: pd.DataFrame  # truth rows + their record after run 2
    state_before: dict[str, pd.DataFrame]  # after run 2
    state_after: dict[str, pd.DataFrame]  # after run 3
    version_before: str | None
    version_after: str | None
    last_run: RunResult


def query(settings: Settings, sql: str, parameters: list[object] | None = None) -> pd.DataFrame:
    """Rows as a frame, built from Python values (DuckDB's own .df() of TIMESTAMPTZ warns)."""
    with db.connect(settings.duckdb_path, read_only=True) as connection:
        cursor = connection.execute(sql, parameters or [])
        columns = [column[0] for column in cursor.description or []]
        return pd.DataFrame(cursor.fetchall(), columns=columns)


def records_of(settings: Settings, truth: pd.DataFrame) -> pd.DataFrame:
    found = query(settings, RECORDS_SQL, [*DISTRICT_ROUNDS, *DISTRICT_ROUNDS])
    return truth.merge(found, on=["survey_round", "file", "source_row"], how="left", validate="1:1")


def state(settings: Settings) -> dict[str, pd.DataFrame]:
    return {
        table: query(settings, f"SELECT * EXCLUDE (geom) FROM {table} ORDER BY {order}")
        if table == "community"
        else query(settings, f"SELECT * FROM {table} ORDER BY {order}")
        for table, order in STATE_TABLES.items()
    }


@pytest.fixture(scope="module")
def acceptance(
    tmp_path_factory: pytest.TempPathFactory,
    real_sources_dir: Path,
    registry: pd.DataFrame,
    prefect_harness: None,
) -> Iterator[Acceptance]:
    root = tmp_path_factory.mktemp("acceptance")
    with isolated_build(root, real_sources_dir) as (settings, _):
        returns = write_district_returns(registry, settings.data_dir, SEED)
        assert returns.surveys_dir == settings.raw_dir / "surveys"
        truth = read_truth_rows(returns.truth_rows)
        coverage = read_truth_coverage(returns.truth_coverage)
        citywide(settings)
        first = records_of(settings, truth)
        review = query(settings, "SELECT * FROM link_review")
        decisions = decide(first, review)
        links = Locations.from_settings(settings).links_dir
        links.mkdir(parents=True, exist_ok=True)
        decisions.to_csv(links / DECISIONS_FILE, index=False)
        citywide(settings)
        second = records_of(settings, truth)
        state_before = state(settings)
        version_before = read_published_state(Locations.from_settings(settings)).version_id
        last_run = citywide(settings)
        yield Acceptance(
            settings=settings,
            returns=returns,
            registry=registry,
            truth=truth,
            coverage=coverage,
            first=first,
            review=review,
            decisions=decisions,
            second=second,
            state_before=state_before,
            state_after=state(settings),
            version_before=version_before,
            version_after=read_published_state(Locations.from_settings(settings)).version_id,
            last_run=last_run,
        )


def decide(records: pd.DataFrame, review: pd.DataFrame) -> pd.DataFrame:
    """What a person decides for each record in review or linked new: the truth (a registry
    community, or new)."""
    current = records[~records["in_history"]]
    undecided = current.loc[current["link_method"] == "new", ["survey_round", "community_key"]]
    pending = pd.concat([review[["survey_round", "community_key"]], undecided]).drop_duplicates()
    known = current[["survey_round", "community_key", "truth_id"]].drop_duplicates()
    decided = pending.merge(known, on=["survey_round", "community_key"], how="left")
    return decided.rename(columns={"truth_id": "decision"})[
        ["survey_round", "community_key", "decision"]
    ]


def test_every_written_row_is_a_record(acceptance: Acceptance) -> None:
    first = acceptance.first
    missing = first[first["community_key"].isna()]
    assert missing.empty, missing[["survey_round", "file", "source_row", "community_name"]]
    # the corrections of the khet that returned twice replace its earlier rows, nothing else
    assert (first["in_history"] == first["superseded"]).all(), first[
        first["in_history"] != first["superseded"]
    ][["file", "source_row", "community_name", "community_key"]]


def test_coverage_statuses_are_exact(acceptance: Acceptance) -> None:
    found = query(
        acceptance.settings,
        "SELECT survey_round, khet_code, status FROM khet_coverage WHERE survey_round IN (?, ?) "
        "ORDER BY 1, 2",
        list(DISTRICT_ROUNDS),
    )
    expected = acceptance.coverage[["survey_round", "khet_code", "status"]]
    assert len(found) == 100
    assert found.to_dict("records") == expected.sort_values(["survey_round", "khet_code"]).to_dict(
        "records"
    )


def not_returned(acceptance: Acceptance, survey_round: str) -> list[str]:
    coverage = acceptance.coverage
    chosen = (coverage["survey_round"] == survey_round) & (coverage["status"] == "not_returned")
    return sorted(coverage.loc[chosen, "khet_code"])


def test_not_returned_is_null_in_tables_exports_and_maps(acceptance: Acceptance) -> None:
    settings = acceptance.settings
    for survey_round in DISTRICT_ROUNDS:
        missing = not_returned(acceptance, survey_round)
        assert len(missing) >= 40
        need = query(
            settings,
            "SELECT * FROM khet_need WHERE survey_round = ? ORDER BY khet_code",
            [survey_round],
        ).set_index("khet_code")
        values = need.loc[missing, [v for v in VALUES if v in need.columns]]
        assert values.notna().sum().sum() == 0, values[values.notna().any(axis=1)]
        surveyed = need.drop(index=missing)
        assert surveyed["communities"].notna().all()
        assert (surveyed["communities"] > 0).all()
    exported = pd.read_csv(
        settings.processed_dir / "exports" / "khet_need.csv",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    for survey_round in DISTRICT_ROUNDS:
        rows = exported[
            (exported["survey_round"] == survey_round)
            & exported["khet_code"].isin(not_returned(acceptance, survey_round))
        ]
        assert len(rows) == len(not_returned(acceptance, survey_round))
        cells = rows[[v for v in VALUES if v in rows.columns]]
        assert (cells == "").all().all(), cells[(cells != "").any(axis=1)]
    pages = [
        page
        for page in sorted(settings.maps_dir.rglob("*.html"))
        if ROUND_B in page.name or ROUND_B in page.parent.name
    ]
    assert pages, f"no map page of round {ROUND_B} in {settings.maps_dir}"
    for page in pages:  # the index and coverage map name the returns; the others the values
        html = page.read_text(encoding="utf-8")
        returns = page.name in (COVERAGE_PAGE, INDEX_PAGE)
        named = STATUS_NAMES[NOT_RETURNED] if returns else (NOT_SURVEYED_TH, NOT_SURVEYED_EN)
        assert all(text in html for text in named), (page, named)


def test_current_picture_is_the_registry_or_the_newest_return(acceptance: Acceptance) -> None:
    current = query(
        acceptance.settings,
        f"SELECT khet_code, survey_round, {', '.join(FIGURES)} FROM khet_need_current "
        "ORDER BY khet_code",
    ).set_index("khet_code")
    assert len(current) == 50
    records = acceptance.truth[~acceptance.truth["superseded"]]
    newest = records.groupby("khet_code")["survey_round"].max()
    latest = records[records["survey_round"] == records["khet_code"].map(newest)]
    registry = acceptance.registry
    untouched = figures(registry[~registry["khet_code"].isin(newest.index)])
    expected = pd.concat(
        [untouched.assign(survey_round="bma_registry"), figures(latest).assign(survey_round=newest)]
    ).sort_index()
    assert current["survey_round"].to_dict() == expected["survey_round"].to_dict()
    found = current[list(FIGURES)].astype("int64").to_dict("index")
    assert found == expected[list(FIGURES)].astype("int64").to_dict("index")


FIGURES = ("communities", "households", "population", "slum_communities", "slum_households")


def figures(rows: pd.DataFrame) -> pd.DataFrame:
    """Communities, households, population, and those of slums, per khet, counted here."""
    slum = rows["community_type"] == "slum"
    counted = rows.assign(
        slum=slum.astype("int64"), slum_households=rows["households"].where(slum, 0)
    )
    return counted.groupby("khet_code").agg(
        communities=("households", "size"),
        households=("households", "sum"),
        population=("population", "sum"),
        slum_communities=("slum", "sum"),
        slum_households=("slum_households", "sum"),
    )


def test_district_records_link_to_their_registry_community(acceptance: Acceptance) -> None:
    records = acceptance.first
    current = records[~records["in_history"]]
    known = current[current["truth_id"] != "new"]
    right = known["community_id"] == known["truth_id"]
    share = right.mean()
    missed = known[~right][["file", "community_name", "truth_id", "community_id", "link_method"]]
    assert share >= LINKED_SHARE, f"{share:.1%} linked; not linked:\n{missed.to_string()}"
    automatic = records[records["link_method"].isin(AUTOMATIC)]
    wrong = automatic[
        ((automatic["truth_id"] != "new") & (automatic["community_id"] != automatic["truth_id"]))
        | ((automatic["truth_id"] == "new") & automatic["community_id"].str.startswith("BMA-"))
    ]
    assert wrong.empty, wrong[["file", "community_name", "truth_id", "community_id", "link_method"]]
    coded = current[current["community_code"] != ""]
    assert set(coded["link_method"]) == {"code"}
    # a community first seen in round A is the same community when round B returns it again
    new = current[current["truth_id"] == "new"].groupby("entity")["community_id"]
    assert (new.nunique() == 1).all()
    again = current[current["truth_id"] == "new"].groupby("entity")["survey_round"].nunique()
    assert (again == 2).any()
    assert new.first().str.startswith("NEW-").all()


def test_ambiguous_records_go_to_review(acceptance: Acceptance) -> None:
    first = acceptance.first
    ambiguous = first[first["expect_review"]]
    assert len(ambiguous) >= 1
    assert set(ambiguous["link_method"]) == {"new"}  # never guessed
    reviewed = acceptance.review.merge(
        ambiguous[["survey_round", "community_key", "truth_id"]],
        on=["survey_round", "community_key"],
    )
    assert set(reviewed["community_key"]) == set(ambiguous["community_key"])
    assert reviewed.groupby("community_key")["candidate_id"].nunique().min() >= 2
    assert (reviewed["candidate_id"] == reviewed["truth_id"]).any()


def test_a_decisions_file_is_applied_and_kept(acceptance: Acceptance) -> None:
    decisions, second = acceptance.decisions, acceptance.second
    chosen = decisions[decisions["decision"] != "new"]
    assert len(chosen) >= 1
    assert (decisions["decision"] == "new").any()
    decided = second.merge(decisions, on=["survey_round", "community_key"])
    assert set(decided["link_method"]) == {"manual"}
    linked = decided[decided["decision"] != "new"]
    assert (linked["community_id"] == linked["decision"]).all()
    assert (
        not decided.loc[decided["decision"] == "new", "community_id"].str.startswith("BMA-").any()
    )
    applied = acceptance.state_before["link_decision"]
    assert set(applied["file_name"]) == {DECISIONS_FILE}
    assert applied["applied"].all()
    assert len(applied) == len(decisions)
    # after the decisions every district record of a registry community is linked to it
    known = second[~second["in_history"] & (second["truth_id"] != "new")]
    assert (known["community_id"] == known["truth_id"]).all()


def test_communities_a_complete_return_misses_are_not_found(acceptance: Acceptance) -> None:
    coverage = acceptance.coverage
    complete = coverage[coverage["status"] == "complete"]
    last_complete = complete.groupby("khet_code")["survey_round"].max()
    truth, registry = acceptance.truth, acceptance.registry
    last = truth.merge(last_complete.reset_index(), on=["khet_code", "survey_round"])
    returned = registry["khet_code"].isin(last_complete.index)
    expected = set(
        registry.loc[returned & ~registry["community_key"].isin(last["entity"]), "community_id"]
    )
    register = acceptance.state_before["community_register"]
    found = set(register.loc[register["status"] == "not_found", "community_id"])
    assert found == expected
    assert len(expected) >= 2


def test_a_run_with_nothing_new_changes_nothing(acceptance: Acceptance) -> None:
    reasons = acceptance.last_run.plan.reasons
    assert acceptance.version_after == acceptance.version_before, reasons
    for table, before in acceptance.state_before.items():
        pd.testing.assert_frame_equal(acceptance.state_after[table], before, obj=table)


@pytest.fixture(scope="module")
def registry(real_sources_dir: Path) -> pd.DataFrame:
    return registry_from_geojson(real_sources_dir / COMMUNITY_REGISTRY.main_path)


def test_the_returns_are_as_the_check_describes(registry: pd.DataFrame, tmp_path: Path) -> None:
    """The generator alone (no pipeline): rounds, roles, spellings, and the same files again."""
    made = write_district_returns(registry, tmp_path, SEED)
    truth, coverage = read_truth_rows(made.truth_rows), read_truth_coverage(made.truth_coverage)
    statuses = coverage.groupby(["survey_round", "status"]).size().to_dict()
    assert statuses == {
        (ROUND_A, "complete"): 7, (ROUND_A, "partial"): 1, (ROUND_A, "not_returned"): 42,
        (ROUND_B, "complete"): 3, (ROUND_B, "not_returned"): 47,
    }  # fmt: skip
    returned = coverage[coverage["status"] != "not_returned"]
    assert returned["share"].between(0.3, 0.7).sum() == 1  # far from the rule's 0.8 either side
    assert (returned["share"] >= 0.9).sum() == 10
    assert sorted({path.suffix for path in made.files}) == [".csv", ".xlsx"]
    assert {path.parent.name for path in made.files} == {ROUND_A, ROUND_B}
    assert truth.groupby("survey_round")["file"].nunique().to_dict() == {ROUND_A: 9, ROUND_B: 3}
    changes = set(truth["variant"].str.split("; ").explode())
    assert {"prefix dropped", "prefix added", "spaces", "thai digits", "soi", "sara am split",
            "typo", "number dropped (twin)"} <= changes  # fmt: skip
    assert truth["community_name"].str.contains("\u0e4d\u0e32").any()
    assert 0.05 < (truth["community_code"] != "").mean() < 0.3
    assert truth["superseded"].sum() == 5
    assert truth["expect_review"].sum() == 1
    new = truth[truth["truth_id"] == "new"]
    assert (new["survey_round"].value_counts().to_dict(), new["entity"].nunique()) == (
        {ROUND_A: 2, ROUND_B: 1},
        2,
    )
    known = truth[truth["truth_id"] != "new"]
    assert known["truth_id"].isin(registry["community_id"]).all()
    personal = {"CHAIRMAN", "ADDRESS", "REMARK"}
    assert personal.isdisjoint(truth.columns)
    again = write_district_returns(registry, tmp_path / "again", SEED)
    assert again.truth_rows.read_bytes() == made.truth_rows.read_bytes()
    assert again.truth_coverage.read_bytes() == made.truth_coverage.read_bytes()
    csvs = [path for path in made.files if path.suffix == ".csv"]
    assert [(tmp_path / "again" / p.relative_to(tmp_path)).read_bytes() for p in csvs] == [
        p.read_bytes() for p in csvs
    ]
