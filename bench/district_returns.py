"""District returns no test has seen, written from the real BMA registry, with each row's truth.

    CITYWIDE_SOURCES_DIR=../shared/data python bench/district_returns.py OUT [--seed 13]
    python bench/district_returns.py OUT --database data/processed/citywide.duckdb

Writes OUT/raw/surveys/2568/ (round A: 8 khets) and OUT/raw/surveys/2569/ (round B: 3 khets), one
file per khet as district offices send them (CSV in UTF-8 with Thai or English headers, xlsx with
title rows and Thai headers), and OUT/truth/ with two CSVs the acceptance test
(tests/test_acceptance.py) checks the pipeline against:

- truth_rows.csv: per written row (survey_round, file, source_row: the spreadsheet row or CSV
  line), the registry community it really is (community_key, community_id = BMA-<code>) or "new",
  what was changed in the writing, and whether a later file of the khet supersedes it;
- truth_coverage.csv: the coverage status per (round, khet) for all 50 khets, under the rule of
  docs/linking.md: complete when the return has records of at least COVERAGE_COMPLETE_SHARE (0.8)
  of the communities the register expected of the khet before the round (the registry, less the
  communities a complete return did not find, plus those first seen), partial when fewer,
  not_returned when none.

How the rows are written: names with the prefix ชุมชน added or dropped, spaces, Thai digits, ซ./ซอย
and ถ./ถนน swapped, sara am split (U+0E4D U+0E32), a one-letter typo in some long names (only where
no other community of the khet has a close name); codes kept in about one row in seven; a point
for about two rows in three, moved 50-300 m in some; households and population changed by a few
percent; tenure, eviction threat and a survey date (B.E. or C.E.). Round A: one khet returns about
half its communities (partial), one returns twice (the second file corrects some rows, with a
later survey date), one writes a community without the number that tells it from its twin (two
register communities fit it equally: it must go to review), the others return all or all but one
or two; two new communities. Round B: the partial khet of round A returns all but one (that one
is not found), a khet of round A returns all, including its new community, and a khet round A did
not survey returns all. The registry is read from the GeoJSON (never the CHAIRMAN column or any
other personal field) or from a citywide database's round bma_registry. The same seed writes the
same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy
import pandas as pd
import pyogrio
from rapidfuzz import fuzz, process

from citywide import db
from citywide.gazetteer import load_gazetteer
from citywide.ingest.columns import vocabulary
from citywide.rounds import REGISTRY_ROUND
from citywide.settings import Settings
from citywide.sources import COMMUNITY_REGISTRY
from citywide.text import clean_text

ROUND_A, ROUND_B = "2568", "2569"
COMPLETE_SHARE = Settings.model_fields["coverage_complete_share"].default  # the rule's default
# the community fields only: never CHAIRMAN, ADDRESS or REMARK
REGISTRY_FIELDS = ["COMMU_ADMI", "COMMU_AD_1", "CMT_TYPE", "DNAME", "SNAME", "HOUSEHOLD", "POP",
                   "LAT", "LON"]  # fmt: skip
TYPE_TH = {"slum": "ชุมชนแออัด", "urban": "ชุมชนเมือง", "suburban": "ชุมชนชานเมือง",
           "high_rise": "ชุมชนอาคารสูง", "housing_estate": "หมู่บ้านจัดสรร",
           "nha_housing": "เคหะชุมชน"}  # fmt: skip
TENURE = ["เจ้าของ", "เช่ามีสัญญา", "เช่าไม่มีสัญญา", "บุกรุก", "ได้รับอนุญาต", "squatter", "own"]
EVICTION = ["ไม่มี", "ไม่มี", "ไม่มี", "ถูกคุกคาม", "อยู่ในชั้นศาล", "none", "threatened"]
NEW_NAMES = ["ชุมชนริมทางรถไฟสายใหม่พัฒนา", "ชุมชนสามัคคีร่วมใจก้าวหน้า", "ชุมชนหลังตลาดน้ำเจริญสุข",
             "ชุมชนบ้านมั่นคงเอื้ออาทรริมน้ำ"]  # fmt: skip
NEW_MAX_SIMILARITY = 60.0  # a new community's name is like no name of its khet
HEADERS = {
    "th": ["เขต", "แขวง", "ชื่อชุมชน", "รหัสชุมชน", "ประเภทชุมชน", "จำนวนครัวเรือน", "จำนวนประชากร",
           "สถานะการถือครองที่ดิน", "การไล่รื้อ", "วันที่สำรวจ", "ละติจูด", "ลองจิจูด"],
    "en": ["District", "Subdistrict", "Community name", "Community code", "Community type",
           "Households", "Population", "Tenure", "Eviction threat", "Survey date", "Latitude",
           "Longitude"],
}  # fmt: skip
XLSX_TITLE = ("รายงานผลการสำรวจชุมชน ทำทั้งเมือง", "สำนักงานเขต{khet} รอบสำรวจ {round}")
XLSX_FIRST_ROW = 5  # two title rows, a blank row, the header row
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
TYPO_MIN_LENGTH = 14
TYPO_MAX_NEIGHBOUR = 75.0  # a typo only where no other community of the khet is this close
SIZE_RANGE = (20, 45)  # communities of the khets the rounds survey: shares far from the rule's 0.8


@dataclass(frozen=True)
class DistrictReturns:
    """What :func:`write_district_returns` wrote."""

    surveys_dir: Path  # RAW_DIR/surveys: one folder per round
    files: tuple[Path, ...]
    truth_rows: Path
    truth_coverage: Path


@dataclass(frozen=True)
class KhetReturn:
    """One khet's return in one round: which register communities it writes, in which file."""

    survey_round: str
    khet_code: str
    role: str  # partial, complete, twice, twin (the ambiguous record), found_all, not_found
    keys: tuple[str, ...]  # register community_keys written (new ones included)
    layout: str  # csv-th, csv-en or xlsx-th


def registry_from_geojson(path: Path) -> pd.DataFrame:
    """The registry's communities as the ingest reads them, from the GeoJSON (no personal field)."""
    raw = pyogrio.read_dataframe(path, columns=REGISTRY_FIELDS, read_geometry=False)
    code = raw["COMMU_ADMI"].astype(str)
    khet = load_gazetteer().resolve_khets(raw["DNAME"].astype(str))["khet_code"].to_numpy()
    frame = pd.DataFrame(
        {
            "community_key": khet + ":" + code,
            "khet_code": khet,
            "khwaeng": raw["SNAME"].astype(str),
            "community_name": raw["COMMU_AD_1"].astype(str).map(clean_text),
            "community_code": code,
            "community_type": raw["CMT_TYPE"].map(_type_code),
            "households": raw["HOUSEHOLD"].astype("int64"),
            "population": raw["POP"].astype("int64"),
            "lat": raw["LAT"].astype("float64"),
            "lon": raw["LON"].astype("float64"),
        }
    )
    return _registry(frame)


def _type_code(text: str) -> str | None:
    return vocabulary().enum_value("community_type", text)


def registry_from_database(path: Path) -> pd.DataFrame:
    """The registry's communities from a citywide database (round bma_registry)."""
    with db.connect(path, read_only=True) as connection:
        frame = connection.execute(
            """
            WITH registry AS (
                SELECT * FROM community WHERE survey_round = ?
            ),
            named AS (
                SELECT r.community_key, r.khet_code, coalesce(w.name_th, '') AS khwaeng,
                    r.community_name, r.community_code, r.community_type, r.households,
                    r.population, r.lat, r.lon
                FROM registry r LEFT JOIN khwaeng w USING (khwaeng_code)
            )
            SELECT * FROM named ORDER BY community_key
            """,
            [REGISTRY_ROUND],
        ).df()
    return _registry(frame)


def _registry(frame: pd.DataFrame) -> pd.DataFrame:
    # a code written twice: the ingest keeps the later row
    frame = frame.drop_duplicates("community_key", keep="last").sort_values("community_key")
    frame["community_id"] = "BMA-" + frame["community_code"]
    return frame.set_index("community_key", drop=False).rename_axis(None)


def plan_returns(registry: pd.DataFrame, rng: numpy.random.Generator) -> list[KhetReturn]:
    """Which khets return which communities in rounds A and B, with each khet's role."""
    sizes = registry.groupby("khet_code").size()
    eligible = sorted(sizes[(sizes >= SIZE_RANGE[0]) & (sizes <= SIZE_RANGE[1])].index)
    twins = _twins(registry)
    twin_khet = str(rng.choice(sorted(set(twins["khet_code"]) & set(eligible))))
    others = [str(k) for k in rng.permutation([k for k in eligible if k != twin_khet])]
    a_khets, b_only = [twin_khet, *others[:7]], others[7]
    roles = ["twin", "partial", "twice", "complete", "complete", "complete", "complete", "complete"]
    keys = {khet: list(registry.index[registry["khet_code"] == khet]) for khet in eligible}
    layouts = ["csv-th", "xlsx-th", "csv-en"]
    plans = []
    for index, (khet, role) in enumerate(zip(a_khets, roles, strict=True)):
        written = list(rng.permutation(keys[khet]))
        if role == "partial":
            written = written[: len(written) // 2]
        elif role == "twin":
            first = twins[twins["khet_code"] == khet].iloc[0]
            pair = twins[(twins["khet_code"] == khet) & (twins["stem"] == first["stem"])]
            written = [k for k in written if k not in set(pair.index)] + [str(pair.index[0])]
        elif role == "complete":
            written = written[: len(written) - int(rng.integers(0, 3))]
        plans.append(KhetReturn(ROUND_A, khet, role, tuple(written), layouts[index % 3]))
    names = list(NEW_NAMES)
    for index in (3, 4):  # two new communities, named like no community of their khet
        plan = plans[index]
        name = _unlike(names, registry.loc[registry["khet_code"] == plan.khet_code])
        names.remove(name)
        plans[index] = KhetReturn(
            ROUND_A, plan.khet_code, plan.role, (*plan.keys, f"new:{name}"), plan.layout
        )
    partial, with_new = plans[1], plans[3]
    every = [*keys[partial.khet_code]]
    dropped = str(rng.choice(every))
    plans += [
        KhetReturn(ROUND_B, partial.khet_code, "not_found",
                   tuple(k for k in every if k != dropped), "xlsx-th"),
        KhetReturn(ROUND_B, with_new.khet_code, "found_all", with_new.keys, "csv-en"),
        KhetReturn(ROUND_B, b_only, "found_all", tuple(keys[b_only]), "csv-th"),
    ]  # fmt: skip
    return plans


def _unlike(names: list[str], khet: pd.DataFrame) -> str:
    """The first of ``names`` that is like no community name of the khet."""
    scores = process.cdist(names, khet["community_name"].tolist(), scorer=fuzz.ratio)
    unlike = [name for name, best in zip(names, scores.max(axis=1), strict=True)
              if best < NEW_MAX_SIMILARITY]  # fmt: skip
    return unlike[0]


def _twins(registry: pd.DataFrame) -> pd.DataFrame:
    """Register communities whose names differ only in a trailing number (one stem, two of it)."""
    stem = registry["community_name"].str.replace(r"[\s0-9๐-๙/\-.]+$", "", regex=True)
    numbered = registry.assign(stem=stem, numbered=stem != registry["community_name"])
    group = numbered.groupby(["khet_code", "stem"])["numbered"]
    pairs = (group.transform("size") == 2) & group.transform("all") & (stem.str.len() >= 8)
    return numbered[pairs].sort_values(["khet_code", "stem", "community_key"])


def written_rows(
    plan: KhetReturn, registry: pd.DataFrame, rng: numpy.random.Generator
) -> pd.DataFrame:
    """The rows of one khet's return: the register's values as an office rewrites them."""
    known = [k for k in plan.keys if not k.startswith("new:")]
    rows = registry.loc[known].reset_index(drop=True)
    rows["truth_key"], rows["truth_id"] = rows["community_key"], rows["community_id"]
    rows["entity"] = rows["community_key"]
    new = pd.DataFrame(
        {"community_name": [k.removeprefix("new:") for k in plan.keys[len(known) :]]}
    )
    if len(new):
        anchor = rows.iloc[: len(new)]
        new = new.assign(
            khet_code=plan.khet_code, khwaeng=anchor["khwaeng"].to_numpy(), community_code=None,
            community_type="slum", households=rng.integers(40, 300, len(new)),
            population=rng.integers(150, 900, len(new)), lat=anchor["lat"].to_numpy() + 0.004,
            lon=anchor["lon"].to_numpy() + 0.004, truth_key="new", truth_id="new",
            entity=list(plan.keys[len(known) :]),
        )  # fmt: skip
        rows = pd.concat([rows, new], ignore_index=True)
    count = len(rows)
    name, variant = _rename(rows, registry, rng)
    if plan.role == "twin":  # the twin written without the number that tells it from the other
        twin = rows.index[rows["truth_key"] == plan.keys[-1]]
        stem = rows.loc[twin, "community_name"].str.replace(r"[\s0-9๐-๙/\-.]+$", "", regex=True)
        name[twin], variant[twin] = stem.to_numpy(), "number dropped (twin)"
    keep_code = rng.random(count) < 0.15
    located = rng.random(count) < 0.65
    if plan.role == "twin":
        keep_code[twin], located[twin] = False, False
    moved = numpy.where(rng.random(count) < 0.4, rng.uniform(50, 300, count), 0.0)
    bearing = rng.uniform(0, 2 * numpy.pi, count)
    lat = rows["lat"] + moved * numpy.cos(bearing) / 111_320
    lon = rows["lon"] + moved * numpy.sin(bearing) / (111_320 * numpy.cos(numpy.radians(13.75)))
    day = _survey_days(plan.survey_round, rng, count)
    khet = load_gazetteer().khet(plan.khet_code)
    spelled = numpy.array([khet.name_th, f"เขต{khet.name_th}", khet.name_en])
    english = plan.layout == "csv-en"
    kinds = rows["community_type"].map(lambda t: t.replace("_", " ") if english else TYPE_TH[t])
    return pd.DataFrame(
        {
            "khet": spelled[rng.integers(0, 2 + english, count)],
            "khwaeng": rows["khwaeng"],
            "community_name": name,
            "community_code": rows["community_code"].where(keep_code, None),
            "community_type": kinds,
            "households": _nudged(rows["households"], rng),
            "population": _nudged(rows["population"], rng),
            "tenure": rng.choice(TENURE, count),
            "eviction_threat": rng.choice(EVICTION, count),
            "survey_date": day,
            "lat": lat.round(6).where(located, None),
            "lon": lon.round(6).where(located, None),
            "truth_key": rows["truth_key"],
            "truth_id": rows["truth_id"],
            "entity": rows["entity"],
            "variant": variant,
            "moved_m": numpy.where(located, moved.round(), numpy.nan),
        }
    )


def _rename(
    rows: pd.DataFrame, registry: pd.DataFrame, rng: numpy.random.Generator
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Each name as an office might write it, and what was changed (vectorised per change)."""
    name = rows["community_name"].astype(str)
    variant = pd.Series("", index=rows.index)
    has_prefix = name.str.startswith("ชุมชน").to_numpy(dtype=bool)
    draws = rng.random((len(rows), 7))
    changes: list[tuple[str, numpy.ndarray, Callable[[pd.Series], pd.Series]]] = [
        ("prefix dropped", has_prefix & (draws[:, 0] < 0.6), lambda s: s.str.removeprefix("ชุมชน")),
        ("prefix added", ~has_prefix & (draws[:, 0] < 0.3), lambda s: "ชุมชน" + s),
        ("spaces", draws[:, 1] < 0.2, lambda s: s.str.replace(
            r"([^\d\s])(\d)", r"\1 \2", regex=True).str.replace(" ", "  ") + " "),
        ("thai digits", draws[:, 2] < 0.5, lambda s: s.str.translate(THAI_DIGITS)),
        ("soi", draws[:, 3] < 0.7, lambda s: s.str.replace("ซอย", "ซ.").where(
            s.str.contains("ซอย"), s.str.replace("ซ.", "ซอย ", regex=False))),
        ("thanon", draws[:, 4] < 0.7, lambda s: s.str.replace("ถนน", "ถ.").where(
            s.str.contains("ถนน"), s.str.replace("ถ.", "ถนน", regex=False))),
        ("sara am split", draws[:, 5] < 0.6, lambda s: s.str.replace("ำ", "\u0e4d\u0e32")),
    ]  # fmt: skip
    for label, mask, change in changes:
        changed = change(name[mask])
        really = changed != name[mask]
        name[changed.index[really]] = changed[really]
        variant[changed.index[really]] += label + "; "
    typo = (draws[:, 6] < 0.15) & _typo_safe(rows, registry)
    name[typo] = numpy.array([_typo(text, rng) for text in name[typo]], dtype=object)
    variant[typo] += "typo; "
    return name.to_numpy(dtype=object), variant.str.rstrip("; ").to_numpy(dtype=object)


def _typo_safe(rows: pd.DataFrame, registry: pd.DataFrame) -> numpy.ndarray:
    """Long names with no other community of the khet close to them (a typo stays findable)."""
    names = rows["community_name"].astype(str).tolist()
    khet = registry.loc[registry["khet_code"] == rows["khet_code"].iloc[0], "community_name"]
    scores = process.cdist(names, khet.tolist(), scorer=fuzz.ratio)
    scores[scores == 100] = 0  # itself
    neighbour = scores.max(axis=1)
    long = rows["community_name"].str.len().to_numpy() >= TYPO_MIN_LENGTH
    known = (rows["truth_key"] != "new").to_numpy(dtype=bool)
    return numpy.asarray(long & (neighbour < TYPO_MAX_NEIGHBOUR) & known, dtype=bool)


def _typo(text: str, rng: numpy.random.Generator) -> str:
    """One Thai consonant in the second half of the name replaced by a neighbour on the keyboard."""
    positions = [i for i in range(len(text) // 2, len(text)) if "ก" <= text[i] <= "ฮ"]
    if not positions:
        return text + "ก"
    i = int(rng.choice(positions))
    return text[:i] + ("ก" if text[i] != "ก" else "ด") + text[i + 1 :]


def _nudged(values: pd.Series, rng: numpy.random.Generator) -> numpy.ndarray:
    factor = 1 + rng.uniform(-0.05, 0.05, len(values))
    return numpy.maximum((values.to_numpy() * factor).round(), 0).astype("int64")


def _survey_days(survey_round: str, rng: numpy.random.Generator, count: int) -> numpy.ndarray:
    start = dt.date(2025, 1, 6) if survey_round == ROUND_A else dt.date(2026, 6, 1)
    return numpy.array([start + dt.timedelta(days=int(d)) for d in rng.integers(0, 60, count)])


def _date_texts(days: pd.Series, layout: str, rng: numpy.random.Generator) -> list[object]:
    """Survey dates as offices type them: B.E. d/m/y, ISO, or an Excel date in a workbook."""
    if layout == "xlsx-th":
        return [dt.datetime(d.year, d.month, d.day) for d in days]
    buddhist = rng.random(len(days)) < 0.7
    return [
        f"{d.day:02d}/{d.month:02d}/{d.year + 543}" if be else d.isoformat()
        for d, be in zip(days, buddhist, strict=True)
    ]


def write_return(
    plan: KhetReturn, layout: str, rows: pd.DataFrame, path: Path, rng: numpy.random.Generator
) -> pd.Series:
    """Write one khet's rows to ``path`` in ``layout``; the source_row of each row."""
    language = layout.split("-")[1]
    table = rows.iloc[:, :12].copy()
    table["survey_date"] = pd.Series(_date_texts(rows["survey_date"], layout, rng), table.index)
    table.columns = pd.Index(HEADERS[language])
    if layout.startswith("xlsx"):
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        khet = load_gazetteer().khet(plan.khet_code).name_th
        for line in XLSX_TITLE:
            sheet.append([line.format(khet=khet, round=plan.survey_round)])
        sheet.append([])
        sheet.append(list(table.columns))
        for values in table.astype(object).where(table.notna(), None).itertuples(index=False):
            sheet.append(list(values))
        book.save(path)
        first = XLSX_FIRST_ROW
    else:
        table.to_csv(path, index=False, encoding="utf-8-sig" if language == "th" else "utf-8")
        first = 2  # the header is line 1
    return pd.Series(range(first, first + len(rows)), index=rows.index)


def write_district_returns(registry: pd.DataFrame, out: Path, seed: int = 13) -> DistrictReturns:
    """Write rounds A and B under ``out``/raw/surveys and the truth under ``out``/truth."""
    rng = numpy.random.default_rng(seed)
    surveys = out / "raw" / "surveys"
    truth_dir = out / "truth"
    truth_dir.mkdir(parents=True, exist_ok=True)
    written, files = [], []
    for plan in plan_returns(registry, rng):
        folder = surveys / plan.survey_round
        folder.mkdir(parents=True, exist_ok=True)
        rows = written_rows(plan, registry, rng)
        suffix = "xlsx" if plan.layout.startswith("xlsx") else "csv"
        path = folder / f"{plan.khet_code}_{plan.survey_round}.{suffix}"
        parts = [(path, plan.layout, rows)]
        if plan.role == "twice":  # the office sends corrections of some rows, surveyed later
            fixes = rows.sample(5, random_state=seed).copy()
            fixes["households"] = _nudged(fixes["households"], rng)
            fixes["survey_date"] = fixes["survey_date"] + dt.timedelta(days=70)
            fixes["variant"] = fixes["variant"] + " (correction)"
            rows = rows.assign(superseded=rows.index.isin(fixes.index))
            fixed = folder / f"{plan.khet_code}_{plan.survey_round}_แก้ไข.csv"
            parts = [(path, plan.layout, rows), (fixed, "csv-th", fixes)]
        for file, layout, part in parts:
            source_row = write_return(plan, layout, part, file, rng)
            files.append(file)
            written.append(
                part.assign(survey_round=plan.survey_round, file=file.name, source_row=source_row,
                            khet_code=plan.khet_code, role=plan.role)
            )  # fmt: skip
    truth = pd.concat(written, ignore_index=True)
    truth["superseded"] = truth["superseded"].fillna(False).astype(bool)
    truth["expect_review"] = truth["variant"] == "number dropped (twin)"
    truth["community_type"] = truth["community_type"].map(_type_code)
    rows_path, coverage_path = truth_dir / "truth_rows.csv", truth_dir / "truth_coverage.csv"
    columns = ["survey_round", "file", "source_row", "khet_code", "role", "community_name",
               "community_code", "community_type", "households", "population", "lat", "lon",
               "truth_key", "truth_id", "entity", "variant", "moved_m", "superseded",
               "expect_review"]  # fmt: skip
    truth[columns].to_csv(rows_path, index=False)
    expected_coverage(registry, truth).to_csv(coverage_path, index=False)
    return DistrictReturns(surveys, tuple(files), rows_path, coverage_path)


def expected_coverage(registry: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Status per (round, khet) under the documented rule, with the register before each round."""
    khets = load_gazetteer().khet_codes
    register = registry[["community_key", "khet_code"]].reset_index(drop=True)  # before round A
    found = []
    for survey_round in (ROUND_A, ROUND_B):
        records = truth[truth["survey_round"] == survey_round]
        expected = register.groupby("khet_code").size().reindex(khets, fill_value=0)
        listed = records["entity"].isin(register["community_key"])
        seen = records.loc[listed, ["khet_code", "entity"]]
        surveyed = seen.drop_duplicates().groupby("khet_code").size().reindex(khets, fill_value=0)
        share = (surveyed / expected.where(expected > 0)).fillna(0.0)
        returned = pd.Index(khets).isin(records["khet_code"])
        status = numpy.where(
            ~returned, "not_returned", numpy.where(share >= COMPLETE_SHARE, "complete", "partial")
        )
        found.append(
            pd.DataFrame({"survey_round": survey_round, "khet_code": khets, "status": status,
                          "communities_expected": expected.to_numpy(),
                          "expected_surveyed": surveyed.to_numpy(), "share": share.round(3)})
        )  # fmt: skip
        # the register after the round: complete returns drop what they did not find; new ones
        complete = set(found[-1].loc[found[-1]["status"] == "complete", "khet_code"])
        kept = records["entity"]
        gone = register["khet_code"].isin(complete) & ~register["community_key"].isin(kept)
        new = records.loc[records["truth_key"] == "new", ["entity", "khet_code"]]
        register = pd.concat(
            [register[~gone], new.rename(columns={"entity": "community_key"})], ignore_index=True
        ).drop_duplicates("community_key")
    return pd.concat(found, ignore_index=True)


def read_truth_rows(path: Path) -> pd.DataFrame:
    """truth_rows.csv as written: texts ("" where nothing was written), counts, flags."""
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    typed = {"source_row": "int64", "households": "int64", "population": "int64"}
    flags = {name: rows[name] == "True" for name in ("superseded", "expect_review")}
    return rows.astype(typed).assign(**flags)


def read_truth_coverage(path: Path) -> pd.DataFrame:
    """truth_coverage.csv: survey_round, khet_code, status (texts), counts and share."""
    return pd.read_csv(path, dtype={"survey_round": str, "khet_code": str, "status": str})


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path, help="folder to write raw/surveys/ and truth/ under")
    parser.add_argument("--seed", type=int, default=13, help="the same seed writes the same files")
    parser.add_argument(
        "--sources-dir",
        type=Path,
        default=os.environ.get("CITYWIDE_SOURCES_DIR"),
        help="the real files (default: CITYWIDE_SOURCES_DIR); the registry is "
        f"SOURCES_DIR/{COMMUNITY_REGISTRY.main_path}",
    )
    parser.add_argument(
        "--database",
        type=Path,
        help="read the registry from this citywide database instead (round bma_registry)",
    )
    args = parser.parse_args()
    if args.database:
        registry = registry_from_database(args.database)
    elif args.sources_dir:
        registry = registry_from_geojson(Path(args.sources_dir) / COMMUNITY_REGISTRY.main_path)
    else:
        parser.error("give --sources-dir (or set CITYWIDE_SOURCES_DIR) or --database")
    made = write_district_returns(registry, args.out, args.seed)
    print(*made.files, sep="\n")
    print(f"truth: {made.truth_rows}, {made.truth_coverage}")


if __name__ == "__main__":
    main()
