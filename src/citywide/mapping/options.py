"""What a map is drawn with: made once from the settings, and all the outputs key hashes.

Light on purpose (no geopandas, folium or matplotlib): :mod:`citywide.plan` keys the outputs by
:class:`MapOptions` without loading the drawing modules. A setting that changes the maps is a
field here, read in :meth:`MapOptions.from_settings`; its default is the setting's own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from citywide.indicators import SuppressionRule
from citywide.settings import MapClassification, Settings

Classification = MapClassification


# The documented defaults of the settings (citywide.settings.Settings), declared only there.
_DEFAULT: dict[str, Any] = {
    name: field.get_default(call_default_factory=True)
    for name, field in Settings.model_fields.items()
}


@dataclass(frozen=True)
class Tiles:
    url: str
    attribution: str


@dataclass(frozen=True)
class MapOptions:
    classification: Classification = _DEFAULT["map_classification"]
    classes: int = _DEFAULT["map_classes"]
    simplify_m: float = _DEFAULT["map_simplify_m"]
    tiles: Tiles | None = None  # MAP_TILES unset (its default): no tiles, fully offline
    suppression_k: int = _DEFAULT["suppression_k"]
    min_households: int = _DEFAULT["min_households"]
    # The need index weights the pages' methods page lists (the index itself is made with them
    # before the maps); a tuple of (indicator, weight), so the options stay hashable.
    need_weights: tuple[tuple[str, float], ...] = tuple(_DEFAULT["need_weights"].items())

    @classmethod
    def from_settings(cls, settings: Settings) -> MapOptions:
        tiles = (
            Tiles(settings.map_tiles, settings.map_tiles_attribution)
            if settings.map_tiles
            else None
        )
        return cls(
            classification=settings.map_classification,
            classes=settings.map_classes,
            simplify_m=settings.map_simplify_m,
            tiles=tiles,
            suppression_k=settings.suppression_k,
            min_households=settings.min_households,
            need_weights=tuple(settings.need_weights.items()),
        )

    @property
    def suppression(self) -> SuppressionRule:
        """The privacy rule the published views applied, for the pages' notes and legends."""
        return SuppressionRule(self.suppression_k, self.min_households)

    def as_json(self) -> dict[str, object]:
        """Every field, nested dataclasses included: what the outputs key hashes."""
        return asdict(self)
