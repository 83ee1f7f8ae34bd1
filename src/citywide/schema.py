"""The published DuckDB tables: columns, types, constraints and one-line meanings.

docs/data-model.md documents every column declared here (a test holds the two together).
"""

from __future__ import annotations

from dataclasses import replace

from citywide import deprivations

# re-exported: every table is importable from here
from citywide.schema_geography import KHET as KHET
from citywide.schema_geography import KHET_LOOKUP as KHET_LOOKUP
from citywide.schema_geography import KHWAENG as KHWAENG
from citywide.schema_geography import REFERENCE_SOURCE as REFERENCE_SOURCE
from citywide.schema_register import COMMUNITY_CHANGE as COMMUNITY_CHANGE
from citywide.schema_register import COMMUNITY_REGISTER as COMMUNITY_REGISTER
from citywide.schema_register import KHET_COVERAGE as KHET_COVERAGE
from citywide.schema_register import LINK_COLUMNS as LINK_COLUMNS
from citywide.schema_register import LINK_DECISION as LINK_DECISION
from citywide.schema_register import LINK_REVIEW as LINK_REVIEW
from citywide.schema_register import REGISTER_TABLES as REGISTER_TABLES
from citywide.schema_register import SURVEY_ROUND as SURVEY_ROUND
from citywide.table_spec import GEOMETRY_4326 as GEOMETRY_4326
from citywide.table_spec import Column as Column
from citywide.table_spec import TableSpec as TableSpec

_TENURE = Column(
    "tenure",
    "VARCHAR",
    "own, rent_contract, rent_no_contract, permitted, squatter or unknown",
    nullable=True,
)
SURVEY_FIELDS = (
    Column("land_owner", "VARCHAR", "state, private, temple, mixed or unknown", nullable=True),
    _TENURE,
    Column("eviction_threat", "VARCHAR", "none, threatened, in_court or evicted", nullable=True),
    Column("housing_condition", "VARCHAR", "good, fair or poor", nullable=True),
    Column("water", "VARCHAR", "yes, partial or no", nullable=True),
    Column("electricity", "VARCHAR", "yes, partial or no", nullable=True),
    Column("drainage", "VARCHAR", "yes, partial or no", nullable=True),
    Column("walkway", "VARCHAR", "yes, partial or no", nullable=True),
    Column("flood_risk", "VARCHAR", "yes or no", nullable=True),
    Column(
        "baan_mankong_status",
        "VARCHAR",
        "none, planning, in_progress or completed",
        nullable=True,
    ),
    Column("savings_group", "VARCHAR", "yes or no", nullable=True),
)

# When and where from a survey record came: every record table ends with these.
_SURVEYED = (
    Column("survey_date", "DATE", "Survey date (C.E.)", nullable=True),
    Column("record_uuid", "VARCHAR", "KoboToolbox/ODK submission id", nullable=True),
)
_LINEAGE = (
    Column("source_file_id", "BIGINT", "The file row it came from (source_file.source_file_id)"),
    Column("source_sha256", "VARCHAR", "sha256 of that file"),
    Column("source_row", "BIGINT", "Row number in that file (spreadsheet row, CSV line)"),
)

_COMMUNITY_COLUMNS = (
    Column(
        "community_key",
        "VARCHAR",
        "Stable identity: khet code + community code, or khet code + 'name:' + normalised name",
    ),
    Column("survey_round", "VARCHAR", "Survey round label, e.g. 2567-1 or bma_registry"),
    Column("khet_code", "VARCHAR", "Khet (khet.khet_code), written or found from the location"),
    Column("khwaeng_code", "VARCHAR", "Khwaeng (khwaeng.khwaeng_code), if resolved", nullable=True),
    Column("community_code", "VARCHAR", "Community code as written (digits)", nullable=True),
    Column("community_name", "VARCHAR", "Community name (NFC Unicode)", nullable=True),
    Column(
        "community_type",
        "VARCHAR",
        "slum, urban, suburban, housing_estate, nha_housing or high_rise",
        nullable=True,
    ),
    Column("houses", "BIGINT", "Number of houses", nullable=True, check="houses >= 0"),
    Column("households", "BIGINT", "Number of households", nullable=True, check="households >= 0"),
    Column("population", "BIGINT", "Population", nullable=True, check="population >= 0"),
    Column("male", "BIGINT", "Male population", nullable=True, check="male >= 0"),
    Column("female", "BIGINT", "Female population", nullable=True, check="female >= 0"),
    Column("area_rai", "DOUBLE", "Land area in rai (rai + ngan/4 + wa/400)", nullable=True),
    Column("lat", "DOUBLE", "Latitude (WGS84), inside Bangkok, or NULL", nullable=True),
    Column("lon", "DOUBLE", "Longitude (WGS84), inside Bangkok, or NULL", nullable=True),
    Column("geom", GEOMETRY_4326, "Location as a point", nullable=True),
    *_SURVEYED,
    *SURVEY_FIELDS,
    *_LINEAGE,
    *LINK_COLUMNS,
)

COMMUNITY = TableSpec(
    name="community",
    meaning=(
        "One record per community per survey round: the current, accepted record. "
        "(`survey_round`, `community_key`) is unique: the merge keeps it so and every ingest "
        "checks it before committing. It is not declared a primary key because DuckDB's "
        "index on it costs more than the rest of a large load and no query needs it."
    ),
    columns=_COMMUNITY_COLUMNS,
)

# What a history table adds to the record it keeps.
_SUPERSEDED = (
    Column("superseded_by_file", "BIGINT", "source_file_id of the record that won"),
    Column("superseded_by_row", "BIGINT", "source_row of the record that won"),
    Column("superseded_at", "TIMESTAMPTZ", "When it was superseded"),
)

COMMUNITY_HISTORY = TableSpec(
    name="community_history",
    meaning="Records superseded by a later record of the same community in the same round.",
    columns=(*_COMMUNITY_COLUMNS, *_SUPERSEDED),
)

_HOUSEHOLD_COLUMNS = (
    Column("household_key", "VARCHAR", "Stable identity: khet code + ':' + household code"),
    Column("survey_round", "VARCHAR", "Survey round label, e.g. 2567-1"),
    Column("khet_code", "VARCHAR", "Khet (khet.khet_code) as written"),
    Column("khwaeng_code", "VARCHAR", "Khwaeng (khwaeng.khwaeng_code), if resolved", nullable=True),
    Column(
        "community_key",
        "VARCHAR",
        "The community it belongs to, keyed as community.community_key (a written name is "
        "matched to a community of the round in the same khet); NULL if none written",
        nullable=True,
    ),
    Column("community_code", "VARCHAR", "Community code as written (digits)", nullable=True),
    Column("community_name", "VARCHAR", "Community name as written (NFC Unicode)", nullable=True),
    Column("household_code", "VARCHAR", "Household code as written"),
    Column("members", "BIGINT", "Household members", nullable=True, check="members >= 0"),
    Column(
        "monthly_income",
        "DOUBLE",
        "Household income, baht per month",
        nullable=True,
        check="monthly_income >= 0",
    ),
    _TENURE,
    Column("housing_condition", "VARCHAR", "good, fair or poor", nullable=True),
    Column(
        "wants_baan_mankong",
        "BOOLEAN",
        "Wants to join Baan Mankong or another housing programme",
        nullable=True,
    ),
    Column(
        "years_in_community",
        "BIGINT",
        "Years the household has lived in the community",
        nullable=True,
        check="years_in_community >= 0",
    ),
    # What the UN-Habitat (SDG 11.1.1) household deprivations are judged from (docs/indicators.md)
    Column(
        "water_source",
        "VARCHAR",
        "piped, piped_neighbour, public_tap, tube_well, protected_well, rainwater, bottled, "
        "tanker, unprotected_well, surface or unknown",
        nullable=True,
    ),
    Column(
        "toilet_type",
        "VARCHAR",
        "flush, pour_flush, pit_slab, pit_open, over_water, bucket, none or unknown",
        nullable=True,
    ),
    Column("toilet_shared", "VARCHAR", "private, shared, public or unknown", nullable=True),
    Column(
        "rooms",
        "BIGINT",
        "Habitable rooms (living and sleeping rooms)",
        nullable=True,
        check="rooms >= 0",
    ),
    Column(
        "floor_area",
        "DOUBLE",
        "Floor area of the dwelling, m2",
        nullable=True,
        check="floor_area >= 0",
    ),
    Column(
        "wall_material",
        "VARCHAR",
        "masonry, wood, masonry_wood, metal_sheet, natural, makeshift, none or unknown",
        nullable=True,
    ),
    Column(
        "roof_material",
        "VARCHAR",
        "tile, metal_sheet, concrete, wood, natural, makeshift, none or unknown",
        nullable=True,
    ),
    Column(
        "floor_material",
        "VARCHAR",
        "concrete, tile, wood, vinyl, natural, makeshift or unknown",
        nullable=True,
    ),
    Column(
        "tenure_document",
        "VARCHAR",
        "title_deed, lease, permit, none or unknown",
        nullable=True,
    ),
    *_SURVEYED,
    *_LINEAGE,
    *LINK_COLUMNS,
)

HOUSEHOLD = TableSpec(
    name="household",
    meaning=(
        "One record per household per survey round, from household enumerations: the current, "
        "accepted record. (`survey_round`, `household_key`) is unique: the merge keeps it so and "
        "every ingest checks it before committing (not declared a key, as for community). "
        "No name, address, phone, ID number or location of a household is stored."
    ),
    columns=_HOUSEHOLD_COLUMNS,
)

HOUSEHOLD_HISTORY = TableSpec(
    name="household_history",
    meaning="Household records superseded by a later record of the same household in the round.",
    columns=(*_HOUSEHOLD_COLUMNS, *_SUPERSEDED),
)

SOURCE_FILE = TableSpec(
    name="source_file",
    meaning="Every table of every file ingested (or that failed), with its counts: lineage.",
    columns=(
        Column("source_file_id", "BIGINT", "Id, in ingestion order"),
        Column("path", "VARCHAR", "Path as given to citywide ingest"),
        Column("file_name", "VARCHAR", "File name"),
        Column("sha256", "VARCHAR", "sha256 of the file's bytes"),
        Column("size_bytes", "BIGINT", "File size"),
        Column("format", "VARCHAR", "csv, kobo-csv, xlsx, kobo-xlsx, geojson, gpkg, ..."),
        Column("encoding", "VARCHAR", "Detected text encoding (CSV only)", nullable=True),
        Column(
            "sheet", "VARCHAR", "Sheet or layer name, where the file has several", nullable=True
        ),
        Column("survey_round", "VARCHAR", "Survey round label"),
        Column("status", "VARCHAR", "loaded or failed", check="status IN ('loaded', 'failed')"),
        Column("rows_read", "BIGINT", "Data rows read (blank rows not counted)"),
        Column(
            "rows_loaded",
            "BIGINT",
            "Rows loaded (into community or household or, if superseded, their history)",
        ),
        Column("rows_rejected", "BIGINT", "Rows rejected (see rejected_row)"),
        Column("rows_superseded", "BIGINT", "Loaded rows superseded by another record"),
        Column("blank_rows", "BIGINT", "Blank rows skipped"),
        Column("warnings", "BIGINT", "Warnings recorded (see row_warning)"),
        Column("header_row", "BIGINT", "Row number of the header", nullable=True),
        Column("column_map", "VARCHAR", "JSON: field -> header as written"),
        Column("dropped_columns", "VARCHAR[]", "Personal-data columns dropped, never stored"),
        Column("unmapped_columns", "VARCHAR[]", "Columns not used (no field, or a duplicate)"),
        Column("message", "VARCHAR", "Why it failed, or notes", nullable=True),
        Column("ingested_at", "TIMESTAMPTZ", "When it was ingested"),
        Column(
            "record_kind",
            "VARCHAR",
            "community or household: what its rows are (a household_code column makes a "
            "household return); NULL if the file could not be read",
            nullable=True,
            check="record_kind IN ('community', 'household')",
        ),
    ),
    primary_key=("source_file_id",),
)

REJECTED_ROW = TableSpec(
    name="rejected_row",
    meaning="Rows not loaded, each with its reason.",
    columns=(
        Column("source_file_id", "BIGINT", "The file (source_file.source_file_id)"),
        Column("source_row", "BIGINT", "Row number in the file"),
        Column("reason", "VARCHAR", "Reason code, e.g. negative_count (docs/ingestion.md)"),
        Column("field", "VARCHAR", "The field at fault, if one", nullable=True),
        Column("value", "VARCHAR", "The value at fault, as written", nullable=True),
        Column("message_th", "VARCHAR", "What is wrong, in Thai"),
        Column("message_en", "VARCHAR", "What is wrong, in English"),
        Column("row_values", "VARCHAR", "JSON of the row's survey fields as written"),
    ),
    primary_key=("source_file_id", "source_row"),
)

ROW_WARNING = TableSpec(
    name="row_warning",
    meaning="Problems in loaded rows that citywide repaired or worked around.",
    columns=(
        Column("source_file_id", "BIGINT", "The file (source_file.source_file_id)"),
        Column("source_row", "BIGINT", "Row number in the file"),
        Column("code", "VARCHAR", "Warning code, e.g. khet_mismatch (docs/ingestion.md)"),
        Column("field", "VARCHAR", "The field concerned, if one", nullable=True),
        Column("value", "VARCHAR", "The value concerned, as written", nullable=True),
        Column("message_th", "VARCHAR", "What was found and done, in Thai"),
        Column("message_en", "VARCHAR", "What was found and done, in English"),
    ),
)

COMMUNITY_FOOTPRINT = TableSpec(
    name="community_footprint",
    meaning="Footprint polygons from GIS returns (e.g. the BMA registry). Never published.",
    columns=(
        Column("source_file_id", "BIGINT", "The file (source_file.source_file_id)"),
        Column("source_row", "BIGINT", "Feature number in the file"),
        Column("geom", GEOMETRY_4326, "Footprint (repaired if invalid)"),
    ),
    primary_key=("source_file_id", "source_row"),
)

# What each UN-Habitat deprivation (citywide.deprivations) is judged from and what lacks it.
_DEPRIVATION_MEANINGS = {
    "deprived": ("at least one of the five deprivations", "lack at least one of the five"),
    "water": ("their drinking water source", "have no improved drinking water"),
    "sanitation": ("their toilet (type or sharing)", "have no improved, unshared toilet"),
    "living_area": (
        "members and rooms or floor area",
        "have more than 3 members per habitable room of 4 m2",
    ),
    "durability": ("a wall, roof or floor material", "have non-durable walls, roof or floor"),
    "tenure_document": ("their tenure document", "have no tenure document"),
}


def _deprivation_columns() -> tuple[Column, ...]:
    """Per deprivation: households and communities judged, households lacking, their share."""
    columns: list[Column] = []
    for d in deprivations.ALL:
        judged, lacking = _DEPRIVATION_MEANINGS[d.key]
        columns += [
            Column(d.households, "BIGINT", f"Enumerated households that reported {judged}"),
            Column(
                d.communities,
                "BIGINT",
                "Communities behind them (a household without one counts as one)",
            ),
            Column(
                d.count,
                "BIGINT",
                f"Enumerated households that {lacking} (UN-Habitat, SDG 11.1.1)",
                nullable=True,
            ),
            Column(d.share, "DOUBLE", f"{d.count} / {d.households}, %", nullable=True),
        ]
    return tuple(columns)


KHET_NEED = TableSpec(
    name="khet_need",
    meaning=(
        "Need indicators per survey round and khet: all 50 khets in every round; every value is "
        "NULL where the round did not survey the khet (khet_coverage), zeros only where a "
        "surveyed khet has none. Index and rank are among the round's surveyed khets. Built by "
        "`citywide publish`; docs/indicators.md defines each. Holds every value; the view "
        "khet_need_published hides values built from too few communities, and "
        "khet_need_latest holds the most recent round."
    ),
    columns=(
        Column("survey_round", "VARCHAR", "Survey round label"),
        Column(
            "round_order",
            "BIGINT",
            "Order of the round (survey_round.round_order: the registry first)",
        ),
        Column("khet_code", "VARCHAR", "Khet (khet.khet_code)"),
        Column("name_th", "VARCHAR", "Khet name in Thai"),
        Column("name_en", "VARCHAR", "Khet name in English (RTGS)"),
        Column("area_km2", "DOUBLE", "Khet area in km2"),
        Column("registered_population", "BIGINT", "Registered population of the khet"),
        Column(
            "coverage_status",
            "VARCHAR",
            "khet_coverage.status of the khet in the round: not_returned, partial or complete",
        ),
        Column(
            "first_survey_date",
            "DATE",
            "First survey date of the khet's communities",
            nullable=True,
        ),
        Column(
            "last_survey_date", "DATE", "Last survey date of the khet's communities", nullable=True
        ),
        Column("communities", "BIGINT", "Surveyed communities"),
        Column(
            "communities_without_khwaeng",
            "BIGINT",
            "Of them, communities without a khwaeng: counted in the khet, in no khwaeng_need row",
        ),
        Column("households", "BIGINT", "Households in surveyed communities"),
        Column("population", "BIGINT", "Population of surveyed communities"),
        Column("slum_communities", "BIGINT", "Slum communities (ชุมชนแออัด)"),
        Column("slum_households", "BIGINT", "Households in slum communities"),
        Column("slum_population", "BIGINT", "Population of slum communities"),
        Column(
            "tenure_communities",
            "BIGINT",
            "Communities that reported tenure (or whose enumerated households did)",
        ),
        Column(
            "insecure_tenure_households",
            "BIGINT",
            "Households in communities of squatters or renters without contract (or enumerated "
            "households that are)",
            nullable=True,
        ),
        Column("eviction_communities", "BIGINT", "Communities that reported eviction threat"),
        Column(
            "eviction_threat_households",
            "BIGINT",
            "Households in communities threatened, in court or evicted",
            nullable=True,
        ),
        Column(
            "condition_communities",
            "BIGINT",
            "Communities that reported housing condition (or whose enumerated households did)",
        ),
        Column(
            "poor_housing_households",
            "BIGINT",
            "Households in communities in poor housing condition (or enumerated households in "
            "poor houses)",
            nullable=True,
        ),
        Column(
            "services_communities", "BIGINT", "Communities that reported water, power or drainage"
        ),
        Column(
            "lacking_services_households",
            "BIGINT",
            "Households in communities lacking (no or partial) water, electricity or drainage",
            nullable=True,
        ),
        Column(
            "tenure_households",
            "BIGINT",
            "Enumerated households that reported tenure, where household records give the "
            "tenure figure (0: community figures)",
        ),
        Column(
            "condition_households",
            "BIGINT",
            "Enumerated households that reported housing condition, where household records give "
            "the condition figure (0: community figures)",
        ),
        Column("enumerated_households", "BIGINT", "Household records (household enumerations)"),
        Column(
            "enumerated_households_without_khwaeng",
            "BIGINT",
            "Of them, records without a khwaeng (neither their own nor their community's)",
        ),
        Column(
            "programme_communities",
            "BIGINT",
            "Communities whose enumerated households said whether they want Baan Mankong",
        ),
        Column(
            "programme_households",
            "BIGINT",
            "Enumerated households that said whether they want Baan Mankong",
        ),
        Column(
            "baan_mankong_demand_households",
            "BIGINT",
            "Enumerated households that want to join Baan Mankong or a housing programme",
            nullable=True,
        ),
        Column(
            "income_communities",
            "BIGINT",
            "Communities whose enumerated households reported an income",
        ),
        Column("income_households", "BIGINT", "Enumerated households that reported an income"),
        Column(
            "median_household_income",
            "DOUBLE",
            "Median monthly income of enumerated households, baht",
            nullable=True,
        ),
        *_deprivation_columns(),
        Column("slum_population_share", "DOUBLE", "Slum population / registered population, %"),
        Column("slum_households_per_km2", "DOUBLE", "Slum households per km2 of the khet"),
        Column("need_index", "DOUBLE", "Composite need index, 0-100 within the round"),
        Column(
            "need_rank",
            "BIGINT",
            "Rank by need index among the round's surveyed khets (1 = greatest need)",
        ),
        Column("surveyed_khets", "BIGINT", "Khets the round surveyed (rank N of this many)"),
        Column(
            "previous_round",
            "VARCHAR",
            "The khet's own previous surveyed round, the base of the changes",
            nullable=True,
        ),
        Column(
            "slum_households_change",
            "BIGINT",
            "Slum households minus the previous round's",
            nullable=True,
        ),
        Column(
            "need_index_change", "DOUBLE", "Need index minus the previous round's", nullable=True
        ),
    ),
    primary_key=("survey_round", "khet_code"),
)
# Values are NULL for a khet the round did not survey: only keys and khet facts are required.
_KHET_FACTS = {"survey_round", "round_order", "khet_code", "name_th", "name_en", "area_km2",
               "registered_population", "coverage_status", "surveyed_khets"}  # fmt: skip
KHET_NEED = replace(
    KHET_NEED,
    columns=tuple(
        c if c.name in _KHET_FACTS else replace(c, nullable=True) for c in KHET_NEED.columns
    ),
)
# Short Thai and English headers of the published columns that are not indicators (the
# indicators' own come from citywide.indicators.INDICATORS): the exports' workbook shows them.
_PUBLISHED_LABELS = {
    "survey_round": ("รอบสำรวจ", "Survey round"),
    "round_order": ("ลำดับรอบ", "Round order"),
    "khet_code": ("รหัสเขต", "Khet code"),
    "name_th": ("ชื่อเขต", "Khet name (Thai)"),
    "name_en": ("ชื่อเขตภาษาอังกฤษ", "Khet name"),
    "area_km2": ("พื้นที่ (ตร.กม.)", "Area (km²)"),
    "registered_population": ("ประชากรตามทะเบียนราษฎร", "Registered population"),
    "coverage_status": ("สถานะการส่งข้อมูล", "Coverage status"),
    "first_survey_date": ("วันที่สำรวจวันแรก", "First survey date"),
    "last_survey_date": ("วันที่สำรวจวันสุดท้าย", "Last survey date"),
    "surveyed_khets": ("จำนวนเขตที่สำรวจในรอบ", "Khets surveyed in the round"),
    "need_rank": ("อันดับความต้องการ", "Need rank"),
    "previous_round": ("รอบก่อนหน้า", "Previous round"),
    "slum_households_change": ("ครัวเรือนชุมชนแออัดที่เปลี่ยนไป", "Change in slum households"),
    "need_index_change": ("ดัชนีความต้องการที่เปลี่ยนไป", "Change in need index"),
}
KHET_NEED = replace(
    KHET_NEED,
    columns=tuple(
        replace(c, label_th=_PUBLISHED_LABELS[c.name][0], label_en=_PUBLISHED_LABELS[c.name][1])
        if c.name in _PUBLISHED_LABELS
        else c
        for c in KHET_NEED.columns
    ),
)
# What the published views add to khet_need and khet_need_current (citywide.indicators).
SUPPRESSION_COLUMNS = (
    Column(
        "suppressed_reason_th",
        "VARCHAR",
        "Why values of the row are not shown, in Thai (NULL when none is hidden)",
        nullable=True,
        label_th="เหตุที่ไม่แสดงค่า",
        label_en="Why not shown (Thai)",
    ),
    Column(
        "suppressed_reason_en",
        "VARCHAR",
        "Why values of the row are not shown, in English (NULL when none is hidden)",
        nullable=True,
        label_th="เหตุที่ไม่แสดงค่า (อังกฤษ)",
        label_en="Why not shown",
    ),
    Column(
        "suppressed_indicators",
        "VARCHAR[]",
        "The indicators of the row not shown (privacy), comma-separated in the exports",
        label_th="ตัวชี้วัดที่ไม่แสดง",
        label_en="Indicators not shown",
    ),
)
KHET_NEED_CURRENT = replace(
    KHET_NEED,
    name="khet_need_current",
    meaning=(
        "The current city picture: for each of the 50 khets the khet_need values of the newest "
        "round that surveyed it (survey_round names it; the registry round bma_registry "
        "included), index and rank recomputed over this combined picture with the same weights; "
        "need_index_change is NULL. Mixes vintages: see docs/indicators.md. A table, since the "
        "index is recomputed; khet_need_current_published hides thin values."
    ),
    primary_key=("khet_code",),
)


# The khwaeng level: the same indicators; the khwaeng's facts instead of the khet's (no registered
# population per khwaeng, so slum_population_share is NULL), no counts of records without one.
_KHWAENG_FACTS = (
    Column("khwaeng_code", "VARCHAR", "Khwaeng (khwaeng.khwaeng_code)",
           label_th="รหัสแขวง", label_en="Khwaeng code"),
    Column("khet_code", "VARCHAR", "Its khet (khet.khet_code)",
           label_th="รหัสเขต", label_en="Khet code"),
    Column("name_th", "VARCHAR", "Khwaeng name in Thai",
           label_th="ชื่อแขวง", label_en="Khwaeng name (Thai)"),
    Column("name_en", "VARCHAR", "Khwaeng name in English",
           label_th="ชื่อแขวงภาษาอังกฤษ", label_en="Khwaeng name"),
    Column("khet_name_th", "VARCHAR", "Its khet's name in Thai",
           label_th="ชื่อเขต", label_en="Khet name (Thai)"),
    Column("khet_name_en", "VARCHAR", "Its khet's name in English (RTGS)",
           label_th="ชื่อเขตภาษาอังกฤษ", label_en="Khet name"),
    Column("area_km2", "DOUBLE", "Khwaeng area in km2",
           label_th="พื้นที่ (ตร.กม.)", label_en="Area (km²)"),
)  # fmt: skip
_KHET_ONLY = {"khet_code", "name_th", "name_en", "area_km2", "registered_population",
              "communities_without_khwaeng", "enumerated_households_without_khwaeng"}  # fmt: skip


_KHWAENG_MEANINGS = {
    "surveyed_khwaeng": "Khwaeng the round surveyed (the khwaeng of its surveyed khets)",
    "need_rank": "Rank by need index among the round's surveyed khwaeng (1 = greatest need)",
    "slum_households_per_km2": "Slum households per km2 of the khwaeng",
    "slum_population_share": "NULL: no registered population per khwaeng",
    "previous_round": "The khwaeng's own previous surveyed round, the base of the changes",
}


def _khwaeng_columns(spec: TableSpec) -> tuple[Column, ...]:
    """The khet spec's columns with the khwaeng's facts after round_order, per khwaeng."""
    kept = [c for c in spec.columns if c.name not in _KHET_ONLY]
    columns = [*kept[:2], *_KHWAENG_FACTS, *kept[2:]]
    renamed = [
        replace(c, name="surveyed_khwaeng", label_th="จำนวนแขวงที่สำรวจในรอบ",
                label_en="Khwaeng surveyed in the round")
        if c.name == "surveyed_khets" else c
        for c in columns
    ]  # fmt: skip
    return tuple(replace(c, meaning=_KHWAENG_MEANINGS.get(c.name, c.meaning)) for c in renamed)


KHWAENG_NEED = TableSpec(
    name="khwaeng_need",
    meaning=(
        "Need indicators per survey round and khwaeng: all 180 khwaeng in every round, counted "
        "as khet_need (one definition, citywide.indicators.Level); a khwaeng is surveyed in a "
        "round when its khet is (khet_coverage). Index and rank are among the round's surveyed "
        "khwaeng. Records without a khwaeng count in khet_need only "
        "(communities_without_khwaeng). slum_population_share is NULL: there is no registered "
        "population per khwaeng. khwaeng_need_published hides values built from too few "
        "communities."
    ),
    columns=_khwaeng_columns(KHET_NEED),
    primary_key=("survey_round", "khwaeng_code"),
)
KHWAENG_NEED_CURRENT = replace(
    KHWAENG_NEED,
    name="khwaeng_need_current",
    meaning=(
        "The current picture per khwaeng: for each of the 180 khwaeng the khwaeng_need values of "
        "the newest round that surveyed it, index and rank recomputed over this picture "
        "(as khet_need_current); khwaeng_need_current_published hides thin values."
    ),
    primary_key=("khwaeng_code",),
)

PIPELINE_STATE = TableSpec(
    name="pipeline_state",
    meaning=(
        "Internal: the key each step was last built with (sha256 of its input files and its "
        "settings), so that a run redoes only the steps whose inputs changed; and the version "
        "of the database, stamped by every run that changed it."
    ),
    columns=(
        Column("step", "VARCHAR", "geography, indicators or version"),
        Column("key", "VARCHAR", "The step's key; for version, a new random id per change"),
        Column("updated_at", "TIMESTAMPTZ", "When the step last ran"),
    ),
    primary_key=("step",),
)

SCHEMA_VERSION_TABLE = TableSpec(
    name="schema_version",
    meaning=(
        "Internal: the schema version of this database (one row). A write by a newer citywide "
        "migrates an older database forward (citywide.migrations); an older citywide refuses to "
        "write a newer one."
    ),
    columns=(
        Column("version", "INTEGER", "Schema version (citywide.migrations.SCHEMA_VERSION)"),
        Column("migrated_at", "TIMESTAMPTZ", "When the database was built or last migrated"),
    ),
)

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        KHET,
        KHWAENG,
        REFERENCE_SOURCE,
        KHET_LOOKUP,
        SOURCE_FILE,
        COMMUNITY,
        COMMUNITY_HISTORY,
        REJECTED_ROW,
        ROW_WARNING,
        COMMUNITY_FOOTPRINT,
        HOUSEHOLD,
        HOUSEHOLD_HISTORY,
        *REGISTER_TABLES,
        KHET_NEED,
        KHET_NEED_CURRENT,
        KHWAENG_NEED,
        KHWAENG_NEED_CURRENT,
        PIPELINE_STATE,
        SCHEMA_VERSION_TABLE,
    )
}
INGEST_TABLES = (
    SOURCE_FILE,
    COMMUNITY,
    COMMUNITY_HISTORY,
    REJECTED_ROW,
    ROW_WARNING,
    COMMUNITY_FOOTPRINT,
    HOUSEHOLD,
    HOUSEHOLD_HISTORY,
)
