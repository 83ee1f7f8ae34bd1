"""The linking step: the register, every record's link, coverage and change, from the database.

Runs after ingestion and before the indicators, in the run's working copy. It rebuilds
everything from the records and the decisions, rounds in order, so a second run with the same
inputs writes the same rows (ids are derived from records, never drawn). Reads and writes the
database through SQL in register/sql/; the decisions are linked by the pure functions of
:mod:`citywide.register.link` and :mod:`citywide.register.coverage`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import duckdb
import pandas as pd

from citywide import db
from citywide.ingest.rules import create_macros
from citywide.register.coverage import COMPLETE, NOT_RETURNED, round_coverage
from citywide.register.decisions import DECISION_COLUMNS
from citywide.register.link import (
    LINK_COLUMNS,
    LinkRules,
    RoundLinks,
    advance,
    empty_register,
    link_round,
    mark_not_found,
    seed,
)
from citywide.rounds import REGISTRY_ROUND, display_name
from citywide.schema import (
    COMMUNITY,
    COMMUNITY_CHANGE,
    COMMUNITY_HISTORY,
    COMMUNITY_REGISTER,
    HOUSEHOLD,
    HOUSEHOLD_HISTORY,
    KHET_COVERAGE,
    LINK_DECISION,
    LINK_REVIEW,
    SURVEY_ROUND,
)

RECORD_TABLES = (COMMUNITY, COMMUNITY_HISTORY, HOUSEHOLD, HOUSEHOLD_HISTORY)


def _sql(name: str) -> str:
    return resources.files("citywide.register").joinpath("sql", f"{name}.sql").read_text("utf-8")


@dataclass(frozen=True)
class RegisterBuilt:
    """What the linking step wrote: counts for the run's log and report."""

    rounds: int
    communities: int  # register communities
    links: dict[str, int]  # record mentions by link method
    pending_review: int  # mentions waiting for a person's decision
    decisions_applied: int
    decisions_not_applied: int
    not_found: int  # communities marked not_found by some complete return


@dataclass(frozen=True)
class Linked:
    """Everything the rounds decided, before it is written."""

    rounds: pd.DataFrame
    register: pd.DataFrame
    links: pd.DataFrame  # survey_round + LINK_COLUMNS
    coverage: pd.DataFrame
    review: pd.DataFrame
    decisions: pd.DataFrame
    not_found: pd.DataFrame  # survey_round, community_id, khet_code


def link_all(
    rounds: pd.DataFrame,
    mentions: pd.DataFrame,
    khets: list[str],
    decisions: pd.DataFrame,
    rules: LinkRules,
) -> Linked:
    """Link every round in order: a pure function of the mentions and the decisions."""
    register = empty_register()
    links, coverage, review, decided, missing = [], [], [], [], []
    by_round = dict(tuple(mentions.groupby("survey_round", sort=False)))
    for survey_round in rounds["survey_round"]:
        mentioned = by_round.get(survey_round, mentions.iloc[:0])
        wanted = decisions[decisions["survey_round"] == survey_round]
        result: RoundLinks = (
            seed(survey_round, mentioned)
            if survey_round == REGISTRY_ROUND
            else link_round(survey_round, mentioned, register, wanted, rules)
        )
        before = register
        register = advance(register, survey_round, result, mentioned)
        khet_of = mentioned.set_index("community_key")["khet_code"]
        round_links = result.links.assign(khet_code=result.links["community_key"].map(khet_of))
        covered = round_coverage(
            khets, before, round_links, result.new_entries["community_id"], rules.complete_share
        )
        register = mark_not_found(register, covered.not_found["community_id"], survey_round)
        links.append(result.links.assign(survey_round=survey_round))
        coverage.append(covered.coverage.assign(survey_round=survey_round))
        review.append(result.review)
        decided.append(wanted.merge(result.decisions, on="community_key", how="left"))
        missing.append(covered.not_found.assign(survey_round=survey_round))
    return Linked(
        rounds,
        register,
        _concat(links, [*LINK_COLUMNS, "survey_round"]),
        _concat(coverage, ["survey_round", "khet_code"]),
        _concat(review, LINK_REVIEW.column_names),
        _decisions(decided, decisions),
        _concat(missing, ["community_id", "khet_code", "survey_round"]),
    )


def _concat(frames: list[pd.DataFrame], columns: tuple[str, ...] | list[str]) -> pd.DataFrame:
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    return pd.concat(frames, ignore_index=True)


def _decisions(decided: list[pd.DataFrame], decisions: pd.DataFrame) -> pd.DataFrame:
    """Every decision read, with whether it applied: one for a round that does not exist is not."""
    frame = _concat(decided, [*DECISION_COLUMNS, "applied", "message"])
    unknown = decisions[~decisions["survey_round"].isin(frame["survey_round"])]
    unknown = unknown.assign(applied=False, message="no such survey round in the database")
    frame = pd.concat([frame, unknown], ignore_index=True) if not unknown.empty else frame
    frame["applied"] = frame["applied"].fillna(False).astype(bool)
    return frame.reindex(columns=list(LINK_DECISION.column_names))


def build_register(
    connection: duckdb.DuckDBPyConnection, rules: LinkRules, decisions: pd.DataFrame
) -> RegisterBuilt:
    """Link every record, then write the register's tables and the records' link columns, in
    one transaction."""
    create_macros(connection)
    rounds = db.timed_frame(connection, _sql("rounds"), {"registry": REGISTRY_ROUND})
    mentions = connection.execute(_sql("mentions")).df()
    khets = [
        row[0] for row in connection.execute("SELECT khet_code FROM khet ORDER BY 1").fetchall()
    ]
    linked = link_all(rounds, mentions, khets, decisions, rules)
    returns = db.timed_frame(connection, _sql("returns"))
    coverage = _coverage_table(linked.coverage, returns)
    tables = {
        SURVEY_ROUND.name: _rounds_table(rounds, coverage),
        KHET_COVERAGE.name: coverage,
        COMMUNITY_REGISTER.name: linked.register,
        LINK_REVIEW.name: linked.review,
        LINK_DECISION.name: linked.decisions,
    }
    connection.execute("BEGIN TRANSACTION")
    try:
        _write_links(connection, linked.links)
        db.write_tables(connection, tables)
        connection.register("not_found", linked.not_found)
        try:
            change = connection.execute(_sql("change"), {"registry": REGISTRY_ROUND}).df()
        finally:
            connection.unregister("not_found")
        db.write_tables(connection, {COMMUNITY_CHANGE.name: change})
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    methods = linked.links["link_method"].value_counts()
    return RegisterBuilt(
        rounds=len(rounds),
        communities=len(linked.register),
        links={str(k): int(v) for k, v in methods.items()},
        pending_review=int(linked.review["community_key"].nunique()),
        decisions_applied=int(linked.decisions["applied"].sum()),
        decisions_not_applied=int((~linked.decisions["applied"]).sum()),
        not_found=int((linked.register["status"] == "not_found").sum()),
    )


def _write_links(connection: duckdb.DuckDBPyConnection, links: pd.DataFrame) -> None:
    """Every record's community_id, link_method and link_score, by (round, community_key)."""
    frame = links[["survey_round", *LINK_COLUMNS]].astype(
        {"community_id": object, "link_method": object, "link_score": float}
    )
    connection.register("round_links", frame)
    try:
        for table in RECORD_TABLES:
            connection.execute(
                f"""
                UPDATE {table.name} AS t
                SET community_id = l.community_id, link_method = l.link_method,
                    link_score = l.link_score
                FROM round_links l
                WHERE t.survey_round = l.survey_round AND t.community_key = l.community_key
                """  # noqa: S608 (identifier from TableSpec)
            )
    finally:
        connection.unregister("round_links")


def _coverage_table(coverage: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    frame = coverage.merge(returns, on=["survey_round", "khet_code"], how="left")
    frame["files"] = frame["files"].fillna(0).astype("int64")
    return frame.reindex(columns=list(KHET_COVERAGE.column_names))


def _rounds_table(rounds: pd.DataFrame, coverage: pd.DataFrame) -> pd.DataFrame:
    names = rounds["survey_round"].map(display_name)
    per_round = coverage.groupby("survey_round")["status"]
    returned = per_round.apply(lambda s: int((s != NOT_RETURNED).sum()))
    complete = per_round.apply(lambda s: int((s == COMPLETE).sum()))
    frame = rounds.assign(
        name_th=names.str[0],
        name_en=names.str[1],
        khets_returned=rounds["survey_round"].map(returned).fillna(0).astype("int64"),
        khets_complete=rounds["survey_round"].map(complete).fillna(0).astype("int64"),
    )
    return frame.reindex(columns=list(SURVEY_ROUND.column_names))
