"""Survey rounds as people read them: display names and how far each round has come.

A round arrives khet by khet. :func:`round_progress` turns the tables ``survey_round`` and
``khet_coverage`` (counts of communities only, publishable as they are) into one
:class:`RoundProgress` per round: the sentence "8 จาก 50 เขตส่งข้อมูลรอบสำรวจ 2568 · 8 of 50
khets returned survey round 2568", the khets still missing and each khet's last return. The maps'
index.html and the run report both read it from here. Texts are not escaped: each rendering
escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

REGISTRY_ROUND = "bma_registry"
REGISTRY_NAME = ("ทะเบียนชุมชน กทม.", "BMA community registry")
NOT_RETURNED = "not_returned"
PARTIAL = "partial"
COMPLETE = "complete"
STATUS_NAMES = {
    COMPLETE: ("ส่งข้อมูลครบ", "complete"),
    PARTIAL: ("ส่งข้อมูลบางส่วน", "partial"),
    NOT_RETURNED: ("ยังไม่ส่งข้อมูล", "not returned"),
}


def display_name(label: str) -> tuple[str, str]:
    """A round's name (Thai, English): ``bma_registry`` is the registry, others a survey round."""
    if label == REGISTRY_ROUND:
        return REGISTRY_NAME
    return (f"รอบสำรวจ {label}", f"survey round {label}")


@dataclass(frozen=True)
class KhetReturn:
    """One khet in one round, as khet_coverage holds it, with the khet's names."""

    khet_code: str
    name_th: str
    name_en: str
    status: str  # not_returned | partial | complete
    communities_surveyed: int
    communities_expected: int
    communities_not_found: int
    share_surveyed: float | None  # 0-1; None when nothing was expected
    last_return_at: datetime | None
    last_survey_date: date | None

    @property
    def returned(self) -> bool:
        return self.status != NOT_RETURNED

    @property
    def status_th(self) -> str:
        return STATUS_NAMES[self.status][0]

    @property
    def status_en(self) -> str:
        return STATUS_NAMES[self.status][1]

    @property
    def share_text(self) -> str:
        """ "80%", or "–" when the khet had no expected community."""
        return "–" if self.share_surveyed is None else f"{100 * self.share_surveyed:.0f}%"

    @property
    def last_return_text(self) -> str:
        return "–" if self.last_return_at is None else f"{self.last_return_at:%Y-%m-%d}"


@dataclass(frozen=True)
class RoundProgress:
    """How far one round has come: every khet's return, in khet code order."""

    survey_round: str
    round_order: int
    is_registry: bool
    khets: tuple[KhetReturn, ...]
    first_return_at: datetime | None
    last_return_at: datetime | None

    @property
    def name_th(self) -> str:
        return display_name(self.survey_round)[0]

    @property
    def name_en(self) -> str:
        return display_name(self.survey_round)[1]

    @property
    def returned(self) -> tuple[KhetReturn, ...]:
        return tuple(khet for khet in self.khets if khet.returned)

    @property
    def complete(self) -> tuple[KhetReturn, ...]:
        return tuple(khet for khet in self.khets if khet.status == COMPLETE)

    @property
    def missing(self) -> tuple[KhetReturn, ...]:
        return tuple(khet for khet in self.khets if not khet.returned)

    @property
    def sentence_th(self) -> str:
        return f"{len(self.returned)} จาก {len(self.khets)} เขตส่งข้อมูล{self.name_th}"

    @property
    def sentence_en(self) -> str:
        return f"{len(self.returned)} of {len(self.khets)} khets returned {self.name_en}"

    @property
    def missing_th(self) -> str:
        """ "ยังไม่ส่ง: เขตดุสิต, เขตบางรัก", or that every khet has returned."""
        if not self.missing:
            return "ส่งข้อมูลครบทุกเขต"
        return "ยังไม่ส่ง: " + ", ".join(f"เขต{khet.name_th}" for khet in self.missing)

    @property
    def missing_en(self) -> str:
        if not self.missing:
            return "every khet has returned"
        return "not returned yet: " + ", ".join(khet.name_en for khet in self.missing)

    @property
    def last_return_text(self) -> str:
        return "–" if self.last_return_at is None else f"{self.last_return_at:%Y-%m-%d}"


def round_progress(
    rounds: pd.DataFrame, coverage: pd.DataFrame, names: pd.DataFrame
) -> tuple[RoundProgress, ...]:
    """Every round's progress, first round first.

    ``rounds`` holds survey_round's rows, ``coverage`` khet_coverage's (round x khet) and
    ``names`` khet_code, name_th and name_en of every khet (names in ``coverage`` are replaced).
    Return times may be timestamps or their text (as the exports write them, +07:00).
    """
    named = coverage.drop(columns=["name_th", "name_en"], errors="ignore").merge(
        names[["khet_code", "name_th", "name_en"]], on="khet_code", how="left", validate="m:1"
    )
    named = named.assign(
        name_th=named["name_th"].fillna(named["khet_code"]),
        name_en=named["name_en"].fillna(named["khet_code"]),
    ).sort_values(["survey_round", "khet_code"])
    per_round = dict(list(named.groupby("survey_round", sort=False)))
    ordered = rounds.sort_values("round_order")
    return tuple(
        RoundProgress(
            survey_round=str(row.survey_round),
            round_order=_count(row.round_order),
            is_registry=bool(row.is_registry),
            khets=_khets(per_round.get(str(row.survey_round), named.iloc[0:0])),
            first_return_at=_moment(row.first_return_at),
            last_return_at=_moment(row.last_return_at),
        )
        for row in ordered.itertuples(index=False)  # one per round
    )


def _khets(coverage: pd.DataFrame) -> tuple[KhetReturn, ...]:
    return tuple(
        KhetReturn(
            khet_code=str(row.khet_code),
            name_th=str(row.name_th),
            name_en=str(row.name_en),
            status=str(row.status),
            communities_surveyed=_count(row.communities_surveyed),
            communities_expected=_count(row.communities_expected),
            communities_not_found=_count(row.communities_not_found),
            share_surveyed=_share(row.share_surveyed),
            last_return_at=_moment(row.last_return_at),
            last_survey_date=_day(row.last_survey_date),
        )
        for row in coverage.itertuples(index=False)  # one per khet (50)
    )


# A cell of a frame row: whatever pandas holds (NaN, NaT, None for NULL).
def _count(value: Any) -> int:
    return 0 if pd.isna(value) else int(value)


def _share(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def _moment(value: Any) -> datetime | None:
    if pd.isna(value):
        return None
    moment: datetime = pd.Timestamp(value).to_pydatetime()
    return moment


def _day(value: Any) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def latest_district_round(progress: tuple[RoundProgress, ...]) -> RoundProgress | None:
    """The newest round that is not the registry (the registry when there is no other)."""
    district = [p for p in progress if not p.is_registry]
    chosen = district or list(progress)
    return chosen[-1] if chosen else None
