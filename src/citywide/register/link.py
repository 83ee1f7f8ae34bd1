"""Linking a round's records to the community register: pure functions of frames.

A *mention* is one community as a round's records name it: a ``community_key`` of the round with
its khet, code, name (and name key), point and type, from the round's community records or, for
a community known only from its households, from those. Each is linked, within its khet, by the
first rule that decides it (docs/linking.md):

1. ``manual``: a person's decision (link_decision) names the register community, or ``new``;
2. ``code``: the community code equals a register community's;
3. ``name``: the name key equals exactly one register community's (several: review);
4. ``fuzzy``: name similarity (rapidfuzz ``fuzz.ratio`` on name keys) less a distance penalty
   where both have a point, the numbers in the names equal (where both have one) and the point
   no farther than
   ``max_distance_m``; the best candidate must reach ``fuzzy_min`` and beat the next by
   ``margin``, and its name be at most ``max_edits`` letters from the mention's, or the
   mention goes to review;
5. ``new``: nothing fits, or the fit is uncertain (review): a new register community.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from citywide.register.normalise import digits
from citywide.schema_register import COMMUNITY_REGISTER, LINK_REVIEW

if TYPE_CHECKING:
    from citywide.settings import Settings

MENTION_COLUMNS = (
    "community_key", "khet_code", "khwaeng_code", "community_code", "community_name",
    "name_key", "lat", "lon", "community_type", "source_file_id", "source_row",
)  # fmt: skip
LINK_COLUMNS = ("community_key", "community_id", "link_method", "link_score")
REVIEW_CANDIDATES = 3  # candidates listed per record in review
DISTANCE_PENALTY = 10.0  # points of fit lost at max_distance_m (linearly)
EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True)
class LinkRules:
    """The thresholds of the linking and of the coverage status (Settings fields)."""

    fuzzy_min: float = 85.0
    margin: float = 5.0
    max_edits: int = 2
    max_distance_m: float = 1500.0
    complete_share: float = 0.8

    @classmethod
    def from_settings(cls, settings: Settings) -> LinkRules:
        return cls(
            settings.link_fuzzy_min,
            settings.link_margin,
            settings.link_max_edits,
            settings.link_max_distance_m,
            settings.coverage_complete_share,
        )


@dataclass(frozen=True)
class RoundLinks:
    """What linking one round decided."""

    links: pd.DataFrame  # LINK_COLUMNS, one row per mention
    review: pd.DataFrame  # LINK_REVIEW columns
    new_entries: pd.DataFrame  # COMMUNITY_REGISTER columns
    decisions: pd.DataFrame  # the round's decisions: community_key, applied, message


def community_id(survey_round: str, community_key: str, khet_code: str) -> str:
    """The id of a community first seen as ``community_key`` in ``survey_round``: derived from
    that first record alone, so every later run gives it again."""
    digest = hashlib.sha256(f"{survey_round}|{community_key}".encode()).hexdigest()[:10]
    return f"NEW-{khet_code}-{digest}"


def registry_id(khet_code: str, community_code: str) -> str:
    """BMA-<code> for a registry code, which starts with its khet's code (9 digits: khet,
    khwaeng, number); BMA-<khet>-<code> for a code that does not, so ids stay unique."""
    if community_code.startswith(khet_code):
        return f"BMA-{community_code}"
    return f"BMA-{khet_code}-{community_code}"


def empty_register() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in COMMUNITY_REGISTER.column_names})


def empty_review() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in LINK_REVIEW.column_names})


def _links(frame: pd.DataFrame, method: str, score: float | pd.Series | None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "community_key": frame["community_key"].to_numpy(),
            "community_id": frame["community_id"].to_numpy(),
            "link_method": method,
            "link_score": numpy.nan if score is None else score,
        }
    )


def new_entries(mentions: pd.DataFrame, survey_round: str) -> pd.DataFrame:
    """Register rows for mentions first seen in ``survey_round`` (their ``community_id`` set)."""
    return pd.DataFrame(
        {
            "community_id": mentions["community_id"].to_numpy(),
            "khet_code": mentions["khet_code"].to_numpy(),
            "khwaeng_code": mentions["khwaeng_code"].to_numpy(),
            "canonical_name": mentions["community_name"]
            .fillna(mentions["community_key"])
            .to_numpy(),
            "name_key": mentions["name_key"].fillna("").to_numpy(),
            "community_code": mentions["community_code"].to_numpy(),
            "community_type": mentions["community_type"].to_numpy(),
            "lat": mentions["lat"].to_numpy(dtype=float),
            "lon": mentions["lon"].to_numpy(dtype=float),
            "first_round": survey_round,
            "last_round": survey_round,
            "rounds_seen": 1,
            "status": "active",
            "not_found_round": None,
            "merged_into": None,
        }
    ).reindex(columns=list(COMMUNITY_REGISTER.column_names))


def seed(survey_round: str, mentions: pd.DataFrame) -> RoundLinks:
    """The registry round: every community is a register community, linked to itself by code."""
    ids = [
        community_id(survey_round, key, khet) if pd.isna(code) else registry_id(khet, code)
        for key, khet, code in zip(
            mentions["community_key"], mentions["khet_code"], mentions["community_code"],
            strict=True,
        )
    ]  # fmt: skip
    seeded = mentions.assign(community_id=ids)
    coded = seeded["community_code"].notna()
    links = pd.concat(
        [_links(seeded[coded], "code", 100.0), _links(seeded[~coded], "new", None)],
        ignore_index=True,
    )
    return RoundLinks(
        links,
        empty_review(),
        new_entries(seeded, survey_round),
        pd.DataFrame(columns=["community_key", "applied", "message"]),
    )


def link_round(
    survey_round: str,
    mentions: pd.DataFrame,
    register: pd.DataFrame,
    decisions: pd.DataFrame,
    rules: LinkRules,
) -> RoundLinks:
    """Link a district round's mentions to ``register`` (as it stood before the round)."""
    open_entries = register[register["status"] != "merged"]
    manual, decided = _manual(mentions, open_entries, decisions)
    todo = mentions[~mentions["community_key"].isin(manual["community_key"])]
    by_code = _by_code(todo, open_entries)
    todo = todo[~todo["community_key"].isin(by_code["community_key"])]
    by_name, same_name = _by_name(todo, open_entries, rules)
    todo = todo[~todo["community_key"].isin(by_name["community_key"])]
    todo = todo[~todo["community_key"].isin(same_name["community_key"])]
    claimed = pd.concat([manual["community_id"], by_code["community_id"], by_name["community_id"]])
    by_fuzz, close = _by_fuzz(
        todo, open_entries[~open_entries["community_id"].isin(claimed)], rules
    )
    review = pd.concat([same_name, close], ignore_index=True).assign(survey_round=survey_round)
    linked = pd.concat([manual, by_code, by_name, by_fuzz], ignore_index=True)
    fresh = mentions[~mentions["community_key"].isin(linked["community_key"])]
    fresh = fresh.assign(
        community_id=[
            community_id(survey_round, key, khet)
            for key, khet in zip(fresh["community_key"], fresh["khet_code"], strict=True)
        ]
    )
    decided_new = decided.loc[decided["decision"] == "new", "community_key"]
    links = pd.concat(
        [
            linked,
            _links(fresh[fresh["community_key"].isin(decided_new)], "manual", None),
            _links(fresh[~fresh["community_key"].isin(decided_new)], "new", None),
        ],
        ignore_index=True,
    )
    return RoundLinks(
        links,
        _review_rows(review, mentions, register),
        new_entries(fresh, survey_round),
        decided[["community_key", "applied", "message"]],
    )


def _manual(
    mentions: pd.DataFrame, register: pd.DataFrame, decisions: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Links a person decided, and every decision of the round with whether it applied."""
    decided = decisions[["community_key", "decision"]].drop_duplicates("community_key", keep="last")
    known_record = decided["community_key"].isin(mentions["community_key"])
    known_id = decided["decision"].isin(register["community_id"]) | (decided["decision"] == "new")
    message = pd.Series(None, index=decided.index, dtype=object)
    message[~known_id] = "no community with this community_id in the register"
    message[~known_record] = "no record with this community_key in the round"
    decided = decided.assign(applied=known_record & known_id, message=message)
    chosen = decided[decided["applied"] & (decided["decision"] != "new")]
    manual = _links(chosen.rename(columns={"decision": "community_id"}), "manual", None)
    return manual, decided


def _by_code(mentions: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    coded = register.loc[
        register["community_code"].notna(), ["khet_code", "community_code", "community_id"]
    ]
    found = mentions.merge(coded, on=["khet_code", "community_code"], how="inner")
    found = found.sort_values("community_id").drop_duplicates("community_key")
    return _links(found, "code", 100.0)


def _by_name(
    mentions: pd.DataFrame, register: pd.DataFrame, rules: LinkRules
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Links by equal name key; mentions whose key several register communities share go to
    review (as candidates of fit 100 less the distance penalty)."""
    named = register[["khet_code", "name_key", "community_id", "lat", "lon"]]
    found = mentions[mentions["name_key"].notna()].merge(
        named, on=["khet_code", "name_key"], how="inner", suffixes=("", "_entry")
    )
    fits = found.groupby("community_key")["community_id"].transform("size")
    unique = found[fits == 1]
    several = found[fits > 1]
    distance = _distance_m(
        several["lat"].to_numpy(float), several["lon"].to_numpy(float),
        several["lat_entry"].to_numpy(float), several["lon_entry"].to_numpy(float),
    )  # fmt: skip
    candidates = pd.DataFrame(
        {
            "community_key": several["community_key"].to_numpy(),
            "candidate_id": several["community_id"].to_numpy(),
            "name_score": 100.0,
            "distance_m": distance,
            "fit": 100.0 - _penalty(distance, rules),
            "reason": "same_name",
        }
    )
    return _links(unique, "name", 100.0), candidates


def _distance_m(
    lat1: numpy.ndarray, lon1: numpy.ndarray, lat2: numpy.ndarray, lon2: numpy.ndarray
) -> numpy.ndarray:
    """Great-circle distance (haversine), NaN where a point is missing; arrays broadcast."""
    phi1, phi2 = numpy.radians(lat1), numpy.radians(lat2)
    dphi = phi2 - phi1
    dlmb = numpy.radians(lon2) - numpy.radians(lon1)
    a = numpy.sin(dphi / 2) ** 2 + numpy.cos(phi1) * numpy.cos(phi2) * numpy.sin(dlmb / 2) ** 2
    result: numpy.ndarray = 2 * EARTH_RADIUS_M * numpy.arcsin(numpy.sqrt(a))
    return result


def _penalty(distance: numpy.ndarray, rules: LinkRules) -> numpy.ndarray:
    """Fit lost to distance: 0 at the same point, DISTANCE_PENALTY at max_distance_m."""
    penalty: numpy.ndarray = numpy.nan_to_num(
        DISTANCE_PENALTY * numpy.minimum(distance / rules.max_distance_m, 1.0), nan=0.0
    )
    return penalty


def _by_fuzz(
    mentions: pd.DataFrame, register: pd.DataFrame, rules: LinkRules
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fuzzy links, khet by khet; uncertain mentions as review candidates."""
    links, review = [], []
    named = mentions[mentions["name_key"].notna()]
    for khet, group in named.groupby("khet_code", sort=True):
        entries = register[(register["khet_code"] == khet) & (register["name_key"] != "")]
        if entries.empty:
            continue
        found, uncertain = _decide(group, entries, _fits(group, entries, rules), rules)
        links.append(found)
        review.append(uncertain)
    found = (
        pd.concat(links, ignore_index=True)
        if links
        else _links(named.iloc[:0].assign(community_id=None), "fuzzy", None)
    )
    uncertain = pd.concat(review, ignore_index=True) if review else _candidates_frame()
    return _one_each(found, uncertain, rules)


@dataclass(frozen=True)
class Fits:
    """Every mention (rows) x register community (columns) of a khet."""

    fit: numpy.ndarray  # name score less the distance penalty; 0 when disqualified
    score: numpy.ndarray  # name similarity, 0-100
    edits: numpy.ndarray  # Levenshtein distance of the name keys
    distance: numpy.ndarray  # m, NaN where a point is missing


def _fits(mentions: pd.DataFrame, entries: pd.DataFrame, rules: LinkRules) -> Fits:
    queries, choices = mentions["name_key"].tolist(), entries["name_key"].tolist()
    score = process.cdist(queries, choices, scorer=fuzz.ratio, dtype=numpy.float32, workers=1)
    edits = process.cdist(
        queries, choices, scorer=Levenshtein.distance, dtype=numpy.int32, workers=1
    )
    # numbers written on both sides must agree; a name without its number may be either
    numbered = mentions["name_key"].map(digits).to_numpy()[:, None]
    numbers = entries["name_key"].map(digits).to_numpy()[None, :]
    numbers_differ = (numbered != numbers) & (numbered != "") & (numbers != "")
    distance = _distance_m(
        mentions["lat"].to_numpy(float)[:, None], mentions["lon"].to_numpy(float)[:, None],
        entries["lat"].to_numpy(float)[None, :], entries["lon"].to_numpy(float)[None, :],
    )  # fmt: skip
    too_far = numpy.nan_to_num(distance, nan=0.0) > rules.max_distance_m
    fit = numpy.where(numbers_differ | too_far, 0.0, score - _penalty(distance, rules))
    return Fits(fit, score.astype(float), edits, distance)


def _candidates_frame(**columns: object) -> pd.DataFrame:
    names = ("community_key", "candidate_id", "name_score", "distance_m", "fit", "reason")
    return pd.DataFrame({name: columns.get(name, pd.Series(dtype=object)) for name in names})


def _decide(
    mentions: pd.DataFrame, entries: pd.DataFrame, fits: Fits, rules: LinkRules
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The best candidate of each mention linked when it fits well, clearly better than the
    next and within ``max_edits`` of the name; review when it fits well but not clearly."""
    fit = fits.fit
    order = numpy.argsort(-fit, axis=1, kind="stable")
    best = numpy.take_along_axis(fit, order[:, :1], axis=1)[:, 0]
    second = (
        numpy.take_along_axis(fit, order[:, 1:2], axis=1)[:, 0]
        if fit.shape[1] > 1
        else numpy.zeros(len(best))
    )
    edits = numpy.take_along_axis(fits.edits, order[:, :1], axis=1)[:, 0]
    good = best >= rules.fuzzy_min
    clear = good & (best - second >= rules.margin) & (edits <= rules.max_edits)
    unclear = good & ~clear
    ids = entries["community_id"].to_numpy()
    found = pd.DataFrame(
        {
            "community_key": mentions["community_key"].to_numpy()[clear],
            "community_id": ids[order[clear, 0]],
            "link_method": "fuzzy",
            "link_score": numpy.round(best[clear], 1),
        }
    )
    listed = min(REVIEW_CANDIDATES, fit.shape[1])
    which = numpy.repeat(numpy.flatnonzero(unclear), listed)
    picked = order[unclear, :listed].ravel()
    keep = (fit[which, picked] >= best[which] - 2 * rules.margin) & (fit[which, picked] > 0)
    which, picked = which[keep], picked[keep]
    close = best[which] - numpy.where(fit.shape[1] > 1, second[which], 0) < rules.margin
    uncertain = _candidates_frame(
        community_key=mentions["community_key"].to_numpy()[which],
        candidate_id=ids[picked],
        name_score=numpy.round(fits.score[which, picked], 1),
        distance_m=numpy.round(fits.distance[which, picked], 0),
        fit=numpy.round(fit[which, picked], 1),
        reason=numpy.where(close, "close_fit", "many_edits"),
    )
    return found, uncertain


def _one_each(
    found: pd.DataFrame, uncertain: pd.DataFrame, rules: LinkRules
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two mentions of a round fuzzily linked to one register community: the best keeps it when
    it beats the next by the margin; the others (or all) go to review with that candidate."""
    ranked = found.sort_values(["community_id", "link_score"], ascending=[True, False])
    next_score = ranked.groupby("community_id")["link_score"].shift(-1)
    first = ~ranked.duplicated("community_id")
    keeps = first & (next_score.isna() | (ranked["link_score"] - next_score >= rules.margin))
    shared = ranked[~keeps]
    candidates = _candidates_frame(
        community_key=shared["community_key"].to_numpy(),
        candidate_id=shared["community_id"].to_numpy(),
        name_score=shared["link_score"].to_numpy(),
        distance_m=numpy.nan,
        fit=shared["link_score"].to_numpy(),
        reason="shared_candidate",
    )
    return ranked[keeps].reset_index(drop=True), pd.concat(
        [uncertain, candidates], ignore_index=True
    )


def _review_rows(
    candidates: pd.DataFrame, mentions: pd.DataFrame, register: pd.DataFrame
) -> pd.DataFrame:
    """LINK_REVIEW rows: each candidate with the record as written, ranked by fit."""
    if candidates.empty:
        return empty_review()
    names = register.set_index("community_id")["canonical_name"]
    candidates = candidates.assign(candidate_name=candidates["candidate_id"].map(names))
    record = mentions[
        [
            "community_key",
            "khet_code",
            "community_name",
            "community_code",
            "source_file_id",
            "source_row",
        ]
    ]
    rows = candidates.merge(record, on="community_key", how="left")
    rows = rows.sort_values(["community_key", "fit"], ascending=[True, False], kind="stable")
    rows = rows.drop_duplicates(["community_key", "candidate_id"])
    rows["candidate_rank"] = rows.groupby("community_key").cumcount() + 1
    return rows.reindex(columns=list(LINK_REVIEW.column_names)).reset_index(drop=True)


def advance(
    register: pd.DataFrame, survey_round: str, linked: RoundLinks, mentions: pd.DataFrame
) -> pd.DataFrame:
    """The register after a round: its new communities added; those it has records of seen
    again (last round, rounds seen, active, type as last recorded)."""
    grown = pd.concat([register, linked.new_entries], ignore_index=True)
    links = linked.links.merge(mentions[["community_key", "community_type"]], on="community_key")
    again = grown["community_id"].isin(links["community_id"]) & ~grown["community_id"].isin(
        linked.new_entries["community_id"]
    )
    types = (
        links.dropna(subset=["community_type"])
        .drop_duplicates("community_id")
        .set_index("community_id")["community_type"]
    )
    grown.loc[again, "last_round"] = survey_round
    grown.loc[again, "rounds_seen"] = grown.loc[again, "rounds_seen"].astype(int) + 1
    grown.loc[again, "status"] = "active"
    retyped = again & grown["community_id"].isin(types.index)
    grown.loc[retyped, "community_type"] = grown.loc[retyped, "community_id"].map(types)
    return grown


def mark_not_found(register: pd.DataFrame, missing: pd.Series, survey_round: str) -> pd.DataFrame:
    """The register with the communities a complete return did not find marked not_found."""
    marked = register.copy()
    gone = marked["community_id"].isin(missing)
    marked.loc[gone, "status"] = "not_found"
    marked.loc[gone, "not_found_round"] = survey_round
    return marked
