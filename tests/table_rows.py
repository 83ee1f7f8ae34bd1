"""Rows of a published table built in a test: every column of its TableSpec, the unnamed NULL.

Tests of what reads the linked tables (khet_coverage, survey_round, link_review, ...) write them
with :func:`citywide.db.replace_tables` from these frames, as the register step will.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from citywide.table_spec import TableSpec


def spec_frame(spec: TableSpec, rows: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """``rows`` as a frame with the columns of ``spec`` in its order; a column no row names is
    all NULL (object None, so DuckDB never reads it as the text 'nan')."""
    given = pd.DataFrame(list(rows))
    unknown = sorted(set(given.columns) - set(spec.column_names))
    if unknown:
        raise ValueError(f"table {spec.name} has no columns {unknown}")
    empty = pd.Series([None] * len(given), index=given.index, dtype=object)
    return pd.DataFrame({name: given.get(name, empty) for name in spec.column_names})
