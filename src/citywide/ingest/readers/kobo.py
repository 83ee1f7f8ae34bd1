"""Kobo exports: told by their metadata columns; repeat-group sheets are not survey tables,
except a household roster (a repeat whose rows are households, as in citywide's XLSForm)."""

from __future__ import annotations

from citywide.ingest.columns import Field, fold
from citywide.ingest.layout import Layout

# Columns the Kobo server adds to every submission (no person writes them).
KOBO_MARKERS = ("_uuid", "_submission_time", "_id", "_index", "meta/instanceid")
_REPEAT_GROUP_MARKERS = ("_parent_index", "_parent_table_name")


def is_kobo(layout: Layout) -> bool:
    headers = [c.header.casefold() for c in layout.columns]
    return any(h in KOBO_MARKERS for h in headers) or any("/" in h for h in headers)


def is_repeat_group(layout: Layout) -> bool:
    return any(c.header.casefold() in _REPEAT_GROUP_MARKERS for c in layout.columns)


def skipped_repeat(layout: Layout) -> bool:
    """A repeat-group sheet that is no survey table: any repeat but a household roster, whose
    rows carry their own household code (and their community's khet, copied by the form)."""
    return is_repeat_group(layout) and layout.record_kind != "household"


def is_kobo_metadata(field: Field) -> bool:
    """The field is one the Kobo server writes (a submission's id or time), not a question."""
    markers = {fold(marker) for marker in KOBO_MARKERS}
    return any(fold(alias) in markers for alias in field.aliases)
