"""Syntax newer than staging's PostgreSQL: the parser's grammar is newer than most servers.

The gate parses with pglast, which carries PostgreSQL 18's grammar, so a statement only
PostgreSQL 17 or 18 accepts passes the parse and is judged as if it would run, while an
older production server refuses it (a syntax error at deploy time). The constructs below
are recognised from the parse tree with certainty (each is a syntax error before the
version named):

- PostgreSQL 18: a virtual generated column (`GENERATED ALWAYS AS (expr)` without
  STORED, or with VIRTUAL); a NOT NULL table constraint (`ADD CONSTRAINT c NOT NULL col`,
  with or without NOT VALID); WITHOUT OVERLAPS in a key;
- PostgreSQL 17: `ALTER COLUMN ... SET EXPRESSION AS`; MERGE's `WHEN NOT MATCHED BY
  SOURCE` and `RETURNING`.

With --dsn only what staging's server lacks is reported; without it, every one (the
gate cannot know the server).
"""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums.parsenodes import AlterTableType, ConstrType
from pglast.enums.primnodes import MergeMatchKind
from pglast.parser import get_postgresql_version

from dbrefresh.gate.model import Hit
from dbrefresh.gate.schema import walk

GRAMMAR = get_postgresql_version()[0]
"""The PostgreSQL major version whose grammar the parser carries."""

NEWER_SYNTAX = "newer-postgres-syntax"


def _constraint(con: Any, column: bool) -> tuple[int, str] | None:
    if con.contype == ConstrType.CONSTR_GENERATED and con.generated_kind == "v":
        return 18, "a virtual generated column (GENERATED ALWAYS AS (...) without STORED)"
    if con.contype == ConstrType.CONSTR_NOTNULL and not column:
        return 18, "a NOT NULL table constraint (CONSTRAINT name NOT NULL column)"
    if getattr(con, "without_overlaps", False):
        return 18, "WITHOUT OVERLAPS in a key"
    return None


def needs(node: Any) -> list[tuple[int, str]]:
    """(major version, construct) for each newer construct the statement uses."""
    found: list[tuple[int, str]] = []
    column_constraints = {
        id(c) for n in walk(node) if isinstance(n, ast.ColumnDef) for c in n.constraints or ()
    }
    for n in walk(node):
        if isinstance(n, ast.Constraint):
            need = _constraint(n, id(n) in column_constraints)
            if need:
                found.append(need)
        elif isinstance(n, ast.AlterTableCmd) and n.subtype == AlterTableType.AT_SetExpression:
            found.append((17, "ALTER COLUMN ... SET EXPRESSION"))
        elif isinstance(n, ast.MergeWhenClause) and (
            n.matchKind == MergeMatchKind.MERGE_WHEN_NOT_MATCHED_BY_SOURCE
        ):
            found.append((17, "MERGE ... WHEN NOT MATCHED BY SOURCE"))
        elif isinstance(n, ast.MergeStmt) and n.returningClause is not None:
            found.append((17, "MERGE ... RETURNING"))
    return list(dict.fromkeys(found))


def newer_syntax(node: Any, server_version: int | None) -> list[Hit]:
    """A hit for each construct the server (`server_version` as libpq gives it, 150004;
    None: unknown) does not have."""
    hits = []
    for major, what in needs(node):
        if server_version is not None and server_version >= major * 10000:
            continue
        on = (
            f"staging runs PostgreSQL {server_version // 10000}"
            if server_version is not None
            else "older servers refuse it"
        )
        hits.append(Hit(NEWER_SYNTAX, f"{what} needs PostgreSQL {major} ({on})"))
    return hits


def syntax_note(error: str, sqlstate: str | None, server_version: int) -> str:
    """A trace's syntax error on a server older than the parser's grammar: the statement
    probably uses syntax that server lacks (the parse accepted it)."""
    major = server_version // 10000
    if sqlstate != "42601" or major >= GRAMMAR:
        return error
    return (
        f"{error} (the statement uses syntax staging's PostgreSQL {major} does not have: "
        f"the gate parsed it with PostgreSQL {GRAMMAR}'s grammar)"
    )
