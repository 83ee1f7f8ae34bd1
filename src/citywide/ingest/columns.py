"""Header and value vocabularies, from the declarative ``aliases.toml``."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Literal, get_args

from citywide.text import normalise_text

Kind = Literal["text", "code", "count", "amount", "number", "date", "enum"]
PERSONAL = "personal"
# The field whose presence makes a table a household return (one row per household).
HOUSEHOLD_KEY = "household_code"
_BRACKETED = re.compile(r"[(\[].*?[)\]]")
_FOLD = re.compile(r"[\s_\-.:,;'’`\"()\[\]/\\]+")
_GROUP_SEPARATOR = re.compile(r"[/:]")


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    aliases: tuple[str, ...]
    location: bool = False  # locates the row (a home, in a household return)


def fold(text: str) -> str:
    """The form headers and values are compared in: NFC, lower case, no spaces or punctuation."""
    return _FOLD.sub("", normalise_text(text).casefold())


class Vocabulary:
    """Which header means which field, which headers are personal, what enum values mean."""

    def __init__(self, table: dict[str, object]) -> None:
        fields = table["fields"]
        assert isinstance(fields, dict)
        self.fields = {
            name: Field(name, spec["kind"], tuple(spec["aliases"]), spec.get("location", False))
            for name, spec in fields.items()
        }
        for field in self.fields.values():
            if field.kind not in get_args(Kind):
                raise ValueError(
                    f"field {field.name}: kind {field.kind!r} is not one of {get_args(Kind)}"
                )
            if not isinstance(field.location, bool):
                raise ValueError(f"field {field.name}: location must be true or false")
        self._header_to_field: dict[str, str] = {}
        for field in self.fields.values():
            # a field's own name is a header too: the XLSForm's question names are field names
            # (citywide.template), so a Kobo/ODK export with XML names is read as written
            for alias in dict.fromkeys((*field.aliases, field.name)):
                key = fold(alias)
                existing = self._header_to_field.setdefault(key, field.name)
                if existing != field.name:
                    raise ValueError(f"alias {alias!r} names both {existing} and {field.name}")
        personal = table["personal"]
        assert isinstance(personal, dict)
        self._personal_exact = {fold(a) for a in personal["aliases"]}
        self._personal_contains = tuple(fold(a) for a in personal["contains"])
        household = personal["household"]
        self._household_exact = {fold(a) for a in household["aliases"]}
        self._household_contains = tuple(fold(a) for a in household["contains"])
        values = table.get("values", {})
        assert isinstance(values, dict)
        self._values: dict[str, dict[str, str]] = {}
        self._value_texts: dict[str, dict[str, tuple[str, ...]]] = {
            field_name: {code: tuple(texts) for code, texts in canon.items()}
            for field_name, canon in values.items()
        }
        for field_name, canon in values.items():
            lookup: dict[str, str] = {}
            for code, texts in canon.items():
                for text in (code, *texts):
                    lookup.setdefault(fold(text), code)
            self._values[field_name] = lookup
        enums = set(self.fields_of_kind("enum"))
        if enums != set(self._values):
            raise ValueError(
                f"enum fields without [values.FIELD]: {sorted(enums - set(self._values))}; "
                f"[values.FIELD] of fields that are not enums: {sorted(set(self._values) - enums)}"
            )

    def is_personal(self, header: str) -> bool:
        return _matches(header, self._personal_exact, self._personal_contains)

    def is_household_personal(self, header: str) -> bool:
        """Personal in a household return: a name, an address or a location of a home."""
        return _matches(header, self._household_exact, self._household_contains)

    def field_for(self, header: str, group: str = "") -> str | None:
        """The field a header names (trying "group name" first), "personal", or None."""
        if self.is_personal(header) or (group and self.is_personal(f"{group} {header}")):
            return PERSONAL
        for candidate in _header_variants(header, group):
            field = self._header_to_field.get(candidate)
            if field:
                return field
        return None

    def enum_codes(self, field: str) -> tuple[str, ...]:
        return tuple(sorted(set(self._values[field].values())))

    def enum_values(self, field: str) -> dict[str, tuple[str, ...]]:
        """An enum's codes in the catalogue's order, each with the texts that mean it."""
        return dict(self._value_texts[field])

    def enum_value(self, field: str, text: str) -> str | None:
        """The canonical code of an enum value, or None if the text is not recognised."""
        return self._values[field].get(fold(text))

    def fields_of_kind(self, *kinds: Kind) -> list[str]:
        """The fields of these kinds, in the catalogue's order."""
        return [name for name, field in self.fields.items() if field.kind in kinds]

    def location_fields(self, *kinds: Kind) -> list[str]:
        """The fields that locate a row (of these kinds, if given), in the catalogue's order."""
        return [
            name
            for name, field in self.fields.items()
            if field.location and (not kinds or field.kind in kinds)
        ]


def _matches(header: str, exact: set[str], contains: tuple[str, ...]) -> bool:
    key = fold(header)
    last = fold(_GROUP_SEPARATOR.split(header)[-1])
    if key in exact or last in exact:
        return True
    return any(part and part in key for part in contains)


def _header_variants(header: str, group: str) -> list[str]:
    """Ways to read a header: with its group, whole, without units, without a Kobo group."""
    last = _GROUP_SEPARATOR.split(header)[-1]
    texts = [f"{group} {header}"] if group else []
    texts += [header, _BRACKETED.sub("", header), last, _BRACKETED.sub("", last)]
    return [key for key in dict.fromkeys(fold(text) for text in texts) if key]


@functools.cache
def vocabulary() -> Vocabulary:
    """The packaged vocabulary (``citywide/ingest/aliases.toml``)."""
    text = resources.files("citywide.ingest").joinpath("aliases.toml").read_text(encoding="utf-8")
    return Vocabulary(tomllib.loads(text))
