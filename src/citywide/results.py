"""What the flows return: typed, frozen results the CLI, tests and callers read by attribute."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from citywide.ingest.outcome import TableReport
from citywide.plan import Plan
from citywide.report import RunReport


@dataclass(frozen=True)
class Outputs:
    """The exports and maps a run wrote (paths as shown to the user)."""

    exports: tuple[str, ...] = ()
    maps: tuple[str, ...] = ()

    @property
    def written(self) -> list[str]:
        return [*self.exports, *self.maps]


@dataclass(frozen=True)
class Published:
    """What `citywide publish` (or a run) published: khet_need rows per round, and the outputs."""

    khet_need: Mapping[str, int] = field(default_factory=dict)
    outputs: Outputs = Outputs()


@dataclass(frozen=True)
class RunResult:
    """What one `citywide run` did: its plan and each step's outcome."""

    plan: Plan
    tables: Mapping[str, int] | None  # rows per geography table, when the geography was built
    ingested: tuple[TableReport, ...]
    published: Published
    report: RunReport
