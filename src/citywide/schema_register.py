"""The linked tables: survey rounds, khet coverage, the community register, its links and changes.

Built by the linking step (citywide.register) after ingestion and before the indicators, from the
community and household records and the link decisions; docs/linking.md gives every rule.
"""

from __future__ import annotations

from citywide.table_spec import Column, TableSpec

LINK_METHODS = ("code", "name", "fuzzy", "manual", "new")
COVERAGE_STATUSES = ("not_returned", "partial", "complete")
REGISTER_STATUSES = ("active", "not_found", "merged")
CHANGE_EVENTS = ("appeared", "seen", "not_found")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


# What every community and household record carries, appended to its table (migration 3).
LINK_COLUMNS = (
    Column(
        "community_id",
        "VARCHAR",
        "The community in community_register this record is linked to (NULL: a household "
        "that names no community)",
        nullable=True,
    ),
    Column(
        "link_method",
        "VARCHAR",
        "How it was linked: code, name, fuzzy, manual or new (docs/linking.md)",
        nullable=True,
        check=_one_of("link_method", LINK_METHODS),
    ),
    Column(
        "link_score",
        "DOUBLE",
        "Fit of the link, 0-100 (100 for code and name; the fuzzy fit; NULL for manual and new)",
        nullable=True,
    ),
)

SURVEY_ROUND = TableSpec(
    name="survey_round",
    meaning=(
        "Every survey round, in order: the BMA registry first, then the district rounds in the "
        "order their first file arrived; with its display name and how far it has come."
    ),
    columns=(
        Column("survey_round", "VARCHAR", "Survey round label, e.g. 2568 or bma_registry"),
        Column("round_order", "BIGINT", "1 for the first round (the registry), then in order"),
        Column("name_th", "VARCHAR", "Display name in Thai, e.g. รอบสำรวจ 2568"),
        Column("name_en", "VARCHAR", "Display name in English, e.g. survey round 2568"),
        Column("is_registry", "BOOLEAN", "The BMA community registry, which seeds the register"),
        Column("files", "BIGINT", "Loaded file tables of the round"),
        Column("khets_returned", "BIGINT", "Khets with a partial or complete return"),
        Column("khets_complete", "BIGINT", "Khets whose return is complete"),
        Column("first_return_at", "TIMESTAMPTZ", "When its first file was ingested"),
        Column("last_return_at", "TIMESTAMPTZ", "When its last file was ingested"),
        Column("first_survey_date", "DATE", "Earliest survey date of its records", nullable=True),
        Column("last_survey_date", "DATE", "Latest survey date of its records", nullable=True),
    ),
    primary_key=("survey_round",),
)

KHET_COVERAGE = TableSpec(
    name="khet_coverage",
    meaning=(
        "How far each round has come in each khet: every round x all 50 khets. Expected "
        "communities are the register's as it stood before the round; the status rule is in "
        "docs/linking.md. Counts of communities only: no survey value."
    ),
    columns=(
        Column("survey_round", "VARCHAR", "Survey round label"),
        Column("khet_code", "VARCHAR", "Khet (khet.khet_code)"),
        Column(
            "status",
            "VARCHAR",
            "not_returned (no record of the khet in the round), partial or complete",
            check=_one_of("status", COVERAGE_STATUSES),
        ),
        Column("files", "BIGINT", "Loaded file tables of the round with records of the khet"),
        Column("communities_surveyed", "BIGINT", "Register communities the round has records of"),
        Column(
            "communities_expected",
            "BIGINT",
            "Active register communities of the khet before the round",
        ),
        Column("expected_surveyed", "BIGINT", "Of the expected communities, those surveyed"),
        Column(
            "share_surveyed",
            "DOUBLE",
            "expected_surveyed / communities_expected, 0-1 (NULL when nothing was expected)",
            nullable=True,
        ),
        Column("communities_new", "BIGINT", "Communities first seen in this round"),
        Column(
            "communities_not_found",
            "BIGINT",
            "Expected communities a complete return does not contain (0 unless complete)",
        ),
        Column(
            "first_return_at", "TIMESTAMPTZ", "First file with the khet ingested", nullable=True
        ),
        Column("last_return_at", "TIMESTAMPTZ", "Last file with the khet ingested", nullable=True),
        Column("last_survey_date", "DATE", "Latest survey date of its records", nullable=True),
    ),
    primary_key=("survey_round", "khet_code"),
)

COMMUNITY_REGISTER = TableSpec(
    name="community_register",
    meaning=(
        "One row per community of Bangkok, across the registry and every round: the entity each "
        "record links to. Seeded from the BMA registry; a community first seen in a district "
        "return is added with an id derived from its first record."
    ),
    columns=(
        Column(
            "community_id",
            "VARCHAR",
            "Stable id: BMA-<registry code> for registry communities (BMA-<khet>-<code> for a "
            "code that does not start with its khet's), NEW-<khet>-<hash> for those first seen "
            "in a district return",
        ),
        Column("khet_code", "VARCHAR", "Khet (khet.khet_code)"),
        Column("khwaeng_code", "VARCHAR", "Khwaeng, if known", nullable=True),
        Column(
            "canonical_name", "VARCHAR", "Name, as the registry (or its first record) writes it"
        ),
        Column("name_key", "VARCHAR", "Normalised name the linking compares (docs/linking.md)"),
        Column("community_code", "VARCHAR", "Community code, if one", nullable=True),
        Column("community_type", "VARCHAR", "Community type as last recorded", nullable=True),
        Column("lat", "DOUBLE", "Latitude of its first located record", nullable=True),
        Column("lon", "DOUBLE", "Longitude of its first located record", nullable=True),
        Column("first_round", "VARCHAR", "First round with a record of it"),
        Column("last_round", "VARCHAR", "Last round with a record of it"),
        Column("rounds_seen", "BIGINT", "Rounds with a record of it"),
        Column(
            "status",
            "VARCHAR",
            "active; not_found (missing from its khet's latest complete return: possibly "
            "evicted or relocated); merged (a decision joined it to merged_into)",
            check=_one_of("status", REGISTER_STATUSES),
        ),
        Column("not_found_round", "VARCHAR", "The round it was last not found in", nullable=True),
        Column("merged_into", "VARCHAR", "The community_id it was merged into", nullable=True),
    ),
    primary_key=("community_id",),
)

LINK_REVIEW = TableSpec(
    name="link_review",
    meaning=(
        "Records that fit two register communities about equally well: never guessed, linked "
        "new until a person decides (`citywide links review`). One row per record and candidate."
    ),
    columns=(
        Column("survey_round", "VARCHAR", "Survey round of the record"),
        Column("community_key", "VARCHAR", "The record's community_key in that round"),
        Column("khet_code", "VARCHAR", "Khet of the record"),
        Column("community_name", "VARCHAR", "Name as written", nullable=True),
        Column("community_code", "VARCHAR", "Code as written", nullable=True),
        Column("source_file_id", "BIGINT", "File of the record (source_file)", nullable=True),
        Column("source_row", "BIGINT", "Row of the record in that file", nullable=True),
        Column("candidate_rank", "BIGINT", "1 = best fit"),
        Column("candidate_id", "VARCHAR", "A register community it may be"),
        Column("candidate_name", "VARCHAR", "That community's canonical name"),
        Column("name_score", "DOUBLE", "Name similarity, 0-100"),
        Column(
            "distance_m",
            "DOUBLE",
            "Distance between the points, m, if both have one",
            nullable=True,
        ),
        Column("fit", "DOUBLE", "Name similarity less the distance penalty, 0-100"),
        Column(
            "reason",
            "VARCHAR",
            "same_name (several share the name), close_fit (two fit about equally), "
            "many_edits (one fits, but more than link_max_edits letters apart) or "
            "shared_candidate (another record of the round fits it about as well)",
        ),
    ),
    primary_key=("survey_round", "community_key", "candidate_rank"),
)

LINK_DECISION = TableSpec(
    name="link_decision",
    meaning=(
        "Link decisions read from data/raw/links/: a person's choice for a record in review, "
        "with the file and row it came from. Applied on every run (idempotent)."
    ),
    columns=(
        Column("survey_round", "VARCHAR", "Survey round of the record"),
        Column("community_key", "VARCHAR", "The record's community_key in that round"),
        Column("decision", "VARCHAR", "The chosen community_id, or new"),
        Column("file_name", "VARCHAR", "Decision file, relative to data/raw/links/"),
        Column("sha256", "VARCHAR", "sha256 of that file"),
        Column("sheet", "VARCHAR", "Sheet of an xlsx decision file", nullable=True),
        Column("source_row", "BIGINT", "Row in that file"),
        Column("applied", "BOOLEAN", "false when the record or the community is not known"),
        Column("message", "VARCHAR", "Why it was not applied", nullable=True),
    ),
    primary_key=("survey_round", "community_key"),
)

COMMUNITY_CHANGE = TableSpec(
    name="community_change",
    meaning=(
        "Change over time per register community: one row per round in which it was surveyed "
        "(against the previous round it was surveyed in) or not found by a complete return."
    ),
    columns=(
        Column("community_id", "VARCHAR", "The community (community_register)"),
        Column("khet_code", "VARCHAR", "Its khet"),
        Column("from_round", "VARCHAR", "The previous round with a record of it", nullable=True),
        Column("to_round", "VARCHAR", "This round"),
        Column(
            "event",
            "VARCHAR",
            "appeared (first record, after the registry), seen, or not_found",
            check=_one_of("event", CHANGE_EVENTS),
        ),
        Column("households_from", "BIGINT", "Households in from_round", nullable=True),
        Column("households_to", "BIGINT", "Households in to_round", nullable=True),
        Column("households_change", "BIGINT", "households_to - households_from", nullable=True),
        Column("population_from", "BIGINT", "Population in from_round", nullable=True),
        Column("population_to", "BIGINT", "Population in to_round", nullable=True),
        Column("population_change", "BIGINT", "population_to - population_from", nullable=True),
        Column("community_type_from", "VARCHAR", "Community type in from_round", nullable=True),
        Column("community_type_to", "VARCHAR", "Community type in to_round", nullable=True),
        Column("tenure_from", "VARCHAR", "Tenure in from_round", nullable=True),
        Column("tenure_to", "VARCHAR", "Tenure in to_round", nullable=True),
        Column("eviction_threat_from", "VARCHAR", "Eviction threat in from_round", nullable=True),
        Column("eviction_threat_to", "VARCHAR", "Eviction threat in to_round", nullable=True),
    ),
    primary_key=("community_id", "to_round"),
)

REGISTER_TABLES = (
    SURVEY_ROUND,
    KHET_COVERAGE,
    COMMUNITY_REGISTER,
    LINK_REVIEW,
    LINK_DECISION,
    COMMUNITY_CHANGE,
)
