"""Map options are made once from the settings, and the outputs key holds every one of them."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Literal

import pytest

from citywide import plan
from citywide.mapping.options import MapOptions, Tiles
from citywide.settings import Settings

TILES = Tiles("https://tiles.example/{z}/{x}/{y}.png", "© Tiles Example")
# Settings the maps are drawn with: every MAP_* setting, the suppression they print and the
# need index weights their methods page lists
MAP_SETTINGS = [name for name in Settings.model_fields if name.startswith("map_")]
MAP_SETTINGS += ["suppression_k", "min_households", "need_weights"]


def variants(value: Any, hint: Any) -> list[Any]:
    """Values of type ``hint`` other than ``value``: a new field's type must be taught here."""
    if typing.get_origin(hint) is Literal:
        return [choice for choice in typing.get_args(hint) if choice != value]
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return [v for a in options for v in variants(None, a)]
        return [None, *(v for a in options if isinstance(value, a) for v in variants(value, a))]
    if hint is Tiles:
        if value is None:
            return [TILES]
        return [
            dataclasses.replace(value, **{f.name: changed})
            for f in dataclasses.fields(Tiles)
            for changed in variants(getattr(value, f.name), str)
        ]
    if typing.get_origin(hint) is tuple:  # (name, weight) pairs: one weight changed, one dropped
        (name, weight), *rest = value
        return [((name, weight + 1.5), *rest), tuple(rest)]
    if typing.get_origin(hint) is dict:  # the need weights as a setting
        name, weight = next(iter(value.items()))
        return [{**value, name: weight + 1.5}]
    if hint is int:
        return [value + 1]
    if hint is float:
        return [value + 1.5]
    if hint is str:
        return [f"{value or ''}other"]
    pytest.fail(f"no other value known for type {hint!r} ({value!r}): add one to variants()")


@pytest.mark.parametrize("base", [MapOptions(), MapOptions(tiles=TILES)], ids=["offline", "tiles"])
def test_every_map_option_changes_the_outputs_key(base: MapOptions) -> None:
    hints = typing.get_type_hints(MapOptions)
    key = plan.options_key(base)
    checked = 0
    for field in dataclasses.fields(MapOptions):
        for other in variants(getattr(base, field.name), hints[field.name]):
            changed = dataclasses.replace(base, **{field.name: other})
            assert plan.options_key(changed) != key, f"{field.name}={other!r} keeps the key"
            checked += 1
    assert checked >= len(dataclasses.fields(MapOptions))


def test_the_outputs_key_is_the_map_options_key(settings: Settings) -> None:
    assert plan.outputs_key(settings) == plan.options_key(MapOptions.from_settings(settings))


def test_map_options_reflect_every_map_setting(settings: Settings) -> None:
    base = settings.model_copy(
        update={"map_tiles": TILES.url, "map_tiles_attribution": TILES.attribution}
    )
    options = MapOptions.from_settings(base)
    assert options.tiles == TILES
    assert {"map_classification", "map_classes", "map_tiles_attribution"} <= set(MAP_SETTINGS)
    for name in MAP_SETTINGS:
        annotation = Settings.model_fields[name].annotation
        for other in variants(getattr(base, name), annotation):
            changed = Settings.model_validate({**base.model_dump(), name: other})
            assert MapOptions.from_settings(changed) != options, f"{name}={other!r} is ignored"
            assert plan.outputs_key(changed) != plan.outputs_key(base), f"{name}={other!r}"


def test_the_defaults_are_the_settings_defaults(settings: Settings) -> None:
    assert MapOptions() == MapOptions.from_settings(settings)
    assert MapOptions.from_settings(settings).tiles is None  # no MAP_TILES: fully offline


def test_an_attribution_without_tiles_draws_nothing(settings: Settings) -> None:
    credited = settings.model_copy(update={"map_tiles_attribution": "© nobody"})
    assert MapOptions.from_settings(credited) == MapOptions.from_settings(settings)
