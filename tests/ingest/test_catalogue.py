"""The field catalogue (aliases.toml), the schema and docs/ingestion.md say the same thing."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from citywide import schema
from citywide.ingest import rules
from citywide.ingest.columns import Kind, Vocabulary, vocabulary

INGESTION_DOC = Path(__file__).parents[2] / "docs" / "ingestion.md"
DOC_ROW = re.compile(r"^\| `(\w+)` \| ([a-z, ]+) \| .+ \|$", re.MULTILINE)
STORED = {
    column.name: column for spec in (schema.COMMUNITY, schema.HOUSEHOLD) for column in spec.columns
}


def documented() -> dict[str, list[str]]:
    """field -> its kind and flags, from the Fields table of docs/ingestion.md."""
    section = INGESTION_DOC.read_text(encoding="utf-8").split("### Fields", 1)[1]
    return {name: cell.split(", ") for name, cell in DOC_ROW.findall(section)}


def test_every_kind_is_known_and_every_enum_has_its_values() -> None:
    catalogue = vocabulary()
    assert {f.kind for f in catalogue.fields.values()} <= set(typing.get_args(Kind))
    for field in catalogue.fields_of_kind("enum"):
        assert catalogue.enum_codes(field), f"{field} has no [values.{field}]"


def test_every_field_is_documented_with_its_kind() -> None:
    catalogue = vocabulary()
    expected = {
        f.name: [f.kind, *(["location"] if f.location else [])] for f in catalogue.fields.values()
    }
    assert documented() == expected


def test_the_stored_fields_have_the_catalogue_kinds() -> None:
    """Counts are whole numbers from 0, amounts numbers from 0, enums hold their codes."""
    catalogue = vocabulary()
    for name in catalogue.fields_of_kind("count", "amount", "enum"):
        assert name in STORED, f"{name} is read but stored in neither community nor household"
    for name in catalogue.fields_of_kind("count"):
        assert (STORED[name].sql_type, STORED[name].check) == ("BIGINT", f"{name} >= 0")
    for name in catalogue.fields_of_kind("amount"):
        assert (STORED[name].sql_type, STORED[name].check) == ("DOUBLE", f"{name} >= 0")
    # every date is read into the survey date
    assert "survey_date" in catalogue.fields_of_kind("date")
    assert STORED["survey_date"].sql_type == "DATE"
    assert not set(catalogue.fields_of_kind("date")) - {"survey_date"} & set(STORED)
    for name in catalogue.fields_of_kind("enum"):
        codes = set(catalogue.enum_codes(name))
        column = STORED[name]
        if column.sql_type == "BOOLEAN":
            assert codes == {"yes", "no"}, name
        else:
            assert column.sql_type == "VARCHAR", name
            assert set(re.split(r", | or ", column.meaning)) == codes, name
    assert {c.name for c in schema.SURVEY_FIELDS} <= set(catalogue.fields_of_kind("enum"))


def test_the_rules_read_the_catalogue_kinds() -> None:
    """What the staging SQL was written for, now read from the catalogue (same SQL, same order)."""
    assert rules.COUNT_FIELDS == (
        "houses",
        "households",
        "population",
        "male",
        "female",
        "members",
        "years_in_community",
        "rooms",
    )
    assert rules.AMOUNT_FIELDS == ("monthly_income", "floor_area")
    assert len(rules.ENUM_FIELDS) == 20
    assert rules.DATE_FIELDS == ("survey_date", "submission_time")  # survey_date first: it wins
    assert rules.LOCATION_FIELDS == ("lat", "lon", "coordinates", "easting", "northing")


def table(**fields: dict[str, object]) -> dict[str, object]:
    values = {"t": {"a": ["A"]}} if "t" in fields else {}
    return {
        "fields": fields,
        "personal": {
            "aliases": [],
            "contains": [],
            "household": {"aliases": [], "contains": []},
        },
        "values": values,
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"a": {"kind": "integer", "aliases": ["a"]}}, "kind 'integer' is not one of"),
        ({"a": {"kind": "number", "aliases": ["a"], "location": "yes"}}, "location must be"),
        ({"e": {"kind": "enum", "aliases": ["e"]}}, r"without \[values.FIELD\]: \['e'\]"),
        ({"t": {"kind": "text", "aliases": ["t"]}}, r"that are not enums: \['t'\]"),
    ],
    ids=["unknown-kind", "location-not-a-flag", "enum-without-values", "values-of-a-text"],
)
def test_a_catalogue_that_contradicts_itself_is_refused(
    fields: dict[str, dict[str, object]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Vocabulary(table(**fields))
