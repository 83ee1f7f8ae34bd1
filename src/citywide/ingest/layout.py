"""Where a table starts: the header row (one or two rows), above title rows, beside blank columns.

Works on the first rows of a sheet or CSV as a grid of strings; knows nothing of files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from citywide.ingest.columns import HOUSEHOLD_KEY, PERSONAL, Vocabulary

SCAN_ROWS = 30
MIN_FIELDS = 2
RecordKind = Literal["community", "household"]


@dataclass(frozen=True)
class Column:
    index: int  # position in the sheet row
    header: str  # as written, "group / name" for a two-row header
    field: str | None  # canonical field, "personal", or None (not used)


@dataclass(frozen=True)
class Layout:
    header_row: int  # 0-based index of the (lower) header row; data starts below it
    columns: tuple[Column, ...]

    @property
    def mapped(self) -> dict[str, int]:
        """Field -> column index, for the columns that are kept (the first one of each field)."""
        out: dict[str, int] = {}
        for column in self.columns:
            if column.field and column.field != PERSONAL:
                out.setdefault(column.field, column.index)
        return out

    @property
    def record_kind(self) -> RecordKind:
        """A table with a household code lists households; any other lists communities."""
        return "household" if HOUSEHOLD_KEY in self.mapped else "community"

    @property
    def dropped(self) -> list[str]:
        """Headers of personal-data columns: never read past this point."""
        return [c.header for c in self.columns if c.field == PERSONAL]

    @property
    def unmapped(self) -> list[str]:
        """Headers of columns that mean no field (kept out of the database), and duplicates."""
        kept = set(self.mapped.values())
        return [
            c.header
            for c in self.columns
            if c.field != PERSONAL and c.index not in kept and c.header
        ]


def find_layout(rows: Sequence[Sequence[str]], vocabulary: Vocabulary) -> Layout | None:
    """The header that names the most fields within the first rows, or None if none names two.

    A header written twice, one row under the other (Thai labels, then English, as in the
    template citywide writes), is one header: the lower row, data starting below it.
    """
    best: tuple[int, Layout] | None = None
    for row_index in range(min(len(rows), SCAN_ROWS)):
        above = rows[row_index - 1] if row_index > 0 else []
        layout = _read_header(row_index, rows[row_index], above, vocabulary)
        score = len(layout.mapped)
        if score >= MIN_FIELDS and (best is None or score > best[0] or _repeats(best[1], layout)):
            best = (score, layout)
    if best is None:
        return None
    layout = best[1]
    return _household_privacy(layout, vocabulary) if layout.record_kind == "household" else layout


def _repeats(header: Layout, below: Layout) -> bool:
    """``below`` is the row right under ``header`` and names the same fields in the same columns:
    the header's second language, not data."""
    return below.header_row == header.header_row + 1 and below.mapped == header.mapped


def _household_privacy(layout: Layout, vocabulary: Vocabulary) -> Layout:
    """In a household return, names, addresses and locations point at a family: drop them.

    A location column is a field in a community return but the home's position here; an
    unmapped column such as "ชื่อ" or "ที่อยู่" is a person's name or address.
    """

    # where a row is (`location = true` in aliases.toml): for a household, where a family lives
    located = frozenset(vocabulary.location_fields())

    def private(column: Column) -> bool:
        if column.field in located:
            return True
        return column.field is None and vocabulary.is_household_personal(column.header)

    columns = tuple(
        replace(column, field=PERSONAL) if private(column) else column for column in layout.columns
    )
    return replace(layout, columns=columns)


def _read_header(
    row_index: int, cells: Sequence[str], above: Sequence[str], vocabulary: Vocabulary
) -> Layout:
    """Read ``cells`` as the header, with the row ``above`` as a possible group row.

    An empty cell under a non-empty one is a header merged over both rows (เขต above nothing);
    a non-empty cell under a merged group cell (จำนวนประชากร over ชาย, หญิง, รวม) gets the group.
    """
    groups = _forward_filled(above)
    columns = []
    for index in range(max(len(cells), len(above))):
        name = ((cells[index] if index < len(cells) else "") or "").strip()
        upper = ((above[index] if index < len(above) else "") or "").strip()
        group = groups[index] if index < len(groups) else ""
        if not name and upper:
            name, group = upper, ""
        if group == name:
            group = ""
        if not name:
            columns.append(Column(index, group, None))
            continue
        field = vocabulary.field_for(name, group)
        header = f"{group} / {name}" if group and field != vocabulary.field_for(name) else name
        columns.append(Column(index, header, field))
    return Layout(row_index, tuple(columns))


def _forward_filled(cells: Sequence[str]) -> list[str]:
    """A group row with merged cells: each cell's group is the last non-empty one to its left."""
    filled, current = [], ""
    for cell in cells:
        current = (cell or "").strip() or current
        filled.append(current)
    return filled
