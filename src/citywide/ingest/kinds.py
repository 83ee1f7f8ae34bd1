"""The loader's dispatch: one RecordKindSpec per kind of record."""

from __future__ import annotations

from collections.abc import Mapping

from citywide.ingest import communities, households
from citywide.ingest.layout import RecordKind
from citywide.ingest.records import RecordKindSpec
from citywide.schema import COMMUNITY, COMMUNITY_HISTORY, HOUSEHOLD, HOUSEHOLD_HISTORY

RECORD_KINDS: Mapping[RecordKind, RecordKindSpec] = {
    "community": RecordKindSpec(
        kind="community",
        shape=communities.SHAPE,
        table=COMMUNITY,
        history=COMMUNITY_HISTORY,
        key=communities.KEY,
        merge=communities.merge,
        relations=communities.footprint_relations,
    ),
    "household": RecordKindSpec(
        kind="household",
        shape=households.SHAPE,
        table=HOUSEHOLD,
        history=HOUSEHOLD_HISTORY,
        key=households.KEY,
        merge=households.merge,
        refer=households.refer_to_communities,
        reads_communities=True,
    ),
}
