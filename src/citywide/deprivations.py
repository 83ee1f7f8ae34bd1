"""The UN-Habitat household deprivations (SDG indicator 11.1.1), judged per household record.

A slum household lacks at least one of five conditions: improved water, improved sanitation,
sufficient living area, durable housing, security of tenure (UN-Habitat / UN Statistics, SDG
indicator 11.1.1 metadata; docs/indicators.md). Each :class:`Deprivation` says, as SQL over a
``household`` row, when it can be judged (``reported``: the household answered what it needs)
and when the household lacks it (``lacking``); :data:`DEPRIVED` is "lacks at least one".

Which codes of the catalogue's vocabularies (src/citywide/ingest/aliases.toml) count as lacking
is declared here, once: :data:`LACKING_CODES` and :data:`ADEQUATE_CODES` split every code of
each field but ``unknown`` (a test holds them to the catalogue, so a new code needs a decision).
:mod:`citywide.indicators` counts them per khet and khwaeng.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# A habitable room counts only from this floor area (m2), and holds at most this many people.
MIN_ROOM_M2 = 4
MAX_PEOPLE_PER_ROOM = 3
UNKNOWN = "unknown"

# field -> the codes that lack the condition / that meet it (JMP 2017 ladder for water and
# sanitation; DHS "finished" materials for durability, wood and metal roofs included).
LACKING_CODES: Mapping[str, tuple[str, ...]] = {
    "water_source": ("unprotected_well", "surface"),
    "toilet_type": ("pit_open", "over_water", "bucket", "none"),
    "toilet_shared": ("shared", "public"),
    "wall_material": ("metal_sheet", "natural", "makeshift", "none"),
    "roof_material": ("natural", "makeshift", "none"),
    "floor_material": ("natural", "makeshift"),
    "tenure_document": ("none",),
}
ADEQUATE_CODES: Mapping[str, tuple[str, ...]] = {
    "water_source": ("piped", "piped_neighbour", "public_tap", "tube_well", "protected_well",
                     "rainwater", "bottled", "tanker"),
    "toilet_type": ("flush", "pour_flush", "pit_slab"),
    "toilet_shared": ("private",),
    "wall_material": ("masonry", "wood", "masonry_wood"),
    "roof_material": ("tile", "metal_sheet", "concrete", "wood"),
    "floor_material": ("concrete", "tile", "wood", "vinyl"),
    "tenure_document": ("title_deed", "lease", "permit"),
}  # fmt: skip


def _known(field: str) -> str:
    return f"({field} IS NOT NULL AND {field} <> '{UNKNOWN}')"


def _lacks(field: str) -> str:
    codes = ", ".join(f"'{code}'" for code in LACKING_CODES[field])
    return f"coalesce({field} IN ({codes}), false)"


def _any(parts: list[str]) -> str:
    return "(" + " OR ".join(parts) + ")"


# Habitable rooms: the rooms written, but no more than the floor area holds rooms of 4 m2.
HABITABLE_ROOMS_SQL = (
    f"least(rooms, floor(floor_area / {MIN_ROOM_M2})::BIGINT)"  # least() skips a NULL
)


@dataclass(frozen=True)
class Deprivation:
    """One of the five (or "at least one"): its columns in khet_need and its SQL per household.

    ``count`` is the indicator (households lacking it), ``share`` its percentage of
    ``households`` (the enumerated households it can be judged for), ``communities`` the distinct
    communities behind those: the two bases of :class:`citywide.indicators.SuppressionRule`.
    """

    key: str
    count: str
    communities: str
    households: str
    reported: str  # SQL over a household row: the condition can be judged
    lacking: str  # SQL over a household row: it lacks the condition (false when not reported)
    fields: tuple[str, ...]

    @property
    def share(self) -> str:
        return f"{self.count}_share"


_WATER = Deprivation(
    "water",
    "lacking_water_households",
    "water_source_communities",
    "water_source_households",
    _known("water_source"),
    _lacks("water_source"),
    ("water_source",),
)
_SANITATION = Deprivation(
    "sanitation",
    "lacking_sanitation_households",
    "sanitation_communities",
    "sanitation_households",
    _any([_known("toilet_type"), _known("toilet_shared")]),
    _any([_lacks("toilet_type"), _lacks("toilet_shared")]),
    ("toilet_type", "toilet_shared"),
)
_LIVING_AREA = Deprivation(
    "living_area",
    "overcrowded_households",
    "living_area_communities",
    "living_area_households",
    "(members IS NOT NULL AND (rooms IS NOT NULL OR floor_area IS NOT NULL))",
    f"coalesce(members > {MAX_PEOPLE_PER_ROOM} * {HABITABLE_ROOMS_SQL}, false)",
    ("members", "rooms", "floor_area"),
)
_DURABILITY = Deprivation(
    "durability",
    "non_durable_households",
    "durability_communities",
    "durability_households",
    _any([_known(f) for f in ("wall_material", "roof_material", "floor_material")]),
    _any([_lacks(f) for f in ("wall_material", "roof_material", "floor_material")]),
    ("wall_material", "roof_material", "floor_material"),
)
_TENURE = Deprivation(
    "tenure_document",
    "no_tenure_document_households",
    "tenure_document_communities",
    "tenure_document_households",
    _known("tenure_document"),
    _lacks("tenure_document"),
    ("tenure_document",),
)
# The five, in the order of the UN-Habitat definition.
FIVE: tuple[Deprivation, ...] = (_WATER, _SANITATION, _LIVING_AREA, _DURABILITY, _TENURE)
DEPRIVED = Deprivation(
    "deprived",
    "deprived_households",
    "assessed_communities",
    "assessed_households",
    _any([d.reported for d in FIVE]),
    _any([d.lacking for d in FIVE]),
    tuple(field for d in FIVE for field in d.fields),
)
ALL: tuple[Deprivation, ...] = (DEPRIVED, *FIVE)


def flags_sql() -> str:
    """Per household row: ``{key}_reported`` and ``{key}_lacking`` of every deprivation."""
    return ",\n        ".join(
        f"{d.reported} AS {d.key}_reported, {d.reported} AND {d.lacking} AS {d.key}_lacking"
        for d in ALL
    )


def counts_sql(unit: str = "unit") -> str:
    """Per group of flagged rows: the households and communities judged, the households lacking."""
    return ",\n        ".join(
        f"count(*) FILTER (WHERE {d.key}_reported) AS {d.households},\n        "
        f"count(DISTINCT {unit}) FILTER (WHERE {d.key}_reported) AS {d.communities},\n        "
        f"count(*) FILTER (WHERE {d.key}_lacking) AS {d.count}"
        for d in ALL
    )


def columns() -> tuple[str, ...]:
    """The columns :func:`counts_sql` makes, in its order."""
    return tuple(name for d in ALL for name in (d.households, d.communities, d.count))
