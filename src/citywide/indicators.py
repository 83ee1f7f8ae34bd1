"""Need indicators per khet (or khwaeng) and survey round, the composite need index and its rank.

One definition serves both levels (:class:`Level`: the grouping key and the geography table).
:func:`level_counts` reads ``community``, ``household`` and the level's geography (one row for
each of the 50 khets, or 180 khwaeng, in every round, zeros where it has no community; household
figures where its households were enumerated); :func:`level_need` is a pure transform of that
frame: shares, densities, the index, the rank, the change since the previous round and which
values are too thin to publish. docs/indicators.md defines every indicator and the method.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import duckdb
import numpy
import pandas as pd

from citywide import deprivations
from citywide.errors import CoverageMissing
from citywide.register.coverage import NOT_RETURNED


@dataclass(frozen=True)
class Indicator:
    """A published indicator: what it is, in Thai and English, and what it is built from."""

    name: str
    label_th: str
    label_en: str
    unit_th: str
    unit_en: str
    # the count of communities the value is built from (suppression); None for a value that is
    # public whatever the count: community counts (the registry publishes them) and the index
    basis: str | None
    source_fields: str
    decimals: int = 0  # shown in maps
    # One sentence each, with the unit: what a map page and the methods page say it is.
    definition_th: str = field(kw_only=True)
    definition_en: str = field(kw_only=True)
    # the count of enumerated households the value is built from, where household records make it
    households_basis: str | None = None


@dataclass(frozen=True)
class _DeprivationText:
    """What a UN-Habitat deprivation is called and means, Thai and English (count and share)."""

    deprivation: deprivations.Deprivation
    label_th: str
    label_en: str
    short_th: str  # what the household lacks, for the share's label
    short_en: str
    what_th: str  # "... ซึ่ง <what_th>"
    what_en: str  # "Enumerated households <what_en>"


_DEPRIVATION_TEXTS = (
    _DeprivationText(
        deprivations.DEPRIVED,
        "ครัวเรือนที่ขาดอย่างน้อยหนึ่งด้าน (UN-Habitat)",
        "Households lacking at least one UN-Habitat condition",
        "ขาดอย่างน้อยหนึ่งด้าน (UN-Habitat)",
        "lacking at least one UN-Habitat condition",
        "ขาดอย่างน้อยหนึ่งในห้าด้านของ UN-Habitat (SDG 11.1.1): น้ำดื่มที่ปรับปรุงแล้ว "
        "ส้วมที่ถูกสุขลักษณะ พื้นที่อยู่อาศัยเพียงพอ บ้านคงทน และเอกสารสิทธิ์การอยู่อาศัย",
        "lacking at least one of UN-Habitat's five conditions (SDG 11.1.1): improved water, "
        "improved sanitation, sufficient living area, durable housing, secure tenure",
    ),
    _DeprivationText(
        deprivations.FIVE[0],
        "ครัวเรือนที่ไม่มีน้ำดื่มจากแหล่งที่ปรับปรุงแล้ว",
        "Households without improved water",
        "ไม่มีน้ำดื่มจากแหล่งที่ปรับปรุงแล้ว",
        "without improved water",
        "ใช้น้ำดื่มจากบ่อที่ไม่มีการป้องกันหรือจากแหล่งน้ำผิวดิน เช่น คลอง แม่น้ำ สระ",
        "whose drinking water comes from an unprotected well or surface water (canal, river, pond)",
    ),
    _DeprivationText(
        deprivations.FIVE[1],
        "ครัวเรือนที่ไม่มีส้วมถูกสุขลักษณะ",
        "Households without improved sanitation",
        "ไม่มีส้วมถูกสุขลักษณะ",
        "without improved sanitation",
        "ไม่มีส้วม ใช้ส้วมหลุมไม่มีฝา ส้วมแขวนหรือถ่ายลงน้ำ ถังส้วม หรือใช้ส้วมร่วมกับครัวเรือนอื่น",
        "with no toilet, an open pit, a toilet over water, a bucket, or a toilet shared with "
        "other households",
    ),
    _DeprivationText(
        deprivations.FIVE[2],
        "ครัวเรือนที่อยู่แออัด (เกิน 3 คนต่อห้อง)",
        "Overcrowded households (more than 3 per room)",
        "อยู่แออัด (เกิน 3 คนต่อห้อง)",
        "overcrowded (more than 3 per room)",
        "มีสมาชิกเกิน 3 คนต่อห้องที่อยู่อาศัย (ห้องละอย่างน้อย 4 ตร.ม.)",
        "with more than 3 members per habitable room (of at least 4 m² each)",
    ),
    _DeprivationText(
        deprivations.FIVE[3],
        "ครัวเรือนที่บ้านไม่คงทน",
        "Households in non-durable housing",
        "บ้านไม่คงทน",
        "in non-durable housing",
        "มีผนัง หลังคา หรือพื้นบ้านจากวัสดุไม่คงทน เช่น เศษวัสดุ ไม้ไผ่ จาก ดิน หรือผนังสังกะสี",
        "whose walls, roof or floor are of non-durable material (scrap, bamboo, thatch, earth; "
        "metal-sheet walls)",
    ),
    _DeprivationText(
        deprivations.FIVE[4],
        "ครัวเรือนที่ไม่มีเอกสารสิทธิ์การอยู่อาศัย",
        "Households without a tenure document",
        "ไม่มีเอกสารสิทธิ์การอยู่อาศัย",
        "without a tenure document",
        "ไม่มีโฉนด สัญญาเช่า หรือหนังสืออนุญาตให้อยู่อาศัย",
        "with no title deed, lease or permit for where they live",
    ),
)


def _deprivation_indicators(text: _DeprivationText) -> tuple[Indicator, Indicator]:
    """The count of households lacking a condition and its share of those judged for it."""
    d = text.deprivation
    fields = "household: " + ", ".join(d.fields)
    count = Indicator(
        d.count, text.label_th, text.label_en, "ครัวเรือน", "households", d.communities, fields,
        households_basis=d.households,
        definition_th=f"ครัวเรือนที่สำรวจรายครัวเรือนซึ่ง{text.what_th} (หน่วย: ครัวเรือน)",
        definition_en=f"Enumerated households {text.what_en}, in households.",
    )  # fmt: skip
    share = Indicator(
        d.share, f"สัดส่วนครัวเรือนที่{text.short_th}", f"Share of households {text.short_en}",
        "%", "%", d.communities, f"{fields}; {d.households}", decimals=1,
        households_basis=d.households,
        definition_th=(
            f"ร้อยละของครัวเรือนที่สำรวจรายครัวเรือนและตอบข้อมูลด้านนี้ ซึ่ง{text.what_th} (หน่วย: %)"
        ),
        definition_en=(
            f"Of the enumerated households that answered for it, the percentage {text.what_en} (%)."
        ),
    )  # fmt: skip
    return count, share


_DEPRIVATION_INDICATORS = tuple(
    indicator for text in _DEPRIVATION_TEXTS for indicator in _deprivation_indicators(text)
)


INDICATORS: tuple[Indicator, ...] = (
    Indicator("slum_communities", "ชุมชนแออัด", "Slum communities", "ชุมชน", "communities",
              None, "community_type",
              definition_th="จำนวนชุมชนประเภทชุมชนแออัดในเขต (หน่วย: ชุมชน)",
              definition_en=(
                  "The number of the khet's communities of type slum (ชุมชนแออัด), in communities."
              )),
    Indicator("slum_households", "ครัวเรือนในชุมชนแออัด", "Slum households", "ครัวเรือน",
              "households", "slum_communities", "community_type, households",
              definition_th="จำนวนครัวเรือนรวมของชุมชนแออัดในเขต (หน่วย: ครัวเรือน)",
              definition_en=(
                  "The households of the khet's slum communities added up, in households."
              )),
    Indicator("slum_population", "ประชากรในชุมชนแออัด", "Slum population", "คน", "people",
              "slum_communities", "community_type, population",
              definition_th="จำนวนประชากรรวมของชุมชนแออัดในเขต (หน่วย: คน)",
              definition_en="The people living in the khet's slum communities, in people."),
    Indicator("communities", "ชุมชนที่สำรวจ", "Surveyed communities", "ชุมชน", "communities",
              None, "(every community)",
              definition_th="จำนวนชุมชนทุกประเภทที่บันทึกไว้ในเขต (หน่วย: ชุมชน)",
              definition_en="The khet's recorded communities of every type, in communities."),
    Indicator("households", "ครัวเรือนที่สำรวจ", "Surveyed households", "ครัวเรือน",
              "households", "communities", "households",
              definition_th="จำนวนครัวเรือนรวมของทุกชุมชนที่บันทึกไว้ในเขต (หน่วย: ครัวเรือน)",
              definition_en=(
                  "The households of all the khet's recorded communities added up, in households."
              )),
    Indicator("population", "ประชากรที่สำรวจ", "Surveyed population", "คน", "people",
              "communities", "population",
              definition_th="จำนวนประชากรรวมของทุกชุมชนที่บันทึกไว้ในเขต (หน่วย: คน)",
              definition_en="The people of all the khet's recorded communities, in people."),
    Indicator("slum_population_share", "สัดส่วนประชากรในชุมชนแออัด",
              "Share of registered population in slum communities", "%", "%",
              "slum_communities", "community_type, population; khet.population", decimals=1,
              definition_th=(
                  "ประชากรในชุมชนแออัดคิดเป็นร้อยละของประชากรตามทะเบียนราษฎร์ของเขต (หน่วย: %)"
              ),
              definition_en=(
                  "The slum population as a percentage of the khet's registered population (%)."
              )),
    Indicator("slum_households_per_km2", "ครัวเรือนชุมชนแออัดต่อ ตร.กม.",
              "Slum households per km²", "ครัวเรือน/ตร.กม.", "households/km²",
              "slum_communities", "community_type, households; khet.area_km2", decimals=1,
              definition_th=(
                  "ครัวเรือนในชุมชนแออัดหารด้วยพื้นที่ของเขต (หน่วย: ครัวเรือนต่อ ตร.กม.)"
              ),
              definition_en="Slum households divided by the khet's area, in households per km²."),
    Indicator("insecure_tenure_households", "ครัวเรือนที่ไม่มีความมั่นคงในที่อยู่อาศัย",
              "Households with insecure tenure", "ครัวเรือน", "households",
              "tenure_communities", "tenure (squatter, rent_no_contract), households",
              households_basis="tenure_households",
              definition_th=(
                  "ครัวเรือนในชุมชนที่บุกรุกหรือเช่าที่ดินโดยไม่มีสัญญา (หน่วย: ครัวเรือน)"
              ),
              definition_en=(
                  "Households in communities that squat or rent their land without a contract, in "
                  "households."
              )),
    Indicator("eviction_threat_households", "ครัวเรือนที่ถูกคุกคามการไล่รื้อ",
              "Households under eviction threat", "ครัวเรือน", "households",
              "eviction_communities",
              "eviction_threat (threatened, in_court, evicted), households",
              definition_th=(
                  "ครัวเรือนในชุมชนที่ถูกคุกคามการไล่รื้อ อยู่ระหว่างคดี หรือถูกไล่รื้อแล้ว "
                  "(หน่วย: ครัวเรือน)"
              ),
              definition_en=(
                  "Households in communities threatened with eviction, in court or evicted, in "
                  "households."
              )),
    Indicator("poor_housing_households", "ครัวเรือนที่สภาพบ้านทรุดโทรม",
              "Households in poor housing", "ครัวเรือน", "households",
              "condition_communities", "housing_condition (poor), households",
              households_basis="condition_households",
              definition_th="ครัวเรือนในชุมชนที่บันทึกว่าสภาพบ้านทรุดโทรม (หน่วย: ครัวเรือน)",
              definition_en=(
                  "Households in communities whose housing is recorded as poor, in households."
              )),
    Indicator("lacking_services_households", "ครัวเรือนที่ขาดน้ำ ไฟฟ้า หรือการระบายน้ำ",
              "Households lacking water, electricity or drainage", "ครัวเรือน", "households",
              "services_communities", "water, electricity, drainage (no, partial), households",
              definition_th=(
                  "ครัวเรือนในชุมชนที่ไม่มีหรือมีเพียงบางส่วนของน้ำประปา ไฟฟ้า หรือการระบายน้ำ "
                  "(หน่วย: ครัวเรือน)"
              ),
              definition_en=(
                  "Households in communities with no or only partial water, electricity or "
                  "drainage, in households."
              )),
    Indicator("baan_mankong_demand_households", "ครัวเรือนที่ต้องการเข้าร่วมโครงการบ้านมั่นคง",
              "Households wanting to join Baan Mankong", "ครัวเรือน", "households",
              "programme_communities", "household: wants_baan_mankong (yes)",
              households_basis="programme_households",
              definition_th=(
                  "ครัวเรือนที่สำรวจรายครัวเรือนและต้องการเข้าร่วมโครงการบ้านมั่นคงหรือโครงการที่อยู่อาศัยอื่น "
                  "(หน่วย: ครัวเรือน)"
              ),
              definition_en=(
                  "Enumerated households that want to join Baan Mankong or another housing "
                  "programme, in households."
              )),
    Indicator("median_household_income", "รายได้ครัวเรือนต่อเดือน (มัธยฐาน)",
              "Median household income per month", "บาท/เดือน", "baht/month",
              "income_communities", "household: monthly_income",
              households_basis="income_households",
              definition_th=(
                  "ค่ามัธยฐานของรายได้ต่อเดือนของครัวเรือนที่แจ้งรายได้ (หน่วย: บาทต่อเดือน)"
              ),
              definition_en=(
                  "The median monthly income of the enumerated households that report one, in baht "
                  "per month."
              )),
    *_DEPRIVATION_INDICATORS,
    Indicator("need_index", "ดัชนีความต้องการ", "Need index", "0-100", "0-100",
              None, "weighted indicators, see docs/indicators.md", decimals=1,
              definition_th=(
                  "ค่าเฉลี่ยถ่วงน้ำหนักของตัวชี้วัดซึ่งปรับเป็นช่วง 0-1 ระหว่างเขตในรอบเดียวกัน "
                  "คูณ 100 โดย 100 คือความต้องการสูงสุด (หน่วย: คะแนน 0-100; "
                  "น้ำหนักอยู่ในหน้าวิธีการ)"
              ),
              definition_en=(
                  "A score from 0 to 100: the weighted mean of the indicators, each scaled 0-1 "
                  "across the khets of the round; 100 = the greatest need (weights on the methods "
                  "page)."
              )),
)  # fmt: skip
INDICATOR_BY_NAME = {indicator.name: indicator for indicator in INDICATORS}

DEFAULT_WEIGHTS: dict[str, float] = {
    "slum_households_per_km2": 0.25,
    "slum_population_share": 0.25,
    "slum_households": 0.20,
    "insecure_tenure_households": 0.10,
    "eviction_threat_households": 0.10,
    "poor_housing_households": 0.05,
    "lacking_services_households": 0.05,
}
INDEX_INDICATORS = frozenset(DEFAULT_WEIGHTS)


@dataclass(frozen=True)
class Level:
    """Where the indicators are counted: the grouping key, its geography table, the tables made.

    ``places_sql`` selects the geography's facts (alias ``k``; ``kh`` is its khet), ``facts`` are
    the columns every row keeps (published unsuppressed), ``surveyed`` names the count of the
    round's surveyed places.
    """

    name: str
    key: str
    geography: str
    table: str
    current_table: str
    surveyed: str
    places_sql: str
    facts: tuple[str, ...]

    @property
    def published(self) -> str:
        return f"{self.table}_published"

    @property
    def current_published(self) -> str:
        return f"{self.current_table}_published"


_ROUND_FACTS = ("coverage_status", "first_survey_date", "last_survey_date")
KHET_LEVEL = Level(
    name="khet",
    key="khet_code",
    geography="khet",
    table="khet_need",
    current_table="khet_need_current",
    surveyed="surveyed_khets",
    places_sql="k.khet_code, k.name_th, k.name_en, k.area_km2, "
    "k.population AS registered_population",
    facts=("survey_round", "round_order", "khet_code", "name_th", "name_en", "area_km2",
           "registered_population", *_ROUND_FACTS, "surveyed_khets"),
)  # fmt: skip
# The khwaeng table has no registered population: slum_population_share is NULL at this level.
KHWAENG_LEVEL = Level(
    name="khwaeng",
    key="khwaeng_code",
    geography="khwaeng",
    table="khwaeng_need",
    current_table="khwaeng_need_current",
    surveyed="surveyed_khwaeng",
    places_sql="k.khwaeng_code, k.khet_code, k.name_th, k.name_en, kh.name_th AS khet_name_th, "
    "kh.name_en AS khet_name_en, k.area_km2, NULL::BIGINT AS registered_population",
    facts=("survey_round", "round_order", "khwaeng_code", "khet_code", "name_th", "name_en",
           "khet_name_th", "khet_name_en", "area_km2", *_ROUND_FACTS, "surveyed_khwaeng"),
)  # fmt: skip
LEVELS = (KHET_LEVEL, KHWAENG_LEVEL)

_COUNTS_SQL = """
WITH ordered AS (  -- the rounds in order, as the linking step wrote them
    SELECT survey_round, round_order FROM survey_round
),
-- a khet is surveyed in a round when its coverage is not `not_returned` (or missing); a khwaeng
-- when its khet is
coverage AS (
    SELECT survey_round, khet_code, status AS coverage_status FROM khet_coverage
),
survey_dates AS (
    SELECT survey_round, {key}, min(survey_date) AS first_survey_date,
        max(survey_date) AS last_survey_date
    FROM community GROUP BY survey_round, {key}
),
counts AS (
    SELECT survey_round, {key},
        count(*) AS communities,
        count(*) FILTER (WHERE khwaeng_code IS NULL) AS communities_without_khwaeng,
        coalesce(sum(households), 0) AS households,
        coalesce(sum(population), 0) AS population,
        count(*) FILTER (WHERE community_type = 'slum') AS slum_communities,
        coalesce(sum(households) FILTER (WHERE community_type = 'slum'), 0) AS slum_households,
        coalesce(sum(population) FILTER (WHERE community_type = 'slum'), 0) AS slum_population,
        count(tenure) AS tenure_communities,
        coalesce(sum(households) FILTER (WHERE tenure IN ('squatter', 'rent_no_contract')), 0)
            AS insecure_tenure_households,
        count(eviction_threat) AS eviction_communities,
        coalesce(sum(households) FILTER (
            WHERE eviction_threat IN ('threatened', 'in_court', 'evicted')), 0)
            AS eviction_threat_households,
        count(housing_condition) AS condition_communities,
        coalesce(sum(households) FILTER (WHERE housing_condition = 'poor'), 0)
            AS poor_housing_households,
        count(*) FILTER (WHERE water IS NOT NULL OR electricity IS NOT NULL
                         OR drainage IS NOT NULL) AS services_communities,
        coalesce(sum(households) FILTER (WHERE water IN ('no', 'partial')
            OR electricity IN ('no', 'partial') OR drainage IN ('no', 'partial')), 0)
            AS lacking_services_households
    FROM community GROUP BY survey_round, {key}
),
-- A household without a community reference counts as a community of its own for suppression.
-- A household without a khwaeng of its own lies in its community's khwaeng (if that has one).
enumerated AS (
    SELECT h.survey_round, h.khet_code, coalesce(h.khwaeng_code, c.khwaeng_code) AS khwaeng_code,
        h.tenure, h.housing_condition, h.wants_baan_mankong, h.monthly_income,
        coalesce(h.community_key, h.household_key) AS unit,
        -- the UN-Habitat deprivations of each household (citywide.deprivations)
        {deprivation_flags}
    FROM household h
    LEFT JOIN community c ON c.survey_round = h.survey_round AND c.community_key = h.community_key
),
household_counts AS (
    SELECT survey_round, {key},
        count(*) AS enumerated_households,
        count(*) FILTER (WHERE khwaeng_code IS NULL) AS enumerated_households_without_khwaeng,
        count(tenure) AS tenure_households,
        count(housing_condition) AS condition_households,
        count(wants_baan_mankong) AS programme_households,
        count(monthly_income) AS income_households,
        count(DISTINCT unit) FILTER (WHERE tenure IS NOT NULL) AS tenure_communities,
        count(*) FILTER (WHERE tenure IN ('squatter', 'rent_no_contract'))
            AS insecure_tenure_households,
        count(DISTINCT unit) FILTER (WHERE housing_condition IS NOT NULL) AS condition_communities,
        count(*) FILTER (WHERE housing_condition = 'poor') AS poor_housing_households,
        count(DISTINCT unit) FILTER (WHERE wants_baan_mankong IS NOT NULL)
            AS programme_communities,
        count(*) FILTER (WHERE wants_baan_mankong) AS baan_mankong_demand_households,
        count(DISTINCT unit) FILTER (WHERE monthly_income IS NOT NULL) AS income_communities,
        median(monthly_income) AS median_household_income,
        {deprivation_counts}
    FROM enumerated GROUP BY survey_round, {key}
)
SELECT o.survey_round, o.round_order, {places},
    coalesce(v.coverage_status, 'not_returned') AS coverage_status,
    d.first_survey_date, d.last_survey_date,
    c.* EXCLUDE (survey_round, {key}, tenure_communities, insecure_tenure_households,
                 condition_communities, poor_housing_households),
    -- where the place's households report a field, their records replace the community figure
    CASE WHEN h.tenure_communities > 0 THEN h.tenure_communities
         ELSE c.tenure_communities END AS tenure_communities,
    CASE WHEN h.tenure_communities > 0 THEN h.insecure_tenure_households
         ELSE c.insecure_tenure_households END AS insecure_tenure_households,
    CASE WHEN h.condition_communities > 0 THEN h.condition_communities
         ELSE c.condition_communities END AS condition_communities,
    CASE WHEN h.condition_communities > 0 THEN h.poor_housing_households
         ELSE c.poor_housing_households END AS poor_housing_households,
    -- households behind a figure, where household records make it (NULL: community figures)
    CASE WHEN h.tenure_communities > 0 THEN h.tenure_households END AS tenure_households,
    CASE WHEN h.condition_communities > 0 THEN h.condition_households END AS condition_households,
    h.enumerated_households, h.enumerated_households_without_khwaeng, h.programme_communities,
    h.programme_households, h.baan_mankong_demand_households, h.income_communities,
    h.income_households, h.median_household_income,
    {deprivation_columns}
FROM ordered o CROSS JOIN {geography} k
JOIN khet kh ON kh.khet_code = k.khet_code
LEFT JOIN counts c ON c.survey_round = o.survey_round AND c.{key} = k.{key}
LEFT JOIN household_counts h ON h.survey_round = o.survey_round AND h.{key} = k.{key}
LEFT JOIN coverage v ON v.survey_round = o.survey_round AND v.khet_code = k.khet_code
LEFT JOIN survey_dates d ON d.survey_round = o.survey_round AND d.{key} = k.{key}
ORDER BY o.round_order, k.{key}
"""
_DEPRIVATIONS = {
    "insecure_tenure_households": "tenure_communities",
    "eviction_threat_households": "eviction_communities",
    "poor_housing_households": "condition_communities",
    "lacking_services_households": "services_communities",
}
# Household-only figures: NULL where no household of the khet reported the field.
_FROM_HOUSEHOLDS = {
    "baan_mankong_demand_households": "programme_communities",
    "median_household_income": "income_communities",
    **{d.count: d.communities for d in deprivations.ALL},
}


def level_counts(connection: duckdb.DuckDBPyConnection, level: Level) -> pd.DataFrame:
    """Community and household counts per round and place of ``level``, every place in every round.

    Counts are zeros where a surveyed place has none and NULL where the round did not survey
    it (``coverage_status`` from ``khet_coverage``: a khwaeng takes its khet's);
    ``median_household_income`` is missing where no household reported an income. A record
    without a khwaeng counts in its khet only (``communities_without_khwaeng``,
    ``enumerated_households_without_khwaeng`` at khet level).
    """
    tables = {row[0] for row in connection.execute("SHOW TABLES").fetchall()}
    if not {"khet_coverage", "survey_round"} <= tables:
        raise CoverageMissing()
    sql = _COUNTS_SQL.format(
        key=level.key,
        geography=level.geography,
        places=level.places_sql,
        deprivation_flags=deprivations.flags_sql(),
        deprivation_counts=deprivations.counts_sql(),
        deprivation_columns=", ".join(f"h.{c}" for c in deprivations.columns()),
    )
    frame = connection.execute(sql).df()
    counted = [
        c
        for c in frame.columns
        if c.endswith(("communities", "households", "population", "_without_khwaeng"))
    ]
    counted.remove("registered_population")
    surveyed = frame["coverage_status"] != NOT_RETURNED
    frame[counted] = frame[counted].fillna(0).astype("Int64").where(surveyed)
    return frame


def khet_counts(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """:func:`level_counts` per khet."""
    return level_counts(connection, KHET_LEVEL)


def level_need(
    counts: pd.DataFrame, weights: Mapping[str, float], level: Level = KHET_LEVEL
) -> pd.DataFrame:
    """Indicators, need index (0-100), rank among the round's surveyed places, change since the
    place's own previous surveyed round.

    Every value of a place the round did not survey is NULL. A deprivation is NULL where no
    community of the place reported the field it needs. Every value is kept here;
    :func:`published_view_sql` hides the thin ones.
    """
    scored = _scored(counts, weights, "survey_round", level)
    return _with_previous_round(scored, level.key)


def khet_need(counts: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """:func:`level_need` per khet."""
    return level_need(counts, weights, KHET_LEVEL)


def level_need_current(
    need: pd.DataFrame, weights: Mapping[str, float], level: Level = KHET_LEVEL
) -> pd.DataFrame:
    """The current picture: each place's values from the newest round that surveyed it.

    ``need`` is :func:`level_need`'s frame; index and rank are recomputed over the combined
    picture with the same weights (``need_index_change`` is NULL: the index of two pictures is
    not comparable); a place no round surveyed keeps a row of NULLs.
    """
    key = level.key
    surveyed = need[need["coverage_status"] != NOT_RETURNED]
    newest = surveyed.sort_values("round_order").groupby(key).tail(1)
    never = need[~need[key].isin(newest[key])]
    never = never.sort_values("round_order").groupby(key).tail(1)
    picture = pd.concat([newest, never]).sort_values(key, ignore_index=True)
    picture = picture.drop(columns=["need_index", "need_rank", level.surveyed])
    current = _scored(picture.assign(picture="current"), weights, "picture", level)
    current["need_index_change"] = pd.Series(numpy.nan, index=current.index, dtype="float64")
    return current.drop(columns="picture")


def khet_need_current(need: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """:func:`level_need_current` per khet."""
    return level_need_current(need, weights, KHET_LEVEL)


def need_tables(
    counts: pd.DataFrame, weights: Mapping[str, float], level: Level = KHET_LEVEL
) -> dict[str, pd.DataFrame]:
    """The level's need and current tables (khet_need, khet_need_current or the khwaeng
    ones), by table name, as :func:`views` expects them."""
    need = level_need(counts, weights, level)
    return {level.table: need, level.current_table: level_need_current(need, weights, level)}


def every_need_table(
    connection: duckdb.DuckDBPyConnection, weights: Mapping[str, float]
) -> dict[str, pd.DataFrame]:
    """:func:`need_tables` of every level (khet, khwaeng) from the database, by table name."""
    tables: dict[str, pd.DataFrame] = {}
    for level in LEVELS:
        tables |= need_tables(level_counts(connection, level), weights, level)
    return tables


def _scored(
    counts: pd.DataFrame, weights: Mapping[str, float], by: str, level: Level
) -> pd.DataFrame:
    """Shares, densities, index and rank, the index scaled and ranked within each ``by``."""
    frame = counts.copy()
    surveyed = frame["coverage_status"] != NOT_RETURNED
    for deprivation, reported in {**_DEPRIVATIONS, **_FROM_HOUSEHOLDS}.items():
        frame[deprivation] = frame[deprivation].where(frame[reported] > 0)
        if deprivation.endswith("households"):
            frame[deprivation] = frame[deprivation].astype("Int64")
    for d in deprivations.ALL:  # % of the enumerated households it can be judged for
        judged = frame[d.households].astype("float64")
        lacking = frame[d.count].astype("float64")
        frame[d.share] = (100 * lacking / judged.where(judged > 0)).round(3)
    slum_population = frame["slum_population"].astype("float64")
    slum_households = frame["slum_households"].astype("float64")
    registered = frame["registered_population"].astype("float64")  # NULL for a khwaeng
    frame["slum_population_share"] = (100 * slum_population / registered).round(3)
    frame["slum_households_per_km2"] = (slum_households / frame["area_km2"]).round(3)
    frame["need_index"] = _need_index(frame, weights, by).where(surveyed)
    frame["need_rank"] = (
        frame.groupby(by)["need_index"].rank(method="min", ascending=False).astype("Int64")
    )
    frame[level.surveyed] = surveyed.groupby(frame[by]).transform("sum").astype("int64")
    return frame


def _need_index(frame: pd.DataFrame, weights: Mapping[str, float], by: str) -> pd.Series:
    """Weighted mean of min-max scaled indicators within ``by``, scaled to 0-100.

    An indicator with no data anywhere in the round is left out; a khet's index averages over
    the indicators it has, so a khet is not ranked down for a field nobody surveyed there.
    Khets not surveyed have NULL values and so take no part in the scaling.
    """
    parts = []
    for name, weight in weights.items():
        values = frame[name].astype("float64")
        grouped = values.groupby(frame[by])
        low, high = grouped.transform("min"), grouped.transform("max")
        scaled = ((values - low) / (high - low)).where(high > low, 0.0).where(values.notna())
        parts.append((scaled, weight))
    zero = pd.Series(0.0, index=frame.index)
    weighted = sum((scaled.fillna(0) * weight for scaled, weight in parts), zero)
    present = sum((scaled.notna() * weight for scaled, weight in parts), zero)
    index = 100 * weighted / present.where(present > 0)
    return pd.Series(numpy.round(index.fillna(0).to_numpy(dtype="float64"), 2), frame.index)


def _with_previous_round(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Change against the place's own previous surveyed round, named in ``previous_round``."""
    surveyed = frame[frame["coverage_status"] != NOT_RETURNED].sort_values("round_order")
    by_khet = surveyed.groupby(key)
    previous = pd.DataFrame(
        {
            "previous_round": by_khet["survey_round"].shift(1),
            "previous_slum_households": by_khet["slum_households"].shift(1),
            "previous_need_index": by_khet["need_index"].shift(1),
        }
    )
    joined = frame.join(previous)
    joined["slum_households_change"] = (
        joined["slum_households"] - joined.pop("previous_slum_households")
    ).astype("Int64")
    joined["need_index_change"] = (joined["need_index"] - joined.pop("previous_need_index")).round(
        2
    )
    return joined


def validate_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """The weights, checked: known indicators, none negative, some positive (ValueError)."""
    unknown = sorted(set(weights) - INDEX_INDICATORS)
    if unknown or any(w < 0 for w in weights.values()) or not any(weights.values()):
        raise ValueError(
            f"need index weights {dict(weights)} are not usable"
            + (f" (unknown: {', '.join(unknown)})" if unknown else "")
            + f"; expected weights >= 0, some above 0, for: {', '.join(sorted(INDEX_INDICATORS))}"
            + """; e.g. CITYWIDE_NEED_WEIGHTS='{"slum_households_per_km2": 1}'"""
        )
    return dict(weights)


@dataclass(frozen=True)
class SuppressionRule:
    """Which values are too thin to publish (docs/indicators.md, "Privacy").

    A value built from 1 to ``min_communities - 1`` communities, or from 1 to
    ``min_households - 1`` enumerated households, is hidden; zero is a true zero and is shown.
    Community counts and the composite index are public whatever the count.
    """

    min_communities: int = 3
    min_households: int = 10

    @property
    def few_communities(self) -> tuple[str, str]:
        """ "น้อยกว่า 3 ชุมชน", "fewer than 3 communities" (Thai, English)."""
        k = self.min_communities
        return f"น้อยกว่า {k} ชุมชน", f"fewer than {k} communities"

    @property
    def few_households(self) -> tuple[str, str]:
        """ "น้อยกว่า 10 ครัวเรือน", "fewer than 10 households" (Thai, English)."""
        m = self.min_households
        return f"น้อยกว่า {m} ครัวเรือน", f"fewer than {m} households"

    def label(self, indicator: Indicator) -> tuple[str, str]:
        """What a hidden value of ``indicator`` is, Thai and English, for legends and tooltips."""
        th, en = self.few_communities
        if indicator.households_basis is None:
            return th, en
        return (
            f"{th} หรือ {self.min_households} ครัวเรือน",
            f"{en} or {self.min_households} households",
        )

    def note(self) -> tuple[str, str]:
        """The rule in one sentence, Thai and English, for every page and export."""
        return (
            f"ค่าที่คำนวณจากน้อยกว่า {self.min_communities} ชุมชน หรือจากครัวเรือนที่สำรวจน้อยกว่า "
            f"{self.min_households} ครัวเรือน ไม่แสดง เพื่อคุ้มครองข้อมูลส่วนบุคคล "
            "(จำนวนชุมชนและดัชนีความต้องการแสดงเสมอ)",
            f"Values built from fewer than {self.min_communities} communities, or from fewer than "
            f"{self.min_households} enumerated households, are withheld for privacy (community "
            "counts and the need index are always shown).",
        )


# Hidden with the value they are computed from, and also where the previous round's value is
# hidden (the value minus the change would give it away).
_CHANGES = ("slum_households_change",)

_PUBLISHED_VIEW_SQL = """
WITH need AS (
    SELECT * FROM {table}
),
-- the basis of each place's previous surveyed round, which a change also discloses
previous AS (
    SELECT survey_round AS previous_round, {key},
        slum_communities AS previous_slum_communities
    FROM {every_round}
),
-- which values are too thin: built from too few communities, or too few households
judged AS (
    SELECT need.*,
        list_filter([{few_communities}], name -> name IS NOT NULL) AS few_communities,
        list_filter([{few_households}], name -> name IS NOT NULL) AS few_households
    FROM need LEFT JOIN previous USING (previous_round, {key})
),
hidden AS (
    SELECT *, list_distinct(few_communities || few_households) AS hidden FROM judged
)
SELECT {facts},
    {shown},
    need_rank, need_index_change, previous_round,
    CASE WHEN len(hidden) > 0 THEN {reason_th} END AS suppressed_reason_th,
    CASE WHEN len(hidden) > 0 THEN {reason_en} END AS suppressed_reason_en,
    list_sort(hidden) AS suppressed_indicators
FROM hidden
"""


def published_view_sql(
    rule: SuppressionRule, table: str = "khet_need", level: Level = KHET_LEVEL
) -> str:
    """``khet_need_published``: khet_need without the values :class:`SuppressionRule` hides.

    ``table`` is the level's every-round or current table; the same rule makes the views of
    both levels (the level's own columns kept, its previous rounds read from ``level.table``).

    A hidden value is NULL, ``suppressed_indicators`` names it and ``suppressed_reason_th`` /
    ``_en`` say why ("fewer than 3 communities", "... or 10 households").
    """
    k, m = int(rule.min_communities), int(rule.min_households)

    def thin(count: str, least: int) -> str:
        return f"{count} BETWEEN 1 AND {least - 1}"

    def named(condition: str, name: str) -> str:
        return f"CASE WHEN {condition} THEN '{name}' END"

    by_communities = [named(thin(i.basis, k), i.name) for i in INDICATORS if i.basis]
    by_communities.append(
        named(
            f"{thin('slum_communities', k)} OR {thin('previous_slum_communities', k)}",
            "slum_households_change",
        )
    )
    by_households = [
        named(thin(i.households_basis, m), i.name) for i in INDICATORS if i.households_basis
    ]
    shown = [
        f"CASE WHEN list_contains(hidden, '{name}') THEN NULL ELSE {name} END AS {name}"
        for name in (*(i.name for i in INDICATORS), *_CHANGES)
    ]
    few_th, few_en = rule.few_communities
    households_th, households_en = rule.few_households
    reason_th = (
        f"concat_ws(' หรือ ', CASE WHEN len(few_communities) > 0 THEN '{few_th}' END, "
        f"CASE WHEN len(few_households) > 0 THEN '{households_th}' END) "
        "|| ': ไม่แสดงเพื่อคุ้มครองข้อมูลส่วนบุคคล'"
    )
    reason_en = (
        f"concat_ws(' or ', CASE WHEN len(few_communities) > 0 THEN '{few_en}' END, "
        f"CASE WHEN len(few_households) > 0 THEN '{households_en}' END) "
        "|| ': not shown, to protect privacy'"
    )
    return _PUBLISHED_VIEW_SQL.format(
        table=table,
        key=level.key,
        every_round=level.table,
        facts=", ".join(level.facts),
        few_communities=", ".join(by_communities),
        few_households=", ".join(by_households),
        shown=",\n    ".join(shown),
        reason_th=reason_th,
        reason_en=reason_en,
    )


LATEST_VIEW_SQL = """
    SELECT * FROM khet_need WHERE round_order = (SELECT max(round_order) FROM khet_need)
"""


def views(rule: SuppressionRule, levels: Sequence[Level] = LEVELS) -> dict[str, str]:
    """The views published with khet_need and khwaeng_need (or the ``levels`` given), by name."""
    published = {
        name: published_view_sql(rule, table, level)
        for level in levels
        for name, table in (
            (level.published, level.table),
            (level.current_published, level.current_table),
        )
    }
    return {**published, "khet_need_latest": LATEST_VIEW_SQL}
