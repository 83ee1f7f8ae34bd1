"""The fields a district office writes, per kind of record, derived from the field catalogue.

Nothing here lists a field. A field of the catalogue (``citywide/ingest/aliases.toml``) is asked
for a kind of record (community, household) when that kind's table keeps it: a column of the
same name, or ``<field>_code`` for the khet and khwaeng, which are read as places. Fields the
Kobo server writes itself (a submission's id or time) are asked of no one. Labels are the
catalogue's own: the first Thai alias, and the English one (the field's name spelled out when
that is an alias, else the first English alias); an enum's choices are its codes with their
first Thai and English texts. A field added to the catalogue and kept by a table appears in the
template and the form without a change here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from citywide.ingest.columns import Field, Kind, Vocabulary, vocabulary
from citywide.ingest.kinds import RECORD_KINDS
from citywide.ingest.layout import RecordKind
from citywide.ingest.readers.kobo import is_kobo_metadata
from citywide.schema import KHET, KHWAENG

Place = Literal["khet", "khwaeng"]
# The geography tables a place field's code points into (khet_code -> khet, khwaeng_code ->
# khwaeng): their values come from the gazetteer, not from the catalogue.
PLACE_TABLES: dict[str, Place] = {KHET.name: "khet", KHWAENG.name: "khwaeng"}
RECORD_KIND_NAMES: tuple[RecordKind, ...] = get_args(RecordKind)
_THAI = re.compile("[\u0e00-\u0e7f]")
_ENGLISH = re.compile("^[ -~]*[A-Za-z][ -~]*$")


@dataclass(frozen=True)
class Choice:
    """One value of an enum field: its canonical code and the labels a person picks."""

    code: str
    label_th: str
    label_en: str


@dataclass(frozen=True)
class FormField:
    """A field as the template and the form ask for it."""

    name: str
    kind: Kind
    label_th: str
    label_en: str
    choices: tuple[Choice, ...] = ()  # an enum's values, in the catalogue's order
    place: Place | None = None  # khet or khwaeng: a name from the gazetteer
    location: bool = False  # locates the row (asked as one GPS point in the form)
    required: bool = False  # a row without it is rejected


def _label_th(field: Field) -> str:
    return next((a for a in field.aliases if _THAI.search(a)), field.name)


def _label_en(field: Field) -> str:
    spelled = field.name.replace("_", " ")
    english = [a for a in field.aliases if _ENGLISH.match(a) and not a.startswith("_")]
    preferred = [spelled] if " " in spelled and spelled in english else []
    label = next(iter([*preferred, *english]), spelled)
    return label[:1].upper() + label[1:]


def _choices(field: Field, vocab: Vocabulary) -> tuple[Choice, ...]:
    if field.kind != "enum":
        return ()
    choices = []
    for code, texts in vocab.enum_values(field.name).items():
        thai = next((t for t in texts if _THAI.search(t)), code)
        english = next((t for t in texts if _ENGLISH.match(t)), code.replace("_", " "))
        choices.append(Choice(code, thai, english))
    return tuple(choices)


def _place(field: Field, columns: set[str]) -> Place | None:
    if f"{field.name}_code" in columns:
        return PLACE_TABLES.get(field.name)
    return None


def _kept(field: Field, columns: set[str]) -> bool:
    return field.name in columns or _place(field, columns) is not None


def _required(kind: RecordKind) -> frozenset[str]:
    """A row without its identity (the shape's missing field) or its khet is rejected."""
    khet = next(name for name, place in PLACE_TABLES.items() if place == "khet")
    return frozenset({RECORD_KINDS[kind].shape.missing_field, khet})


def record_fields(kind: RecordKind, vocab: Vocabulary | None = None) -> tuple[FormField, ...]:
    """The fields a person writes for a record of ``kind``, in the catalogue's order."""
    vocab = vocab or vocabulary()
    columns = set(RECORD_KINDS[kind].table.column_names)
    required = _required(kind)
    return tuple(
        FormField(
            name=field.name,
            kind=field.kind,
            label_th=_label_th(field),
            label_en=_label_en(field),
            choices=_choices(field, vocab),
            place=_place(field, columns),
            location=field.location,
            required=field.name in required,
        )
        for field in vocab.fields.values()
        if _kept(field, columns) and not is_kobo_metadata(field)
    )


def device_fields(kind: RecordKind, vocab: Vocabulary | None = None) -> tuple[str, ...]:
    """Fields of ``kind``'s table that the form's device writes (a submission id), by name."""
    vocab = vocab or vocabulary()
    columns = set(RECORD_KINDS[kind].table.column_names)
    return tuple(
        field.name
        for field in vocab.fields.values()
        if _kept(field, columns) and is_kobo_metadata(field)
    )


def reference_fields(vocab: Vocabulary | None = None) -> tuple[FormField, ...]:
    """Fields a household shares with its community that say which community it is (its
    khet, khwaeng, community name and code, survey date): in the form, the roster copies them
    from the community instead of asking again. Shared enums (tenure, condition) are asked
    again: a household's own may differ from its community's."""
    community = {f.name for f in record_fields("community", vocab)}
    return tuple(
        f
        for f in record_fields("household", vocab)
        if f.name in community and f.kind in ("text", "code", "date")
    )


def same_header(field: FormField, vocab: Vocabulary | None = None) -> bool:
    """Both labels of ``field`` are read back as ``field`` by the ingestion (checked on use)."""
    vocab = vocab or vocabulary()
    return all(vocab.field_for(label) == field.name for label in (field.label_th, field.label_en))
