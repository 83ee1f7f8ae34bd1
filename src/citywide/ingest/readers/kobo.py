"""Kobo exports: told by their metadata columns; repeat-group sheets are not survey tables."""

from __future__ import annotations

from citywide.ingest.layout import Layout

_KOBO_MARKERS = ("_uuid", "_submission_time", "_id", "_index", "meta/instanceid")
_REPEAT_GROUP_MARKERS = ("_parent_index", "_parent_table_name")


def is_kobo(layout: Layout) -> bool:
    headers = [c.header.casefold() for c in layout.columns]
    return any(h in _KOBO_MARKERS for h in headers) or any("/" in h for h in headers)


def is_repeat_group(layout: Layout) -> bool:
    return any(c.header.casefold() in _REPEAT_GROUP_MARKERS for c in layout.columns)
