from __future__ import annotations

import json
from pathlib import Path

from citywide import plan
from citywide.ingest.discovery import SurveyFile
from citywide.locations import Locations
from citywide.plan import KnownFile, PublishedState
from citywide.settings import Settings

SOURCES = [
    ("khet_boundaries", "boundaries/bangkok_khets.geojson", "a" * 64),
    ("khet_population", "population/khet_population.csv", "b" * 64),
    ("community_registry", "registry/bma_communities.geojson", "c" * 64),
]


def known(sha256: str, status: str = "loaded") -> KnownFile:
    return KnownFile(sha256, f"/raw/{sha256}.csv", None, "2568-1", status, 3, 3, 0, 0, 0, None)


def state_after_a_run(settings: Settings, files: list[str]) -> PublishedState:
    return PublishedState(
        version_id="v1",
        committed_at="2026-11-20T06:00:00+00:00",
        keys={
            "geography": plan.geography_key(SOURCES),
            "indicators": plan.indicators_key(settings, 7, plan.geography_key(SOURCES)),
        },
        known_files=tuple(known(sha) for sha in files),
        outputs={"version_id": "v1", "key": plan.outputs_key(settings)},
        data_mark=7,
    )


def surveys(*shas: str) -> list[SurveyFile]:
    return [SurveyFile(Path(f"/raw/surveys/2568-1/{sha}.csv"), "2568-1", sha) for sha in shas]


def test_a_first_run_does_everything(settings: Settings) -> None:
    first = plan.plan_run(SOURCES, surveys("x"), PublishedState(), settings, False)
    assert (first.geography, first.indicators, first.outputs) == (True, True, True)
    assert [s.sha256 for s in first.new_files] == ["x"]


def test_nothing_new_means_nothing_to_do(settings: Settings) -> None:
    again = plan.plan_run(
        SOURCES, surveys("x", "y"), state_after_a_run(settings, ["x", "y"]), settings, True
    )
    assert again.nothing_to_do
    assert not again.writes_database
    assert [s.sha256 for s in again.unchanged_files] == ["x", "y"]


def test_one_changed_file_is_the_only_work(settings: Settings) -> None:
    changed = plan.plan_run(
        SOURCES, surveys("x", "y2"), state_after_a_run(settings, ["x", "y"]), settings, True
    )
    assert not changed.geography
    assert [s.sha256 for s in changed.new_files] == ["y2"]
    assert (changed.indicators, changed.outputs) == (True, True)


def test_the_registry_is_not_geography(settings: Settings) -> None:
    new_registry = [*SOURCES[:2], ("community_registry", SOURCES[2][1], "d" * 64)]
    assert plan.geography_key(new_registry) == plan.geography_key(SOURCES)
    new_boundaries = [("khet_boundaries", SOURCES[0][1], "e" * 64), *SOURCES[1:]]
    assert plan.geography_key(new_boundaries) != plan.geography_key(SOURCES)


def test_settings_redo_only_the_steps_that_use_them(settings: Settings) -> None:
    before = state_after_a_run(settings, ["x"])
    weights = settings.model_copy(update={"suppression_k": 5})
    reweighted = plan.plan_run(SOURCES, surveys("x"), before, weights, True)
    assert (reweighted.geography, reweighted.new_files, reweighted.indicators) == (False, (), True)
    restyled = plan.plan_run(
        SOURCES, surveys("x"), before, settings.model_copy(update={"map_classes": 7}), True
    )
    assert (restyled.writes_database, restyled.outputs) == (False, True)
    assert "settings changed" in restyled.reasons[0]


def test_missing_or_older_outputs_are_redone(settings: Settings) -> None:
    before = state_after_a_run(settings, ["x"])
    assert plan.plan_run(SOURCES, surveys("x"), before, settings, False).outputs
    older = PublishedState(**{**before.__dict__, "version_id": "v2"})
    assert plan.plan_run(SOURCES, surveys("x"), older, settings, True).outputs


def test_files_merged_by_another_command_redo_the_indicators(settings: Settings) -> None:
    """`citywide ingest` merges files without the indicators: the next run rebuilds them."""
    after_ingest = PublishedState(**{**state_after_a_run(settings, ["x"]).__dict__, "data_mark": 9})
    again = plan.plan_run(SOURCES, surveys("x"), after_ingest, settings, True)
    assert (again.geography, again.new_files, again.indicators, again.outputs) == (
        False, (), True, True,
    )  # fmt: skip


def test_the_outputs_manifest_names_a_rounds_pages_by_their_path_under_maps(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", maps_dir=tmp_path / "maps")
    page = settings.maps_dir / "rounds" / "2568" / "need_index.html"
    export = tmp_path / "data" / "processed" / "exports" / "khet_need.csv"
    manifest = json.loads(plan.outputs_manifest_json("v1", settings, [export], [page]))
    assert manifest["maps"] == ["rounds/2568/need_index.html"]
    places = Locations.from_settings(settings)
    state = PublishedState(outputs=manifest)
    export.parent.mkdir(parents=True)
    export.write_text("x")
    (settings.maps_dir / "need_index.html").parent.mkdir(parents=True)
    (settings.maps_dir / "need_index.html").write_text("the current picture's page only")
    assert not plan.outputs_present(state, places)  # the round's page is missing
    page.parent.mkdir(parents=True)
    page.write_text("x")
    assert plan.outputs_present(state, places)
