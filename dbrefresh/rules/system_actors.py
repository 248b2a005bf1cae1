"""Actors of the system in a table of actors: their display names kept.

ODK Central's `actors(id, type, displayName)` holds people ('user'), app users
('field_key') and the application's own actors: type 'system' ('*anonymous*'),
'singleUse' ('system: analytics') and 'public_link' (the name of a public form link).
`displayName` was proposed `full_name` for all of them, and the anonymous actor and
the public links were renamed as people. In a table of actors (`actor`, `actors`,
`*_actor(s)`) whose type column holds one of those types, each masked name column gets
a `switch` on that column: those types kept, every other row the rule it had.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules import pii
from dbrefresh.rules.init_yaml import rule_value
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.rules.propose_keys import Proposals
from dbrefresh.rules.sample import sampled_rows

SYSTEM_TYPES = ("system", "singleUse", "public_link")
TYPE_COLUMNS = ("type", "actor_type", "kind")
NAME_KINDS = frozenset({"first_name", "last_name", "full_name"})
_ACTOR_TABLES = re.compile(r"(?:^|_)actors?$")


def keep_system_actors(
    conn: psycopg.Connection[Any], catalog: Catalog, proposals: Proposals
) -> None:
    """Switch each masked name column of a table of actors on its type column, keeping
    the rows of the system's own types."""
    for name, columns in proposals.items():
        table = catalog.tables[name]
        if not _ACTOR_TABLES.search(pii.normalize(table.name)):
            continue
        by = next((c for c in TYPE_COLUMNS if _plain_text(table, c, columns)), None)
        masked = [
            p
            for p in columns.values()
            if p.kind in NAME_KINDS and p.masked and p.strategy != "switch" and not p.unique
        ]
        if by is None or not masked:
            continue
        try:
            found = _system_types(conn, table, by)
        except psycopg.Error:  # no SELECT right, timeout: the proposals stay
            continue
        for proposal in masked if found else ():
            columns[proposal.column] = ColumnProposal(
                proposal.column,
                "switch",
                {
                    "by": by,
                    "cases": {t: "keep" for t in found},
                    "default": rule_value(proposal),
                },
                kind=proposal.kind,
                why=[
                    *proposal.why,
                    f"rows whose {by} is {', '.join(map(repr, found))}: the application's "
                    "own actors, kept as they are",
                ],
            )


def _plain_text(table: Table, column: str, columns: dict[str, ColumnProposal]) -> bool:
    """A kept text column of the table."""
    found = table.columns.get(column)
    held = columns.get(column)
    return (
        found is not None
        and found.type.category == "S"
        and not found.type.is_array
        and held is not None
        and not held.masked
    )


def _system_types(conn: psycopg.Connection[Any], table: Table, column: str) -> list[str]:
    """The system types the column holds, in SYSTEM_TYPES' order."""
    query = sql.SQL(
        "SELECT DISTINCT {c}::text FROM {only}{t} WHERE {c}::text = ANY({types})"
    ).format(
        c=sql.Identifier(column),
        only=sql.SQL("" if table.partitioned else "ONLY "),
        t=sql.Identifier(table.schema, table.name),
        types=sql.Literal(list(SYSTEM_TYPES)),
    )
    held = {str(row[0]) for row in sampled_rows(conn, query)}
    return [t for t in SYSTEM_TYPES if t in held]
