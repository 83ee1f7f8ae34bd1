"""Bangkok's 50 khets and 180 khwaeng: codes, official names, and one resolver for every spelling.

Khet names are the project's own table (``data/khet.csv``: DOPA codes, Thai names, official RTGS
English names); khwaeng come from the geothai package (DOPA codes, Thai and English names).
Known variant spellings are declared in ``data/khet_aliases.csv`` and ``data/khwaeng_aliases.csv``,
not in code. The resolver never guesses: input it cannot place exactly comes back unresolved, with
the closest candidates for a person to choose from.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Literal

import geothai
import pandas as pd
from rapidfuzz import fuzz, process

from citywide.text import normalise_text

BANGKOK_PROVINCE_CODE = "10"
Level = Literal["khet", "khwaeng"]
Method = Literal["code", "name", "alias", "abbreviation", "unknown", "ambiguous", "empty"]

_PREFIXES: dict[Level, re.Pattern[str]] = {
    "khet": re.compile(r"^(สำนักงานเขต|เขต|khet|district office of|district)\s*"),
    "khwaeng": re.compile(r"^(แขวง|ตำบล|ต\.|khwaeng|kwaeng|sub-?district|tambon)\s*"),
}
_SUFFIXES: dict[Level, re.Pattern[str]] = {
    "khet": re.compile(r"\s*(district office|district|khet)$"),
    "khwaeng": re.compile(r"\s*(sub-?district|khwaeng)$"),
}
_SEPARATORS = re.compile(r"[\s\-_.,'’`()/]+")
_ABBREVIATION = "ฯ"  # paiyannoi: "ป้อมปราบฯ" abbreviates ป้อมปราบศัตรูพ่าย
_CODE = {"khet": re.compile(r"^(?:th)?(\d{4})$"), "khwaeng": re.compile(r"^(?:th)?(\d{6})$")}
_CANDIDATE_LIMIT = 3
_CANDIDATE_MIN_SIMILARITY = 0.5
_LEVEL_TH = {"khet": "เขต", "khwaeng": "แขวง"}


@dataclass(frozen=True)
class Place:
    """One khet or khwaeng."""

    code: str
    name_th: str
    name_en: str

    def label(self) -> str:
        return f"{self.code} {self.name_th} ({self.name_en})"


@dataclass(frozen=True)
class Resolution:
    """The answer to "which khet (or khwaeng) is this?"."""

    query: str
    level: Level
    code: str | None
    method: Method
    candidates: tuple[Place, ...] = ()

    @property
    def resolved(self) -> bool:
        return self.code is not None

    def message(self) -> str:
        """A bilingual sentence, Thai first, for reports and error messages."""
        return f"{self.message_th()} / {self.message_en()}"

    def message_th(self) -> str:
        level_th = _LEVEL_TH[self.level]
        if self.resolved:
            return f'{level_th} "{self.query}" = {self.code}'
        listed = self._listed()
        if self.method == "ambiguous":
            return f'ชื่อ{level_th} "{self.query}" กำกวม อาจเป็น: {listed}'
        return f'ไม่รู้จัก{level_th} "{self.query}" ที่ใกล้เคียง: {listed}'

    def message_en(self) -> str:
        if self.resolved:
            return f'{self.level} "{self.query}" = {self.code}'
        listed = self._listed()
        if self.method == "ambiguous":
            return f'ambiguous {self.level} "{self.query}", could be: {listed}'
        return f'unknown {self.level} "{self.query}", closest: {listed}'

    def _listed(self) -> str:
        return "; ".join(place.label() for place in self.candidates) or "-"


def match_key(text: str, level: Level) -> str:
    """Fold a written name into the form names are compared in.

    NFC, ASCII digits, one sara am form, lower case, no level word (เขต, Khet, District, แขวง...),
    no spaces or punctuation. "เขต ยาน นาวา", "Yan na wa District" and "yannawa" differ in all of
    this and nothing else.
    """
    key = normalise_text(text).casefold()
    key = _PREFIXES[level].sub("", key)
    key = _SUFFIXES[level].sub("", key)
    return _SEPARATORS.sub("", key)


class _Index:
    """Match keys of one set of places (all khets, or the khwaeng of one scope)."""

    def __init__(self, level: Level, places: dict[str, Place]) -> None:
        self.level = level
        self.places = places
        self.keys: dict[str, set[str]] = defaultdict(set)
        self.methods: dict[str, Method] = {}

    def add(self, code: str, text: str, method: Method) -> None:
        key = match_key(text, self.level)
        if key:
            self.keys[key].add(code)
            self.methods.setdefault(key, method)

    def resolve(self, query: str) -> Resolution:
        key = match_key(query, self.level)
        if not key:
            return Resolution(query, self.level, None, "empty")
        code_match = _CODE[self.level].match(key)
        if code_match:
            code = code_match.group(1)
            if code in self.places:
                return Resolution(query, self.level, code, "code")
            return Resolution(query, self.level, None, "unknown")
        if key.endswith(_ABBREVIATION):
            return self._by_abbreviation(query, key.rstrip(_ABBREVIATION))
        codes = self.keys.get(key, set())
        if len(codes) == 1:
            return Resolution(query, self.level, next(iter(codes)), self.methods[key])
        if len(codes) > 1:
            return Resolution(query, self.level, None, "ambiguous", self._places(codes))
        return Resolution(query, self.level, None, "unknown", self._closest(key))

    def _by_abbreviation(self, query: str, stem: str) -> Resolution:
        codes = {code for key, codes in self.keys.items() if key.startswith(stem) for code in codes}
        if stem and len(codes) == 1:
            return Resolution(query, self.level, next(iter(codes)), "abbreviation")
        if len(codes) > 1:
            return Resolution(query, self.level, None, "ambiguous", self._places(codes))
        return Resolution(query, self.level, None, "unknown", self._closest(stem))

    def _closest(self, key: str) -> tuple[Place, ...]:
        """The places whose names are most like ``key``, most similar first (rapidfuzz's
        normalised Indel similarity; ties by code): "คลองเตีย" gives 1033 คลองเตย before
        1018 คลองสาน."""
        best: dict[str, float] = {}
        for candidate_key, score, _ in process.extract(
            key,
            list(self.keys),
            scorer=fuzz.ratio,
            limit=None,
            score_cutoff=_CANDIDATE_MIN_SIMILARITY * 100,
        ):
            for code in self.keys[candidate_key]:
                best[code] = max(best.get(code, 0.0), score)
        ranked = sorted(best, key=lambda code: (-best[code], code))
        return tuple(self.places[code] for code in ranked[:_CANDIDATE_LIMIT])

    def _places(self, codes: Iterable[str]) -> tuple[Place, ...]:
        return tuple(self.places[code] for code in sorted(codes))


class Gazetteer:
    """Khet and khwaeng tables with resolvers. Build with :func:`load_gazetteer`."""

    def __init__(
        self,
        khets: pd.DataFrame,
        khwaengs: pd.DataFrame,
        khet_aliases: pd.DataFrame,
        khwaeng_aliases: pd.DataFrame,
    ) -> None:
        self.khets = khets.sort_values("khet_code").reset_index(drop=True)
        self.khwaengs = khwaengs.sort_values("khwaeng_code").reset_index(drop=True)
        khet_places = _places(self.khets, "khet_code")
        khwaeng_places = _places(self.khwaengs, "khwaeng_code")

        self._khet_index = _Index("khet", khet_places)
        for code, place in khet_places.items():
            self._khet_index.add(code, place.name_th, "name")
            self._khet_index.add(code, place.name_en, "name")
        for code, alias in zip(khet_aliases["khet_code"], khet_aliases["alias"], strict=True):
            self._khet_index.add(code, alias, "alias")

        khet_of = dict(zip(self.khwaengs["khwaeng_code"], self.khwaengs["khet_code"], strict=True))
        self._khwaeng_city = _Index("khwaeng", khwaeng_places)
        per_khet: dict[str, dict[str, Place]] = defaultdict(dict)
        for code, place in khwaeng_places.items():
            per_khet[khet_of[code]][code] = place
        self._khwaeng_by_khet = {
            khet: _Index("khwaeng", places) for khet, places in per_khet.items()
        }
        entries: list[tuple[str, str, Method]] = [
            *((code, place.name_th, "name") for code, place in khwaeng_places.items()),
            *((code, place.name_en, "name") for code, place in khwaeng_places.items()),
            *(
                (code, alias, "alias")
                for code, alias in zip(
                    khwaeng_aliases["khwaeng_code"], khwaeng_aliases["alias"], strict=True
                )
            ),
        ]
        for code, text, method in entries:
            self._khwaeng_city.add(code, text, method)
            self._khwaeng_by_khet[khet_of[code]].add(code, text, method)
        _reject_colliding_keys(self._khet_index)
        for index in self._khwaeng_by_khet.values():
            _reject_colliding_keys(index)

    @property
    def khet_codes(self) -> list[str]:
        return list(self.khets["khet_code"])

    def khet(self, code: str) -> Place:
        return self._khet_index.places[code]

    def khwaeng(self, code: str) -> Place:
        return self._khwaeng_city.places[code]

    def resolve_khet(self, text: str) -> Resolution:
        """Which khet does this text name? Unresolved (with candidates) unless certain."""
        return self._khet_index.resolve(text)

    def resolve_khwaeng(self, text: str, khet_code: str | None = None) -> Resolution:
        """Which khwaeng does this text name, within ``khet_code`` when given?

        Khwaeng names repeat across khets, so without a khet a repeated name is ambiguous.
        A khwaeng code that belongs to another khet than ``khet_code`` is unknown, with the
        khwaeng it does name as the candidate.
        """
        if khet_code is None:
            return self._khwaeng_city.resolve(text)
        index = self._khwaeng_by_khet.get(khet_code)
        if index is None:
            return Resolution(text, "khwaeng", None, "unknown")
        found = index.resolve(text)
        if not found.resolved and found.method == "unknown":
            elsewhere = self._khwaeng_city.resolve(text)
            if elsewhere.code is not None:
                return Resolution(text, "khwaeng", None, "unknown", (self.khwaeng(elsewhere.code),))
        return found

    def resolve_khets(self, values: pd.Series) -> pd.DataFrame:
        """Resolve a column of khet texts; each distinct text is resolved once.

        Returns one row per input row with ``khet_code`` (missing where unresolved), ``method``
        and ``message``, on the input's index.
        """
        texts = values.astype("string")
        distinct = texts.dropna().unique()
        answers = {text: self.resolve_khet(text) for text in distinct}
        frame = pd.DataFrame(
            {
                "khet_code": [answers[t].code for t in distinct],
                "method": [answers[t].method for t in distinct],
                "message": [answers[t].message() for t in distinct],
            },
            index=pd.Index(distinct, dtype="string"),
        )
        out = frame.reindex(texts.to_numpy()).set_axis(values.index)
        out["khet_code"] = out["khet_code"].astype("string")
        out["method"] = out["method"].fillna("empty")
        return out


def _places(frame: pd.DataFrame, code_column: str) -> dict[str, Place]:
    return {
        code: Place(code, name_th, name_en)
        for code, name_th, name_en in zip(
            frame[code_column], frame["name_th"], frame["name_en"], strict=True
        )
    }


def _reject_colliding_keys(index: _Index) -> None:
    collisions = {key: codes for key, codes in index.keys.items() if len(codes) > 1}
    if collisions:
        raise ValueError(f"gazetteer aliases name more than one {index.level}: {collisions}")


def _read_package_csv(name: str) -> pd.DataFrame:
    with resources.files("citywide.data").joinpath(name).open(encoding="utf-8") as handle:
        return pd.DataFrame(list(csv.DictReader(handle)), dtype="string")


def _geothai_khwaengs() -> pd.DataFrame:
    rows = [
        (sub.code, sub.district_code, sub.name_th, sub.name_en)
        for district in geothai.districts(BANGKOK_PROVINCE_CODE)
        for sub in geothai.subdistricts(district.code)
    ]
    return pd.DataFrame(
        rows, columns=["khwaeng_code", "khet_code", "name_th", "name_en"], dtype="string"
    )


@functools.cache
def load_gazetteer() -> Gazetteer:
    """The gazetteer from package data and geothai (built once per process)."""
    return Gazetteer(
        khets=_read_package_csv("khet.csv"),
        khwaengs=_geothai_khwaengs(),
        khet_aliases=_read_package_csv("khet_aliases.csv"),
        khwaeng_aliases=_read_package_csv("khwaeng_aliases.csv"),
    )


def resolve_khet(text: str) -> Resolution:
    """Shortcut for ``load_gazetteer().resolve_khet(text)``."""
    return load_gazetteer().resolve_khet(text)


def resolve_khwaeng(text: str, khet_code: str | None = None) -> Resolution:
    """Shortcut for ``load_gazetteer().resolve_khwaeng(text, khet_code)``."""
    return load_gazetteer().resolve_khwaeng(text, khet_code)
