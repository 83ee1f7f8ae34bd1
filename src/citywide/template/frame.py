"""What a khet's template is made of: the khet, its khwaeng and its registered communities.

Read from the database a run published: ``khet`` and ``khwaeng`` (the geography) and
``community_register`` (code, name and khwaeng of each community, never a person's column).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from citywide import db
from citywide.errors import CitywideError, DatabaseError
from citywide.gazetteer import Place, load_gazetteer
from citywide.schema import COMMUNITY_REGISTER, KHET, KHWAENG


class KhetUnknown(CitywideError):
    """``citywide template --khet`` names no khet, or more than one."""


@dataclass(frozen=True)
class RegisteredCommunity:
    """A community of the register, as the template pre-fills it."""

    community_code: str | None
    name: str
    khwaeng: str | None  # Thai name of its khwaeng, as the dropdown offers it


@dataclass(frozen=True)
class KhetFrame:
    """One khet's template content."""

    khet: Place
    khwaeng: tuple[Place, ...]
    communities: tuple[RegisteredCommunity, ...]


_KHWAENG_SQL = """
WITH khwaeng_of_khet AS (
    SELECT khwaeng_code, name_th, name_en FROM khwaeng WHERE khet_code = $khet
)
SELECT khwaeng_code, name_th, name_en FROM khwaeng_of_khet ORDER BY khwaeng_code
"""
# Merged entries are never link candidates (docs/linking.md): not offered either. A community
# not found in the last return stays: the office says whether it is still there.
_COMMUNITIES_SQL = """
WITH registered AS (
    SELECT community_code, canonical_name, khwaeng_code
    FROM community_register
    WHERE khet_code = $khet AND status <> 'merged'
),
khwaeng_names AS (
    SELECT khwaeng_code, name_th FROM khwaeng WHERE khet_code = $khet
)
SELECT r.community_code, r.canonical_name, k.name_th AS khwaeng_name
FROM registered r LEFT JOIN khwaeng_names k USING (khwaeng_code)
ORDER BY k.name_th NULLS LAST, r.community_code NULLS LAST, r.canonical_name
"""


def require_register(connection: duckdb.DuckDBPyConnection, where: str) -> None:
    """The database holds the geography and the community register, or DatabaseError says how
    to make them."""
    missing = [
        spec.name
        for spec in (KHET, KHWAENG, COMMUNITY_REGISTER)
        if spec.name not in db.table_names(connection)
    ]
    if missing:
        raise DatabaseError(
            "ฐานข้อมูลยังไม่มีทะเบียนชุมชน / the database has no community register yet",
            expected="tables khet, khwaeng and community_register, written by `citywide run`",
            found=f"missing: {', '.join(missing)}",
            where=where,
            fix="run the pipeline once (`citywide run`), then `citywide template` again",
        )


def khet_code(text: str) -> str:
    """The khet a code or a name given on the command line means (KhetUnknown otherwise)."""
    answer = load_gazetteer().resolve_khet(text)
    if answer.code is None:
        raise KhetUnknown(
            f"ไม่รู้จักเขต / {answer.message_en()}",
            expected="a khet code (1001-1050) or name, e.g. 1002 or ดุสิต, or --all",
            found=repr(text),
            where="citywide template --khet",
            fix=f"{answer.message_th()}: give one of them",
        )
    return answer.code


def khet_frame(connection: duckdb.DuckDBPyConnection, code: str) -> KhetFrame:
    """The khet ``code``'s khwaeng and registered communities."""
    parameters = {"khet": code}
    khwaeng = connection.execute(_KHWAENG_SQL, parameters).fetchall()
    communities = connection.execute(_COMMUNITIES_SQL, parameters).fetchall()
    return KhetFrame(
        khet=load_gazetteer().khet(code),
        khwaeng=tuple(Place(str(c), str(th), str(en)) for c, th, en in khwaeng),
        communities=tuple(
            RegisteredCommunity(
                None if community_code is None else str(community_code),
                str(name),
                None if khwaeng_name is None else str(khwaeng_name),
            )
            for community_code, name, khwaeng_name in communities
        ),
    )
